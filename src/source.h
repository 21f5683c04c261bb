/* source.h - the one small interface every legacy source adapter implements
 * (SQLite file now, SQL Server through FreeTDS later). The engine sees only
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
};

struct source {
    const struct source_ops *ops;
    char *description;                                  /* for messages; no secrets */
};

/* Opens a source from a locator: "sqlite:PATH", or a PATH to a SQLite file.
 * Each thread opens its own source. NULL with *err on failure. */
struct source *source_open(const char *locator, char **err);
void source_close(struct source *src);

void source_tables_free(struct source_table *tables, size_t n);

#endif
