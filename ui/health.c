/* health.c (ui) - the Health pane (see ui/health.h).
 *
 * The checks are src/ops/health.c's steps, sent one at a time through
 * app_send_sql when the console's connection is free, so the pane never
 * blocks the screen on the database. Checking the legacy source after the
 * last step may be a network login (SQL Server): it runs on a thread of
 * its own, which the pane polls at each tick.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "health.h"
#include "../src/ops/health.h"
#include "pg.h"
#include "util.h"
#include "clock.h"

#include <curses.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A source check handed to a thread: the report being gathered travels
 * with it, so that the pane and the thread never share memory. */
enum { CHECK_RUNNING, CHECK_DONE, CHECK_ABANDONED };
struct source_check {
    struct health h;
    atomic_int state;
    pthread_t thread;
};

struct health_view {
    struct pane base;
    struct health shown, work;
    bool have;            /* shown is a complete report */
    bool running;         /* work is being gathered */
    bool in_flight;       /* a step's query is on the connection */
    int step;             /* the step in flight, or the next to try */
    double started, done_at, sent_ms;
    int top;              /* first line shown (scrolling) */
    struct source_check *check;  /* the source check under way, or NULL */
};

static const struct pane_ops health_ops;

static void *check_source(void *arg)
{
    struct source_check *c = arg;
    health_check_source(&c->h);
    int expected = CHECK_RUNNING;
    /* the pane went away meanwhile (the console quit): nobody will read it */
    if (!atomic_compare_exchange_strong(&c->state, &expected, CHECK_DONE))
        free(c);
    return NULL;
}

static void free_op(struct pane *p)
{
    struct health_view *v = (struct health_view *)p;
    if (v->check) {
        int expected = CHECK_RUNNING;
        if (atomic_compare_exchange_strong(&v->check->state, &expected, CHECK_ABANDONED)) {
            pthread_detach(v->check->thread); /* it frees the check when it ends */
        } else {
            pthread_join(v->check->thread, NULL);
            free(v->check);
        }
    }
    free(v);
}

void health_pane_set(struct pane *p, const struct health *h)
{
    if (!p || p->ops != &health_ops)
        return;
    struct health_view *v = (struct health_view *)p;
    v->shown = *h;
    v->have = true;
}

static void finish(struct app *app, struct health_view *v, double now)
{
    health_finish(&v->work, app->conn);
    v->shown = v->work;
    v->have = true;
    v->running = false;
    v->done_at = now;
}

/* The source check starts on its thread; when no thread can be had, it
 * runs here as it always could. */
static void start_check(struct app *app, struct health_view *v, double now)
{
    struct source_check *c = xmalloc(sizeof *c);
    c->h = v->work;
    atomic_init(&c->state, CHECK_RUNNING);
    if (pthread_create(&c->thread, NULL, check_source, c) == 0) {
        v->check = c;
        return;
    }
    free(c);
    health_check_source(&v->work);
    finish(app, v, now);
}

static void tick(struct pane *p, double now, bool shown)
{
    struct app *app = p->app;
    struct health_view *v = (struct health_view *)p;
    if (v->check) {
        if (atomic_load(&v->check->state) != CHECK_DONE)
            return;
        pthread_join(v->check->thread, NULL);
        v->work = v->check->h;
        free(v->check);
        v->check = NULL;
        finish(app, v, now);
        return;
    }
    if (!shown || app->busy || !app->bs)
        return;
    if (!v->running) {
        if (v->have && now - v->done_at < HEALTH_PANE_PERIOD)
            return;
        health_init(&v->work, NULL, 0);
        char *desc = pg_describe(app->conn);
        snprintf(v->work.target, sizeof v->work.target, "%s", desc);
        free(desc);
        v->running = true;
        v->step = 0;
        v->started = now;
    }
    if (v->in_flight)
        return;
    while (v->step < HEALTH_NSTEPS) {
        char *sql = health_step_sql(&v->work, v->step);
        if (!sql) {
            v->step++;
            continue;
        }
        bool sent = app_send_sql(app, p, 0, sql);
        free(sql);
        if (sent) {
            v->in_flight = true;
            v->sent_ms = clock_mono_ms();
        }
        return; /* not sent: the connection is taken; try at the next tick */
    }
    start_check(app, v, now);
}

static void on_result(struct pane *p, int tag, const struct browse_query *q, PGresult *res,
                      const char *error)
{
    (void)tag, (void)q;
    struct health_view *v = (struct health_view *)p;
    if (!v->running)
        return;
    v->in_flight = false;
    health_step_done(&v->work, v->step, res, error, clock_mono_ms() - v->sent_ms);
    if (v->step == HEALTH_STEP_PING && !v->work.target_ok)
        v->step = HEALTH_NSTEPS; /* nothing else will answer */
    else
        v->step++;
}

