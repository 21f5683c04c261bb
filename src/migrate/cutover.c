/* cutover.c - the go/no-go gate.
 *
 * Go only when every one of these holds, each reported with its reason:
 *   sync        every tracked table has applied the source's current
 *               version (lag 0) and none needs re-copying;
 *   quiet       the source has had no new change version for --quiet-for
 *               seconds (the old application is stopped);
 *   verify      counts and content digests match (verify.c);
 *   quarantine  no open quarantine entry the operator has not accepted;
 *   foreign_keys no foreign key left NOT VALID or still deferred.
 * --commit records the switch in migration.cutover (after which migrate
 * and rollback refuse) and writes the final report as JSON and Markdown,
 * with the downtime window: from the moment the source went quiet (as the
 * sync first saw its last version) to the commit.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cutover.h"
#include "fallback.h"
#include "legacy.h"
#include "pg.h"
#include "quarantine.h"
#include "runlock.h"
#include "source.h"
#include "sync.h"
#include "util.h"
#include "verify.h"
#include "clock.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


struct gate {
    json_t *checks;        /* [{name, ok, detail}] */
    bool go;
    const char *title;     /* "cutover" or "rollback" */
};

static void check(struct gate *g, const char *name, bool ok, const char *fmt, ...) PANTRY_PRINTF(4, 5);
static void check(struct gate *g, const char *name, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = xvasprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(g->checks, json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok,
                                               "detail", detail ? detail : ""));
    free(detail);
    if (!ok)
        g->go = false;
}

