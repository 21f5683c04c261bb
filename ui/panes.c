/* panes.c - the organizations, contacts and migration panes.
 *
 * Lists hold one page: a key press that leaves the page asks the database
 * for the next one by keyset (WHERE (sort, id) > (last row's sort, id)),
 * asynchronously, so a table of a million rows costs one page of memory
 * and one indexed query per page.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "panes.h"
#include "assess_panel.h"
#include "spawn.h"
#include "edit.h"
#include "export.h"
#include "form.h"
#include "paths.h"
#include "sqltext.h"
#include "dashboard.h"
#include "health.h"
#include "guard.h"
#include "runinfo.h"
#include "numfmt.h"
#include "sanitize.h"

#include <ctype.h>
#include <curses.h>
#include <jansson.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_ROWS 200   /* rows fetched per page: a few screens */

/* ---- list definitions ---------------------------------------------------- */

#define PAGE_ROWS 200   /* rows fetched per page: a few screens */

struct col_def {
    int col;            /* browse column index */
    const char *header;
    int width;          /* preferred; the last visible column takes the rest */
    bool right;         /* numbers align right */
    const char *sort;   /* the sort (browse_sort_name) this column shows, or NULL */
    int min;            /* narrowest width that shows a value whole (dates,
                           money): narrower, the column is not shown; 0 for
                           text, which may be cut with an ellipsis */
};

static const struct col_def org_cols[] = {
    {BROWSE_ORG_NAME, "Name", 30, false, "name", 0},
    {BROWSE_ORG_PRIORITY, "P", 1, false, "priority", 0},
    {BROWSE_ORG_SEGMENT, "Segment", 13, false, "segment", 0},
    {BROWSE_ORG_STATUS, "Status", 8, false, "status", 0},
    {BROWSE_ORG_CITY, "City", 14, false, "city", 0},
    {BROWSE_ORG_STATE, "St", 2, false, NULL, 0},
    {BROWSE_ORG_NEXT_FOLLOW_UP, "Follow-up", 11, false, "nextFollowUpDate", 11},
    {BROWSE_ORG_EST_REVENUE, "Revenue", 14, true, "estimatedRevenue", 14},
    {BROWSE_ORG_TYPE, "Type", 8, false, NULL, 0},
    {BROWSE_ORG_UPDATED_AT, "Updated", 16, false, "updatedAt", 10},
};
static const struct col_def contact_cols[] = {
    {BROWSE_CONTACT_LAST_NAME, "Last name", 16, false, "lastName", 0},
    {BROWSE_CONTACT_FIRST_NAME, "First name", 14, false, NULL, 0},
    {BROWSE_CONTACT_EMAIL, "Email", 26, false, NULL, 0},
    {BROWSE_CONTACT_PHONE, "Phone", 14, false, NULL, 0},
    {BROWSE_CONTACT_IS_PRIMARY, "Pri", 3, false, NULL, 0},
    {BROWSE_CONTACT_ORG_NAME, "Organization", 24, false, NULL, 0},
    {BROWSE_CONTACT_POSITION, "Position", 18, false, NULL, 0},
};

static const struct col_def *cols_of(int pane, size_t *n)
{
    if (pane == PANE_ORGS) {
        *n = sizeof org_cols / sizeof org_cols[0];
        return org_cols;
    }
    *n = sizeof contact_cols / sizeof contact_cols[0];
    return contact_cols;
}

/* ":sort revenue", ":sort follow-up": a column's header names its sort
 * too (any case, without spaces or dashes). */
static bool sort_by_header(int pane, const char *name, enum browse_sort *out)
{
    size_t n;
    const struct col_def *cols = cols_of(pane, &n);
    for (size_t c = 0; c < n; c++) {
        if (!cols[c].sort)
            continue;
        const char *h = cols[c].header, *q = name;
        while (*h || *q) {
            if (*h == ' ' || *h == '-') { h++; continue; }
            if (*q == ' ' || *q == '-') { q++; continue; }
            if (!*h || !*q || tolower((unsigned char)*h) != tolower((unsigned char)*q))
                break;
            h++, q++;
        }
        if (!*h && !*q)
            return browse_sort_find(pane == PANE_ORGS ? BROWSE_ORGS : BROWSE_CONTACTS, cols[c].sort, out);
    }
    return false;
}

static enum browse_entity entity_of(int pane)
{
    return pane == PANE_ORGS ? BROWSE_ORGS : BROWSE_CONTACTS;
}

/* ---- the query in flight ------------------------------------------------------ */

static void send_query(struct app *app, enum pending what, int pane, enum browse_move move)
{
    char *err = NULL;
    if (app->reconnect[0]) {
        ui_status(app, " not connected: reconnecting (the header says when)");
        browse_query_free(&app->q);
        return;
    }
    if (!app->bs || !browse_send(app->bs, &app->q, &err)) {
        ui_status(app, " %s", err ? err : "not connected");
        free(err);
        browse_query_free(&app->q);
        return;
    }
    app->busy = true;
    app->pending = what;
    app->pending_pane = pane;
    app->pending_move = move;
}

/* Asks for a page: FIRST/LAST from an end, NEXT/PREV after the last or
 * before the first row shown, AROUND the row of key (goto, sort change). */
static void list_fetch(struct app *app, int pane, enum browse_move move, const struct browse_key *key)
{
    struct list_view *l = &app->lists[pane];
    if (app->busy) {
        /* One query at a time. Paging keys are carried (see carry); a
         * reload, re-sort or jump is redone once the current query ends,
         * so the rows never disagree with the header. */
        if (move != BROWSE_NEXT && move != BROWSE_PREV) {
            l->stale = true;
            l->loading = true;
        }
        return;
    }
    struct browse_key edge = {0};
    if (!key && (move == BROWSE_NEXT || move == BROWSE_PREV)) {
        if (l->page.nrows == 0)
            move = BROWSE_FIRST;
        else
            browse_key_from_row(l->spec.sort, l->page.rows[move == BROWSE_NEXT ? l->page.nrows - 1 : 0],
                                &edge);
        key = &edge;
    }
    char *err = NULL;
    if (!browse_build_page(&app->q, &l->spec, move, key, PAGE_ROWS, &err)) {
        ui_status(app, " %s", err);
        free(err);
    } else {
        send_query(app, PEND_PAGE, pane, move);
        l->loading = move != BROWSE_NEXT && move != BROWSE_PREV;
    }
    browse_key_free(&edge);
}

static void list_count(struct app *app, int pane)
{
    char *err = NULL;
    if (app->busy || !browse_build_count(&app->q, &app->lists[pane].spec, false, &err)) {
        free(err);
        return;
    }
    send_query(app, PEND_COUNT, pane, BROWSE_FIRST);
}

static void list_reload(struct app *app, int pane)
{
    struct list_view *l = &app->lists[pane];
    l->estimate = -1;
    list_fetch(app, pane, BROWSE_FIRST, NULL);
}

bool panes_send_sql(struct app *app, enum pending what, const char *sql)
{
    if (app->busy || !app->bs || app->reconnect[0])
        return false;
    browse_query_free(&app->q);
    app->q.sql = xstrdup(sql);
    app->q.unprepared = true; /* a handful of statements, each sent every few seconds */
    send_query(app, what, PANE_ORGS, BROWSE_FIRST);
    return app->busy;
}

int panes_socket(struct app *app)
{
    return app->busy ? PQsocket(app->conn) : -1;
}

bool panes_drain(struct app *app)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (app->busy) {
        struct pollfd pfd = {PQsocket(app->conn), POLLIN, 0};
        poll(&pfd, 1, 100);
        panes_on_readable(app);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (app->busy && t.tv_sec - t0.tv_sec >= 5)
            return false;
    }
    return true;
}

void panes_cancel(struct app *app)
{
    if (!app->busy)
        return;
    PGcancel *c = PQgetCancel(app->conn);
    char buf[256];
    if (c && PQcancel(c, buf, sizeof buf))
        ui_status(app, " cancelling the query…");
    if (c)
        PQfreeCancel(c);
}

static void goto_hit(struct app *app, int pane);
static void open_detail(struct app *app);
static void list_resort(struct app *app, int pane, enum browse_sort sort, bool desc);

