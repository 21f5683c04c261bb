/* list_cmd.c - the list panes' ':' commands (sort, filter, goto, search,
 * export) and the deletion of an organization, which asks first.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "list_pane.h"
#include "edit.h"
#include "export.h"
#include "guard.h"
#include "worker.h"
#include "export_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- export ------------------------------------------------------------------ */

/* ":export csv|jsonl FILE": the list with its filters and sort, by a
 * thread with its own connection (export_job.h), so the console goes on
 * meanwhile. */
static void export_list_ui(struct list_pane *lp, const char *args)
{
    struct app *app = lp->base.app;
    char format[16] = "", file[512] = "";
    enum export_format fmt;
    if (sscanf(args, "%15s %511[^\n]", format, file) != 2 || !export_format_parse(format, &fmt)) {
        ui_status(app, " usage: export csv|jsonl FILE");
        return;
    }
    if (lp->export) {
        ui_status(app, " an export of this list is running: Esc stops it");
        return;
    }
    if (app->reconnect[0]) {
        ui_status(app, " not connected: reconnecting (the header says when)");
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
        app_ask(app, NULL, ACT_COMMAND, " %s exists: replace it? y/n", file);
        return;
    }
    lp->export = export_job_start(app, &lp->l.spec, fmt, file);
}

/* ---- commands ------------------------------------------------------------------ */

/* The field a filter spec names ("city" of "city=Austin"), in buf. */
static const char *filter_field(const char *spec, char *buf, size_t size)
{
    size_t n = strcspn(spec, "=");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), spec);
    return buf;
}

/* The spec again from l->filters (its filter points into them), the sort
 * kept. The first spec that does not parse is reported and the parse
 * stops there. */
static bool refilter(struct list_view *l, char **err)
{
    enum browse_entity e = l->spec.entity;
    enum browse_sort s = l->spec.sort;
    bool desc = l->spec.desc;
    browse_spec_init(&l->spec, e);
    l->spec.sort = s;
    l->spec.desc = desc;
    for (size_t k = 0; k < l->nfilters; k++)
        if (!browse_filter_parse(&l->spec.filter, l->filters[k], err))
            return false;
    return true;
}

/* Puts spec in force as one filter per field: a filter on a field already
 * filtered replaces that one. 1 done; 0 spec does not parse (*err set,
 * the filters kept as they were); -1 no room for another field. */
static int put_filter(struct list_view *l, const char *spec, char **err)
{
    char field[32], other[32];
    filter_field(spec, field, sizeof field);
    size_t at = l->nfilters;
    for (size_t k = 0; k < l->nfilters; k++)
        if (strcmp(filter_field(l->filters[k], other, sizeof other), field) == 0)
            at = k;
    if (at == LIST_MAX_FILTERS)
        return -1;
    char old[LIST_MAX_FILTERS][sizeof l->filters[0]];
    size_t nold = l->nfilters;
    memcpy(old, l->filters, sizeof old);
    if (at == l->nfilters)
        l->nfilters++;
    else
        memmove(l->filters[at], l->filters[at + 1], (l->nfilters - at - 1) * sizeof l->filters[0]);
    snprintf(l->filters[l->nfilters - 1], sizeof l->filters[0], "%s", spec);
    if (refilter(l, err))
        return 1;
    memcpy(l->filters, old, sizeof old);
    l->nfilters = nold;
    char *again = NULL;
    refilter(l, &again); /* parsed before: cannot fail */
    free(again);
    return 0;
}

void list_filter_restore(struct list_view *l, const char *spec)
{
    /* the last one saved per field wins (a session saved before filters
     * replaced each other may hold several); one refused is left out */
    char *err = NULL;
    if (strlen(spec) < sizeof l->filters[0])
        put_filter(l, spec, &err);
    free(err);
}

static bool set_filter(struct list_pane *lp, const char *rest)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    char *err = NULL;
    if (strcmp(rest, "clear") == 0 || !*rest) {
        l->nfilters = 0;
        refilter(l, &err);
        list_reload(lp);
        return true;
    }
    if (strlen(rest) >= sizeof l->filters[0]) {
        ui_status(app, " filter too long");
        return false;
    }
    int put = put_filter(l, rest, &err);
    if (put < 0) {
        ui_status(app, " at most %d filters; :filter clear to start over", LIST_MAX_FILTERS);
        return false;
    }
    if (put == 0) {
        /* a wrong value: say which ones there are */
        char field[32];
        filter_field(rest, field, sizeof field);
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
    list_reload(lp);
    return true;
}