/* A scalar query's first value as text (caller frees), NULL on error. */
static char *scalar(PGconn *conn, const char *sql, char **err)
{
    PGresult *res = pg_exec(conn, err, sql, 0, NULL);
    if (!res)
        return NULL;
    char *v = xstrdup(PQntuples(res) && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return v;
}

/* sync and quiet: the source's current version against the target. */
static int check_sync(const struct cutover_opts *o, PGconn *conn, struct gate *g, json_t *rep,
                      char **err)
{
    struct source *src = source_open(o->source, err);
    if (!src)
        return -1;
    const struct source_ops *ops = src->ops;
    int rc = -1;
    if (!ops->change_version || !ops->snapshot_begin || !ops->change_min_valid) {
        check(g, "sync", false, "the source %s cannot report its changes, so nothing proves that "
              "the target has all of them", src->description);
        source_close(src);
        return 0;
    }
    int64_t current = 0;
    if (ops->snapshot_begin(src, err) != 0)
        goto out;
    if (ops->change_version(src, &current, err) != 0) {
        check(g, "sync", false, "%s", *err);
        free(*err);
        *err = NULL;
        check(g, "quiet", false, "unknown: the source has no change version");
        ops->snapshot_end(src, false, err);
        rc = 0;
        goto out;
    }
    PGresult *res = pg_exec(conn, err,
        "SELECT table_name, applied_version FROM migration.sync ORDER BY table_name", 0, NULL);
    if (!res) {
        ops->snapshot_end(src, false, err);
        goto out;
    }
    int64_t min_applied = INT64_MAX, max_applied = INT64_MIN;
    struct strbuf behind, lost;
    sb_init(&behind);
    sb_init(&lost);
    for (int i = 0; i < PQntuples(res); i++) {
        const char *t = PQgetvalue(res, i, 0);
        int64_t applied = atoll(PQgetvalue(res, i, 1));
        bool tracked = false;
        int64_t mv = 0;
        char *e = NULL;
        if (ops->change_min_valid(src, t, &tracked, &mv, &e) != 0)
            free(e);
        if (applied < min_applied)
            min_applied = applied;
        if (applied > max_applied)
            max_applied = applied;
        if (applied < current)
            sb_addf(&behind, "%s%s (%lld behind)", behind.len ? ", " : "", t,
                    (long long)(current - applied));
        if (!tracked || applied < mv)
            sb_addf(&lost, "%s%s", lost.len ? ", " : "", t);
    }
    int ntables = PQntuples(res);
    PQclear(res);
    char *serr = NULL;
    ops->snapshot_end(src, true, &serr);
    free(serr);
    if (ntables == 0)
        check(g, "sync", false, "no change baseline is recorded: run 'pantrycrm sync' (after "
              "'pantrycrm sync --reinit-all' if the load ran before change capture)");
    else if (lost.len)
        check(g, "sync", false, "changes were cleaned up for %s: run 'pantrycrm sync --reinit-all'",
              lost.buf);
    else if (behind.len && min_applied == max_applied)
        check(g, "sync", false, "lag %lld versions: every table applied %lld, the source is at "
              "%lld; run 'pantrycrm sync'", (long long)(current - min_applied),
              (long long)min_applied, (long long)current);
    else if (behind.len)
        check(g, "sync", false, "lag %lld versions (source at %lld): %s; run 'pantrycrm sync'",
              (long long)(current - min_applied), (long long)current, behind.buf);
    else
        check(g, "sync", true, "lag 0: every tracked table has applied source version %lld",
              (long long)current);
    sb_free(&behind);
    sb_free(&lost);

    struct sync_status s;
    if (sync_status_read(conn, &s, err) != 0)
        goto out;
    json_object_set_new(rep, "source_version", json_integer(current));
    json_object_set_new(rep, "applied_version", json_integer(ntables ? min_applied : -1));
    json_object_set_new(rep, "quiet_since", s.have && s.source_version == current
                                                ? json_string(s.quiet_since) : json_null());
    json_object_set_new(rep, "quiet_seconds", json_real(s.have && s.source_version == current
                                                            ? s.quiet_s : 0));
    if (!s.have)
        check(g, "quiet", false, "no sync round has watched the source yet: run 'pantrycrm sync'");
    else if (s.source_version != current)
        check(g, "quiet", false, "the source moved to version %lld since the last sync round saw "
              "%lld: stop the application, then run 'pantrycrm sync'", (long long)current,
              (long long)s.source_version);
    else if (s.quiet_s < o->quiet_for)
        check(g, "quiet", false, "the source has been quiet for %.1f s, less than the %.0f s "
              "required (--quiet-for)", s.quiet_s, o->quiet_for);
    else
        check(g, "quiet", true, "no new version for %.1f s (since %s)", s.quiet_s, s.quiet_since);
    rc = 0;
out:
    source_close(src);
    return rc;
}

static int check_verify(const struct cutover_opts *o, struct gate *g, json_t *rep, char **err)
{
    struct verify_opts v = {
        .source = o->source, .conninfo = o->conninfo, .transform = o->transform,
        .chunk_rows = 5000, .max_listed = 5, .legacy_history = o->rollback || o->rollback_check,
    };
    double t0 = clock_mono_s();
    json_t *doc = NULL;
    int st = verify_run(&v, &doc, err);
    json_object_set_new(rep, "verify_seconds", json_real(clock_mono_s() - t0));
    if (st < 0)
        return -1;
    if (st == 0) {
        check(g, "verify", true, "counts and content digests match in every table");
    } else {
        struct strbuf bad;
        sb_init(&bad);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(doc, "tables"), i, t) {
            if (json_is_true(json_object_get(t, "ok")))
                continue;
            long long src = json_integer_value(json_object_get(t, "source_rows"));
            long long tgt = json_integer_value(json_object_get(t, "target_rows"));
            long long q = json_integer_value(json_object_get(t, "quarantined"));
            sb_addf(&bad, "%s%s (%lld source, %lld target + %lld quarantined, %lld differing, "
                    "%lld missing)", bad.len ? "; " : "", json_string_value(json_object_get(t, "table")),
                    src, tgt, q, (long long)json_integer_value(json_object_get(t, "rows_differing")),
                    (long long)json_integer_value(json_object_get(t, "rows_missing")));
        }
        check(g, "verify", false, "source and target differ: %s; see 'pantrycrm verify'",
              bad.buf ? bad.buf : "?");
        sb_free(&bad);
    }
    json_object_set_new(rep, "verify", doc ? doc : json_null());
    return 0;
}

