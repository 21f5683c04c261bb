/* console.c - the ncurses console: the shell around the panes.
 *
 * It holds the panes of its registry (pane.h) and routes to them: keys
 * through the key table to the pane on screen, answers of the query slot
 * to the pane that sent the query (app.c), ticks to all. One poll loop
 * watches the terminal and the database socket (libpq in non-blocking
 * mode, through the browse session), so the screen never freezes on a
 * slow query and a running query can be cancelled; the frame is drawn by
 * screen.c. The terminal is restored on every exit path: normal, error,
 * signal.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "console.h"
#include "app.h"
#include "keymap.h"
#include "prompt.h"
#include "form.h"
#include "complete.h"
#include "worker.h"
/* the panes, for the registry below */
#include "list_pane.h"
#include "migration_pane.h"
#include "dashboard.h"
#include "health.h"

#include "edit.h"
#include "guard.h"
#include "pg.h"
#include "schema.h"
#include "source.h"
#include "state.h"
#include "userconf.h"
#include "util.h"
#include "clock.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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


/* ---- the panes ------------------------------------------------------------ */

/* The registry: every pane of the console, in the order of their keys'
 * help lines and of the session's saved pane number. Adding a pane is one
 * file (its struct pane_ops and constructor) and one line here. */
static const pane_new_fn registry[] = {
    list_pane_orgs_new,         /* 1 F2 */
    list_pane_contacts_new,     /* 2 F3 */
    migration_pane_new,         /* 3 F4 */
    dashboard_pane_new,         /* 4 F6 */
    health_pane_new,            /* 5 F7 */
};

void console_panes_new(struct app *app)
{
    app->npanes = sizeof registry / sizeof registry[0];
    app->panes = xcalloc(app->npanes, sizeof *app->panes);
    for (size_t i = 0; i < app->npanes; i++)
        app->panes[i] = registry[i](app);
    app->current = app->panes[0];
}

void console_panes_free(struct app *app)
{
    worker_finish(app);
    form_close(app);
    browse_query_free(&app->q);
    for (size_t i = 0; i < app->npanes; i++)
        app->panes[i]->ops->free(app->panes[i]);
    free(app->panes);
    app->panes = NULL;
    app->npanes = 0;
    app->current = NULL;
}

/* ---- the loop ---------------------------------------------------------- */

/* The pane that takes the ':' line's list commands: the one on screen
 * when it has commands, else the first of the registry that has. */
static struct pane *command_pane(struct app *app)
{
    if (app->current->ops->command)
        return app->current;
    for (size_t i = 0; i < app->npanes; i++)
        if (app->panes[i]->ops->command)
            return app->panes[i];
    return NULL;
}

/* The ':' line: quit and the panes' names here, the rest to a pane. */
static bool console_command(struct app *app, const char *line)
{
    char verb[32] = "", rest[256] = "";
    sscanf(line, " %31s %255[^\n]", verb, rest);
    if (!*verb)
        return true;
    if (strcmp(verb, "q") == 0 || strcmp(verb, "quit") == 0) {
        app->quit = true;
        return true;
    }
    struct pane *named = app_pane(app, verb);
    if (named) {
        app_show(app, named);
        return true;
    }
    struct pane *p = command_pane(app);
    if (p && p != app->current
        && (!strcmp(verb, "sort") || !strcmp(verb, "filter") || !strcmp(verb, "goto")
            || !strcmp(verb, "search") || !strcmp(verb, "export")))
        app_show(app, p); /* a list's command typed elsewhere: shown, not done out of sight */
    if (p)
        return p->ops->command(p, verb, rest, line);
    ui_status(app, " unknown command '%s'", verb);
    return false;
}

/* An action goes to the pane on screen, then to the others (see
 * pane_ops.action); what it writes, asked the same way. */
static void pane_action(struct app *app, enum action a)
{
    struct pane *cur = app->current;
    if (cur->ops->action && cur->ops->action(cur, a, true))
        return;
    for (size_t i = 0; i < app->npanes; i++) {
        struct pane *p = app->panes[i];
        if (p != cur && p->ops->action && p->ops->action(p, a, false))
            return;
    }
}

