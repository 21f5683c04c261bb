/* edit.c - changing CRM rows from the console. See edit.h for the model.
 *
 * Decisions the header leaves open:
 *   - Timestamps travel as text in the session's time zone, in the form
 *     to_char(... 'YYYY-MM-DD HH24:MI:SS[.US]') gives ("2026-11-24 10:30:00",
 *     a fraction only when there is one, without trailing zeros), which
 *     edit_validate accepts back unchanged: an untouched field never fails
 *     validation and never loses its microseconds.  Besides the forms in
 *     edit.h, a 'T' between date and time and a fraction of up to 6 digits
 *     are accepted for that reason.  Years outside DT_DEFAULT_MIN_YEAR ..
 *     DT_DEFAULT_MAX_YEAR are refused as typos, like the migration does.
 *   - "estimatedRevenue" is double precision: any decimals and an exponent
 *     ("1e+20", which is how PostgreSQL prints large values) are accepted;
 *     other EDIT_MONEY columns are numeric(14,2) and take at most 2 decimals.
 *   - A save replaces o->values by what the row holds afterwards (RETURNING
 *     the same list as a load), so the form shows the stored, normalised
 *     values without another round trip.
 *   - Logging an interaction bumps the organization's "updatedAt" when it
 *     moves "lastContactDate" forward: the row did change, so a form opened
 *     on it before gets EDIT_CONFLICT on save and must reload (correct: it
 *     would otherwise write back the old "lastContactDate").  An interaction
 *     older than the last contact leaves the organization untouched.
 *   - Writes refuse to run on a connection already inside a transaction:
 *     our COMMIT would otherwise commit someone else's work.
 *
 * The fields and what they accept (validation, normalisation) are in
 * edit_fields.c; this file is the SQL: loads, saves, deletes, logging.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "edit.h"
#include "guard.h"
#include "legacy.h"
#include "pg.h"
#include "transform.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How long a write waits for a row another session holds.  Short enough
 * that the console answers, long enough for an ordinary concurrent save. */
#define EDIT_LOCK_TIMEOUT "3s"

/* ------------------------------------------------------------------------
 * SQL helpers
 * ------------------------------------------------------------------------ */

/* The cast of a parameter for a field's column. */
static const char *param_cast(const struct edit_field *f, struct strbuf *tmp)
{
    sb_reset(tmp);
    switch (f->kind) {
    case EDIT_ENUM:
        sb_addf(tmp, "::\"%s\"", f->enum_type);
        return tmp->buf;
    case EDIT_INT:
        return "::integer";
    case EDIT_MONEY:
        return edit_money_is_float(f) ? "::double precision" : "::numeric(14,2)";
    case EDIT_TIMESTAMP:
        return "::timestamptz";
    case EDIT_TEXT:
    case EDIT_EMAIL:
    case EDIT_URL:
        break;
    }
    return "::text";
}

/* The columns as the form shows them (see the top of the file). */
static void add_fields_as_text(struct strbuf *sb, const struct edit_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_adds(sb, ", ");
        if (f[i].kind == EDIT_TIMESTAMP)
            sb_addf(sb, "to_char(\"%s\", 'YYYY-MM-DD HH24:MI:SS.US')", f[i].column);
        else
            sb_addf(sb, "\"%s\"::text", f[i].column);
    }
}

static bool uuid_shaped(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* A timestamp from to_char(... .US) without a zero fraction. */
static char *ts_from_db(const char *s)
{
    char *v = xstrdup(s);
    char *dot = strrchr(v, '.');
    if (dot && strlen(dot) == 7) {
        char *e = v + strlen(v);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    return v;
}

/* Fills o->values and o->updated_at from columns first.. of row 0. */
static void org_from_row(PGresult *r, int first, struct edit_org *o)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    o->values = xcalloc(n, sizeof *o->values);
    o->nvalues = n;
    for (size_t i = 0; i < n; i++) {
        int c = first + (int)i;
        if (PQgetisnull(r, 0, c))
            continue;
        const char *v = PQgetvalue(r, 0, c);
        o->values[i] = f[i].kind == EDIT_TIMESTAMP ? ts_from_db(v) : xstrdup(v);
    }
    o->updated_at = xstrdup(PQgetvalue(r, 0, first + (int)n));
}

void edit_org_free(struct edit_org *o)
{
    if (!o)
        return;
    free(o->id);
    for (size_t i = 0; o->values && i < o->nvalues; i++)
        free(o->values[i]);
    free(o->values);
    free(o->updated_at);
    memset(o, 0, sizeof *o);
}

/* A failed statement: what edit_result it means and its message. */
struct db_error {
    char sqlstate[6];
    char *message;
    char *constraint;
    char *column;
};

static void db_error_free(struct db_error *e)
{
    free(e->message);
    free(e->constraint);
    free(e->column);
    memset(e, 0, sizeof *e);
}

static PGresult *run(PGconn *conn, struct db_error *e, const char *sql, int nparams,
                     const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK))
        return res;
    db_error_free(e);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *con = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *col = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state ? state : "");
    e->message = str_rtrim(xstrdup(primary && *primary ? primary : PQerrorMessage(conn)));
    if (!*e->message) {
        free(e->message);
        e->message = xstrdup("the database did not answer");
    }
    e->constraint = con ? xstrdup(con) : NULL;
    e->column = col ? xstrdup(col) : NULL;
    PQclear(res);
    return NULL;
}

