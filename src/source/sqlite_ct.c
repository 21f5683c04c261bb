/* sqlite_ct.c - change capture for the SQLite source: installing it
 * (pantrycrm demo track), versioning commits, cleanup, and what the reader
 * in source_sqlite.c needs to read it (see sqlite_ct.h).
 *
 * A trigger-fed change log that mirrors SQL Server Change Tracking exactly as
 * tds-standin emulates it, in the same tables, so that one file can be read
 * both directly and through the stand-in, and the sync logic is the same for
 * both sources:
 *   __ct_state(id = 1, version)            the last committed version
 *   __ct_tables(table_name, object_id, begin_version, min_valid_version,
 *               cleanup_version)
 *   __ct_log_<T>(seq, ver, op, <primary key columns>)
 *   __ct_trg_<T>_{ins,upd,del}             AFTER triggers filling the log
 * Triggers stamp each change with version + 1; a writer raises the version
 * once per committed transaction (source_sqlite_ct_commit, as the stand-in
 * does at its commits). Changes written by other programs (the sqlite3
 * shell) are sealed into one version by the next sync round. A key update
 * is logged as a delete plus an insert.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */

#include "config.h"

#include "progress.h"
#include "source_sqlite.h"
#include "sqlite_ct.h"
#include "sqlite_exec.h"
#include "sqltext.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ct_bump_head[] = "UPDATE __ct_state SET version = version + 1 WHERE ";

/* The same object ids as the stand-in (245575913 + crc32(lower(name)) % 1e9). */
static uint32_t crc32_lower(const char *s)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (; *s; s++) {
        crc ^= (unsigned char)tolower((unsigned char)*s);
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

bool sqlite_ct_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

bool source_sqlite_ct_installed(sqlite3 *db)
{
    return sqlite_ct_has_table(db, "__ct_state") && sqlite_ct_has_table(db, "__ct_tables");
}

/* The bump statement over every tracked table's log, or NULL if none. */
char *sqlite_ct_bump_sql(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT table_name FROM __ct_tables ORDER BY table_name", -1, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, ct_bump_head);
    bool any = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *log = xasprintf("__ct_log_%s", (const char *)sqlite3_column_text(st, 0));
        sb_adds(&sql, any ? " OR EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ");
        sql_add_ident(&sql, log);
        sb_adds(&sql, " WHERE ver > (SELECT version FROM __ct_state))");
        free(log);
        any = true;
    }
    sqlite3_finalize(st);
    if (!any) {
        sb_free(&sql);
        return NULL;
    }
    return sb_detach(&sql);
}

int source_sqlite_ct_commit(sqlite3 *db, char **err)
{
    if (!source_sqlite_ct_installed(db))
        return 0;
    char *sql = sqlite_ct_bump_sql(db);
    if (!sql)
        return 0;
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        *err = sqlite_error(db, "cannot raise the change version");
        return -1;
    }
    return 0;
}

