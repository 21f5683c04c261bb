/* source_sqlite.c - the SQLite source adapter.
 *
 * The file holds the legacy tables with their SQL Server type names as the
 * declared types. Values are read as the bytes SQLite stored: TEXT keeps
 * NUL bytes and whatever the exporter wrote (sqlite3_column_bytes gives the
 * length), REAL is printed exactly (%.17g), so no value is changed here;
 * repairs are the engine's job and are counted there.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "source_sqlite.h"
#include "sqlite_ct.h"
#include "sqlite_exec.h"
#include "sqltext.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct sqlite_source {
    struct source base;
    sqlite3 *db;
    char *path;
    sqlite3 *rw;        /* opened lazily to seal pending changes (change capture) */
    bool in_snapshot;
};

static int sq_describe(struct source *src, struct source_table **out, size_t *n, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    sqlite3_stmt *st = NULL;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db,
            "SELECT m.name, p.name, p.type FROM sqlite_schema m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            " AND m.name NOT LIKE '\\_\\_ct\\_%' ESCAPE '\\' ORDER BY m.name, p.cid",
            -1, &st, NULL) != SQLITE_OK) {
        *err = sqlite_error(s->db, "cannot read the source catalog");
        return -1;
    }
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *tname = (const char *)sqlite3_column_text(st, 0);
        const char *cname = (const char *)sqlite3_column_text(st, 1);
        const char *ctype = (const char *)sqlite3_column_text(st, 2);
        if (*n == 0 || strcmp((*out)[*n - 1].name, tname) != 0) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            struct source_table *t = &(*out)[(*n)++];
            t->name = xstrdup(tname);
            t->cols = NULL;
            t->ncols = 0;
        }
        struct source_table *t = &(*out)[*n - 1];
        t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
        t->cols[t->ncols].name = xstrdup(cname ? cname : "");
        char *type = xstrdup(ctype ? ctype : "");
        for (char *p = type; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        t->cols[t->ncols].type = type;
        t->ncols++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        *err = sqlite_error(s->db, "cannot read the source catalog");
        source_tables_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

/* SELECT <expr> FROM "table" as one integer. */
static int scalar(struct sqlite_source *s, const char *expr, const char *table, int64_t *out)
{
    struct strbuf sql;
    sb_init(&sql);
    sb_addf(&sql, "SELECT %s FROM ", expr);
    sql_add_ident(&sql, table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL);
    sb_free(&sql);
    if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return -1;
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int sq_count(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (scalar(s, "count(*)", table, rows) != 0) {
        *err = sqlite_error(s->db, "cannot count rows");
        return -1;
    }
    return 0;
}

/* The row count ANALYZE recorded for a WITHOUT ROWID table (its own
 * b-tree is the entry named after it); false without one. */
static bool analyzed_rows(struct sqlite_source *s, const char *table, int64_t *rows)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT stat FROM sqlite_stat1 WHERE tbl = ?1 AND idx = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return false;   /* never analysed: no sqlite_stat1 */
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0);
    if (ok)
        *rows = strtoll((const char *)sqlite3_column_text(st, 0), NULL, 10);
    sqlite3_finalize(st);
    return ok && *rows > 0;
}

/* max(rowid) is instant (the last leaf of the b-tree) and equals the row
 * count of an export that never deleted; a WITHOUT ROWID table (as the
 * generator writes them) has the count its last ANALYZE found; exact
 * counts come from count. */
static int sq_estimate(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (scalar(s, "max(rowid)", table, rows) == 0 || analyzed_rows(s, table, rows))
        return 0;
    return sq_count(src, table, rows, err);
}

