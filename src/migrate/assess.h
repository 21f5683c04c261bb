/* assess.h - the pre-flight assessment: read the whole source once, through
 * the same conversion as migrate, and predict what the migration will do
 * before a row moves (counts, sizes, dirt, enum domains, orphans, ids,
 * dates, collation surprises, change tracking, expected run time).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ASSESS_H
#define PANTRY_ASSESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "convert.h"

struct assess_opts {
    const char *source;
    struct transform_settings transform; /* as migrate would apply it (its zone is unused) */
    size_t memory;                      /* bytes of keys and values held in memory; the
                                         * rest goes to a temporary file, with the same
                                         * results (0: $PANTRYCRM_ASSESS_MEMORY, else
                                         * ASSESS_DEFAULT_MEMORY) */
    double load_rows_per_s;             /* for the estimate (0: the measured default) */
};

/* The rate bench/migrate.sh measured for a whole run (COPY, index build,
 * FK validation) on 2 cores: the basis of the run time estimate unless the
 * caller knows better. */
#define ASSESS_DEFAULT_LOAD_ROWS_PER_S 65000.0

/* The memory budget of the orphan and duplicate checks: with the rest of
 * assess (some 27 MB with the source's and the temporary file's page
 * caches) the whole process stays well under 64 MB at any scale (a 24 MB
 * budget peaked at 59 MB at S = 1,000,000). */
#define ASSESS_DEFAULT_MEMORY (16u << 20)

/* Reads the source and returns the assessment as a JSON object (caller
 * decrefs), or NULL with *err. progress, when not NULL, is called with each
 * table's name as it is read. */
json_t *assess_run(const struct assess_opts *o, void (*progress)(const char *table, void *ctx),
                   void *ctx, char **err);

#endif
