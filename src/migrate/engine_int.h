/* engine_int.h - what the parts of the migration engine share; not for
 * use outside src/migrate/ (the public API is engine.h).
 *
 * The parts, in the order a row meets them:
 *   reader.c      streams one table from the source into batches (a thread)
 *   writer.c      commits a batch: orphan checks, COPY with isolation of
 *                 rejected rows, the quarantine, the checkpoint
 *   checkpoint.c  migration.checkpoint: where each table's load stands
 *   job.c         one table: a reader and a writer joined by a queue,
 *                 retried from the checkpoint after a lost connection
 *   deferred.c    indexes and foreign keys dropped before and built after
 *   build.c       that build, each statement as soon as its tables are loaded
 *   engine.c      the run: checks, scheduling of the jobs, progress
 *   replay.c      the quarantine transformed again (quarantine replay)
 *   applier.c     Change Tracking rows applied by key (pantrycrm sync)
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ENGINE_INT_H
#define PANTRY_ENGINE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "batch.h"
#include "convert.h"
#include "engine.h"
#include "keyset.h"
#include "legacy.h"
#include "source.h"
#include "util.h"

/* Memory is bounded by bytes, not by the table: a job holds QUEUE_DEPTH + 1
 * batches (one filled by the reader while the writer copies the other),
 * each cut at BATCH_MAX_BYTES of values. One batch ahead keeps the writer
 * as busy as three did (S = 100,000: the same 14.3 s), and peak RSS fell
 * from 161 MB to 72 MB. */
#define QUEUE_DEPTH 1
#define BATCH_MAX_BYTES (2u << 20)
#define COPY_CHUNK (1u << 20)
#define MAX_RETRIES 8
/* A table with more columns than this is copied as text. */
#define WRITER_MAX_COLUMNS 64
/* Parent keys held in memory across all tables, 16 bytes each (24 MB);
 * past it, a batch asks the target about the keys it does not know. */
#define DEFAULT_KEY_CACHE 1500000

/* Set by the scheduler from the state file's control table; readers wait
 * while it is set, so writers drain their batches and everything idles. */
extern _Atomic int engine_paused;

struct engine;

/* ---- build.c: the deferred statements and the final ANALYZEs ---- */
enum build_kind { BUILD_INDEX, BUILD_WORDS, BUILD_FK, BUILD_ANALYZE };
enum build_state { BUILD_WAITING, BUILD_RUNNING, BUILD_DONE, BUILD_FAILED };
struct build_task {
    char *name, *ddl;
    enum build_kind kind;
    enum build_state state;
    int table, parent;      /* legacy table indexes; -1: none (or not ours) */
    bool recorded;          /* a row of migration.deferred_ddl */
    double weight;          /* larger first */
};
struct build_plan {
    struct build_task *tasks;   /* by weight */
    size_t n, recorded, running;
    pthread_t threads[MIGRATE_MAX_JOBS];
    size_t nthreads, alive;
    bool announced;
    char *err;                  /* the first failure */
};

struct job {
    struct engine *e;
    const struct legacy_table *t;
    const struct source_table *src;
    size_t deps[MIGRATE_MAX_TABLES];
    size_t ndeps;
    pthread_t thread;
    enum engine_table_state state;
    char *error;
    /* progress, guarded by e->mu */
    int64_t rows_total, rows_read, rows_migrated, rows_quarantined, repairs, bytes;
    int64_t rows_seen;      /* read from the source, committed or not: for the bar */
    bool keys_preloaded;    /* rows committed before this process are in the key set */
    double seconds;
    const char *phase;
};

struct engine {
    const struct engine_opts *o;
    struct synonyms *synonyms;
    struct convert_opts copts;
    struct job jobs[MIGRATE_MAX_TABLES];
    size_t njobs;
    int64_t run_id;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t running;
    struct source_table *src_tables;
    size_t nsrc_tables;
    /* Committed ids of the tables that UUID foreign keys point at. */
    struct keyset keys[MIGRATE_MAX_TABLES];
    bool is_parent[MIGRATE_MAX_TABLES];
    size_t key_budget;          /* keys not yet promised to a table */
    struct build_plan build;    /* guarded by mu */
};

/* ---- engine.c: shared helpers ---- */
size_t engine_table_index(const struct legacy_table *t);
/* A target connection whose session zone is the source's. */
PGconn *engine_connect(const struct engine *e, const char *purpose, char **err);
bool engine_conn_lost(PGconn *conn);
/* Replaces *connp by a fresh connection when it was lost, retrying with
 * backoff. 0 when *connp is usable. */