static int sq_stream(struct source *src, const char *table, const char *key,
                     const char *const *cols, size_t ncols, const struct cell *after,
                     size_t limit, source_row_fn fn, void *ctx, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sb_adds(&sql, ", ");
        sql_add_ident(&sql, cols[i]);
    }
    sb_adds(&sql, " FROM ");
    sql_add_ident(&sql, table);
    if (after) {
        /* Keys compare as SQLite compares the stored values (BINARY for
         * text), which is the order ORDER BY gives: resume is exact. */
        sb_adds(&sql, " WHERE ");
        sql_add_ident(&sql, key);
        sb_adds(&sql, " > ?1");
    }
    sb_adds(&sql, " ORDER BY ");
    sql_add_ident(&sql, key);
    if (limit)
        sb_addf(&sql, " LIMIT %zu", limit);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
        *err = sqlite_error(s->db, "cannot read the source");
        sb_free(&sql);
        return -1;
    }
    sb_free(&sql);
    if (after)
        sqlite3_bind_text(st, 1, after->data, (int)after->len, SQLITE_TRANSIENT);
    struct cell *cells = xcalloc(ncols ? ncols : 1, sizeof *cells);
    /* DECIMAL columns have NUMERIC affinity, so SQLite may have stored
     * '7082761.69' as a REAL. Its own 15-significant-digit rendering gives
     * the stored text back exactly (DECIMAL(14,2) has at most 14 digits);
     * %.17g would show the binary approximation instead. */
    bool *exact_decimal = xcalloc(ncols ? ncols : 1, sizeof *exact_decimal);
    for (size_t i = 0; i < ncols; i++) {
        const char *decl = sqlite3_column_decltype(st, (int)i);
        exact_decimal[i] = decl && (strncasecmp(decl, "DECIMAL", 7) == 0
                                    || strncasecmp(decl, "NUMERIC", 7) == 0);
    }
    char numbuf[64 * 32];
    int rc, stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t numoff = 0;
        for (size_t i = 0; i < ncols; i++) {
            int t = sqlite3_column_type(st, (int)i);
            struct cell *c = &cells[i];
            c->is_null = t == SQLITE_NULL;
            if (t == SQLITE_FLOAT && !exact_decimal[i] && numoff + 32 <= sizeof numbuf) {
                /* %.17g round-trips every double exactly. */
                int len = snprintf(numbuf + numoff, 32, "%.17g", sqlite3_column_double(st, (int)i));
                c->data = numbuf + numoff;
                c->len = (size_t)len;
                numoff += 32;
            } else if (t == SQLITE_NULL) {
                c->data = "";
                c->len = 0;
            } else {
                const unsigned char *v = t == SQLITE_BLOB ? sqlite3_column_blob(st, (int)i)
                                                          : sqlite3_column_text(st, (int)i);
                c->len = (size_t)sqlite3_column_bytes(st, (int)i);
                c->data = v ? (const char *)v : "";
            }
        }
        stop = fn(ctx, cells, ncols);
        if (stop)
            break;
    }
    free(cells);
    free(exact_decimal);
    if (!stop && rc != SQLITE_DONE) {
        *err = sqlite_error(s->db, "reading the source failed");
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return stop;
}

static void sq_close(struct source *src)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (s->in_snapshot)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    sqlite3_close(s->rw);
    free(s->path);
    free(s->base.description);
    free(s);
}

