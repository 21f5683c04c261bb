/* build.c - the deferred build, started while the load still runs.
 *
 * deferred_record drops a bulk load's secondary indexes and foreign keys
 * and keeps their DDL in migration.deferred_ddl. Built only after every
 * table is loaded, they would leave a core idle for most of the load (the
 * largest table loads alone at the end) and the loader idle for the whole
 * build. Here each statement starts as soon as what it reads is loaded:
 * a table's indexes and search-word tables when its load is done, a
 * foreign key when its table and the table it references are. Loads come
 * first: a statement takes a free slot of --jobs only when no load is
 * ready to start, so the load's critical path (parents, then children)
 * is not delayed by building.
 *
 * Locks decide what may run together. CREATE INDEX takes SHARE on its
 * table, so two indexes of one table build side by side; adding a foreign
 * key takes SHARE ROW EXCLUSIVE on both tables, the search-word rebuild
 * (which enables its trigger) and ANALYZE take locks that conflict with
 * themselves: those run alone on their tables. Never starting two
 * statements that would wait on each other also rules out the deadlock
 * two foreign keys to one parent could otherwise meet.
 *
 * Each deferred statement still commits with the deletion of its row
 * (deferred.c's run_deferred), so a kill at any point resumes with what
 * is left; the final ANALYZE of each table is not recorded and simply
 * runs again.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "clock.h"
#include "pg.h"
#include "sqltext.h"

#include <stdlib.h>
#include <string.h>

static int table_by_name(const char *name, size_t len)
{
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++)
        if (strlen(tables[i].name) == len && memcmp(tables[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* The table a foreign key's DDL references (pg_get_constraintdef's
 * "REFERENCES name(" or "REFERENCES \"Name\"("), -1 when there is none. */
static int referenced_table(const char *ddl)
{
    const char *p = strstr(ddl, "REFERENCES ");
    if (!p)
        return -1;
    p += strlen("REFERENCES ");
    const char *dot = NULL;
    for (const char *q = p; *q && *q != '(' && *q != ' '; q++)
        if (*q == '.' && q[-1] != '"')
            dot = q;   /* a schema-qualified name: the table follows */
    if (dot)
        p = dot + 1;
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        return end ? table_by_name(p + 1, (size_t)(end - p - 1)) : -1;
    }
    size_t n = strcspn(p, "( ");
    return table_by_name(p, n);
}

/* Larger tables first; within a table, the long word rebuild, then the
 * indexes, then the foreign keys (which lock more); ANALYZE is last by
 * eligibility anyway. */
static double task_weight(const struct engine *e, const struct build_task *t)
{
    double rows = t->table >= 0 && e->jobs[t->table].rows_total > 0 ? (double)e->jobs[t->table].rows_total : 1;
    switch (t->kind) {
    case BUILD_WORDS: return rows * 4;
    case BUILD_INDEX: return rows * 2;
    case BUILD_FK: return rows;
    case BUILD_ANALYZE: return rows / 2;
    }
    return rows;
}

static int cmp_weight(const void *a, const void *b)
{
    const struct build_task *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->name, y->name);
}

int build_plan_load(struct engine *e, PGconn *conn, char **err)
{
    struct build_plan *p = &e->build;
    PGresult *res = pg_exec(conn, err,
        "SELECT name, kind, ddl, table_name FROM migration.deferred_ddl ORDER BY name", 0, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    p->tasks = xcalloc((size_t)n + e->njobs + 1, sizeof *p->tasks);
    bool deferred[MIGRATE_MAX_TABLES] = {false};
    for (int i = 0; i < n; i++) {
        struct build_task *t = &p->tasks[p->n++];
        t->name = xstrdup(PQgetvalue(res, i, 0));
        t->ddl = xstrdup(PQgetvalue(res, i, 2));
        const char *table = PQgetvalue(res, i, 3);
        t->table = table_by_name(table, strlen(table));
        bool fk = strcmp(PQgetvalue(res, i, 1), "fk") == 0;
        t->kind = fk ? BUILD_FK : strncmp(t->ddl, "SELECT search.rebuild_", 22) == 0 ? BUILD_WORDS
                                                                                    : BUILD_INDEX;
        t->parent = fk ? referenced_table(t->ddl) : -1;
        t->recorded = true;
        if (t->table >= 0)
            deferred[t->table] = true;
    }
    PQclear(res);
    p->recorded = p->n;
    /* Statistics once a table is complete: ANALYZE where its indexes were
     * just built from sorted data; where the indexes took the rows one by
     * one (nothing deferred), VACUUM too, which also empties the GIN
     * pending lists the inserts filled. */
    for (size_t i = 0; i < e->njobs; i++) {
        struct build_task *t = &p->tasks[p->n++];
        int ti = (int)engine_table_index(e->jobs[i].t);
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, deferred[ti] ? "ANALYZE " : "VACUUM (ANALYZE) ");
        sql_add_ident(&sql, e->jobs[i].t->name);
        t->name = xasprintf("analyze %s", e->jobs[i].t->name);
        t->ddl = sb_detach(&sql);
        t->kind = BUILD_ANALYZE;
        t->table = ti;
        t->parent = -1;
    }
    for (size_t i = 0; i < p->n; i++)
        p->tasks[i].weight = task_weight(e, &p->tasks[i]);
    qsort(p->tasks, p->n, sizeof *p->tasks, cmp_weight);
    return 0;
}