static bool action(struct pane *p, enum action a, bool shown)
{
    struct health_view *v = (struct health_view *)p;
    if (!shown)
        return false;
    switch (a) {
    case ACT_REFRESH:
        if (!v->running)
            v->done_at = -1e9; /* due now */
        ui_status(p->app, " checking again…");
        break;
    case ACT_DOWN: v->top++; break;
    case ACT_UP: v->top--; break;
    case ACT_PAGE_DOWN: v->top += 10; break;
    case ACT_PAGE_UP: v->top -= 10; break;
    case ACT_TOP: v->top = 0; break;
    case ACT_BOTTOM: v->top = 1 << 20; break;
    default: return a != ACT_MIG_START && a != ACT_MIG_PAUSE && a != ACT_MIG_ASSESS;
    }
    if (v->top < 0)
        v->top = 0;
    return true;
}

/* ---- the report as lines --------------------------------------------------- */

struct line {
    int role;
    char text[320];
};
struct lines {
    struct line *v;
    size_t n, cap;
};

static void add(struct lines *ls, int role, const char *fmt, ...) PANTRY_PRINTF(3, 4);
static void add(struct lines *ls, int role, const char *fmt, ...)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 64;
        ls->v = xrealloc(ls->v, ls->cap * sizeof *ls->v);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ls->v[ls->n].text, sizeof ls->v[0].text, fmt, ap);
    va_end(ap);
    ls->v[ls->n++].role = role;
}

/* Words of text on lines of at most width cells after indent spaces
 * (the advice is the point of the pane: it is wrapped, not cut). */