static void on_page(struct app *app, int pane, PGresult *res)
{
    struct list_view *l = &app->lists[pane];
    l->loading = l->stale;
    struct browse_page page = {0};
    char *err = NULL;
    if (!browse_parse_page(&app->q, res, &page, &err)) {
        ui_status(app, " %s", err);
        free(err);
        l->carry = 0;
        return;
    }
    enum browse_move move = app->pending_move;
    if (page.nrows == 0 && (move == BROWSE_NEXT || move == BROWSE_PREV)) {
        /* Nothing further that way: stay on this page. */
        if (move == BROWSE_NEXT)
            l->page.at_end = true;
        else
            l->page.at_start = true;
        l->carry = 0;
        browse_page_free(&page);
        return;
    }
    /* Where the new page sits in the whole list, when paging from a known
     * place tells (keyset pages have no OFFSET to ask). */
    if (move == BROWSE_FIRST)
        l->offset = 0;
    else if (move == BROWSE_NEXT && l->offset >= 0)
        l->offset += (int64_t)l->page.nrows;
    else if (move == BROWSE_PREV && l->offset >= 0)
        l->offset = l->offset >= (int64_t)page.nrows ? l->offset - (int64_t)page.nrows : -1;
    else
        l->offset = page.at_start ? 0 : -1;
    browse_page_free(&l->page);
    l->page = page;
    l->loaded = true;
    size_t n = page.nrows;
    switch (move) {
    case BROWSE_NEXT: {
        long at = l->carry > 0 ? l->carry - 1 : 0;
        l->selected = at < (long)n ? (size_t)at : (n ? n - 1 : 0);
        l->top = 0;
        break;
    }
    case BROWSE_PREV: {
        long back = l->carry < 0 ? -l->carry - 1 : 0;
        l->selected = n > (size_t)back ? n - 1 - (size_t)back : 0;
        l->top = n > (size_t)app->page_rows ? n - (size_t)app->page_rows : 0;
        break;
    }
    case BROWSE_LAST:
        l->selected = n ? n - 1 : 0;
        l->top = n > (size_t)app->page_rows ? n - (size_t)app->page_rows : 0;
        break;
    case BROWSE_AROUND:
        if (page.focus >= 0) {
            l->selected = (size_t)page.focus;
            if (l->goto_pending) {
                /* say where a goto landed: the row may already have been
                 * on screen, and the cursor move alone is easy to miss */
                char **row = page.rows[page.focus];
                if (pane == PANE_ORGS)
                    ui_status(app, " at %s", row[BROWSE_ORG_NAME] ? row[BROWSE_ORG_NAME] : "");
                else
                    ui_status(app, " at %s %s", row[BROWSE_CONTACT_FIRST_NAME] ? row[BROWSE_CONTACT_FIRST_NAME] : "",
                              row[BROWSE_CONTACT_LAST_NAME] ? row[BROWSE_CONTACT_LAST_NAME] : "");
            }
        } else {
            /* After a delete the row is simply gone; only a goto the user
             * asked for deserves an explanation. */
            l->selected = 0;
            if (l->goto_pending)
                ui_status(app, " that row is hidden by the filters");
        }
        l->goto_pending = false;
        l->top = l->selected > (size_t)app->page_rows / 2 ? l->selected - (size_t)app->page_rows / 2 : 0;
        break;
    case BROWSE_FIRST:
    default:
        l->selected = 0;
        l->top = 0;
        break;
    }
    l->carry = 0;
}

void panes_on_readable(struct app *app)
{
    PGresult *res = NULL;
    char *err = NULL;
    enum browse_poll st = browse_poll(app->bs, &res, &err);
    if (st == BROWSE_POLL_BUSY)
        return;
    app->busy = false;
    enum pending what = app->pending;
    int pane = app->pending_pane;
    app->pending = PEND_NONE;
    if (st == BROWSE_POLL_ERROR && (what == PEND_DASHBOARD || what == PEND_HEALTH)) {
        /* these panes show their own errors (a pg_monitor role is
         * refused some reads: that is a note, not a status line) */
        if (what == PEND_DASHBOARD)
            dashboard_on_result(app, NULL, err);
        else
            health_pane_on_result(app, NULL, err);
        free(err);
        PQclear(res);
        browse_query_free(&app->q);
        return;
    }
    if (st == BROWSE_POLL_ERROR) {
        ui_status(app, " %s", err ? err : "the query failed");
        free(err);
        PQclear(res);
        browse_query_free(&app->q);
        return;
    }
    struct list_view *l = &app->lists[pane];
    bool want_count = false;
    switch (what) {
    case PEND_PAGE:
        on_page(app, pane, res);
        want_count = l->estimate < 0;
        break;
    case PEND_COUNT: {
        int64_t n;
        if (browse_parse_count(&app->q, res, &n, &err))
            l->estimate = n;
        free(err);
        break;
    }
    case PEND_SEARCH:
        browse_hits_free(&l->hits);
        if (!browse_parse_hits(&app->q, res, &l->hits, &err)) {
            ui_status(app, " %s", err);
            free(err);
        } else if (l->hits.n == 0) {
            ui_status(app, " no match for '%s'", l->search);
        } else {
            l->hit = 0;
            ui_status(app, " %zu %s match%s for '%s' (n/N to move)", l->hits.n,
                      browse_match_name(l->hits.how), l->hits.n == 1 ? "" : "es", l->search);
            PQclear(res);
            browse_query_free(&app->q);
            goto_hit(app, pane);
            return;
        }
        break;
    case PEND_LOOKUP: {
        struct browse_page found = {0};
        if (!browse_parse_page(&app->q, res, &found, &err) || found.nrows == 0) {
            l->loading = false;
            ui_status(app, " %s", err ? err : "no such row");
            free(err);
            browse_page_free(&found);
            break;
        }
        struct browse_key key = {0};
        browse_key_from_row(l->spec.sort, found.rows[0], &key);
        browse_page_free(&found);
        PQclear(res);
        browse_query_free(&app->q);
        list_fetch(app, pane, BROWSE_AROUND, &key);
        browse_key_free(&key);
        return;
    }
    case PEND_DETAIL: {
        bool again = app->detail_open; /* a refresh keeps the scroll */
        browse_org_detail_free(&app->detail);
        if (!browse_parse_org_detail(&app->q, res, &app->detail, &err) || !app->detail.found) {
            app->detail_open = false;
            ui_status(app, " %s", err ? err : "the organization is gone");
            free(err);
        } else {
            app->detail_open = true;
            if (!again)
                app->detail_top = 0;
        }
        break;
    }
    case PEND_DASHBOARD:
        dashboard_on_result(app, res, NULL);
        break;
    case PEND_HEALTH:
        health_pane_on_result(app, res, NULL);
        break;
    case PEND_NONE:
        break;
    }
    PQclear(res);
    browse_query_free(&app->q);
    for (int i = 0; i < 2 && !app->busy; i++) {
        struct list_view *sl = &app->lists[i];
        if (sl->stale) {
            sl->stale = false;
            list_resort(app, i, sl->spec.sort, sl->spec.desc);
        }
    }
    if (!app->busy && app->queued[0]) {
        char line[256];
        snprintf(line, sizeof line, "%s", app->queued);
        app->queued[0] = '\0';
        panes_command(app, line);
    }
    if (want_count && !app->busy)
        list_count(app, pane);
    /* Details open over a list that was just reloaded (a save, r): read
     * them again for the row the list now shows. */
    if (app->detail_reload && !app->busy && !app->lists[PANE_ORGS].loading) {
        app->detail_reload = false;
        if (app->detail_open && app->pane == PANE_ORGS)
            open_detail(app);
    }
}

