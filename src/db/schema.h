/* schema.h - forward-only, versioned SQL migrations of the target schema.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SCHEMA_H
#define PANTRY_SCHEMA_H

struct progress; /* progress.h */

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "digest.h"

struct schema_file {
    char *name;                          /* "0002_core_schema.sql" */
    char *sql;                           /* file contents */
    char checksum[DIGEST_SHA256_HEX_LEN + 1];
};

struct schema_set {
    struct schema_file *files;           /* sorted by name */
    size_t n;
};

enum schema_state {
    SCHEMA_PENDING,                      /* file present, not applied */
    SCHEMA_APPLIED,                      /* applied, checksum matches */
    SCHEMA_CHANGED,                      /* applied, file has changed since */
    SCHEMA_UNKNOWN                       /* applied, but no such file here */
};

struct schema_entry {
    char *name;
    enum schema_state state;
    char *applied_at;                    /* NULL when pending */
    char *checksum;                      /* recorded checksum, NULL when pending */
};

struct schema_report {
    struct schema_entry *entries;        /* sorted by name */
    size_t n;
};

/* Loads every *.sql file of dir. 0, or -1 with *err set. */
int schema_load(const char *dir, struct schema_set *set, char **err);
/* The same for the installed schema files (the package data's sql/). */
int schema_load_installed(struct schema_set *set, char **err);
void schema_set_free(struct schema_set *set);

/* Compares what the database recorded with the files. 0, or -1 with *err. */
int schema_status(PGconn *conn, const struct schema_set *set, struct schema_report *rep, char **err);
void schema_report_free(struct schema_report *rep);
const char *schema_state_name(enum schema_state st);

/* Applies the pending files in order, each in its own transaction together
 * with its bookkeeping row. Refuses to start when an applied file changed
 * or is unknown. Progress lines go to log (may be NULL). Returns the number
 * applied (0 = already up to date), or -1 with *err set. */
/* NULL when the database holds the CRM and migration schemas; else what
 * to do about it ("database "x" has no CRM schema yet: run 'pantrycrm db
 * migrate' first"), for the caller to free. A query that fails counts as
 * present: the caller's own error says more. */
char *schema_missing(PGconn *conn);

int schema_migrate(PGconn *conn, const struct schema_set *set, const struct progress *log,
                   char **err);

#endif
