/* activity.c - `pantrycrm demo activity`: the old application keeps
 * writing to the legacy source while the migration runs, so that sync and
 * the cutover gate can be shown and tested on a live source.
 *
 * Writes go through the legacy contract (legacy.h), so every table and
 * column is filled the way the generator fills them: new interactions
 * dominate, records get edited, a few are deleted (children first, or
 * their references cleared, as the application's ON DELETE rules do on SQL
 * Server), and a small share of the values is dirty like --messy data (odd
 * enum spellings, unknown labels, NUL bytes, far dates) so that sync meets
 * repairs and the quarantine. Each transaction gets one change version.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "activity.h"
#include "demo.h"
#include "legacy.h"
#include "source_sqlite.h"
#include "sqltext.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t activity_stop;

/* xorshift64*: reproducible with --seed, no global state. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static unsigned below(uint64_t *s, unsigned n)
{
    return n ? (unsigned)(rnd(s) % n) : 0;
}


struct activity {
    sqlite3 *db;
    uint64_t seed;
    long inserts, updates, deletes, cascaded, dirty, txns;
    char *err;
};

static const char *const words[] = {
    "fresh", "frozen", "produce", "dairy", "seafood", "delivery", "menu", "order", "quarter",
    "pricing", "sample", "kitchen", "chef", "contract", "renewal", "gluten-free", "vegan",
    "supplier", "invoice", "follow-up", "tasting", "catering", "school", "hospital", "weekly",
};

static void add_words(struct strbuf *sb, struct activity *a, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (i)
            sb_addc(sb, ' ');
        sb_adds(sb, words[below(&a->seed, sizeof words / sizeof *words)]);
    }
}

static void now_text(char buf[64], int year_offset)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, 64, "%04d-%02d-%02d %02d:%02d:%02d.%07ld", tm.tm_year + 1900 + year_offset,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 100);
}

static void new_uuid(struct activity *a, char out[37])
{
    uint64_t hi = rnd(&a->seed), lo = rnd(&a->seed);
    hi = (hi & ~0xF000ull) | 0x4000ull;
    lo = (lo & ~(3ull << 62)) | (2ull << 62);
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32), (unsigned)(hi >> 16) & 0xFFFF,
             (unsigned)hi & 0xFFFF, (unsigned)(lo >> 48), (unsigned long long)(lo & 0xFFFFFFFFFFFFull));
}

/* A random existing key of table (NULL when empty); caller frees. */
static char *random_key(struct activity *a, const char *table, const char *key)
{
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT ");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " FROM ");
    sql_add_ident(&sql, table);
    /* The first key at or after a random point of the key space (ids are
     * mostly hexadecimal UUIDs), else the first key: the generator's tables
     * are WITHOUT ROWID, so there is no rowid range to pick from. */
    sb_adds(&sql, " WHERE ");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " >= ?1 ORDER BY ");
    sql_add_ident(&sql, key);
    sb_adds(&sql, " LIMIT 1");
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    for (int attempt = 0; attempt < 2 && !out; attempt++) {
        if (sqlite3_prepare_v2(a->db, sql.buf, -1, &st, NULL) != SQLITE_OK)
            break;
        char point[17];
        snprintf(point, sizeof point, "%016llx", attempt ? 0ull : (unsigned long long)rnd(&a->seed));
        sqlite3_bind_text(st, 1, attempt ? "" : point, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = xstrndup((const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        sqlite3_finalize(st);
    }
    sb_free(&sql);
    return out;
}

/* Binds a fresh value for column c at parameter i; may be dirty. */
static void bind_value(struct activity *a, sqlite3_stmt *st, int i, const struct legacy_table *t,
                       const struct legacy_column *c, bool dirty, bool *was_dirty)
{
    char buf[64];
    struct strbuf sb;
    sb_init(&sb);
    if (c->nullable && c->kind != COL_FK_UUID && c->kind != COL_FK_TEXT && below(&a->seed, 10) == 0) {
        sqlite3_bind_null(st, i);
        return;
    }
    switch (c->kind) {
    case COL_ID_TEXT:
    case COL_ID_UUID:
        new_uuid(a, buf);
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    case COL_FK_TEXT:
    case COL_FK_UUID: {
        const struct legacy_table *p = legacy_table(c->ref_table);
        char *k = p && (!c->nullable || below(&a->seed, 5) != 0) ? random_key(a, p->name, p->key) : NULL;
        if (k)
            sqlite3_bind_text(st, i, k, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, i);
        free(k);
        break;
    }
    case COL_ENUM: {
        size_t n;
        const char *const *labels = legacy_enum_labels(c->enum_type, &n);
        const char *l = n ? labels[below(&a->seed, (unsigned)n)] : "";
        if (dirty && below(&a->seed, 2) == 0) {
            /* an unknown label: the quarantine's enum_unmatched */
            snprintf(buf, sizeof buf, "LEGACY_%u", below(&a->seed, 100));
            *was_dirty = true;
        } else if (dirty) {
            /* the old UI's spelling: lower case, padded; synonyms repair it */
            snprintf(buf, sizeof buf, " %s ", l);
            for (char *q = buf; *q; q++)
                *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q == '_' ? ' ' : *q);
            *was_dirty = true;
        } else {
            snprintf(buf, sizeof buf, "%s", l);
        }
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    }
    case COL_TEXT:
    case COL_TEXT_MAX:
        if (strcmp(c->name, "email") == 0) {
            sb_addf(&sb, "act%llx@example.com", (unsigned long long)(rnd(&a->seed) >> 16));
        } else if (strcmp(c->name, "contractNumber") == 0) {
            sb_addf(&sb, "KP-ACT-%012llx", (unsigned long long)(rnd(&a->seed) >> 16));
        } else {
            add_words(&sb, a, 2 + below(&a->seed, c->kind == COL_TEXT_MAX ? 12 : 3));
            if (dirty && c->kind == COL_TEXT_MAX) {
                sb_addn(&sb, "\0", 1);   /* a NUL byte, as the old exporter left */
                sb_adds(&sb, "tail");
                *was_dirty = true;
            }
        }
        (void)t;
        sqlite3_bind_text(st, i, sb.buf, (int)sb.len, SQLITE_TRANSIENT);
        break;
    case COL_DATETIME:
        now_text(buf, dirty && strcmp(c->name, "createdAt") != 0 && strcmp(c->name, "updatedAt") != 0
                          ? 7974 : 0);
        if (dirty && strcmp(c->name, "createdAt") != 0 && strcmp(c->name, "updatedAt") != 0)
            *was_dirty = true;
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    case COL_BIT:
        sqlite3_bind_int(st, i, (int)below(&a->seed, 2));
        break;
    case COL_INT:
        sqlite3_bind_int(st, i, (int)below(&a->seed, 101));
        break;
    case COL_FLOAT:
        sqlite3_bind_double(st, i, (double)below(&a->seed, 1000000) / 1000.0);
        break;
    case COL_DECIMAL:
        snprintf(buf, sizeof buf, "%u.%02u", below(&a->seed, 2000000), below(&a->seed, 100));
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
        break;
    }
    sb_free(&sb);
}

static int step_sql(struct activity *a, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        free(a->err);
        a->err = xasprintf("%s", sqlite3_errmsg(a->db));
        return -1;
    }
    return 0;
}

