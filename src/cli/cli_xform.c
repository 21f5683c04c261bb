/* cli_xform.c - the transform options shared by migrate, verify, replay.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli_xform.h"
#include "cli.h"
#include "pg.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* 1 when c was a transform option (stored), 0 when not, -1 on error. */
int xform_opt(struct xform_cli *x, int c, const char *arg, const char *prefix)
{
    switch (c) {
    case 's': x->source = arg; return 1;
    case 'S': x->synonyms = arg; return 1;
    case 'z': x->tz = arg; return 1;
    case 'P': {
        char *err = NULL;
        if (x->nrules == sizeof x->rules / sizeof x->rules[0]) {
            cli_usage_error(prefix, "too many --policy options");
            return -1;
        }
        if (policy_parse(arg, &x->rules[x->nrules], &err) != 0) {
            cli_usage_error(prefix, "%s", err);
            free(err);
            return -1;
        }
        x->specs[x->nrules++] = arg;
        return 1;
    }
    case 'Y': {
        int lo, hi;
        char extra;
        if (sscanf(arg, "%d:%d%c", &lo, &hi, &extra) != 2 || lo < 1 || hi > 9999 || lo > hi) {
            cli_usage_error(prefix, "--years takes MIN:MAX, e.g. 1900:2099, not '%s'", arg);
            return -1;
        }
        x->min_year = lo;
        x->max_year = hi;
        return 1;
    }
    default:
        return 0;
    }
}

void xform_free(struct xform_cli *x)
{
    for (size_t i = 0; i < x->nrules; i++)
        policy_free(&x->rules[i]);
    x->nrules = 0;
}

char *xform_json(const struct xform_cli *x, int jobs, size_t batch_rows)
{
    json_t *pol = json_array();
    for (size_t i = 0; i < x->nrules; i++)
        json_array_append_new(pol, json_string(x->specs[i]));
    json_t *o = json_pack("{s:i,s:I,s:s,s:s?,s:o,s:i,s:i}", "jobs", jobs, "batch_rows",
                          (json_int_t)batch_rows, "source_timezone", x->tz ? x->tz : "UTC",
                          "synonyms", x->synonyms, "policies", pol, "min_year",
                          x->min_year ? x->min_year : 1900, "max_year",
                          x->max_year ? x->max_year : 2099);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

int xform_from_last_run(const char *conninfo, struct xform_cli *x, char **source_out,
                        const char *what, bool run_required)
{
    x->tz = x->tz ? xstrdup(x->tz) : NULL;
    x->synonyms = x->synonyms ? xstrdup(x->synonyms) : NULL;
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "read the last migration run", &err);
    if (!conn) {
        warnx_("%s: %s", what, err);
        free(err);
        return -1;
    }
    PGresult *res = pg_exec(conn, &err,
        "SELECT source, options::text FROM migration.run ORDER BY id DESC LIMIT 1", 0, NULL);
    int rc = 0;
    if (!res) {
        warnx_("%s: %s", what, err);
        free(err);
        rc = -1;
    } else if (PQntuples(res) == 0) {
        if (run_required || !x->source) {
            warnx_("%s: no migration run is recorded in the target: %s", what,
                   x->source ? "run 'pantrycrm migrate' first" : "give --source");
            rc = -1;
        }
    } else {
        if (!x->source)
            x->source = *source_out = xstrdup(PQgetvalue(res, 0, 0));
        json_error_t jerr;
        json_t *o = json_loads(PQgetvalue(res, 0, 1), 0, &jerr);
        if (o && x->nrules == 0) {
            size_t i;
            json_t *spec;
            json_array_foreach(json_object_get(o, "policies"), i, spec) {
                if (xform_opt(x, 'P', json_string_value(spec), what) < 0)
                    rc = -1;
            }
        }
        /* The specs above point into the JSON: forget them before it goes
         * (the parsed rules hold their own copies). */
        for (size_t i = 0; i < x->nrules; i++)
            x->specs[i] = NULL;
        if (o && !x->tz && json_string_value(json_object_get(o, "source_timezone")))
            x->tz = xstrdup(json_string_value(json_object_get(o, "source_timezone")));
        if (o && !x->synonyms && json_string_value(json_object_get(o, "synonyms")))
            x->synonyms = xstrdup(json_string_value(json_object_get(o, "synonyms")));
        if (o && !x->min_year) {
            x->min_year = (int)json_integer_value(json_object_get(o, "min_year"));
            x->max_year = (int)json_integer_value(json_object_get(o, "max_year"));
        }
        json_decref(o);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}
