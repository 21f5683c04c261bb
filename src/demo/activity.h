/* activity.h - simulated writes of the old application to a SQLite legacy
 * source (pantrycrm demo activity), for live sync demos, tests and bench.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ACTIVITY_H
#define PANTRY_ACTIVITY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* What the simulator did so far, handed to activity_opts.report: the
 * command line prints it, the simulator does not. */
struct activity_report {
    const char *path;          /* the source, as in the options */
    bool tracked;              /* the source has change capture (sync sees the writes) */
    long done, txns;           /* changes and transactions */
    long inserts, updates, deletes, cascaded, dirty;
    double secs;               /* since the first change */
    int64_t v0, v1;            /* change versions before and after (when tracked) */
};
enum activity_stage {
    ACTIVITY_STARTED,          /* before the first change: only tracked is set */
    ACTIVITY_PROGRESS,         /* every 5 s with progress: done and secs */
    ACTIVITY_DONE,             /* at the end, all of it */
};

/* Set from the caller's SIGINT/SIGTERM handler: stop after this transaction. */
extern volatile sig_atomic_t activity_stop;

struct activity_opts {
    const char *path;          /* the SQLite legacy file */
    double rate;               /* changes per second */
    double duration;           /* seconds; 0: until stopped */
    long max_changes;          /* 0: no limit */
    uint64_t seed;             /* 0: from the clock */
    bool progress;             /* a report every 5 s */
    void (*report)(const struct activity_report *r, enum activity_stage stage, void *arg);
    void *report_arg;
};

/* Writes until the duration, the change count or activity_stop; reports
 * through o->report. 0, or -1 with *err. */
int activity_run(const struct activity_opts *o, char **err);
/* The demo's legacy source. Caller frees. */
char *activity_default_source(void);

#endif
