/* export_job.c - ':export' on a thread with its own connection (see
 * export_job.h). The thread owns the file and the connection; it shares
 * with the UI thread only the row count, the end flag and the cancel
 * flag, all atomic, and the outcome, read after it ended.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "export_job.h"
#include "app.h"
#include "clock.h"
#include "pg.h"
#include "util.h"
#include "worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct export_job {
    struct app *app;
    PGconn *model;              /* the console's connection, read by pg_connect_like */
    struct browse_spec spec;
    char *strings[4];           /* the spec's filter strings, owned */
    enum export_format fmt;
    char *file, *tmp;
    FILE *out;
    double t0;
    pthread_t thread;
    bool joined;
    atomic_llong rows;
    atomic_bool ended, cancel, connected, abandoned;
    bool direct;                /* a device or a FIFO, written in place */
    pthread_mutex_t lock;       /* guards pgcancel (until Esc takes it) */
    PGcancel *pgcancel;
    int64_t result;             /* export_list's, after ended */
    char *err;
};

static const char **filter_string(struct browse_spec *s, int i)
{
    const char **v[] = {&s->filter.state, &s->filter.city, &s->filter.now,
                        &s->filter.organization_id};
    return v[i];
}

static int progress(void *ctx, int64_t rows)
{
    struct export_job *x = ctx;
    atomic_store(&x->rows, (long long)rows);
    return atomic_load(&x->cancel) ? 1 : 0;
}

static void job_free(struct export_job *x);

/* The thread's last act. A console that quit meanwhile left the job to
 * it (export_job_free: a FIFO nobody reads would keep it for ever). */
static void end(struct export_job *x)
{
    bool expected = false;
    atomic_store(&x->ended, true);
    if (!atomic_compare_exchange_strong(&x->abandoned, &expected, true))
        job_free(x);
}

static void *export_main(void *arg)
{
    struct export_job *x = arg;
    char *err = NULL;
    /* Opened here: a FIFO's open waits for its reader. */
    x->out = export_open(x->file, &x->tmp, &err);
    if (!x->out) {
        atomic_fetch_sub(&x->app->conn_readers, 1);
        atomic_store(&x->connected, true);
        x->result = -1;
        x->err = err;
        end(x);
        return NULL;
    }
    x->direct = !x->tmp;
    PGconn *c = pg_connect_like(x->model, "export", &err);
    atomic_fetch_sub(&x->app->conn_readers, 1);
    atomic_store(&x->connected, true);
    struct browse_session *bs = NULL;
    if (c && !atomic_load(&x->cancel)) {
        pthread_mutex_lock(&x->lock);
        if (!atomic_load(&x->cancel))   /* else Esc came first: nothing to cancel with */
            x->pgcancel = PQgetCancel(c);
        pthread_mutex_unlock(&x->lock);
        /* Unprepared: a page's planning is nothing beside its 1,000 rows,
         * and a cancelled PREPARE would be retried unprepared (browse_exec),
         * waiting again where the user asked to stop. */
        bs = browse_session_new(c, false, &err);
    }
    if (!c || (!bs && !atomic_load(&x->cancel)))
        x->result = -1;
    else if (atomic_load(&x->cancel))
        x->result = -2;
    else
        x->result = export_list(bs, &x->spec, x->fmt, x->out, progress, x, &err);
    /* a cancel that landed in a statement makes it fail: it is a cancel */
    if (x->result == -1 && atomic_load(&x->cancel))
        x->result = -2;
    char *ferr = NULL;
    if (!export_finish(x->out, x->file, x->tmp, x->result >= 0, &ferr) && x->result >= 0) {
        x->result = -1;
        free(err);
        err = ferr;
        ferr = NULL;
    }
    free(ferr);
    x->out = NULL;
    x->tmp = NULL;
    pthread_mutex_lock(&x->lock);
    if (x->pgcancel)
        PQfreeCancel(x->pgcancel);
    x->pgcancel = NULL;
    pthread_mutex_unlock(&x->lock);
    browse_session_free(bs);
    if (c)
        PQfinish(c);
    x->err = err;
    end(x);
    return NULL;
}

