/* cmd_demo_activity.c - `pantrycrm demo activity`: its options, and the
 * simulator's progress and summary as text (the simulator is activity.c).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "activity.h"
#include "cli.h"
#include "commands.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_stop(int sig)
{
    (void)sig;
    activity_stop = 1;
}

static void print_report(const struct activity_report *r, enum activity_stage stage, void *arg)
{
    FILE *out = arg;
    switch (stage) {
    case ACTIVITY_STARTED:
        if (!r->tracked)
            fprintf(stderr, "demo activity: warning: %s has no change capture, so sync will not see "
                            "these changes (run 'pantrycrm demo track' first)\n", r->path);
        break;
    case ACTIVITY_PROGRESS:
        fprintf(out, "%ld changes in %.0f s\n", r->done, r->secs);
        fflush(out);
        break;
    case ACTIVITY_DONE:
        fprintf(out, "%ld changes in %ld transactions in %.1f s (%.1f/s): %ld inserts, %ld updates, "
                     "%ld deletes (%ld rows cascaded or cleared), %ld dirty values",
                r->done, r->txns, r->secs, r->secs > 0 ? (double)r->done / r->secs : 0.0, r->inserts,
                r->updates, r->deletes, r->cascaded, r->dirty);
        if (r->tracked)
            fprintf(out, "; change version %lld -> %lld", (long long)r->v0, (long long)r->v1);
        fprintf(out, "\n");
        break;
    }
}

static const char activity_help[] =
    "Simulate the old application writing to a SQLite legacy source while it is\n"
    "being migrated: inserts, updates and deletes across the CRM tables in\n"
    "realistic proportions (new interactions most, deletes rare, parents' children\n"
    "deleted or their references cleared as the application's foreign keys do),\n"
    "1 to 4 changes per transaction, about 3% of them with dirty values (odd enum\n"
    "spellings, unknown labels, NUL bytes, far dates). Stops after --duration or\n"
    "--changes, or cleanly at Ctrl-C, and prints a summary.\n"
    "\n"
    "Options:\n"
    "  -s, --source=FILE    the SQLite legacy file (default: the demo's)\n"
    "  -r, --rate=N         changes per second (default 50)\n"
    "      --duration=S     stop after S seconds (default: until interrupted)\n"
    "      --changes=N      stop after N changes\n"
    "      --seed=N         seed of the pseudo-random choices (default: the clock)\n"
    "  -h, --help           show this help and exit\n";

int demo_activity_cmd(int argc, char **argv, const char *prefix)
{
    enum { OPT_DURATION = 256, OPT_CHANGES, OPT_SEED };
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"changes", required_argument, NULL, OPT_CHANGES},
        {"seed", required_argument, NULL, OPT_SEED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct activity_opts o = {.rate = 50};
    const char *source = NULL;
    int c;
    char *end;
    while ((c = cli_getopt(prefix, argc, argv, "s:r:h", opts)) != -1) {
        switch (c) {
        case 's': source = optarg; break;
        case 'r':
            o.rate = strtod(optarg, &end);
            if (*optarg == '\0' || *end || !(o.rate >= 0.1 && o.rate <= 1000000))
                return cli_usage_error(prefix, "--rate takes changes per second (0.1 to 1000000), "
                                       "not '%s'", optarg);
            break;
        case OPT_DURATION:
            o.duration = strtod(optarg, &end);
            if (*optarg == '\0' || *end || !(o.duration > 0 && o.duration <= 31 * 86400))
                return cli_usage_error(prefix, "--duration takes seconds, not '%s'", optarg);
            break;
        case OPT_CHANGES:
            o.max_changes = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || o.max_changes < 1)
                return cli_usage_error(prefix, "--changes takes a positive number, not '%s'", optarg);
            break;
        case OPT_SEED: {
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || errno)
                return cli_usage_error(prefix, "--seed takes a number, not '%s'", optarg);
            o.seed = v ? v : 1;
            break;
        }
        case 'h':
            printf("Usage: %s [--source FILE] [--rate N] [--duration S] [--changes N] [--seed N]\n",
                   prefix);
            fputs(activity_help, stdout);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    char *dflt = NULL;
    if (source && strncmp(source, "sqlite:", 7) == 0)
        source += 7;
    if (!source)
        source = dflt = activity_default_source();
    o.path = source;
    o.progress = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char *err = NULL;
    o.report = print_report;
    o.report_arg = stdout;
    int rc = activity_run(&o, &err) == 0 ? EXIT_OK : EXIT_FAIL;
    if (rc != EXIT_OK) {
        warnx_("demo activity: %s", err ? err : "failed");
        free(err);
    }
    free(dflt);
    return rc;
}
