/* state.c - the local SQLite state file.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "state.h"
#include "sqlite_exec.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct state {
    sqlite3 *db;
    sqlite3_stmt *progress;
};

/* Versioned like the target schema: index i holds the step from version i. */
static const char *const state_steps[] = {
    "CREATE TABLE run ("
    " id INTEGER PRIMARY KEY,"
    " target_run_id INTEGER,"
    " source TEXT NOT NULL,"
    " target TEXT NOT NULL,"
    " pid INTEGER NOT NULL,"
    " started_at TEXT NOT NULL,"
    " finished_at TEXT,"
    " status TEXT NOT NULL DEFAULT 'running');"
    "CREATE TABLE progress ("
    " run_id INTEGER NOT NULL REFERENCES run(id),"
    " table_name TEXT NOT NULL,"
    " at REAL NOT NULL,"
    " rows_total INTEGER, rows_read INTEGER, rows_migrated INTEGER,"
    " rows_quarantined INTEGER, rows_repaired INTEGER, bytes INTEGER,"
    " seconds REAL, phase TEXT);"
    "CREATE INDEX progress_run_table_at ON progress (run_id, table_name, at);",
    /* 2: the console's session (pane, sorts, filters, selected rows). */
    "CREATE TABLE session (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 3: commands from consoles to a running migration (pause, run). */
    "CREATE TABLE control (run_id INTEGER PRIMARY KEY REFERENCES run(id), command TEXT NOT NULL,"
    " at TEXT NOT NULL);",
};

char *state_default_path(void)
{
    char *dir = paths_state_home();
    char *p = xasprintf("%s/state.db", dir);
    free(dir);
    return p;
}

