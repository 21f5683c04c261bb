/* sqlite_exec.h - the one helper for running SQLite statements that return
 * no rows (DDL, PRAGMA, BEGIN/COMMIT), shared by the state file, the SQLite
 * source's change capture and the demo generator.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SQLITE_EXEC_H
#define PANTRY_SQLITE_EXEC_H

#include <sqlite3.h>

/* sqlite3_exec without a callback: 0, or -1 with *err set to "what: " and
 * SQLite's message (the message alone when what is NULL; caller frees). */
int sqlite_exec(sqlite3 *db, const char *sql, const char *what, char **err);

/* "what: " and sqlite3_errmsg(db), for an error of another SQLite call. */
char *sqlite_error(sqlite3 *db, const char *what);

#endif
