/* engine.c - the migration engine.
 *
 * Shape: a scheduler starts one job per table, parents before children, at
 * most --jobs at once. A job is two threads joined by a bounded queue of
 * batches: the reader streams the source in key order after the table's
 * checkpoint and converts rows; the writer commits each batch to
 * PostgreSQL in ONE transaction together with the checkpoint (the last
 * source key and the running counts). The target is therefore the truth:
 * after a crash the job resumes after the committed key, and no row is lost
 * or written twice.
 *
 * The parts live in reader.c, writer.c, checkpoint.c, job.c and deferred.c
 * (engine_int.h maps them); this file runs them: it checks the source and the
 * target, records the run, schedules the jobs, samples their progress for
 * the caller and the state file, and finishes or rolls back the run.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "clock.h"
#include "fault.h"
#include "paths.h"
#include "pg.h"
#include "runlock.h"
#include "schema.h"
#include "state.h"
#include "transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t engine_stop_requested;
/* Set by the scheduler from the state file's control table; readers wait
 * while it is set, so writers drain their batches and everything idles. */
_Atomic int engine_paused;

size_t engine_table_index(const struct legacy_table *t)
{
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    return (size_t)(t - all);
}

PGconn *engine_connect(const struct engine *e, const char *purpose, char **err)
{
    PGconn *conn = pg_connect(e->o->conninfo, purpose, err);
    if (!conn)
        return NULL;
    /* COPY reads DATETIME2 text without an offset: the session zone is the
     * source's zone (UTC, as Prisma wrote it, unless configured). */
    const char *params[1] = {transform_settings_tz(&e->o->transform)};
    PGresult *res = pg_exec(conn, err, "SELECT set_config('TimeZone', $1, false)", 1, params);
    if (!res) {
        char *m = xasprintf("cannot use source time zone \"%s\": %s", params[0], *err);
        free(*err);
        *err = m;
        PQfinish(conn);
        return NULL;
    }
    PQclear(res);
    return conn;
}

bool engine_conn_lost(PGconn *conn)
{
    return PQstatus(conn) != CONNECTION_OK;
}

void engine_note(const struct engine_opts *o, const char *fmt, ...)
{
    if (!o->on_note)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    o->on_note(o->ctx, text);
    free(text);
}

/* ---- schema check ---------------------------------------------------- */

static const struct source_table *find_source_table(const struct engine *e, const char *name)
{
    for (size_t i = 0; i < e->nsrc_tables; i++)
        if (strcmp(e->src_tables[i].name, name) == 0)
            return &e->src_tables[i];
    return NULL;
}

/* Compares the source with the legacy contract: a missing table or column
 * stops the run; extra columns and type differences are reported. */
static int check_source(struct engine *e, char **err)
{
    struct strbuf missing;
    sb_init(&missing);
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        const struct legacy_table *t = &tables[i];
        const struct source_table *s = find_source_table(e, t->name);
        if (!s) {
            sb_addf(&missing, "\n  table \"%s\" is missing", t->name);
            continue;
        }
        for (size_t c = 0; c < t->ncols; c++) {
            const struct source_column *sc = NULL;
            for (size_t k = 0; k < s->ncols && !sc; k++)
                if (strcmp(s->cols[k].name, t->cols[c].name) == 0)
                    sc = &s->cols[k];
            if (!sc) {
                sb_addf(&missing, "\n  column \"%s\".\"%s\" is missing (%s)", t->name,
                        t->cols[c].name, legacy_mssql_type(&t->cols[c]));
                continue;
            }
            const char *want = legacy_mssql_type(&t->cols[c]);
            if (strcmp(sc->type, want) != 0)
                engine_note(e->o, "note: \"%s\".\"%s\" is %s in the source, the contract says %s",
                        t->name, t->cols[c].name, *sc->type ? sc->type : "untyped", want);
        }
        for (size_t k = 0; k < s->ncols; k++)
            if (!legacy_column(t, s->cols[k].name))
                engine_note(e->o, "note: \"%s\".\"%s\" is not in the contract: its values are kept in "
                             "%s", t->name, s->cols[k].name,
                             t->crm ? "metadata.extra" : "migration.repair (extra_column)");
    }
    for (size_t i = 0; i < e->nsrc_tables; i++) {
        const char *n = e->src_tables[i].name;
        if (!legacy_table(n) && strcmp(n, "_prisma_migrations") != 0)
            engine_note(e->o, "note: source table \"%s\" is not part of the CRM contract and is not "
                         "migrated", n);
    }
    if (missing.len) {
        *err = xasprintf("the source does not match the legacy contract:%s", missing.buf);
        sb_free(&missing);
        return -1;
    }
    sb_free(&missing);
    return 0;
}

