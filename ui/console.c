/* console.c - the ncurses console: the shell around the panes.
 *
 * One poll loop watches the terminal and the database socket (libpq in
 * non-blocking mode, through the browse session), so the screen never
 * freezes on a slow query and a running query can be cancelled. Layout is recomputed on
 * every resize; painting reads only the model (never the database).
 * The terminal is restored on every exit path: normal, error, signal.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "console.h"
#include "keymap.h"
#include "panes.h"
#include "prompt.h"
#include "form.h"

#include "edit.h"
#include "legacy.h"
#include "guard.h"
#include "pg.h"
#include "sanitize.h"
#include "schema.h"
#include "source.h"
#include "state.h"
#include "userconf.h"
#include "util.h"
#include "clock.h"

#include <curses.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_COLS 40
#define MIN_ROWS 10

static volatile sig_atomic_t got_interrupt, got_terminate;
static bool curses_active;

static void restore_terminal(void)
{
    if (curses_active) {
        curses_active = false;
        endwin();
    }
}

static void on_interrupt(int sig)
{
    (void)sig;
    got_interrupt = 1;
}

static void on_terminate(int sig)
{
    (void)sig;
    got_terminate = 1;
}

/* A crash must not leave the user's terminal in raw mode. endwin() is not
 * async-signal-safe, but the process is dying anyway; htop does the same. */
static void on_fatal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_terminate;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_fatal;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
}


/* ---- colours as roles ------------------------------------------------- */

/* color.ROLE settings of the configuration. Pairs 16 and up are theirs;
 * in monochrome only their attributes apply. config_roles lists the roles
 * in enum role order. */
static void apply_config_styles(struct app *app)
{
    const struct config *cfg = config_get();
    for (size_t i = 0; i < cfg->nstyles; i++) {
        const struct config_style *st = &cfg->styles[i];
        int role = -1;
        for (int r = 0; r < ROLE_COUNT && config_roles[r]; r++)
            if (strcmp(config_roles[r], st->role) == 0)
                role = r;
        if (role < 0)
            continue;
        int a = 0;
        if (st->attrs & CONFIG_ATTR_BOLD) a |= A_BOLD;
        if (st->attrs & CONFIG_ATTR_DIM) a |= A_DIM;
        if (st->attrs & CONFIG_ATTR_UNDERLINE) a |= A_UNDERLINE;
        if (st->attrs & CONFIG_ATTR_REVERSE) a |= A_REVERSE;
        bool has_color = st->fg != CONFIG_COLOR_UNSET || st->bg != CONFIG_COLOR_UNSET;
        if (app->color && has_color) {
            short pair = (short)(16 + role);
            if (pair < COLOR_PAIRS) {
                init_pair(pair, (short)(st->fg == CONFIG_COLOR_UNSET ? -1 : st->fg),
                          (short)(st->bg == CONFIG_COLOR_UNSET ? -1 : st->bg));
                a |= (int)COLOR_PAIR(pair);
            }
            app->attr[role] = a;
        } else if (st->attrs) {
            /* monochrome, or attributes alone: they replace the default */
            app->attr[role] = a;
        }
    }
}

void console_theme_init(struct app *app)
{
    app->attr[ROLE_HEADER] = A_REVERSE;
    app->attr[ROLE_STATUS] = A_REVERSE;
    app->attr[ROLE_SELECTED] = A_REVERSE | A_BOLD;
    app->attr[ROLE_TITLE] = A_BOLD;
    app->attr[ROLE_DIM] = A_DIM;
    app->attr[ROLE_ERROR] = A_BOLD;
    app->attr[ROLE_OK] = A_NORMAL;
    app->attr[ROLE_WARN] = A_BOLD;
    app->attr[ROLE_BAR] = A_REVERSE;
    const char *no_color = getenv("NO_COLOR");
    app->color = has_colors() && (app->color_pref == 2 || (app->color_pref == 0 && !(no_color && *no_color)));
    if (!app->color) {
        apply_config_styles(app);
        return; /* monochrome: attributes alone carry the meaning */
    }
    start_color();
    use_default_colors();
    init_pair(1, COLOR_WHITE, COLOR_BLUE);
    init_pair(2, COLOR_RED, -1);
    init_pair(3, COLOR_GREEN, -1);
    init_pair(4, COLOR_YELLOW, -1);
    init_pair(5, COLOR_BLACK, COLOR_CYAN);
    app->attr[ROLE_HEADER] = COLOR_PAIR(1) | A_BOLD;
    app->attr[ROLE_STATUS] = COLOR_PAIR(1);
    app->attr[ROLE_SELECTED] = COLOR_PAIR(5) | A_BOLD;
    app->attr[ROLE_ERROR] = COLOR_PAIR(2) | A_BOLD;
    app->attr[ROLE_OK] = COLOR_PAIR(3);
    app->attr[ROLE_WARN] = COLOR_PAIR(4) | A_BOLD;
    app->attr[ROLE_BAR] = COLOR_PAIR(5);
    apply_config_styles(app);
}

