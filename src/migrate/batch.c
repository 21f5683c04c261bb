/* batch.c - batches of converted rows and the queue between threads.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "batch.h"

#include <stdlib.h>
#include <string.h>

void batch_init(struct batch *b, size_t nfields, size_t nraw)
{
    memset(b, 0, sizeof *b);
    sb_init(&b->arena);
    b->nfields = nfields;
    b->nraw = nraw;
}

void batch_reset(struct batch *b)
{
    sb_reset(&b->arena);
    b->nrows = 0;
    for (size_t i = 0; i < b->nrepairs; i++)
        free(b->repair_keys[i]);
    b->nrepairs = 0;
    b->nrow_repairs = 0;
    b->nlate = 0;
    b->nside = 0;
    b->source_bytes = 0;
    b->last = false;
}

void batch_free(struct batch *b)
{
    batch_reset(b);
    sb_free(&b->arena);
    free(b->fields);
    free(b->raw);
    free(b->rows);
    free(b->repair_keys);
    free(b->repair_counts);
    free(b->row_repairs);
    free(b->late);
    free(b->side);
    memset(b, 0, sizeof *b);
}

struct batch_row *batch_new_row(struct batch *b)
{
    if (b->nrows == b->cap_rows) {
        b->cap_rows = b->cap_rows ? b->cap_rows * 2 : 1024;
        b->rows = xrealloc(b->rows, b->cap_rows * sizeof *b->rows);
    }
    size_t need_f = (b->nrows + 1) * b->nfields, need_r = (b->nrows + 1) * b->nraw;
    if (need_f > b->cap_fields) {
        b->cap_fields = need_f * 2;
        b->fields = xrealloc(b->fields, b->cap_fields * sizeof *b->fields);
    }
    if (need_r > b->cap_raw) {
        b->cap_raw = need_r * 2;
        b->raw = xrealloc(b->raw, b->cap_raw * sizeof *b->raw);
    }
    struct batch_row *r = &b->rows[b->nrows];
    memset(r, 0, sizeof *r);
    r->target_key_field = -1;
    r->rep0 = (uint32_t)b->nrow_repairs;
    r->field0 = (uint32_t)(b->nrows * b->nfields);
    r->raw0 = (uint32_t)(b->nrows * b->nraw);
    b->nrows++;
    return r;
}

struct field *batch_row_fields(struct batch *b, size_t row)
{
    return &b->fields[b->rows[row].field0];
}

struct field *batch_row_raw(struct batch *b, size_t row)
{
    return &b->raw[b->rows[row].raw0];
}

static size_t repair_index(struct batch *b, const char *column, const char *reason)
{
    size_t k = b->nrepairs;
    size_t lc = strlen(column);
    for (size_t i = 0; i < b->nrepairs; i++) {
        const char *key = b->repair_keys[i];
        if (strncmp(key, column, lc) == 0 && key[lc] == ':' && strcmp(key + lc + 1, reason) == 0) {
            k = i;
            break;
        }
    }
    if (k == b->nrepairs) {
        if (b->nrepairs == b->cap_repairs) {
            b->cap_repairs = b->cap_repairs ? b->cap_repairs * 2 : 16;
            b->repair_keys = xrealloc(b->repair_keys, b->cap_repairs * sizeof *b->repair_keys);
            b->repair_counts = xrealloc(b->repair_counts, b->cap_repairs * sizeof *b->repair_counts);
        }
        b->repair_keys[b->nrepairs++] = xasprintf("%s:%s", column, reason);
    }
    return k;
}

void batch_count_repair(struct batch *b, const char *column, const char *reason)
{
    size_t k = repair_index(b, column, reason);
    if (b->nrow_repairs == b->cap_row_repairs) {
        b->cap_row_repairs = b->cap_row_repairs ? b->cap_row_repairs * 2 : 256;
        b->row_repairs = xrealloc(b->row_repairs, b->cap_row_repairs * sizeof *b->row_repairs);
    }
    b->row_repairs[b->nrow_repairs++] = (uint32_t)k;
    if (b->nrows > 0)
        b->rows[b->nrows - 1].nrep++;
}

void batch_count_repair_at(struct batch *b, size_t row, const char *column, const char *reason)
{
    size_t k = repair_index(b, column, reason);
    if (b->nlate == b->cap_late) {
        b->cap_late = b->cap_late ? b->cap_late * 2 : 16;
        b->late = xrealloc(b->late, b->cap_late * sizeof *b->late);
    }
    b->late[b->nlate][0] = (uint32_t)row;
    b->late[b->nlate][1] = (uint32_t)k;
    b->nlate++;
}

void batch_keep_side(struct batch *b, size_t col, const char *reason)
{
    if (b->nside == b->cap_side) {
        b->cap_side = b->cap_side ? b->cap_side * 2 : 16;
        b->side = xrealloc(b->side, b->cap_side * sizeof *b->side);
    }
    b->side[b->nside++] = (struct batch_side){(uint32_t)(b->nrows - 1), (uint32_t)col, reason};
}

int64_t batch_tally_repairs(struct batch *b)
{
    int64_t total = 0;
    for (size_t i = 0; i < b->nrepairs; i++)
        b->repair_counts[i] = 0;
    for (size_t r = 0; r < b->nrows; r++) {
        if (b->rows[r].quarantined)
            continue;
        for (uint32_t k = 0; k < b->rows[r].nrep; k++) {
            b->repair_counts[b->row_repairs[b->rows[r].rep0 + k]]++;
            total++;
        }
    }
    for (size_t i = 0; i < b->nlate; i++)
        if (!b->rows[b->late[i][0]].quarantined) {
            b->repair_counts[b->late[i][1]]++;
            total++;
        }
    return total;
}

void batch_quarantine(struct batch *b, size_t row, const char *column, const char *reason,
                      const char *detail)
{
    struct batch_row *r = &b->rows[row];
    if (r->quarantined)
        return; /* the first reason found is the one reported */
    r->quarantined = true;
    struct field f = batch_put(b, reason, strlen(reason));
    if (detail && *detail) {
        sb_addc(&b->arena, '\t');
        sb_adds(&b->arena, detail);
        f.len = (uint32_t)(b->arena.len - f.off);
    }
    r->reason_off = f.off;
    r->reason_len = f.len;
    f = batch_put(b, column ? column : "", column ? strlen(column) : 0);
    r->column_off = f.off;
    r->column_len = f.len;
}

void bq_init(struct batch_queue *q, size_t depth)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->items = xcalloc(depth, sizeof *q->items);
    q->depth = depth;
    q->head = q->count = 0;
    q->closed = false;
}

void bq_destroy(struct batch_queue *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q->items);
}

bool bq_push(struct batch_queue *q, struct batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->depth && !q->closed)
        pthread_cond_wait(&q->cv, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return false;
    }
    q->items[(q->head + q->count) % q->depth] = b;
    q->count++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return true;
}

struct batch *bq_pop(struct batch_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->cv, &q->mu);
    struct batch *b = NULL;
    if (q->count > 0) {
        b = q->items[q->head];
        q->head = (q->head + 1) % q->depth;
        q->count--;
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return b;
}

void bq_close(struct batch_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}
