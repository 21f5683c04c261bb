/* reader.c - one table streamed from the source, in key order after its
 * checkpoint, converted into batches that go to the writer through a
 * bounded queue (a thread of its job).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "clock.h"

#include <stdlib.h>

/* Checks the batch's foreign keys against the (complete) parent tables on
 * the reader's own connection, so that this overlaps with the COPY of the
 * previous batch instead of delaying it; then hands the batch over. */
static int reader_hand_over(struct reader *r, struct batch *b)
{
    double t0 = clock_mono_s();
    if (writer_check_orphans(r->probe, b) != 0) {
        r->failed = true;
        if (!r->err)
            r->err = xstrdup(r->probe->err ? r->probe->err : "orphan check failed");
        return 2;
    }
    r->probe->t_fk += clock_mono_s() - t0;
    return bq_push(r->full, b) ? 0 : 2;
}

static int reader_row(void *ctx, const struct cell *cells, size_t ncells)
{
    (void)ncells;
    struct reader *r = ctx;
    while (engine_paused && !engine_stop_requested)
        clock_sleep_s(0.1, &engine_stop_requested);
    if (engine_stop_requested)
        return 1;
    if (!r->cur) {
        r->cur = bq_pop(r->free_q);
        if (!r->cur)
            return 2; /* the writer gave up */
        batch_reset(r->cur);
    }
    convert_row(r->cv, r->cur, cells);
    if (++r->seen % 1024 == 0) {
        pthread_mutex_lock(&r->j->e->mu);
        r->j->rows_seen = r->base + r->seen;
        pthread_mutex_unlock(&r->j->e->mu);
    }
    if (r->cur->nrows >= r->batch_rows || r->cur->arena.len >= BATCH_MAX_BYTES) {
        struct batch *b = r->cur;
        r->cur = NULL;
        return reader_hand_over(r, b);
    }
    return 0;
}

void *reader_main(void *arg)
{
    struct reader *r = arg;
    size_t ncols;
    const char *const *cols = convert_source_columns(r->cv, &ncols);
    int rc = r->src->ops->stream(r->src, r->j->t->name, r->j->t->key, cols, ncols, r->after, 0,
                                 reader_row, r, &r->err);
    if (rc < 0)
        r->failed = true;
    if (rc == 0 || rc == 1) {
        /* Hand over what is left; at the true end, a batch marked last
         * (possibly empty) tells the writer to mark the table done. */
        if (!r->cur) {
            r->cur = bq_pop(r->free_q);
            if (r->cur)
                batch_reset(r->cur);
        }
        if (r->cur) {
            r->cur->last = rc == 0;
            if (reader_hand_over(r, r->cur) != 0)
                r->failed = r->failed || rc == 0;
            r->cur = NULL;
        }
    }
    bq_close(r->full);
    return NULL;
}

