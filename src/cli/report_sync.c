/* report_sync.c - one round of `pantrycrm sync` as a JSON line or as text
 * (see report.h); sync_run hands each round here through sync_opts.on_round.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "report.h"
#include "sync.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static void print_round_json(const struct sync_round *r, FILE *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "round", json_integer(r->n));
    json_object_set_new(o, "source_version", json_integer(r->current));
    json_object_set_new(o, "from_version", json_integer(r->from));
    json_object_set_new(o, "applied_version", json_integer(r->current));
    json_object_set_new(o, "lag_versions", json_integer(r->lag_versions));
    json_object_set_new(o, "lag_seconds", json_real(r->lag_seconds));
    json_object_set_new(o, "changes", json_integer(r->changes));
    json_object_set_new(o, "fallback_writes_skipped", json_integer(r->echoes));
    json_object_set_new(o, "seconds", json_real(r->seconds));
    json_object_set_new(o, "changes_per_second", json_real(r->rate));
    json_t *tabs = json_object();
    for (size_t i = 0; i < r->ntables; i++) {
        const struct sync_round_table *t = &r->tables[i];
        json_object_set_new(tabs, t->name,
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "changes", (json_int_t)t->changes,
                      "children_rechecked", (json_int_t)t->rechecked,
                      "upserts", (json_int_t)t->upserts, "deletes", (json_int_t)t->deletes,
                      "quarantined", (json_int_t)t->quarantined, "reinit", t->reinit));
    }
    json_object_set_new(o, "tables", tabs);
    char *s = json_dumps(o, JSON_COMPACT);
    fprintf(out, "%s\n", s);
    free(s);
    json_decref(o);
}

static void print_round_text(const struct sync_round *r, FILE *out)
{
    fprintf(out, "round %d: version %lld -> %lld (lag %lld versions, %.1f s): %ld changes in %.3f s"
                 " (%.0f/s)\n", r->n, (long long)r->from, (long long)r->current,
            (long long)r->lag_versions, r->lag_seconds, r->changes, r->seconds, r->rate);
    if (r->echoes)
        fprintf(out, "  %ld changes were the fallback's own writes: skipped\n", r->echoes);
    for (size_t i = 0; i < r->ntables; i++) {
        const struct sync_round_table *t = &r->tables[i];
        if (t->changes == 0 && !t->reinit && t->rechecked == 0)
            continue;
        fprintf(out, "  %-18s %s%ld upserted, %ld deleted, %ld quarantined", t->name,
                t->reinit ? "re-copied: " : "", t->upserts, t->deletes, t->quarantined);
        if (t->rechecked)
            fprintf(out, " (%ld children of moved parents re-applied)", t->rechecked);
        fputc('\n', out);
    }
}

void sync_print_round(const struct sync_round *r, void *arg)
{
    FILE *out = arg;
    if (r->json)
        print_round_json(r, out);
    else
        print_round_text(r, out);
    fflush(out);
}
