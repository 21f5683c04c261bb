/* deferred.c - indexes and foreign keys deferred past the data. When
 * every target table starts empty, the secondary indexes and foreign keys
 * are dropped first (their DDL saved in migration.deferred_ddl) and built
 * after the data of their tables (build.c schedules them); each statement
 * is forgotten in its own transaction, so an interrupted build resumes
 * with what is left.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "clock.h"
#include "fault.h"
#include "pg.h"
#include "sqltext.h"

#include <stdlib.h>
#include <string.h>

static const char *table_array_literal(void)
{
    return "{User,Account,Session,VerificationToken,Organization,Contact,Interaction,"
           "Opportunity,Lead,Contract}";
}

/* When nothing was loaded yet and every target table is empty, drop the
 * non-unique secondary indexes and the foreign keys, saving their DDL. */
int deferred_record(const struct engine_opts *o, PGconn *conn, char **err)
{
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT (SELECT count(*) FROM migration.checkpoint) = 0 AND"
        " NOT EXISTS (SELECT 1 FROM \"User\") AND NOT EXISTS (SELECT 1 FROM \"Account\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Session\") AND NOT EXISTS (SELECT 1 FROM \"VerificationToken\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Organization\") AND NOT EXISTS (SELECT 1 FROM \"Contact\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Interaction\") AND NOT EXISTS (SELECT 1 FROM \"Opportunity\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Lead\") AND NOT EXISTS (SELECT 1 FROM \"Contract\")", 0, NULL);
    if (!res)
        goto fail;
    bool empty = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!empty)
        return pg_command(conn, err, "COMMIT") ? 0 : -1;
    const char *params[1] = {table_array_literal()};
    res = pg_exec(conn, err,
        "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl)"
        " SELECT c.conname, t.relname, 'fk', format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s',"
        "   n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid))"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE c.contype = 'f' AND n.nspname = 'public' AND t.relname = ANY($1::text[])"
        " UNION ALL"
        " SELECT i.relname, t.relname, 'index', pg_get_indexdef(i.oid)"
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = 'public' AND t.relname = ANY($1::text[])"
        "   AND NOT x.indisunique AND NOT x.indisprimary"
        " ON CONFLICT (name) DO NOTHING"
        " RETURNING kind, format(CASE kind WHEN 'fk' THEN 'ALTER TABLE public.%I DROP CONSTRAINT %I'"
        "   ELSE 'DROP INDEX public.%2$I' END, table_name, name)", 1, params);
    if (!res)
        goto fail;
    int n = PQntuples(res);
    /* Foreign keys first: nothing else depends on the indexes. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            bool fk = strcmp(PQgetvalue(res, i, 0), "fk") == 0;
            if (fk != (pass == 0))
                continue;
            if (!pg_command(conn, err, PQgetvalue(res, i, 1))) {
                PQclear(res);
                goto fail;
            }
        }
    PQclear(res);
    /* The search word tables (0008) are kept by row triggers: millions of
     * trigger calls during COPY would cost more than one set-based rebuild
     * after the data, which runs with the deferred indexes. */
    res = pg_exec(conn, err,
        "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES"
        " ('search_words_organization', 'Organization', 'index',"
        "  'SELECT search.rebuild_organization_words()'),"
        " ('search_words_contact', 'Contact', 'index', 'SELECT search.rebuild_contact_words()')"
        " ON CONFLICT (name) DO NOTHING",
        0, NULL);
    if (!res)
        goto fail;
    PQclear(res);
    if (!pg_command(conn, err, "ALTER TABLE \"Organization\" DISABLE TRIGGER organization_search_words")
        || !pg_command(conn, err, "ALTER TABLE \"Contact\" DISABLE TRIGGER contact_search_words"))
        goto fail;
    /* Count what is recorded, not what this call dropped: a run interrupted
     * before its first checkpoint comes back here with everything already
     * dropped, and the word-index rebuilds are deferred steps too. */
    res = pg_exec(conn, err, "SELECT count(*) FROM migration.deferred_ddl", 0, NULL);
    if (!res)
        goto fail;
    long deferred = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!pg_command(conn, err, "COMMIT"))
        return -1;
    fault_point("deferred");
    if (deferred > 0)
        engine_note(o, "the target is empty: %ld indexes, foreign keys and search-word tables will be "
                       "built after the data", deferred);
    return 0;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

/* Runs one deferred statement and forgets it in the same transaction. */
static int run_deferred(PGconn *conn, const char *name, const char *ddl, bool serial, char **err)
{
    const char *params[1] = {name};
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    /* No JIT: compiling the plan of a one-off statement (the word tables'
     * INSERT ... SELECT over every name) cost more than it saved, a tenth
     * of a second and more a statement. SET LOCAL: also behind a pooler.
     * Nor parallel workers while other statements run: --jobs already
     * says how much the server does at once, and workers on top of it
     * only add their start and the merge of their sorts (at S=100,000,
     * 0.8 s more server CPU and 0.3 s more wall time with them). A
     * statement alone, at the end of the build, keeps them. */
    if (!pg_command(conn, err, "SET LOCAL jit = off")
        || (serial && !pg_command(conn, err, "SET LOCAL max_parallel_maintenance_workers = 0"))) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    PGresult *res = NULL;
    if (!pg_command(conn, err, ddl)
        || !(res = pg_exec(conn, err, "DELETE FROM migration.deferred_ddl WHERE name = $1", 1, params))) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    PQclear(res);
    if (!pg_command(conn, err, "COMMIT"))
        return -1;
    fault_point("built");
    return 0;
}

/* run_deferred, surviving a lost connection like the copy phase does: on a
 * fresh connection, a statement whose row is gone was committed before the
 * connection dropped (run_deferred deletes the row in the same
 * transaction), anything else runs again. */
int deferred_run_retrying(const struct engine *e, PGconn **connp, const char *name, const char *ddl,
                          bool serial, char **err)
{
    for (int attempt = 0;; attempt++) {
        if (run_deferred(*connp, name, ddl, serial, err) == 0)
            return 0;
        if (!engine_conn_lost(*connp) || attempt + 1 >= MAX_RETRIES || engine_stop_requested)
            return -1;
        if (engine_reconnect(e, connp, "build indexes and foreign keys", err) != 0)
            return -1;
        const char *params[1] = {name};
        PGresult *res = pg_exec(*connp, err, "SELECT 1 FROM migration.deferred_ddl WHERE name = $1",
                                1, params);
        if (!res)
            return -1;
        bool pending = PQntuples(res) > 0;
        PQclear(res);
        if (!pending)
            return 0;
        free(*err);
        *err = NULL;
    }
}