static int check_target(PGconn *conn, struct gate *g, char **err)
{
    struct strbuf sb;
    sb_init(&sb);
    long total = quarantine_unsettled(conn, &sb, err);
    if (total < 0) {
        sb_free(&sb);
        return -1;
    }
    if (total)
        check(g, "quarantine", false, "%ld open quarantine rows not accepted (%s): fix and replay "
              "them, or accept each with 'pantrycrm quarantine accept'", total, sb.buf);
    else
        check(g, "quarantine", true, "no open quarantine row that the operator has not accepted");
    sb_free(&sb);

    PGresult *res = pg_exec(conn, err,
        "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint"
        " WHERE contype = 'f' AND NOT convalidated AND connamespace = 'public'::regnamespace"
        " UNION ALL SELECT table_name || '.' || name || ' (deferred)' FROM migration.deferred_ddl"
        " WHERE kind = 'fk' ORDER BY 1", 0, NULL);
    if (!res)
        return -1;
    sb_reset(&sb);
    for (int i = 0; i < PQntuples(res); i++)
        sb_addf(&sb, "%s%s", sb.len ? ", " : "", PQgetvalue(res, i, 0));
    int n = PQntuples(res);
    PQclear(res);
    if (n)
        check(g, "foreign_keys", false, "%d foreign keys are not validated: %s; finish "
              "'pantrycrm migrate' (it builds and validates them)", n, sb.buf);
    else
        check(g, "foreign_keys", true, "every foreign key of the target is validated");
    sb_free(&sb);

    char *cut = scalar(conn, "SELECT migration.cut_over()::int", err);
    if (!cut)
        return -1;
    if (strcmp(cut, "0") != 0)
        check(g, "not_cut_over", false, "a cutover is already recorded");
    free(cut);
    return 0;
}

static int write_file(const char *path, const char *text, char **err)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes DIR/KIND-ID.json (the report) and .md; takes md. Their paths go
 * to r when both are written. */
static int write_reports(const struct cutover_opts *o, const char *kind, long id, char *md,
                         struct cutover_result *r, char **err)
{
    const char *dir = o->report_dir ? o->report_dir : ".";
    char *jpath = xasprintf("%s/%s-%ld.json", dir, kind, id);
    char *mpath = xasprintf("%s/%s-%ld.md", dir, kind, id);
    char *js = json_dumps(r->report, JSON_INDENT(2));
    char *jsn = xasprintf("%s\n", js);
    int rc = write_file(jpath, jsn, err) == 0 && write_file(mpath, md, err) == 0 ? 0 : -1;
    if (rc == 0) {
        r->json_path = jpath;
        r->md_path = mpath;
    } else {
        free(jpath);
        free(mpath);
    }
    free(js);
    free(jsn);
    free(md);
    return rc;
}