static int do_insert(struct activity *a, const struct legacy_table *t, bool dirty)
{
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "INSERT INTO ");
    sql_add_ident(&sql, t->name);
    sb_adds(&sql, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        if (i)
            sb_adds(&sql, ", ");
        sql_add_ident(&sql, t->cols[i].name);
    }
    sb_adds(&sql, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++)
        sb_addf(&sql, "%s?%zu", i ? ", " : "", i + 1);
    sb_adds(&sql, ")");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(a->db, sql.buf, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
    sb_free(&sql);
    if (rc != 0) {
        a->err = xasprintf("%s", sqlite3_errmsg(a->db));
        return -1;
    }
    /* one dirty column at most, like the generator's rates */
    size_t dirty_col = dirty ? below(&a->seed, (unsigned)t->ncols) : (size_t)-1;
    bool was_dirty = false;
    for (size_t i = 0; i < t->ncols; i++)
        bind_value(a, st, (int)i + 1, t, &t->cols[i], i == dirty_col, &was_dirty);
    rc = step_sql(a, st);
    sqlite3_finalize(st);
    if (rc == 0) {
        a->inserts++;
        a->dirty += was_dirty;
    }
    return rc;
}

static int do_update(struct activity *a, const struct legacy_table *t, bool dirty)
{
    char *key = random_key(a, t->name, t->key);
    if (!key)
        return do_insert(a, t, dirty);
    /* one or two ordinary columns, and updatedAt */
    const struct legacy_column *pick[2];
    size_t npick = 0;
    for (int tries = 0; tries < 20 && npick < 1 + (dirty ? 0u : below(&a->seed, 2)); tries++) {
        const struct legacy_column *c = &t->cols[below(&a->seed, (unsigned)t->ncols)];
        if (c->kind == COL_ID_TEXT || c->kind == COL_ID_UUID || c->kind == COL_FK_TEXT
            || strcmp(c->name, t->key) == 0 || strcmp(c->name, "createdAt") == 0
            || strcmp(c->name, "updatedAt") == 0 || strcmp(c->name, "email") == 0
            || strcmp(c->name, "contractNumber") == 0 || (npick && pick[0] == c))
            continue;
        pick[npick++] = c;
    }
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "UPDATE ");
    sql_add_ident(&sql, t->name);
    sb_adds(&sql, " SET ");
    int p = 1;
    for (size_t i = 0; i < npick; i++) {
        sql_add_ident(&sql, pick[i]->name);
        sb_addf(&sql, " = ?%d, ", p++);
    }
    bool stamps = legacy_column(t, "updatedAt") != NULL;
    if (stamps)
        sb_addf(&sql, "\"updatedAt\" = ?%d", p++);
    else {
        sql_add_ident(&sql, t->key);    /* a touch that changes nothing */
        sb_adds(&sql, " = ");
        sql_add_ident(&sql, t->key);
    }
    sb_adds(&sql, " WHERE ");
    sql_add_ident(&sql, t->key);
    sb_addf(&sql, " = ?%d", p);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(a->db, sql.buf, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
    sb_free(&sql);
    if (rc != 0) {
        a->err = xasprintf("%s", sqlite3_errmsg(a->db));
        free(key);
        return -1;
    }
    bool was_dirty = false;
    int b = 1;
    for (size_t i = 0; i < npick; i++)
        bind_value(a, st, b++, t, pick[i], dirty && i == 0, &was_dirty);
    if (stamps) {
        char now[64];
        now_text(now, 0);
        sqlite3_bind_text(st, b++, now, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(st, b, key, -1, SQLITE_TRANSIENT);
    rc = step_sql(a, st);
    sqlite3_finalize(st);
    free(key);
    if (rc == 0) {
        a->updates++;
        a->dirty += was_dirty;
    }
    return rc;
}

/* Runs "sql" with ?1 = key; counts the rows it touched as cascaded. */
static int exec_key(struct activity *a, const char *sql, const char *key, bool cascade)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(a->err);
        a->err = xasprintf("%s", sqlite3_errmsg(a->db));
        return -1;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = step_sql(a, st);
    sqlite3_finalize(st);
    if (rc == 0 && cascade)
        a->cascaded += sqlite3_changes(a->db);
    return rc;
}

/* Deletes a row the way the application's foreign keys would on SQL
 * Server, whose case-insensitive collation also matches the messy
 * upper-case references (hence lower()): children with ON DELETE CASCADE
 * go too, references with ON DELETE SET NULL are cleared (the target
 * schema has the same rules). */
#define OF_ORG(t) " (SELECT lower(id) FROM \"" t "\" WHERE lower(\"organizationId\") = lower(?1))" \
                  " AND lower(\"organizationId\") <> lower(?1)"
static int do_delete(struct activity *a, const struct legacy_table *t)
{
    char *key = random_key(a, t->name, t->key);
    if (!key)
        return 0;
    int rc = 0;
    if (strcmp(t->name, "Organization") == 0) {
        static const char *const steps[] = {
            "UPDATE \"Interaction\" SET \"contactId\" = NULL WHERE lower(\"contactId\") IN" OF_ORG("Contact"),
            "UPDATE \"Opportunity\" SET \"contactId\" = NULL WHERE lower(\"contactId\") IN" OF_ORG("Contact"),
            "UPDATE \"Contract\" SET \"contactId\" = NULL WHERE lower(\"contactId\") IN" OF_ORG("Contact"),
            "UPDATE \"Contract\" SET \"opportunityId\" = NULL WHERE lower(\"opportunityId\") IN"
                OF_ORG("Opportunity"),
            "DELETE FROM \"Interaction\" WHERE lower(\"organizationId\") = lower(?1)",
            "DELETE FROM \"Contract\" WHERE lower(\"organizationId\") = lower(?1)",
            "DELETE FROM \"Opportunity\" WHERE lower(\"organizationId\") = lower(?1)",
            "DELETE FROM \"Contact\" WHERE lower(\"organizationId\") = lower(?1)",
            "UPDATE \"Lead\" SET \"organizationId\" = NULL WHERE lower(\"organizationId\") = lower(?1)",
        };
        for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == 0; i++)
            rc = exec_key(a, steps[i], key, true);
    } else if (strcmp(t->name, "Contact") == 0) {
        static const char *const steps[] = {
            "UPDATE \"Interaction\" SET \"contactId\" = NULL WHERE lower(\"contactId\") = lower(?1)",
            "UPDATE \"Opportunity\" SET \"contactId\" = NULL WHERE lower(\"contactId\") = lower(?1)",
            "UPDATE \"Contract\" SET \"contactId\" = NULL WHERE lower(\"contactId\") = lower(?1)",
        };
        for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == 0; i++)
            rc = exec_key(a, steps[i], key, true);
    } else if (strcmp(t->name, "Opportunity") == 0) {
        rc = exec_key(a, "UPDATE \"Contract\" SET \"opportunityId\" = NULL"
                         " WHERE lower(\"opportunityId\") = lower(?1)", key, true);
    }
    if (rc == 0) {
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, "DELETE FROM ");
        sql_add_ident(&sql, t->name);
        sb_adds(&sql, " WHERE ");
        sql_add_ident(&sql, t->key);
        sb_adds(&sql, " = ?1");
        rc = exec_key(a, sql.buf, key, false);
        sb_free(&sql);
        if (rc == 0)
            a->deletes++;
    }
    free(key);
    return rc;
}

