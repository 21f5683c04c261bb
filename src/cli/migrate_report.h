/* migrate_report.h - what `pantrycrm migrate` shows while and after it runs: the
 * ANSI progress bars or JSON lines fed by the engine's progress callback,
 * its notes, and the per-table report (also `pantrycrm report`).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_MIGRATE_REPORT_H
#define PANTRY_MIGRATE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>

#include "engine.h"

enum progress_mode { PROGRESS_NONE, PROGRESS_BARS, PROGRESS_JSONL };

struct progress_display {
    enum progress_mode mode;
    FILE *out;                  /* bars or JSON lines */
    FILE *notes;                /* the engine's notes */
    bool drawn;                 /* the bars are on the screen: redraw over them */
    double last_bars, last_jsonl;
    size_t bar_lines;           /* how many lines the bars took */
};

/* A display on out; notes go to stderr under JSON lines, else to out. */
void progress_init(struct progress_display *d, enum progress_mode mode, FILE *out);
/* Points the engine's callbacks at d. */
void progress_attach(struct progress_display *d, struct engine_opts *o);

/* The per-table summary, as a table or as JSON. */
void progress_print_report(FILE *out, const struct engine_report *r, bool json);

/* The case-insensitive duplicates (collisions_json) under a report, or
 * why they could not be read (err); nothing when there are none. */
void collisions_print(FILE *out, const json_t *dups, const char *err);

/* Adds the e-mail repairs of one table's {"column:reason": n} to sums
 * (email_trimmed, email_mailto, email_domain_case, email_empty,
 * email_malformed_kept, email_malformed_nulled, in that order). */
#define EMAIL_SUMS 6
void email_repairs_add(int64_t sums[EMAIL_SUMS], const json_t *repairs);
/* One line naming them, after prefix (nothing when all are 0). */
void email_repairs_print(FILE *out, const char *prefix, const int64_t sums[EMAIL_SUMS]);

#endif
