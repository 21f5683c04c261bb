/* batch.h - a batch of converted rows on its way from the reader thread to
 * the writer, and the bounded queue between them (memory stays bounded
 * whatever the table size: at most QUEUE_DEPTH batches exist per table).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_BATCH_H
#define PANTRY_BATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A field of a converted row: a slice of the batch's arena, or NULL. */
struct field {
    uint32_t off, len;
    bool is_null;
};

struct batch_row {
    uint32_t field0;        /* index of its first field in batch.fields */
    uint32_t raw0;          /* index of its first raw cell in batch.raw */
    uint32_t key_off, key_len;  /* source key bytes in the arena */
    bool quarantined;       /* decided by the converter or the writer */
    uint32_t reason_off, reason_len; /* reason code + detail, when quarantined */
    uint32_t column_off, column_len; /* the column at fault, may be empty */
    int32_t target_key_field;        /* field holding its target id, -1 if none */
    uint32_t rep0, nrep;             /* its repairs: row_repairs[rep0 .. rep0+nrep) */
};

/* A value's original kept beside the row: the row's raw cell number col
 * (the converter's source column of that index) and why (a repair's
 * reason, or extra_column for a column the contract does not know). */
struct batch_side {
    uint32_t row, col;
    const char *reason;     /* a static string */
};

struct batch {
    struct strbuf arena;    /* every byte of the batch */
    struct field *fields;   /* nrows × nfields converted values */
    struct field *raw;      /* nrows × nraw source values, for the quarantine */
    struct batch_row *rows;
    size_t nrows, cap_rows;
    size_t nfields, nraw;   /* per row */
    size_t cap_fields, cap_raw;
    /* The distinct repairs of this batch ("column:reason"), and for each
     * row the indexes of its own: only rows that end up migrated count. */
    char **repair_keys;
    int64_t *repair_counts;          /* filled by batch_tally_repairs */
    size_t nrepairs, cap_repairs;
    uint32_t *row_repairs;
    size_t nrow_repairs, cap_row_repairs;
    /* Repairs decided later by the writer, for any row: (row, repair). */
    uint32_t (*late)[2];
    size_t nlate, cap_late;
    /* Originals of repaired values that the row itself cannot keep (its
     * table has no metadata column): the writer stores them in
     * migration.repair with the batch, for the rows that are migrated. */
    struct batch_side *side;
    size_t nside, cap_side;
    int64_t source_bytes;   /* raw bytes read from the source */
    bool last;              /* no more batches after this one */
};

void batch_init(struct batch *b, size_t nfields, size_t nraw);
void batch_reset(struct batch *b);
void batch_free(struct batch *b);

/* Appends bytes to the arena and returns them as a field. Inline: every
 * value of every row passes here, and a call returning the field through
 * the stack stalled on reading it back. */
static inline struct field batch_put(struct batch *b, const char *data, size_t len)
{
    uint32_t off = (uint32_t)b->arena.len;
    sb_addn(&b->arena, data, len);
    return (struct field){off, (uint32_t)len, false};
}
static inline const char *batch_ptr(const struct batch *b, struct field f)
{
    return b->arena.buf + f.off;
}
/* Starts a new row; its fields and raw cells follow. */
struct batch_row *batch_new_row(struct batch *b);
struct field *batch_row_fields(struct batch *b, size_t row);
struct field *batch_row_raw(struct batch *b, size_t row);
/* Notes a repair of the current (last) row. */
void batch_count_repair(struct batch *b, const char *column, const char *reason);
/* Notes a repair of a given row, decided after the row was converted. */
void batch_count_repair_at(struct batch *b, size_t row, const char *column, const char *reason);
/* Keeps the original of column col (its raw cell) of the current (last)
 * row beside it, for migration.repair. */
void batch_keep_side(struct batch *b, size_t col, const char *reason);
/* Sums the repairs of the rows not quarantined into repair_counts; returns
 * the total. */
int64_t batch_tally_repairs(struct batch *b);
/* Marks a row quarantined with a reason code, an optional detail and column. */
void batch_quarantine(struct batch *b, size_t row, const char *column, const char *reason,
                      const char *detail);

/* A fixed-depth queue of batch pointers. */
struct batch_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch **items;
    size_t depth, head, count;
    bool closed;
};

void bq_init(struct batch_queue *q, size_t depth);
void bq_destroy(struct batch_queue *q);
/* Blocks while full; false when the queue was closed (consumer gone). */
bool bq_push(struct batch_queue *q, struct batch *b);
/* Blocks while empty; NULL when closed and drained. */
struct batch *bq_pop(struct batch_queue *q);
void bq_close(struct batch_queue *q);

#endif
