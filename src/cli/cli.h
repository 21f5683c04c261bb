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

/* A whole number in [min, max], digits only (no sign, no blanks): true
 * with *out. */
bool cli_number(const char *text, long min, long max, long *out);
/* A decimal number in [min, max]: true with *out. */
bool cli_decimal(const char *text, double min, double max, double *out);

/* The repeating commands' options (sync, fallback): -f/--follow,
 * -i/--interval SECONDS and --rounds N, the last with the code
 * CLI_OPT_ROUNDS in the command's option table. 1 when c was one of them,
 * 0 when not, -1 after a usage error was printed. */
#define CLI_OPT_ROUNDS 0x1f0
struct cli_repeat {
    bool follow;
    double interval;        /* seconds between rounds with --follow */
    int max_rounds;         /* 0: unlimited */
};
int cli_repeat_opt(struct cli_repeat *r, int c, const char *arg, const char *prefix);

/* guard_write (guard.h) for a command: prints the refusal as "prefix: …"
 * on stderr and returns false. */
bool guard_write_cli(const char *prefix, const char *what);

/* The core's progress lines (progress.h), printed on stdout. */
extern const struct progress cli_stdout;

#endif
