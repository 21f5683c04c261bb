/* sqlite_ct.h - what the SQLite source's reader (source_sqlite.c) takes
 * from its change capture (sqlite_ct.c); the commands use source_sqlite.h.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SQLITE_CT_H
#define PANTRY_SQLITE_CT_H

#include <sqlite3.h>
#include <stdbool.h>

/* Whether the file has a table of that name. */
bool sqlite_ct_has_table(sqlite3 *db, const char *name);

/* The UPDATE that raises the version when any tracked table logged a
 * change after it (NULL when no table is tracked or on an error). */
char *sqlite_ct_bump_sql(sqlite3 *db);

/* The file opened for writing, with a busy timeout; NULL with *err. */
sqlite3 *sqlite_ct_open_rw(const char *path, char **err);

#endif
