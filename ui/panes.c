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
#include "paths.h"
#include "sqltext.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_ROWS 200   /* rows fetched per page: a few screens */

/* ---- list definitions ---------------------------------------------------- */

struct sort_col {
    const char *label;
    const char *expr;      /* SQL expression, NOT NULL (the keyset needs it) */
};

static const char *const org_headers[] = {"Name", "Pri", "Segment", "Status", "City", "State",
                                          "Next follow-up", "Updated"};
static const int org_widths[] = {32, 3, 14, 8, 16, 5, 16, 16};
static const struct sort_col org_sorts[] = {
    {"name", "name"},
    {"city", "coalesce(city, '')"},
    {"updatedAt", "\"updatedAt\""},
};
static const char *const contact_headers[] = {"Last name", "First name", "Email", "Phone",
                                              "Position", "Updated"};
static const int contact_widths[] = {18, 16, 28, 14, 20, 16};
static const struct sort_col contact_sorts[] = {
    {"lastName", "\"lastName\""},
    {"updatedAt", "\"updatedAt\""},
};

static const struct sort_col *sorts_of(int pane, size_t *n)
{
    if (pane == PANE_ORGS) {
        *n = sizeof org_sorts / sizeof org_sorts[0];
        return org_sorts;
    }
    *n = sizeof contact_sorts / sizeof contact_sorts[0];
    return contact_sorts;
}

/* The select list: the visible columns, then the sort key and id. */
static const char *select_list(int pane)
{
    return pane == PANE_ORGS
        ? "name, priority::text, segment::text, status::text, city, state,"
          " to_char(\"nextFollowUpDate\", 'YYYY-MM-DD HH24:MI'),"
          " to_char(\"updatedAt\", 'YYYY-MM-DD HH24:MI')"
        : "\"lastName\", \"firstName\", email, phone, position,"
          " to_char(\"updatedAt\", 'YYYY-MM-DD HH24:MI')";
}

static const char *table_of(int pane)
{
    return pane == PANE_ORGS ? "\"Organization\"" : "\"Contact\"";
}

/* ---- the model --------------------------------------------------------- */

static void list_clear(struct list_view *l)
{
    for (size_t r = 0; r < l->nrows; r++) {
        for (size_t c = 0; c < l->ncols + 2; c++)
            free(l->rows[r][c]);
        free(l->rows[r]);
    }
    free(l->rows);
    l->rows = NULL;
    l->nrows = 0;
}

void panes_init(struct app *app)
{
    struct list_view *o = &app->lists[PANE_ORGS], *c = &app->lists[PANE_CONTACTS];
    o->title = "Organizations";
    o->headers = org_headers;
    o->widths = org_widths;
    o->ncols = sizeof org_headers / sizeof org_headers[0];
    c->title = "Contacts";
    c->headers = contact_headers;
    c->widths = contact_widths;
    c->ncols = sizeof contact_headers / sizeof contact_headers[0];
    app->pane = PANE_ORGS;
    panes_switch(app, PANE_ORGS);
}

void panes_free(struct app *app)
{
    list_clear(&app->lists[0]);
    list_clear(&app->lists[1]);
}

/* Asks for a page. FIRST/LAST start from an end; NEXT/PREV continue from
 * the page's last/first row by keyset. */