int engine_reconnect(const struct engine *e, PGconn **connp, const char *purpose, char **err);
/* Formats a note and hands it to the caller's on_note, if any. */
void engine_note(const struct engine_opts *o, const char *fmt, ...) PANTRY_PRINTF(2, 3);

/* ---- writer.c ---- */
struct writer {
    struct job *j;
    PGconn *conn;
    struct convert *cv;
    struct strbuf copy;
    struct strbuf sql;
    char *err;
    double t_fk, t_copy, t_quarantine, t_commit;  /* PANTRYCRM_PROFILE */
    const char *upsert_via;     /* sync: COPY into this temp table, then upsert */
    /* COPY's format, found at the first COPY: 1 binary (wire[] holds each
     * column's copybin_kind), -1 text; 0 not yet known. */
    signed char binary;
    unsigned char wire[WRITER_MAX_COLUMNS];
};
/* Quarantines (or nulls) rows whose foreign key has no parent row. */
int writer_check_orphans(struct writer *w, struct batch *b);
/* COPYs rows, isolating and quarantining those PostgreSQL rejects: the
 * rows copied, or -1. */
long writer_copy_isolating(struct writer *w, struct batch *b, const size_t *rows, size_t n);
/* Stores quarantined row r of b in the quarantine. */
int writer_store_quarantine(struct writer *w, struct batch *b, size_t r);
/* Stores the originals the batch keeps beside its migrated rows
 * (batch_keep_side) in migration.repair, one statement per batch, inside
 * the caller's transaction; with replace (sync), first drops the entries
 * of every row of the batch, so a value since corrected or a row now
 * quarantined leaves none behind. 0 ok, -1 failed (w->err). */
int writer_store_repairs(struct writer *w, struct batch *b, bool replace);
/* Commits one batch with its checkpoint. 0 ok, -1 failed (w->err). */
int writer_write_batch(struct writer *w, struct batch *b, double seconds);

/* ---- reader.c ---- */
struct reader {
    struct job *j;
    struct source *src;
    struct convert *cv;
    struct batch_queue *full, *free_q;
    struct batch *cur;
    const struct cell *after;
    size_t batch_rows;
    struct writer *probe;   /* its own connection for the orphan checks */
    int64_t base, seen;     /* rows committed before this attempt, rows read in it */
    char *err;
    bool failed;
};
/* The reader thread: streams the table after r->after into r->full. */
void *reader_main(void *arg);

/* ---- checkpoint.c ---- */
struct checkpoint {
    bool done, have_key;
    struct strbuf last_key;         /* raw source bytes */
    int64_t rows_read, rows_migrated, rows_quarantined, bytes, repairs;
    double seconds;
};
/* Reads (creating) the checkpoint of table for run_id. */
int checkpoint_load(PGconn *conn, const char *table, int64_t run_id, struct checkpoint *cp,
                    char **err);
/* Adds a committed batch (inside its transaction). last_key NULL: keep. */
int checkpoint_advance(PGconn *conn, const char *table, const char *last_key, size_t key_len,
                       size_t nread, long migrated, int64_t quarantined, int64_t bytes,
                       const char *repairs_json, double seconds, char **err);
int checkpoint_mark_done(PGconn *conn, const char *table, char **err);
/* Rows a replay moved from the quarantine into the target. */
int checkpoint_move_replayed(PGconn *conn, const char *table, long moved, char **err);

/* ---- job.c ---- */
/* The thread of one table's job, retrying from the checkpoint. */
void *job_main(void *arg);

/* ---- deferred.c ---- */
/* When nothing is loaded yet, drops secondary indexes and foreign keys,
 * recording their DDL. */
int deferred_record(const struct engine_opts *o, PGconn *conn, char **err);
/* Runs one recorded statement and forgets it in the same transaction,
 * again on a new connection after a lost one unless it had committed.
 * serial: without PostgreSQL's parallel workers (other statements or
 * loads already keep the --jobs slots busy). */
int deferred_run_retrying(const struct engine *e, PGconn **connp, const char *name, const char *ddl,
                          bool serial, char **err);

/* ---- build.c ---- */
/* Reads what is left to build and adds each table's ANALYZE. */
int build_plan_load(struct engine *e, PGconn *conn, char **err);
/* Starts the build workers: each statement runs in a free --jobs slot
 * once its tables are loaded and no load is ready to start. */
void build_start(struct engine *e);
/* Waits for the workers: 0 all built, 1 stopped with statements left,
 * -1 failed (*err). */
int build_finish(struct engine *e, char **err);
void build_plan_free(struct build_plan *p);

#endif
