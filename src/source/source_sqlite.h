/* source_sqlite.h - a legacy database exported to (or generated as) SQLite.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SOURCE_SQLITE_H
#define PANTRY_SOURCE_SQLITE_H

struct progress; /* progress.h */

#include "source.h"

/* Opens path read-only; NULL with *err when it is missing or not SQLite. */
struct source *source_sqlite_open(const char *path, char **err);

/* ---- change capture (Change Tracking as tds-standin emulates it) ---- */
#include <sqlite3.h>
#include <stdio.h>

/* Installs (idempotently) the change log tables and triggers on every
 * table with a primary key; retention_s > 0 is recorded as the notional
 * retention that sync warns about. Switches the file to WAL. */
int source_sqlite_track(const char *path, int64_t retention_s, const struct progress *log,
                        char **err);
/* Forgets the history of table (NULL: all) up to version upto (< 0: the
 * current one) and raises its minimum valid version, like the stand-in's
 * sp_standin_ct_cleanup. *done_upto gets the version used. */
int source_sqlite_ct_cleanup(const char *path, const char *table, int64_t upto, int64_t *done_upto,
                             char **err);
bool source_sqlite_ct_installed(sqlite3 *db);
/* A writer calls this inside its transaction, just before COMMIT: the
 * transaction's changes become one new version (no-op when untracked). */
int source_sqlite_ct_commit(sqlite3 *db, char **err);

#endif