/* The mix, in changes per thousand. */
struct mix { const char *table; char op; unsigned weight; };
static const struct mix mixes[] = {
    {"Interaction", 'I', 300}, {"Contact", 'I', 60}, {"Organization", 'I', 20},
    {"Opportunity", 'I', 40}, {"Lead", 'I', 30}, {"Contract", 'I', 10},
    {"Interaction", 'U', 80}, {"Contact", 'U', 80}, {"Organization", 'U', 100},
    {"Opportunity", 'U', 100}, {"Lead", 'U', 50}, {"Contract", 'U', 30}, {"User", 'U', 20},
    {"Interaction", 'D', 40}, {"Lead", 'D', 20}, {"Contact", 'D', 12}, {"Opportunity", 'D', 5},
    {"Organization", 'D', 3},
};

static int one_change(struct activity *a)
{
    unsigned total = 0;
    for (size_t i = 0; i < sizeof mixes / sizeof *mixes; i++)
        total += mixes[i].weight;
    unsigned r = below(&a->seed, total);
    const struct mix *m = &mixes[0];
    for (size_t i = 0; i < sizeof mixes / sizeof *mixes; i++) {
        if (r < mixes[i].weight) {
            m = &mixes[i];
            break;
        }
        r -= mixes[i].weight;
    }
    const struct legacy_table *t = legacy_table(m->table);
    bool dirty = below(&a->seed, 100) < 3;
    return m->op == 'I' ? do_insert(a, t, dirty) : m->op == 'U' ? do_update(a, t, dirty) : do_delete(a, t);
}

