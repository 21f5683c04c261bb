/* state.h - the local SQLite state file: a cache of migration runs and
 * progress samples that consoles read while the engine writes (WAL), and
 * later the console's session state. Never holds a password; mode 0600.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_STATE_H
#define PANTRY_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct state;

struct progress_sample {
    const char *table;
    int64_t rows_total;      /* source rows, -1 when not counted yet */
    int64_t rows_read, rows_migrated, rows_quarantined, rows_repaired;
    int64_t bytes;
    double seconds;
    const char *phase;       /* "waiting", "copying", "done", "failed", "indexes" */
};

/* $XDG_STATE_HOME/pantrycrm/state.db. Caller frees. */
char *state_default_path(void);

/* Opens (creating with mode 0600, in a 0700 directory) the state file. */
struct state *state_open(const char *path, char **err);
void state_close(struct state *st);

/* Records a run; target must be a description without secrets. */
int64_t state_run_begin(struct state *st, int64_t target_run_id, const char *source,
                        const char *target, char **err);
int state_run_end(struct state *st, int64_t run, const char *status, char **err);
int state_progress(struct state *st, int64_t run, const struct progress_sample *s, char **err);

#endif