/* Hands the caller a snapshot of every job (under e->mu). */
static void report_progress(struct engine *e, double elapsed, bool final)
{
    if (!e->o->on_progress)
        return;
    struct engine_table_progress tp[MIGRATE_MAX_TABLES];
    for (size_t i = 0; i < e->njobs; i++) {
        const struct job *j = &e->jobs[i];
        tp[i] = (struct engine_table_progress){j->t->name, j->phase ? j->phase : "", j->state,
                                               j->rows_total, j->rows_seen, j->rows_read,
                                               j->rows_migrated, j->rows_quarantined, j->repairs,
                                               j->bytes, j->seconds};
    }
    struct engine_progress p = {tp, e->njobs, elapsed, final};
    e->o->on_progress(e->o->ctx, &p);
}

static void sample_state(struct engine *e, struct state *st, int64_t local_run)
{
    if (!st)
        return;
    for (size_t i = 0; i < e->njobs; i++) {
        struct job *j = &e->jobs[i];
        struct progress_sample s = {j->t->name, j->rows_total, j->rows_read, j->rows_migrated,
                                    j->rows_quarantined, j->repairs, j->bytes, j->seconds,
                                    j->phase ? j->phase : "waiting"};
        char *err = NULL;
        if (state_progress(st, local_run, &s, &err) != 0)
            free(err); /* the cache is best effort; the target holds the truth */
    }
}

/* ---- the run ---------------------------------------------------------- */

static bool deps_done(struct engine *e, struct job *j, bool *blocked)
{
    *blocked = false;
    for (size_t k = 0; k < j->ndeps; k++) {
        enum engine_table_state s = e->jobs[j->deps[k]].state;
        if (s == ENGINE_TABLE_FAILED || s == ENGINE_TABLE_STOPPED)
            *blocked = true;
        if (s != ENGINE_TABLE_DONE)
            return false;
    }
    return true;
}

static int start_run(struct engine *e, PGconn *conn, char **err)
{
    const char *params[2] = {e->o->source, e->o->options_json ? e->o->options_json : "{}"};
    PGresult *res = pg_exec(conn, err,
        "INSERT INTO migration.run (source, options) VALUES ($1, $2::jsonb) RETURNING id", 2, params);
    if (!res)
        return -1;
    e->run_id = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static void finish_run(PGconn *conn, int64_t run_id, const char *status)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    const char *params[2] = {status, run};
    char *err = NULL;
    PQclear(pg_exec(conn, &err,
        "UPDATE migration.run SET status = $1, finished_at = now() WHERE id = $2::bigint", 2, params));
    free(err);
}

static int check_target_schema(PGconn *conn, char **err)
{
    char *data = paths_pkgdata();
    char *dir = xasprintf("%s/sql", data);
    free(data);
    struct schema_set set;
    int rc = schema_load(dir, &set, err);
    free(dir);
    if (rc != 0)
        return -1;
    struct schema_report rep;
    rc = schema_status(conn, &set, &rep, err);
    if (rc == 0) {
        for (size_t i = 0; i < rep.n && rc == 0; i++)
            if (rep.entries[i].state != SCHEMA_APPLIED) {
                *err = xasprintf("the target schema is not up to date (%s is %s): run "
                                 "'pantrycrm db migrate' first", rep.entries[i].name,
                                 schema_state_name(rep.entries[i].state));
                rc = -1;
            }
        schema_report_free(&rep);
    }
    schema_set_free(&set);
    return rc;
}

/* After a cutover the target is the system of record: neither a full load
 * nor a rollback may touch it any more. */
static int cutover_recorded(PGconn *conn, bool *cut, char **err)
{
    PGresult *res = pg_exec(conn, err, "SELECT count(*) FROM migration.cutover", 0, NULL);
    if (!res)
        return -1;
    *cut = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    PQclear(res);
    return 0;
}