/* ---- drawing helpers shared by the panes ------------------------------- */

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

static const char *pane_title(int pane)
{
    switch (pane) {
    case PANE_ORGS: return "Organizations";
    case PANE_CONTACTS: return "Contacts";
    case PANE_MIGRATION: return "Migration";
    case PANE_DASHBOARD: return "Dashboard";
    case PANE_HEALTH: return "Health";
    default: return "";
    }
}

static void draw_header(struct app *app)
{
    char line[512];
    /* The read-only, standby and reconnecting marks come first: they must
     * survive any truncation. */
    snprintf(line, sizeof line, " pantrycrm %s%s%s%s %s  %s%s%s",
             app->read_only ? " [READ-ONLY] " : "", app->standby ? "[STANDBY] " : "",
             app->reconnect, app->reconnect[0] ? " " : "", pane_title(app->pane), app->who,
             app->tls[0] ? "  " : "", app->tls);
    attrset(app->attr[ROLE_HEADER]);
    mvhline(0, 0, ' ', COLS);
    attrset(A_NORMAL);
    ui_put(app, 0, 0, COLS, ROLE_HEADER, line);
}

static void draw_status(struct app *app)
{
    attrset(app->attr[ROLE_STATUS]);
    mvhline(LINES - 1, 0, ' ', COLS);
    attrset(A_NORMAL);
    const char *hint = COLS >= 100 ? "1 Orgs  2 Contacts  3 Migration  4 Dashboard  5 Health  / Search  "
                                     ": Command  Enter Details  e Edit  ? Help  q Quit"
                     : COLS >= 72  ? "1 Orgs  2 Contacts  3 Migration  4 Dashboard  5 Health  ? Help  q Quit"
                                   /* narrow: the keys that matter must not be cut */
                                   : "1-5 panes  / Search  ? Help  q Quit";
    if (app->status[0] && app->confirm != ACT_NONE && strstr(app->status, "y/n")
        && text_width(app->status, strlen(app->status)) > COLS) {
        /* A question cut short by the width keeps its y/n in sight. */
        ui_put(app, LINES - 1, 0, COLS - 5, ROLE_STATUS, app->status);
        ui_put(app, LINES - 1, COLS - 5, 5, ROLE_STATUS, " y/n ");
    } else if (app->status[0] && (app->confirm != ACT_NONE || clock_mono_s() - app->status_at < 8))
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, app->status);
    else if (app->busy)
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, " working… (Esc cancels)");
    else if (app->locale_note)
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, app->locale_note);
    else
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, hint);
}

/* The commands of the ':' line, listed in the help after the keys. */
static const char *const help_commands[] = {
    "",
    "\x01" "Commands (after :)",
    ":sort [-]COLUMN   sort (name, priority, segment, status, city, updatedAt,",
    "                  nextFollowUpDate, estimatedRevenue, lastName, or a header)",
    ":filter F=V[,V]   keep the rows whose F is one of the values (clear: all)",
    ":goto ID          jump to a row by its UUID or legacy id",
    ":search WORDS     as /",
    ":export csv|jsonl FILE   write the list as filtered and sorted",
    ":orgs :contacts :migration :quit",
};
#define HELP_COMMANDS ((int)(sizeof help_commands / sizeof help_commands[0]))