void build_plan_free(struct build_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->tasks[i].name);
        free(p->tasks[i].ddl);
    }
    free(p->tasks);
    free(p->err);
    memset(p, 0, sizeof *p);
}

/* ---- when a statement may start (all under e->mu) ---------------------- */

static bool table_loaded(const struct engine *e, int ti)
{
    if (ti < 0) {
        /* a statement on a table outside the contract: after every load */
        for (size_t i = 0; i < e->njobs; i++)
            if (e->jobs[i].state != ENGINE_TABLE_DONE)
                return false;
        return true;
    }
    for (size_t i = 0; i < e->njobs; i++)
        if ((int)engine_table_index(e->jobs[i].t) == ti)
            return e->jobs[i].state == ENGINE_TABLE_DONE;
    return false;
}

/* Everything its statement reads is loaded. */
static bool task_inputs_ready(const struct engine *e, const struct build_task *t)
{
    if (!table_loaded(e, t->table))
        return false;
    if (t->kind == BUILD_FK && t->parent >= 0 && !table_loaded(e, t->parent))
        return false;
    if (t->kind == BUILD_ANALYZE)
        for (size_t i = 0; i < e->build.n; i++) {
            const struct build_task *o = &e->build.tasks[i];
            if (o != t && o->kind != BUILD_ANALYZE && o->table == t->table && o->state != BUILD_DONE)
                return false;
        }
    return true;
}

static bool touches(const struct build_task *t, int ti)
{
    return t->table == ti || t->table < 0 || ti < 0 || (t->kind == BUILD_FK && t->parent == ti);
}

/* Would t wait for a lock the running statement r holds (or the reverse)? */
static bool conflicts(const struct build_task *t, const struct build_task *r)
{
    bool shared = t->kind == BUILD_INDEX && r->kind == BUILD_INDEX;
    if (shared)
        return false;   /* SHARE and SHARE: two indexes of one table build together */
    return touches(r, t->table) || (t->kind == BUILD_FK && t->parent >= 0 && touches(r, t->parent));
}

static bool task_startable(const struct engine *e, const struct build_task *t)
{
    if (t->state != BUILD_WAITING || !task_inputs_ready(e, t))
        return false;
    for (size_t i = 0; i < e->build.n; i++)
        if (e->build.tasks[i].state == BUILD_RUNNING && conflicts(t, &e->build.tasks[i]))
            return false;
    return true;
}

/* A load that could start now: it has the first claim on a free slot. */
static bool load_ready(const struct engine *e)
{
    for (size_t i = 0; i < e->njobs; i++) {
        const struct job *j = &e->jobs[i];
        if (j->state != ENGINE_TABLE_WAITING)
            continue;
        bool ready = true;
        for (size_t k = 0; k < j->ndeps && ready; k++)
            ready = e->jobs[j->deps[k]].state == ENGINE_TABLE_DONE;
        if (ready)
            return true;
    }
    return false;
}

static bool loads_settled(const struct engine *e)
{
    for (size_t i = 0; i < e->njobs; i++)
        if (e->jobs[i].state == ENGINE_TABLE_WAITING || e->jobs[i].state == ENGINE_TABLE_RUNNING)
            return false;
    return true;
}

/* Whether anything left could still start: its inputs may yet load, or
 * they are loaded and only a running statement holds it back. */
static bool work_left(const struct engine *e)
{
    bool settled = loads_settled(e);
    for (size_t i = 0; i < e->build.n; i++) {
        const struct build_task *t = &e->build.tasks[i];
        if (t->state == BUILD_RUNNING)
            return true;
        if (t->state == BUILD_WAITING && (!settled || task_inputs_ready(e, t)))
            return true;
    }
    return false;
}

static struct build_task *pick(struct engine *e, size_t slots)
{
    /* A console's pause idles the whole run, the build too: a statement
     * under way finishes, no new one starts until it is resumed. */
    if (engine_paused || e->running + e->build.running >= slots || load_ready(e))
        return NULL;
    for (size_t i = 0; i < e->build.n; i++)
        if (task_startable(e, &e->build.tasks[i]))
            return &e->build.tasks[i];
    return NULL;
}

/* ---- the workers ------------------------------------------------------- */

/* ANALYZE is idempotent: after a lost connection it simply runs again. */
static int run_analyze(struct engine *e, PGconn **connp, const char *sql, char **err)
{
    for (int attempt = 0;; attempt++) {
        if (pg_command(*connp, err, sql))
            return 0;
        if (!engine_conn_lost(*connp) || attempt + 1 >= MAX_RETRIES || engine_stop_requested)
            return -1;
        free(*err);
        *err = NULL;
        if (engine_reconnect(e, connp, "analyze the target", err) != 0)
            return -1;
    }
}

