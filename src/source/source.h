/* source.h - the one small interface every legacy source adapter implements
 * (a SQLite file, or SQL Server through FreeTDS db-lib). The engine sees only
 * this: describe, count, and stream rows in key order after a key.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SOURCE_H
#define PANTRY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A cell as the source gave it: bytes (text as UTF-8, possibly with NUL
 * bytes or encoded lone surrogates that the engine must repair), or NULL. */
struct cell {
    const char *data;
    size_t len;
    bool is_null;
};

struct source_column {
    char *name;
    char *type;        /* the declared SQL Server type, upper-case: "NVARCHAR(MAX)" */
};

struct source_table {
    char *name;
    struct source_column *cols;
    size_t ncols;
};

/* Rows come in batches; the callback returns 0 to go on, non-zero to stop
 * (that value is then returned by stream). cells[i] matches cols[i] of the
 * stream request; key is the row's key column, for checkpoints. */
typedef int (*source_row_fn)(void *ctx, const struct cell *cells, size_t ncells);

struct source;

/* One net change. op is 'I', 'U' or 'D'; row is NULL when the row no
 * longer exists (a delete, or an insert/update deleted since). */
typedef int (*source_change_fn)(void *ctx, int64_t version, char op, const struct cell *key,
                                const struct cell *row, size_t ncells);

/* What a source can say about itself. Strings are owned by the struct;
 * free with source_facts_free. */
struct source_facts {
    char *server;              /* "SQL Server 15.0.2000", "SQLite 3.40.1" */
    char *database;
    int snapshot_isolation;    /* 1 on, 0 off, -1 unknown / not applicable */
    int read_committed_snapshot;
    int change_tracking;       /* 1 enabled on the database, 0 not, -1 unknown */
    int64_t ct_retention_s;    /* retention period in seconds, -1 unknown */
    bool ct_auto_cleanup;
};
void source_facts_free(struct source_facts *f);

struct source_ops {
    const char *kind;                                   /* "sqlite", "mssql" */
    int (*describe)(struct source *, struct source_table **tables, size_t *n, char **err);
    int (*count)(struct source *, const char *table, int64_t *rows, char **err);
    /* A cheap estimate of the row count, for progress and memory budgets. */
    int (*estimate)(struct source *, const char *table, int64_t *rows, char **err);
    /* Streams up to limit rows of table in key order with key > after (all
     * rows when after is NULL), columns in the order given. */
    int (*stream)(struct source *, const char *table, const char *key,
                  const char *const *cols, size_t ncols, const struct cell *after,
                  size_t limit, source_row_fn fn, void *ctx, char **err);
    void (*close)(struct source *);

    /* --- optional: NULL when the source cannot do it ----------------------
     * Facts about the server for assess and the cutover gate. */
    int (*facts)(struct source *, struct source_facts *out, char **err);
    /* Change capture: Change Tracking on SQL Server, a trigger-fed change
     * log on SQLite. A sync round runs between snapshot_begin and
     * snapshot_end so that the version and the changes agree. */
    int (*snapshot_begin)(struct source *, char **err);
    int (*snapshot_end)(struct source *, bool commit, char **err);
    int (*change_version)(struct source *, int64_t *current, char **err);
    /* *tracked false when the table has no change capture (then min_valid
     * is meaningless). */
    int (*change_min_valid)(struct source *, const char *table, bool *tracked,
                            int64_t *min_valid, char **err);
    /* Net changes to table after version since (all retained when since <
     * 0), each with the current row's cols (NULL cells when the row is gone,
     * which the caller treats as a delete), in key order. */
    int (*changes)(struct source *, const char *table, const char *key,
                   const char *const *cols, size_t ncols, int64_t since,
                   source_change_fn fn, void *ctx, char **err);
};

struct source {
    const struct source_ops *ops;
    char *description;                                  /* for messages; no secrets */
};

/* Opens a source from a locator: "sqlite:PATH" (or a PATH to a SQLite file),
 * "mssql://[USER@]HOST[:PORT]/DB[?opts]" or "mssql:[USER@]SERVER/DB".
 * Each thread opens its own source. NULL with *err on failure. */
struct source *source_open(const char *locator, char **err);

/* Whether an adapter may ask for a password on the terminal (true unless
 * the console, which owns the terminal, turns it off). */
extern bool source_may_prompt;
void source_close(struct source *src);

void source_tables_free(struct source_table *tables, size_t n);

#endif