/* One migrate per target at a time: a leased lock row (runlock.h), which a
 * pooler cannot strand. A holder that died on this host is taken over at
 * once; one elsewhere when its lease lapses. */
static struct runlock *take_migrate_lock(PGconn *conn, const char *purpose, char **err)
{
    return runlock_take(conn, purpose, 5, err);
}

/* Replaces *connp by a fresh connection when it was lost, retrying with
 * backoff (a restart or failover of the server or pooler takes seconds).
 * 0 when *connp is usable. A fresh connection, not PQreset: a password
 * command's token may have expired. */
int engine_reconnect(const struct engine *e, PGconn **connp, const char *purpose, char **err)
{
    if (!engine_conn_lost(*connp))
        return 0;
    double backoff = 0.5;
    for (int attempt = 0; attempt < MAX_RETRIES && !engine_stop_requested; attempt++) {
        char *cerr = NULL;
        PGconn *c = pg_connect_like(*connp, purpose, &cerr);
        if (c) {
            const char *params[1] = {transform_settings_tz(&e->o->transform)};
            PGresult *r = pg_exec(c, &cerr, "SELECT set_config('TimeZone', $1, false)", 1, params);
            if (r) {
                PQclear(r);
                PQfinish(*connp);
                *connp = c;
                return 0;
            }
            PQfinish(c);
        }
        free(*err);
        *err = cerr;
        clock_sleep_s(backoff, &engine_stop_requested);
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
    }
    if (!*err)
        *err = xasprintf("lost the connection to the target: %s", PQerrorMessage(*connp));
    return -1;
}

/* The main connection idles while the jobs work; if it was dropped,
 * reconnect before the finishing steps (the lock row stays ours: its
 * heartbeat has its own connection). */
static int main_conn_alive(const struct engine *e, PGconn **connp, struct runlock *lock, char **err)
{
    PGresult *res = PQexec(*connp, "SELECT 1");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok && engine_reconnect(e, connp, "finish the migration", err) != 0)
        return -1;
    if (!runlock_held(lock)) {
        *err = xstrdup("the migrate lock of this database was taken over while this run was "
                       "cut off from it; run 'pantrycrm migrate' again to resume");
        return -1;
    }
    return 0;
}

/* Change Tracking protocol (field notes §5): the source's change version
 * is taken BEFORE the first reader starts, so that `pantrycrm sync` later
 * applies every change made during the load (rows copied after it are just
 * overwritten with their current image). A resumed load keeps the version
 * of the load that began; a table whose load has not begun gets a new one.
 * Sources without change capture skip this silently. */
static int record_change_baseline(const struct engine_opts *o, struct source *src, PGconn *conn,
                                  char **err)
{
    if (!src->ops->change_version || !src->ops->change_min_valid)
        return 0;
    int64_t v0;
    char *cerr = NULL;
    if (src->ops->change_version(src, &v0, &cerr) != 0) {
        free(cerr);
        return 0;
    }
    char ver[24];
    snprintf(ver, sizeof ver, "%lld", (long long)v0);
    size_t nt, ntracked = 0;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        bool tracked = false;
        int64_t min_valid;
        if (src->ops->change_min_valid(src, tables[i].name, &tracked, &min_valid, &cerr) != 0) {
            free(cerr);
            cerr = NULL;
            continue;
        }
        if (!tracked)
            continue;
        const char *params[2] = {tables[i].name, ver};
        PGresult *res = pg_exec(conn, err,
            "INSERT INTO migration.sync (table_name, baseline_version, applied_version)"
            " VALUES ($1, $2::bigint, $2::bigint) ON CONFLICT (table_name) DO UPDATE SET"
            " baseline_version = EXCLUDED.baseline_version, applied_version = EXCLUDED.applied_version,"
            " applied_at = now(), upserts = 0, deletes = 0, quarantined = 0, reinit_needed_at = NULL"
            " WHERE NOT EXISTS (SELECT 1 FROM migration.checkpoint c WHERE c.table_name = $1"
            " AND (c.last_key IS NOT NULL OR c.done))", 2, params);
        if (!res)
            return -1;
        PQclear(res);
        ntracked++;
    }
    if (ntracked)
        engine_note(o, "change tracking: version %s recorded before the load (%zu tables)", ver,
                ntracked);
    return 0;
}

