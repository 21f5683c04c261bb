/* list_cmd.c - the list panes' ':' commands (sort, filter, goto, search,
 * export) and the deletion of an organization, which asks first.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "list_pane.h"
#include "clock.h"
#include "edit.h"
#include "export.h"
#include "guard.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ":sort revenue", ":sort follow-up": a column's header names its sort
 * too (any case, without spaces or dashes). */
static bool sort_by_header(const struct list_pane *lp, const char *name, enum browse_sort *out)
{
    size_t n;
    const struct col_def *cols = list_columns(lp, &n);
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
            return browse_sort_find(lp->l.spec.entity, cols[c].sort, out);
    }
    return false;
}

/* ---- export ------------------------------------------------------------------ */

/* Export progress: shown on the status line; Esc or ^C cancels. */
struct export_ui {
    struct app *app;
    const char *file;
    double t0;
};

static int export_tick(void *ctx, int64_t rows)
{
    struct export_ui *x = ctx;
    double dt = clock_mono_s() - x->t0;
    ui_status(x->app, " exporting to %s: %lld rows, %.0f rows/s… (Esc cancels)", x->file,
              (long long)rows, dt > 0 ? (double)rows / dt : 0.0);
    if (x->app->repaint)
        x->app->repaint(x->app);
    int key;
    while ((key = getch()) != ERR)
        if (keymap_lookup(KEYS_GLOBAL, key) == ACT_CANCEL)
            return 1;
    return 0;
}

/* ":export csv|jsonl FILE": the list with its filters and sort. The rows
 * go to FILE.part, renamed to FILE when complete; a cancel or an error
 * removes it, so FILE is never half written. */
static void export_list_ui(struct list_pane *lp, const char *args)
{
    struct app *app = lp->base.app;
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
        app_ask(app, NULL, ACT_COMMAND, " %s exists: replace it? y/n", file);
        return;
    }
    if (!app_drain(app)) {
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
    struct export_ui x = {app, file, clock_mono_s()};
    int64_t n = export_list(app->bs, &lp->l.spec, fmt, out, export_tick, &x, &err);
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

/* ---- commands ------------------------------------------------------------------ */

static bool set_filter(struct list_pane *lp, const char *rest)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    char *err = NULL;
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
    if (app->busy && (!strcmp(verb, "goto") || !strcmp(verb, "search") || !strcmp(verb, "export")
                      || !strcmp(verb, "filter") || !strcmp(verb, "sort"))) {
        snprintf(app->queued, sizeof app->queued, "%s", line);
        return true;
    }
    if (strcmp(verb, "sort") == 0) {
        const char *name = rest;
        bool desc = *name == '-';
        if (*name == '-' || *name == '+')
            name++;
        enum browse_sort s;
        if (!browse_sort_find(l->spec.entity, name, &s) && !sort_by_header(lp, name, &s)) {
            struct strbuf sb;
            sb_init(&sb);
            for (int k = 0; k < BROWSE_NSORTS; k++)
                if (browse_sort_entity((enum browse_sort)k) == l->spec.entity)
                    sb_addf(&sb, "%s%s", sb.len ? ", " : "", browse_sort_name((enum browse_sort)k));
            ui_status(app, " unknown sort '%s'; sorts: %s (or a column's header)", name, sb.buf ? sb.buf : "");
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

void list_ask_delete(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    char *err = NULL;
    if (!app_drain(app)) {
        ui_status(app, " a query is still running: try again");
        return;
    }
    struct list_view *l = &lp->l;
    if (l->spec.entity != BROWSE_ORGS || l->page.nrows == 0)
        return;
    char **row = l->page.rows[l->selected];
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
    free(lp->delete_id);
    free(lp->delete_token);
    lp->delete_id = xstrdup(row[BROWSE_ORG_ID]);
    lp->delete_token = xstrdup(o.updated_at);
    edit_org_free(&o);
    /* The question first: on a narrow terminal the y/n must still show. */
    char leads[64] = "";
    if (c.leads > 0)
        snprintf(leads, sizeof leads, "; %lld lead%s will have no organization", (long long)c.leads,
                 c.leads == 1 ? "" : "s");
    app_ask(app, &lp->base, ACT_DELETE,
            " delete %.40s? y/n  (with it %lld contact%s, %lld interaction%s, %lld opportunit%s, "
            "%lld contract%s%s)",
            row[BROWSE_ORG_NAME] ? row[BROWSE_ORG_NAME] : "", (long long)c.contacts,
            c.contacts == 1 ? "" : "s", (long long)c.interactions, c.interactions == 1 ? "" : "s",
            (long long)c.opportunities, c.opportunities == 1 ? "y" : "ies", (long long)c.contracts,
            c.contracts == 1 ? "" : "s", leads);
}

void list_do_delete(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    char *err = NULL;
    if (!app_drain(app)) {
        ui_status(app, " a query is still running: try again");
        return;
    }
    enum edit_result r = edit_org_delete(app->conn, lp->delete_id, lp->delete_token, &err);
    ui_status(app, " %s", r == EDIT_OK ? "deleted"
                          : r == EDIT_CONFLICT ? "not deleted: someone changed it meanwhile (look again)"
                          : r == EDIT_GONE ? "it was already deleted"
                          : err ? err : "could not delete");
    free(err);
    lp->detail_open = false;
    app_refresh(app, NULL);
}
