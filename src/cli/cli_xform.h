/* cli_xform.h - the command-line options that decide how legacy values are
 * transformed. migrate records them with the run; verify and quarantine
 * replay must transform exactly the same way, so all three parse them here.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CLI_XFORM_H
#define PANTRY_CLI_XFORM_H

#include <getopt.h>
#include <stdbool.h>

#include "convert.h"

struct xform_cli {
    const char *source, *synonyms, *tz;
    struct policy_rule rules[64];
    const char *specs[64];
    size_t nrules;
    int min_year, max_year;
};

/* Their long options, for a command's option table. */
#define XFORM_LONG_OPTS \
    {"source", required_argument, NULL, 's'}, \
    {"synonyms", required_argument, NULL, 'S'}, \
    {"policy", required_argument, NULL, 'P'}, \
    {"source-timezone", required_argument, NULL, 'z'}, \
    {"years", required_argument, NULL, 'Y'}

/* 1 when c was a transform option (stored), 0 when not, -1 after a usage
 * error was reported. */
int xform_opt(struct xform_cli *x, int c, const char *arg, const char *prefix);
void xform_free(struct xform_cli *x);
/* Fills in what the user did not give (source, policies, source zone,
 * synonyms, years) from the last migration run recorded in the target, so
 * that verify, sync and cutover transform exactly as migrate did. From the
 * call on, x owns its tz and synonyms strings (the caller frees them either
 * way); *source_out gets the source when it came from the run. With
 * run_required, a target with no recorded run is an error even when the
 * source was given. Messages start with `what`. 0, or -1 after a message. */
int xform_from_last_run(const char *conninfo, struct xform_cli *x, char **source_out,
                        const char *what, bool run_required);
/* The options as JSON, for migration.run.options. Caller frees. */
char *xform_json(const struct xform_cli *x, int jobs, size_t batch_rows);

#endif
