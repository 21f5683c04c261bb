/* activity.h - simulated writes of the old application to a SQLite legacy
 * source (pantrycrm demo activity), for live sync demos, tests and bench.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ACTIVITY_H
#define PANTRY_ACTIVITY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct activity_opts {
    const char *path;          /* the SQLite legacy file */
    double rate;               /* changes per second */
    double duration;           /* seconds; 0: until stopped */
    long max_changes;          /* 0: no limit */
    uint64_t seed;             /* 0: from the clock */
    bool progress;             /* a line every 5 s */
};

/* Writes until the duration, the change count or SIGINT/SIGTERM (the
 * caller's handler); prints a summary to out. 0, or -1 with *err. */
int activity_run(const struct activity_opts *o, FILE *out, char **err);
/* The demo's legacy source. Caller frees. */
char *activity_default_source(void);
int demo_activity_cmd(int argc, char **argv, const char *prefix);

#endif
