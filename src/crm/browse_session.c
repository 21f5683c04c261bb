/* browse_session.c - a browse session: prepared statements, sending and
 * receiving without blocking (see browse.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "browse.h"
#include "browse_int.h"
#include "keyset.h"
#include "legacy.h"
#include "pg.h"
#include "sqltext.h"
#include "transform.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * Sessions: prepared statements, sending and receiving
 * ------------------------------------------------------------------------ */

/* Past this many shapes a query is sent unprepared: each prepared
 * statement holds a plan in the server backend. The shapes are few (sort x
 * direction x move x NULL pattern of the key x filter fields in use), so a
 * session of ordinary use stays far below. */
#define MAX_STMTS 256

struct stmt {
    char *sql;
    bool ready;                 /* prepared on the server */
    bool broken;                /* preparing failed: always send unprepared */
};

enum flight { FLIGHT_IDLE, FLIGHT_PREPARE, FLIGHT_QUERY };

struct browse_session {
    PGconn *conn;
    bool prepare;
    struct stmt *stmts;
    size_t nstmts;
    /* the exchange in flight (browse_send / browse_poll) */
    enum flight flight;
    size_t cur;
    const struct browse_query *q;
    PGresult *res;
};

const char *browse_session_sql(void)
{
    /* One statement: pg_command uses the extended protocol, which takes
     * one statement per call.
     * No Memoize: a page of contacts joins each row's organization, and
     * the planner put a Memoize node under that join, sized for the whole
     * table rather than the page. Building its hash table cost about a
     * millisecond whenever the backend's memory had just been returned
     * (after any aggregate, such as the search's), so the page around a
     * search's first hit took 1.0 ms instead of 0.13 ms at S=100,000. The
     * console's statements read a page at a time, which Memoize cannot
     * speed up. */
    return "SELECT set_config('datestyle', 'ISO, YMD', false), "
           "set_config('extra_float_digits', '1', false), "
           "set_config('enable_memoize', 'off', false)";
}

/* Behind a transaction pooler the next statement may run on another
 * server connection: a named statement may be missing there, or be
 * another client's of the same name, and a session setting stays behind
 * for the pool's next client. So: unnamed statements only, and only the
 * settings the pooler itself carries from server to server for each
 * client (PgBouncer tracks DateStyle, TimeZone, client_encoding). The
 * server's extra_float_digits default (1 since PostgreSQL 12) is left, and
 * so is enable_memoize (browse_session_sql says why the console turns it
 * off where it can). */
static bool pooled_session_setup(PGconn *conn, char **err)
{
    PGresult *res = pg_exec(conn, err,
        "SELECT current_setting('datestyle') LIKE 'ISO,%',"
        " current_setting('extra_float_digits')::int >= 1", 0, NULL);
    if (!res)
        return false;
    bool iso = PQgetvalue(res, 0, 0)[0] == 't', exact = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    /* A server configured for rounded floats would make revenue keysets
     * skip rows: correctness first (documented: set it for the role). */
    if (!exact && !pg_command(conn, err, "SELECT set_config('extra_float_digits', '1', false)"))
        return false;
    return iso || pg_command(conn, err, "SELECT set_config('datestyle', 'ISO, YMD', false)");
}

struct browse_session *browse_session_new(PGconn *conn, bool prepare, char **err)
{
    bool pooled = pg_pooled(conn);
    if (!(pooled ? pooled_session_setup(conn, err) : pg_command(conn, err, browse_session_sql())))
        return NULL;
    struct browse_session *s = xcalloc(1, sizeof *s);
    s->conn = conn;
    s->prepare = prepare && !pooled;
    s->stmts = xcalloc(MAX_STMTS, sizeof *s->stmts);
    return s;
}

void browse_session_reset(struct browse_session *s)
{
    for (size_t i = 0; i < s->nstmts; i++)
        s->stmts[i].ready = false;
    PQclear(s->res);
    s->res = NULL;
    s->flight = FLIGHT_IDLE;
}

void browse_session_free(struct browse_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nstmts; i++)
        free(s->stmts[i].sql);
    free(s->stmts);
    PQclear(s->res);
    free(s);
}

PGconn *browse_session_conn(const struct browse_session *s)
{
    return s->conn;
}

/* The statement slot of q's SQL, created on first sight; SIZE_MAX when
 * q goes unprepared. Statement i is named "pantrycrm_browse_<i>". A linear
 * search: a few hundred string compares cost less than one round trip. */
static size_t stmt_slot(struct browse_session *s, const struct browse_query *q)
{
    if (!s->prepare || q->unprepared)
        return SIZE_MAX;
    for (size_t i = 0; i < s->nstmts; i++)
        if (strcmp(s->stmts[i].sql, q->sql) == 0)
            return s->stmts[i].broken ? SIZE_MAX : i;
    if (s->nstmts == MAX_STMTS)
        return SIZE_MAX;
    s->stmts[s->nstmts].sql = xstrdup(q->sql);
    return s->nstmts++;
}

static void stmt_name(char *buf, size_t size, size_t i)
{
    snprintf(buf, size, "pantrycrm_browse_%zu", i);
}

static bool send_query(struct browse_session *s, const struct browse_query *q, size_t slot,
                       char **err)
{
    char name[40];
    int ok;
    if (slot != SIZE_MAX && s->stmts[slot].ready) {
        stmt_name(name, sizeof name, slot);
        ok = PQsendQueryPrepared(s->conn, name, q->nparams, browse_query_params(q), NULL, NULL, 0);
    } else {
        ok = PQsendQueryParams(s->conn, q->sql, q->nparams, NULL, browse_query_params(q), NULL,
                               NULL, 0);
    }
    if (!ok) {
        *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
        s->flight = FLIGHT_IDLE;
        return false;
    }
    s->flight = FLIGHT_QUERY;
    return true;
}

