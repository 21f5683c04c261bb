/* cli.h - shared plumbing of the headless subcommands.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CLI_H
#define PANTRY_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "progress.h"
#include "util.h"

/* Exit statuses shared by every subcommand (documented in pantrycrm(1)). */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,       /* the work failed: connection, SQL, mismatch … */
    EXIT_USAGE = 2,      /* bad command line */
    EXIT_INTERRUPTED = 130
};

/* Options given before the subcommand apply to all of them. */
struct cli_globals {
    const char *conninfo;  /* -d/--dbname, else NULL: libpq's PG* defaults */
};
extern struct cli_globals cli_globals;

/* A subcommand: name, one-line summary, entry point (argv[0] is its name). */
struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv, const char *prefix);
};

/* Runs the subcommand of a group ("db", "demo"), or prints the group's
 * help. prefix is the command path so far, e.g. "pantrycrm db". */
int cli_dispatch(const char *prefix, const struct cli_command *cmds, int argc, char **argv);

/* getopt_long that never prints getopt's own messages: an unknown option or
 * a missing argument becomes one line naming the command, and '?' is
 * returned so the caller exits with EXIT_USAGE. */
int cli_getopt(const char *prefix, int argc, char **argv, const char *shortopts,
               const struct option *longopts);

/* "prefix: message" + a pointer to --help, on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *prefix, const char *fmt, ...) PANTRY_PRINTF(2, 3);

/* Complains about stray positional arguments; returns EXIT_USAGE or 0. */
int cli_no_more_args(const char *prefix, int argc, char **argv);

/* guard_write (guard.h) for a command: prints the refusal as "prefix: …"
 * on stderr and returns false. */
bool guard_write_cli(const char *prefix, const char *what);

/* The core's progress lines (progress.h), printed on stdout. */
extern const struct progress cli_stdout;

#endif