static const char *pane_writes(struct app *app, enum action a)
{
    struct pane *cur = app->current;
    const char *w = cur->ops->writes ? cur->ops->writes(cur, a, true) : NULL;
    for (size_t i = 0; i < app->npanes && !w; i++) {
        struct pane *p = app->panes[i];
        if (p != cur && p->ops->writes)
            w = p->ops->writes(p, a, false);
    }
    return w;
}

/* A y/n question was answered: y gives the action back to whoever asked. */
static void answer(struct app *app, int key)
{
    enum action pending = app->confirm;
    struct pane *asker = app->confirm_pane;
    app->confirm = ACT_NONE;
    app->confirm_pane = NULL;
    app->status[0] = '\0';
    if (keymap_lookup(KEYS_CONFIRM, key) != ACT_CONFIRM_YES)
        return;     /* any other key is no */
    app->confirm = pending; /* the action knows it was confirmed */
    if (pending == ACT_QUIT)
        app->quit = true;
    else if (pending == ACT_BACK)
        form_close(app);    /* leave the form without saving */
    else if (pending == ACT_COMMAND)
        console_command(app, app->confirm_line);
    else if (asker && asker->ops->action)
        asker->ops->action(asker, pending, asker == app->current);
    app->confirm = ACT_NONE;
}

/* Esc or ^C outside a prompt: what the user waits for. The query of the
 * pane on screen first; then a pane's job of its own (an export, which
 * the status line shows from any pane); then a query another pane left
 * running, which is not on screen. False when nothing ran. */
static bool cancel(struct app *app)
{
    if (app->busy && app->q_owner == app->current) {
        app_cancel(app);
        return true;
    }
    for (size_t i = 0; i < app->npanes; i++)
        if (app->panes[i]->ops->cancel && app->panes[i]->ops->cancel(app->panes[i]))
            return true;
    if (app->busy) {
        app_cancel(app);
        return true;
    }
    return false;
}