/* Jumps to a row by id or legacy id: a lookup, then the page around it. */
static void list_goto(struct app *app, int pane, const char *text)
{
    char *err = NULL;
    if (app->busy)
        return;
    if (!browse_build_lookup(&app->q, entity_of(pane), text, &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    send_query(app, PEND_LOOKUP, pane, BROWSE_AROUND);
    app->lists[pane].loading = true;
    app->lists[pane].goto_pending = true;
}

static void goto_hit(struct app *app, int pane)
{
    struct list_view *l = &app->lists[pane];
    if (l->hits.n == 0)
        return;
    ui_status(app, " match %zu of %zu for '%s' (%s)%s", l->hit + 1, l->hits.n, l->search,
              l->hits.labels && l->hits.labels[l->hit] ? l->hits.labels[l->hit] : "",
              l->hits.how == BROWSE_MATCH_SIMILAR ? "; no name has these words: near spellings"
              : l->hits.how == BROWSE_MATCH_SUBSTRING ? "; inside words" : "");
    list_goto(app, pane, l->hits.ids[l->hit]);
    l->goto_pending = false; /* the match line already says where we are */
}

void panes_search(struct app *app, const char *term)
{
    int pane = app->pane;
    if (pane >= PANE_MIGRATION || !*term)
        return;
    struct list_view *l = &app->lists[pane];
    snprintf(l->search, sizeof l->search, "%s", term);
    char *err = NULL;
    if (app->busy || !browse_build_search(&app->q, &l->spec, term, 500, &err)) {
        ui_status(app, " %s", err ? err : "busy: try again");
        free(err);
        return;
    }
    send_query(app, PEND_SEARCH, pane, BROWSE_FIRST);
}

/* ---- the model --------------------------------------------------------- */

void panes_init(struct app *app)
{
    app->lists[PANE_ORGS].title = "Organizations";
    app->lists[PANE_CONTACTS].title = "Contacts";
    browse_spec_init(&app->lists[PANE_ORGS].spec, BROWSE_ORGS);
    browse_spec_init(&app->lists[PANE_CONTACTS].spec, BROWSE_CONTACTS);
    app->lists[PANE_ORGS].estimate = app->lists[PANE_CONTACTS].estimate = -1;
    app->pane = PANE_ORGS;
}

void panes_free(struct app *app)
{
    assess_panel_free();
    for (int i = 0; i < 2; i++) {
        browse_page_free(&app->lists[i].page);
        browse_hits_free(&app->lists[i].hits);
    }
    browse_org_detail_free(&app->detail);
    browse_query_free(&app->q);
    dashboard_free(app);
    health_pane_free(app);
    form_close(app);
    free(app->delete_id);
    free(app->delete_token);
    free(app->mig_source);
}

void panes_switch(struct app *app, int pane)
{
    app->pane = pane;
    app->detail_open = false;
    if (pane < PANE_MIGRATION && !app->lists[pane].loaded)
        list_reload(app, pane);
}

static void list_move(struct app *app, struct list_view *l, long delta)
{
    long target = (long)l->selected + delta;
    if (target < 0) {
        /* Keep the motion: the fetched page is entered as far as the user
         * went past the edge, also when keys arrive while it loads. */
        if (!l->page.at_start) {
            l->carry += target;
            list_fetch(app, app->pane, BROWSE_PREV, NULL);
        }
        target = 0;
    } else if (target >= (long)l->page.nrows) {
        if (!l->page.at_end) {
            l->carry += target - (long)l->page.nrows + 1;
            list_fetch(app, app->pane, BROWSE_NEXT, NULL);
        }
        target = l->page.nrows ? (long)l->page.nrows - 1 : 0;
    }
    l->selected = (size_t)target;
}

/* Re-sorts keeping the cursor on the same row: the row's key under the new
 * sort comes from its own cells, so one page-around query does it. */
static void list_resort(struct app *app, int pane, enum browse_sort sort, bool desc)
{
    struct list_view *l = &app->lists[pane];
    l->spec.sort = sort;
    l->spec.desc = desc;
    if (l->page.nrows == 0) {
        list_reload(app, pane);
        return;
    }
    struct browse_key key = {0};
    browse_key_from_row(sort, l->page.rows[l->selected], &key);
    list_fetch(app, pane, BROWSE_AROUND, &key);
    browse_key_free(&key);
}

static void open_detail(struct app *app)
{
    struct list_view *l = &app->lists[app->pane];
    if (app->busy || l->page.nrows == 0)
        return;
    char **row = l->page.rows[l->selected];
    char *err = NULL;
    if (app->pane == PANE_CONTACTS) {
        /* A contact's Enter jumps to its organization; 1 comes back. */
        const char *org = row[BROWSE_CONTACT_ORG_ID];
        app->pane = PANE_ORGS;
        list_goto(app, PANE_ORGS, org);
        return;
    }
    if (!browse_build_org_detail(&app->q, row[BROWSE_ORG_ID], 20, &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    send_query(app, PEND_DETAIL, app->pane, BROWSE_FIRST);
}

static void migration_action(struct app *app, enum action a);
static void read_migration(struct app *app);
static bool migration_paused(const struct mig_view *m);

void panes_follow(struct app *app, const char *id)
{
    if (app->pane >= PANE_MIGRATION)
        return;
    app->lists[app->pane].estimate = -1;
    list_goto(app, app->pane, id);
    app->lists[app->pane].goto_pending = false; /* a row we just saved is no news */
    app->detail_reload = app->detail_open;
}

void panes_refresh(struct app *app)
{
    if (app->pane >= PANE_MIGRATION)
        return;
    struct list_view *l = &app->lists[app->pane];
    l->estimate = -1;
    list_resort(app, app->pane, l->spec.sort, l->spec.desc);
    app->detail_reload = app->detail_open;
}

/* The organization under the cursor (list or details), or NULL. */
static char **current_org(struct app *app)
{
    struct list_view *l = &app->lists[PANE_ORGS];
    if (app->pane != PANE_ORGS || l->page.nrows == 0)
        return NULL;
    return l->page.rows[l->selected];
}

static void ask_delete(struct app *app)
{
    char *err = NULL;
    if (!panes_drain(app)) {
        ui_status(app, " a query is still running: try again");
        return;
    }
    char **row = current_org(app);
    if (!row)
        return;
    if (!guard_write("editing", &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    struct edit_org o = {0};
    struct edit_cascade c = {0};
    if (edit_org_load(app->conn, row[BROWSE_ORG_ID], &o, &err) != 0
        || edit_org_cascade(app->conn, row[BROWSE_ORG_ID], &c, &err) != 0) {
        ui_status(app, " %s", err ? err : "that organization is gone");
        free(err);
        edit_org_free(&o);
        return;
    }
    free(app->delete_id);
    free(app->delete_token);
    app->delete_id = xstrdup(row[BROWSE_ORG_ID]);
    app->delete_token = xstrdup(o.updated_at);
    edit_org_free(&o);
    app->confirm = ACT_DELETE;
    /* The question first: on a narrow terminal the y/n must still show. */
    char leads[64] = "";
    if (c.leads > 0)
        snprintf(leads, sizeof leads, "; %lld lead%s will have no organization", (long long)c.leads,
                 c.leads == 1 ? "" : "s");
    ui_status(app, " delete %.40s? y/n  (with it %lld contact%s, %lld interaction%s, %lld opportunit%s, "
              "%lld contract%s%s)",
              row[BROWSE_ORG_NAME] ? row[BROWSE_ORG_NAME] : "", (long long)c.contacts,
              c.contacts == 1 ? "" : "s", (long long)c.interactions, c.interactions == 1 ? "" : "s",
              (long long)c.opportunities, c.opportunities == 1 ? "y" : "ies", (long long)c.contracts,
              c.contracts == 1 ? "" : "s", leads);
}

static void do_delete(struct app *app)
{
    char *err = NULL;
    if (!panes_drain(app)) {
        ui_status(app, " a query is still running: try again");
        return;
    }
    enum edit_result r = edit_org_delete(app->conn, app->delete_id, app->delete_token, &err);
    ui_status(app, " %s", r == EDIT_OK ? "deleted"
                          : r == EDIT_CONFLICT ? "not deleted: someone changed it meanwhile (look again)"
                          : r == EDIT_GONE ? "it was already deleted"
                          : err ? err : "could not delete");
    free(err);
    app->detail_open = false;
    panes_refresh(app);
}

void panes_action(struct app *app, enum action a)
{
    if (a == ACT_MIG_START || a == ACT_MIG_PAUSE || a == ACT_MIG_ABORT || a == ACT_MIG_ASSESS) {
        migration_action(app, a);
        return;
    }
    if (app->pane == PANE_DASHBOARD) {
        dashboard_action(app, a);
        return;
    }
    if (app->pane == PANE_HEALTH) {
        health_pane_action(app, a);
        return;
    }
    if (app->pane >= PANE_MIGRATION)
        return;
    char **org = current_org(app);
    switch (a) {
    case ACT_EDIT:
        if (org)
            form_open_edit(app, org[BROWSE_ORG_ID]);
        return;
    case ACT_NEW:
        if (app->pane == PANE_ORGS)
            form_open_new(app);
        return;
    case ACT_DELETE:
        if (app->confirm == ACT_DELETE) /* the y of the question */
            do_delete(app);
        else
            ask_delete(app);
        return;
    case ACT_LOG:
        if (org)
            form_open_log(app, org[BROWSE_ORG_ID], org[BROWSE_ORG_NAME]);
        return;
    default:
        break;
    }
    if (app->detail_open) {
        if (a == ACT_UP && app->detail_top > 0)
            app->detail_top--;
        else if (a == ACT_DOWN)
            app->detail_top++;
        else if (a == ACT_PAGE_DOWN)
            app->detail_top += (size_t)app->page_rows;
        else if (a == ACT_PAGE_UP)
            app->detail_top = app->detail_top > (size_t)app->page_rows ? app->detail_top - (size_t)app->page_rows : 0;
        else if (a == ACT_BACK || a == ACT_OPEN)
            app->detail_open = false;
        else if (a == ACT_REFRESH) {
            /* the list under it too: a name or a sort key may have changed */
            panes_refresh(app);
            ui_status(app, " reloading the details");
        }
        return;
    }
    struct list_view *l = &app->lists[app->pane];
    long page = app->page_rows > 1 ? app->page_rows - 1 : 1;
    switch (a) {
    case ACT_UP: list_move(app, l, -1); break;
    case ACT_DOWN: list_move(app, l, 1); break;
    /* A page key scrolls the view by a page and the cursor with it, from
     * the first press (as less, pspg and htop do), not just the cursor to
     * the edge of the screen; drawing clamps the view to the rows there. */
    case ACT_PAGE_UP:
        l->top = l->top > (size_t)page ? l->top - (size_t)page : 0;
        list_move(app, l, -page);
        break;
    case ACT_PAGE_DOWN:
        l->top += (size_t)page;
        list_move(app, l, page);
        break;
    case ACT_TOP: list_fetch(app, app->pane, BROWSE_FIRST, NULL); break;
    case ACT_BOTTOM: list_fetch(app, app->pane, BROWSE_LAST, NULL); break;
    case ACT_REFRESH: list_reload(app, app->pane); break;
    case ACT_OPEN: open_detail(app); break;
    case ACT_SORT_NEXT: {
        enum browse_entity e = entity_of(app->pane);
        enum browse_sort next = l->spec.sort;
        do
            next = (enum browse_sort)((next + 1) % BROWSE_NSORTS);
        while (browse_sort_entity(next) != e);
        list_resort(app, app->pane, next, l->spec.desc);
        break;
    }
    case ACT_SORT_REVERSE:
        list_resort(app, app->pane, l->spec.sort, !l->spec.desc);
        break;
    case ACT_SCROLL_RIGHT: {
        size_t n;
        cols_of(app->pane, &n);
        if (l->hscroll + 2 < n)
            l->hscroll++;
        break;
    }
    case ACT_SCROLL_LEFT:
        if (l->hscroll > 0)
            l->hscroll--;
        break;
    case ACT_NEXT_HIT:
    case ACT_PREV_HIT:
        if (l->hits.n == 0) {
            ui_status(app, " no search: press / to search");
            break;
        }
        l->hit = a == ACT_NEXT_HIT ? (l->hit + 1) % l->hits.n : (l->hit + l->hits.n - 1) % l->hits.n;
        goto_hit(app, app->pane);
        break;
    default:
        break;
    }
}

/* ---- commands ------------------------------------------------------------ */

/* Export progress: shown on the status line; Esc or ^C cancels. */
struct export_ui {
    struct app *app;
    const char *file;
    double t0;
};

static double export_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int export_tick(void *ctx, int64_t rows)
{
    struct export_ui *x = ctx;
    double dt = export_now() - x->t0;
    ui_status(x->app, " exporting to %s: %lld rows, %.0f rows/s… (Esc cancels)", x->file,
              (long long)rows, dt > 0 ? (double)rows / dt : 0.0);
    console_render(x->app);
    int key;
    while ((key = getch()) != ERR)
        if (keymap_lookup(KEYS_GLOBAL, key) == ACT_CANCEL)
            return 1;
    return 0;
}

/* ":export csv|jsonl FILE": the list with its filters and sort. The rows
 * go to FILE.part, renamed to FILE when complete; a cancel or an error
 * removes it, so FILE is never half written. */
static void export_list_ui(struct app *app, int pane, const char *args)
{
    char format[16] = "", file[512] = "";
    enum export_format fmt;
    if (sscanf(args, "%15s %511[^\n]", format, file) != 2 || !export_format_parse(format, &fmt)) {
        ui_status(app, " usage: export csv|jsonl FILE");
        return;
    }
    const char *home = getenv("HOME");
    if (file[0] == '~' && file[1] == '/' && home) { /* as a shell would */
        char expanded[512];
        snprintf(expanded, sizeof expanded, "%s/%s", home, file + 2);
        snprintf(file, sizeof file, "%s", expanded);
    }
    /* An existing file is replaced only when the user says so. */
    struct stat st;
    if (app->confirm != ACT_COMMAND && lstat(file, &st) == 0 && S_ISREG(st.st_mode)) {
        snprintf(app->confirm_line, sizeof app->confirm_line, "export %s", args);
        app->confirm = ACT_COMMAND;
        ui_status(app, " %s exists: replace it? y/n", file);
        return;
    }
    if (!panes_drain(app)) {
        ui_status(app, " a query is still running: try again");
        return;
    }
    char *err = NULL, *tmp = NULL;
    FILE *out = export_open(file, &tmp, &err);
    if (!out) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    struct export_ui x = {app, file, export_now()};
    int64_t n = export_list(app->bs, &app->lists[pane].spec, fmt, out, export_tick, &x, &err);
    if (!export_finish(out, file, tmp, n >= 0, &err) && n >= 0)
        n = -1;
    if (n >= 0)
        ui_status(app, " exported %lld rows to %s (%s)", (long long)n, file, export_format_name(fmt));
    else if (n == -2)
        ui_status(app, " export cancelled; nothing was written to %s", file);
    else
        ui_status(app, " %s", err ? err : "export failed");
    free(err);
}

bool panes_command(struct app *app, const char *line)
{
    char verb[32] = "", rest[256] = "";
    sscanf(line, " %31s %255[^\n]", verb, rest);
    if (!*verb)
        return true;
    /* A command that needs the connection waits for the query in flight
     * instead of being dropped: the user typed it on purpose. */
    if (app->busy && (!strcmp(verb, "goto") || !strcmp(verb, "search") || !strcmp(verb, "export")
                      || !strcmp(verb, "filter") || !strcmp(verb, "sort"))) {
        snprintf(app->queued, sizeof app->queued, "%s", line);
        return true;
    }
    int pane = app->pane < PANE_MIGRATION ? app->pane : PANE_ORGS;
    struct list_view *l = &app->lists[pane];
    char *err = NULL;
    if (strcmp(verb, "q") == 0 || strcmp(verb, "quit") == 0) {
        app->quit = true;
    } else if (strcmp(verb, "orgs") == 0 || strcmp(verb, "contacts") == 0
               || strcmp(verb, "migration") == 0) {
        panes_switch(app, verb[0] == 'o' ? PANE_ORGS : verb[0] == 'c' ? PANE_CONTACTS : PANE_MIGRATION);
    } else if (strcmp(verb, "sort") == 0) {
        const char *name = rest;
        bool desc = *name == '-';
        if (*name == '-' || *name == '+')
            name++;
        enum browse_sort s;
        if (!browse_sort_find(l->spec.entity, name, &s) && !sort_by_header(pane, name, &s)) {
            struct strbuf sb;
            sb_init(&sb);
            for (int k = 0; k < BROWSE_NSORTS; k++)
                if (browse_sort_entity((enum browse_sort)k) == l->spec.entity)
                    sb_addf(&sb, "%s%s", sb.len ? ", " : "", browse_sort_name((enum browse_sort)k));
            ui_status(app, " unknown sort '%s'; sorts: %s (or a column's header)", name, sb.buf ? sb.buf : "");
            sb_free(&sb);
            return false;
        }
        list_resort(app, pane, s, desc);
    } else if (strcmp(verb, "filter") == 0) {
        if (strcmp(rest, "clear") == 0 || !*rest) {
            enum browse_entity e = l->spec.entity;
            enum browse_sort s = l->spec.sort;
            bool desc = l->spec.desc;
            browse_spec_init(&l->spec, e);
            l->spec.sort = s;
            l->spec.desc = desc;
            l->nfilters = 0;
        } else if (l->nfilters >= 4 || strlen(rest) >= sizeof l->filters[0]) {
            /* The parsed filter points into its spec, so the spec must be
             * kept in l->filters: parsing `rest` (a stack buffer) would
             * leave the filter dangling once this function returns. */
            ui_status(app, l->nfilters >= 4 ? " at most 4 filters; :filter clear to start over"
                                            : " filter too long");
            return false;
        } else {
            char *copy = l->filters[l->nfilters];
            memcpy(copy, rest, strlen(rest) + 1);
            if (!browse_filter_parse(&l->spec.filter, copy, &err)) {
                /* a wrong value: say which ones there are */
                char field[32] = "";
                sscanf(rest, "%31[^=]", field);
                size_t n = 0;
                const char *const *labels = strstr(err, "is not a label") ? browse_filter_labels(field, &n) : NULL;
                struct strbuf sb;
                sb_init(&sb);
                for (size_t i = 0; labels && i < n; i++)
                    sb_addf(&sb, "%s%s", i ? ", " : "", labels[i]);
                ui_status(app, " %s%s%s%s", err, sb.len ? " (one of: " : "", sb.len ? sb.buf : "",
                          sb.len ? ")" : "");
                sb_free(&sb);
                free(err);
                return false;
            }
            l->nfilters++;
        }
        list_reload(app, pane);
    } else if (strcmp(verb, "goto") == 0) {
        if (!*rest) {
            ui_status(app, " goto needs a UUID or a legacy id");
            return false;
        }
        panes_switch(app, pane);
        list_goto(app, pane, rest);
    } else if (strcmp(verb, "search") == 0) {
        panes_search(app, rest);
    } else if (strcmp(verb, "export") == 0) {
        export_list_ui(app, pane, rest);
    } else {
        ui_status(app, " unknown command '%s' (try sort, filter, goto, search, export, orgs, "
                  "contacts, migration, quit)", verb);
        return false;
    }
    return true;
}

/* ---- session --------------------------------------------------------------- */

/* Each connection (server, database, role) keeps its own session: two
 * consoles on two databases must not restore each other's filters. */
static const char *ns_key(const struct app *app, const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s", app->session_ns, key);
    return buf;
}

void panes_save_session(struct app *app)
{
    char *err = NULL;
    struct state *st = state_open(app->state_path, &err);
    if (!st) {
        free(err);
        return;
    }
    char buf[64], nk[400];
    snprintf(buf, sizeof buf, "%d", app->pane);
    state_session_put(st, ns_key(app, "pane", nk, sizeof nk), buf, &err);
    for (int i = 0; i < 2; i++) {
        struct list_view *l = &app->lists[i];
        const char *prefix = i == PANE_ORGS ? "orgs" : "contacts";
        char key[64], val[600];
        snprintf(key, sizeof key, "%s.sort", prefix);
        snprintf(val, sizeof val, "%s%s", l->spec.desc ? "-" : "", browse_sort_name(l->spec.sort));
        state_session_put(st, ns_key(app, key, nk, sizeof nk), val, &err);
        snprintf(key, sizeof key, "%s.filters", prefix);
        val[0] = '\0';
        for (size_t k = 0; k < l->nfilters; k++) {
            strncat(val, l->filters[k], sizeof val - strlen(val) - 2);
            strncat(val, "\n", sizeof val - strlen(val) - 1);
        }
        state_session_put(st, ns_key(app, key, nk, sizeof nk), val, &err);
        snprintf(key, sizeof key, "%s.selected", prefix);
        const char *id = l->page.nrows ? l->page.rows[l->selected][0] : "";
        state_session_put(st, ns_key(app, key, nk, sizeof nk), id ? id : "", &err);
        snprintf(key, sizeof key, "%s.search", prefix);
        state_session_put(st, ns_key(app, key, nk, sizeof nk), l->search, &err);
    }
    free(err);
    state_close(st);
}

void panes_restore_session(struct app *app)
{
    struct state *st = state_open_readonly(app->state_path);
    char *selected[2] = {NULL, NULL};
    char nk[400];
    if (st) {
        for (int i = 0; i < 2; i++) {
            struct list_view *l = &app->lists[i];
            const char *prefix = i == PANE_ORGS ? "orgs" : "contacts";
            char key[64];
            snprintf(key, sizeof key, "%s.sort", prefix);
            char *v = state_session_get(st, ns_key(app, key, nk, sizeof nk));
            enum browse_sort s;
            if (v && browse_sort_find(l->spec.entity, v + (*v == '-'), &s)) {
                l->spec.sort = s;
                l->spec.desc = *v == '-';
            }
            free(v);
            snprintf(key, sizeof key, "%s.filters", prefix);
            v = state_session_get(st, ns_key(app, key, nk, sizeof nk));
            for (char *save = NULL, *f = v ? strtok_r(v, "\n", &save) : NULL; f && l->nfilters < 4;
                 f = strtok_r(NULL, "\n", &save)) {
                char *err = NULL;
                snprintf(l->filters[l->nfilters], sizeof l->filters[0], "%s", f);
                if (browse_filter_parse(&l->spec.filter, l->filters[l->nfilters], &err))
                    l->nfilters++;
                free(err);
            }
            free(v);
            snprintf(key, sizeof key, "%s.search", prefix);
            v = state_session_get(st, ns_key(app, key, nk, sizeof nk));
            if (v)
                snprintf(l->search, sizeof l->search, "%s", v);
            free(v);
            snprintf(key, sizeof key, "%s.selected", prefix);
            selected[i] = state_session_get(st, ns_key(app, key, nk, sizeof nk));
        }
        char *pane = state_session_get(st, ns_key(app, "pane", nk, sizeof nk));
        if (pane && atoi(pane) >= 0 && atoi(pane) < PANE_COUNT)
            app->pane = atoi(pane);
        free(pane);
        state_close(st);
    }
    /* The selected row comes back through a goto; other lists load lazily. */
    if (app->pane < PANE_MIGRATION && selected[app->pane] && *selected[app->pane]) {
        list_goto(app, app->pane, selected[app->pane]);
        /* coming back where we were is no news (and must not cover the
         * answer to a key typed while the page loads) */
        app->lists[app->pane].goto_pending = false;
    } else
        panes_switch(app, app->pane);
    free(selected[0]);
    free(selected[1]);
}

/* ---- drawing ------------------------------------------------------------- */

/* The form's label of an organization column ("ZIP code" for zipCode). */
static const char *field_label(const char *column)
{
    static const struct { const char *column, *label; } more[] = {
        {"id", "Id"}, {"createdAt", "Created"}, {"updatedAt", "Updated"}, {"metadata", "Metadata"},
    };
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].column, column) == 0)
            return f[i].label;
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (strcmp(more[i].column, column) == 0)
            return more[i].label;
    return column;
}

/* "2026-12-07 07:21:35.07+00": PostgreSQL's timestamp text. */
static bool is_timestamp(const char *v)
{
    return strlen(v) >= 16 && v[4] == '-' && v[7] == '-' && v[10] == ' ' && v[13] == ':'
           && strspn(v, "0123456789") == 4;
}

/* The leaves of a JSON object as "  path.to.key  value" lines (a value's
 * own line breaks become visible marks when drawn, never new lines). */
static void add_json_leaves(struct strbuf *lines, json_t *o, const char *prefix)
{
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (json_is_object(val) && json_object_size(val) > 0) {
            add_json_leaves(lines, val, path);
            continue;
        }
        char *text = json_is_string(val) ? xstrdup(json_string_value(val))
                                         : json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
        for (char *c = text; c && *c; c++)
            if (*c == '\n')
                *c = ' ';
        sb_addf(lines, "  %-24s %s\n", path, text ? text : "");
        free(text);
    }
}

/* "expectedCloseDate" -> "Expected close date". */
static void humanize(const char *name, char *out, size_t size)
{
    size_t o = 0;
    if (strncmp(name, "is", 2) == 0 && isupper((unsigned char)name[2]))
        name += 2; /* isPrimary -> Primary */
    for (const char *p = name; *p && o + 2 < size; p++) {
        if (p == name)
            out[o++] = (char)toupper((unsigned char)*p);
        else if (isupper((unsigned char)*p)) {
            out[o++] = ' ';
            out[o++] = (char)tolower((unsigned char)*p);
        } else
            out[o++] = *p;
    }
    out[o] = '\0';
}

/* A related list's value as the lists show it: timestamps to the minute,
 * money with cents, booleans as words, NULL as the empty mark. */
static const char *detail_value(const char *column, const char *v, char *buf, size_t size)
{
    if (!v)
        return "·";
    if (is_timestamp(v)) {
        snprintf(buf, size, "%.16s", v);
        return buf;
    }
    if (strcmp(column, "value") == 0) {
        numfmt_decimal(v, 2, numfmt_thousands_sep(), buf, size);
        return buf;
    }
    if (strncmp(column, "is", 2) == 0 && isupper((unsigned char)column[2])
        && (!strcmp(v, "t") || !strcmp(v, "f") || !strcmp(v, "true") || !strcmp(v, "false")))
        return v[0] == 't' ? "yes" : "no";
    return v;
}

static void draw_detail(struct app *app, int y, int x, int h, int w)
{
    struct browse_org_detail *d = &app->detail;
    struct strbuf lines;
    sb_init(&lines);
    /* Build the view as lines, then draw the visible window of them. */
    sb_addf(&lines, "\x01%s\n", d->fields[1] ? d->fields[1] : "");
    for (size_t i = 0; i < d->nfields; i++) {
        const char *v = d->fields[i];
        char buf[64];
        if (v && is_timestamp(v)) {
            snprintf(buf, sizeof buf, "%.16s", v); /* the lists' precision: minutes */
            v = buf;
        } else if (v && strcmp(d->field_names[i], "estimatedRevenue") == 0) {
            numfmt_decimal(v, 2, numfmt_thousands_sep(), buf, sizeof buf);
            v = buf;
        }
        if (v && strcmp(d->field_names[i], "metadata") == 0 && strcmp(v, "{}") != 0) {
            /* readable: one "path  value" line per leaf, not raw JSON */
            json_error_t jerr;
            json_t *o = json_loads(v, 0, &jerr);
            if (o && json_is_object(o)) {
                sb_addf(&lines, "%-18s\n", field_label(d->field_names[i]));
                add_json_leaves(&lines, o, "");
                json_decref(o);
                continue;
            }
            json_decref(o);
        }
        sb_addf(&lines, "%-18s %s\n", field_label(d->field_names[i]), v ? v : "·");
    }
    sb_addf(&lines, "\n\x01" "Contacts %lld, interactions %lld (last %s), opportunities %lld "
                    "(pipeline %s), contracts %lld, leads %lld\n",
            (long long)d->contact_count, (long long)d->interaction_count,
            d->last_interaction ? d->last_interaction : "never", (long long)d->opportunity_count,
            d->pipeline_value ? d->pipeline_value : "0", (long long)d->contract_count,
            (long long)d->lead_count);
    const struct { const char *title; struct browse_table *t; } lists[] = {
        {"Contacts", &d->contacts}, {"Latest interactions", &d->interactions},
        {"Opportunities", &d->opportunities}, {"Contracts", &d->contracts}, {"Leads", &d->leads},
    };
    /* Each related list as a small table: a heading per column, the
     * columns as wide as their widest value (at most 28). */
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        struct browse_table *t = lists[k].t;
        sb_addf(&lines, "\n\x01%s (%zu shown)\n", lists[k].title, t->nrows);
        if (t->nrows == 0)
            continue;
        size_t nc = t->ncols < 8 ? t->ncols : 8;
        int cw[8] = {0};
        char head[8][40], buf[64];
        for (size_t c = 1; c < nc; c++) {
            humanize(t->colnames[c], head[c], sizeof head[c]);
            cw[c] = text_width(head[c], strlen(head[c]));
            for (size_t r = 0; r < t->nrows; r++) {
                const char *v = detail_value(t->colnames[c], t->cells[r * t->ncols + c], buf, sizeof buf);
                int vw = text_width(v, strlen(v));
                cw[c] = vw > cw[c] ? vw : cw[c];
            }
            if (cw[c] > 28)
                cw[c] = 28;
        }
        struct strbuf cell;
        sb_init(&cell);
        sb_adds(&lines, "\x02");
        for (size_t c = 1; c < nc; c++) {
            sb_reset(&cell);
            ui_fit(app, head[c], strlen(head[c]), cw[c], &cell);
            sb_addf(&lines, "  %s", cell.buf ? cell.buf : "");
        }
        sb_addc(&lines, '\n');
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t c = 1; c < nc; c++) {
                const char *v = detail_value(t->colnames[c], t->cells[r * t->ncols + c], buf, sizeof buf);
                sb_reset(&cell);
                ui_fit(app, v, strlen(v), cw[c], &cell);
                sb_addf(&lines, "  %s", cell.buf ? cell.buf : "");
            }
            sb_addc(&lines, '\n');
        }
        sb_free(&cell);
    }
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(lines.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
        if (n < app->detail_top)
            continue;
        int row = y + (int)(n - app->detail_top);
        if (row >= y + h)
            break;
        bool title = line[0] == '\x01', heading = line[0] == '\x02';
        ui_put(app, row, x, w, title ? ROLE_TITLE : heading ? ROLE_DIM : ROLE_OK,
               title || heading ? line + 1 : line);
    }
    if (app->detail_top >= n && n > 0)
        app->detail_top = n - 1;
    sb_free(&lines);
}

