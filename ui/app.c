/* app.c - what the panes share (see app.h): the query slot with its
 * owner, the questions, the pane list and the drawing helpers.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "app.h"
#include "clock.h"
#include "numfmt.h"
#include "sanitize.h"
#include "worker.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- panes ---------------------------------------------------------------- */

struct pane *app_pane(struct app *app, const char *id)
{
    for (size_t i = 0; i < app->npanes; i++)
        if (strcmp(app->panes[i]->id, id) == 0)
            return app->panes[i];
    return NULL;
}

void app_show(struct app *app, struct pane *p)
{
    app->current = p;
    if (p->ops->enter)
        p->ops->enter(p);
}

void app_refresh(struct app *app, const char *id)
{
    struct pane *p = app->current;
    if (p && p->ops->reload)
        p->ops->reload(p, id);
}

void app_ask(struct app *app, struct pane *p, enum action a, const char *fmt, ...)
{
    app->confirm = a;
    app->confirm_pane = p;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
    app->status_at = clock_mono_s();
}

const char *app_session_key(const struct pane *p, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s.%s", p->app->session_ns, p->id, name);
    return buf;
}

/* ---- the query slot ---------------------------------------------------------- */

static bool send_slot(struct app *app, struct pane *owner, int tag)
{
    char *err = NULL;
    if (app->reconnect[0]) {
        ui_status(app, " not connected: reconnecting (the header says when)");
        browse_query_free(&app->q);
        return false;
    }
    if (!app->bs || !browse_send(app->bs, &app->q, &err)) {
        ui_status(app, " %s", err ? err : "not connected");
        free(err);
        browse_query_free(&app->q);
        return false;
    }
    app->busy = true;
    app->user_cancelled = false;
    app->q_owner = owner;
    app->q_tag = tag;
    app->q_exposed = cancel_pending();
    app->q_cancel_sent = false;
    return true;
}

bool app_send(struct app *app, struct pane *owner, int tag)
{
    app->q_resends = 0;
    return send_slot(app, owner, tag);
}

bool app_cancel_query(struct app *app)
{
    if (!app->busy || app->conn_lent)
        return false;
    PGcancel *c = PQgetCancel(app->conn);
    if (!c)
        return false;
    app->q_cancel_sent = true;
    cancel_send(c);     /* a round trip: not on this thread */
    return true;
}

/* The statement in flight was stopped by a cancel meant for an earlier
 * one (seen when a key dropped a fill and switched panes at once: the new
 * pane's first page was cancelled and it stayed empty, "loading…"). A few
 * times at most: each try is sent only while a request is on its way. */
static bool stray_cancel(const struct app *app, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && strcmp(state, "57014") == 0 && app->q_exposed && !app->q_cancel_sent
        && !app->user_cancelled && app->q_resends < 3;
}

bool app_send_sql(struct app *app, struct pane *owner, int tag, const char *sql)
{
    if (app->busy || app->worker || !app->bs || app->reconnect[0])
        return false;
    browse_query_free(&app->q);
    app->q.sql = xstrdup(sql);
    app->q.unprepared = true; /* a handful of statements, each sent every few seconds */
    return app_send(app, owner, tag);
}

int app_socket(struct app *app)
{
    return app->busy && !app->conn_lent ? PQsocket(app->conn) : -1;
}

void app_on_readable(struct app *app)
{
    if (app->conn_lent)
        return;
    PGresult *res = NULL;
    char *err = NULL;
    enum browse_poll st = browse_poll(app->bs, &res, &err);
    if (st == BROWSE_POLL_BUSY)
        return;
    app->busy = false;
    struct pane *owner = app->q_owner;
    int tag = app->q_tag;
    if (st == BROWSE_POLL_DONE && stray_cancel(app, res)) {
        PQclear(res);
        app->q_resends++;
        if (send_slot(app, owner, tag))
            return;
        /* not connected: the owner hears of the failure as of any other */
        app->q_owner = NULL;
        if (owner && owner->ops->on_result)
            owner->ops->on_result(owner, tag, &app->q, NULL, "not connected");
        browse_query_free(&app->q);
        return;
    }
    app->q_owner = NULL;
    /* The answered query leaves the slot before its owner sees it, so
     * that the owner may send the next one from on_result. */
    struct browse_query done = app->q;
    memset(&app->q, 0, sizeof app->q);
    bool failed = st == BROWSE_POLL_ERROR;
    if (owner && owner->ops->on_result)
        owner->ops->on_result(owner, tag, &done, failed ? NULL : res,
                              failed ? (err ? err : "the query failed") : NULL);
    free(err);
    PQclear(res);
    browse_query_free(&done);
    /* A job waiting for the slot has it first (worker.h). */
    worker_tick(app);
    if (failed)
        return;
    for (size_t i = 0; i < app->npanes && !app->busy; i++)
        if (app->panes[i]->ops->retry)
            app->panes[i]->ops->retry(app->panes[i]);
    if (!app->busy && app->queued[0] && app->command) {
        char line[256];
        snprintf(line, sizeof line, "%s", app->queued);
        app->queued[0] = '\0';
        app->command(app, line);
    }
    for (size_t i = 0; i < app->npanes; i++)
        if (app->panes[i]->ops->follow_up)
            app->panes[i]->ops->follow_up(app->panes[i]);
}

void app_cancel(struct app *app)
{
    if (app_cancel_query(app)) {
        app->user_cancelled = true;
        ui_status(app, " cancelling the query…");
    }
}

/* ---- drawing helpers ------------------------------------------------------------ */

/* Every value drawn passes here: control characters, escape sequences,
 * bidi overrides and invalid UTF-8 become visible placeholders before the
 * width is measured, so hostile data can neither paint nor misalign. */
void ui_fit(struct app *app, const char *text, size_t len, int width, struct strbuf *out)
{
    sanitize_cell(text, len, width, app->utf8 ? SANITIZE_UTF8 : SANITIZE_ASCII,
                  TEXT_ALIGN_LEFT, out);
}

void ui_put(struct app *app, int y, int x, int width, int role, const char *text)
{
    if (width <= 0 || y < 0 || y >= LINES)
        return;
    /* The empty-value mark: in ASCII '·' would become the '?' that
     * control characters become too. */
    if (!app->utf8 && strcmp(text, "·") == 0)
        text = "-";
    struct strbuf sb;
    sb_init(&sb);
    ui_fit(app, text, strlen(text), width, &sb);
    attrset(app->attr[role]);
    mvaddstr(y, x, sb.buf ? sb.buf : "");
    attrset(A_NORMAL);
    sb_free(&sb);
}

void ui_status(struct app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
    app->status_at = clock_mono_s();
}

void ui_fmt_count(char *buf, size_t size, long long n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", n);
    numfmt_decimal(digits, 0, ",", buf, size);
}