static void draw_help(struct app *app)
{
    int y = 1, avail = LINES - 5, total = ACT_COUNT + HELP_COMMANDS;
    ui_put(app, y++, 1, COLS - 2, ROLE_TITLE, "Keys (every action of the console)");
    y++;
    if (app->help_top > total - avail)
        app->help_top = total - avail > 0 ? total - avail : 0;
    if (app->help_top < 0)
        app->help_top = 0;
    for (int a = app->help_top; a < total && y < LINES - 2; a++) {
        char line[256];
        if (a >= ACT_COUNT) {
            const char *c = help_commands[a - ACT_COUNT];
            bool title = c[0] == '\x01';
            ui_put(app, y++, title ? 1 : 2, COLS - 3, title ? ROLE_TITLE : ROLE_OK, title ? c + 1 : c);
            continue;
        }
        const struct action_info *ai = action_info((enum action)a);
        snprintf(line, sizeof line, "%-16s %s", ai->keys, ai->help);
        ui_put(app, y++, 2, COLS - 3, ROLE_OK, line);
    }
    bool more = app->help_top + avail < total;
    ui_put(app, LINES - 2, 2, COLS - 3, ROLE_DIM,
           more ? "Down/PgDn for more; any other key closes the help."
                : "Any key closes the help.");
}

/* What a Tab could complete to, listed over the lines above the prompt
 * (readline would print them behind ncurses' back). */
static void draw_candidates(struct app *app)
{
    const char *const *c = prompt_candidates(app->prompt);
    if (!c || !c[0])
        return;
    int maxw = 0, n = 0;
    for (; c[n]; n++) {
        int w = text_width(c[n], strlen(c[n]));
        maxw = w > maxw ? w : maxw;
    }
    int colw = maxw + 2 < COLS ? maxw + 2 : COLS;
    int per = COLS / colw > 0 ? COLS / colw : 1;
    int rows = (n + per - 1) / per, maxrows = LINES / 3 > 1 ? LINES / 3 : 1;
    bool cut = rows > maxrows;
    if (cut)
        rows = maxrows;
    int top = LINES - 1 - rows;
    for (int r = 0; r < rows; r++) {
        attrset(app->attr[ROLE_STATUS]);
        mvhline(top + r, 0, ' ', COLS);
        attrset(A_NORMAL);
        for (int k = 0; k < per; k++) {
            int i = r * per + k;
            if (i >= n)
                break;
            bool last = cut && r == rows - 1 && k == per - 1;
            char more[32];
            snprintf(more, sizeof more, "(%d more)", n - i);
            ui_put(app, top + r, k * colw, colw - 1, ROLE_STATUS, last ? more : c[i]);
        }
    }
}

static void draw_too_small(struct app *app)
{
    erase();
    char line[64];
    snprintf(line, sizeof line, "terminal too small: %dx%d, need %dx%d", COLS, LINES, MIN_COLS,
             MIN_ROWS);
    /* Even this must fit: a 20x5 terminal gets as much as fits. */
    for (int y = 0, off = 0; y < LINES && off < (int)strlen(line); y++, off += COLS)
        ui_put(app, y, 0, COLS, ROLE_WARN, line + off);
}

void console_render(struct app *app)
{
    if (COLS < MIN_COLS || LINES < MIN_ROWS) {
        draw_too_small(app);
        refresh();
        return;
    }
    erase();
    draw_header(app);
    if (app->help)
        draw_help(app);
    else
        panes_draw(app, 1, 0, LINES - 2, COLS);
    draw_status(app);
    if (app->prompt && prompt_is_open(app->prompt)) {
        draw_candidates(app);
        prompt_draw(app->prompt, LINES - 1, COLS); /* last: it places the cursor */
    }
    refresh();
    app->frames++;
}

/* ---- the loop ---------------------------------------------------------- */

/* File names for ":export FORMAT WORD": the entries of WORD's directory
 * ("~/" is the home directory), directories with a trailing '/'. */
static char **complete_files(const char *line, int start, int end)
{
    char word[512];
    snprintf(word, sizeof word, "%.*s", end - start, line + start);
    char *slash = strrchr(word, '/');
    char shown[512] = "", dir[1024] = ".";
    if (slash) {
        snprintf(shown, sizeof shown, "%.*s", (int)(slash - word + 1), word);
        const char *home = getenv("HOME");
        if (shown[0] == '~' && shown[1] == '/' && home)
            snprintf(dir, sizeof dir, "%s/%s", home, shown + 2);
        else
            snprintf(dir, sizeof dir, "%s", shown);
    }
    size_t n = 0, cap = 16;
    char **out = xcalloc(cap + 1, sizeof *out);
    DIR *d = opendir(dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            out = xrealloc(out, (cap + 1) * sizeof *out);
        }
        char path[1600];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        bool is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        out[n++] = xasprintf("%s%s%s", shown, e->d_name, is_dir ? "/" : "");
    }
    if (d)
        closedir(d);
    out[n] = NULL;
    return out;
}