static void dispatch(struct app *app, int key)
{
    app->locale_note = NULL;    /* read: the usual hints come back */
    if (app->prompt && prompt_is_open(app->prompt)) {
        char kind = app->prompt_kind;
        enum prompt_status st = prompt_feed(app->prompt, key);
        if (st == PROMPT_ACCEPTED) {
            if (kind == '/') {
                if (app->current->ops->search)
                    app->current->ops->search(app->current, prompt_line(app->prompt));
            } else if (kind == 'f') {
                form_field_entered(app, prompt_line(app->prompt));
            } else {
                console_command(app, prompt_line(app->prompt));
            }
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
        answer(app, key);
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
    const char *writes = pane_writes(app, a);
    char *refusal = NULL;
    if (writes && !guard_write(writes, &refusal)) {
        ui_status(app, " %s", refusal);
        free(refusal);
        return;
    }
    for (size_t i = 0; i < app->npanes; i++)
        if (a == app->panes[i]->key) {
            app_show(app, app->panes[i]);
            return;
        }
    switch (a) {
    case ACT_QUIT: {
        const char *question = NULL;
        for (size_t i = 0; i < app->npanes && !question; i++)
            if (app->panes[i]->ops->quit_question)
                question = app->panes[i]->ops->quit_question(app->panes[i]);
        if (question)
            app_ask(app, NULL, ACT_QUIT, "%s", question);
        else
            app->quit = true;
        break;
    }
    case ACT_HELP:
        app->help = true;
        break;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_CANCEL:
        cancel(app);
        break;
    case ACT_SEARCH:
    case ACT_COMMAND:
        if (app->prompt && (a == ACT_COMMAND || app->current->ops->search)) {
            app->prompt_kind = a == ACT_SEARCH ? '/' : ':';
            prompt_open(app->prompt, a == ACT_SEARCH ? "/" : ":");
        }
        break;
    case ACT_NONE:
        break;
    default:
        pane_action(app, a);
        break;
    }
}

struct session_info;
static int session_read(PGconn *conn, struct session_info *si, char **err);
static void session_apply(struct app *app, const struct session_info *si);

/* ---- losing and regaining the server -------------------------------------- */

/* When the server, the pooler or a multi-host string's current host goes
 * away, libpq marks the connection bad at the next query. The console then
 * reconnects on its own, with backoff, saying so in the header; pages
 * shown and an open form stay as they are meanwhile (a save says to try
 * again), and the page is fetched again once connected. The connect and
 * the session's checks (schema, standby, privileges, prepared statements)
 * are round trips, to a host that may not answer for connect_timeout: a
 * thread makes them on a new connection while the screen goes on, and the
 * loop swaps it in once it is ready. */
static double reconnect_next;
static int reconnect_attempts;

struct session_info {
    bool standby, can_write;
    char tls[96], ns[320], who[256];
};

struct reconnect_job {
    PGconn *model;                  /* the lost connection: its parameters */
    PGconn *conn;
    struct browse_session *bs;
    struct session_info si;
    char *err;
    double began;                   /* a message said since is not covered */
    pthread_t thread;
    atomic_bool ended;
};
static struct reconnect_job *reconnecting;

static void *reconnect_main(void *arg)
{
    struct reconnect_job *j = arg;
    j->conn = pg_connect_like(j->model, "reconnect", &j->err);
    if (j->conn && (session_read(j->conn, &j->si, &j->err) != 0
                    || !(j->bs = browse_session_new(j->conn, true, &j->err)))) {
        PQfinish(j->conn);
        j->conn = NULL;
    }
    atomic_store(&j->ended, true);
    return NULL;
}

/* The thread's outcome: the new connection in place, or the next try later. */
static void reconnect_done(struct app *app, struct reconnect_job *j)
{
    reconnecting = NULL;
    if (!j->conn) {
        double wait = 0.5 * (double)(1 << (reconnect_attempts < 6 ? reconnect_attempts - 1 : 5));
        reconnect_next = clock_mono_s() + (wait > 15 ? 15 : wait);
        char *first = j->err ? strchr(j->err, '\n') : NULL;
        if (first)
            *first = '\0';
        if (app->status_at <= j->began)
            ui_status(app, " connection lost: %s", j->err ? j->err : "?");
        free(j->err);
        free(j);
        return;
    }
    PQfinish(app->conn);
    browse_session_free(app->bs);
    app->conn = j->conn;
    app->bs = j->bs;
    session_apply(app, &j->si);
    free(j->err);
    free(j);
    PQsetnonblocking(app->conn, 1);
    app->reconnect[0] = '\0';
    ui_status(app, " reconnected (after %d %s); the page is read again", reconnect_attempts,
              reconnect_attempts == 1 ? "try" : "tries");
    app_refresh(app, NULL);
}

static void reconnect_tick(struct app *app)
{
    if (reconnecting) {
        if (atomic_load(&reconnecting->ended)) {
            pthread_join(reconnecting->thread, NULL);
            reconnect_done(app, reconnecting);
        }
        return;
    }
    if (app->conn_lent || PQstatus(app->conn) != CONNECTION_BAD)
        return;
    double now = clock_mono_s();
    if (!app->reconnect[0]) {
        reconnect_attempts = 0;
        reconnect_next = now;
    }
    if (app->busy) {
        /* the query in flight died with the connection */
        app->busy = false;
        app->q_owner = NULL;
        browse_session_reset(app->bs);
    }
    /* an export's thread still reading the lost connection's parameters */
    if (now < reconnect_next || atomic_load(&app->conn_readers) > 0) {
        snprintf(app->reconnect, sizeof app->reconnect, "[RECONNECTING: try %d in %.0f s]",
                 reconnect_attempts + 1, reconnect_next > now ? reconnect_next - now + 0.5 : 0.0);
        return;
    }
    reconnect_attempts++;
    snprintf(app->reconnect, sizeof app->reconnect, "[RECONNECTING: try %d]", reconnect_attempts);
    struct reconnect_job *j = xcalloc(1, sizeof *j);
    j->model = app->conn;
    j->began = clock_mono_s();
    atomic_init(&j->ended, false);
    reconnecting = j;
    if (pthread_create(&j->thread, NULL, reconnect_main, j) != 0) {
        reconnect_main(j);  /* no thread to be had: here, as it always could */
        reconnect_done(app, j);
    }
}

/* The console is closing: a reconnect under way is waited for (at most
 * its connect_timeout) and dropped. */
static void reconnect_stop(void)
{
    struct reconnect_job *j = reconnecting;
    if (!j)
        return;
    pthread_join(j->thread, NULL);
    browse_session_free(j->bs);
    if (j->conn)
        PQfinish(j->conn);
    free(j->err);
    free(j);
    reconnecting = NULL;
}

/* While a job holds the connection (worker.h), a key typed is kept for
 * when it is done, as it would have been after a blocking call, so that
 * keys typed ahead of an opening form land in the form. These act at
 * once: the help and its keys (outside a form), ^L, and Esc/^C, which
 * cancel the job (and drop the keys kept for it). */
static bool key_now(struct app *app, int key)
{
    if (app->prompt && prompt_is_open(app->prompt))
        return false;
    if (app->help)
        return true;
    enum action a = keymap_lookup(KEYS_GLOBAL, key);
    return (a == ACT_HELP && !app->form) || a == ACT_REDRAW || a == ACT_CANCEL;
}

static void loop(struct app *app)
{
    int held[64];       /* keys typed while a job runs */
    size_t nheld = 0;
    console_render(app);
    while (!app->quit) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {-1, POLLIN, 0}};
        nfds_t n = 1;
        if (app_socket(app) >= 0) {
            fds[1].fd = app_socket(app);
            n = 2;
        }
        /* a job held back until our cancel requests land (worker_tick)
         * is looked at again soon */
        int rc = poll(fds, n, worker_waits_on_cancel(app) ? 5 : 250);
        if (rc < 0 && errno != EINTR)
            break;
        if (got_terminate)
            break;
        if (got_interrupt) {
            got_interrupt = 0;
            if (app->prompt && prompt_is_open(app->prompt)) {
                prompt_cancel(app->prompt);
                curs_set(0);
            } else if (worker_cancel(app)) {
                nheld = 0;
            } else if (!cancel(app) && !app->status[0]) {
                ui_status(app, " press q to quit");
            }
        }
        if (n == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            app_on_readable(app);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int key;
            while ((key = getch()) != ERR) {
                if (key == KEY_RESIZE)
                    continue; /* layout is recomputed on every draw */
                if (worker_active(app)) {
                    if (!key_now(app, key)) {
                        if (nheld < sizeof held / sizeof held[0])
                            held[nheld++] = key;
                        continue;
                    }
                    if (!app->help && keymap_lookup(KEYS_GLOBAL, key) == ACT_CANCEL) {
                        worker_cancel(app);
                        nheld = 0;
                        continue;
                    }
                }
                dispatch(app, key);
                if (app->quit)
                    break;
            }
            if (fds[0].revents & (POLLHUP | POLLERR))
                break; /* the terminal went away: SSH dropped */
        }
        worker_tick(app);
        size_t used = 0;
        while (used < nheld && !worker_active(app) && !app->quit)
            dispatch(app, held[used++]);
        memmove(held, held + used, (nheld - used) * sizeof held[0]);
        nheld -= used;
        double now = clock_mono_s();
        for (size_t i = 0; i < app->npanes; i++)
            if (app->panes[i]->ops->tick)
                app->panes[i]->ops->tick(app->panes[i], now, app->panes[i] == app->current);
        reconnect_tick(app);
        console_render(app);
    }
}