static char *markdown(json_t *rep)
{
    struct strbuf md;
    sb_init(&md);
    sb_addf(&md, "# pantrycrm cutover report\n\n"
                 "| | |\n|---|---|\n"
                 "| committed at | %s |\n| source | `%s` |\n| source version | %lld |\n"
                 "| source quiet since | %s |\n| downtime window (quiet → commit) | %.1f s |\n"
                 "| full load | %s → %s |\n| sync rounds | %lld |\n| gate checks took | %.1f s "
                 "(verify %.1f s) |\n\n",
            json_string_value(json_object_get(rep, "committed_at")),
            json_string_value(json_object_get(rep, "source")),
            (long long)json_integer_value(json_object_get(rep, "source_version")),
            json_string_value(json_object_get(rep, "quiet_since")) ? json_string_value(json_object_get(rep, "quiet_since")) : "-",
            json_real_value(json_object_get(rep, "downtime_seconds")),
            json_string_value(json_object_get(rep, "load_started_at")) ? json_string_value(json_object_get(rep, "load_started_at")) : "-",
            json_string_value(json_object_get(rep, "load_finished_at")) ? json_string_value(json_object_get(rep, "load_finished_at")) : "-",
            (long long)json_integer_value(json_object_get(rep, "sync_rounds")),
            json_real_value(json_object_get(rep, "check_seconds")),
            json_real_value(json_object_get(rep, "verify_seconds")));
    sb_adds(&md, "## Gate\n\n| check | result | detail |\n|---|---|---|\n");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(rep, "checks"), i, c)
        sb_addf(&md, "| %s | %s | %s |\n", json_string_value(json_object_get(c, "name")),
                json_is_true(json_object_get(c, "ok")) ? "ok" : "FAIL",
                json_string_value(json_object_get(c, "detail")));
    sb_adds(&md, "\n## Tables\n\n| table | source rows | target rows | quarantined (accepted) |\n"
                 "|---|---:|---:|---:|\n");
    json_array_foreach(json_object_get(json_object_get(rep, "verify"), "tables"), i, c)
        sb_addf(&md, "| %s | %lld | %lld | %lld |\n", json_string_value(json_object_get(c, "table")),
                (long long)json_integer_value(json_object_get(c, "source_rows")),
                (long long)json_integer_value(json_object_get(c, "target_rows")),
                (long long)json_integer_value(json_object_get(c, "quarantined")));
    return sb_detach(&md);
}

