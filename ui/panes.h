/* panes.h - the console's model (struct app) and its panes.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PANES_H
#define PANTRY_PANES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aq.h"
#include "keymap.h"
#include "state.h"
#include "util.h"

enum role { ROLE_HEADER, ROLE_STATUS, ROLE_SELECTED, ROLE_TITLE, ROLE_DIM, ROLE_ERROR,
            ROLE_OK, ROLE_WARN, ROLE_BAR, ROLE_COUNT };
enum pane_id { PANE_ORGS, PANE_CONTACTS, PANE_MIGRATION, PANE_COUNT };

/* A page of a list: only what is on screen (and a little more) is held. */
struct list_view {
    const char *title;
    const char *const *headers;
    const int *widths;          /* preferred widths; the last column takes the rest */
    size_t ncols;
    char ***rows;               /* rows[r][c], NULL for SQL NULL; sanitized when drawn */
    size_t nrows;
    size_t selected;            /* index in rows */
    size_t top;                 /* first row drawn */
    int sort;                   /* index into the pane's sort columns */
    bool desc;
    bool loaded, at_end, at_start;
    enum { FETCH_FIRST, FETCH_NEXT, FETCH_PREV, FETCH_LAST } pending;
    int64_t estimate;           /* estimated rows in the table */
    long carry;                 /* rows the user moved past the page's edge */
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
};

struct app {
    PGconn *conn;
    struct aq aq;
    bool read_only, utf8, color;
    char who[256];
    int pane;
    bool help, quit;
    char status[256];
    double status_at;
    unsigned long frames;
    int attr[ROLE_COUNT];
    char *state_path;
    char *conninfo;             /* as the user gave it (for a migration started here) */
    enum action confirm;        /* an action waiting for y/n, or ACT_NONE */
    struct list_view lists[2];
    struct mig_view mig;
    int page_rows;              /* rows a list shows: set by the layout */
};

void panes_init(struct app *app);
void panes_free(struct app *app);
void panes_switch(struct app *app, int pane);
void panes_draw(struct app *app, int y, int x, int h, int w);
void panes_action(struct app *app, enum action a);
void panes_on_result(struct app *app);
void panes_tick(struct app *app, double now);
/* True while the last recorded migration's process is alive. */
bool panes_migration_running(struct app *app);

/* console.c: colour roles for the current terminal, and one full paint
 * of the model (the loop calls it; render tests call it on newterm). */
void console_theme_init(struct app *app);
void console_render(struct app *app);

/* Drawing helpers from console.c: text is sanitized and fitted to width. */
void ui_put(struct app *app, int y, int x, int width, int role, const char *text);
void ui_fit(struct app *app, const char *text, size_t len, int width, struct strbuf *out);
void ui_status(struct app *app, const char *fmt, ...) PANTRY_PRINTF(2, 3);

#endif
