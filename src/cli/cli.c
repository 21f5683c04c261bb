/* cli.c - shared plumbing of the headless subcommands.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cli_globals cli_globals;

int cli_usage_error(const char *prefix, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prefix);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s --help')\n", prefix);
    return EXIT_USAGE;
}

int cli_getopt(const char *prefix, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    opterr = 0;
    /* A leading ':' makes getopt tell a missing argument from an unknown option. */
    char spec[64];
    if (shortopts[0] == '+')
        snprintf(spec, sizeof spec, "+:%s", shortopts + 1);
    else
        snprintf(spec, sizeof spec, ":%s", shortopts);
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == '?' || c == ':') {
        const char *bad = argv[optind - 1];
        if (c == ':')
            cli_usage_error(prefix, "option '%s' needs a value", bad);
        else if (optopt && !(bad[0] == '-' && bad[1] == '-'))
            cli_usage_error(prefix, "unknown option '-%c'", optopt);
        else
            cli_usage_error(prefix, "unknown option '%s'", bad);
        return '?';
    }
    return c;
}

int cli_no_more_args(const char *prefix, int argc, char **argv)
{
    if (optind < argc)
        return cli_usage_error(prefix, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static void group_help(FILE *out, const char *prefix, const struct cli_command *cmds)
{
    fprintf(out, "Usage: %s COMMAND [OPTIONS]\n\nCommands:\n", prefix);
    for (const struct cli_command *c = cmds; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nRun '%s COMMAND --help' for the options of one command.\n", prefix);
}

int cli_dispatch(const char *prefix, const struct cli_command *cmds, int argc, char **argv)
{
    if (argc < 2) {
        group_help(stderr, prefix, cmds);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (str_eq(name, "--help") || str_eq(name, "-h") || str_eq(name, "help")) {
        group_help(stdout, prefix, cmds);
        return EXIT_OK;
    }
    for (const struct cli_command *c = cmds; c->name; c++) {
        if (str_eq(c->name, name)) {
            char *sub = xasprintf("%s %s", prefix, c->name);
            optind = 0; /* glibc: 0 fully re-initialises getopt for the new argv */
            int rc = c->run(argc - 1, argv + 1, sub);
            free(sub);
            return rc;
        }
    }
    if (name[0] == '-')
        return cli_usage_error(prefix, "unknown option '%s'", name);
    return cli_usage_error(prefix, "unknown command '%s'", name);
}

bool guard_write_cli(const char *prefix, const char *what)
{
    char *err = NULL;
    if (guard_write(what, &err))
        return true;
    fprintf(stderr, "%s: %s\n", prefix, err);
    free(err);
    return false;
}

static void line_to_stdout(void *arg, const char *text)
{
    (void)arg;
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout); /* progress: seen when it happens, also through a pipe */
}

const struct progress cli_stdout = {line_to_stdout, NULL};

bool cli_number(const char *text, long min, long max, long *out)
{
    if (*text < '0' || *text > '9')
        return false;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*end || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_decimal(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (*text == '\0' || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

int cli_repeat_opt(struct cli_repeat *r, int c, const char *arg, const char *prefix)
{
    long n;
    switch (c) {
    case 'f':
        r->follow = true;
        return 1;
    case 'i':
        if (!cli_decimal(arg, 0.05, 86400, &r->interval)) {
            cli_usage_error(prefix, "--interval takes seconds from 0.05 to 86400, not '%s'", arg);
            return -1;
        }
        return 1;
    case CLI_OPT_ROUNDS:
        if (!cli_number(arg, 1, 1000000000, &n)) {
            cli_usage_error(prefix, "--rounds takes a positive number, not '%s'", arg);
            return -1;
        }
        r->max_rounds = (int)n;
        return 1;
    default:
        return 0;
    }
}
