/* report.h - the command line's renderings of what the core returns: the
 * core modules (src/ops, src/migrate) hand back structs and JSON, and only
 * the command layer and the console decide how they look.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_REPORT_H
#define PANTRY_REPORT_H

#include <jansson.h>
#include <stdio.h>

struct health;
struct stats;
struct sync_round;

/* `pantrycrm health` as text (sanitized: names come from the server). */
void health_print_text(const struct health *h, FILE *out);

/* `pantrycrm assess` as text, from the JSON assessment (sanitized). */
void assess_print(FILE *out, const json_t *a);

/* `pantrycrm stats` as text. */
void stats_print_text(const struct stats *s, FILE *out);

/* One round of `pantrycrm sync`: a JSON line or the text lines. Its
 * signature is that of sync_opts.on_round, with out as the argument. */
void sync_print_round(const struct sync_round *r, void *out);

#endif