bool list_command(struct pane *p, const char *verb, const char *rest, const char *line)
{
    struct list_pane *lp = (struct list_pane *)p;
    struct app *app = p->app;
    struct list_view *l = &lp->l;
    /* A command that needs the connection waits for the query in flight
     * instead of being dropped: the user typed it on purpose. */
    if (app->busy && (!strcmp(verb, "goto") || !strcmp(verb, "search") || !strcmp(verb, "filter")
                      || !strcmp(verb, "sort"))) {
        snprintf(app->queued, sizeof app->queued, "%s", line);
        list_preempt_fill(app); /* never behind the rest of a page */
        return true;
    }
    if (strcmp(verb, "sort") == 0) {
        const char *name = rest;
        bool desc = *name == '-';
        if (*name == '-' || *name == '+')
            name++;
        enum browse_sort s;
        if (!browse_sort_find(l->spec.entity, name, &s)) {
            struct strbuf sb;
            sb_init(&sb);
            for (int k = 0; k < BROWSE_NSORTS; k++)
                if (browse_sort_entity((enum browse_sort)k) == l->spec.entity)
                    sb_addf(&sb, "%s%s", sb.len ? ", " : "", browse_sort_short_name((enum browse_sort)k));
            ui_status(app, " unknown sort '%s'; sorts: %s (- before one: descending)", name, sb.buf ? sb.buf : "");
            sb_free(&sb);
            return false;
        }
        list_resort(lp, s, desc);
    } else if (strcmp(verb, "filter") == 0) {
        return set_filter(lp, rest);
    } else if (strcmp(verb, "goto") == 0) {
        if (!*rest) {
            ui_status(app, " goto needs a UUID or a legacy id");
            return false;
        }
        app_show(app, p);
        list_goto(lp, rest);
    } else if (strcmp(verb, "search") == 0) {
        if (list_shown(lp))   /* '/' on another pane searches nothing */
            list_search(lp, rest);
    } else if (strcmp(verb, "export") == 0) {
        export_list_ui(lp, rest);
    } else {
        ui_status(app, " unknown command '%s' (try sort, filter, goto, search, export, orgs, "
                  "contacts, migration, quit)", verb);
        return false;
    }
    return true;
}

/* ---- deleting an organization ---------------------------------------------------- */

/* The question names what goes with the organization, and the delete is
 * made against the version read: both are round trips, so both are jobs
 * (worker.h). */
struct delete_job {
    struct list_pane *lp;
    char *id, *name, *token;
    struct edit_org org;
    struct edit_cascade cascade;
    enum edit_result result;
    char *err;
    bool failed;
};

static void delete_job_free(struct delete_job *j)
{
    edit_org_free(&j->org);
    free(j->id);
    free(j->name);
    free(j->token);
    free(j->err);
    free(j);
}

static void ask_run(PGconn *conn, void *arg)
{
    struct delete_job *j = arg;
    j->failed = edit_org_load(conn, j->id, &j->org, &j->err) != 0
                || edit_org_cascade(conn, j->id, &j->cascade, &j->err) != 0;
}

static void ask_done(struct app *app, void *arg, bool ran, bool cancelled)
{
    struct delete_job *j = arg;
    struct list_pane *lp = j->lp;
    if (!ran || cancelled) {
        if (cancelled)
            ui_status(app, " nothing deleted (cancelled)");
        delete_job_free(j);
        return;
    }
    if (j->failed) {
        ui_status(app, " %s", j->err ? j->err : "that organization is gone");
        delete_job_free(j);
        return;
    }
    free(lp->delete_id);
    free(lp->delete_token);
    lp->delete_id = xstrdup(j->id);
    lp->delete_token = xstrdup(j->org.updated_at);
    const struct edit_cascade *c = &j->cascade;
    /* The question first: on a narrow terminal the y/n must still show. */
    char leads[64] = "";
    if (c->leads > 0)
        snprintf(leads, sizeof leads, "; %lld lead%s will have no organization", (long long)c->leads,
                 c->leads == 1 ? "" : "s");
    app_ask(app, &lp->base, ACT_DELETE,
            " delete %.40s? y/n  (with it %lld contact%s, %lld interaction%s, %lld opportunit%s, "
            "%lld contract%s%s)",
            j->name, (long long)c->contacts,
            c->contacts == 1 ? "" : "s", (long long)c->interactions, c->interactions == 1 ? "" : "s",
            (long long)c->opportunities, c->opportunities == 1 ? "y" : "ies", (long long)c->contracts,
            c->contracts == 1 ? "" : "s", leads);
    delete_job_free(j);
}

void list_ask_delete(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    char *err = NULL;
    struct list_view *l = &lp->l;
    if (l->spec.entity != BROWSE_ORGS || l->page.nrows == 0)
        return;
    char **row = l->page.rows[l->selected];
    if (!guard_write("editing", &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    struct delete_job *j = xcalloc(1, sizeof *j);
    j->lp = lp;
    j->id = xstrdup(row[BROWSE_ORG_ID]);
    j->name = xstrdup(row[BROWSE_ORG_NAME] ? row[BROWSE_ORG_NAME] : "");
    if (!worker_start(app, " reading what the delete would take with it…", ask_run, ask_done, j))
        delete_job_free(j);
}

static void delete_run(PGconn *conn, void *arg)
{
    struct delete_job *j = arg;
    j->result = edit_org_delete(conn, j->id, j->token, &j->err);
}

static void delete_done(struct app *app, void *arg, bool ran, bool cancelled)
{
    struct delete_job *j = arg;
    struct list_pane *lp = j->lp;
    enum edit_result r = j->result;
    if (!ran)
        ui_status(app, " nothing deleted (cancelled)");
    else if (r != EDIT_OK && cancelled)
        ui_status(app, " nothing deleted (cancelled)");
    else
        ui_status(app, " %s", r == EDIT_OK ? "deleted"
                              : r == EDIT_CONFLICT ? "not deleted: someone changed it meanwhile (look again)"
                              : r == EDIT_GONE ? "it was already deleted"
                              : j->err ? j->err : "could not delete");
    delete_job_free(j);
    if (ran) {
        lp->detail_open = false;
        app_refresh(app, NULL);
    }
}

void list_do_delete(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    if (!lp->delete_id)
        return;
    struct delete_job *j = xcalloc(1, sizeof *j);
    j->lp = lp;
    j->id = lp->delete_id;
    j->token = lp->delete_token;
    lp->delete_id = lp->delete_token = NULL;
    if (!worker_start(app, " deleting…", delete_run, delete_done, j))
        delete_job_free(j);
}
