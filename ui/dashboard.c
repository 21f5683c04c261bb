/* dashboard.c - the Dashboard pane (see dashboard.h).
 *
 * Reading the summary is one small query on the console's asynchronous
 * connection; recomputing it ('r') runs dashboard.refresh() there too, in
 * the background (seconds at a million organizations), and never in a
 * read-only console. Charts are drawn with block characters in the
 * normal text role, so their meaning survives monochrome, 8 colours and a
 * text dump; every label passes through ui_put (sanitized, fitted).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "dashboard.h"
#include "spawn.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dash_view {
    struct pane base;
    struct stats s;
    bool loaded;
    bool in_flight;          /* a query of this pane is on the connection */
    bool refreshing;         /* ... and it is dashboard.refresh() */
    bool want_refresh;       /* 'r' came while the connection was busy */
    double read_at;          /* when the last read was sent (monotonic s) */
    double auto_at;          /* when a scheduled recompute was started */
    char error[256];
};

static const struct pane_ops dashboard_ops;

static void free_op(struct pane *p)
{
    free(p);
}

void dashboard_set(struct pane *p, const struct stats *s)
{
    if (!p || p->ops != &dashboard_ops)
        return;
    struct dash_view *d = (struct dash_view *)p;
    d->s = *s;
    d->loaded = true;
    d->error[0] = '\0';
}

/* Sends the next query when the connection is free and one is due. */
static void tick(struct pane *p, double now, bool shown)
{
    struct app *app = p->app;
    if (!shown || app->busy || !app->bs)
        return;
    struct dash_view *d = (struct dash_view *)p;
    if (d->want_refresh) {
        d->want_refresh = false;
        if (app_send_sql(app, p, 0, stats_refresh_now_sql())) {
            d->in_flight = d->refreshing = true;
            return;
        }
    }
    /* The schedule: summaries older than DASHBOARD_RECOMPUTE_S are
     * recomputed by a detached `pantrycrm stats --refresh`, so that the
     * seconds of a recompute never hold the console's connection. */
    if (d->loaded && !app->read_only && !d->refreshing
        && (!d->s.refreshed || d->s.age_s > DASHBOARD_RECOMPUTE_S)
        && (d->auto_at == 0 || now - d->auto_at >= DASHBOARD_RECOMPUTE_S)) {
        d->auto_at = now;
        const char *args[] = {"stats", "--refresh", NULL};
        char *err = NULL;
        if (spawn_detached(app->state_path, ".stats.log", app->conninfo, args, &err) && d->s.refreshed)
            ui_status(app, " the summary is %.0f min old: recomputing it in the background",
                      d->s.age_s / 60);
        else if (!err)
            ui_status(app, " computing the summary in the background");
        else
            ui_status(app, " %s", err);
        free(err);
    }
    if (d->read_at == 0 || now - d->read_at >= DASHBOARD_PERIOD) {
        d->read_at = now;
        if (app_send_sql(app, p, 0, stats_sql()))
            d->in_flight = true;
    }
}

static bool action(struct pane *p, enum action a, bool shown)
{
    struct app *app = p->app;
    struct dash_view *d = (struct dash_view *)p;
    if (!shown || a != ACT_REFRESH)
        return false;
    if (app->read_only) {
        /* a read-only session cannot write the summary: re-read it */
        d->read_at = 0;
        ui_status(app, app->standby ? " standby: re-reading the summary, which the primary computes "
                                      "(pantrycrm stats --refresh there) and replication brings here"
                                    : " read-only: re-reading the summary (recompute it with pantrycrm stats --refresh)");
        return true;
    }
    d->want_refresh = true;
    ui_status(app, " recomputing the dashboard summary…");
    return true;
}

/* The answer of the query this pane sent (res NULL and error on failure). */
static void on_result(struct pane *p, int tag, const struct browse_query *q, PGresult *res,
                      const char *error)
{
    (void)tag, (void)q;
    struct app *app = p->app;
    struct dash_view *d = (struct dash_view *)p;
    bool was_refresh = d->refreshing;
    d->in_flight = d->refreshing = false;
    if (!res) {
        char *msg = stats_explain_error(error);
        snprintf(d->error, sizeof d->error, "%s", msg);
        free(msg);
        str_rtrim(d->error);
        if (was_refresh)
            ui_status(app, " recomputing failed: %s", d->error);
        return;
    }
    if (was_refresh) {
        ui_status(app, " dashboard summary recomputed in %.0f ms",
                  PQntuples(res) ? strtod(PQgetvalue(res, 0, 0), NULL) : 0.0);
        d->read_at = 0; /* read the new numbers at once */
        return;
    }
    char *err = NULL;
    struct stats s;
    memset(&s, 0, sizeof s);
    if (!stats_parse(res, &s, &err)) {
        snprintf(d->error, sizeof d->error, "%s", err);
        free(err);
        return;
    }
    d->s = s;
    d->loaded = true;
    d->error[0] = '\0';
}

