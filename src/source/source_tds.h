/* source_tds.h - the SQL Server / Azure SQL source, read through FreeTDS db-lib.
 *
 * Locators (no password, ever: it comes from the environment, a file or a
 * prompt on the terminal):
 *   mssql://[USER@]HOST[:PORT]/DATABASE[?OPTION=VALUE&...]
 *   mssql:[USER@]SERVERNAME/DATABASE[?OPTION=VALUE&...]   (a freetds.conf section)
 * Options: encrypt=off|request|require|strict, ca_file=PATH,
 * check_hostname=yes|no, password_file=PATH, timeout=SECONDS (0: none),
 * login_timeout=SECONDS, app=NAME. USER falls back to $PANTRYCRM_MSSQL_USER;
 * the password is $PANTRYCRM_MSSQL_PASSWORD, the file named by password_file
 * or $PANTRYCRM_MSSQL_PASSWORD_FILE, or asked for on /dev/tty.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SOURCE_TDS_H
#define PANTRY_SOURCE_TDS_H

#include "source.h"

/* locator is the whole "mssql:..." string. NULL with *err on failure. */
struct source *source_tds_open(const char *locator, char **err);

/* For tests and diagnostics: runs one T-SQL batch on the source's
 * connection and returns the first column of the first row as text in
 * *value (NULL for SQL NULL or no row). 0, or -1 with *err; the
 * connection survives a query timeout (the error then says so). */
int source_tds_exec(struct source *src, const char *sql, char **value, char **err);

/* The encoding of text cast to VARBINARY(MAX): "utf-16le", the only one
 * accepted at open ("none" for another kind of source). */
const char *source_tds_text_encoding(struct source *src);

#endif