static void list_fetch(struct app *app, int pane, int how)
{
    struct list_view *l = &app->lists[pane];
    if (app->aq.busy)
        return; /* one query at a time; the key is simply ignored */
    size_t nsorts;
    const struct sort_col *sc = &sorts_of(pane, &nsorts)[l->sort];
    bool backwards = (how == FETCH_PREV || how == FETCH_LAST) != l->desc;
    const char *cmp = backwards ? "<" : ">";
    const char *dir = backwards ? "DESC" : "ASC";
    struct strbuf sql;
    sb_init(&sql);
    sb_addf(&sql, "SELECT %s, (%s)::text, id::text FROM %s", select_list(pane), sc->expr,
            table_of(pane));
    const char *params[2] = {NULL, NULL};
    int np = 0;
    if ((how == FETCH_NEXT || how == FETCH_PREV) && l->nrows > 0) {
        char **edge = l->rows[how == FETCH_NEXT ? l->nrows - 1 : 0];
        params[0] = edge[l->ncols];
        params[1] = edge[l->ncols + 1];
        np = 2;
        /* the sort key's text compares as the key does for text and ISO
         * timestamps; cast back for typed keys */
        sb_addf(&sql, " WHERE (%s, id) %s ($1::%s, $2::uuid)", sc->expr, cmp,
                strstr(sc->expr, "updatedAt") ? "timestamptz" : "text");
    }
    sb_addf(&sql, " ORDER BY %s %s, id %s LIMIT %d", sc->expr, dir, dir, PAGE_ROWS);
    l->pending = how;
    if (!aq_send(&app->aq, pane, sql.buf, np, params))
        ui_status(app, " %s", app->aq.error ? app->aq.error : "query failed");
    sb_free(&sql);
}

void panes_switch(struct app *app, int pane)
{
    app->pane = pane;
    if (pane < PANE_MIGRATION && !app->lists[pane].loaded)
        list_fetch(app, pane, FETCH_FIRST);
}

void panes_on_result(struct app *app)
{
    int pane = app->aq.tag;
    if (app->aq.error) {
        ui_status(app, " %s", app->aq.error);
        aq_clear(&app->aq);
        return;
    }
    PGresult *res = aq_take(&app->aq);
    if (!res || pane < 0 || pane >= PANE_MIGRATION) {
        PQclear(res);
        return;
    }
    struct list_view *l = &app->lists[pane];
    size_t n = (size_t)PQntuples(res);
    int how = l->pending;
    if (n == 0 && (how == FETCH_NEXT || how == FETCH_PREV)) {
        /* Nothing further: stay on this page. */
        if (how == FETCH_NEXT)
            l->at_end = true;
        else
            l->at_start = true;
        l->carry = 0;
        PQclear(res);
        return;
    }
    list_clear(l);
    bool reversed = how == FETCH_PREV || how == FETCH_LAST;
    l->rows = xcalloc(n + 1, sizeof *l->rows);
    for (size_t i = 0; i < n; i++) {
        size_t r = reversed ? n - 1 - i : i;
        char **row = xcalloc(l->ncols + 2, sizeof *row);
        for (size_t c = 0; c < l->ncols + 2; c++)
            row[c] = PQgetisnull(res, (int)i, (int)c) ? NULL : xstrdup(PQgetvalue(res, (int)i, (int)c));
        l->rows[r] = row;
    }
    l->nrows = n;
    l->loaded = true;
    l->at_start = how == FETCH_FIRST || (how == FETCH_PREV && n < PAGE_ROWS);
    l->at_end = how == FETCH_LAST || (how == FETCH_NEXT && n < PAGE_ROWS)
                || (how == FETCH_FIRST && n < PAGE_ROWS);
    if (how == FETCH_FIRST || how == FETCH_NEXT) {
        long at = how == FETCH_NEXT && l->carry > 0 ? l->carry - 1 : 0;
        l->selected = at < (long)n ? (size_t)at : (n ? n - 1 : 0);
        l->top = 0;
    } else {
        long back = how == FETCH_PREV && l->carry < 0 ? -l->carry - 1 : 0;
        l->selected = n > (size_t)back ? n - 1 - (size_t)back : 0;
        l->top = n > (size_t)app->page_rows ? n - (size_t)app->page_rows : 0;
    }
    l->carry = 0;
    PQclear(res);
}

static void list_move(struct app *app, struct list_view *l, long delta)
{
    long target = (long)l->selected + delta;
    if (target < 0) {
        /* Keep the motion: the fetched page is entered as far as the user
         * went past the edge, also when keys arrive while it loads. */
        if (!l->at_start) {
            l->carry += target;
            list_fetch(app, app->pane, FETCH_PREV);
        }
        target = 0;
    } else if (target >= (long)l->nrows) {
        if (!l->at_end) {
            l->carry += target - (long)l->nrows + 1;
            list_fetch(app, app->pane, FETCH_NEXT);
        }
        target = l->nrows ? (long)l->nrows - 1 : 0;
    }
    l->selected = (size_t)target;
}

