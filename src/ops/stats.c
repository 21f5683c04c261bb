/* stats.c - the dashboard's numbers (see stats.h and 0007_dashboard.sql).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "stats.h"
#include "pg.h"
#include "util.h"
#include "clock.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *stats_sql(void)
{
    return "SELECT kind, ord, label, n, amount::text, NULL::text, NULL::text, NULL::text "
           "FROM dashboard.metric "
           "UNION ALL "
           "SELECT 'meta', 0, '', 0::bigint, took_ms::text, "
           "to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
           "to_char(refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
           "extract(epoch FROM clock_timestamp() - refreshed_at)::text "
           "FROM dashboard.refresh "
           "ORDER BY 1, 2";
}

const char *stats_refresh_sql(void)
{
    return "SELECT dashboard.refresh(coalesce($1::timestamptz, now()))";
}

const char *stats_refresh_now_sql(void)
{
    return "SELECT dashboard.refresh()";
}

char *stats_explain_error(const char *pg_error)
{
    if (pg_error && strstr(pg_error, "dashboard") &&
        (strstr(pg_error, "does not exist") || strstr(pg_error, "schema")))
        return xasprintf("%s (the dashboard summary is missing: run 'pantrycrm db migrate')",
                         pg_error);
    return xstrdup(pg_error ? pg_error : "the query failed");
}

static void put_bucket(struct stats_bucket *b, size_t cap, size_t *n, int ord, const char *label,
                       int64_t v, const char *amount)
{
    if (ord < 0 || (size_t)ord >= cap)
        return;
    struct stats_bucket *x = &b[ord];
    snprintf(x->label, sizeof x->label, "%s", label);
    x->n = v;
    snprintf(x->amount, sizeof x->amount, "%s", amount ? amount : "");
    if ((size_t)ord + 1 > *n)
        *n = (size_t)ord + 1;
}

bool stats_parse(PGresult *res, struct stats *s, char **err)
{
    double read_ms = s->read_ms;
    memset(s, 0, sizeof *s);
    s->read_ms = read_ms;
    if (PQnfields(res) != 8) {
        *err = xstrdup("the dashboard summary has an unexpected shape");
        return false;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        const char *kind = PQgetvalue(res, r, 0);
        int ord = atoi(PQgetvalue(res, r, 1));
        const char *label = PQgetvalue(res, r, 2);
        int64_t n = strtoll(PQgetvalue(res, r, 3), NULL, 10);
        const char *amount = PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4);
        if (strcmp(kind, "meta") == 0) {
            s->refreshed = true;
            s->refresh_ms = amount ? strtod(amount, NULL) : 0;
            snprintf(s->as_of, sizeof s->as_of, "%s", PQgetvalue(res, r, 5));
            snprintf(s->refreshed_at, sizeof s->refreshed_at, "%s", PQgetvalue(res, r, 6));
            s->age_s = strtod(PQgetvalue(res, r, 7), NULL);
        } else if (strcmp(kind, "total") == 0) {
            switch (ord) {
            case 0: s->orgs = n; break;
            case 1: s->orgs_active = n; break;
            case 2: s->contacts = n; break;
            case 3: s->interactions = n; break;
            case 4: s->priority_a = n; break;
            case 5:
                s->revenue_n = n;
                snprintf(s->avg_revenue, sizeof s->avg_revenue, "%s", amount ? amount : "");
                break;
            case 6: s->due_today = n; break;
            case 7: s->overdue = n; break;
            default: break;
            }
        } else if (strcmp(kind, "stage") == 0) {
            put_bucket(s->stage, STATS_STAGES, &s->nstage, ord, label, n, amount);
        } else if (strcmp(kind, "segment") == 0) {
            put_bucket(s->segment, STATS_SEGMENTS, &s->nsegment, ord, label, n, amount);
        } else if (strcmp(kind, "priority") == 0) {
            put_bucket(s->priority, STATS_PRIORITIES, &s->npriority, ord, label, n, amount);
        } else if (strcmp(kind, "week") == 0) {
            put_bucket(s->week, STATS_WEEKS, &s->nweek, ord, label, n, amount);
        } else if (strcmp(kind, "expiring") == 0) {
            put_bucket(s->expiring, STATS_EXPIRING, &s->nexpiring, ord, label, n, amount);
        }
    }
    return true;
}


int stats_load(PGconn *conn, struct stats *out, char **err)
{
    double t0 = clock_mono_ms();
    char *e = NULL;
    PGresult *res = pg_exec(conn, &e, stats_sql(), 0, NULL);
    if (!res) {
        *err = stats_explain_error(e);
        free(e);
        return -1;
    }
    out->read_ms = clock_mono_ms() - t0;
    bool ok = stats_parse(res, out, err);
    PQclear(res);
    return ok ? 0 : -1;
}

int stats_refresh(PGconn *conn, const char *as_of, double *took_ms, char **err)
{
    const char *params[1] = {as_of};
    char *e = NULL;
    PGresult *res = pg_exec(conn, &e, stats_refresh_sql(), 1, params);
    if (!res) {
        *err = stats_explain_error(e);
        free(e);
        return -1;
    }
    if (took_ms)
        *took_ms = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    return 0;
}

double stats_amount(const char *amount)
{
    return amount && *amount ? strtod(amount, NULL) : 0.0;
}

/* A number for JSON: numeric text becomes a JSON real (integral amounts
 * keep their cents as .0 so consumers see one type). */
