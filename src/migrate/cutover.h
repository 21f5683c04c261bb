/* cutover.h - the go/no-go gate and the record of the switch-over
 * (migration field notes §5 "Cutover", §6.7).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CUTOVER_H
#define PANTRY_CUTOVER_H

#include <stdbool.h>
#include <jansson.h>

#include "convert.h"

struct cutover_opts {
    const char *source;
    const char *conninfo;
    struct transform_settings transform;    /* as migrate: verify transforms the same way */
    double quiet_for;               /* seconds without a new source version */
    bool json;
    bool commit;                    /* record the cutover when everything is go */
    const char *report_dir;         /* --commit: where the JSON and Markdown go */
    bool rollback_check;            /* the gate of the switch back instead */
    bool rollback;                  /* record the switch back when that gate is go */
};

/* What a gate found, for the caller to show. */
struct cutover_result {
    const char *title;              /* "cutover" or "rollback" */
    bool checked;                   /* every check ran: report has them */
    bool go;
    json_t *report;                 /* {"checks": [{name, ok, detail}], "go", ...} */
    long recorded_id;               /* > 0: the switch was recorded under this id */
    char *json_path, *md_path;      /* its report files, when both were written */
};

/* Checks every condition, each with its reason, into *r; with commit, and
 * when all hold, records the cutover in migration.cutover and writes the
 * final report. 0 go (and committed), 1 no-go, -1 error with *err (*r may
 * still hold the checks and the record). Free *r either way. */
int cutover_run(const struct cutover_opts *o, struct cutover_result *r, char **err);
void cutover_result_free(struct cutover_result *r);

/* The rollback gate (fallback.h): the cutover is in effect, the fallback
 * has applied every captured change and PostgreSQL has been quiet for
 * quiet_for seconds, verify finds the legacy database equal to PostgreSQL
 * under the transform, and the fallback quarantine is empty. With
 * o->rollback and all go: records the switch back in migration.rollback,
 * takes the capture off (the forward sync may run again) and writes
 * rollback-ID.json and .md. 0 go, 1 no-go, -1 error. */
int cutover_rollback_run(const struct cutover_opts *o, struct cutover_result *r, char **err);

#endif