sqlite3 *sqlite_ct_open_rw(const char *path, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        *err = xasprintf("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

/* Installs change capture on one table (whose primary key columns are
 * pk[0..npk)), as the stand-in does. */
static int ct_track_table(sqlite3 *db, const char *t, char **pk, size_t npk, int64_t cur,
                          char **err)
{
    char *log = xasprintf("__ct_log_%s", t);
    struct strbuf sql, cols, newv, oldv, changed;
    sb_init(&sql);
    sb_init(&cols);
    sb_init(&newv);
    sb_init(&oldv);
    sb_init(&changed);
    for (size_t i = 0; i < npk; i++) {
        if (i) {
            sb_adds(&cols, ", ");
            sb_adds(&newv, ", ");
            sb_adds(&oldv, ", ");
            sb_adds(&changed, " OR ");
        }
        sql_add_ident(&cols, pk[i]);
        sb_adds(&newv, "NEW.");
        sql_add_ident(&newv, pk[i]);
        sb_adds(&oldv, "OLD.");
        sql_add_ident(&oldv, pk[i]);
        sb_adds(&changed, "OLD.");
        sql_add_ident(&changed, pk[i]);
        sb_adds(&changed, " IS NOT NEW.");
        sql_add_ident(&changed, pk[i]);
    }
    int rc = 0;
    if (!sqlite_ct_has_table(db, log)) {
        sb_adds(&sql, "CREATE TABLE ");
        sql_add_ident(&sql, log);
        sb_adds(&sql, "(seq INTEGER PRIMARY KEY AUTOINCREMENT, ver BIGINT NOT NULL, op NCHAR(1) NOT NULL");
        for (size_t i = 0; i < npk; i++) {
            sb_adds(&sql, ", ");
            sql_add_ident(&sql, pk[i]);
            sb_adds(&sql, " TEXT");
        }
        sb_adds(&sql, "); CREATE INDEX ");
        char *ix = xasprintf("%s_ver", log);
        sql_add_ident(&sql, ix);
        free(ix);
        sb_adds(&sql, " ON ");
        sql_add_ident(&sql, log);
        sb_adds(&sql, "(ver); CREATE INDEX ");
        ix = xasprintf("%s_pk", log);
        sql_add_ident(&sql, ix);
        free(ix);
        sb_adds(&sql, " ON ");
        sql_add_ident(&sql, log);
        sb_addf(&sql, "(%s);", cols.buf);
        rc = sqlite_exec(db, sql.buf, "cannot create the change log", err);
        sb_reset(&sql);
    }
    static const char stamp[] = "(SELECT version FROM __ct_state) + 1";
    const char *kinds[3] = {"ins", "upd", "del"};
    for (int k = 0; k < 3 && rc == 0; k++) {
        char *trg = xasprintf("__ct_trg_%s_%s", t, kinds[k]);
        sb_adds(&sql, "DROP TRIGGER IF EXISTS ");
        sql_add_ident(&sql, trg);
        sb_adds(&sql, "; CREATE TRIGGER ");
        sql_add_ident(&sql, trg);
        free(trg);
        sb_addf(&sql, " AFTER %s ON ", k == 0 ? "INSERT" : k == 1 ? "UPDATE" : "DELETE");
        sql_add_ident(&sql, t);
        sb_adds(&sql, " BEGIN INSERT INTO ");
        sql_add_ident(&sql, log);
        if (k == 0) {
            sb_addf(&sql, "(ver, op, %s) VALUES (%s, 'I', %s); END", cols.buf, stamp, newv.buf);
        } else if (k == 2) {
            sb_addf(&sql, "(ver, op, %s) VALUES (%s, 'D', %s); END", cols.buf, stamp, oldv.buf);
        } else {
            sb_addf(&sql, "(ver, op, %s) SELECT %s, 'D', %s WHERE %s; INSERT INTO ", cols.buf, stamp,
                    oldv.buf, changed.buf);
            sql_add_ident(&sql, log);
            sb_addf(&sql, "(ver, op, %s) SELECT %s, CASE WHEN %s THEN 'I' ELSE 'U' END, %s; END",
                    cols.buf, stamp, changed.buf, newv.buf);
        }
        rc = sqlite_exec(db, sql.buf, "cannot create the change triggers", err);
        sb_reset(&sql);
    }
    if (rc == 0) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO __ct_tables VALUES (?1, ?2, ?3, ?3, ?3)",
                                -1, &st, NULL) == SQLITE_OK ? 0 : -1;
        if (rc == 0) {
            sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, 245575913 + (int64_t)(crc32_lower(t) % 1000000000u));
            sqlite3_bind_int64(st, 3, cur);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        }
        sqlite3_finalize(st);
        if (rc != 0)
            *err = sqlite_error(db, "cannot register the tracked table");
    }
    free(log);
    sb_free(&sql);
    sb_free(&cols);
    sb_free(&newv);
    sb_free(&oldv);
    sb_free(&changed);
    return rc;
}

