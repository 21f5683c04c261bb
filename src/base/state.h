/* state.h - the local SQLite state file: a cache of migration runs and
 * progress samples that consoles read while the engine writes (WAL), and
 * later the console's session state. Never holds a password; mode 0600.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_STATE_H
#define PANTRY_STATE_H

#include <stdbool.h>
#include <stddef.h>
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

/* For watchers (the console): opens an existing state file read-only;
 * NULL when there is none yet (not an error: no run happened here). */
struct state *state_open_readonly(const char *path);

struct state_run {
    int64_t id;
    int64_t pid;
    char source[256], status[16], started_at[32];
};

struct state_table_progress {
    char table[40], phase[16];
    int64_t rows_total, rows_read, rows_migrated, rows_quarantined, rows_repaired, bytes;
    double seconds, at;
};

/* The latest run and its latest sample per table (up to max tables), and
 * the run's throughput in rows/s over its last nspark half-second steps
 * (oldest first; fewer when the run is younger). 0 with *found false when
 * no run is recorded; -1 with *err on failure. */
int state_read_latest(struct state *st, struct state_run *run, bool *found,
                      struct state_table_progress *rows, size_t max, size_t *n,
                      double *spark, size_t nspark, size_t *nspark_out, char **err);

/* The console's session: small values under keys like "pane" or
 * "orgs.sort". get returns NULL when unset (caller frees). */
char *state_session_get(struct state *st, const char *key);
int state_session_put(struct state *st, const char *key, const char *value, char **err);

/* Consoles steer a running migration through the state file: "pause" or
 * "run" for a run id; the engine polls it twice a second. */
int state_control_set(struct state *st, int64_t run, const char *command, char **err);
bool state_control_paused(struct state *st, int64_t run);

/* The sync's latest round (pantrycrm sync), for the console's migration
 * pane: lag in versions and seconds, changes applied per second. */
struct state_sync {
    double at;                      /* epoch seconds of the round */
    int64_t source_version, applied_version, lag_versions, changes;
    double lag_seconds, rate;
};
int state_sync_put(struct state *st, const struct state_sync *s, char **err);
/* false when no round was recorded. */
bool state_sync_get(struct state *st, struct state_sync *s);

#endif
