/* quarantine.h - migration.quarantine: the rows the transform or the
 * target refused, kept with their original values until they are fixed
 * and replayed, or accepted by the operator. Every statement on that table
 * is here; the load, replay, sync, verify, the cutover gate and the
 * `quarantine` commands call these.
 *
 * A row is open until it is resolved (it reached the target, or the source
 * no longer has it); an open row may be accepted (left behind on purpose),
 * which settles it for the cutover gate.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_QUARANTINE_H
#define PANTRY_QUARANTINE_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "util.h"

/* ---- for the engine ------------------------------------------------------ */

struct quarantine_entry {
    int64_t run_id;
    const char *table, *source_key;
    const char *column;             /* NULL: the row as a whole */
    const char *reason, *detail;
    const char *original_json;      /* the source row, convert_original_json */
    const char *target_key;         /* NULL: none derived */
};

/* Stores (or refreshes, reopening it) the entry of (table, source_key). */
int quarantine_store(PGconn *conn, const struct quarantine_entry *q, char **err);

/* Entries of table whose target key is among keys (a text[] literal), as
 * rows (target_key, source_key): which missing parents are quarantined. */
PGresult *quarantine_by_target_keys(PGconn *conn, const char *table, const char *keys, char **err);

/* The open entries of table (of reason when not NULL) as rows
 * (id, original::text), oldest first: what a replay transforms again. */
PGresult *quarantine_open_rows(PGconn *conn, const char *table, const char *reason, char **err);

/* Resolves the entry of (table, source_key), open or not. */
int quarantine_resolve(PGconn *conn, const char *table, const char *source_key, char **err);

/* Resolves the open entries of table whose source key is among keys (a
 * text[] literal); returns their source keys as rows (source_key). */
PGresult *quarantine_resolve_keys(PGconn *conn, const char *table, const char *keys, char **err);


/* The open entries of table among the source keys in keys (a text[]
 * literal), as rows (source_key) in source key order. */
PGresult *quarantine_open_among(PGconn *conn, const char *table, const char *keys, char **err);

/* The number of open entries of table, or -1. */
int64_t quarantine_open_count(PGconn *conn, const char *table, char **err);

/* Open entries the operator has not accepted (what holds the cutover):
 * returns their number, or -1; by_table gets "Table n, Table n". */
long quarantine_unsettled(PGconn *conn, struct strbuf *by_table, char **err);

/* ---- for the quarantine commands ----------------------------------------- */

struct quarantine_filter {
    const char *table, *reason;     /* NULL: any */
    bool all;                       /* resolved entries too */
    const char *limit;              /* rows listed, a decimal number */
};

/* Counts by table and reason. The strings live in the list. */
struct quarantine_group {
    const char *table, *reason;
    long rows, accepted;
};
struct quarantine_summary {
    struct quarantine_group *groups;
    size_t n;
    PGresult *res_;
};
int quarantine_summarise(PGconn *conn, const struct quarantine_filter *f,
                         struct quarantine_summary *out, char **err);
void quarantine_summary_free(struct quarantine_summary *s);

/* One entry; the strings live in the list that holds it. Times are UTC
 * "YYYY-MM-DD HH:MM:SS" text, "" when not set. */
struct quarantine_row {
    const char *id, *table, *source_key, *target_key, *column, *reason, *detail;
    const char *quarantined_at, *resolved_at, *accepted_at;
    const char *original;           /* JSON text (pretty for quarantine_find) */
    const char *run_id;
    bool resolved, accepted;
};
struct quarantine_list {
    struct quarantine_row *rows;
    size_t n;
    PGresult *res_;
};
/* The entries the filter selects, by id, at most f->limit. */
int quarantine_list(PGconn *conn, const struct quarantine_filter *f, struct quarantine_list *out,
                    char **err);
/* The entry with id (a decimal number), or else the one of (table,
 * source_key); out->n is 0 when there is none. */
int quarantine_find(PGconn *conn, const char *id, const char *table, const char *source_key,
                    struct quarantine_list *out, char **err);
void quarantine_list_free(struct quarantine_list *l);

/* Accepts the open entries of table (of reason when not NULL): their
 * number, or -1. */
long quarantine_accept_matching(PGconn *conn, const char *table, const char *reason, char **err);
/* Accepts the open entry id (a decimal number; accepting twice keeps the
 * first time): 1, 0 when there is no open entry id, or -1. */
int quarantine_accept_id(PGconn *conn, const char *id, char **err);

#endif