static const struct edit_field *field_of(const struct edit_field *f, size_t n, const char *col)
{
    for (size_t i = 0; col && i < n; i++)
        if (str_eq(f[i].column, col))
            return &f[i];
    return NULL;
}

/* The constraint "<Table>_<column>_<what>_check" names its column. */
static const struct edit_field *field_of_constraint(const struct edit_field *f, size_t n,
                                                    const char *con)
{
    for (size_t i = 0; con && i < n; i++) {
        char *needle = xasprintf("_%s_", f[i].column);
        bool hit = strstr(con, needle) != NULL;
        free(needle);
        if (hit)
            return &f[i];
    }
    return NULL;
}

/* Turns a PostgreSQL error into a result and a status-line message. */
static enum edit_result map_error(const struct db_error *e, const struct edit_field *f, size_t n,
                                  char **err)
{
    const char *s = e->sqlstate;
    if (str_eq(s, "23514")) {
        const struct edit_field *fld = field_of_constraint(f, n, e->constraint);
        if (fld && e->constraint && strstr(e->constraint, "not_blank"))
            *err = xasprintf("%s is required", fld->label);
        else if (fld && e->constraint && strstr(e->constraint, "nonnegative"))
            *err = xasprintf("%s must not be negative", fld->label);
        else if (fld)
            *err = xasprintf("%s: refused by the database (%s)", fld->label, e->message);
        else
            *err = xasprintf("Refused by the database: %s", e->message);
        return EDIT_INVALID;
    }
    if (str_eq(s, "23502")) {
        const struct edit_field *fld = field_of(f, n, e->column);
        *err = fld ? xasprintf("%s is required", fld->label)
                   : xasprintf("Refused by the database: %s", e->message);
        return EDIT_INVALID;
    }
    if (str_starts_with(s, "22")) {   /* data exception: a value PostgreSQL cannot take */
        *err = xasprintf("Invalid value: %s", e->message);
        return EDIT_INVALID;
    }
    if (str_eq(s, "55P03")) {
        *err = xstrdup("The row is being changed in another session (waited "
                       EDIT_LOCK_TIMEOUT "); try again");
        return EDIT_ERROR;
    }
    if (str_eq(s, "40001") || str_eq(s, "40P01")) {
        *err = xasprintf("%s; try again", e->message);
        return EDIT_ERROR;
    }
    *err = xstrdup(e->message);
    return EDIT_ERROR;
}