/* Completion for the ':' line: commands, then sort names and filter fields. */
static char **complete(const char *line, int start, int end, void *ctx)
{
    struct app *app = ctx;
    /* A form's enumerated field: its labels. */
    if (app && app->prompt_kind == 'f' && app->form) {
        const struct edit_field *f = &app->form->fields[app->form->sel];
        size_t n = 0;
        const char *const *labels = f->kind == EDIT_ENUM && f->enum_type
                                    ? legacy_enum_labels(f->enum_type, &n) : NULL;
        char **out = xcalloc(n + 1, sizeof *out);
        for (size_t i = 0; i < n; i++)
            out[i] = xstrdup(labels[i]);
        return out;
    }
    /* ":export csv|jsonl FILE": the third word is a file name */
    if (strncmp(line, "export ", 7) == 0) {
        int words = 0;
        for (int i = 0; i < start; i++)
            if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
                words++;
        if (words >= 2)
            return complete_files(line, start, end);
    }
    static const char *const verbs[] = {"sort ", "filter ", "goto ", "search ", "export csv ", "export jsonl ",
                                        "orgs", "contacts", "migration", "quit", NULL};
    static const char *const sorts[] = {"name", "priority", "segment", "status", "city", "updatedAt",
                                        "nextFollowUpDate", "estimatedRevenue", "lastName",
                                        "-name", "-updatedAt", "revenue", "follow-up", "updated",
                                        "-revenue", NULL};
    static const char *const filters[] = {"priority=", "segment=", "status=", "type=", "state=",
                                          "city=", "followup=due", "followup=overdue",
                                          "followup=today", "primary", "clear", NULL};
    const char *const *pool = verbs;
    if (start > 0 && strncmp(line, "sort", 4) == 0)
        pool = sorts;
    else if (start > 0 && strncmp(line, "filter", 6) == 0) {
        /* readline ends words at '=' and ',': after "field=" (or a comma
         * in its list), offer that field's labels */
        int fs = start;
        while (fs > 0 && line[fs - 1] != '=' && line[fs - 1] != ' ')
            fs--;
        if (fs > 0 && line[fs - 1] == '=') {
            int fe = fs - 1, fb = fe;
            while (fb > 0 && line[fb - 1] != ' ')
                fb--;
            char field[32];
            snprintf(field, sizeof field, "%.*s", fe - fb, line + fb);
            size_t n;
            const char *const *labels = browse_filter_labels(field, &n);
            if (labels) {
                char **out = xcalloc(n + 1, sizeof *out);
                for (size_t i = 0; i < n; i++)
                    out[i] = xstrdup(labels[i]);
                return out;
            }
        }
        pool = filters;
    }
    size_t n = 0;
    while (pool[n])
        n++;
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(pool[i]);
    return out;
}