bool browse_send(struct browse_session *s, const struct browse_query *q, char **err)
{
    if (s->flight != FLIGHT_IDLE) {
        *err = xstrdup("a browse query is already running on this connection");
        return false;
    }
    s->q = q;
    s->cur = stmt_slot(s, q);
    PQclear(s->res);
    s->res = NULL;
    if (s->cur != SIZE_MAX && !s->stmts[s->cur].ready) {
        char name[40];
        stmt_name(name, sizeof name, s->cur);
        if (!PQsendPrepare(s->conn, name, q->sql, q->nparams, NULL)) {
            *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
            return false;
        }
        s->flight = FLIGHT_PREPARE;
        return true;
    }
    return send_query(s, q, s->cur, err);
}

enum browse_poll browse_poll(struct browse_session *s, PGresult **res, char **err)
{
    *res = NULL;
    if (s->flight == FLIGHT_IDLE) {
        *err = xstrdup("no browse query is running");
        return BROWSE_POLL_ERROR;
    }
    if (!PQconsumeInput(s->conn)) {
        *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
        browse_session_reset(s);
        return BROWSE_POLL_ERROR;
    }
    while (!PQisBusy(s->conn)) {
        PGresult *r = PQgetResult(s->conn);
        if (r) {
            /* keep the first result of the command; a well-formed
             * exchange has no other, but drain whatever comes */
            if (!s->res)
                s->res = r;
            else
                PQclear(r);
            continue;
        }
        /* the command is complete */
        if (s->flight == FLIGHT_PREPARE) {
            bool ok = s->res && PQresultStatus(s->res) == PGRES_COMMAND_OK;
            const char *state = s->res ? PQresultErrorField(s->res, PG_DIAG_SQLSTATE) : NULL;
            if (state && strcmp(state, "57014") == 0) {
                /* cancelled (Esc, or the console dropping a background
                 * fill): the query is not wanted, it is not run
                 * unprepared; the shape is prepared again next time */
                s->flight = FLIGHT_IDLE;
                *res = s->res;
                s->res = NULL;
                return BROWSE_POLL_DONE;
            }
            PQclear(s->res);
            s->res = NULL;
            if (ok)
                s->stmts[s->cur].ready = true;
            else
                s->stmts[s->cur].broken = true; /* the query itself will report why */
            if (!send_query(s, s->q, s->cur, err)) {
                browse_session_reset(s);
                return BROWSE_POLL_ERROR;
            }
            continue;
        }
        s->flight = FLIGHT_IDLE;
        *res = s->res;
        s->res = NULL;
        return BROWSE_POLL_DONE;
    }
    return BROWSE_POLL_BUSY;
}

PGresult *browse_exec(struct browse_session *s, const struct browse_query *q, char **err)
{
    size_t slot = stmt_slot(s, q);
    if (slot == SIZE_MAX)
        return pg_exec(s->conn, err, q->sql, q->nparams, browse_query_params(q));
    char name[40];
    stmt_name(name, sizeof name, slot);
    if (!s->stmts[slot].ready) {
        PGresult *p = PQprepare(s->conn, name, q->sql, q->nparams, NULL);
        if (PQresultStatus(p) == PGRES_COMMAND_OK)
            s->stmts[slot].ready = true;
        else
            s->stmts[slot].broken = true;
        PQclear(p);
        if (!s->stmts[slot].ready)
            return pg_exec(s->conn, err, q->sql, q->nparams, browse_query_params(q));
    }
    PGresult *res = PQexecPrepared(s->conn, name, q->nparams, browse_query_params(q), NULL,
                                   NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    *err = str_rtrim(xstrdup(msg && *msg ? msg : PQerrorMessage(s->conn)));
    PQclear(res);
    return NULL;
}

bool browse_fetch_page(struct browse_session *s, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       struct browse_page *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_page(&q, spec, move, key, limit, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_page(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_goto(struct browse_session *s, const struct browse_spec *spec,
                       const char *text, size_t limit, struct browse_page *out, bool *found,
                       char **err)
{
    struct browse_query q;
    struct browse_page row;
    memset(out, 0, sizeof *out);
    out->focus = -1;
    *found = false;
    if (!browse_build_lookup(&q, spec->entity, text, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_page(&q, res, &row, err);
    PQclear(res);
    browse_query_free(&q);
    if (!ok)
        return false;
    if (row.nrows == 0) {
        browse_page_free(&row);
        return true;
    }
    *found = true;
    struct browse_key key;
    browse_key_from_row(spec->sort, row.rows[0], &key);
    browse_page_free(&row);
    ok = browse_fetch_page(s, spec, BROWSE_AROUND, &key, limit, out, err);
    browse_key_free(&key);
    return ok;
}

bool browse_fetch_search(struct browse_session *s, const struct browse_spec *spec,
                         const char *term, size_t max_hits, struct browse_hits *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_search(&q, spec, term, max_hits, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_hits(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_count(struct browse_session *s, const struct browse_spec *spec, bool exact,
                        int64_t *out, char **err)
{
    struct browse_query q;
    *out = 0;
    if (!browse_build_count(&q, spec, exact, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_count(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_org_detail(struct browse_session *s, const char *id, size_t max_rows,
                             struct browse_org_detail *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_org_detail(&q, id, max_rows, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_org_detail(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}
