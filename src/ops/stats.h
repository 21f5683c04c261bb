/* stats.h - the dashboard's numbers, read from the summary that
 * data/sql/0007_dashboard.sql keeps (dashboard.metric, dashboard.refresh).
 * Reading is one small query (a few dozen rows), fast at any scale;
 * recomputing (stats_refresh) scans the CRM tables and is run on a
 * schedule, so every reader also learns how fresh the numbers are.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_STATS_H
#define PANTRY_STATS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct stats_bucket {
    char label[48];
    int64_t n;
    char amount[48];       /* numeric as PostgreSQL printed it, "" for none */
};

enum { STATS_WEEKS = 26, STATS_STAGES = 6, STATS_SEGMENTS = 8, STATS_PRIORITIES = 4,
       STATS_EXPIRING = 3 };

struct stats {
    bool refreshed;          /* false: the summary was never computed */
    char as_of[32];          /* ISO 8601 UTC: the reference time of the numbers */
    char refreshed_at[32];   /* ISO 8601 UTC: when they were computed */
    double age_s;            /* seconds since refreshed_at, by the server's clock */
    double refresh_ms;       /* how long the last refresh took */
    double read_ms;          /* how long reading the summary took (stats_load) */
    int64_t orgs, orgs_active, contacts, interactions, priority_a;
    int64_t revenue_n;       /* organizations with an estimated revenue */
    char avg_revenue[48];    /* their average, "" when none */
    int64_t due_today, overdue;
    struct stats_bucket stage[STATS_STAGES], segment[STATS_SEGMENTS],
        priority[STATS_PRIORITIES], week[STATS_WEEKS], expiring[STATS_EXPIRING];
    size_t nstage, nsegment, npriority, nweek, nexpiring;
};

/* The query that reads the summary (no parameters), for a caller that
 * sends it itself (the console, asynchronously). */
const char *stats_sql(void);

/* Reads the answer of stats_sql; false with *err (caller frees). */
bool stats_parse(PGresult *res, struct stats *out, char **err);

/* Sends stats_sql and parses it, timing it into out->read_ms. */
int stats_load(PGconn *conn, struct stats *out, char **err);

/* The statement that recomputes the summary: parameter $1 is the reference
 * time (NULL = now()). Returns one value: the milliseconds it took. */
const char *stats_refresh_sql(void);

/* The same for now, without parameters (the console sends it itself). */
const char *stats_refresh_now_sql(void);

/* Recomputes the summary; as_of NULL means now. */
int stats_refresh(PGconn *conn, const char *as_of, double *took_ms, char **err);

/* Turns a failed query's message into advice when the summary is missing. */
char *stats_explain_error(const char *pg_error);

/* Output for `pantrycrm stats`. */
char *stats_to_json(const struct stats *s);

/* Helpers for the dashboard pane: a numeric text as a double (0 for ""). */
double stats_amount(const char *amount);

#endif