static void dispatch(struct app *app, int key)
{
    app->locale_note = NULL;    /* read: the usual hints come back */
    if (app->prompt && prompt_is_open(app->prompt)) {
        char kind = app->prompt_kind;
        enum prompt_status st = prompt_feed(app->prompt, key);
        if (st == PROMPT_ACCEPTED) {
            if (kind == '/')
                panes_search(app, prompt_line(app->prompt));
            else if (kind == 'f')
                form_field_entered(app, prompt_line(app->prompt));
            else
                panes_command(app, prompt_line(app->prompt));
        }
        if (st != PROMPT_EDITING)
            curs_set(0);
        return;
    }
    if (app->help) {
        enum action a = keymap_lookup(KEYS_LIST, key);
        if (a == ACT_DOWN || a == ACT_UP || a == ACT_PAGE_DOWN || a == ACT_PAGE_UP) {
            int step = a == ACT_DOWN || a == ACT_UP ? 1 : LINES - 6;
            app->help_top += a == ACT_DOWN || a == ACT_PAGE_DOWN ? step : -step;
        } else {
            app->help = false;
            app->help_top = 0;
        }
        return;
    }
    if (app->confirm != ACT_NONE) {
        enum action pending = app->confirm;
        app->confirm = ACT_NONE;
        app->status[0] = '\0';
        if (keymap_lookup(KEYS_CONFIRM, key) != ACT_CONFIRM_YES)
            return;     /* any other key is no */
        if (pending == ACT_QUIT)
            app->quit = true;
        else if (pending == ACT_BACK)
            form_close(app);    /* leave the form without saving */
        else if (pending == ACT_COMMAND) {
            app->confirm = ACT_COMMAND; /* the command knows it was confirmed */
            panes_command(app, app->confirm_line);
            app->confirm = ACT_NONE;
        }
        else {
            app->confirm = pending; /* lets the action know it was confirmed */
            panes_action(app, pending);
            app->confirm = ACT_NONE;
        }
        return;
    }
    /* A message is about the last thing done: the next key starts afresh,
     * so a refused filter or a validation error does not outlive it. */
    app->status[0] = '\0';
    if (app->form && form_key(app, key))
        return;
    enum action a = keymap_lookup(KEYS_BROWSE, key);
    /* Read-only is one decision (guard.h): every key that writes asks it
     * here, before any pane sees the key. */
    const char *writes = panes_action_writes(app, a);
    char *refusal = NULL;
    if (writes && !guard_write(writes, &refusal)) {
        ui_status(app, " %s", refusal);
        free(refusal);
        return;
    }
    switch (a) {
    case ACT_QUIT:
        if (panes_migration_running(app)) {
            app->confirm = ACT_QUIT;
            ui_status(app, " a migration is running (it goes on without the console); quit? y/n");
        } else {
            app->quit = true;
        }
        break;
    case ACT_HELP:
        app->help = true;
        break;
    case ACT_PANE_ORGS:
        panes_switch(app, PANE_ORGS);
        break;
    case ACT_PANE_CONTACTS:
        panes_switch(app, PANE_CONTACTS);
        break;
    case ACT_PANE_MIGRATION:
        panes_switch(app, PANE_MIGRATION);
        break;
    case ACT_PANE_DASHBOARD:
        panes_switch(app, PANE_DASHBOARD);
        break;
    case ACT_PANE_HEALTH:
        panes_switch(app, PANE_HEALTH);
        break;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_CANCEL:
        panes_cancel(app);
        break;
    case ACT_SEARCH:
    case ACT_COMMAND:
        if (app->prompt && (a == ACT_COMMAND || app->pane != PANE_MIGRATION)) {
            app->prompt_kind = a == ACT_SEARCH ? '/' : ':';
            prompt_open(app->prompt, a == ACT_SEARCH ? "/" : ":");
        }
        break;
    case ACT_MIG_ABORT:
        if (app->pane == PANE_MIGRATION)
            panes_action(app, a); /* it names the run and asks first */
        break;
    case ACT_NONE:
        break;
    default:
        panes_action(app, a);
        break;
    }
}

static int setup_session(struct app *app, char **err);

/* ---- losing and regaining the server -------------------------------------- */

/* When the server, the pooler or a multi-host string's current host goes
 * away, libpq marks the connection bad at the next query. The console then
 * reconnects on its own, with backoff, saying so in the header; pages
 * shown and an open form stay as they are meanwhile (a save says to try
 * again), and the page is fetched again once connected. */
static double reconnect_next;
static int reconnect_attempts;