int engine_migrate(const struct engine_opts *o, char **err)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.o = o;
    pthread_mutex_init(&e.mu, NULL);
    pthread_cond_init(&e.cv, NULL);
    int status = 1;
    PGconn *conn = NULL;
    struct runlock *lock = NULL;
    struct source *src = NULL;
    struct state *st = NULL;
    int64_t local_run = -1;

    e.synonyms = convert_load_synonyms(o->transform.synonyms_path, err);
    if (!e.synonyms)
        goto out;
    e.copts = convert_opts_of(&o->transform, e.synonyms);

    src = source_open(o->source, err);
    if (!src)
        goto out;
    if (src->ops->describe(src, &e.src_tables, &e.nsrc_tables, err) != 0)
        goto out;
    if (check_source(&e, err) != 0)
        goto out;

    conn = engine_connect(&e, "migrate into the target", err);
    if (!conn)
        goto out;
    if (!(lock = take_migrate_lock(conn, "migrate", err)))
        goto out;
    if (check_target_schema(conn, err) != 0)
        goto out;
    bool cut;
    if (cutover_recorded(conn, &cut, err) != 0)
        goto out;
    if (cut) {
        *err = xstrdup("a cutover has been recorded: the target is the system of record now; "
                       "a full load would overwrite live data, so it is refused");
        goto out;
    }
    if (deferred_record(o, conn, err) != 0)
        goto out;
    if (start_run(&e, conn, err) != 0)
        goto out;
    if (record_change_baseline(o, src, conn, err) != 0)
        goto out;
    fault_point("run-started");

    if (o->state_path) {
        char *serr = NULL;
        st = state_open(o->state_path, &serr);
        if (st) {
            char *where = pg_describe(conn);
            local_run = state_run_begin(st, e.run_id, o->source, where, &serr);
            free(where);
        }
        if (serr) {
            engine_note(o, "warning: state file not updated: %s", serr);
            free(serr);
        }
    }

    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    if (nt > MIGRATE_MAX_TABLES) {
        *err = xasprintf("the contract has %zu tables, more than %d", nt, MIGRATE_MAX_TABLES);
        goto out;
    }
    for (size_t i = 0; i < nt; i++) {
        struct job *j = &e.jobs[e.njobs++];
        j->e = &e;
        j->t = &tables[i];
        j->src = find_source_table(&e, tables[i].name);
        j->phase = "waiting";
        char *cerr = NULL;
        if (src->ops->estimate(src, tables[i].name, &j->rows_total, &cerr) != 0) {
            j->rows_total = -1;
            free(cerr);
        }
        for (size_t k = 0; k < nt; k++)
            for (size_t c = 0; c < tables[k].ncols; c++)
                if (tables[k].cols[c].kind == COL_FK_UUID
                    && strcmp(tables[k].cols[c].ref_table, tables[i].name) == 0)
                    e.is_parent[i] = true;
        keyset_init(&e.keys[i], 0);
        for (size_t c = 0; c < tables[i].ncols; c++) {
            const char *ref = tables[i].cols[c].ref_table;
            if (!ref)
                continue;
            for (size_t k = 0; k < i; k++)
                if (strcmp(tables[k].name, ref) == 0) {
                    bool seen = false;
                    for (size_t d = 0; d < j->ndeps; d++)
                        seen = seen || j->deps[d] == k;
                    if (!seen)
                        j->deps[j->ndeps++] = k;
                }
        }
    }
    source_close(src);
    src = NULL;

    int jobs = o->jobs > 0 ? o->jobs : 2;
    e.key_budget = o->key_cache ? o->key_cache : DEFAULT_KEY_CACHE;
    if (build_plan_load(&e, conn, err) != 0)
        goto out;
    double start = clock_mono_s(), last_sample = 0;
    bool loads_were_settled = false;
    pthread_mutex_lock(&e.mu);
    build_start(&e);
    for (;;) {
        bool all_settled = true;
        for (size_t i = 0; i < e.njobs; i++) {
            struct job *j = &e.jobs[i];
            if (j->state != ENGINE_TABLE_WAITING)
                continue;
            bool blocked;
            if (engine_stop_requested) {
                j->state = ENGINE_TABLE_STOPPED;
                j->phase = "stopped";
                continue;
            }
            if (deps_done(&e, j, &blocked) && e.running + e.build.running < (size_t)jobs) {
                size_t ti = engine_table_index(j->t);
                if (e.is_parent[ti]) {
                    /* Promise this parent enough of the budget for its rows. */
                    size_t want = j->rows_total > 0 ? (size_t)j->rows_total + (size_t)j->rows_total / 8 + 1024
                                                    : 65536;
                    e.keys[ti].max_keys = want < e.key_budget ? want : e.key_budget;
                    e.key_budget -= e.keys[ti].max_keys;
                }
                j->state = ENGINE_TABLE_RUNNING;
                j->phase = "starting";
                e.running++;
                pthread_create(&j->thread, NULL, job_main, j);
            } else if (blocked) {
                j->state = ENGINE_TABLE_FAILED;
                j->phase = "blocked";
                j->error = xstrdup("a parent table did not finish");
            }
        }
        bool loads_settled = true, loads_done = true;
        for (size_t i = 0; i < e.njobs; i++) {
            if (e.jobs[i].state == ENGINE_TABLE_WAITING || e.jobs[i].state == ENGINE_TABLE_RUNNING)
                loads_settled = false;
            loads_done = loads_done && e.jobs[i].state == ENGINE_TABLE_DONE;
        }
        if (loads_settled && loads_done && !loads_were_settled) {
            loads_were_settled = true;
            pthread_mutex_unlock(&e.mu);
            fault_point("loaded");
            pthread_mutex_lock(&e.mu);
        }
        /* The build workers go on after the loads, until nothing is left
         * that could start. */
        all_settled = loads_settled && e.build.alive == 0;
        double t = clock_mono_s();
        report_progress(&e, t - start, all_settled);
        if (t - last_sample >= 0.5 || all_settled) {
            if (st && local_run > 0) {
                bool paused = state_control_paused(st, local_run);
                if (paused != (engine_paused != 0)) {
                    engine_paused = paused;
                    for (size_t i = 0; i < e.njobs; i++)
                        if (e.jobs[i].state == ENGINE_TABLE_RUNNING)
                            e.jobs[i].phase = paused ? "paused" : "copying";
                    engine_note(o, "%s", paused ? "paused by a console" : "resumed");
                }
            }
            sample_state(&e, st, local_run);
            last_sample = t;
        }
        if (all_settled)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&e.cv, &e.mu, &until);
    }
    pthread_mutex_unlock(&e.mu);
    for (size_t i = 0; i < e.njobs; i++)
        if (e.jobs[i].thread)
            pthread_join(e.jobs[i].thread, NULL);
    char *build_err = NULL;
    int built = build_finish(&e, &build_err);

    bool failed = false, stopped = false;
    if (main_conn_alive(&e, &conn, lock, err) != 0)
        goto out;
    struct strbuf errs;
    sb_init(&errs);
    for (size_t i = 0; i < e.njobs; i++) {
        if (e.jobs[i].state == ENGINE_TABLE_FAILED) {
            failed = true;
            sb_addf(&errs, "%s%s", errs.len ? "; " : "",
                    e.jobs[i].error ? e.jobs[i].error : e.jobs[i].t->name);
        }
        if (e.jobs[i].state == ENGINE_TABLE_STOPPED)
            stopped = true;
    }
    if (built < 0)
        sb_addf(&errs, "%s%s", errs.len ? "; " : "", build_err);
    free(build_err);
    if (failed || built < 0) {
        *err = sb_detach(&errs);
        finish_run(conn, e.run_id, "failed");
        status = 1;
    } else if (stopped) {
        sb_free(&errs);
        finish_run(conn, e.run_id, "interrupted");
        engine_note(o, "stopped at a batch boundary; run 'pantrycrm migrate' again to resume");
        status = 130;
    } else {
        sb_free(&errs);
        if (built > 0) {
            finish_run(conn, e.run_id, "interrupted");
            engine_note(o, "stopped between index builds; run 'pantrycrm migrate' again to resume");
            status = 130;
        } else {
            fault_point("build-done");
            finish_run(conn, e.run_id, "done");
            status = 0;
        }
    }
    if (st && local_run > 0) {
        char *serr = NULL;
        state_run_end(st, local_run, status == 0 ? "done" : status == 130 ? "interrupted" : "failed",
                      &serr);
        free(serr);
    }
