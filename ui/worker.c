/* worker.c - a job on a thread with the console's connection lent to it
 * (see worker.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "worker.h"
#include "app.h"
#include "fault.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct worker {
    worker_run_fn run;
    worker_done_fn done;
    void *arg;
    char what[96];          /* the status line's " opening…" */
    PGconn *conn;
    PGcancel *cancel;       /* made before the thread starts; cancel_send takes it */
    bool started, cancelled;
    pthread_t thread;
    atomic_bool ended;
};

/* The cancel requests whose PQcancel has not returned yet. */
static atomic_int cancels_on_their_way;

static void *cancel_main(void *p)
{
    char buf[256];
    /* tests/console-async.sh holds a request here, to have it land on the
     * statement sent after the one it was meant for */
    fault_point("console-cancel");
    PQcancel(p, buf, sizeof buf);
    PQfreeCancel(p);
    atomic_fetch_sub(&cancels_on_their_way, 1);
    return NULL;
}

bool cancel_pending(void)
{
    return atomic_load(&cancels_on_their_way) > 0;
}

void cancel_send(PGcancel *c)
{
    if (!c)
        return;
    atomic_fetch_add(&cancels_on_their_way, 1);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_main, c) != 0)
        cancel_main(c);     /* no thread to be had: here, as it always was */
    pthread_attr_destroy(&attr);
}

static void *worker_main(void *p)
{
    struct worker *w = p;
    w->run(w->conn, w->arg);
    atomic_store(&w->ended, true);
    return NULL;
}

/* The lent connection comes back and the job's outcome is applied; the
 * worker is gone before done runs, so that done may start the next job. */
static void finish(struct app *app, bool ran)
{
    struct worker *w = app->worker;
    app->worker = NULL;
    if (w->started) {
        app->conn_lent = false;
        app->busy = false;
    }
    if (w->cancel)
        PQfreeCancel(w->cancel);
    worker_done_fn done = w->done;
    void *arg = w->arg;
    bool cancelled = w->cancelled;
    free(w);
    done(app, arg, ran, cancelled);
}

/* Lends the connection now that the slot is free. */
static void begin(struct app *app)
{
    struct worker *w = app->worker;
    w->conn = app->conn;
    w->cancel = PQgetCancel(app->conn);
    atomic_init(&w->ended, false);
    /* The console's connection is non-blocking for the query slot; the
     * library calls the job makes are the blocking kind. */
    PQsetnonblocking(app->conn, 0);
    w->started = true;
    app->conn_lent = true;
    app->busy = true;       /* nothing else is sent meanwhile */
    app->q_owner = NULL;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        w->run(w->conn, w->arg);    /* no thread to be had: here, as it always could */
        PQsetnonblocking(app->conn, 1);
        finish(app, true);
    }
}

/* Whether a job may take the connection now: the slot is free, and no
 * cancel request of ours is still on its way, which would stop the job's
 * first statement (a form would fail to open); that wait is most often
 * well under a millisecond. */
static bool may_begin(const struct app *app)
{
    return !app->busy && !cancel_pending();
}

bool worker_start(struct app *app, const char *what, worker_run_fn run, worker_done_fn done,
                  void *arg)
{
    if (app->worker) {
        ui_status(app, " still busy with the last request: try again when it is done");
        return false;
    }
    if (app->reconnect[0]) {
        ui_status(app, " not connected: reconnecting (the header says when)");
        return false;
    }
    struct worker *w = xcalloc(1, sizeof *w);
    w->run = run;
    w->done = done;
    w->arg = arg;
    snprintf(w->what, sizeof w->what, "%s", what);
    app->worker = w;
    ui_status(app, "%s", what);
    if (may_begin(app))
        begin(app);
    return true;
}

bool worker_waits_on_cancel(const struct app *app)
{
    return app->worker && !app->worker->started && !app->busy && cancel_pending();
}

bool worker_active(const struct app *app)
{
    return app->worker != NULL;
}

bool worker_cancel(struct app *app)
{
    struct worker *w = app->worker;
    if (!w)
        return false;
    w->cancelled = true;
    if (!w->started) {
        finish(app, false);
        return true;
    }
    cancel_send(w->cancel);
    w->cancel = NULL;
    ui_status(app, " cancelling…");
    return true;
}

void worker_tick(struct app *app)
{
    struct worker *w = app->worker;
    if (!w)
        return;
    if (!w->started || !atomic_load(&w->ended)) {
        if (!app->status[0])    /* a key (the help) cleared it: still waiting */
            ui_status(app, "%s", w->what);
        if (!w->started && may_begin(app))
            begin(app);
        return;
    }
    pthread_join(w->thread, NULL);
    PQsetnonblocking(app->conn, 1);
    finish(app, true);
}

void worker_finish(struct app *app)
{
    struct worker *w = app->worker;
    if (!w)
        return;
    if (w->started) {
        w->cancelled = true;
        char buf[256];
        if (w->cancel)  /* closing: the wait for it is the thread's anyway */
            PQcancel(w->cancel, buf, sizeof buf);
        pthread_join(w->thread, NULL);
        PQsetnonblocking(app->conn, 1);
        finish(app, true);
    } else {
        w->cancelled = true;
        finish(app, false);
    }
}