static int commit(const struct cutover_opts *o, PGconn *conn, struct cutover_result *r, char **err)
{
    json_t *rep = r->report;
    /* No migrate, replay or sync in between: they take the same lock. */
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    int busy = runlock_check_free_xact(conn, err);
    if (busy != 0) {
        if (busy > 0) {
            char *m = xasprintf("%s: stop it first", *err);
            free(*err);
            *err = m;
        }
        goto fail;
    }
    PGresult *res = pg_exec(conn, err,
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        " extract(epoch FROM now() - (SELECT version_seen_at FROM migration.sync_source WHERE id = 1)),"
        " (SELECT to_char(min(started_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM migration.run),"
        " (SELECT to_char(max(finished_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM migration.run),"
        " (SELECT rounds FROM migration.sync_source WHERE id = 1)", 0, NULL);
    if (!res)
        goto fail;
    json_object_set_new(rep, "committed_at", json_string(PQgetvalue(res, 0, 0)));
    json_object_set_new(rep, "downtime_seconds", json_real(atof(PQgetvalue(res, 0, 1))));
    json_object_set_new(rep, "load_started_at", PQgetisnull(res, 0, 2) ? json_null() : json_string(PQgetvalue(res, 0, 2)));
    json_object_set_new(rep, "load_finished_at", PQgetisnull(res, 0, 3) ? json_null() : json_string(PQgetvalue(res, 0, 3)));
    json_object_set_new(rep, "sync_rounds", json_integer(atoll(PQgetvalue(res, 0, 4))));
    PQclear(res);
    char *doc = json_dumps(rep, JSON_COMPACT);
    const char *p[1] = {doc};
    res = pg_exec(conn, err, "INSERT INTO migration.cutover (committed_at, report) VALUES (now(), $1::jsonb)"
                  " RETURNING id", 1, p);
    free(doc);
    if (!res)
        goto fail;
    long id = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    /* The fallback's capture starts in the same transaction: no change of
     * the application can slip in between. */
    if (fallback_install(conn, o->source, err) != 0)
        goto fail;
    if (!pg_command(conn, err, "COMMIT"))
        return -1;
    json_object_set_new(rep, "cutover_id", json_integer(id));
    r->recorded_id = id;
    return write_reports(o, "cutover", id, markdown(r->report), r, err);
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

int cutover_run(const struct cutover_opts *o, struct cutover_result *r, char **err)
{
    memset(r, 0, sizeof *r);
    r->title = "cutover";
    double t0 = clock_mono_s();
    PGconn *conn = pg_connect(o->conninfo, "check the cutover", err);
    if (!conn)
        return -1;
    struct gate g = {json_array(), true, "cutover"};
    json_t *rep = r->report = json_object();
    json_object_set_new(rep, "source", json_string(o->source));
    json_object_set_new(rep, "quiet_for", json_real(o->quiet_for));
    int rc = -1;
    if (check_sync(o, conn, &g, rep, err) != 0 || check_verify(o, &g, rep, err) != 0
        || check_target(conn, &g, err) != 0)
        goto out;
    json_object_set_new(rep, "check_seconds", json_real(clock_mono_s() - t0));
    json_object_set_new(rep, "go", json_boolean(g.go));
    json_object_set(rep, "checks", g.checks);
    r->checked = true;
    r->go = g.go;
    if (!g.go) {
        rc = 1;
        goto out;
    }
    rc = o->commit ? commit(o, conn, r, err) : 0;
out:
    json_decref(g.checks);
    PQfinish(conn);
    return rc;
}

/* ---- the switch back (rollback gate) ---------------------------------------- */

static int check_fallback(const struct cutover_opts *o, PGconn *conn, struct gate *g, json_t *rep,
                          char **err)
{
    char *cut = scalar(conn, "SELECT migration.cut_over()::int", err);
    if (!cut)
        return -1;
    check(g, "cut_over", strcmp(cut, "1") == 0, "%s", strcmp(cut, "1") == 0
          ? "a cutover is in effect: PostgreSQL is the system of record"
          : "no cutover is in effect: there is nothing to roll back");
    free(cut);
    struct fallback_status s;
    if (fallback_status_read(conn, &s, err) != 0)
        return -1;
    check(g, "capture", s.installed && !s.removed, "%s",
          !s.installed ? "no fallback capture is installed (cutover --commit installs it)"
          : s.removed ? "the capture was taken off by an earlier rollback"
                      : "every application change since the cutover is captured");
    if (s.pending == 0)
        check(g, "fallback_lag", true, "every captured change is applied to the legacy database "
              "(%lld rounds, %lld changes)", (long long)s.rounds, (long long)s.applied);
    else
        check(g, "fallback_lag", false, "%lld changes are not applied to the legacy database yet "
              "(oldest %.1f s): run 'pantrycrm fallback'", (long long)s.pending, s.oldest_pending_s);
    check(g, "quiet", s.quiet_s >= o->quiet_for, "PostgreSQL has had no application change for "
          "%.1f s (since %s; needed %.0f s)", s.quiet_s, s.quiet_since, o->quiet_for);
    if (s.quarantined)
        check(g, "fallback_quarantine", false, "%lld rows the legacy schema cannot hold: see "
              "migration.fallback_quarantine, fix them in PostgreSQL and run the fallback again",
              (long long)s.quarantined);
    else
        check(g, "fallback_quarantine", true, "no row is held back from the legacy database");
    json_object_set_new(rep, "quiet_since", json_string(s.quiet_since));
    json_object_set_new(rep, "fallback", json_pack("{s:I, s:I, s:I, s:I, s:f}", "rounds",
        (json_int_t)s.rounds, "applied", (json_int_t)s.applied, "pending", (json_int_t)s.pending,
        "errors", (json_int_t)s.errors, "last_rate", s.last_rate));
    return 0;
}

static char *rollback_markdown(json_t *rep)
{
    struct strbuf md;
    sb_init(&md);
    json_t *f = json_object_get(rep, "fallback");
    sb_addf(&md, "# pantrycrm rollback report\n\n| | |\n|---|---|\n"
                 "| rolled back at | %s |\n| legacy database | `%s` |\n"
                 "| PostgreSQL quiet since | %s |\n| downtime window (quiet → rollback) | %.1f s |\n"
                 "| fallback rounds | %lld |\n| changes carried back | %lld |\n"
                 "| gate checks took | %.1f s (verify %.1f s) |\n\n",
            json_string_value(json_object_get(rep, "rolled_back_at")),
            json_string_value(json_object_get(rep, "source")),
            json_string_value(json_object_get(rep, "quiet_since")),
            json_real_value(json_object_get(rep, "downtime_seconds")),
            (long long)json_integer_value(json_object_get(f, "rounds")),
            (long long)json_integer_value(json_object_get(f, "applied")),
            json_real_value(json_object_get(rep, "check_seconds")),
            json_real_value(json_object_get(rep, "verify_seconds")));
    sb_adds(&md, "## Gate\n\n| check | result | detail |\n|---|---|---|\n");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(rep, "checks"), i, c)
        sb_addf(&md, "| %s | %s | %s |\n", json_string_value(json_object_get(c, "name")),
                json_is_true(json_object_get(c, "ok")) ? "ok" : "FAIL",
                json_string_value(json_object_get(c, "detail")));
    return sb_detach(&md);
}

