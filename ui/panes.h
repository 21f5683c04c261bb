/* panes.h - the console's model (struct app) and its panes.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PANES_H
#define PANTRY_PANES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "browse.h"
#include "fallback.h"
#include "keymap.h"
#include "state.h"
#include "util.h"

struct prompt;
struct form;

enum role { ROLE_HEADER, ROLE_STATUS, ROLE_SELECTED, ROLE_TITLE, ROLE_DIM, ROLE_ERROR,
            ROLE_OK, ROLE_WARN, ROLE_BAR, ROLE_COUNT };
enum pane_id { PANE_ORGS, PANE_CONTACTS, PANE_MIGRATION, PANE_DASHBOARD, PANE_HEALTH, PANE_COUNT };

/* A list pane: one page of rows (a few screens), fetched by keyset. */
struct list_view {
    const char *title;
    struct browse_spec spec;    /* entity, sort, direction, filters */
    struct browse_page page;    /* rows[i][col] in browse column order */
    size_t selected;            /* index in page.rows */
    size_t top;                 /* first row drawn */
    bool loaded;
    long carry;                 /* rows the user moved past the page's edge */
    bool stale;                 /* a reload was asked for while busy: redo it */
    bool loading;               /* the rows shown are not yet those of the header */
    bool goto_pending;          /* the page asked for is a goto: say if it is hidden */
    int64_t estimate;           /* estimated rows for the filters, -1 unknown */
    int64_t offset;             /* position of page.rows[0] in the list, -1 unknown */
    size_t hscroll;             /* columns hidden after the first (Right/Left) */
    enum browse_sort auto_sort; /* the sort hscroll was last brought to */
    struct browse_hits hits;    /* the last search's hits, for n/N */
    size_t hit;                 /* index of the current hit */
    char search[128];
    char filters[4][128];       /* the :filter specs in force, for the session */
    size_t nfilters;
};
struct mig_view {
    struct state_run run;
    bool found;
    struct state_table_progress tables[16];
    size_t ntables;
    double spark[64];
    size_t nspark;
    double read_at;
    char error[256];
    struct state_sync sync;     /* the last `pantrycrm sync` round */
    bool have_sync;
    struct fallback_round_state fb; /* the last `pantrycrm fallback` round */
    bool have_fb;
};

/* What the query in flight is for. */
enum pending { PEND_NONE, PEND_PAGE, PEND_COUNT, PEND_SEARCH, PEND_LOOKUP, PEND_DETAIL,
               PEND_DASHBOARD, PEND_HEALTH };

struct app {
    PGconn *conn;
    struct browse_session *bs;    /* prepared browse queries on conn */
    struct browse_query q;        /* the query in flight (must outlive it) */
    bool busy;
    enum pending pending;
    int pending_pane;
    enum browse_move pending_move;
    struct browse_org_detail detail;  /* the open detail view, if any */
    bool detail_open;
    bool detail_reload;           /* re-read the open details when idle */
    size_t detail_top;
    bool read_only, utf8, color;
    const char *locale_note;    /* why we draw in ASCII; shown until a key */
    int color_pref;             /* 0 auto (NO_COLOR decides), 1 never, 2 always */
    char who[256];
    bool standby;                 /* a hot standby (read replica): read-only */
    char tls[96];                 /* pg_tls_summary, for the header */
    char reconnect[96];           /* "[RECONNECTING 3 in 4 s]" while cut off */
    int pane;
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
    struct prompt *prompt;      /* the ':', '/' and field line (readline is global) */
    struct form *form;          /* an open edit form, or NULL */
    char *delete_id, *delete_token;  /* the organization a 'D' asks about */
    char *mig_source;           /* the source an 'm' asks about */
    char queued[256];           /* a command typed while a query ran: run it next */
    char confirm_line[600];     /* the ':' command a y/n is about (ACT_COMMAND) */
    char prompt_kind;           /* ':' or '/' while the prompt is open */
    struct list_view lists[2];
    struct mig_view mig;
    int page_rows;              /* rows a list shows: set by the layout */
    struct dash_view *dash;     /* the Dashboard pane (ui/dashboard.c), or NULL */
    struct health_view *health; /* the Health pane (ui/health.c), or NULL */
};

void panes_init(struct app *app);
void panes_free(struct app *app);
void panes_switch(struct app *app, int pane);
void panes_draw(struct app *app, int y, int x, int h, int w);
void panes_action(struct app *app, enum action a);
/* The database socket to poll while a query runs (-1 when idle), and the
 * call to make when it is readable. */
int panes_socket(struct app *app);
void panes_on_readable(struct app *app);
void panes_cancel(struct app *app);
/* Lets the query in flight finish (its result is applied) so that the
 * connection can be used synchronously; false if it takes over 5 s. */
bool panes_drain(struct app *app);
/* A command from the ':' line ("filter segment=A,B", "sort -updatedAt",
 * "goto ID", …); false with a message in the status line when unknown. */
bool panes_command(struct app *app, const char *line);
/* Starts a search of the current list ('/' line). */
void panes_search(struct app *app, const char *term);
/* Reloads the current list around the selected row (after an edit). */
void panes_refresh(struct app *app);
/* Reloads the current list around the row with this id (after a save:
 * the row may have moved in the sort). */
void panes_follow(struct app *app, const char *id);
/* Session: save to / restore from the state file. */
void panes_save_session(struct app *app);
void panes_restore_session(struct app *app);
void panes_tick(struct app *app, double now);
/* Sends a parameterless query for a pane (dashboard, health) on the
 * console's connection; false when it is busy or not connected. The
 * answer goes to that pane's on_result from panes_on_readable. */
bool panes_send_sql(struct app *app, enum pending what, const char *sql);
/* True while the last recorded migration's process is alive. */
bool panes_migration_running(struct app *app);
/* What action a writes on the current pane ("editing", "starting a
 * migration" …), or NULL when it writes nothing: the console asks the
 * read-only guard about exactly these. */
const char *panes_action_writes(const struct app *app, enum action a);

/* console.c: colour roles for the current terminal, and one full paint
 * of the model (the loop calls it; render tests call it on newterm). */
void console_theme_init(struct app *app);
void console_render(struct app *app);

/* Drawing helpers from console.c: text is sanitized and fitted to width. */
void ui_put(struct app *app, int y, int x, int width, int role, const char *text);
void ui_fit(struct app *app, const char *text, size_t len, int width, struct strbuf *out);
void ui_status(struct app *app, const char *fmt, ...) PANTRY_PRINTF(2, 3);

#endif
