/* aq.h - one asynchronous query at a time on a libpq connection, for a
 * poll loop that must never block on the database (the console).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_AQ_H
#define PANTRY_AQ_H

#include <libpq-fe.h>
#include <stdbool.h>

struct aq {
    PGconn *conn;
    bool busy;              /* a query is in flight */
    PGresult *result;       /* the last complete result (owned), or NULL */
    char *error;            /* the last error (owned), or NULL */
    int tag;                /* the caller's label for the query in flight */
};

void aq_init(struct aq *q, PGconn *conn);
void aq_clear(struct aq *q);

/* Sends a parameterised query; false (error set) when it cannot be sent,
 * e.g. because another is in flight. */
bool aq_send(struct aq *q, int tag, const char *sql, int nparams, const char *const *params);

/* The socket to poll for reading while busy (-1 when not connected). */
int aq_socket(const struct aq *q);

/* Call when the socket is readable (or on a timer): reads what arrived.
 * true when the query finished: then result or error is set. */
bool aq_poll(struct aq *q);

/* Asks the server to cancel the query in flight; the cancellation then
 * arrives through aq_poll as an error. */
bool aq_cancel(struct aq *q);

/* Takes the result (the caller frees it with PQclear). */
PGresult *aq_take(struct aq *q);

#endif