/* Underlines, in a cell already drawn, the words that begin with a word
 * of the search (ASCII case folded), as less and vim mark their matches. */
static void highlight_words(struct app *app, int y, int x, int width, int role, const char *value,
                            const char *search)
{
    struct strbuf cell;
    sb_init(&cell);
    ui_fit(app, value, strlen(value), width, &cell);
    const char *t = cell.buf ? cell.buf : "";
    for (const char *w = search; *w;) {
        while (*w == ' ')
            w++;
        size_t wl = strcspn(w, " ");
        if (wl == 0)
            break;
        for (const char *p = t; *p; p++) {
            bool starts = p == t || p[-1] == ' ' || p[-1] == '-' || p[-1] == '(';
            if (!starts || strncasecmp(p, w, wl) != 0)
                continue;
            int col = text_width(t, (size_t)(p - t));
            if (col >= width)
                break;
            char seg[128];
            snprintf(seg, sizeof seg, "%.*s", (int)(wl < sizeof seg - 1 ? wl : sizeof seg - 1), p);
            attrset(app->attr[role] | A_UNDERLINE | A_BOLD);
            mvaddnstr(y, x + col, seg, width - col);
            attrset(A_NORMAL);
        }
        w += wl;
    }
    sb_free(&cell);
}

static void draw_list(struct app *app, struct list_view *l, int y, int x, int h, int w)
{
    char title[400], est[80] = "";
    bool exact = l->page.at_start && l->page.at_end; /* the whole list is on this page */
    if (l->page.nrows && l->offset >= 0) {
        long long total = exact ? (long long)l->page.nrows : (long long)l->estimate;
        if (total >= 0)
            snprintf(est, sizeof est, "  row %lld of %s%lld", (long long)l->offset + (long long)l->selected + 1,
                     exact ? "" : "~", total);
        else
            snprintf(est, sizeof est, "  row %lld", (long long)l->offset + (long long)l->selected + 1);
    } else if (l->page.nrows && exact) {
        snprintf(est, sizeof est, "  row %zu of %zu", l->selected + 1, l->page.nrows);
    } else if (l->estimate >= 0) {
        snprintf(est, sizeof est, "  ~%lld rows", (long long)l->estimate);
    }
    char *filters = browse_filter_describe(l->spec.entity, &l->spec.filter);
    snprintf(title, sizeof title, "%s  sorted by %s %s%s%s%s%s", l->title,
             browse_sort_name(l->spec.sort), l->spec.desc ? "(descending)" : "(ascending)", est,
             filters && *filters ? "  filter: " : "", filters ? filters : "",
             l->loaded && !l->loading ? "" : "  loading…");
    free(filters);
    ui_put(app, y, x, w, ROLE_TITLE, title);
    int rows = h - 2;
    app->page_rows = rows > 0 ? rows : 1;
    size_t nall;
    const struct col_def *all = cols_of(app->pane, &nall);
    /* Horizontal scroll: the first column (the name) stays, the others
     * start hscroll columns further right. */
    if (l->hscroll + 1 >= nall)
        l->hscroll = nall > 2 ? nall - 2 : 0;
    struct col_def cols[16];
    size_t ncols = 0;
    for (size_t c = 0; c < nall && ncols < 16; c++)
        if (c == 0 || c > l->hscroll)
            cols[ncols++] = all[c];
    /* Column layout: preferred widths while they fit, the last one stretches. */
    int colw[16], cx = x;
    size_t shown = 0;
    const char *sorted = browse_sort_name(l->spec.sort);
    for (size_t c = 0; c < ncols && c < 16 && cx < x + w; c++) {
        int left = x + w - cx;
        /* A column that cannot show its values whole stays hidden (Right
         * brings it): a cut date or amount is worse than none. The name
         * always shows; the last column takes what is left. */
        int need = cols[c].min ? cols[c].min : 3;
        if (c > 0 && need > left)
            break;
        colw[c] = c + 1 == ncols || cols[c].width + 1 > left ? left : cols[c].width;
        /* the sort column's header carries the direction */
        char head[48];
        bool is_sorted = cols[c].sort && sorted && strcmp(cols[c].sort, sorted) == 0;
        snprintf(head, sizeof head, "%s%s", cols[c].header,
                 !is_sorted ? "" : app->utf8 ? (l->spec.desc ? "▼" : "▲") : (l->spec.desc ? "v" : "^"));
        if (cols[c].right) {
            char r[64];
            snprintf(r, sizeof r, "%*s", colw[c] + (int)(strlen(head) - (size_t)text_width(head, strlen(head))), head);
            ui_put(app, y + 1, cx, colw[c], is_sorted ? ROLE_TITLE : ROLE_DIM, r);
        } else {
            ui_put(app, y + 1, cx, colw[c], is_sorted ? ROLE_TITLE : ROLE_DIM, head);
        }
        cx += colw[c] + 1;
        shown++;
    }
    /* A new sort whose column does not fit: scroll it into view once (the
     * user may scroll away again). */
    if (l->spec.sort != l->auto_sort) {
        l->auto_sort = l->spec.sort;
        bool visible = false;
        for (size_t c = 0; c < shown; c++)
            visible |= cols[c].sort && sorted && strcmp(cols[c].sort, sorted) == 0;
        for (size_t c = 1; c < nall && !visible; c++)
            if (all[c].sort && sorted && strcmp(all[c].sort, sorted) == 0) {
                l->hscroll = c - 1;
                for (int r = y; r < y + h; r++)
                    mvhline(r, x, ' ', w);
                draw_list(app, l, y, x, h, w);
                return;
            }
    }
    /* more columns either side: say so at the ends of the header */
    if (shown < ncols)
        ui_put(app, y + 1, x + w - 1, 1, ROLE_TITLE, app->utf8 ? "▸" : ">");
    if (l->hscroll > 0 && colw[0] > 1)
        ui_put(app, y + 1, x + colw[0] - 1, 1, ROLE_TITLE, app->utf8 ? "◂" : "<");
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (l->selected < l->top)
        l->top = l->selected;
    if (rows > 0 && l->selected >= l->top + (size_t)rows)
        l->top = l->selected - (size_t)rows + 1;
    /* No blank lines at the bottom while rows are hidden above (a page
     * fetched around a row near its end, after :sort or :goto). */
    if (rows > 0 && l->top + (size_t)rows > l->page.nrows)
        l->top = l->page.nrows > (size_t)rows ? l->page.nrows - (size_t)rows : 0;
    for (int i = 0; i < rows; i++) {
        size_t r = l->top + (size_t)i;
        if (r >= l->page.nrows)
            break;
        int role = r == l->selected ? ROLE_SELECTED : ROLE_OK;
        if (role == ROLE_SELECTED) {
            attrset(app->attr[role]);
            mvhline(y + 2 + i, x, ' ', w);
            attrset(A_NORMAL);
        }
        cx = x;
        for (size_t c = 0; c < shown; c++) {
            const char *v = l->page.rows[r][cols[c].col];
            char buf[64];
            bool orgs = app->pane == PANE_ORGS;
            if (v && orgs && cols[c].col == BROWSE_ORG_NEXT_FOLLOW_UP) {
                /* the day, marked when it has passed */
                snprintf(buf, sizeof buf, "%.10s%s", v, strncmp(v, today, 10) < 0 ? "!" : "");
                v = buf;
            } else if (v && orgs && cols[c].col == BROWSE_ORG_UPDATED_AT) {
                /* minutes when they fit, else the day: never a cut-off time */
                snprintf(buf, sizeof buf, "%.*s", colw[c] >= 16 ? 16 : 10, v);
                v = buf;
            } else if (v && orgs && cols[c].col == BROWSE_ORG_EST_REVENUE) {
                numfmt_decimal(v, 2, numfmt_thousands_sep(), buf, sizeof buf);
                v = buf;
            } else if (v && !orgs && cols[c].col == BROWSE_CONTACT_IS_PRIMARY) {
                v = strcmp(v, "t") == 0 ? "yes" : "no";
            }
            /* an empty cell of the selected row keeps the bar unbroken */
            int vrole = v || role == ROLE_SELECTED ? role : ROLE_DIM;
            if (v && c == 0 && l->search[0] && l->hits.n) {
                ui_put(app, y + 2 + i, cx, colw[c], vrole, v);
                highlight_words(app, y + 2 + i, cx, colw[c], vrole, v, l->search);
            } else if (v && cols[c].right) {
                char num[80];
                snprintf(num, sizeof num, "%*.*s", colw[c], colw[c], v);
                ui_put(app, y + 2 + i, cx, colw[c], role, num);
            } else {
                ui_put(app, y + 2 + i, cx, colw[c], vrole, v ? v : "·");
            }
            cx += colw[c] + 1;
        }
    }
    if (l->loaded && l->page.nrows == 0)
        ui_put(app, y + 2, x, w, ROLE_DIM,
               app->pane == PANE_ORGS ? "(no rows: press 3, then m, to migrate the demo's legacy source)"
                                      : "(no rows)");
}