static void rollback(PGconn *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* BEGIN with the short lock wait. READ COMMITTED explicitly: under a
 * stricter default a concurrent change would be a serialization error
 * instead of the zero-row UPDATE that we turn into EDIT_CONFLICT. */
/* Every write of this module starts here: the read-only guard is asked
 * before the transaction exists. */
static bool begin(PGconn *conn, char **err)
{
    if (!guard_write("saving", err))
        return false;
    if (PQstatus(conn) != CONNECTION_OK) {
        *err = xstrdup("not connected to the database");
        return false;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        *err = xstrdup("the connection is busy or inside a transaction");
        return false;
    }
    struct db_error e = {0};
    PGresult *r = run(conn, &e, "BEGIN ISOLATION LEVEL READ COMMITTED", 0, NULL);
    if (r) {
        PQclear(r);
        r = run(conn, &e, "SET LOCAL lock_timeout = '" EDIT_LOCK_TIMEOUT "'", 0, NULL);
    }
    if (!r) {
        *err = xstrdup(e.message);
        db_error_free(&e);
        rollback(conn);
        return false;
    }
    PQclear(r);
    return true;
}

/* Ends a transaction with COMMIT; a failure is mapped like any error. */
static enum edit_result commit(PGconn *conn, const struct edit_field *f, size_t n, char **err)
{
    struct db_error e = {0};
    PGresult *r = run(conn, &e, "COMMIT", 0, NULL);
    if (r) {
        PQclear(r);
        return EDIT_OK;
    }
    enum edit_result res = map_error(&e, f, n, err);
    db_error_free(&e);
    rollback(conn);
    return res;
}

/* Validates values against fields; the normalised copies in *out. */
static enum edit_result validate_all(const struct edit_field *f, size_t n, char *const *values,
                                     char ***out, char **err)
{
    for (size_t i = 0; i < n; i++) {
        char *msg = edit_validate(&f[i], values[i]);
        if (msg) {
            *err = msg;
            return EDIT_INVALID;
        }
    }
    char **norm = xcalloc(n, sizeof *norm);
    for (size_t i = 0; i < n; i++)
        norm[i] = edit_normalise(&f[i], values[i]);
    *out = norm;
    return EDIT_OK;
}

static void free_values(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------------
 * Organizations
 * ------------------------------------------------------------------------ */

static const char *load_sql(struct strbuf *sb)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    sb_adds(sb, "SELECT ");
    add_fields_as_text(sb, f, n);
    sb_adds(sb, ", \"updatedAt\"::text FROM \"Organization\" WHERE id = $1::uuid");
    return sb->buf;
}

/* Loads with an open transaction or without; 0, 1 (no row), -1 (*e). */
static int load_row(PGconn *conn, const char *id, struct edit_org *out, struct db_error *e)
{
    memset(out, 0, sizeof *out);
    if (!uuid_shaped(id))
        return 1;
    struct strbuf sb;
    sb_init(&sb);
    const char *params[] = {id};
    PGresult *r = run(conn, e, load_sql(&sb), 1, params);
    sb_free(&sb);
    if (!r)
        return -1;
    int rc = 1;
    if (PQntuples(r) == 1) {
        out->id = xstrdup(id);
        org_from_row(r, 0, out);
        rc = 0;
    }
    PQclear(r);
    return rc;
}

static bool same_value(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

size_t edit_merge3(char *const *base, char *const *mine, char *const *theirs, size_t n,
                   char ***merged, bool *clash)
{
    char **out = xcalloc(n + 1, sizeof *out);
    size_t clashes = 0;
    for (size_t i = 0; i < n; i++) {
        bool mine_changed = !same_value(mine[i], base[i]);
        bool theirs_changed = !same_value(theirs[i], base[i]);
        const char *v = mine_changed ? mine[i] : theirs[i];
        clash[i] = mine_changed && theirs_changed && !same_value(mine[i], theirs[i]);
        clashes += clash[i];
        out[i] = v ? xstrdup(v) : NULL;
    }
    *merged = out;
    return clashes;
}

int edit_role_can_write(PGconn *conn, char **err)
{
    PGresult *res = pg_exec(conn, err,
        "SELECT to_regclass('public.\"Organization\"') IS NOT NULL AND"
        " has_table_privilege('public.\"Organization\"', 'INSERT, UPDATE, DELETE')", 0, NULL);
    if (!res)
        return -1;
    int can = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return can;
}

int edit_org_load(PGconn *conn, const char *id, struct edit_org *out, char **err)
{
    struct db_error e = {0};
    int rc = load_row(conn, id, out, &e);
    if (rc < 0)
        *err = xstrdup(e.message);
    db_error_free(&e);
    return rc;
}

enum edit_result edit_org_save(PGconn *conn, struct edit_org *o, struct edit_org *current,
                               char **err)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    if (current)
        memset(current, 0, sizeof *current);
    if (o->nvalues != n || !o->values) {
        *err = xasprintf("internal error: %zu values for %zu fields", o->nvalues, n);
        return EDIT_ERROR;
    }
    if (o->id && !o->updated_at) {
        *err = xstrdup("internal error: no updatedAt token to save against");
        return EDIT_ERROR;
    }
    char **norm = NULL;
    enum edit_result res = validate_all(f, n, o->values, &norm, err);
    if (res != EDIT_OK)
        return res;
    if (o->id && !uuid_shaped(o->id)) {
        free_values(norm, n);
        *err = xasprintf("Organization %s no longer exists", o->id);
        return EDIT_GONE;
    }

    /* Parameters: $1 id, $2 token for an UPDATE; then the values. */
    size_t off = o->id ? 2 : 0;
    const char **params = xcalloc(n + 2, sizeof *params);
    struct strbuf sql, tmp;
    sb_init(&sql);
    sb_init(&tmp);
    if (o->id) {
        params[0] = o->id;
        params[1] = o->updated_at;
        sb_adds(&sql, "UPDATE \"Organization\" SET ");
        for (size_t i = 0; i < n; i++)
            sb_addf(&sql, "\"%s\" = $%zu%s, ", f[i].column, off + i + 1, param_cast(&f[i], &tmp));
        /* The address saved is plausible or empty (validated above): a
         * flag that migrate raised on a malformed one it kept goes. */
        sb_adds(&sql, "metadata = CASE WHEN NOT coalesce(metadata -> 'flags' ? 'email', false) THEN metadata"
                      " WHEN (metadata -> 'flags') - 'email' = '{}'::jsonb THEN metadata - 'flags'"
                      " ELSE metadata #- '{flags,email}' END, ");
        sb_adds(&sql, "\"updatedAt\" = now() WHERE id = $1::uuid"
                      " AND \"updatedAt\" = $2::timestamptz RETURNING id::text, ");
    } else {
        sb_adds(&sql, "INSERT INTO \"Organization\" (");
        for (size_t i = 0; i < n; i++)
            sb_addf(&sql, "%s\"%s\"", i ? ", " : "", f[i].column);
        sb_adds(&sql, ") VALUES (");
        for (size_t i = 0; i < n; i++)
            sb_addf(&sql, "%s$%zu%s", i ? ", " : "", i + 1, param_cast(&f[i], &tmp));
        sb_adds(&sql, ") RETURNING id::text, ");
    }
    add_fields_as_text(&sql, f, n);
    sb_adds(&sql, ", \"updatedAt\"::text");
    for (size_t i = 0; i < n; i++)
        params[off + i] = norm[i];

    struct db_error e = {0};
    PGresult *r = NULL;
    if (!begin(conn, err)) {
        res = EDIT_ERROR;
        goto out;
    }
    r = run(conn, &e, sql.buf, (int)(off + n), params);
    if (!r) {
        res = map_error(&e, f, n, err);
        rollback(conn);
        goto out;
    }
    if (PQntuples(r) == 0) {
        /* Changed or deleted since it was read: say which, with the row as
         * it is now (read in this transaction, so after the UPDATE's view). */
        struct edit_org now;
        int rc = load_row(conn, o->id, &now, &e);
        rollback(conn);
        if (rc < 0) {
            res = map_error(&e, f, n, err);
        } else if (rc == 1) {
            res = EDIT_GONE;
            *err = xstrdup("This organization was deleted in another session");
        } else {
            res = EDIT_CONFLICT;
            *err = xstrdup("This organization was changed in another session");
            if (current)
                *current = now;
            else
                edit_org_free(&now);
        }
        goto out;
    }
    res = commit(conn, f, n, err);
    if (res == EDIT_OK) {
        free(o->id);
        o->id = xstrdup(PQgetvalue(r, 0, 0));
        free_values(o->values, o->nvalues);
        free(o->updated_at);
        org_from_row(r, 1, o);
    }
out:
    PQclear(r);
    db_error_free(&e);
    sb_free(&sql);
    sb_free(&tmp);
    free(params);
    free_values(norm, n);
    return res;
}

int edit_org_cascade(PGconn *conn, const char *id, struct edit_cascade *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!uuid_shaped(id))
        return 1;
    /* One statement, one snapshot: the numbers belong together. */
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM \"Organization\" WHERE id = $1::uuid),"
        " (SELECT count(*) FROM \"Contact\" WHERE \"organizationId\" = $1::uuid),"
        " (SELECT count(*) FROM \"Interaction\" WHERE \"organizationId\" = $1::uuid),"
        " (SELECT count(*) FROM \"Opportunity\" WHERE \"organizationId\" = $1::uuid),"
        " (SELECT count(*) FROM \"Contract\" WHERE \"organizationId\" = $1::uuid),"
        " (SELECT count(*) FROM \"Lead\" WHERE \"organizationId\" = $1::uuid)";
    const char *params[] = {id};
    struct db_error e = {0};
    PGresult *r = run(conn, &e, sql, 1, params);
    if (!r) {
        *err = xstrdup(e.message);
        db_error_free(&e);
        return -1;
    }
    int rc = 1;
    if (str_eq(PQgetvalue(r, 0, 0), "t")) {
        out->contacts = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        out->interactions = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        out->opportunities = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        out->contracts = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
        out->leads = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
        rc = 0;
    }
    PQclear(r);
    return rc;
}