/* ---- start and stop ------------------------------------------------------ */

/* The role cannot write, the server is a standby, or the user asked for
 * read-only: either way the guard (guard.h) refuses every key that writes
 * before anything is sent. No session setting at the server
 * (default_transaction_read_only): behind a transaction pooler it would
 * stay on the server connection and fail the next client's writes.
 * session_read asks the server (on any thread: it touches only conn and
 * si), session_apply records it (on the UI thread). */
static int session_read(PGconn *conn, struct session_info *si, char **err)
{
    memset(si, 0, sizeof *si);
    /* Without the schema every pane would fail with SQL errors: say what
     * to do instead of opening. */
    char *missing = schema_missing(conn);
    if (missing) {
        *err = missing;
        return -1;
    }
    char *lag = NULL;
    int standby = pg_standby(conn, &lag, err);
    free(lag);
    if (standby < 0)
        return -1;
    si->standby = standby == 1;
    char *tls = pg_tls_summary(conn);
    snprintf(si->tls, sizeof si->tls, "%s", tls);
    free(tls);
    int can_write = edit_role_can_write(conn, err);
    if (can_write < 0)
        return -1;
    si->can_write = can_write == 1;
    snprintf(si->ns, sizeof si->ns, "%s:%s/%s/%s", PQhost(conn) ? PQhost(conn) : "",
             PQport(conn) ? PQport(conn) : "", PQdb(conn), PQuser(conn));
    char *host = pg_describe(conn);
    snprintf(si->who, sizeof si->who, "%s", host);
    free(host);
    return 0;
}

