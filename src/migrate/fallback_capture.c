/* fallback_capture.c - the capture side of the fallback (fallback.h): the
 * row triggers cutover --commit installs on the ten tables, which log each
 * changed key into migration.fallback_log, their removal at a rollback, and
 * the status the rollback gate reads. Runs in PostgreSQL only; the rounds
 * that carry the log back to SQL Server are in fallback.c.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "fallback.h"
#include "legacy.h"
#include "pg.h"
#include "sqltext.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The capture function of one table. It is written for the table, with
 * its key and (CRM tables) metadata named directly, rather than one generic
 * function reading the row through to_jsonb(): that serialised the whole row
 * on every write and cost the application about twice as much per row
 * (bench/fallback.sh). The names come from the contract (legacy.h). */
static char *capture_function(const struct legacy_table *t)
{
    struct strbuf f, key;
    sb_init(&f);
    sb_init(&key);
    sql_add_ident(&key, t->key);
    const char *legacy_id = t->crm ? "OLD.metadata #> '{legacy,id}'" : "NULL";
    struct strbuf fn;
    sb_init(&fn);
    sb_addf(&fn, "%s_fallback_capture", t->name);
    sb_adds(&f, "CREATE OR REPLACE FUNCTION migration.");
    sql_add_ident(&f, fn.buf);
    sb_free(&fn);
    /* SECURITY DEFINER: the application's role writes the log without any
     * right on the migration schema; a fixed search_path, as such a
     * function must have */
    sb_adds(&f, "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                " SET search_path = pg_catalog, pg_temp AS $f$\n"
                "BEGIN\n"
                "    -- the forward sync's writes came from the legacy database\n"
                "    IF current_setting('pantrycrm.origin', true) = 'sync' THEN\n"
                "        RETURN NULL;\n"
                "    END IF;\n"
                "    IF TG_OP = 'INSERT' THEN\n");
    sb_addf(&f, "        INSERT INTO migration.fallback_log (table_name, row_key)\n"
                "        VALUES (TG_TABLE_NAME, NEW.%s::text);\n"
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                "        IF OLD.%s IS DISTINCT FROM NEW.%s THEN\n"
                "            INSERT INTO migration.fallback_log (table_name, row_key, legacy_id)\n"
                "            VALUES (TG_TABLE_NAME, OLD.%s::text, %s);\n"
                "        END IF;\n"
                "        INSERT INTO migration.fallback_log (table_name, row_key)\n"
                "        VALUES (TG_TABLE_NAME, NEW.%s::text);\n"
                "    ELSE\n"
                "        -- the row is gone: keep the legacy id it came from, to delete it there\n"
                "        INSERT INTO migration.fallback_log (table_name, row_key, legacy_id)\n"
                "        VALUES (TG_TABLE_NAME, OLD.%s::text, %s);\n"
                "    END IF;\n"
                "    RETURN NULL;\n"
                "END\n$f$",
            key.buf, key.buf, key.buf, key.buf, legacy_id, key.buf, key.buf, legacy_id);
    sb_free(&key);
    return sb_detach(&f);
}

/* ON table ... migration."T_fallback_capture"() */
static void add_trigger_target(struct strbuf *sql, const struct legacy_table *t)
{
    sql_add_ident(sql, t->name);
    sb_adds(sql, " FOR EACH ROW EXECUTE FUNCTION migration.");
    struct strbuf fn;
    sb_init(&fn);
    sb_addf(&fn, "%s_fallback_capture", t->name);
    sql_add_ident(sql, fn.buf);
    sb_adds(sql, "()");
    sb_free(&fn);
}

int fallback_install(PGconn *conn, const char *source, char **err)
{
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    /* DROP TRIGGER IF EXISTS would tell the terminal about every table */
    if (!pg_command(conn, err, "SET LOCAL client_min_messages = warning"))
        return -1;
    for (size_t i = 0; i < nt; i++) {
        char *fn = capture_function(&all[i]);
        bool ok = pg_command(conn, err, fn);
        free(fn);
        if (!ok)
            return -1;
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, "DROP TRIGGER IF EXISTS pantrycrm_fallback ON ");
        sql_add_ident(&sql, all[i].name);
        ok = pg_command(conn, err, sql.buf);
        sb_reset(&sql);
        if (ok) {
            sb_adds(&sql, "CREATE TRIGGER pantrycrm_fallback AFTER INSERT OR UPDATE OR DELETE ON ");
            add_trigger_target(&sql, &all[i]);
            ok = pg_command(conn, err, sql.buf);
        }
        sb_free(&sql);
        if (!ok)
            return -1;
    }
    const char *p[1] = {source};
    PGresult *res = pg_exec(conn, err,
        "INSERT INTO migration.fallback AS f (id, source) VALUES (1, $1)"
        " ON CONFLICT (id) DO UPDATE SET installed_at = now(), source = EXCLUDED.source,"
        " removed_at = NULL, last_error = NULL", 1, p);
    PQclear(res);
    return res ? 0 : -1;
}

int fallback_remove(PGconn *conn, char **err)
{
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    if (!pg_command(conn, err, "SET LOCAL client_min_messages = warning"))
        return -1;
    for (size_t i = 0; i < nt; i++) {
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, "DROP TRIGGER IF EXISTS pantrycrm_fallback ON ");
        sql_add_ident(&sql, all[i].name);
        bool ok = pg_command(conn, err, sql.buf);
        sb_free(&sql);
        if (!ok)
            return -1;
    }
    return pg_command(conn, err, "UPDATE migration.fallback SET removed_at = now() WHERE id = 1") ? 0 : -1;
}

int fallback_status_read(PGconn *conn, struct fallback_status *s, char **err)
{
    memset(s, 0, sizeof *s);
    PGresult *res = pg_exec(conn, err,
        "SELECT f.removed_at IS NOT NULL, f.rounds, f.applied, f.errors, f.last_changes, f.last_rate,"
        " coalesce(f.last_error, ''),"
        " (SELECT count(*) FROM migration.fallback_log),"
        " coalesce(extract(epoch FROM now() - (SELECT min(logged_at) FROM migration.fallback_log)), 0),"
        " (SELECT count(*) FROM migration.fallback_quarantine WHERE resolved_at IS NULL),"
        " q.at, extract(epoch FROM now() - q.at),"
        " to_char(q.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        " FROM migration.fallback f, LATERAL (SELECT greatest(f.installed_at, f.last_write_at,"
        "   (SELECT max(logged_at) FROM migration.fallback_log)) AS at) q WHERE f.id = 1", 0, NULL);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        s->installed = true;
        s->removed = PQgetvalue(res, 0, 0)[0] == 't';
        s->rounds = atoll(PQgetvalue(res, 0, 1));
        s->applied = atoll(PQgetvalue(res, 0, 2));
        s->errors = atoll(PQgetvalue(res, 0, 3));
        s->last_changes = atoll(PQgetvalue(res, 0, 4));
        s->last_rate = atof(PQgetvalue(res, 0, 5));
        snprintf(s->last_error, sizeof s->last_error, "%s", PQgetvalue(res, 0, 6));
        s->pending = atoll(PQgetvalue(res, 0, 7));
        s->oldest_pending_s = atof(PQgetvalue(res, 0, 8));
        s->quarantined = atoll(PQgetvalue(res, 0, 9));
        s->quiet_s = atof(PQgetvalue(res, 0, 11));
        snprintf(s->quiet_since, sizeof s->quiet_since, "%s", PQgetvalue(res, 0, 12));
    }
    PQclear(res);
    return 0;
}