enum edit_result edit_org_delete(PGconn *conn, const char *id, const char *updated_at, char **err)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    if (!uuid_shaped(id)) {
        *err = xstrdup("This organization no longer exists");
        return EDIT_GONE;
    }
    if (!updated_at) {
        *err = xstrdup("internal error: no updatedAt token to delete against");
        return EDIT_ERROR;
    }
    if (!begin(conn, err))
        return EDIT_ERROR;
    const char *params[] = {id, updated_at};
    struct db_error e = {0};
    enum edit_result res;
    PGresult *r = run(conn, &e,
                      "DELETE FROM \"Organization\" WHERE id = $1::uuid"
                      " AND \"updatedAt\" = $2::timestamptz",
                      2, params);
    if (!r) {
        res = map_error(&e, f, n, err);
        rollback(conn);
    } else if (str_eq(PQcmdTuples(r), "0")) {
        PQclear(r);
        r = run(conn, &e, "SELECT 1 FROM \"Organization\" WHERE id = $1::uuid", 1, params);
        if (!r) {
            res = map_error(&e, f, n, err);
        } else if (PQntuples(r) == 0) {
            res = EDIT_GONE;
            *err = xstrdup("This organization was already deleted");
        } else {
            res = EDIT_CONFLICT;
            *err = xstrdup("This organization was changed in another session; reload it first");
        }
        rollback(conn);
    } else {
        res = commit(conn, f, n, err);
    }
    PQclear(r);
    db_error_free(&e);
    return res;
}