/* ---- formatting -------------------------------------------------------------- */

/* 1234567.8 -> "1.2M". */
static void ui_fmt_money(char *buf, size_t size, double v)
{
    double a = v < 0 ? -v : v;
    if (a >= 1e9)
        snprintf(buf, size, "%.1fB", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, size, "%.1fM", v / 1e6);
    else if (a >= 1e3)
        snprintf(buf, size, "%.1fk", v / 1e3);
    else
        snprintf(buf, size, "%.0f", v);
}

/* ---- charts ------------------------------------------------------------------ */

static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};
static const char *const levels[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

/* A horizontal bar of value/max over width cells: full blocks and an
 * eighth for the rest (UTF-8), or '#' (ASCII). */
static void draw_bar(struct app *app, int row, int x, int width, double value, double max)
{
    /* a negative value (a credit note) has no bar: its length would index
     * the partial blocks from before their start */
    if (width <= 0 || max <= 0 || !(value > 0))
        return;
    int units = (int)(value / max * width * 8 + 0.5);
    if (value > 0 && units == 0)
        units = 1; /* something is not nothing */
    struct strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < units / 8; i++)
        sb_adds(&sb, app->utf8 ? "█" : "#");
    if (units % 8)
        sb_adds(&sb, app->utf8 ? eighths[units % 8] : (units % 8 >= 4 ? "#" : ""));
    attrset(app->attr[ROLE_OK]);
    mvaddstr(row, x, sb.buf ? sb.buf : "");
    attrset(A_NORMAL);
    sb_free(&sb);
}

struct item {
    const char *label;
    double value;       /* what the bar measures */
    char text[80];      /* what is written after it */
};

/* A titled bar chart; returns the rows used (at most maxrows). */
static int draw_bars(struct app *app, int row, int x, int w, int maxrows, const char *title,
                     const struct item *items, size_t n)
{
    if (maxrows <= 0 || w < 10)
        return 0;
    ui_put(app, row, x, w, ROLE_TITLE, title);
    int used = 1;
    int lw = 0, tw = 0;
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(items[i].label), t = (int)strlen(items[i].text);
        lw = l > lw ? l : lw;
        tw = t > tw ? t : tw;
        max = items[i].value > max ? items[i].value : max;
    }
    if (lw > 13)
        lw = 13;
    int barw = w - lw - tw - 3;
    for (size_t i = 0; i < n && used < maxrows; i++, used++) {
        ui_put(app, row + used, x, lw, ROLE_OK, items[i].label);
        char t[64];
        snprintf(t, sizeof t, "%*s", tw, items[i].text);
        if (barw >= 4) {
            draw_bar(app, row + used, x + lw + 1, barw, items[i].value, max);
            ui_put(app, row + used, x + lw + 2 + barw, tw + 1, ROLE_OK, t);
        } else {
            ui_put(app, row + used, x + lw + 1, w - lw - 1, ROLE_OK, t);
        }
    }
    return used;
}