static const char *const spark_chars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static void draw_migration(struct app *app, int y, int x, int h, int w)
{
    struct mig_view *m = &app->mig;
    if (m->error[0]) {
        ui_put(app, y, x, w, ROLE_ERROR, m->error);
        return;
    }
    if (!m->found) {
        ui_put(app, y, x, w, ROLE_TITLE, "No migration has run from this machine yet.");
        ui_put(app, y + 2, x, w, ROLE_OK,
               "Press m to migrate the demo's legacy source, or run: pantrycrm migrate --source sqlite:FILE");
        ui_put(app, y + 3, x, w, ROLE_DIM, "This pane follows a run live, from any terminal.");
        ui_put(app, y + 4, x, w, ROLE_DIM, "Press A first to assess the source: what will be quarantined, and why.");
        if (assess_panel_lines(app) && h > 7)
            assess_panel_draw(app, y + 6, x, h - 6, w);
        return;
    }
    /* The pre-flight panel takes the bottom lines when there is one. */
    int panel = assess_panel_lines(app);
    if (panel && h - panel - 1 >= 6) {
        assess_panel_draw(app, y + h - panel, x, panel, w);
        h -= panel + 1;
    }
    char line[512];
    bool paused = migration_paused(m) && strcmp(m->run.status, "running") == 0;
    snprintf(line, sizeof line, "Run %lld  %s  from %s  started %s", (long long)m->run.id,
             paused ? "paused (p resumes)" : m->run.status, m->run.source, m->run.started_at);
    ui_put(app, y, x, w, ROLE_TITLE, line);
    if (m->have_sync) {
        /* The live sync after the load: how far behind the source it is. */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        const struct state_sync *s = &m->sync;
        snprintf(line, sizeof line, "Sync: source version %lld, applied %lld; the last round "
                 "started %lld versions (%.1f s) behind, applied %.0f changes/s, %.0f s ago",
                 (long long)s->source_version, (long long)s->applied_version,
                 (long long)s->lag_versions, s->lag_seconds, s->rate, (double)now.tv_sec - s->at);
        ui_put(app, y + 1, x, w, s->lag_versions > 0 ? ROLE_DIM : ROLE_OK, line);
    }
    if (m->have_fb && (!m->have_sync || m->fb.at >= m->sync.at)) {
        /* After the cutover: the fallback to the legacy database, in its place. */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        const struct fallback_round_state *f = &m->fb;
        snprintf(line, sizeof line, "Fallback: %lld changes pending (oldest %.1f s); the last round "
                 "applied %lld at %.0f changes/s, %.0f s ago; %lld in the fallback quarantine, %lld errors",
                 (long long)f->pending, f->lag_s, (long long)f->changes, f->rate, (double)now.tv_sec - f->at,
                 (long long)f->quarantined, (long long)f->errors);
        ui_put(app, y + 1, x, w, f->quarantined ? ROLE_ERROR : f->pending ? ROLE_DIM : ROLE_OK,
               line);
    }
    /* The numbers and the phase come first; the bar takes what is left
     * (a narrow pane lost the phase column behind a fixed bar). */
    int barw = w - 20 - 66;
    barw = barw > 30 ? 30 : barw < 5 ? 5 : barw;
    int row = y + 2;
    for (size_t i = 0; i < m->ntables && row < y + h - 3; i++, row++) {
        const struct state_table_progress *t = &m->tables[i];
        double frac = t->rows_total > 0 ? (double)t->rows_read / (double)t->rows_total : 0;
        if (strcmp(t->phase, "done") == 0)
            frac = 1;
        if (frac > 1)
            frac = 1;
        double rate = t->seconds > 0 ? (double)t->rows_read / t->seconds : 0;
        char eta[32] = "";
        if (rate > 0 && t->rows_total > t->rows_read && strcmp(t->phase, "done") != 0
            && strcmp(t->phase, "paused") != 0)
            snprintf(eta, sizeof eta, "ETA %.0fs", (double)(t->rows_total - t->rows_read) / rate);
        snprintf(line, sizeof line, "%-18s", t->table);
        ui_put(app, row, x, 18, ROLE_OK, line);
        int fill = (int)(frac * barw);
        attrset(app->attr[ROLE_BAR]);
        mvhline(row, x + 19, ' ', fill);
        attrset(A_NORMAL);
        /* The empty part is drawn in text, not the alternate charset,
         * whose bullet some terminfo entries map to '~'. */
        move(row, x + 19 + fill);
        for (int k = fill; k < barw; k++)
            addstr(app->utf8 ? "·" : ".");
        snprintf(line, sizeof line, "%3.0f%% %9lld rows %8.0f/s  Q %-6lld R %-6lld %-9s %s",
                 frac * 100, (long long)t->rows_read, rate, (long long)t->rows_quarantined,
                 (long long)t->rows_repaired, t->phase, eta);
        ui_put(app, row, x + 20 + barw, w - 20 - barw, ROLE_OK, line);
    }
    if (m->nspark > 0 && row + 2 < y + h) {
        double max = 1;
        for (size_t i = 0; i < m->nspark; i++)
            if (m->spark[i] > max)
                max = m->spark[i];
        struct strbuf sb;
        sb_init(&sb);
        for (size_t i = 0; i < m->nspark && (int)i < w - 24; i++) {
            int level = (int)(m->spark[i] / max * 8 + 0.5);
            sb_adds(&sb, app->utf8 ? spark_chars[level] : level > 4 ? "#" : level > 0 ? "." : " ");
        }
        snprintf(line, sizeof line, "throughput (max %.0f rows/s)", max);
        ui_put(app, row + 1, x, w, ROLE_DIM, line);
        attrset(app->attr[ROLE_OK]);
        mvaddstr(row + 2, x, sb.buf ? sb.buf : "");
        attrset(A_NORMAL);
        sb_free(&sb);
    }
}

