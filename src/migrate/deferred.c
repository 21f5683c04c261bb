/* deferred.c - indexes and foreign keys deferred past the data. When
 * every target table starts empty, the secondary indexes and foreign keys
 * are dropped first (their DDL saved in migration.deferred_ddl) and built
 * after the data, indexes in parallel; each statement is forgotten in its
 * own transaction, so an interrupted build resumes with what is left.
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

struct ddl_task {
    struct engine *e;
    char **names;
    char **ddls;
    size_t n, next;
    pthread_mutex_t mu;
    char *err;
};

/* Runs one deferred statement and forgets it in the same transaction. */
static int run_deferred(PGconn *conn, const char *name, const char *ddl, char **err)
{
    const char *params[1] = {name};
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
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
static int run_deferred_retrying(const struct engine *e, PGconn **connp, const char *name,
                                 const char *ddl, char **err)
{
    for (int attempt = 0;; attempt++) {
        if (run_deferred(*connp, name, ddl, err) == 0)
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

static void *index_worker(void *arg)
{
    struct ddl_task *t = arg;
    char *err = NULL;
    PGconn *conn = engine_connect(t->e, "build indexes", &err);
    for (double backoff = 0.5; !conn && backoff < 60 && !engine_stop_requested; backoff *= 2) {
        clock_sleep_s(backoff, &engine_stop_requested);   /* the server or pooler may be restarting */
        free(err);
        err = NULL;
        conn = engine_connect(t->e, "build indexes", &err);
    }
    /* Session-level: harmless on our own connection, but behind a pooler
     * it would stay with the server connection for its next client. */
    if (conn && !pg_pooled(conn))
        pg_command(conn, &err, "SET maintenance_work_mem = '256MB'");
    for (;;) {
        pthread_mutex_lock(&t->mu);
        size_t i = t->next++;
        /* Ctrl-C lets the statements under way finish (each commits with
         * its bookkeeping) and starts no new one: a resume builds the rest. */
        bool stop = i >= t->n || t->err || !conn || engine_stop_requested;
        if (!conn && !t->err)
            t->err = err, err = NULL;
        pthread_mutex_unlock(&t->mu);
        if (stop)
            break;
        if (run_deferred_retrying(t->e, &conn, t->names[i], t->ddls[i], &err) != 0) {
            pthread_mutex_lock(&t->mu);
            if (!t->err)
                t->err = xasprintf("building %s: %s", t->names[i], err);
            pthread_mutex_unlock(&t->mu);
            free(err);
            err = NULL;
        }
    }
    free(err);
    PQfinish(conn);
    return NULL;
}

/* Builds what deferred_record dropped (0 done, 1 stopped by a signal between
 * statements, -1 failed): indexes in parallel, then foreign keys one
 * by one (adding two keys to the same parent at once would deadlock on its
 * lock), then refreshes statistics so the planner uses the new indexes. */
int deferred_rebuild(struct engine *e, PGconn **connp, char **err)
{
    PGconn *conn = *connp;
    PGresult *res = pg_exec(conn, err,
        "SELECT name, kind, ddl FROM migration.deferred_ddl ORDER BY kind DESC, name", 0, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    if (n > 0)
        engine_note(e->o, "building %d deferred indexes, foreign keys and search-word tables", n);
    struct ddl_task t = {.e = e};
    pthread_mutex_init(&t.mu, NULL);
    t.names = xcalloc((size_t)n + 1, sizeof *t.names);
    t.ddls = xcalloc((size_t)n + 1, sizeof *t.ddls);
    for (int i = 0; i < n; i++)
        if (strcmp(PQgetvalue(res, i, 1), "index") == 0) {
            t.names[t.n] = PQgetvalue(res, i, 0);
            t.ddls[t.n++] = PQgetvalue(res, i, 2);
        }
    int workers = e->o->jobs > 0 ? e->o->jobs : 1;
    pthread_t th[MIGRATE_MAX_JOBS];
    if (workers > MIGRATE_MAX_JOBS)
        workers = MIGRATE_MAX_JOBS;
    for (int i = 0; i < workers; i++)
        pthread_create(&th[i], NULL, index_worker, &t);
    for (int i = 0; i < workers; i++)
        pthread_join(th[i], NULL);
    int rc = 0;
    if (t.err) {
        *err = t.err;
        rc = -1;
    }
    for (int i = 0; i < n && rc == 0 && !engine_stop_requested; i++)
        if (strcmp(PQgetvalue(res, i, 1), "fk") == 0
            && run_deferred_retrying(e, &conn, PQgetvalue(res, i, 0), PQgetvalue(res, i, 2), err) != 0) {
            char *m = xasprintf("adding foreign key %s: %s", PQgetvalue(res, i, 0), *err);
            free(*err);
            *err = m;
            rc = -1;
        }
    free(t.names);
    free(t.ddls);
    pthread_mutex_destroy(&t.mu);
    PQclear(res);
    if (rc == 0 && engine_stop_requested) {
        rc = 1;
    } else if (rc == 0) {
        /* VACUUM also empties the GIN pending lists of the search indexes. */
        size_t nt;
        const struct legacy_table *tables = legacy_tables(&nt);
        for (size_t i = 0; i < nt && rc == 0; i++) {
            struct strbuf sql;
            sb_init(&sql);
            sb_adds(&sql, "VACUUM (ANALYZE) ");
            sql_add_ident(&sql, tables[i].name);
            /* idempotent: after a lost connection, run it again */
            bool done = pg_command(conn, err, sql.buf);
            for (int a = 0; !done && engine_conn_lost(conn) && a < MAX_RETRIES; a++)
                done = engine_reconnect(e, &conn, "vacuum the target", err) == 0
                       && pg_command(conn, err, sql.buf);
            if (!done)
                rc = -1;
            sb_free(&sql);
        }
    }
    *connp = conn;
    return rc;
}

