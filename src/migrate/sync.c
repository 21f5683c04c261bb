/* sync.c - Change Tracking sync (migration field notes §5).
 *
 * A round:
 *   1. opens a source snapshot, reads the current version V1 and each
 *      table's minimum valid version; a table whose applied version is
 *      below it lost changes to cleanup and must be re-copied (--reinit);
 *   2. in ONE PostgreSQL transaction, for each table, parents first, reads
 *      the net changes after the applied version and applies them through
 *      the full load's transform: the current row image is upserted by key,
 *      a key whose row is gone is deleted, a row the transform refuses is
 *      quarantined; then stores V1 as the applied version and commits.
 * A crash anywhere repeats at most the round, which is idempotent: an
 * upsert of the current image and a delete by key give the same target
 * however often they run.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sync.h"
#include "sync_int.h"
#include "engine.h"
#include "fallback.h"
#include "legacy.h"
#include "pg.h"
#include "quarantine.h"
#include "runlock.h"
#include "source.h"
#include "state.h"
#include "sqltext.h"
#include "transform.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t sync_stop_requested;

/* ---- the target's bookkeeping -------------------------------------------- */

static int load_tables(struct sync_ctx *x, char **err)
{
    PGresult *res = pg_exec(x->conn, err,
        "SELECT table_name, applied_version, extract(epoch FROM applied_at)"
        " FROM migration.sync", 0, NULL);
    if (!res)
        return -1;
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    x->ntables = 0;
    size_t nsync = 0;
    for (size_t i = 0; i < nt; i++) {
        struct table_sync *ts = &x->tables[x->ntables++];
        engine_key_list_free(&ts->moved);
        memset(ts, 0, sizeof *ts);
        ts->t = &all[i];
        for (int r = 0; r < PQntuples(res); r++) {
            if (strcmp(PQgetvalue(res, r, 0), all[i].name) != 0)
                continue;
            ts->in_sync = true;
            ts->applied = atoll(PQgetvalue(res, r, 1));
            ts->applied_at = atof(PQgetvalue(res, r, 2));
            nsync++;
        }
        for (size_t k = 0; k < x->nsrc_tables; k++)
            if (strcmp(x->src_tables[k].name, all[i].name) == 0)
                ts->src = &x->src_tables[k];
    }
    PQclear(res);
    if (nsync == 0 && !x->o->reinit_table) {
        *err = xstrdup("no change baseline is recorded in the target: the full load ran before "
                       "change capture was on. Turn it on (pantrycrm demo track for a SQLite "
                       "source), then re-copy with 'pantrycrm sync --reinit-all'");
        return -1;
    }
    return 0;
}

/* Tables with no baseline yet (tracking turned on after the load): a
 * --reinit-all gives them one. */
static int add_missing_tables(struct sync_ctx *x, int64_t current, char **err)
{
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    char ver[24];
    snprintf(ver, sizeof ver, "%lld", (long long)current);
    for (size_t i = 0; i < nt; i++) {
        bool tracked = false;
        int64_t mv;
        if (x->src->ops->change_min_valid(x->src, all[i].name, &tracked, &mv, err) != 0)
            return -1;
        if (!tracked)
            continue;
        const char *p[2] = {all[i].name, ver};
        PGresult *res = pg_exec(x->conn, err,
            "INSERT INTO migration.sync (table_name, baseline_version, applied_version)"
            " VALUES ($1, $2::bigint, -1) ON CONFLICT (table_name) DO NOTHING", 2, p);
        if (!res)
            return -1;
        PQclear(res);
    }
    return 0;
}