void panes_draw(struct app *app, int y, int x, int h, int w)
{
    if (app->form)
        form_draw(app, y, x, h, w);
    else if (app->pane == PANE_MIGRATION)
        draw_migration(app, y, x, h, w);
    else if (app->pane == PANE_DASHBOARD)
        dashboard_draw(app, y, x, h, w);
    else if (app->pane == PANE_HEALTH)
        health_pane_draw(app, y, x, h, w);
    else if (app->detail_open && app->pane == PANE_ORGS)
        draw_detail(app, y, x, h, w);
    else
        draw_list(app, &app->lists[app->pane], y, x, h, w);
}

/* The migration pane re-reads the state file twice a second: the engine
 * writes it (WAL), any number of consoles read it. */
void panes_tick(struct app *app, double now)
{
    dashboard_tick(app, now);
    health_pane_tick(app, now);
    struct mig_view *m = &app->mig;
    if (app->pane != PANE_MIGRATION || now - m->read_at < 0.5)
        return;
    m->read_at = now;
    read_migration(app);
}

/* ---- steering a migration ------------------------------------------------ */

static void read_migration(struct app *app)
{
    struct mig_view *m = &app->mig;
    struct state *st = state_open_readonly(app->state_path);
    if (!st) {
        m->found = false;
        return;
    }
    char *err = NULL;
    if (state_read_latest(st, &m->run, &m->found, m->tables, 16, &m->ntables, m->spark, 64,
                          &m->nspark, &err) != 0) {
        snprintf(m->error, sizeof m->error, "%s", err);
        free(err);
    } else {
        m->error[0] = '\0';
    }
    m->have_sync = state_sync_get(st, &m->sync);
    m->have_fb = fallback_state_get(st, &m->fb);
    state_close(st);
}