static void migration_action(struct app *app, enum action a);
static void read_migration(struct app *app);

void panes_action(struct app *app, enum action a)
{
    if (a == ACT_MIG_START || a == ACT_MIG_PAUSE || a == ACT_MIG_ABORT) {
        migration_action(app, a);
        return;
    }
    if (app->pane >= PANE_MIGRATION)
        return;
    struct list_view *l = &app->lists[app->pane];
    long page = app->page_rows > 1 ? app->page_rows - 1 : 1;
    size_t nsorts;
    sorts_of(app->pane, &nsorts);
    switch (a) {
    case ACT_UP: list_move(app, l, -1); break;
    case ACT_DOWN: list_move(app, l, 1); break;
    case ACT_PAGE_UP: list_move(app, l, -page); break;
    case ACT_PAGE_DOWN: list_move(app, l, page); break;
    case ACT_TOP: list_fetch(app, app->pane, FETCH_FIRST); break;
    case ACT_BOTTOM: list_fetch(app, app->pane, FETCH_LAST); break;
    case ACT_REFRESH: list_fetch(app, app->pane, FETCH_FIRST); break;
    case ACT_SORT_NEXT:
        l->sort = (l->sort + 1) % (int)nsorts;
        list_fetch(app, app->pane, FETCH_FIRST);
        break;
    case ACT_SORT_REVERSE:
        l->desc = !l->desc;
        list_fetch(app, app->pane, FETCH_FIRST);
        break;
    default:
        break;
    }
}

/* ---- drawing ------------------------------------------------------------- */

static void draw_list(struct app *app, struct list_view *l, int y, int x, int h, int w)
{
    size_t nsorts;
    const struct sort_col *sc = sorts_of(app->pane, &nsorts);
    char title[160];
    snprintf(title, sizeof title, "%s  sorted by %s %s%s", l->title, sc[l->sort].label,
             l->desc ? "(descending)" : "(ascending)", l->loaded ? "" : "  loading…");
    ui_put(app, y, x, w, ROLE_TITLE, title);
    int rows = h - 2;
    app->page_rows = rows > 0 ? rows : 1;
    /* Column layout: preferred widths while they fit, the last one stretches. */
    int cx = x;
    int colw[16];
    for (size_t c = 0; c < l->ncols && c < 16; c++) {
        int left = x + w - cx;
        colw[c] = c + 1 == l->ncols || l->widths[c] + 1 > left ? left - 1 : l->widths[c];
        if (colw[c] < 0)
            colw[c] = 0;
        ui_put(app, y + 1, cx, colw[c], ROLE_DIM, l->headers[c]);
        cx += colw[c] + 1;
        if (cx >= x + w)
            break;
    }
    if (l->selected < l->top)
        l->top = l->selected;
    if (rows > 0 && l->selected >= l->top + (size_t)rows)
        l->top = l->selected - (size_t)rows + 1;
    for (int i = 0; i < rows; i++) {
        size_t r = l->top + (size_t)i;
        if (r >= l->nrows)
            break;
        int role = r == l->selected ? ROLE_SELECTED : ROLE_OK;
        if (role == ROLE_SELECTED) {
            attrset(app->attr[role]);
            mvhline(y + 2 + i, x, ' ', w);
            attrset(A_NORMAL);
        }
        cx = x;
        for (size_t c = 0; c < l->ncols && c < 16 && cx < x + w; c++) {
            const char *v = l->rows[r][c];
            ui_put(app, y + 2 + i, cx, colw[c], v ? role : ROLE_DIM, v ? v : "·");
            cx += colw[c] + 1;
        }
    }
    if (l->loaded && l->nrows == 0)
        ui_put(app, y + 2, x, w, ROLE_DIM, "(no rows)");
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
        return;
    }
    char line[512];
    snprintf(line, sizeof line, "Run %lld  %s  from %s  started %s", (long long)m->run.id,
             m->run.status, m->run.source, m->run.started_at);
    ui_put(app, y, x, w, ROLE_TITLE, line);
    int barw = w - 70 > 10 ? (w - 70 > 30 ? 30 : w - 70) : 10;
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
        if (rate > 0 && t->rows_total > t->rows_read && strcmp(t->phase, "done") != 0)
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
    if (app->pane == PANE_MIGRATION)
        draw_migration(app, y, x, h, w);
    else
        draw_list(app, &app->lists[app->pane], y, x, h, w);
}