static int record_rollback(const struct cutover_opts *o, PGconn *conn, struct cutover_result *r,
                           char **err)
{
    json_t *rep = r->report;
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        " extract(epoch FROM now() - greatest(f.installed_at, f.last_write_at,"
        "   (SELECT max(logged_at) FROM migration.fallback_log)))"
        " FROM migration.fallback f WHERE f.id = 1 FOR UPDATE", 0, NULL);
    if (!res || PQntuples(res) != 1) {
        if (res && !*err)
            *err = xstrdup("the fallback's row is gone");
        PQclear(res);
        goto fail;
    }
    json_object_set_new(rep, "rolled_back_at", json_string(PQgetvalue(res, 0, 0)));
    json_object_set_new(rep, "downtime_seconds", json_real(atof(PQgetvalue(res, 0, 1))));
    PQclear(res);
    char *doc = json_dumps(rep, JSON_COMPACT);
    const char *p[1] = {doc};
    res = pg_exec(conn, err, "INSERT INTO migration.rollback (rolled_back_at, report) VALUES (now(), $1::jsonb)"
                  " RETURNING id", 1, p);
    free(doc);
    if (!res)
        goto fail;
    long id = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (fallback_remove(conn, err) != 0 || !pg_command(conn, err, "COMMIT"))
        goto fail;
    json_object_set_new(rep, "rollback_id", json_integer(id));
    r->recorded_id = id;
    return write_reports(o, "rollback", id, rollback_markdown(r->report), r, err);
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

int cutover_rollback_run(const struct cutover_opts *o, struct cutover_result *r, char **err)
{
    memset(r, 0, sizeof *r);
    r->title = "rollback";
    double t0 = clock_mono_s();
    PGconn *conn = pg_connect(o->conninfo, "check the rollback", err);
    if (!conn)
        return -1;
    struct gate g = {json_array(), true, "rollback"};
    json_t *rep = r->report = json_object();
    json_object_set_new(rep, "source", json_string(o->source));
    json_object_set_new(rep, "quiet_for", json_real(o->quiet_for));
    int rc = -1;
    /* verify in the other direction: the legacy database, read and
     * transformed as migrate would, must equal what PostgreSQL holds */
    if (check_fallback(o, conn, &g, rep, err) != 0 || check_verify(o, &g, rep, err) != 0)
        goto out;
    json_object_set_new(rep, "check_seconds", json_real(clock_mono_s() - t0));
    json_object_set_new(rep, "go", json_boolean(g.go));
    json_object_set(rep, "checks", g.checks);
    r->checked = true;
    r->go = g.go;
    if (!g.go) {
        rc = 1;
        goto out;
    }
    rc = o->rollback ? record_rollback(o, conn, r, err) : 0;
out:
    json_decref(g.checks);
    PQfinish(conn);
    return rc;
}

void cutover_result_free(struct cutover_result *r)
{
    json_decref(r->report);
    free(r->json_path);
    free(r->md_path);
    memset(r, 0, sizeof *r);
}
