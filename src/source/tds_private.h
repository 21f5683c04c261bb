/* tds_private.h - what the parts of the SQL Server source share (source_tds.c
 * the operations, tds_conn.c db-lib and its diagnostics, tds_decode.c values,
 * tds_sql.c T-SQL text, tds_locator.c the locator, freetds.conf and password).
 * Only these files include it, and only with HAVE_FREETDS.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_TDS_PRIVATE_H
#define PANTRY_TDS_PRIVATE_H

#include "source.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <sybdb.h>
#include <sybfront.h>

#define TDS_TYPE_UNIQUE 36 /* SYBUNIQUE: not in sybdb.h's enum */

/* ---- db-lib and its diagnostics (tds_conn.c) ---- */

struct tds_diag {
    int msgno, severity, state;     /* the first server error (severity > 10) */
    char msg[1024];
    int dberr;                      /* the first db-lib error */
    char dbmsg[512];
    char osmsg[256];
    bool timed_out;
};

struct tds_source {
    struct source base;
    DBPROCESS *db;
    struct tds_diag diag;
    bool no_partitions;             /* sys.partitions is not there (stand-in) */
    int snapshot_isolation, rcsi;   /* from sys.databases, -1 unknown */
    const char *isolation;          /* the session's level between snapshots */
    bool in_snapshot;               /* a snapshot transaction is (maybe) still open */
    int timeout;
    struct source_table *cat;       /* the catalog, loaded on first use */
    size_t ncat;
    bool have_cat;
    struct strbuf scratch;          /* converted values of the current row */
};


enum vk {
    VK_NATIVE, /* decode by the column's db-lib type */
    VK_TEXT,   /* a VARBINARY(MAX) cast of text: UTF-16LE */
};

/* dbinit and the process-wide handlers, once; false when dbinit failed. */
bool tds_dblib_init(void);
/* dbopen with diag receiving what the handlers report while it runs. */
DBPROCESS *tds_dbopen(LOGINREC *login, const char *server, struct tds_diag *diag);
void tds_diag_reset(struct tds_diag *g);
/* The diagnostics as text for a person, sanitized (caller frees). */
char *tds_diag_text(const struct tds_source *s);
/* "what: " and the diagnostics, or that the connection is lost (caller frees). */
char *tds_error(const struct tds_source *s, const char *what);

typedef int (*tds_rows_fn)(struct tds_source *s, void *ctx, const struct cell *cells, size_t n);

/* Runs sql; rows of every result set go to fn (when given) with columns
 * decoded by kinds (NULL or shorter: native). fn's non-zero return stops
 * (the rest is cancelled, the connection kept) and is returned; -1 with
 * *err when the server or db-lib reported an error. */
int tds_run_sql(struct tds_source *s, const char *sql, const enum vk *kinds, size_t nkinds,
                tds_rows_fn fn, void *ctx, const char *what, char **err);
/* First row's columns as strings (NULL for SQL NULL); *found false when no
 * row came. */
int tds_query_first(struct tds_source *s, const char *sql, char **vals, size_t n, bool *found,
                    const char *what, char **err);
void tds_free_vals(char **vals, size_t n);

/* ---- values (tds_decode.c) ---- */

/* Appends column c's value to s->scratch (or points at db-lib's buffer);
 * returns the offset in scratch, or SIZE_MAX when *direct was set. */
size_t tds_decode_value(struct tds_source *s, int c, enum vk kind, const BYTE *p, size_t len,
                        const char **direct);

/* ---- T-SQL text (tds_sql.c) ---- */

void tds_add_bracketed(struct strbuf *sb, const char *name);
void tds_add_nliteral(struct strbuf *sb, const char *s, size_t n);
void tds_add_table(struct strbuf *sb, const char *table);
bool tds_is_text_type(const char *type);
bool tds_is_integer_type(const char *type);
void tds_add_column_expr(struct strbuf *sb, const char *alias, const struct source_column *c);
bool tds_needs_binary_literal(const char *s, size_t n);
void tds_add_binary_text_literal(struct strbuf *sb, const char *in, size_t n);
int tds_add_key_literal(struct strbuf *sb, const struct source_column *k, const struct cell *v,
                        char **err);

/* ---- the locator, freetds.conf and the password (tds_locator.c) ---- */

struct tds_params {
    char *user, *host, *port, *server, *database;
    char *encrypt, *ca_file, *check_hostname, *password_file, *app;
    int timeout, login_timeout;
};
int tds_parse_locator(const char *loc, struct tds_params *p, char **err);
void tds_params_free(struct tds_params *p);
/* The name of a private freetds.conf section with p's TLS settings. */
char *tds_conf_section(const struct tds_params *p, char **err);
/* From the environment, the password file or the terminal (caller wipes and frees). */
char *tds_get_password(const struct tds_params *p, const char *who, char **err);

#endif
