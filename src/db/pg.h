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

/* The hint that follows a failed connection: TLS problems get one about
 * sslmode/sslrootcert, the rest one about -d and the PG* variables. */
const char *pg_connect_hint(const char *libpq_msg);

/* The password command (PANTRYCRM_PASSWORD_COMMAND, else the configuration's
 * password-command), or NULL. When set, every connection runs it afresh and
 * passes its first output line as the password: tokens expire. */
const char *pg_password_command(void);

/* A new connection with the options of model (which may be broken), the
 * password fetched afresh when a password command is configured. For
 * reconnecting and for extra connections of a long run. */
PGconn *pg_connect_like(PGconn *model, const char *purpose, char **errmsg);

/* True when a pooler (PgBouncer ...) stands between us and the server, so
 * that session state (named prepared statements, SET, session advisory
 * locks) may not be there for our next transaction. One round trip; the
 * configuration's pooler = yes|no, or PANTRYCRM_POOLER, overrides. */
bool pg_pooled(PGconn *conn);

/* "TLSv1.3, server certificate and name verified (sslmode=verify-full)",
 * "not encrypted" ...: for the console's header and health. */
char *pg_tls_summary(PGconn *conn);

/* 1 on a hot standby (then *lag says how far replay is behind, or NULL),
 * 0 on a primary, -1 with *errmsg. */
int pg_standby(PGconn *conn, char **lag, char **errmsg);

/* "db=… user=… host=…" summary of where a connection went, for messages. */
char *pg_describe(PGconn *conn);

#endif