static int64_t version_of(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (source_sqlite_ct_installed(db)
        && sqlite3_prepare_v2(db, "SELECT version FROM __ct_state", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void report(const struct activity_opts *o, const struct activity_report *r,
                   enum activity_stage stage)
{
    if (o->report)
        o->report(r, stage, o->report_arg);
}

int activity_run(const struct activity_opts *o, char **err)
{
    struct activity a;
    memset(&a, 0, sizeof a);
    a.seed = o->seed ? o->seed : (uint64_t)time(NULL) ^ 0x9E3779B97F4A7C15ull;
    if (sqlite3_open_v2(o->path, &a.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        *err = xasprintf("%s: %s", o->path, a.db ? sqlite3_errmsg(a.db) : "cannot open");
        sqlite3_close(a.db);
        return -1;
    }
    sqlite3_busy_timeout(a.db, 10000);
    /* In WAL mode a commit need not wait for the disk: a simulator's
     * changes may be lost to a power cut, never corrupted. */
    sqlite3_exec(a.db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    if (!legacy_table("Organization") || sqlite3_exec(a.db, "SELECT 1 FROM \"Organization\" LIMIT 1",
                                                      NULL, NULL, NULL) != SQLITE_OK) {
        *err = xasprintf("%s is not a legacy CRM database: %s", o->path, sqlite3_errmsg(a.db));
        sqlite3_close(a.db);
        return -1;
    }
    struct activity_report r = {.path = o->path, .tracked = source_sqlite_ct_installed(a.db)};
    bool tracked = r.tracked;
    report(o, &r, ACTIVITY_STARTED);
    r.v0 = version_of(a.db);
    double start = clock_mono_s(), last_report = start;
    long done = 0;
    int rc = 0;
    while (!activity_stop && (o->max_changes <= 0 || done < o->max_changes)) {
        double elapsed = clock_mono_s() - start;
        if (o->duration > 0 && elapsed >= o->duration)
            break;
        /* Pace: the next transaction starts when the rate allows it. */
        double due = (double)done / o->rate;
        if (due > elapsed) {
            double s = due - elapsed;
            struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
            nanosleep(&ts, NULL);
            continue;
        }
        unsigned n = 1 + below(&a.seed, 4);
        if (o->max_changes > 0 && done + (long)n > o->max_changes)
            n = (unsigned)(o->max_changes - done);
        if (sqlite3_exec(a.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            *err = xasprintf("cannot write to %s: %s", o->path, sqlite3_errmsg(a.db));
            rc = -1;
            break;
        }
        for (unsigned i = 0; i < n && rc == 0; i++)
            rc = one_change(&a);
        char *cerr = NULL;
        if (rc == 0 && tracked && source_sqlite_ct_commit(a.db, &cerr) != 0) {
            a.err = cerr;
            rc = -1;
        }
        if (rc != 0 || sqlite3_exec(a.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            *err = xasprintf("writing to %s failed: %s", o->path, a.err ? a.err : sqlite3_errmsg(a.db));
            sqlite3_exec(a.db, "ROLLBACK", NULL, NULL, NULL);
            rc = -1;
            break;
        }
        a.txns++;
        done += n;
        if (o->progress && clock_mono_s() - last_report >= 5) {
            last_report = clock_mono_s();
            r.done = done;
            r.secs = last_report - start;
            report(o, &r, ACTIVITY_PROGRESS);
        }
    }
    r.secs = clock_mono_s() - start;
    r.v1 = version_of(a.db);
    r.done = done;
    r.txns = a.txns;
    r.inserts = a.inserts;
    r.updates = a.updates;
    r.deletes = a.deletes;
    r.cascaded = a.cascaded;
    r.dirty = a.dirty;
    report(o, &r, ACTIVITY_DONE);
    free(a.err);
    sqlite3_close(a.db);
    return rc;
}

char *activity_default_source(void)
{
    struct demo d;
    demo_init(&d);
    char *path = xstrdup(d.legacy);
    demo_free(&d);
    return path;
}