static void job_free(struct export_job *x)
{
    for (int i = 0; i < 4; i++)
        free(x->strings[i]);
    free(x->file);
    free(x->err);
    pthread_mutex_destroy(&x->lock);
    free(x);
}

struct export_job *export_job_start(struct app *app, const struct browse_spec *spec,
                                    enum export_format fmt, const char *file)
{
    struct export_job *x = xcalloc(1, sizeof *x);
    x->app = app;
    x->model = app->conn;
    x->spec = *spec;
    for (int i = 0; i < 4; i++) {
        const char **p = filter_string(&x->spec, i);
        if (*p)
            *p = x->strings[i] = xstrdup(*p);
    }
    x->fmt = fmt;
    x->file = xstrdup(file);
    x->t0 = clock_mono_s();
    pthread_mutex_init(&x->lock, NULL);
    atomic_init(&x->rows, 0);
    atomic_init(&x->ended, false);
    atomic_init(&x->cancel, false);
    atomic_init(&x->connected, false);
    atomic_init(&x->abandoned, false);
    /* The reconnect keeps the console's connection until the thread has
     * read its parameters (console.c: reconnect_tick). */
    atomic_fetch_add(&app->conn_readers, 1);
    if (pthread_create(&x->thread, NULL, export_main, x) != 0) {
        atomic_fetch_sub(&app->conn_readers, 1);
        ui_status(app, " cannot export: no thread to run it on");
        job_free(x);
        return NULL;
    }
    /* What happens comes first and the file, which may be a long path,
     * last: a line cut at the terminal's width keeps the news. */
    ui_status(app, " exporting… (Esc cancels) to %s", file);
    return x;
}

bool export_job_tick(struct export_job *x)
{
    struct app *app = x->app;
    long long n = atomic_load(&x->rows);
    if (!atomic_load(&x->ended)) {
        /* the count goes on the status line unless something else was said */
        if ((!app->status[0] || strncmp(app->status, " exporting", 10) == 0) && !atomic_load(&x->cancel)) {
            double dt = clock_mono_s() - x->t0;
            if (atomic_load(&x->connected))
                ui_status(app, " exporting… %lld rows, %.0f rows/s (Esc cancels) to %s", n,
                          dt > 0 ? (double)n / dt : 0.0, x->file);
        }
        return false;
    }
    pthread_join(x->thread, NULL);
    x->joined = true;
    char *first = x->err ? strchr(x->err, '\n') : NULL;
    if (first)
        *first = '\0';
    if (x->result >= 0) {
        ui_status(app, " exported %lld rows to %s (%s)", (long long)x->result, x->file,
                  export_format_name(x->fmt));
    } else if (x->direct) {    /* a pipe or a device has what it was sent */
        ui_status(app, " export %s after %lld rows written to %s%s%s",
                  x->result == -2 ? "cancelled" : "failed", n, x->file,
                  x->result == -2 ? "" : ": ", x->result == -2 ? "" : x->err ? x->err : "?");
    } else if (x->result == -2) {
        ui_status(app, " export cancelled after %lld rows, nothing written (the partial file was removed): %s",
                  n, x->file);
    } else {
        ui_status(app, " export failed, nothing written: %s (%s)", x->err ? x->err : "?", x->file);
    }
    return true;
}

void export_job_cancel(struct export_job *x)
{
    atomic_store(&x->cancel, true);
    pthread_mutex_lock(&x->lock);
    cancel_send(x->pgcancel);   /* taken: the thread makes no other */
    x->pgcancel = NULL;
    pthread_mutex_unlock(&x->lock);
    ui_status(x->app, " cancelling the export…");
}

void export_job_free(struct export_job *x)
{
    if (!x)
        return;
    if (!x->joined) {
        if (!atomic_load(&x->ended))
            export_job_cancel(x);
        /* the console is quitting: a cancelled export ends at once */
        double t0 = clock_mono_s();
        while (!atomic_load(&x->ended) && clock_mono_s() - t0 < 2)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        /* the thread ends at once unless a reader of a FIFO or a pipe
         * stalls it: then it is left to end on its own and free the job */
        bool expected = false;
        if (atomic_compare_exchange_strong(&x->abandoned, &expected, true)) {
            pthread_detach(x->thread);
            return;
        }
        pthread_join(x->thread, NULL);
    }
    job_free(x);
}
