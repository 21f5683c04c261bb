/* app.h - what the console's panes share: the connection and its one
 * query slot, the terminal's colour roles, the status line, the questions
 * (y/n), the prompt and the form, and the drawing helpers. Panes include
 * this and pane.h, never each other nor the console shell.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_APP_H
#define PANTRY_APP_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "browse.h"
#include "keymap.h"
#include "pane.h"
#include "util.h"

struct prompt;
struct form;
struct strbuf;
struct worker;

enum role { ROLE_HEADER, ROLE_STATUS, ROLE_SELECTED, ROLE_TITLE, ROLE_DIM, ROLE_ERROR,
            ROLE_OK, ROLE_WARN, ROLE_BAR, ROLE_COUNT };

struct app {
    PGconn *conn;
    struct browse_session *bs;    /* prepared browse queries on conn */
    /* The one query in flight on conn (libpq allows one), and the pane it
     * answers: app_on_readable hands the result to owner->ops->on_result. */
    struct browse_query q;        /* the query in flight (must outlive it) */
    bool busy;
    bool user_cancelled;        /* Esc asked to cancel the query in flight (app_cancel) */
    struct pane *q_owner;
    int q_tag;                    /* the owner's meaning of the query */
    /* A cancel request sent for an earlier statement can stop the one sent
     * after it (cancel_pending). Such a stray cancel is not the user's nor
     * the owner's: app_on_readable sends the statement again. */
    bool q_exposed;               /* sent while a cancel request was on its way */
    bool q_cancel_sent;           /* a cancel was sent for this statement itself */
    int q_resends;                /* times it was sent again after a stray cancel */
    bool conn_lent;               /* a worker thread uses conn (worker.h) */
    struct worker *worker;        /* the job that borrows it, or waits to (worker.c) */
    atomic_int conn_readers;      /* threads reading conn's parameters to connect alike */
    bool read_only, utf8, color;
    const char *locale_note;    /* why we draw in ASCII; shown until a key */
    int color_pref;             /* 0 auto (NO_COLOR decides), 1 never, 2 always */
    char who[256];
    bool standby;                 /* a hot standby (read replica): read-only */
    char tls[96];                 /* pg_tls_summary, for the header */
    char reconnect[96];           /* "[RECONNECTING 3 in 4 s]" while cut off */
    bool help, quit;
    int help_top;               /* first help line shown */
    char status[256];
    double status_at;
    unsigned long frames;
    int attr[ROLE_COUNT];
    char *state_path;
    char *conninfo;             /* as the user gave it (for a migration started here) */
    char session_ns[320];       /* "server/database/role": whose session is saved */
    enum action confirm;        /* an action waiting for y/n, or ACT_NONE */
    struct pane *confirm_pane;  /* the pane that asked (NULL: the console) */
    char confirm_line[600];     /* the ':' command a y/n is about (ACT_COMMAND) */
    struct prompt *prompt;      /* the ':', '/' and field line (readline is global) */
    char prompt_kind;           /* ':', '/' or 'f' (a form field) while the prompt is open */
    struct form *form;          /* an open edit form, or NULL */
    char queued[256];           /* a command typed while a query ran: run it next */
    struct pane **panes;        /* the registry's panes, in its order */
    size_t npanes;
    struct pane *current;       /* the one on screen */
    /* Set by the console: one paint (a long synchronous job shows its
     * progress) and the ':' line (a queued command). */
    void (*repaint)(struct app *app);
    bool (*command)(struct app *app, const char *line);
};

/* ---- panes ---------------------------------------------------------------- */

/* The pane with this id ("orgs"), or NULL. */
struct pane *app_pane(struct app *app, const char *id);
/* Puts p on screen (its enter operation runs). */
void app_show(struct app *app, struct pane *p);
/* Tells the pane on screen that the data changed (see pane_ops.reload). */
void app_refresh(struct app *app, const char *id);
/* Asks a y/n question on the status line about action a of pane p (NULL:
 * the console's own). On y the action is given back to p with
 * app->confirm == a during the call, so that it knows it was confirmed. */
void app_ask(struct app *app, struct pane *p, enum action a, const char *fmt, ...) PANTRY_PRINTF(4, 5);
/* "<session_ns>|<pane id>.<name>": a pane's key in the saved session. */
const char *app_session_key(const struct pane *p, const char *name, char *buf, size_t size);

/* ---- the query slot -------------------------------------------------------- */

/* Sends app->q (built by the caller) for owner; its answer goes to
 * owner's on_result with tag. False, with a status message and app->q
 * freed, when not connected. */
bool app_send(struct app *app, struct pane *owner, int tag);
/* Cancels the query in flight on conn for its owner or the user (from a
 * thread: cancel_send), and marks it as the cancel's target. */
bool app_cancel_query(struct app *app);
/* Sends a parameterless statement for owner; false when the connection is
 * busy, down, or promised to a job (worker.h) (try at the next tick). */
bool app_send_sql(struct app *app, struct pane *owner, int tag, const char *sql);
/* The socket to poll while a query runs (-1 when idle), and the call to
 * make when it is readable. */
int app_socket(struct app *app);
void app_on_readable(struct app *app);
void app_cancel(struct app *app);

/* ---- drawing helpers: text is sanitized and fitted to width ------------------- */

void ui_put(struct app *app, int y, int x, int width, int role, const char *text);
void ui_fit(struct app *app, const char *text, size_t len, int width, struct strbuf *out);
void ui_status(struct app *app, const char *fmt, ...) PANTRY_PRINTF(2, 3);
/* 1234567 -> "1,234,567" (the dashboard's and the health pane's counts). */
void ui_fmt_count(char *buf, size_t size, long long n);

#endif