/* The weeks as a column chart of ch rows, an axis line under it. */
static int draw_weeks(struct app *app, int row, int x, int w, int maxrows, const struct stats *s)
{
    if (maxrows < 3 || s->nweek == 0 || w < 30)
        return 0;
    int ch = maxrows - 2 > 4 ? 4 : maxrows - 2;
    int64_t max = 0, total = 0;
    for (size_t i = 0; i < s->nweek; i++) {
        max = s->week[i].n > max ? s->week[i].n : max;
        total += s->week[i].n;
    }
    char title[160], mx[32], tot[32];
    ui_fmt_count(mx, sizeof mx, max);
    ui_fmt_count(tot, sizeof tot, total);
    snprintf(title, sizeof title, "Interactions per week, %zu weeks (%s; busiest week %s)", s->nweek,
             tot, mx);
    ui_put(app, row, x, w, ROLE_TITLE, title);
    int cw = (w - 1) / (int)s->nweek >= 2 ? 2 : 1;
    for (int r = 0; r < ch; r++) {
        struct strbuf sb;
        sb_init(&sb);
        for (size_t i = 0; i < s->nweek; i++) {
            int lv = max > 0 ? (int)((double)s->week[i].n / (double)max * ch * 8 + 0.5) : 0;
            if (s->week[i].n > 0 && lv == 0)
                lv = 1;
            int in_row = lv - (ch - 1 - r) * 8;
            in_row = in_row < 0 ? 0 : in_row > 8 ? 8 : in_row;
            const char *c = app->utf8 ? levels[in_row] : in_row >= 4 ? "#" : in_row > 0 ? "." : " ";
            for (int k = 0; k < cw; k++)
                sb_adds(&sb, k == cw - 1 && cw > 1 ? " " : c);
        }
        attrset(app->attr[ROLE_OK]);
        mvaddstr(row + 1 + r, x, sb.buf ? sb.buf : "");
        attrset(A_NORMAL);
        sb_free(&sb);
    }
    char axis[160];
    const char *first = s->week[0].label, *last = s->week[s->nweek - 1].label;
    int span = cw * (int)s->nweek;
    /* "2026-05-04" at the left, the last week's Monday at the right */
    snprintf(axis, sizeof axis, "%-*s%s", span - (int)strlen(last) > 11 ? span - (int)strlen(last) : 11,
             first, last);
    ui_put(app, row + 1 + ch, x, w, ROLE_DIM, axis);
    return ch + 2;
}

static void fill_items(struct item *it, const struct stats_bucket *b, size_t n, bool money)
{
    for (size_t i = 0; i < n; i++) {
        it[i].label = b[i].label;
        char c[32], m[32];
        ui_fmt_count(c, sizeof c, b[i].n);
        if (money) {
            ui_fmt_money(m, sizeof m, stats_amount(b[i].amount));
            snprintf(it[i].text, sizeof it[i].text, "%s %7s", c, m);
            it[i].value = stats_amount(b[i].amount);
        } else {
            snprintf(it[i].text, sizeof it[i].text, "%s", c);
            it[i].value = (double)b[i].n;
        }
    }
}

/* Flows "label value" pieces into lines of width w; returns rows used. */
static int draw_flow(struct app *app, int row, int x, int w, int maxrows, char (*pieces)[64],
                     const int *roles, size_t n)
{
    int used = 0, col = 0;
    for (size_t i = 0; i < n && used < maxrows; i++) {
        int len = (int)strlen(pieces[i]);
        if (col > 0 && col + len > w) {
            used++;
            col = 0;
            if (used >= maxrows)
                break;
        }
        ui_put(app, row + used, x + col, w - col, roles[i], pieces[i]);
        col += len + 2;
    }
    return col > 0 ? used + 1 : used;
}