static json_t *amount_json(const char *a)
{
    if (!a || !*a)
        return json_null();
    return json_real(strtod(a, NULL));
}

static json_t *buckets_json(const struct stats_bucket *b, size_t n, const char *key,
                            const char *count_key, const char *amount_key)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        if (strcmp(key, "days") == 0)
            json_object_set_new(o, key, json_integer(strtoll(b[i].label, NULL, 10)));
        else
            json_object_set_new(o, key, json_string(b[i].label));
        json_object_set_new(o, count_key, json_integer(b[i].n));
        if (amount_key)
            json_object_set_new(o, amount_key, amount_json(b[i].amount));
        json_array_append_new(arr, o);
    }
    return arr;
}

char *stats_to_json(const struct stats *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "refreshed", json_boolean(s->refreshed));
    json_object_set_new(o, "as_of", s->refreshed ? json_string(s->as_of) : json_null());
    json_object_set_new(o, "refreshed_at", s->refreshed ? json_string(s->refreshed_at) : json_null());
    json_object_set_new(o, "age_seconds", json_real(s->age_s));
    json_object_set_new(o, "refresh_ms", json_real(s->refresh_ms));
    json_object_set_new(o, "read_ms", json_real(s->read_ms));
    json_t *orgs = json_object();
    json_object_set_new(orgs, "total", json_integer(s->orgs));
    json_object_set_new(orgs, "active", json_integer(s->orgs_active));
    json_object_set_new(orgs, "priority_a", json_integer(s->priority_a));
    json_object_set_new(orgs, "with_estimated_revenue", json_integer(s->revenue_n));
    json_object_set_new(orgs, "average_estimated_revenue", amount_json(s->avg_revenue));
    json_object_set_new(o, "organizations", orgs);
    json_object_set_new(o, "contacts", json_integer(s->contacts));
    json_object_set_new(o, "interactions", json_integer(s->interactions));
    json_t *fu = json_object();
    json_object_set_new(fu, "due_today", json_integer(s->due_today));
    json_object_set_new(fu, "overdue", json_integer(s->overdue));
    json_object_set_new(o, "follow_ups", fu);
    json_object_set_new(o, "pipeline", buckets_json(s->stage, s->nstage, "stage", "count", "value"));
    json_object_set_new(o, "segments", buckets_json(s->segment, s->nsegment, "segment", "count", NULL));
    json_object_set_new(o, "priorities",
                        buckets_json(s->priority, s->npriority, "priority", "count", NULL));
    json_object_set_new(o, "interactions_per_week",
                        buckets_json(s->week, s->nweek, "week", "count", NULL));
    json_object_set_new(o, "contracts_expiring",
                        buckets_json(s->expiring, s->nexpiring, "days", "count", "value"));
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    char *out = xasprintf("%s\n", text);
    free(text);
    return out;
}