static void reconnect_tick(struct app *app)
{
    if (PQstatus(app->conn) != CONNECTION_BAD)
        return;
    double now = clock_mono_s();
    if (!app->reconnect[0]) {
        reconnect_attempts = 0;
        reconnect_next = now;
    }
    if (app->busy) {
        /* the query in flight died with the connection */
        app->busy = false;
        browse_session_reset(app->bs);
    }
    if (now < reconnect_next) {
        snprintf(app->reconnect, sizeof app->reconnect, "[RECONNECTING: try %d in %.0f s]",
                 reconnect_attempts + 1, reconnect_next - now + 0.5);
        return;
    }
    reconnect_attempts++;
    snprintf(app->reconnect, sizeof app->reconnect, "[RECONNECTING: try %d]", reconnect_attempts);
    console_render(app);    /* the connect blocks: show why first */
    char *err = NULL;
    PGconn *old = app->conn;
    struct browse_session *bs = NULL;
    PGconn *c = pg_connect_like(old, "reconnect", &err);
    if (c) {
        app->conn = c;
        if (setup_session(app, &err) != 0 || !(bs = browse_session_new(c, true, &err))) {
            app->conn = old;
            PQfinish(c);
            c = NULL;
        }
    }
    if (!c) {
        double wait = 0.5 * (double)(1 << (reconnect_attempts < 6 ? reconnect_attempts - 1 : 5));
        reconnect_next = clock_mono_s() + (wait > 15 ? 15 : wait);
        char *first = err ? strchr(err, '\n') : NULL;
        if (first)
            *first = '\0';
        ui_status(app, " connection lost: %s", err ? err : "?");
        free(err);
        return;
    }
    PQfinish(old);
    browse_session_free(app->bs);
    app->bs = bs;
    PQsetnonblocking(c, 1);
    app->reconnect[0] = '\0';
    ui_status(app, " reconnected (after %d %s); the page is read again", reconnect_attempts,
              reconnect_attempts == 1 ? "try" : "tries");
    panes_refresh(app);
}

static void loop(struct app *app)
{
    console_render(app);
    while (!app->quit) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {-1, POLLIN, 0}};
        nfds_t n = 1;
        if (panes_socket(app) >= 0) {
            fds[1].fd = panes_socket(app);
            n = 2;
        }
        int rc = poll(fds, n, 250);
        if (rc < 0 && errno != EINTR)
            break;
        if (got_terminate)
            break;
        if (got_interrupt) {
            got_interrupt = 0;
            if (app->prompt && prompt_is_open(app->prompt)) {
                prompt_cancel(app->prompt);
                curs_set(0);
            } else if (app->busy) {
                panes_cancel(app);
            } else {
                ui_status(app, " press q to quit");
            }
        }
        if (n == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            panes_on_readable(app);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int key;
            while ((key = getch()) != ERR) {
                if (key == KEY_RESIZE)
                    continue; /* layout is recomputed on every draw */
                dispatch(app, key);
                if (app->quit)
                    break;
            }
            if (fds[0].revents & (POLLHUP | POLLERR))
                break; /* the terminal went away: SSH dropped */
        }
        panes_tick(app, clock_mono_s());
        reconnect_tick(app);
        console_render(app);
    }
}

/* ---- start and stop ------------------------------------------------------ */

/* The role cannot write, the server is a standby, or the user asked for
 * read-only: either way the guard (guard.h) refuses every key that writes
 * before anything is sent. No session setting at the server
 * (default_transaction_read_only): behind a transaction pooler it would
 * stay on the server connection and fail the next client's writes. */
static int setup_session(struct app *app, char **err)
{
    /* Without the schema every pane would fail with SQL errors: say what
     * to do instead of opening. */
    char *missing = schema_missing(app->conn);
    if (missing) {
        *err = missing;
        return -1;
    }
    char *lag = NULL;
    int standby = pg_standby(app->conn, &lag, err);
    free(lag);
    if (standby < 0)
        return -1;
    app->standby = standby == 1;
    if (app->standby)
        guard_set_read_only("a standby (read replica) takes no edits: open the console on the "
                            "primary, -d with target_session_attrs=read-write");
    char *tls = pg_tls_summary(app->conn);
    snprintf(app->tls, sizeof app->tls, "%s", tls);
    free(tls);
    PGresult *res = pg_exec(app->conn, err,
        "SELECT current_user, current_database(), coalesce(inet_server_addr()::text, 'local'),"
        " to_regclass('public.\"Organization\"') IS NOT NULL AND"
        " has_table_privilege('public.\"Organization\"', 'INSERT, UPDATE, DELETE')", 0, NULL);
    if (!res)
        return -1;
    bool can_write = PQgetvalue(res, 0, 3)[0] == 't';
    if (!can_write)
        guard_set_read_only("the role cannot write");
    app->read_only = guard_read_only();
    snprintf(app->session_ns, sizeof app->session_ns, "%s:%s/%s/%s",
             PQhost(app->conn) ? PQhost(app->conn) : "", PQport(app->conn) ? PQport(app->conn) : "",
             PQdb(app->conn), PQuser(app->conn));
    char *host = pg_describe(app->conn);
    snprintf(app->who, sizeof app->who, "%s", host);
    free(host);
    PQclear(res);
    return 0;
}

