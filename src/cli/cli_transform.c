/* cli_transform.c - the transform options shared by migrate, verify, sync,
 * cutover, fallback, assess and quarantine replay (cli_transform.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli_transform.h"
#include "cli.h"
#include "pg.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int transform_args_opt(struct transform_args *x, int c, const char *arg, const char *prefix)
{
    struct transform_settings *ts = &x->settings;
    switch (c) {
    case 's': x->source = arg; return 1;
    case 'S': ts->synonyms_path = arg; return 1;
    case 'z': ts->source_tz = arg; return 1;
    case 'P': {
        char *err = NULL;
        if (ts->nrules == TRANSFORM_MAX_POLICIES) {
            cli_usage_error(prefix, "too many --policy options");
            return -1;
        }
        if (policy_parse(arg, &x->rules[ts->nrules], &err) != 0) {
            cli_usage_error(prefix, "%s", err);
            free(err);
            return -1;
        }
        x->specs[ts->nrules++] = arg;
        ts->rules = x->rules;
        return 1;
    }
    case 'Y': {
        int lo, hi;
        char extra;
        if (sscanf(arg, "%d:%d%c", &lo, &hi, &extra) != 2 || lo < 1 || hi > 9999 || lo > hi) {
            cli_usage_error(prefix, "--years takes MIN:MAX, e.g. 1900:2099, not '%s'", arg);
            return -1;
        }
        ts->min_year = lo;
        ts->max_year = hi;
        return 1;
    }
    case 'E':
        if (strcmp(arg, "keep") == 0) {
            ts->bad_email = BAD_EMAIL_KEEP;
        } else if (strcmp(arg, "null") == 0) {
            ts->bad_email = BAD_EMAIL_NULL;
        } else {
            cli_usage_error(prefix, "--bad-email takes keep or null, not '%s'", arg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

void transform_args_free(struct transform_args *x)
{
    for (size_t i = 0; i < x->settings.nrules; i++)
        policy_free(&x->rules[i]);
    x->settings.nrules = 0;
    for (size_t i = 0; i < sizeof x->owned / sizeof x->owned[0]; i++) {
        free(x->owned[i]);
        x->owned[i] = NULL;
    }
}

/* The last run's columns (one row, or none when no run is recorded);
 * NULL after a warning naming what when the target cannot be read. */
static PGresult *last_run(const char *conninfo, const char *columns, const char *what)
{
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "read the last migration run", &err);
    if (!conn) {
        warnx_("%s: %s", what, err);
        free(err);
        return NULL;
    }
    char *sql = xasprintf("SELECT %s FROM migration.run ORDER BY id DESC LIMIT 1", columns);
    PGresult *res = pg_exec(conn, &err, sql, 0, NULL);
    free(sql);
    if (!res) {
        warnx_("%s: %s", what, err);
        free(err);
    }
    PQfinish(conn);
    return res;
}

int transform_args_bad_email_from_last_run(const char *conninfo, struct transform_args *x,
                                           const char *what)
{
    if (x->settings.bad_email != BAD_EMAIL_UNSET)
        return 0;
    PGresult *res = last_run(conninfo, "options->>'bad_email'", what);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        /* A run recorded before --bad-email existed nulled them. */
        x->settings.bad_email = !PQgetisnull(res, 0, 0) && strcmp(PQgetvalue(res, 0, 0), "keep") == 0
                                    ? BAD_EMAIL_KEEP : BAD_EMAIL_NULL;
    }
    PQclear(res);
    return 0;
}

char *transform_args_json(const struct transform_args *x, int jobs, size_t batch_rows)
{
    const struct transform_settings *ts = &x->settings;
    json_t *pol = json_array();
    for (size_t i = 0; i < ts->nrules; i++)
        json_array_append_new(pol, json_string(x->specs[i]));
    json_t *o = json_pack("{s:i,s:I,s:s,s:s?,s:o,s:i,s:i,s:s}", "jobs", jobs, "batch_rows",
                          (json_int_t)batch_rows, "source_timezone",
                          ts->source_tz ? ts->source_tz : "UTC", "synonyms", ts->synonyms_path,
                          "policies", pol, "min_year", ts->min_year ? ts->min_year : 1900,
                          "max_year", ts->max_year ? ts->max_year : 2099, "bad_email",
                          ts->bad_email == BAD_EMAIL_NULL ? "null" : "keep");
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Keeps a copy of s that lives as long as x. */
static const char *keep(struct transform_args *x, int slot, const char *s)
{
    x->owned[slot] = xstrdup(s);
    return x->owned[slot];
}

int transform_args_from_last_run(const char *conninfo, struct transform_args *x, const char *what,
                                 bool run_required)
{
    struct transform_settings *ts = &x->settings;
    PGresult *res = last_run(conninfo, "source, options::text", what);
    int rc = 0;
    if (!res) {
        rc = -1;
    } else if (PQntuples(res) == 0) {
        if (run_required || !x->source) {
            warnx_("%s: no migration run is recorded in the target: %s", what,
                   x->source ? "run 'pantrycrm migrate' first" : "give --source");
            rc = -1;
        }
    } else {
        if (!x->source)
            x->source = keep(x, 0, PQgetvalue(res, 0, 0));
        json_error_t jerr;
        json_t *o = json_loads(PQgetvalue(res, 0, 1), 0, &jerr);
        if (o && ts->nrules == 0) {
            size_t i;
            json_t *spec;
            json_array_foreach(json_object_get(o, "policies"), i, spec) {
                if (transform_args_opt(x, 'P', json_string_value(spec), what) < 0)
                    rc = -1;
            }
        }
        /* The specs above point into the JSON: forget them before it goes
         * (the parsed rules hold their own copies). */
        for (size_t i = 0; i < ts->nrules; i++)
            x->specs[i] = NULL;
        const char *tz = json_string_value(json_object_get(o, "source_timezone"));
        if (o && !ts->source_tz && tz)
            ts->source_tz = keep(x, 1, tz);
        const char *syn = json_string_value(json_object_get(o, "synonyms"));
        if (o && !ts->synonyms_path && syn)
            ts->synonyms_path = keep(x, 2, syn);
        /* A run recorded before --bad-email existed nulled them. */
        const char *be = json_string_value(json_object_get(o, "bad_email"));
        if (o && ts->bad_email == BAD_EMAIL_UNSET)
            ts->bad_email = be && strcmp(be, "keep") == 0 ? BAD_EMAIL_KEEP : BAD_EMAIL_NULL;
        if (o && !ts->min_year) {
            ts->min_year = (int)json_integer_value(json_object_get(o, "min_year"));
            ts->max_year = (int)json_integer_value(json_object_get(o, "max_year"));
        }
        json_decref(o);
    }
    PQclear(res);
    return rc;
}