const char *panes_action_writes(const struct app *app, enum action a)
{
    switch (a) {
    case ACT_EDIT:
    case ACT_NEW:
    case ACT_DELETE:
    case ACT_LOG:
        return app->pane < PANE_MIGRATION ? "editing" : NULL;
    case ACT_MIG_START:
        return "starting a migration";
    case ACT_MIG_PAUSE:
        return "pausing or resuming a migration";
    case ACT_MIG_ABORT:
        return app->pane == PANE_MIGRATION ? "stopping a migration" : NULL;
    default:
        return NULL;
    }
}

bool panes_migration_running(struct app *app)
{
    read_migration(app);
    struct mig_view *m = &app->mig;
    return m->found && strcmp(m->run.status, "running") == 0 && m->run.pid > 0
           && kill((pid_t)m->run.pid, 0) == 0;
}

static bool migration_paused(const struct mig_view *m)
{
    for (size_t i = 0; i < m->ntables; i++)
        if (strcmp(m->tables[i].phase, "paused") == 0)
            return true;
    return false;
}

/* A source as the status line names it: a long path keeps its last two
 * parts ("…/demo/legacy.db"), so that the rest of the message still fits. */
static const char *short_source(const char *source, char *buf, size_t size)
{
    size_t len = strlen(source);
    if (len <= 40)
        return source;
    const char *cut = source + len - 30; /* no slash: its last characters */
    for (const char *p = source + len - 1, *last = NULL; p > source; p--)
        if (*p == '/') {
            if (last) {
                cut = p;
                break;
            }
            last = p;
        }
    snprintf(buf, size, "…%.60s", cut);
    return buf;
}