out:
    for (size_t i = 0; i < e.njobs; i++) {
        free(e.jobs[i].error);
        keyset_destroy(&e.keys[i]);
    }
    build_plan_free(&e.build);
    state_close(st);
    source_close(src);
    runlock_release(lock, conn);
    if (conn)
        PQfinish(conn);
    if (e.src_tables)
        source_tables_free(e.src_tables, e.nsrc_tables);
    synonyms_free(e.synonyms);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
    return status;
}

/* ---- rollback and report ---------------------------------------------- */

int engine_rollback(const char *conninfo, bool *restored, char **err)
{
    PGconn *conn = pg_connect(conninfo, "roll the target back", err);
    if (!conn)
        return -1;
    int rc = -1;
    PGresult *res;
    struct runlock *lock = runlock_take(conn, "migrate --rollback", 5, err);
    if (!lock)
        goto out;
    if (!pg_command(conn, err, "BEGIN"))
        goto out;
    bool cut;
    if (cutover_recorded(conn, &cut, err) != 0)
        goto fail;
    if (cut) {
        *err = xstrdup("refusing to roll back: a cutover has been recorded, so the target holds "
                       "live data now");
        goto fail;
    }
    if (!pg_command(conn, err,
            "TRUNCATE \"User\", \"Account\", \"Session\", \"VerificationToken\", \"Organization\","
            " \"Contact\", \"Interaction\", \"Opportunity\", \"Lead\", \"Contract\""))
        goto fail;
    res = pg_exec(conn, err,
        "SELECT ddl FROM migration.deferred_ddl ORDER BY kind DESC, name", 0, NULL);
    if (!res)
        goto fail;
    for (int i = 0; i < PQntuples(res); i++)
        if (!pg_command(conn, err, PQgetvalue(res, i, 0))) {
            PQclear(res);
            goto fail;
        }
    *restored = PQntuples(res) > 0;
    PQclear(res);
    if (!pg_command(conn, err,
            "TRUNCATE migration.deferred_ddl, migration.quarantine, migration.repair,"
            " migration.checkpoint, migration.run RESTART IDENTITY")
        || !pg_command(conn, err, "COMMIT"))
        goto fail;
    rc = 0;
    goto out;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
out:
    runlock_release(lock, conn);
    PQfinish(conn);
    return rc;
}

