/* aq.c - one asynchronous query at a time.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "aq.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void aq_init(struct aq *q, PGconn *conn)
{
    memset(q, 0, sizeof *q);
    q->conn = conn;
}

void aq_clear(struct aq *q)
{
    PQclear(q->result);
    q->result = NULL;
    free(q->error);
    q->error = NULL;
}

static void set_error(struct aq *q, const char *msg)
{
    free(q->error);
    q->error = str_rtrim(xstrdup(msg && *msg ? msg : "the database connection failed"));
}

bool aq_send(struct aq *q, int tag, const char *sql, int nparams, const char *const *params)
{
    aq_clear(q);
    if (q->busy) {
        set_error(q, "another query is still running");
        return false;
    }
    if (!PQsendQueryParams(q->conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
        set_error(q, PQerrorMessage(q->conn));
        return false;
    }
    q->busy = true;
    q->tag = tag;
    return true;
}

int aq_socket(const struct aq *q)
{
    return q->conn ? PQsocket(q->conn) : -1;
}

bool aq_poll(struct aq *q)
{
    if (!q->busy)
        return false;
    if (!PQconsumeInput(q->conn)) {
        q->busy = false;
        set_error(q, PQerrorMessage(q->conn));
        return true;
    }
    while (!PQisBusy(q->conn)) {
        PGresult *res = PQgetResult(q->conn);
        if (!res) {
            q->busy = false;
            if (!q->result && !q->error)
                set_error(q, "the query returned nothing");
            return true;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            PQclear(q->result);
            q->result = res;
        } else {
            set_error(q, PQresultErrorMessage(res));
            PQclear(res);
        }
    }
    return false;
}

bool aq_cancel(struct aq *q)
{
    if (!q->busy)
        return false;
    PGcancel *c = PQgetCancel(q->conn);
    if (!c)
        return false;
    char buf[256];
    bool ok = PQcancel(c, buf, sizeof buf) == 1;
    PQfreeCancel(c);
    return ok;
}

PGresult *aq_take(struct aq *q)
{
    PGresult *r = q->result;
    q->result = NULL;
    return r;
}