static void add_wrapped(struct lines *ls, int role, int indent, const char *text, int width)
{
    int room = width - indent;
    if (room < 20)
        room = 20;
    const char *p = text;
    while (*p) {
        int len = (int)strlen(p);
        int take = len;
        if (len > room) {
            take = room;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = room;
            /* never split a UTF-8 sequence */
            while (take > 0 && ((unsigned char)p[take] & 0xC0) == 0x80)
                take--;
        }
        add(ls, role, "%*s%.*s", indent, "", take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
}

static void report_lines(struct app *app, const struct health_view *v, struct lines *ls, int w)
{
    const struct health *h = &v->shown;
    char a[32], b[32], c[32];
    add(ls, h->status == HEALTH_OK ? ROLE_TITLE : h->status == HEALTH_DEGRADED ? ROLE_WARN : ROLE_ERROR,
        "Status: %s%s", h->status == HEALTH_OK ? "OK" : h->status == HEALTH_DEGRADED ? "DEGRADED" : "DOWN",
        v->check ? "   (checking the source…)" : v->running ? "   (checking again…)" : "");
    /* reasons and errors quote libpq's messages whole (up to 1280
     * bytes): wrapped to the pane, never cut */
    for (size_t i = 0; i < h->nreasons; i++) {
        char *r = xasprintf("! %s", h->reasons[i]);
        add_wrapped(ls, ROLE_WARN, 2, r, w);
        free(r);
    }
    if (!h->target_ok) {
        char *t = xasprintf("Target: down: %s", h->target_error);
        add_wrapped(ls, ROLE_ERROR, 0, t, w);
        free(t);
    } else {
        add(ls, ROLE_OK, "Target: ok, SELECT 1 in %.1f ms  %s", h->ping_ms, h->target);
        add(ls, ROLE_OK, "Console: connection pid %d, %s; %d pantrycrm session%s on the server",
            app->conn ? PQbackendPID(app->conn) : 0, app->busy ? "busy" : "idle", h->conns_app,
            h->conns_app == 1 ? "" : "s");
        if (h->standby && h->replay_lag_s >= 0)
            add(ls, ROLE_WARN, "Role: STANDBY (read replica), WAL receiver %s, replay lag %.1f s; TLS: %s",
                h->wal_receiver[0] ? h->wal_receiver : "not running", h->replay_lag_s, h->tls);
        else if (h->standby)
            add(ls, ROLE_WARN, "Role: STANDBY (read replica), WAL receiver %s; TLS: %s",
                h->wal_receiver[0] ? h->wal_receiver : "not running", h->tls);
        else if (h->tls[0])
            add(ls, ROLE_OK, "Role: primary; TLS: %s", h->tls);
    }
    if (!h->source_known)
        add(ls, ROLE_DIM, "Source: not known (no migration run readable)");
    else if (h->source_ok)
        add(ls, ROLE_OK, "Source: ok in %.1f ms  %s%s%s", h->source_ms, h->source,
            h->source_server[0] ? "  " : "", h->source_server);
    else {
        char *t = xasprintf("Source: UNREACHABLE  %s: %s", h->source, h->source_error);
        add_wrapped(ls, ROLE_WARN, 0, t, w);
        free(t);
    }
    if (!h->target_ok)
        return;
    health_fmt_bytes(a, sizeof a, (double)h->db_bytes);
    char hit[32] = "?";
    if (h->hit_ratio >= 0)
        snprintf(hit, sizeof hit, "%.1f%%", h->hit_ratio * 100);
    /* "PostgreSQL 15.8 (Debian …) on x86_64…": the product and version suffice */
    int vlen = (int)strcspn(h->version, "(,");
    while (vlen > 0 && h->version[vlen - 1] == ' ')
        vlen--;
    if (strstr(h->version, " on ") && strstr(h->version, " on ") - h->version < vlen)
        vlen = (int)(strstr(h->version, " on ") - h->version);
    add(ls, ROLE_OK, "Server: %.*s; database %s %s; connections %d/%d; cache hit %s", vlen,
        h->version, h->database, a, h->conns_used, h->conns_max, hit);
    add(ls, ROLE_TITLE, "Tables (largest)                 size        live      dead  last autovacuum");
    for (size_t i = 0; i < h->ntables && i < 10; i++) {
        const struct health_table *t = &h->tables[i];
        health_fmt_bytes(a, sizeof a, (double)t->bytes);
        ui_fmt_count(b, sizeof b, t->live);
        ui_fmt_count(c, sizeof c, t->dead);
        add(ls, t->dead >= 10000 && t->dead * 5 > t->live ? ROLE_WARN : ROLE_OK,
            "  %-28.28s %7s %11s %9s  %s", t->name, a, b, c,
            t->last_autovacuum[0] ? t->last_autovacuum : "never");
    }
    add(ls, ROLE_TITLE, "Indexes: %lld, %zu never scanned (not unique)", (long long)h->nindexes,
        h->nunused);
    for (size_t i = 0; i < h->nunused && i < 5; i++) {
        health_fmt_bytes(a, sizeof a, (double)h->unused[i].bytes);
        add(ls, ROLE_OK, "  unused %s (%s)", h->unused[i].name, a);
    }
    for (size_t i = 0; i < h->nmissing; i++)
        add(ls, ROLE_WARN, "  missing? %s", h->missing[i]);
    add(ls, ROLE_TITLE, "Slowest statements (mean ms x calls)");
    if (h->pgss != 3)
        add(ls, ROLE_DIM, "  %s", h->pgss_hint);
    for (size_t i = 0; i < h->nstmts; i++)
        add(ls, ROLE_OK, "  %9.1f x %-6lld %s", h->stmts[i].mean_ms, (long long)h->stmts[i].calls,
            h->stmts[i].query);
    health_fmt_bytes(a, sizeof a, (double)h->ram_bytes);
    size_t differ = 0;
    for (size_t i = 0; i < h->nsettings; i++)
        differ += h->settings[i].verdict == 1 || h->settings[i].verdict == -1;
    add(ls, ROLE_TITLE, "Settings: %zu of %zu differ from the seed's advice for %s of RAM", differ,
        h->nsettings, a);
    for (size_t i = 0; i < h->nsettings; i++) {
        const struct health_setting *s = &h->settings[i];
        if (s->verdict == 0)
            continue;
        if (s->verdict == 2) {
            add(ls, ROLE_DIM, "  ? %s: not readable by this role", s->name);
            continue;
        }
        add(ls, ROLE_OK, "  %s %s = %s, recommended %s", s->verdict < 0 ? "<" : s->verdict == 1 ? ">" : "?",
            s->name, s->current, s->recommended);
        add_wrapped(ls, ROLE_DIM, 6, s->advice, w);
    }
    for (size_t i = 0; i < h->nnotes; i++)
        add(ls, ROLE_DIM, "Note: %s", h->notes[i]);
}

static void draw(struct pane *p, int y, int x, int h, int w)
{
    struct app *app = p->app;
    struct health_view *v = (struct health_view *)p;
    if (!v->have) {
        ui_put(app, y, x, w, ROLE_DIM, v->check ? "checking the source…" : v->running ? "checking the databases…"
                                       : "health: waiting for the connection…");
        return;
    }
    struct lines ls = {0};
    report_lines(app, v, &ls, w);
    int max_top = (int)ls.n - h > 0 ? (int)ls.n - h + 1 : 0; /* +1: the "more" line */
    if (v->top > max_top)
        v->top = max_top;
    bool more = max_top > 0 && v->top < max_top;
    for (int r = 0; r < h - (more ? 1 : 0) && v->top + r < (int)ls.n; r++) {
        const struct line *l = &ls.v[v->top + r];
        ui_put(app, y + r, x, w, l->role, l->text);
    }
    if (more)
        ui_put(app, y + h - 1, x, w, ROLE_DIM, "-- more: Down/PgDn --");
    free(ls.v);
}

static void keys_hint(struct pane *p, char *buf, size_t size)
{
    (void)p;
    char r[16];
    keymap_key_name(ACT_REFRESH, r, sizeof r);
    snprintf(buf, size, "%s Refresh", r);
}

static const struct pane_ops health_ops = {
    .free = free_op,
    .keys_hint = keys_hint,
    .draw = draw,
    .action = action,
    .tick = tick,
    .on_result = on_result,
};

struct pane *health_pane_new(struct app *app)
{
    struct health_view *v = xcalloc(1, sizeof *v);
    v->base = (struct pane){&health_ops, app, "health", "Health", ACT_PANE_HEALTH};
    return &v->base;
}
