/* cli_transform.h - the command-line options that decide how legacy values
 * are transformed (struct transform_settings, convert.h). migrate records
 * them with the run; verify, sync, cutover, fallback and quarantine replay
 * must transform exactly the same way, so all of them parse them here, and
 * take them from the last run when not given.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CLI_TRANSFORM_H
#define PANTRY_CLI_TRANSFORM_H

#include <getopt.h>
#include <stdbool.h>

#include "convert.h"

#define TRANSFORM_MAX_POLICIES 64

/* The parsed options: settings is what the commands hand to the core, as
 * a whole; the rest is the storage behind it. */
struct transform_args {
    const char *source;             /* --source (not a transform setting, parsed along) */
    struct transform_settings settings;
    struct policy_rule rules[TRANSFORM_MAX_POLICIES];
    const char *specs[TRANSFORM_MAX_POLICIES];  /* as given, for the run's record */
    char *owned[3];                 /* strings taken from the last run */
};

/* Their long options, for a command's option table. */
#define TRANSFORM_LONG_OPTS \
    {"source", required_argument, NULL, 's'}, \
    {"synonyms", required_argument, NULL, 'S'}, \
    {"policy", required_argument, NULL, 'P'}, \
    {"source-timezone", required_argument, NULL, 'z'}, \
    {"years", required_argument, NULL, 'Y'}, \
    {"bad-email", required_argument, NULL, 'E'}

/* 1 when c was a transform option (stored), 0 when not, -1 after a usage
 * error was reported. */
int transform_args_opt(struct transform_args *x, int c, const char *arg, const char *prefix);
void transform_args_free(struct transform_args *x);
/* Fills in what the user did not give (source, policies, source zone,
 * synonyms, years) from the last migration run recorded in the target, so
 * that verify, sync and cutover transform exactly as migrate did. With
 * run_required, a target with no recorded run is an error even when the
 * source was given. Messages start with `what`. 0, or -1 after a message. */
int transform_args_from_last_run(const char *conninfo, struct transform_args *x, const char *what,
                                 bool run_required);
/* Only --bad-email, from the last run when not given (quarantine replay:
 * a replayed row must follow the rule the run's rows followed, which
 * verify checks; its other options are the operator's to change). 0, or
 * -1 after a message. */
int transform_args_bad_email_from_last_run(const char *conninfo, struct transform_args *x,
                                           const char *what);
/* The options as JSON, for migration.run.options. Caller frees. */
char *transform_args_json(const struct transform_args *x, int jobs, size_t batch_rows);

#endif
