/* pane.h - what a console pane is: its operations and its identity.
 *
 * The console (console.c) holds a list of panes and knows nothing of what
 * they show: it gives the one on screen the space to draw, the actions of
 * the keys, the clock ticks, and the answers to the queries it sent on the
 * shared connection (app.h routes each answer to the pane that sent the
 * query). A pane keeps its state in its own struct, which begins with a
 * struct pane; its file has a constructor that the console's registry
 * (console.c, `registry`) lists. Every operation but draw may be NULL.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PANE_H
#define PANTRY_PANE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "keymap.h"

struct app;
struct browse_query;
struct pane;
struct state;

struct pane_ops {
    void (*free)(struct pane *p);
    /* Brought on screen (its key, a ':' command, a restored session). */
    void (*enter)(struct pane *p);
    void (*draw)(struct pane *p, int y, int x, int h, int w);
    /* An action of the key table. The pane on screen is offered it first
     * (shown true); what it does not take is offered to the others (m
     * starts a migration from any pane). True when taken. */
    bool (*action)(struct pane *p, enum action a, bool shown);
    /* What the action would write ("editing"), or NULL: the console asks
     * the read-only guard about exactly these, before the pane sees it. */
    const char *(*writes)(struct pane *p, enum action a, bool shown);
    /* Every turn of the loop (about 4 times a second, and after input). */
    void (*tick)(struct pane *p, double now, bool shown);
    /* The answer to query q this pane sent (tag as it gave app_send): res,
     * or NULL and error. The slot is free again during the call (app->q
     * may take the next query). */
    void (*on_result)(struct pane *p, int tag, const struct browse_query *q, PGresult *res,
                      const char *error);
    /* After an answer, while the connection is free: first retry (work a
     * busy connection put off), then, after a queued ':' command had its
     * turn, follow_up (a count, details to read again). */
    void (*retry)(struct pane *p);
    void (*follow_up)(struct pane *p);
    /* The data changed under it (a save, a reconnect): read it again,
     * around the row with this id when one is given. */
    void (*reload)(struct pane *p, const char *id);
    /* The ':' line's verbs other than the console's own (quit, the pane
     * names): false with a status message when unknown or refused. */
    bool (*command)(struct pane *p, const char *verb, const char *rest, const char *line);
    /* The '/' line; a pane without it opens no search prompt. */
    void (*search)(struct pane *p, const char *term);
    /* Esc or ^C with no query in flight: stop a job of the pane's own (an
     * export); true when there was one. */
    bool (*cancel)(struct pane *p);
    /* The pane's own keys for the status line's hint ("m Migrate  p
     * Pause"), written into buf; NULL: the lists' search, command, details
     * and edit. */
    void (*keys_hint)(struct pane *p, char *buf, size_t size);
    /* A question to ask before quitting ("a migration is running…"), or NULL. */
    const char *(*quit_question)(struct pane *p);
    /* The pane's part of the session in the state file: key names are
     * prefixed with the pane's id (app_session_key). */
    void (*save_session)(struct pane *p, struct state *st);
    void (*restore_session)(struct pane *p, struct state *st, bool shown);
};

struct pane {
    const struct pane_ops *ops;
    struct app *app;
    const char *id;     /* "orgs": its ':' command and its session keys */
    const char *title;  /* "Organizations": the header names the pane on screen */
    enum action key;    /* the action that shows it (ACT_PANE_ORGS) */
};

/* Every pane's constructor has this type (the console's registry). */
typedef struct pane *(*pane_new_fn)(struct app *app);

#endif