static void draw(struct pane *pane, int y, int x, int h, int w)
{
    struct app *app = pane->app;
    struct dash_view *d = (struct dash_view *)pane;
    if (!d->loaded) {
        if (d->error[0]) {
            ui_put(app, y, x, w, ROLE_ERROR, d->error);
        } else {
            ui_put(app, y, x, w, ROLE_DIM, "loading the dashboard…");
        }
        return;
    }
    const struct stats *s = &d->s;
    if (!s->refreshed) {
        ui_put(app, y, x, w, ROLE_TITLE, "The dashboard summary was never computed.");
        ui_put(app, y + 2, x, w, ROLE_OK,
               app->standby ? "A standby cannot compute it: run pantrycrm stats --refresh on the primary."
               : app->read_only ? "Run: pantrycrm stats --refresh"
                               : "It is being computed in the background (r computes it here).");
        return;
    }
    char line[256];
    /* The freshness line: stale numbers must be obvious without colour. */
    bool stale = s->age_s > 3600;
    char age[32];
    if (s->age_s < 90)
        snprintf(age, sizeof age, "%.0f s", s->age_s);
    else if (s->age_s < 5400)
        snprintf(age, sizeof age, "%.0f min", s->age_s / 60);
    else if (s->age_s < 172800)
        snprintf(age, sizeof age, "%.0f h", s->age_s / 3600);
    else
        snprintf(age, sizeof age, "%.0f days", s->age_s / 86400);
    snprintf(line, sizeof line, "%sas of %.16s UTC, computed %s ago in %.0f ms%s%s", stale ? "STALE: " : "",
             s->as_of, age, s->refresh_ms, d->refreshing ? "; recomputing…" : "",
             d->error[0] ? "; last read failed" : "");
    for (char *p = line; *p; p++)
        if (*p == 'T' && p > line && p[-1] >= '0' && p[-1] <= '9')
            *p = ' ';
    ui_put(app, y, x, w, stale ? ROLE_WARN : ROLE_DIM, line);
    int row = y + 1, end = y + h;

    char pieces[10][64];
    int roles[10];
    size_t np = 0;
    char a[32], b[32];
#define PIECE(role, ...) do { snprintf(pieces[np], sizeof pieces[np], __VA_ARGS__); roles[np++] = (role); } while (0)
    ui_fmt_count(a, sizeof a, s->orgs);
    PIECE(ROLE_TITLE, "Organizations %s", a);
    ui_fmt_count(a, sizeof a, s->orgs_active);
    PIECE(ROLE_OK, "active %s", a);
    ui_fmt_count(a, sizeof a, s->priority_a);
    PIECE(ROLE_OK, "priority A %s", a);
    ui_fmt_count(a, sizeof a, s->contacts);
    PIECE(ROLE_OK, "contacts %s", a);
    ui_fmt_count(a, sizeof a, s->interactions);
    PIECE(ROLE_OK, "interactions %s", a);
    ui_fmt_money(b, sizeof b, stats_amount(s->avg_revenue));
    PIECE(ROLE_OK, "avg revenue %s", s->avg_revenue[0] ? b : "-");
    ui_fmt_count(a, sizeof a, s->due_today);
    PIECE(ROLE_TITLE, "Follow-ups: %s due today", a);
    ui_fmt_count(a, sizeof a, s->overdue);
    PIECE(s->overdue > 0 ? ROLE_WARN : ROLE_OK, "%s overdue", a);
#undef PIECE
    row += draw_flow(app, row, x, w, end - row, pieces, roles, np);

    struct item stage[STATS_STAGES], seg[STATS_SEGMENTS], prio[STATS_PRIORITIES], exp[STATS_EXPIRING];
    fill_items(stage, s->stage, s->nstage, true);
    fill_items(seg, s->segment, s->nsegment, false);
    fill_items(prio, s->priority, s->npriority, false);
    fill_items(exp, s->expiring, s->nexpiring, true);
    char exp_labels[STATS_EXPIRING][16];
    for (size_t i = 0; i < s->nexpiring; i++) {
        snprintf(exp_labels[i], sizeof exp_labels[i], "%s days", s->expiring[i].label);
        exp[i].label = exp_labels[i];
    }
    if (w >= 76) {
        /* two columns: money on the left, counts on the right */
        int cw = (w - 2) / 2, rx = x + cw + 2;
        int weeks_rows = end - row >= 19 ? 6 : end - row >= 15 ? 5 : 0;
        int lim = end - row - weeks_rows;
        int l = draw_bars(app, row, x, cw, lim, "Opportunities by stage (active)", stage, s->nstage);
        l += draw_bars(app, row + l, x, cw, lim - l, "Organizations by priority", prio, s->npriority);
        int r = draw_bars(app, row, rx, cw, lim, "Organizations by segment", seg, s->nsegment);
        r += draw_bars(app, row + r, rx, cw, lim - r, "Active contracts ending within", exp, s->nexpiring);
        row += l > r ? l : r;
        draw_weeks(app, row, x, w, end - row, s);
    } else {
        row += draw_bars(app, row, x, w, end - row, "Opportunities by stage (active)", stage, s->nstage);
        row += draw_weeks(app, row, x, w, end - row, s);
        row += draw_bars(app, row, x, w, end - row, "Organizations by segment", seg, s->nsegment);
        row += draw_bars(app, row, x, w, end - row, "Organizations by priority", prio, s->npriority);
        draw_bars(app, row, x, w, end - row, "Active contracts ending within", exp, s->nexpiring);
    }
}

static void keys_hint(struct pane *p, char *buf, size_t size)
{
    (void)p;
    char r[16];
    keymap_key_name(ACT_REFRESH, r, sizeof r);
    snprintf(buf, size, "%s Refresh", r);
}

static const struct pane_ops dashboard_ops = {
    .free = free_op,
    .keys_hint = keys_hint,
    .draw = draw,
    .action = action,
    .tick = tick,
    .on_result = on_result,
};

struct pane *dashboard_pane_new(struct app *app)
{
    struct dash_view *d = xcalloc(1, sizeof *d);
    d->base = (struct pane){&dashboard_ops, app, "dashboard", "Dashboard", ACT_PANE_DASHBOARD};
    return &d->base;
}