static void session_apply(struct app *app, const struct session_info *si)
{
    app->standby = si->standby;
    if (app->standby)
        guard_set_read_only("a standby (read replica) takes no edits: open the console on the "
                            "primary, -d with target_session_attrs=read-write");
    snprintf(app->tls, sizeof app->tls, "%s", si->tls);
    if (!si->can_write)
        guard_set_read_only("the role cannot write");
    app->read_only = guard_read_only();
    snprintf(app->session_ns, sizeof app->session_ns, "%s", si->ns);
    snprintf(app->who, sizeof app->who, "%s", si->who);
}

static int setup_session(struct app *app, char **err)
{
    struct session_info si;
    if (session_read(app->conn, &si, err) != 0)
        return -1;
    session_apply(app, &si);
    return 0;
}

/* ---- the session: which pane, and each pane's own part --------------------- */

/* Each connection (server, database, role) keeps its own session: two
 * consoles on two databases must not restore each other's filters. */
static void save_session(struct app *app)
{
    char *err = NULL;
    struct state *st = state_open(app->state_path, &err);
    if (!st) {
        free(err);
        return;
    }
    char buf[64], nk[400];
    size_t cur = 0;
    while (cur < app->npanes && app->panes[cur] != app->current)
        cur++;
    snprintf(buf, sizeof buf, "%zu", cur);
    snprintf(nk, sizeof nk, "%s|pane", app->session_ns);
    state_session_put(st, nk, buf, &err);
    free(err);
    for (size_t i = 0; i < app->npanes; i++)
        if (app->panes[i]->ops->save_session)
            app->panes[i]->ops->save_session(app->panes[i], st);
    state_close(st);
}

static void restore_session(struct app *app)
{
    struct state *st = state_open_readonly(app->state_path);
    if (st) {
        char nk[400];
        snprintf(nk, sizeof nk, "%s|pane", app->session_ns);
        char *pane = state_session_get(st, nk);
        if (pane && atoi(pane) >= 0 && (size_t)atoi(pane) < app->npanes)
            app->current = app->panes[atoi(pane)];
        free(pane);
        for (size_t i = 0; i < app->npanes; i++)
            if (app->panes[i]->ops->restore_session)
                app->panes[i]->ops->restore_session(app->panes[i], st, app->panes[i] == app->current);
        state_close(st);
    }
    app_show(app, app->current);
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
    /* Over a slow link or to a server that is starting, connecting can take
     * seconds before there is a screen: say what is going on meanwhile, on
     * a line of its own that is wiped once connected. Server messages are
     * data: the errors go out through warnx_, which sanitizes them. */
    bool saying = isatty(STDERR_FILENO);
    if (saying)
        fputs("pantrycrm: connecting...", stderr);
    app.conn = pg_connect(opts->conninfo, "open the console", &err);
    if (saying)
        fputs("\r\033[K", stderr);
    if (!app.conn) {
        warnx_("%s", err);
        free(err);
        return 1;
    }
    if (setup_session(&app, &err) != 0) {
        warnx_("cannot open the console: %s", err);
        free(err);
        PQfinish(app.conn);
        return 1;
    }
    app.bs = browse_session_new(app.conn, true, &err);
    if (!app.bs) {
        warnx_("cannot open the console: %s", err);
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
        prompt_set_completer(app.prompt, console_complete, &app);
    app.repaint = console_render;
    app.command = console_command;
    console_panes_new(&app);
    restore_session(&app);
    loop(&app);
    reconnect_stop();
    restore_terminal();
    save_session(&app);
    prompt_free(app.prompt);
    app.prompt = NULL;
    console_panes_free(&app);
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
