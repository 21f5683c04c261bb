/* engine.h - the migration engine: full load from a legacy source into the
 * PostgreSQL target, resumable exactly once, nothing lost.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ENGINE_H
#define PANTRY_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "collisions.h"
#include "convert.h"
#include <libpq-fe.h>

/* The most tables a run handles (the contract has ten): the size of the
 * per-table arrays of the engine, verify and sync. */
#define MIGRATE_MAX_TABLES 16
/* The most tables loaded, or indexes built, at once (--jobs). */
#define MIGRATE_MAX_JOBS 16

enum engine_table_state {
    ENGINE_TABLE_WAITING, ENGINE_TABLE_RUNNING, ENGINE_TABLE_DONE, ENGINE_TABLE_FAILED,
    ENGINE_TABLE_STOPPED
};

/* Where one table's load stands, for a progress display. */
struct engine_table_progress {
    const char *table;
    const char *phase;              /* "waiting", "copying", "paused", "done" ... */
    enum engine_table_state state;
    int64_t rows_total;             /* the source's estimate; -1 unknown */
    int64_t rows_seen;              /* read from the source, committed or not */
    int64_t rows_read, rows_migrated, rows_quarantined, repairs, bytes;  /* committed */
    double seconds;                 /* spent committing */
};

struct engine_progress {
    const struct engine_table_progress *tables;
    size_t n;
    double elapsed;                 /* seconds since the jobs started */
    bool final;                     /* every table has settled */
};

struct engine_opts {
    const char *source;             /* "sqlite:FILE" or a path */
    const char *conninfo;           /* target; NULL: libpq defaults */
    int jobs;                       /* tables loaded at once (and index builds) */
    size_t batch_rows;              /* rows per committed batch */
    struct transform_settings transform;
    const char *state_path;         /* the SQLite state file; NULL: none */
    const char *options_json;       /* recorded in migration.run for verify */
    size_t key_cache;               /* parent ids kept in memory (0: default) */
    /* Called from the scheduler's thread about four times a second while
     * the jobs run (and when one ends), the last time with final set. The
     * caller picks its own pace (progress.c). */
    void (*on_progress)(void *ctx, const struct engine_progress *p);
    /* A line for the operator (a schema note, a pause, how to resume). */
    void (*on_note)(void *ctx, const char *text);
    void *ctx;
};

/* Set from a signal handler: stop at the next batch boundary. */
extern volatile sig_atomic_t engine_stop_requested;

/* Runs (or resumes) the migration. Returns 0 when every table is done,
 * 130 when stopped by a signal (resumable), 1 on failure with *err set. */
int engine_migrate(const struct engine_opts *o, char **err);

/* Empties the target tables and the migration bookkeeping, restoring any
 * deferred index or foreign key (*restored says whether there were any).
 * Refuses once a cutover is recorded. */
int engine_rollback(const char *conninfo, bool *restored, char **err);

/* One table's replay, as it finishes. */
struct engine_replay_table {
    const char *table;
    int replayed;                   /* open quarantine rows transformed again */
    long migrated, still_quarantined;
};

/* Re-transforms the open quarantine rows (of one table and/or reason, or
 * all) with the current synonyms and policies: rows that now pass are
 * loaded and marked resolved, the others get their new reason. Uses
 * o->conninfo and o->transform. Calls
 * on_table (when not NULL) for each table that had rows; returns the
 * number of rows resolved, or -1. */
long engine_replay(const struct engine_opts *o, const char *table, const char *reason,
                   void (*on_table)(void *ctx, const struct engine_replay_table *r), void *ctx,
                   char **err);

/* The per-table summary from the target's checkpoints, in contract order. */
struct engine_report_table {
    const char *table;
    bool started, done;             /* a checkpoint exists; the table is complete */
    int64_t read, migrated, quarantined, repaired, bytes;
    double seconds;
    char *repairs_json;             /* {"column:reason": n}; NULL when not started */
};
struct engine_report {
    struct engine_report_table tables[MIGRATE_MAX_TABLES];
    size_t n;
    int64_t read, migrated, quarantined, repaired, bytes;   /* totals */
    double seconds;
    struct collisions dups;         /* unique values that were one to SQL Server */
    char *dups_err;                 /* why they could not be read, or NULL */
};
int engine_report_read(const char *conninfo, struct engine_report *r, char **err);
void engine_report_free(struct engine_report *r);

/* ---- applying Change Tracking changes (pantrycrm sync) ------------------
 * Rows go through the same transform, orphan checks and quarantine as the
 * full load, inside the caller's open transaction: current row images are
 * upserted by key (never delete + insert), a row the transform refuses is
 * quarantined and leaves the target, deleted keys are deleted (the target's
 * foreign keys cascade). Not thread-safe; one per table and connection. */
struct engine_applier;
struct engine_apply_stats {
    long upserts, deletes, quarantined;
};
struct engine_applier *engine_applier_new(PGconn *conn, const struct legacy_table *t,
                                          const struct source_table *src,
                                          const struct convert_opts *copts, int64_t run_id,
                                          char **err);
/* The source columns each upserted row must carry, in order. */
const char *const *engine_applier_columns(const struct engine_applier *a, size_t *n);
void engine_applier_upsert(struct engine_applier *a, const struct cell *cells);
void engine_applier_delete(struct engine_applier *a, const struct cell *key);
size_t engine_applier_pending(const struct engine_applier *a);
/* The bytes the queued rows and deleted keys hold. */
size_t engine_applier_pending_bytes(const struct engine_applier *a);
/* Writes what was queued (in the caller's transaction); adds to *st. */
int engine_applier_flush(struct engine_applier *a, struct engine_apply_stats *st, char **err);
void engine_applier_free(struct engine_applier *a);
/* Target keys (uuid or text) of rows that left the target in the flushes
 * so far because the transform refuses their new version while other
 * target rows pointed at them, and of rows that came back from the
 * quarantine: appended to gone and back, then
 * forgotten. (Deleted rows are not listed: the source deletes or clears
 * their children itself, and those changes come in the change log.) */
struct engine_key_list {
    char **keys;
    size_t n, cap;
};
void engine_applier_take_keys(struct engine_applier *a, struct engine_key_list *gone,
                              struct engine_key_list *back);
void engine_key_list_free(struct engine_key_list *l);
/* While on, every row the transform refuses counts as gone, found in the
 * target or not: a parent's cascade may have removed it already (sync
 * turns it on while it re-applies the children of moved parents). */
void engine_applier_cascaded(struct engine_applier *a, bool on);

#endif