int engine_report_read(const char *conninfo, struct engine_report *r, char **err)
{
    memset(r, 0, sizeof *r);
    PGconn *conn = pg_connect(conninfo, "read the migration report", err);
    if (!conn)
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT table_name, rows_read, rows_migrated, rows_quarantined,"
        " (SELECT coalesce(sum(v::bigint), 0) FROM jsonb_each_text(repairs) AS e(k, v)),"
        " bytes, seconds, done, repairs::text FROM migration.checkpoint", 0, NULL);
    if (!res) {
        PQfinish(conn);
        return -1;
    }
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt && i < MIGRATE_MAX_TABLES; i++) {
        struct engine_report_table *t = &r->tables[r->n++];
        t->table = tables[i].name;
        int row = -1;
        for (int k = 0; k < PQntuples(res); k++)
            if (strcmp(PQgetvalue(res, k, 0), tables[i].name) == 0)
                row = k;
        if (row >= 0) {
            t->started = true;
            int64_t *v[5] = {&t->read, &t->migrated, &t->quarantined, &t->repaired, &t->bytes};
            for (int c = 0; c < 5; c++)
                *v[c] = atoll(PQgetvalue(res, row, 1 + c));
            t->seconds = atof(PQgetvalue(res, row, 6));
            t->done = PQgetvalue(res, row, 7)[0] == 't';
            t->repairs_json = xstrdup(PQgetvalue(res, row, 8));
        }
        r->read += t->read;
        r->migrated += t->migrated;
        r->quarantined += t->quarantined;
        r->repaired += t->repaired;
        r->bytes += t->bytes;
        r->seconds += t->seconds;
    }
    PQclear(res);
    /* not a reason to withhold the counts: said beside them instead */
    if (collisions_read(conn, &r->dups, &r->dups_err) != 0 && !r->dups_err)
        r->dups_err = xstrdup("unknown error");
    PQfinish(conn);
    return 0;
}

void engine_report_free(struct engine_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->tables[i].repairs_json);
    collisions_free(&r->dups);
    free(r->dups_err);
    memset(r, 0, sizeof *r);
}