static PGconn *worker_connect(struct engine *e, char **err)
{
    PGconn *conn = engine_connect(e, "build indexes", err);
    for (double backoff = 0.5; !conn && backoff < 60 && !engine_stop_requested; backoff *= 2) {
        clock_sleep_s(backoff, &engine_stop_requested);   /* the server or pooler may be restarting */
        free(*err);
        *err = NULL;
        conn = engine_connect(e, "build indexes", err);
    }
    /* Session-level: harmless on our own connection, but behind a pooler
     * it would stay with the server connection for its next client. */
    if (conn && !pg_pooled(conn)) {
        char *ignored = NULL;
        pg_command(conn, &ignored, "SET maintenance_work_mem = '256MB'");
        free(ignored);
    }
    return conn;
}

static void set_table_phase(struct engine *e, int ti, const char *phase)
{
    for (size_t i = 0; i < e->njobs; i++)
        if ((int)engine_table_index(e->jobs[i].t) == ti && e->jobs[i].state == ENGINE_TABLE_DONE)
            e->jobs[i].phase = phase;
}

static void *build_worker(void *arg)
{
    struct engine *e = arg;
    struct build_plan *p = &e->build;
    size_t slots = (size_t)(e->o->jobs > 0 ? e->o->jobs : 2);
    PGconn *conn = NULL;
    char *err = NULL;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        /* Ctrl-C lets the statements under way finish (each commits with
         * its bookkeeping) and starts no new one: a resume builds the rest. */
        if (p->err || engine_stop_requested || !work_left(e))
            break;
        struct build_task *t = pick(e, slots);
        if (!t) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 250 * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&e->cv, &e->mu, &until);
            continue;
        }
        /* not alone (a load or another statement under way): no
         * parallel workers */
        bool serial = e->running > 0 || p->running > 0;
        t->state = BUILD_RUNNING;
        p->running++;
        if (t->table >= 0)
            set_table_phase(e, t->table, "building");
        if (!p->announced && t->recorded) {
            p->announced = true;
            engine_note(e->o, "building %zu deferred indexes, foreign keys and search-word tables, "
                              "each once its tables are loaded", p->recorded);
        }
        pthread_mutex_unlock(&e->mu);

        int rc = 0;
        if (!conn)
            conn = worker_connect(e, &err);
        if (!conn)
            rc = -1;
        else if (t->kind == BUILD_ANALYZE)
            rc = run_analyze(e, &conn, t->ddl, &err);
        else
            rc = deferred_run_retrying(e, &conn, t->name, t->ddl, serial, &err);

        pthread_mutex_lock(&e->mu);
        p->running--;
        if (rc == 0) {
            t->state = BUILD_DONE;
            if (t->kind == BUILD_ANALYZE)
                set_table_phase(e, t->table, "done");
        } else if (engine_stop_requested && (!conn || engine_conn_lost(conn))) {
            /* Ctrl-C came while the connection was lost (no retry is made
             * then): the statement did not fail, it is left for the
             * resumed run, as a load stops in the same case (job.c). */
            t->state = BUILD_WAITING;
        } else {
            t->state = BUILD_FAILED;
            if (!p->err) {
                p->err = xasprintf("%s %s: %s", t->kind == BUILD_FK ? "adding foreign key" : "building",
                                   t->name, err ? err : "failed");
                /* Said now, not only when the last table has loaded: the
                 * loads go on (they are what a rerun would redo), and the
                 * operator can look at the statement meanwhile. */
                if (!loads_settled(e))
                    engine_note(e->o, "%s; the loads go on, nothing more is built, and migrate will "
                                      "end with status 1", p->err);
            }
        }
        free(err);
        err = NULL;
        pthread_cond_broadcast(&e->cv);
    }
    p->alive--;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    free(err);
    PQfinish(conn);
    return NULL;
}

/* Called with e->mu held. */
void build_start(struct engine *e)
{
    struct build_plan *p = &e->build;
    int workers = e->o->jobs > 0 ? e->o->jobs : 2;
    if (workers > MIGRATE_MAX_JOBS)
        workers = MIGRATE_MAX_JOBS;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&p->threads[p->nthreads], NULL, build_worker, e) == 0)
            p->nthreads++;
    p->alive = p->nthreads;
}

int build_finish(struct engine *e, char **err)
{
    struct build_plan *p = &e->build;
    for (size_t i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    p->nthreads = 0;
    if (p->err) {
        *err = p->err;
        p->err = NULL;
        return -1;
    }
    /* Stopped by a signal: whatever is left (a recorded statement, or
     * only a table's ANALYZE) is for the resumed run. */
    for (size_t i = 0; i < p->n; i++)
        if (p->tasks[i].state != BUILD_DONE && (p->tasks[i].recorded || engine_stop_requested))
            return 1;
    return 0;
}