/* The migration pane re-reads the state file twice a second: the engine
 * writes it (WAL), any number of consoles read it. */
void panes_tick(struct app *app, double now)
{
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
    state_close(st);
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

/* The source to migrate: the demo's legacy file when there is one, else
 * the source of the last run. Caller frees; NULL when none is known. */
static char *migration_source(struct app *app)
{
    char *data = paths_data_home();
    char *demo = xasprintf("%s/demo/legacy.db", data);
    free(data);
    if (access(demo, R_OK) == 0)
        return demo;
    free(demo);
    return app->mig.found && app->mig.run.source[0] ? xstrdup(app->mig.run.source) : NULL;
}

/* Starts `pantrycrm migrate` detached from the console (its own session,
 * output to a log beside the state file), so that it goes on when the
 * console quits or the SSH session drops. */
static bool spawn_migration(struct app *app, const char *source, char **err)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        *err = xstrdup("cannot find the pantrycrm program to start");
        return false;
    }
    exe[n] = '\0';
    /* Open the log here, not in the child, so that a failure is reported
     * in the console instead of dying unseen. */
    char *log = xasprintf("%s.migrate.log", app->state_path);
    char *dir = xstrdup(app->state_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (slash && paths_mkdir_p(dir, 0700) != 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        free(log);
        return false;
    }
    free(dir);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out < 0) {
        *err = xasprintf("cannot open %s: %s", log, strerror(errno));
        free(log);
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *err = xasprintf("cannot start the migration: %s", strerror(errno));
        close(out);
        free(log);
        return false;
    }
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        int in = open("/dev/null", O_RDONLY);
        if (in < 0)
            _exit(127);
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        /* Never share the console's database socket or terminal. */
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        const char *argv[12];
        int k = 0;
        argv[k++] = "pantrycrm";
        if (app->conninfo) {
            argv[k++] = "-d";
            argv[k++] = app->conninfo;
        }
        argv[k++] = "migrate";
        argv[k++] = "--source";
        argv[k++] = source;
        argv[k++] = "--progress";
        argv[k++] = "json";
        argv[k++] = "--state";
        argv[k++] = app->state_path;
        argv[k] = NULL;
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(out);
    int status;
    waitpid(pid, &status, 0);
    free(log);
    return true;
}

static void migration_action(struct app *app, enum action a)
{
    bool running = panes_migration_running(app);
    struct mig_view *m = &app->mig;
    char *err = NULL;
    if (a == ACT_MIG_START) {
        if (running) {
            ui_status(app, " a migration is already running");
            return;
        }
        if (app->read_only) {
            ui_status(app, " read-only: this console does not start migrations");
            return;
        }
        char *source = migration_source(app);
        if (!source) {
            ui_status(app, " no source known: run 'pantrycrm migrate --source sqlite:FILE' once");
            return;
        }
        if (spawn_migration(app, source, &err))
            ui_status(app, " migration of %s started; it goes on if you quit", source);
        else
            ui_status(app, " %s", err);
        free(err);
        free(source);
        panes_switch(app, PANE_MIGRATION);
        return;
    }
    if (!running) {
        ui_status(app, " no migration is running");
        return;
    }
    if (a == ACT_MIG_ABORT) {
        if (kill((pid_t)m->run.pid, SIGINT) == 0)
            ui_status(app, " stopping at the next batch boundary; 'm' resumes it later");
        else
            ui_status(app, " cannot signal the migration: %s", strerror(errno));
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
        ui_status(app, " %s", paused ? "resuming the migration" : "pausing the migration");
    else
        ui_status(app, " %s", err);
    free(err);
    state_close(st);
}
