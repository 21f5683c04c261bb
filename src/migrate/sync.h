/* sync.h - keeping the target in step with a live source through Change
 * Tracking (or the SQLite source's change log), by the protocol of the
 * migration field notes §5: the version taken before the full load, rounds
 * in source snapshots, idempotent upserts and deletes, the applied version
 * stored with the changes in one transaction.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SYNC_H
#define PANTRY_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "convert.h"
#include "progress.h"

/* Exit status when changes were cleaned up past the applied version. */
#define SYNC_EXIT_REINIT 3

/* What one round did, for whoever shows it (the command line prints it:
 * see sync_opts.on_round). The strings point into the sync's own tables
 * and live until the callback returns. */
struct sync_round_table {
    const char *name;
    long changes, rechecked;            /* rechecked: children re-applied after a parent moved */
    long upserts, deletes, quarantined;
    bool reinit;                        /* re-copied in this round */
};
struct sync_round {
    int n;                              /* 1, 2, ... */
    bool json;                          /* the options' json, for the renderer */
    int64_t from, current, lag_versions;
    double lag_seconds, seconds, rate;
    long changes;
    long echoes;                        /* the fallback's own writes, skipped */
    const struct sync_round_table *tables;
    size_t ntables;
};

struct sync_opts {
    const char *source;
    const char *conninfo;
    struct transform_settings transform;    /* as given to migrate */
    const char *reinit_table;       /* re-copy this table in the next round */
    bool reinit_all;
    bool follow;
    double interval;                /* seconds between rounds with --follow */
    int max_rounds;                 /* 0: unlimited (tests and bench) */
    bool json;
    const char *state_path;         /* lag and rate for the console; NULL: none */
    /* Notes between rounds ("lost the connection…"); NULL: none. */
    const struct progress *notes;
    /* Called after each round that ended well; NULL: rounds are not shown. */
    void (*on_round)(const struct sync_round *r, void *arg);
    void *on_round_arg;
};

/* Set from a signal handler: stop at the next round boundary. */
extern volatile sig_atomic_t sync_stop_requested;

/* One round, or rounds every interval until stopped. Returns 0, 130 when
 * stopped by a signal, SYNC_EXIT_REINIT when a table needs re-copying (the
 * tables are named on stderr), 1 on failure with *err. */
int sync_run(const struct sync_opts *o, char **err);

/* What the target knows of the sync, for the cutover gate. */
struct sync_status {
    bool have;                     /* a baseline is recorded */
    int64_t min_applied;           /* lowest applied version over the tables */
    int64_t source_version;        /* the source version the last round saw */
    double quiet_s;                /* seconds since a round first saw that version */
    char quiet_since[40];          /* that moment, ISO 8601 */
    int64_t rounds;
};
int sync_status_read(PGconn *conn, struct sync_status *s, char **err);

#endif