int source_sqlite_track(const char *path, int64_t retention_s, const struct progress *log,
                        char **err)
{
    sqlite3 *db = sqlite_ct_open_rw(path, err);
    if (!db)
        return -1;
    /* Readers (sync) keep a snapshot while the old application writes. */
    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (sqlite_exec(db, "BEGIN IMMEDIATE", "cannot lock the source", err) != 0) {
        sqlite3_close(db);
        return -1;
    }
    int rc = sqlite_exec(db,
        "CREATE TABLE IF NOT EXISTS __ct_state(id INTEGER PRIMARY KEY CHECK (id = 1),"
        " version BIGINT NOT NULL);"
        "INSERT OR IGNORE INTO __ct_state VALUES (1, 0);"
        "CREATE TABLE IF NOT EXISTS __ct_tables(table_name TEXT PRIMARY KEY COLLATE NOCASE,"
        " object_id INT, begin_version BIGINT, min_valid_version BIGINT, cleanup_version BIGINT);"
        "CREATE TABLE IF NOT EXISTS __ct_settings(name TEXT PRIMARY KEY, value);",
        "cannot create the change-tracking tables", err);
    int64_t cur = 0;
    sqlite3_stmt *st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(db, "SELECT version FROM __ct_state", -1, &st, NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW)
        cur = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == 0 && retention_s > 0) {
        if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO __ct_settings VALUES ('retention_s', ?1)",
                               -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, retention_s);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    /* Every user table with a primary key; SQL Server cannot track the others. */
    if (rc == 0 && sqlite3_prepare_v2(db,
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p"
            " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            " AND m.name NOT LIKE '\\_\\_ct\\_%' ESCAPE '\\' AND p.pk > 0 ORDER BY m.name, p.pk",
            -1, &st, NULL) != SQLITE_OK) {
        *err = sqlite_error(db, "cannot read the source catalog");
        rc = -1;
    }
    char *table = NULL;
    char *pk[16];
    size_t npk = 0, ntables = 0;
    for (int step = st ? sqlite3_step(st) : SQLITE_DONE; rc == 0; step = sqlite3_step(st)) {
        const char *tn = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (table && (!tn || strcmp(tn, table) != 0)) {
            rc = ct_track_table(db, table, pk, npk, cur, err);
            if (rc == 0 && log)
                progress_say(log, "tracking changes of %s", table);
            ntables++;
            free(table);
            table = NULL;
            for (size_t i = 0; i < npk; i++)
                free(pk[i]);
            npk = 0;
        }
        if (!tn || rc != 0)
            break;
        if (!table)
            table = xstrdup(tn);
        if (npk < 16)
            pk[npk++] = xstrdup((const char *)sqlite3_column_text(st, 1));
    }
    free(table);
    for (size_t i = 0; i < npk; i++)
        free(pk[i]);
    sqlite3_finalize(st);
    if (rc == 0)
        rc = sqlite_exec(db, "COMMIT", "cannot install change tracking", err);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (rc == 0 && log)
        progress_say(log, "change tracking is on for %zu tables of %s (version %lld)", ntables,
                     path, (long long)cur);
    sqlite3_close(db);
    return rc;
}

int source_sqlite_ct_cleanup(const char *path, const char *table, int64_t upto, int64_t *done_upto,
                             char **err)
{
    sqlite3 *db = sqlite_ct_open_rw(path, err);
    if (!db)
        return -1;
    if (!source_sqlite_ct_installed(db)) {
        *err = xasprintf("%s has no change tracking: run 'pantrycrm demo track --source %s'", path,
                         path);
        sqlite3_close(db);
        return -1;
    }
    if (sqlite_exec(db, "BEGIN IMMEDIATE", "cannot lock the source", err) != 0) {
        sqlite3_close(db);
        return -1;
    }
    int rc = 0;
    sqlite3_stmt *st = NULL;
    if (upto < 0) {
        if (sqlite3_prepare_v2(db, "SELECT version FROM __ct_state", -1, &st, NULL) == SQLITE_OK
            && sqlite3_step(st) == SQLITE_ROW)
            upto = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        st = NULL;
    }
    char **names = NULL;
    size_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT table_name FROM __ct_tables WHERE ?1 IS NULL"
                               " OR table_name = ?1 ORDER BY table_name", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    if (n == 0) {
        *err = xasprintf("change tracking is not enabled on table '%s'", table ? table : "(any)");
        rc = -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct strbuf sql;
        sb_init(&sql);
        char *log = xasprintf("__ct_log_%s", names[i]);
        sb_adds(&sql, "DELETE FROM ");
        sql_add_ident(&sql, log);
        sb_adds(&sql, " WHERE ver <= ?1");
        free(log);
        for (int pass = 0; pass < 2 && rc == 0; pass++) {
            rc = sqlite3_prepare_v2(db, pass == 0 ? sql.buf
                : "UPDATE __ct_tables SET min_valid_version = max(min_valid_version, ?1),"
                  " cleanup_version = max(cleanup_version, ?1) WHERE table_name = ?2",
                -1, &st, NULL) == SQLITE_OK ? 0 : -1;
            if (rc == 0) {
                sqlite3_bind_int64(st, 1, upto);
                if (pass == 1)
                    sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
                rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
            }
            sqlite3_finalize(st);
            if (rc != 0)
                *err = sqlite_error(db, "cannot clean up the change log");
        }
        sb_free(&sql);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc == 0)
        rc = sqlite_exec(db, "COMMIT", "cannot clean up the change log", err);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    if (rc == 0 && done_upto)
        *done_upto = upto;
    return rc;
}