int console_main(const struct console_opts *opts)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "pantrycrm: the console needs a terminal; for scripts use a "
                        "subcommand (see 'pantrycrm --help')\n");
        return 2;
    }
    /* The configuration (system, then user): read, never written; main
     * loaded it and a mistake in it stopped us with the file and line
     * rather than being half applied. */
    char *cfg_err = NULL;
    if (config_init(&cfg_err) != 0) {
        fprintf(stderr, "pantrycrm: %s\n", cfg_err);
        free(cfg_err);
        return 2;
    }
    const struct config *cfg = config_get();
    for (size_t i = 0; i < cfg->nbindings; i++)
        if (keymap_bind(cfg->bindings[i].action, cfg->bindings[i].keys, &cfg_err) != 0) {
            fprintf(stderr, "pantrycrm: %s:%d: %s\n", cfg->bindings[i].file, cfg->bindings[i].line,
                    cfg_err);
            free(cfg_err);
            return 2;
        }
    struct app app;
    memset(&app, 0, sizeof app);
    if (opts->read_only)
        guard_set_read_only("--read-only");
    else if (cfg->read_only)
        guard_set_read_only("read-only = true in the configuration");
    app.read_only = guard_read_only();
    app.color_pref = cfg->color == CONFIG_COLOR_NEVER ? 1 : cfg->color == CONFIG_COLOR_ALWAYS ? 2 : 0;
    app.confirm = ACT_NONE;
    app.conninfo = opts->conninfo ? xstrdup(opts->conninfo) : NULL;
    char *err = NULL;
    app.conn = pg_connect(opts->conninfo, "open the console", &err);
    if (!app.conn) {
        fprintf(stderr, "pantrycrm: %s\n", err);
        free(err);
        return 1;
    }
    if (setup_session(&app, &err) != 0) {
        fprintf(stderr, "pantrycrm: cannot open the console: %s\n", err);
        free(err);
        PQfinish(app.conn);
        return 1;
    }
    app.bs = browse_session_new(app.conn, true, &err);
    if (!app.bs) {
        fprintf(stderr, "pantrycrm: cannot open the console: %s\n", err);
        free(err);
        PQfinish(app.conn);
        return 1;
    }
    PQsetnonblocking(app.conn, 1);
    app.state_path = opts->state_path ? xstrdup(opts->state_path) : state_default_path();
    const char *codeset = nl_langinfo(CODESET);
    app.utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    if (!app.utf8)  /* as after su -, or LANG unset in an SSH session */
        app.locale_note = " the locale is not UTF-8: drawing in ASCII (set LANG=C.UTF-8 for "
                          "accents and lines)";

    /* Users who never set ESCDELAY get a snappy Esc, as htop does. */
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    atexit(restore_terminal);
    install_signals();
    source_may_prompt = false;      /* the screen is ncurses' from here on */
    if (!initscr()) {
        fprintf(stderr, "pantrycrm: cannot initialise the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    curses_active = true;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    console_theme_init(&app);
    char *state_dir = xstrdup(app.state_path);
    char *slash = strrchr(state_dir, '/');
    if (slash)
        *slash = '\0';
    char *history = xasprintf("%s/history", state_dir);
    free(state_dir);
    app.prompt = prompt_new(history);
    free(history);
    if (app.prompt)
        prompt_set_completer(app.prompt, complete, &app);
    panes_init(&app);
    panes_restore_session(&app);
    loop(&app);
    restore_terminal();
    panes_save_session(&app);
    prompt_free(app.prompt);
    app.prompt = NULL;
    panes_free(&app);
    browse_session_free(app.bs);
    PQfinish(app.conn);
    free(app.state_path);
    free(app.conninfo);
    return got_terminate ? 143 : 0;
}

int console_keys(int argc, char **argv, const char *prefix)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: %s\n\nList the console's keys and what they do.\n", prefix);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "%s: unexpected argument '%s' (see '%s --help')\n", prefix, argv[1], prefix);
        return 2;
    }
    for (int a = 0; a < ACT_COUNT; a++) {
        const struct action_info *ai = action_info((enum action)a);
        printf("%-16s %s\n", ai->keys, ai->help);
    }
    return 0;
}
