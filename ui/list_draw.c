/* list_draw.c - drawing the list panes: the table of one page with its
 * columns (fitted, scrolled sideways, the sort column marked) and an
 * organization's details.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "list_pane.h"
#include "edit.h"
#include "numfmt.h"
#include "sanitize.h"

#include <ctype.h>
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct col_def org_cols[] = {
    {BROWSE_ORG_NAME, "Name", 30, false, "name", 0},
    {BROWSE_ORG_PRIORITY, "P", 2, false, "priority", 0}, /* 2: room for "P▲" */
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
    {BROWSE_CONTACT_EMAIL, "Email", 26, false, "email", 0},
    {BROWSE_CONTACT_PHONE, "Phone", 14, false, NULL, 0},
    {BROWSE_CONTACT_IS_PRIMARY, "Pri", 3, false, NULL, 0},
    {BROWSE_CONTACT_ORG_NAME, "Organization", 24, false, NULL, 0},
    {BROWSE_CONTACT_POSITION, "Position", 18, false, NULL, 0},
};

const struct col_def *list_columns(const struct list_pane *lp, size_t *n)
{
    if (lp->l.spec.entity == BROWSE_ORGS) {
        *n = sizeof org_cols / sizeof org_cols[0];
        return org_cols;
    }
    *n = sizeof contact_cols / sizeof contact_cols[0];
    return contact_cols;
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

static void draw_detail(struct list_pane *lp, int y, int x, int h, int w)
{
    struct app *app = lp->base.app;
    struct browse_org_detail *d = &lp->detail;
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
        /* a value of several lines (notes) goes on under its first line,
         * indented to the values' column, not back at the margin */
        const char *rest = v ? v : "·";
        size_t len = strcspn(rest, "\n");
        sb_addf(&lines, "%-18s %.*s\n", field_label(d->field_names[i]), (int)len, rest);
        while (rest[len] == '\n') {
            rest += len + 1;
            len = strcspn(rest, "\n");
            sb_addf(&lines, "%-18s %.*s\n", "", (int)len, rest);
        }
    }
    char last[32];
    if (d->last_interaction && is_timestamp(d->last_interaction))
        snprintf(last, sizeof last, "%.16s", d->last_interaction); /* to the minute, as the rest */
    else
        snprintf(last, sizeof last, "%s", d->last_interaction ? d->last_interaction : "never");
    sb_addf(&lines, "\n\x01" "Contacts %lld, interactions %lld (last %s), opportunities %lld "
                    "(pipeline %s), contracts %lld, leads %lld\n",
            (long long)d->contact_count, (long long)d->interaction_count,
            last, (long long)d->opportunity_count,
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
    /* scrolled no further than the last screenful (End asks for more),
     * clamped before drawing so that no frame shows past the end */
    size_t total = 0; /* the lines strtok_r gives below: empty ones are none */
    for (const char *q = lines.buf; q && *q; q++)
        total += *q != '\n' && (q[1] == '\n' || q[1] == '\0');
    size_t last_top = total > (size_t)h ? total - (size_t)h : 0;
    if (lp->detail_top > last_top)
        lp->detail_top = last_top;
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(lines.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
        if (n < lp->detail_top)
            continue;
        int row = y + (int)(n - lp->detail_top);
        if (row >= y + h)
            break;
        bool title = line[0] == '\x01', heading = line[0] == '\x02';
        ui_put(app, row, x, w, title ? ROLE_TITLE : heading ? ROLE_DIM : ROLE_OK,
               title || heading ? line + 1 : line);
    }
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

static void draw_list(struct list_pane *lp, int y, int x, int h, int w)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
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
    } else if (l->loaded && !l->loading && l->page.nrows == 0) {
        /* an empty first page: none, whatever the planner estimates (it
         * never says fewer than 1) */
        snprintf(est, sizeof est, "  0 rows");
    } else if (l->estimate >= 0) {
        snprintf(est, sizeof est, "  ~%lld rows", (long long)l->estimate);
    }
    char *filters = browse_filter_describe(l->spec.entity, &l->spec.filter);
    bool filtered = filters && *filters;
    snprintf(title, sizeof title, "%s  sorted by %s %s%s%s%s%s", l->title,
             browse_sort_name(l->spec.sort), l->spec.desc ? "(descending)" : "(ascending)", est,
             filters && *filters ? "  filter: " : "", filters ? filters : "",
             l->loaded && !l->loading ? "" : "  loading…");
    free(filters);
    ui_put(app, y, x, w, ROLE_TITLE, title);
    int rows = h - 2;
    lp->page_rows = rows > 0 ? rows : 1;
    size_t nall;
    const struct col_def *all = list_columns(lp, &nall);
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
                draw_list(lp, y, x, h, w);
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
            bool orgs = l->spec.entity == BROWSE_ORGS;
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
               filtered ? "(no row matches the filters: :filter clear shows every row)"
               : l->spec.entity == BROWSE_ORGS ? "(no rows: press 3, then m, to migrate the demo's legacy source)"
                                               : "(no rows)");
}

void list_draw(struct pane *p, int y, int x, int h, int w)
{
    struct list_pane *lp = (struct list_pane *)p;
    if (lp->detail_open && lp->l.spec.entity == BROWSE_ORGS)
        draw_detail(lp, y, x, h, w);
    else
        draw_list(lp, y, x, h, w);
}