static int upgrade(sqlite3 *db, char **err)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int latest = (int)(sizeof state_steps / sizeof state_steps[0]);
    if (version > latest) {
        *err = xasprintf("the state file was written by a newer pantrycrm (version %d > %d)",
                         version, latest);
        return -1;
    }
    for (int v = version; v < latest; v++) {
        char *bump = xasprintf("PRAGMA user_version = %d", v + 1);
        const char *what = "state file";
        int rc = sqlite_exec(db, "BEGIN IMMEDIATE", what, err) ||
                 sqlite_exec(db, state_steps[v], what, err) || sqlite_exec(db, bump, what, err) ||
                 sqlite_exec(db, "COMMIT", what, err);
        free(bump);
        if (rc) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

struct state *state_open(const char *path, char **err)
{
    char *dir = paths_dirname(path);
    if (paths_mkdir_p(dir, 0700) != 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    free(dir);
    /* Create it 0600 ourselves before SQLite does, whatever the umask;
     * SQLite gives the -wal and -shm files the same mode. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err = xasprintf("cannot open the state file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat stt;
    if (fstat(fd, &stt) == 0 && (stt.st_mode & 077) && stt.st_uid == geteuid())
        fchmod(fd, 0600);
    close(fd);

    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        *err = xasprintf("cannot open the state file %s: %s", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    if (sqlite_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                        "PRAGMA foreign_keys = ON", "state file", err) != 0
        || upgrade(db, err) != 0) {
        char *e = xasprintf("%s (%s)", *err, path);
        free(*err);
        *err = e;
        sqlite3_close(db);
        return NULL;
    }
    struct state *st = xcalloc(1, sizeof *st);
    st->db = db;
    return st;
}

void state_close(struct state *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->progress);
    sqlite3_close(st->db);
    free(st);
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t state_run_begin(struct state *st, int64_t target_run_id, const char *source,
                        const char *target, char **err)
{
    sqlite3_stmt *s;
    char now[32];
    now_iso(now);
    if (sqlite3_prepare_v2(st->db,
            "INSERT INTO run (target_run_id, source, target, pid, started_at) VALUES (?, ?, ?, ?, ?)",
            -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_int64(s, 1, target_run_id);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)getpid());
    sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return sqlite3_last_insert_rowid(st->db);
}

int state_run_end(struct state *st, int64_t run, const char *status, char **err)
{
    sqlite3_stmt *s;
    char now[32];
    now_iso(now);
    if (sqlite3_prepare_v2(st->db, "UPDATE run SET status = ?, finished_at = ? WHERE id = ?",
                           -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, run);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

int state_progress(struct state *st, int64_t run, const struct progress_sample *p, char **err)
{
    if (!st->progress
        && sqlite3_prepare_v2(st->db,
               "INSERT INTO progress (run_id, table_name, at, rows_total, rows_read, rows_migrated,"
               " rows_quarantined, rows_repaired, bytes, seconds, phase)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st->progress, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sqlite3_stmt *s = st->progress;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_text(s, 2, p->table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 3, (double)ts.tv_sec + ts.tv_nsec / 1e9);
    sqlite3_bind_int64(s, 4, p->rows_total);
    sqlite3_bind_int64(s, 5, p->rows_read);
    sqlite3_bind_int64(s, 6, p->rows_migrated);
    sqlite3_bind_int64(s, 7, p->rows_quarantined);
    sqlite3_bind_int64(s, 8, p->rows_repaired);
    sqlite3_bind_int64(s, 9, p->bytes);
    sqlite3_bind_double(s, 10, p->seconds);
    sqlite3_bind_text(s, 11, p->phase, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

struct state *state_open_readonly(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 200);
    struct state *st = xcalloc(1, sizeof *st);
    st->db = db;
    return st;
}

static void copy_col(sqlite3_stmt *s, int col, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, col);
    snprintf(dst, n, "%s", v ? (const char *)v : "");
}

int state_read_latest(struct state *st, struct state_run *run, bool *found,
                      struct state_table_progress *rows, size_t max, size_t *n,
                      double *spark, size_t nspark, size_t *nspark_out, char **err)
{
    *found = false;
    *n = 0;
    *nspark_out = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT id, pid, source, status, started_at FROM run "
                                   "ORDER BY id DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK) {
        /* a state file from before any run has no tables yet */
        sqlite3_finalize(s);
        return 0;
    }
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return 0;
    }
    *found = true;
    run->id = sqlite3_column_int64(s, 0);
    run->pid = sqlite3_column_int64(s, 1);
    copy_col(s, 2, run->source, sizeof run->source);
    copy_col(s, 3, run->status, sizeof run->status);
    copy_col(s, 4, run->started_at, sizeof run->started_at);
    sqlite3_finalize(s);

    if (sqlite3_prepare_v2(st->db,
            "SELECT table_name, phase, rows_total, rows_read, rows_migrated, rows_quarantined,"
            " rows_repaired, bytes, seconds, at FROM progress p WHERE run_id = ?1"
            " AND at = (SELECT max(at) FROM progress q WHERE q.run_id = ?1"
            "           AND q.table_name = p.table_name) ORDER BY rowid", -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_int64(s, 1, run->id);
    while (sqlite3_step(s) == SQLITE_ROW && *n < max) {
        struct state_table_progress *r = &rows[(*n)++];
        copy_col(s, 0, r->table, sizeof r->table);
        copy_col(s, 1, r->phase, sizeof r->phase);
        r->rows_total = sqlite3_column_int64(s, 2);
        r->rows_read = sqlite3_column_int64(s, 3);
        r->rows_migrated = sqlite3_column_int64(s, 4);
        r->rows_quarantined = sqlite3_column_int64(s, 5);
        r->rows_repaired = sqlite3_column_int64(s, 6);
        r->bytes = sqlite3_column_int64(s, 7);
        r->seconds = sqlite3_column_double(s, 8);
        r->at = sqlite3_column_double(s, 9);
    }
    sqlite3_finalize(s);

    /* Rows read by the whole run per half-second step; the sampler writes
     * every table each half second, so a step's sum is the run's total. */
    if (nspark == 0)
        return 0;
    /* The run's rows read at a half-second step is the sum over its tables
     * of each table's latest count so far; a table with no sample in that
     * step still counts (summing only the step's samples made the rate
     * drop whenever a table skipped a step, and the maximum disagree with
     * the tables' own rates). */
    if (sqlite3_prepare_v2(st->db,
            "SELECT table_name, CAST(at * 2 AS INTEGER) AS step, max(rows_read) FROM progress"
            " WHERE run_id = ?1 GROUP BY table_name, step ORDER BY step", -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_int64(s, 1, run->id);
    enum { MAXT = 64, RING = 257 };
    char names[MAXT][40];
    double latest[MAXT];
    size_t nt = 0;
    double ring_step[RING], ring_total[RING];
    size_t nring = 0;
    double cur_step = -1;
    bool more = sqlite3_step(s) == SQLITE_ROW;
    while (more) {
        double step = (double)sqlite3_column_int64(s, 1);
        const char *t = (const char *)sqlite3_column_text(s, 0);
        size_t k = 0;
        while (k < nt && strcmp(names[k], t ? t : "") != 0)
            k++;
        if (k == nt && nt < MAXT) {
            snprintf(names[nt], sizeof names[nt], "%s", t ? t : "");
            latest[nt++] = 0;
        }
        if (k < nt)
            latest[k] = sqlite3_column_double(s, 2);
        cur_step = step;
        more = sqlite3_step(s) == SQLITE_ROW;
        if (!more || (double)sqlite3_column_int64(s, 1) != cur_step) {
            double total = 0;
            for (size_t i = 0; i < nt; i++)
                total += latest[i];
            ring_step[nring % RING] = cur_step;
            ring_total[nring % RING] = total;
            nring++;
        }
    }
    sqlite3_finalize(s);
    size_t keep = nspark + 1 < RING ? nspark + 1 : RING;
    size_t first = nring > keep ? nring - keep : 0;
    for (size_t i = first + 1; i < nring && *nspark_out < nspark; i++) {
        double ds = ring_step[i % RING] - ring_step[(i - 1) % RING];
        if (ds > 0)
            spark[(*nspark_out)++] = (ring_total[i % RING] - ring_total[(i - 1) % RING]) / (ds / 2.0);
    }
    return 0;
}

char *state_session_get(struct state *st, const char *key)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM session WHERE key = ?", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return v;
}

int state_session_put(struct state *st, const char *key, const char *value, char **err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO session (key, value) VALUES (?, ?)"
                                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

int state_control_set(struct state *st, int64_t run, const char *command, char **err)
{
    sqlite3_stmt *s = NULL;
    char now[32];
    now_iso(now);
    if (sqlite3_prepare_v2(st->db, "INSERT INTO control (run_id, command, at) VALUES (?, ?, ?)"
                                   " ON CONFLICT (run_id) DO UPDATE SET command = excluded.command,"
                                   " at = excluded.at", -1, &s, NULL) != SQLITE_OK) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_text(s, 2, command, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        *err = xasprintf("state file: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

bool state_control_paused(struct state *st, int64_t run)
{
    sqlite3_stmt *s = NULL;
    bool paused = false;
    if (sqlite3_prepare_v2(st->db, "SELECT command FROM control WHERE run_id = ?", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, run);
        if (sqlite3_step(s) == SQLITE_ROW)
            paused = strcmp((const char *)sqlite3_column_text(s, 0), "pause") == 0;
    }
    sqlite3_finalize(s);
    return paused;
}

/* The sync's latest round, kept as one session value so that the state
 * file's schema does not change: "at source applied lag_versions lag_s
 * rate changes" as plain numbers. */
int state_sync_put(struct state *st, const struct state_sync *s, char **err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%.3f %lld %lld %lld %.3f %.3f %lld", s->at,
             (long long)s->source_version, (long long)s->applied_version,
             (long long)s->lag_versions, s->lag_seconds, s->rate, (long long)s->changes);
    return state_session_put(st, "sync.last_round", buf, err);
}

bool state_sync_get(struct state *st, struct state_sync *s)
{
    char *v = state_session_get(st, "sync.last_round");
    if (!v)
        return false;
    long long src, app, lag, ch;
    bool ok = sscanf(v, "%lf %lld %lld %lld %lf %lf %lld", &s->at, &src, &app, &lag, &s->lag_seconds,
                     &s->rate, &ch) == 7;
    s->source_version = src;
    s->applied_version = app;
    s->lag_versions = lag;
    s->changes = ch;
    free(v);
    return ok;
}
