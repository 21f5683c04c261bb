/* sqlite_exec.h - the one helper for running SQLite statements that return
 * no rows (DDL, PRAGMA, BEGIN/COMMIT), shared by the state file and the
 * demo generator; each caller puts its own context on the message.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SQLITE_EXEC_H
#define PANTRY_SQLITE_EXEC_H

#include <sqlite3.h>

/* sqlite3_exec without a callback: 0, or -1 with *msg set to SQLite's
 * message (never NULL; the caller frees it with free()). */
int sqlite_exec(sqlite3 *db, const char *sql, char **msg);

#endif
