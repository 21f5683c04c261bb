/* pg.h - PostgreSQL connections the libpq way.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PG_H
#define PANTRY_PG_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Opens a connection. conninfo is a libpq URI or key=value string, or NULL
 * to rely on PG* environment variables, service files and defaults alone;
 * passwords come from PGPASSWORD, ~/.pgpass, or a prompt on the terminal,
 * never from our command line. purpose says what the program was trying to
 * do and goes into the error message. On failure returns NULL and sets
 * *errmsg (caller frees). TLS settings (sslmode ...) are left to libpq. */
PGconn *pg_connect(const char *conninfo, const char *purpose, char **errmsg);

/* Checks a connection string without connecting; NULL when fine, else a
 * message the caller frees. */
char *pg_conninfo_check(const char *conninfo);

/* Runs a parameterised statement; returns the result when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK, else clears it, sets *errmsg and
 * returns NULL. *errmsg must be NULL or an earlier message, which is freed. */
PGresult *pg_exec(PGconn *conn, char **errmsg, const char *sql, int nparams,
                  const char *const *params);

/* Runs a parameterless command and reports success. */
bool pg_command(PGconn *conn, char **errmsg, const char *sql);

/* "db=… user=… host=…" summary of where a connection went, for messages. */
char *pg_describe(PGconn *conn);

#endif
