/* verify.h - proving that nothing was lost: counts, orphans and content.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_VERIFY_H
#define PANTRY_VERIFY_H

#include <stdbool.h>
#include <jansson.h>

#include "convert.h"

struct verify_opts {
    const char *source;
    const char *conninfo;
    struct transform_settings transform;    /* as given to migrate */
    size_t chunk_rows;              /* rows per compared chunk (default 5000) */
    size_t max_listed;              /* differing keys listed per table (default 20) */
    /* Leave metadata.legacy out of the comparison: the rollback gate's
     * setting. It records the originals of values the forward transform
     * changed; once the application has changed such a value after the
     * cutover the record is history the legacy schema has no column for,
     * and the legacy database cannot give it back. */
    bool legacy_history;
};

/* Checks, per table: source rows = migrated + quarantined; no foreign key
 * in the target points nowhere; every source row, transformed as migrate
 * does, equals its target row (chunk digests, narrowed to the differing
 * rows). Returns 0 when all holds, 1 when something differs, -1 on error;
 * *result gets the findings (caller decrefs): {"ok": bool, "tables": [{
 * "table", "ok", "source_rows", "target_rows", "quarantined", "orphans",
 * "rows_compared", "rows_differing", "rows_missing", "chunks",
 * "chunks_differing", "rows": [{"key", "problem", "column"?}]}]}. */
int verify_run(const struct verify_opts *o, json_t **result, char **err);

#endif