/* ------------------------------------------------------------------------
 * Interactions
 * ------------------------------------------------------------------------ */

enum edit_result edit_log_interaction(PGconn *conn, const char *org_id, char *const *values,
                                      char **new_id, char **err)
{
    size_t n;
    const struct edit_field *f = edit_interaction_fields(&n);
    *new_id = NULL;
    char **norm = NULL;
    enum edit_result res = validate_all(f, n, values, &norm, err);
    if (res != EDIT_OK)
        return res;
    if (!uuid_shaped(org_id)) {
        free_values(norm, n);
        *err = xstrdup("This organization no longer exists");
        return EDIT_GONE;
    }
    size_t date_ix = 0;
    for (size_t i = 0; i < n; i++)
        if (str_eq(f[i].column, "date"))
            date_ix = i;

    struct strbuf sql, tmp;
    sb_init(&sql);
    sb_init(&tmp);
    sb_adds(&sql, "INSERT INTO \"Interaction\" (");
    for (size_t i = 0; i < n; i++)
        sb_addf(&sql, "\"%s\", ", f[i].column);
    sb_adds(&sql, "\"organizationId\") VALUES (");
    for (size_t i = 0; i < n; i++)
        sb_addf(&sql, "$%zu%s, ", i + 1, param_cast(&f[i], &tmp));
    sb_addf(&sql, "$%zu::uuid) RETURNING id::text", n + 1);
    const char **params = xcalloc(n + 1, sizeof *params);
    for (size_t i = 0; i < n; i++)
        params[i] = norm[i];
    params[n] = org_id;

    struct db_error e = {0};
    PGresult *r = NULL;
    if (!begin(conn, err)) {
        res = EDIT_ERROR;
        goto out;
    }
    /* The organization first: it must exist, and its row lock orders us
     * with a concurrent save of the same organization. Its "updatedAt"
     * moves only when "lastContactDate" does (see the top of the file). */
    const char *up[] = {org_id, norm[date_ix]};
    r = run(conn, &e,
            "UPDATE \"Organization\" SET"
            " \"lastContactDate\" = greatest(coalesce(\"lastContactDate\", $2::timestamptz),"
            " $2::timestamptz),"
            " \"updatedAt\" = CASE WHEN \"lastContactDate\" IS NULL"
            " OR \"lastContactDate\" < $2::timestamptz THEN now() ELSE \"updatedAt\" END"
            " WHERE id = $1::uuid",
            2, up);
    if (!r) {
        res = map_error(&e, f, n, err);
        rollback(conn);
        goto out;
    }
    if (str_eq(PQcmdTuples(r), "0")) {
        rollback(conn);
        res = EDIT_GONE;
        *err = xstrdup("This organization was deleted in another session");
        goto out;
    }
    PQclear(r);
    r = run(conn, &e, sql.buf, (int)n + 1, params);
    if (!r) {
        res = map_error(&e, f, n, err);
        rollback(conn);
        goto out;
    }
    res = commit(conn, f, n, err);
    if (res == EDIT_OK)
        *new_id = xstrdup(PQgetvalue(r, 0, 0));
out:
    PQclear(r);
    db_error_free(&e);
    sb_free(&sql);
    sb_free(&tmp);
    free(params);
    free_values(norm, n);
    return res;
}