/* The source to migrate, and what an 'm' would do with it, in *what
 * ("resume run 3 (interrupted) from X"): the target's last run decides,
 * since its checkpoints are keys of its own source (a resume from another
 * source would mix two databases); then this machine's last run; then the
 * demo's legacy file. Caller frees both; NULL when no source is known. */
static char *migration_source(struct app *app, char **what)
{
    *what = NULL;
    if (app->conn && panes_drain(app)) {
        char *err = NULL;
        struct run_info r;
        int found = run_info_last(app->conn, &r, &err);
        free(err);
        if (found == 1) {
            char sb[64];
            *what = xasprintf("%s run %lld (%s) from %s", run_info_unfinished(&r) ? "resume" : "repeat",
                              r.id, r.status, short_source(r.source, sb, sizeof sb));
            char *source = r.source;
            r.source = NULL;
            run_info_free(&r);
            return source;
        }
    }
    if (app->mig.found && app->mig.run.source[0]) {
        char sb[64];
        *what = xasprintf("migrate again from %s (this machine's last run)",
                          short_source(app->mig.run.source, sb, sizeof sb));
        return xstrdup(app->mig.run.source);
    }
    char *data = paths_data_home();
    char *demo = xasprintf("%s/demo/legacy.db", data);
    free(data);
    if (access(demo, R_OK) == 0) {
        char sb[64];
        *what = xasprintf("start a migration of the demo's legacy source %s", short_source(demo, sb, sizeof sb));
        return demo;
    }
    free(demo);
    return NULL;
}

/* Starts `pantrycrm migrate` detached from the console, so that it goes
 * on when the console quits or the SSH session drops. */
static bool spawn_migration(struct app *app, const char *source, char **err)
{
    const char *args[] = {"migrate", "--source", source, "--progress", "json",
                          "--state", app->state_path, NULL};
    return spawn_detached(app->state_path, ".migrate.log", app->conninfo, args, err);
}

static void migration_action(struct app *app, enum action a)
{
    bool running = panes_migration_running(app);
    struct mig_view *m = &app->mig;
    char *err = NULL, sb[64];
    const char *msrc = short_source(m->run.source, sb, sizeof sb);
    if (a == ACT_MIG_ASSESS) {
        char *what = NULL;
        char *source = migration_source(app, &what);
        free(what);
        if (!source)
            ui_status(app, " no source known: run 'pantrycrm assess --source sqlite:FILE' once");
        else
            assess_panel_start(app, source);
        free(source);
        panes_switch(app, PANE_MIGRATION);
        return;
    }
    if (a == ACT_MIG_START) {
        if (running) {
            ui_status(app, " run %lld from %s is already running", (long long)m->run.id, msrc);
            return;
        }
        if (app->confirm == ACT_MIG_START) { /* the y of the question below */
            if (!app->mig_source)
                return;
            if (spawn_migration(app, app->mig_source, &err))
                ui_status(app, " migration from %s started; it goes on if you quit",
                          short_source(app->mig_source, sb, sizeof sb));
            else
                ui_status(app, " %s", err);
            free(err);
            free(app->mig_source);
            app->mig_source = NULL;
            panes_switch(app, PANE_MIGRATION);
            return;
        }
        char *what = NULL;
        char *source = migration_source(app, &what);
        panes_switch(app, PANE_MIGRATION);
        if (!source) {
            ui_status(app, " no source known: run 'pantrycrm migrate --source sqlite:FILE' once");
            return;
        }
        free(app->mig_source);
        app->mig_source = source;
        app->confirm = ACT_MIG_START;
        ui_status(app, " %s? y/n", what);
        free(what);
        return;
    }
    if (!running) {
        if (m->found)
            ui_status(app, " no migration is running (the last, run %lld from %s, is %s)",
                      (long long)m->run.id, msrc, m->run.status);
        else
            ui_status(app, " no migration is running");
        return;
    }
    if (a == ACT_MIG_ABORT) {
        if (app->confirm != ACT_MIG_ABORT) {
            app->confirm = ACT_MIG_ABORT;
            ui_status(app, " stop run %lld (from %s) at the next batch boundary? y/n",
                      (long long)m->run.id, msrc);
        } else if (kill((pid_t)m->run.pid, SIGINT) == 0) {
            ui_status(app, " stopping run %lld at the next batch boundary; 'm' resumes it from %s",
                      (long long)m->run.id, msrc);
        } else {
            ui_status(app, " cannot signal the migration: %s", strerror(errno));
        }
        return;
    }
    /* pause or resume */
    struct state *st = state_open(app->state_path, &err);
    if (!st) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    bool paused = migration_paused(m);
    if (state_control_set(st, m->run.id, paused ? "run" : "pause", &err) == 0)
        ui_status(app, " %s run %lld (from %s)", paused ? "resuming" : "pausing", (long long)m->run.id,
                  msrc);
    else
        ui_status(app, " %s", err);
    free(err);
    state_close(st);
}