static int sq_facts(struct source *src, struct source_facts *out, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    (void)err;
    memset(out, 0, sizeof *out);
    out->server = xasprintf("SQLite %s", sqlite3_libversion());
    const char *slash = strrchr(s->path, '/');
    out->database = xstrdup(slash ? slash + 1 : s->path);
    /* A SQLite read transaction always sees one consistent snapshot. */
    out->snapshot_isolation = 1;
    out->read_committed_snapshot = -1;
    out->change_tracking = source_sqlite_ct_installed(s->db) ? 1 : 0;
    out->ct_retention_s = -1;
    out->ct_auto_cleanup = false;
    sqlite3_stmt *st = NULL;
    if (out->change_tracking == 1 && sqlite_ct_has_table(s->db, "__ct_settings")
        && sqlite3_prepare_v2(s->db, "SELECT value FROM __ct_settings WHERE name = 'retention_s'",
                              -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        out->ct_retention_s = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* Seals changes that writers outside pantrycrm left unversioned (their log
 * rows carry version + 1), so that later writes get a higher version than
 * the one this round reports. Best effort: a read-only file stays as it is,
 * and its pending changes are then simply reported again next round. */
static void ct_seal(struct sqlite_source *s)
{
    char *err = NULL;
    if (!s->rw)
        s->rw = sqlite_ct_open_rw(s->path, &err);
    free(err);
    err = NULL;
    if (!s->rw)
        return;
    char *bump = sqlite_ct_bump_sql(s->rw);
    if (bump && sqlite3_exec(s->rw, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        if (sqlite3_exec(s->rw, bump, NULL, NULL, NULL) == SQLITE_OK)
            sqlite3_exec(s->rw, "COMMIT", NULL, NULL, NULL);
        else
            sqlite3_exec(s->rw, "ROLLBACK", NULL, NULL, NULL);
    }
    free(bump);
}

static int sq_snapshot_begin(struct source *src, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (s->in_snapshot) {
        *err = xstrdup("a source snapshot is already open");
        return -1;
    }
    if (source_sqlite_ct_installed(s->db))
        ct_seal(s);
    /* BEGIN is deferred: the snapshot starts at the first read, done here. */
    if (sqlite_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema", "cannot open a source snapshot",
                    err) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    s->in_snapshot = true;
    return 0;
}

static int sq_snapshot_end(struct source *src, bool commit, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (!s->in_snapshot)
        return 0;
    s->in_snapshot = false;
    return sqlite_exec(s->db, commit ? "COMMIT" : "ROLLBACK", "cannot end the source snapshot", err);
}

static int ct_not_installed(struct sqlite_source *s, char **err)
{
    *err = xasprintf("the source %s has no change capture: run 'pantrycrm demo track --source %s' "
                     "before the full load", s->path, s->path);
    return -1;
}

static int sq_change_version(struct source *src, int64_t *current, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (!source_sqlite_ct_installed(s->db))
        return ct_not_installed(s, err);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT version FROM __ct_state", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW) {
        *current = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        *err = sqlite_error(s->db, "cannot read the change version");
    }
    sqlite3_finalize(st);
    return rc;
}

static int sq_change_min_valid(struct source *src, const char *table, bool *tracked,
                               int64_t *min_valid, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    *tracked = false;
    *min_valid = 0;
    if (!source_sqlite_ct_installed(s->db))
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT min_valid_version FROM __ct_tables WHERE table_name = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        *err = sqlite_error(s->db, "cannot read the change-tracking tables");
        return -1;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *tracked = true;
        *min_valid = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return 0;
}

/* The cells of columns [off, off + n) of the current row, as sq_stream
 * gives them (exact DECIMAL text, %.17g for other floats). */
static void ct_row_cells(sqlite3_stmt *st, int off, size_t n, struct cell *cells, char *numbuf)
{
    for (size_t i = 0; i < n; i++) {
        int col = off + (int)i;
        int t = sqlite3_column_type(st, col);
        struct cell *c = &cells[i];
        c->is_null = t == SQLITE_NULL;
        const char *decl = sqlite3_column_decltype(st, col);
        bool exact = decl && (strncasecmp(decl, "DECIMAL", 7) == 0 || strncasecmp(decl, "NUMERIC", 7) == 0);
        if (t == SQLITE_FLOAT && !exact) {
            int len = snprintf(numbuf + 32 * i, 32, "%.17g", sqlite3_column_double(st, col));
            c->data = numbuf + 32 * i;
            c->len = (size_t)len;
        } else if (t == SQLITE_NULL) {
            c->data = "";
            c->len = 0;
        } else {
            const unsigned char *v = t == SQLITE_BLOB ? sqlite3_column_blob(st, col)
                                                      : sqlite3_column_text(st, col);
            c->len = (size_t)sqlite3_column_bytes(st, col);
            c->data = v ? (const char *)v : "";
        }
    }
}

static int sq_changes(struct source *src, const char *table, const char *key,
                      const char *const *cols, size_t ncols, int64_t since,
                      source_change_fn fn, void *ctx, char **err)
{
    struct sqlite_source *s = (struct sqlite_source *)src;
    if (!source_sqlite_ct_installed(s->db))
        return ct_not_installed(s, err);
    char *log = xasprintf("__ct_log_%s", table);
    /* The stand-in's CHANGETABLE: one row per key changed after since; D if
     * the last change was a delete, I if the key's first change after since
     * was an insert, U otherwise; joined back to the table for the row. */
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT l.ver, CASE WHEN l.op = 'D' THEN 'D' WHEN f.op = 'I' THEN 'I' ELSE 'U' END, l.");
    sql_add_ident(&sql, key);
    sb_adds(&sql, ", b.");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " IS NOT NULL");
    for (size_t i = 0; i < ncols; i++) {
        sb_adds(&sql, ", b.");
        sql_add_ident(&sql, cols[i]);
    }
    sb_adds(&sql, " FROM (SELECT max(seq) AS lastseq, min(seq) AS firstseq FROM ");
    sql_add_ident(&sql, log);
    sb_adds(&sql, " WHERE ?1 IS NULL OR ver > ?1 GROUP BY ");
    sql_add_ident(&sql, key);
    sb_adds(&sql, ") g JOIN ");
    sql_add_ident(&sql, log);
    sb_adds(&sql, " l ON l.seq = g.lastseq JOIN ");
    sql_add_ident(&sql, log);
    sb_adds(&sql, " f ON f.seq = g.firstseq LEFT JOIN ");
    sql_add_ident(&sql, table);
    sb_adds(&sql, " b ON b.");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " = l.");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " AND l.op <> 'D' ORDER BY l.");
    sql_add_ident(&sql, key);
    free(log);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
        *err = xasprintf("cannot read the changes of %s: %s", table, sqlite3_errmsg(s->db));
        sb_free(&sql);
        return -1;
    }
    sb_free(&sql);
    if (since >= 0)
        sqlite3_bind_int64(st, 1, since);
    struct cell *cells = xcalloc(ncols + 1, sizeof *cells);
    char *numbuf = xcalloc(ncols + 1, 32);
    int rc, stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cell kc;
        ct_row_cells(st, 2, 1, &kc, numbuf);
        /* the key's bytes live in the statement; numbuf slot 0 is reused
         * below only for float columns, which a key never is */
        bool exists = sqlite3_column_int(st, 3) != 0;
        if (exists)
            ct_row_cells(st, 4, ncols, cells, numbuf + 32);
        const char *op = (const char *)sqlite3_column_text(st, 1);
        stop = fn(ctx, sqlite3_column_int64(st, 0), op ? op[0] : 'U', &kc, exists ? cells : NULL, ncols);
        if (stop)
            break;
    }
    free(cells);
    free(numbuf);
    if (!stop && rc != SQLITE_DONE) {
        *err = xasprintf("reading the changes of %s failed: %s", table, sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return stop;
}

static const struct source_ops sqlite_ops = {
    .kind = "sqlite",
    .describe = sq_describe,
    .count = sq_count,
    .estimate = sq_estimate,
    .stream = sq_stream,
    .close = sq_close,
    .facts = sq_facts,
    .snapshot_begin = sq_snapshot_begin,
    .snapshot_end = sq_snapshot_end,
    .change_version = sq_change_version,
    .change_min_valid = sq_change_min_valid,
    .changes = sq_changes,
};

struct source *source_sqlite_open(const char *path, char **err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = xasprintf("source %s: %s", path, strerror(errno));
        return NULL;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        *err = xasprintf("source %s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return NULL;
    }
    /* Fail now, with a clear message, if this is not a SQLite database. */
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
        *err = xasprintf("source %s is not a readable SQLite database: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    struct sqlite_source *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->base.description = xasprintf("sqlite:%s", path);
    s->db = db;
    s->path = xstrdup(path);
    return &s->base;
}
