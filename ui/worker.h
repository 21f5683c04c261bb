/* worker.h - a job that borrows the console's connection on a thread.
 *
 * Work of several round trips that must stay a library call of src/ (a
 * save's transaction, reading a row and what a delete takes with it, the
 * last migration run) runs on a thread of its own while the UI thread
 * goes on drawing: the connection is lent (app->conn_lent), so the query
 * slot sends and polls nothing meanwhile. One job at a time; a job asked
 * for while a query is in flight waits for the slot rather than blocking
 * the screen. Its outcome is applied on the UI thread (done), at the
 * loop's next turn after the thread ended.
 *
 * While a job is under way the console keeps the keys typed (they are
 * replayed once it is done, as they would have been after a blocking
 * call), except the help, ^L, and Esc/^C, which cancel it.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_WORKER_H
#define PANTRY_WORKER_H

#include <libpq-fe.h>
#include <stdbool.h>

struct app;

/* On the thread: the blocking calls, on conn. */
typedef void (*worker_run_fn)(PGconn *conn, void *arg);
/* On the UI thread, exactly once: the job ran (cancelled: the user asked
 * to cancel it; whether the server had already done the work is the
 * job's to tell from its result), or never will (the console is closing:
 * ran false). It frees arg. */
typedef void (*worker_done_fn)(struct app *app, void *arg, bool ran, bool cancelled);

/* Starts a job, saying what (" opening…") on the status line; false with
 * a status message when one is already under way (done is not called). */
bool worker_start(struct app *app, const char *what, worker_run_fn run, worker_done_fn done,
                  void *arg);
/* A job started or waiting for the slot. */
bool worker_active(const struct app *app);
/* Esc or ^C: cancels the statement the job waits on (or the job, before
 * it began); true when there was a job to cancel. */
bool worker_cancel(struct app *app);
/* Each turn of the loop: starts a waiting job once the slot is free, and
 * applies the outcome of one that ended. */
void worker_tick(struct app *app);
/* A job ready to start waits for a cancel request to land (cancel_pending). */
bool worker_waits_on_cancel(const struct app *app);
/* The console is closing: waits for the thread, then done. */
void worker_finish(struct app *app);

/* Asks the server to cancel what c's connection runs, from a detached
 * thread: PQcancel connects to the server, a round trip the UI thread must
 * not wait on (a silent host would freeze it). Takes c (freed there). */
void cancel_send(PGcancel *c);
/* Whether a cancel request sent by cancel_send may still be on its way to
 * the server: a query sent meanwhile can be the one it stops (PQcancel
 * stops whatever the session runs when the request lands). Once
 * PQcancel has returned, the server has signalled the session, and a
 * query sent afterwards is safe from it. */
bool cancel_pending(void);

#endif
