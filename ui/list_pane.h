/* list_pane.h - the Organizations and Contacts panes: one implementation,
 * parameterised by the entity. A list holds one page of rows, fetched by
 * keyset on the shared connection; the organizations' Enter opens their
 * details over the list. Split in three files: list_pane.c (the model,
 * paging, keys, session), list_cmd.c (':' commands, export, delete) and
 * list_draw.c (the table and the details).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_LIST_PANE_H
#define PANTRY_LIST_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "browse.h"

/* Filters at once: more than the fields of either entity's filters. */
#define LIST_MAX_FILTERS 12

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
    /* the :filter specs in force, one per field (a new one on a field
     * replaces its old one), for the session; the spec's filter points
     * into them */
    char filters[LIST_MAX_FILTERS][128];
    size_t nfilters;
};

/* The pane's own state; base first (a struct pane * is one of these when
 * its ops are list_pane_ops). */
struct list_pane {
    struct pane base;
    struct list_view l;
    enum browse_move pending_move;  /* of the page query in flight */
    bool want_count;                /* a page came: estimate its list once idle */
    int page_rows;                  /* rows the list shows: set by the layout */
    /* the organization's details, open over the list */
    struct browse_org_detail detail;
    bool detail_open;
    bool detail_reload;             /* re-read the open details when idle */
    size_t detail_top;
    char *delete_id, *delete_token; /* the organization a 'D' asks about */
    char *restore_id;               /* the row the saved session was on */
    struct export_job *export;      /* an ':export' under way, or NULL */
    /* Screenful first (browse.h): a page or a search comes as what the
     * screen shows, the rest is read in the background on the same
     * connection, and a key that needs another query cancels that. */
    enum browse_move fill_origin;   /* the move that asked for the page */
    size_t fill_anchor;             /* BROWSE_AROUND: the row it was asked around */
    bool fill_want;                 /* the page may be short: fill it when idle */
    bool hits_want;                 /* the hits came as a screenful: read them all */
    bool fill_dropped;              /* the fill in flight was cancelled: drop its answer */
    unsigned gen;                   /* bumped when the page or hits are replaced */
    /* The search's statements prepared and planned while idle after the
     * first page (browse_build_warmup), so that the first search of the
     * session costs what the later ones do. */
    unsigned warm_step;
    bool warm_done;
    struct list_pend {              /* what a key asked while a query ran */
        enum { PEND_NONE, PEND_FETCH, PEND_GOTO, PEND_SEARCH, PEND_DETAIL } kind;
        enum browse_move move;
        bool has_key;
        struct browse_key key;
        bool goto_pending;
        char text[256];
    } pend, pend_then;              /* pend_then: a search or the details typed
                                     * after a pending page, done after it */
};

/* What the list asked the connection (the query slot's tag: the kind in
 * the low 4 bits, a fill's generation above). */
enum list_query { LQ_PAGE, LQ_COUNT, LQ_SEARCH, LQ_LOOKUP, LQ_DETAIL, LQ_FILL, LQ_HITS, LQ_GOTO,
                  LQ_WARM };
#define LQ_KIND(tag) ((enum list_query)((unsigned)(tag) & 15u))
/* A fill of a list pane (or a statement of its warm-up) is in flight:
 * cancel it (its answer is dropped) so that the key that asked for
 * another query does not wait behind it; false when the query in flight
 * is not a fill. */
bool list_preempt_fill(struct app *app);

struct pane *list_pane_orgs_new(struct app *app);
struct pane *list_pane_contacts_new(struct app *app);
/* The list of a list pane, or NULL for another pane (render tests). */
struct list_view *list_pane_view(struct pane *p);

/* ---- inside the list pane (list_*.c) ------------------------------------- */

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

const struct col_def *list_columns(const struct list_pane *lp, size_t *n);
bool list_shown(const struct list_pane *lp);
void list_fetch(struct list_pane *lp, enum browse_move move, const struct browse_key *key);
void list_reload(struct list_pane *lp);
void list_resort(struct list_pane *lp, enum browse_sort sort, bool desc);
void list_goto(struct list_pane *lp, const char *text);
void list_search(struct list_pane *lp, const char *term);
void list_refresh(struct list_pane *p, const char *id);
/* list_cmd.c */
struct export_job;
bool list_command(struct pane *p, const char *verb, const char *rest, const char *line);
void list_ask_delete(struct list_pane *lp);
/* A filter spec of a saved session, put in force as :filter would (one
 * per field); one this version refuses is left out. */
void list_filter_restore(struct list_view *l, const char *spec);
void list_do_delete(struct list_pane *lp);
/* list_draw.c */
void list_draw(struct pane *p, int y, int x, int h, int w);

#endif
