/* export.h - a browse list (its filters and sort) to CSV, streaming: one
 * page in memory whatever the number of rows.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_EXPORT_H
#define PANTRY_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "browse.h"

/* Called after each page with the rows written so far; non-zero cancels. */
typedef int (*export_progress)(void *ctx, int64_t rows);

/* Writes spec's whole list to out as RFC 4180 CSV (header line, CRLF line
 * ends, fields quoted when they hold a comma, a quote or a line break,
 * quotes doubled, NULL as an empty field). Returns the rows written, -1
 * with *err on failure, -2 when cancelled. */
int64_t export_csv(struct browse_session *s, const struct browse_spec *spec, FILE *out,
                   export_progress progress, void *ctx, char **err);

/* Appends one CSV field (exposed for tests). */
void export_csv_field(FILE *out, const char *value);

#endif