static int check_ready(struct sync_ctx *x, char **err)
{
    PGresult *res = pg_exec(x->conn, err,
        "SELECT (SELECT max(id) FROM migration.run),"
        " (SELECT count(*) FROM migration.checkpoint WHERE NOT done),"
        " (SELECT count(*) FROM migration.checkpoint),"
        " (SELECT migration.cut_over()::int)", 0, NULL);
    if (!res)
        return -1;
    int rc = 0;
    if (PQgetisnull(res, 0, 0)) {
        *err = xstrdup("no migration run is recorded in the target: run 'pantrycrm migrate' first");
        rc = -1;
    } else if (atoll(PQgetvalue(res, 0, 1)) > 0 || atoll(PQgetvalue(res, 0, 2)) == 0) {
        *err = xstrdup("the full load is not finished: run 'pantrycrm migrate' until it is done");
        rc = -1;
    } else if (atoll(PQgetvalue(res, 0, 3)) > 0) {
        *err = xstrdup("a cutover has been recorded: the target is the system of record now, "
                       "and changes of the old source are no longer applied");
        rc = -1;
    } else {
        x->run_id = atoll(PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* The engine's leased lock row (runlock.h): a pooler cannot strand it. */
static bool take_lock(struct sync_ctx *x, char **err)
{
    x->lock = runlock_take(x->conn, "sync", 5, err);
    return x->lock != NULL;
}

static void release_lock(struct sync_ctx *x)
{
    runlock_release(x->lock, x->conn);
    x->lock = NULL;
}

/* After a lost connection (a restart or failover of the server or the
 * pooler): a fresh one with the session's zone, with backoff. */
static int sync_reconnect(struct sync_ctx *x, char **err)
{
    double backoff = 0.5;
    for (int attempt = 0; attempt < 8 && !sync_stop_requested; attempt++) {
        clock_sleep_s(backoff, &sync_stop_requested);
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
        char *cerr = NULL;
        PGconn *c = pg_connect_like(x->conn, "sync the target", &cerr);
        const char *tzp[1] = {transform_settings_tz(&x->o->transform)};
        PGresult *res = c ? pg_exec(c, &cerr, "SELECT set_config('TimeZone', $1, false)", 1, tzp) : NULL;
        if (res) {
            PQclear(res);
            PQfinish(x->conn);
            x->conn = c;
            return 0;
        }
        PQfinish(c);
        free(*err);
        *err = cerr;
    }
    return -1;
}

/* ---- a round ---------------------------------------------------------------- */

struct round {
    int64_t current, from;
    int64_t lag_versions;
    double lag_seconds, seconds, rate;
    long changes;
    char *reinit_needed;            /* table names, comma separated */
};

/* Hands the round to the caller's renderer (the core does not print). */
static void report_round(struct sync_ctx *x, int n, const struct round *r)
{
    if (!x->o->on_round)
        return;
    struct sync_round_table *tabs = xcalloc(x->ntables ? x->ntables : 1, sizeof *tabs);
    for (size_t i = 0; i < x->ntables; i++) {
        const struct table_sync *ts = &x->tables[i];
        tabs[i] = (struct sync_round_table){ts->t->name, ts->changes, ts->rechecked,
                                            ts->st.upserts, ts->st.deletes, ts->st.quarantined,
                                            ts->reinit};
    }
    struct sync_round sr = {n, x->o->json, r->from, r->current, r->lag_versions, r->lag_seconds,
                            r->seconds, r->rate, r->changes, x->echoes, tabs, x->ntables};
    x->o->on_round(&sr, x->o->on_round_arg);
    free(tabs);
}

static int update_bookkeeping(struct sync_ctx *x, const struct round *r, char **err)
{
    char cur[24];
    snprintf(cur, sizeof cur, "%lld", (long long)r->current);
    for (size_t i = 0; i < x->ntables; i++) {
        const struct table_sync *ts = &x->tables[i];
        char up[24], del[24], q[24];
        snprintf(up, sizeof up, "%ld", ts->st.upserts);
        snprintf(del, sizeof del, "%ld", ts->st.deletes);
        snprintf(q, sizeof q, "%ld", ts->st.quarantined);
        const char *p[6] = {ts->t->name, cur, up, del, q, ts->reinit ? "t" : "f"};
        PGresult *res = pg_exec(x->conn, err,
            "UPDATE migration.sync SET applied_version = $2::bigint, applied_at = now(),"
            " upserts = upserts + $3::bigint, deletes = deletes + $4::bigint,"
            " quarantined = quarantined + $5::bigint,"
            " reinit_needed_at = CASE WHEN $6::boolean THEN NULL ELSE reinit_needed_at END,"
            " reinit_at = CASE WHEN $6::boolean THEN now() ELSE reinit_at END"
            " WHERE table_name = $1", 6, p);
        if (!res)
            return -1;
        PQclear(res);
    }
    char ch[24], rate[32];
    snprintf(ch, sizeof ch, "%ld", r->changes);
    snprintf(rate, sizeof rate, "%.3f", r->rate);
    const char *p[4] = {x->o->source, cur, ch, rate};
    PGresult *res = pg_exec(x->conn, err,
        "INSERT INTO migration.sync_source AS s (id, source, version, version_seen_at, last_round_at,"
        " rounds, last_changes, last_rate) VALUES (1, $1, $2::bigint, now(), now(), 1, $3::bigint,"
        " $4::float8) ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source,"
        " version = EXCLUDED.version,"
        " version_seen_at = CASE WHEN s.version = EXCLUDED.version THEN s.version_seen_at ELSE now() END,"
        " last_round_at = now(), rounds = s.rounds + 1, last_changes = EXCLUDED.last_changes,"
        " last_rate = EXCLUDED.last_rate", 4, p);
    PQclear(res);
    return res ? 0 : -1;
}

static int on_echo(void *ctx, int64_t version, char op, const struct cell *key, const struct cell *row,
                   size_t ncells)
{
    struct sync_ctx *x = ctx;
    (void)op, (void)key, (void)row, (void)ncells;
    if (x->necho == x->capecho) {
        x->capecho = x->capecho ? 2 * x->capecho : 64;
        x->echo = xrealloc(x->echo, x->capecho * sizeof *x->echo);
    }
    x->echo[x->necho++] = version;
    return 0;
}

/* The versions of the fallback's transactions since `from`: each inserted
 * one row into its change-tracked ledger table in the legacy database. A
 * source without that table (or without tracking on it) has none. */
static int read_echo_versions(struct sync_ctx *x, int64_t from, char **err)
{
    const struct source_ops *ops = x->src->ops;
    x->necho = 0;
    x->echoes = 0;
    bool tracked = false;
    int64_t min_valid = 0;
    char *e = NULL;
    if (ops->change_min_valid(x->src, FALLBACK_LEDGER, &tracked, &min_valid, &e) != 0 || !tracked) {
        free(e);
        return 0;
    }
    if (ops->changes(x->src, FALLBACK_LEDGER, FALLBACK_LEDGER_KEY, NULL, 0, from, on_echo, x, err) != 0)
        return -1;
    if (x->necho > 1)
        qsort(x->echo, x->necho, sizeof *x->echo, sync_cmp_version);
    return 0;
}

/* 0 done, SYNC_EXIT_REINIT, -1 error. */
static int run_round(struct sync_ctx *x, int n, char **err)
{
    const struct source_ops *ops = x->src->ops;
    struct round r;
    memset(&r, 0, sizeof r);
    double t0 = clock_mono_s();
    if (!take_lock(x, err))
        return -1;
    if (check_ready(x, err) != 0) {
        release_lock(x);
        return -1;
    }
    if (ops->snapshot_begin(x->src, err) != 0) {
        release_lock(x);
        return -1;
    }
    int rc = -1;
    bool in_tx = false;
    if (ops->change_version(x->src, &r.current, err) != 0)
        goto out;
    if (x->o->reinit_all && add_missing_tables(x, r.current, err) != 0)
        goto out;
    if (load_tables(x, err) != 0)
        goto out;
    /* Which tables lost changes to cleanup? */
    struct strbuf need;
    sb_init(&need);
    double now = clock_wall_s(), oldest = now;
    r.from = INT64_MAX;
    for (size_t i = 0; i < x->ntables; i++) {
        struct table_sync *ts = &x->tables[i];
        if (ops->change_min_valid(x->src, ts->t->name, &ts->tracked, &ts->min_valid, err) != 0) {
            sb_free(&need);
            goto out;
        }
        ts->reinit = x->o->reinit_all
                     || (x->o->reinit_table && strcmp(x->o->reinit_table, ts->t->name) == 0);
        /* A table the source cannot track (SQL Server needs a primary key)
         * is only ever re-copied whole, on request: small tables, as the
         * field notes advise; verify and the cutover gate catch drift. */
        if (!ts->in_sync)
            continue;
        if (!ts->reinit && (!ts->tracked || ts->applied < ts->min_valid))
            sb_addf(&need, "%s%s", need.len ? ", " : "", ts->t->name);
        if (ts->applied < r.from)
            r.from = ts->applied;
        if (ts->applied_at < oldest)
            oldest = ts->applied_at;
    }
    if (r.from == INT64_MAX || r.from < 0)
        r.from = r.from < 0 ? 0 : r.current;
    r.lag_versions = r.current > r.from ? r.current - r.from : 0;
    r.lag_seconds = r.lag_versions > 0 ? now - oldest : 0;
    if (need.len) {
        char *names = sb_detach(&need);
        PGresult *res = pg_exec(x->conn, err,
            "UPDATE migration.sync SET reinit_needed_at = coalesce(reinit_needed_at, now())"
            " WHERE table_name = ANY(string_to_array($1, ', '))", 1, (const char *const *)&names);
        PQclear(res);
        warnx_("sync: changes were cleaned up past the applied version (or tracking is off) for: "
               "%s; re-copy them with 'pantrycrm sync --reinit TABLE' or '--reinit-all'", names);
        free(names);
        rc = SYNC_EXIT_REINIT;
        goto out;
    }
    sb_free(&need);
    /* The retention watchdog: the saved version ages between rounds. */
    if (x->retention_s > 0 && !x->retention_warned && now - oldest > 0.8 * (double)x->retention_s) {
        warnx_("sync: warning: the applied version is %.0f s old and the source keeps changes "
               "for %lld s: sync more often, or the tables will need re-copying",
               now - oldest, (long long)x->retention_s);
        x->retention_warned = true;
    }

    if (read_echo_versions(x, r.from, err) != 0)
        goto out;
    if (!pg_command(x->conn, err, "BEGIN"))
        goto out;
    in_tx = true;
    /* The fallback's capture skips what this transaction writes. */
    {
        PGresult *ores = pg_exec(x->conn, err, "SELECT set_config('pantrycrm.origin', 'sync', true)", 0, NULL);
        if (!ores)
            goto out;
        PQclear(ores);
    }
    for (size_t i = 0; i < x->ntables; i++) {
        struct table_sync *ts = &x->tables[i];
        if (!ts->in_sync && !ts->reinit)
            continue;
        if (!ts->src) {
            *err = xasprintf("%s: the source has no such table any more", ts->t->name);
            goto out;
        }
        struct apply_ctx c;
        memset(&c, 0, sizeof c);
        c.ts = ts;
        c.x = x;
        c.st = &ts->st;
        c.a = engine_applier_new(x->conn, ts->t, ts->src, &x->copts, x->run_id, err);
        if (!c.a)
            goto out;
        sb_init(&c.keys);
        sb_init(&c.dkeys);
        sb_init(&c.last_key);
        int trc;
        if (ts->reinit) {
            trc = sync_reinit_table(x, &c, err);
        } else {
            size_t ncols;
            const char *const *cols = engine_applier_columns(c.a, &ncols);
            trc = ops->changes(x->src, ts->t->name, ts->t->key, cols, ncols, ts->applied, sync_on_change, &c,
                               err);
            if (trc != 0 && !*err)
                *err = c.err ? xstrdup(c.err) : xasprintf("%s: applying changes failed", ts->t->name);
            if (trc == 0)
                trc = engine_applier_flush(c.a, c.st, err);
        }
        if (trc == 0 && sync_recheck_children(x, &c, err) != 0)
            trc = -1;
        if (trc == 0 && engine_applier_pending(c.a) > 0)
            trc = engine_applier_flush(c.a, c.st, err);
        if (trc == 0) {
            engine_applier_take_keys(c.a, &ts->moved, &ts->moved);
            if (ts->moved.n > 1)
                qsort(ts->moved.keys, ts->moved.n, sizeof *ts->moved.keys, sync_cmp_key);
        }
        free(c.err);
        sb_free(&c.keys);
        sb_free(&c.dkeys);
        sb_free(&c.last_key);
        free(c.ship_keys);
        free(c.ship_dkeys);
        engine_applier_free(c.a);
        if (trc != 0)
            goto out;
        r.changes += ts->changes;
    }
    r.seconds = clock_mono_s() - t0;
    r.rate = r.seconds > 0 ? (double)r.changes / r.seconds : 0;
    if (update_bookkeeping(x, &r, err) != 0 || !pg_command(x->conn, err, "COMMIT"))
        goto out;
    in_tx = false;
    rc = 0;
out:
    if (in_tx)
        PQclear(PQexec(x->conn, "ROLLBACK"));
    char *serr = NULL;
    /* The round's changes are read and stored either way; but say so: a
     * snapshot left open would pin later rounds to it. */
    if (ops->snapshot_end(x->src, rc == 0, &serr) != 0 && rc == 0)
        warnx_("sync: warning: %s", serr ? serr : "the source snapshot did not end");
    free(serr);
    release_lock(x);
    if (rc == 0) {
        report_round(x, n, &r);
        if (x->state) {
            struct state_sync s = {clock_wall_s(), r.current, r.current, r.lag_versions, r.changes,
                                   r.lag_seconds, r.rate};
            char *e = NULL;
            state_sync_put(x->state, &s, &e);
            free(e);
        }
    }
    return rc;
}

int sync_run(const struct sync_opts *o, char **err)
{
    struct sync_ctx x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.retention_s = -1;
    int rc = 1;
    x.synonyms = convert_load_synonyms(o->transform.synonyms_path, err);
    if (!x.synonyms)
        return 1;
    x.copts = convert_opts_of(&o->transform, x.synonyms);
    x.src = source_open(o->source, err);
    if (!x.src)
        goto out;
    const struct source_ops *ops = x.src->ops;
    if (!ops->change_version || !ops->changes || !ops->snapshot_begin || !ops->change_min_valid) {
        *err = xasprintf("the source %s cannot report its changes", x.src->description);
        goto out;
    }
    if (ops->describe(x.src, &x.src_tables, &x.nsrc_tables, err) != 0)
        goto out;
    if (ops->facts) {
        struct source_facts f;
        char *ferr = NULL;
        if (ops->facts(x.src, &f, &ferr) == 0) {
            x.retention_s = f.ct_retention_s;
            source_facts_free(&f);
        }
        free(ferr);
    }
    x.conn = pg_connect(o->conninfo, "sync the target", err);
    if (!x.conn)
        goto out;
    /* COPY reads DATETIME2 text in the source's zone, as the full load did. */
    const char *tzp[1] = {transform_settings_tz(&o->transform)};
    PGresult *res = pg_exec(x.conn, err, "SELECT set_config('TimeZone', $1, false)", 1, tzp);
    if (!res)
        goto out;
    PQclear(res);
    if (o->state_path) {
        char *serr = NULL;
        x.state = state_open(o->state_path, &serr);
        free(serr);
    }
    for (int n = 1, lost = 0;; n++) {
        int r = run_round(&x, n, err);
        if (r < 0 && PQstatus(x.conn) != CONNECTION_OK && lost++ < 8) {
            /* the round rolled back: redo it on a fresh connection; libpq's
             * message spans lines, the note is one */
            for (char *p = *err; p && *p; p++)
                if (*p == '\n' || *p == '\t')
                    *p = ' ';
            progress_say(o->notes, "sync: lost the connection to the target (%s); reconnecting",
                         *err ? *err : "?");
            free(*err);
            *err = NULL;
            if (sync_reconnect(&x, err) != 0) {
                rc = 1;
                goto out;
            }
            n--;
            continue;
        }
        lost = 0;
        if (r != 0) {
            rc = r < 0 ? 1 : r;
            goto out;
        }
        if (!o->follow || (o->max_rounds > 0 && n >= o->max_rounds))
            break;
        if (sync_stop_requested)
            break;
        clock_sleep_s(o->interval, &sync_stop_requested);
        if (sync_stop_requested)
            break;
    }
    rc = sync_stop_requested ? 130 : 0;
out:
    for (size_t i = 0; i < x.ntables; i++)
        engine_key_list_free(&x.tables[i].moved);
    free(x.echo);
    state_close(x.state);
    if (x.conn)
        PQfinish(x.conn);
    if (x.src_tables)
        source_tables_free(x.src_tables, x.nsrc_tables);
    source_close(x.src);
    synonyms_free(x.synonyms);
    return rc;
}

int sync_status_read(PGconn *conn, struct sync_status *s, char **err)
{
    memset(s, 0, sizeof *s);
    PGresult *res = pg_exec(conn, err,
        "SELECT (SELECT min(applied_version) FROM migration.sync), s.version,"
        " extract(epoch FROM now() - s.version_seen_at),"
        " to_char(s.version_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), s.rounds"
        " FROM migration.sync_source s WHERE id = 1", 0, NULL);
    if (!res)
        return -1;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        s->have = true;
        s->min_applied = atoll(PQgetvalue(res, 0, 0));
        s->source_version = atoll(PQgetvalue(res, 0, 1));
        s->quiet_s = atof(PQgetvalue(res, 0, 2));
        snprintf(s->quiet_since, sizeof s->quiet_since, "%s", PQgetvalue(res, 0, 3));
        s->rounds = atoll(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return 0;
}
