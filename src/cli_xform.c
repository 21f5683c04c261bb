/* cli_xform.c - the transform options shared by migrate, verify, replay.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli_xform.h"
#include "cli.h"

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

