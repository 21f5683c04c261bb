/* cmd_sync.c - `pantrycrm sync`: keep the target in step with the live
 * legacy source until the cutover.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "cli_transform.h"
#include "commands.h"
#include "legacy.h"
#include "pg.h"
#include "report.h"
#include "state.h"
#include "sync.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_stop_signal(int sig)
{
    (void)sig;
    sync_stop_requested = 1;
}

static const char sync_help[] =
    "Usage: pantrycrm sync [--source SOURCE] [--follow [--interval SECONDS]] [--json]\n"
    "                      [--reinit TABLE | --reinit-all]\n"
    "\n"
    "Applies the changes made to the legacy source since the full load (SQL Server\n"
    "Change Tracking, or the change log 'pantrycrm demo track' installs in a SQLite\n"
    "source) to the target, through the same transform as migrate: inserts and\n"
    "updates as upserts of the current row, deletes by key, refused rows to the\n"
    "quarantine. Each round runs in a source snapshot and stores the applied\n"
    "version in the target in the same transaction as the changes, so it can be\n"
    "repeated or interrupted at any point.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy database (default: the last run's)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target\n"
    "      --synonyms=FILE      as for migrate (default: the last run's)\n"
    "      --policy=T.C=ACTION  as for migrate (repeatable)\n"
    "      --source-timezone=TZ as for migrate\n"
    "      --years=MIN:MAX      as for migrate\n"
    "      --bad-email=keep|null as for migrate\n"
    "  -f, --follow             repeat every interval until interrupted\n"
    "  -i, --interval=SECONDS   pause between rounds with --follow (default 2)\n"
    "      --rounds=N           with --follow, stop after N rounds\n"
    "      --reinit=TABLE       re-copy TABLE whole (after its changes were cleaned up)\n"
    "      --reinit-all         re-copy every tracked table\n"
    "      --json               one JSON object per round\n"
    "  -t, --state=FILE         the local state file for the console\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 done, 1 error, 2 usage, 3 a table must be re-copied (its\n"
    "changes were cleaned up: see --reinit), 130 interrupted at a round boundary.\n";

enum { OPT_REINIT = 256, OPT_REINIT_ALL, OPT_JSON };

int cmd_sync(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"follow", no_argument, NULL, 'f'},
        {"interval", required_argument, NULL, 'i'},
        {"rounds", required_argument, NULL, CLI_OPT_ROUNDS},
        {"reinit", required_argument, NULL, OPT_REINIT},
        {"reinit-all", no_argument, NULL, OPT_REINIT_ALL},
        {"json", no_argument, NULL, OPT_JSON},
        {"state", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sync_opts o = {.conninfo = cli_globals.conninfo, .interval = 2.0, .notes = &cli_stdout};
    struct transform_args x;
    memset(&x, 0, sizeof x);
    struct cli_repeat rep = {.interval = 2.0};
    char *state_default = NULL;
    int rc = EXIT_USAGE;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:fi:t:h", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        handled = cli_repeat_opt(&rep, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case OPT_REINIT:
            if (!legacy_table(optarg)) {
                cli_usage_error(prefix, "--reinit: no legacy table '%s'", optarg);
                goto out;
            }
            o.reinit_table = optarg;
            break;
        case OPT_REINIT_ALL: o.reinit_all = true; break;
        case OPT_JSON: o.json = true; break;
        case 't': o.state_path = optarg; break;
        case 'h':
            fputs(sync_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    o.follow = rep.follow;
    o.interval = rep.interval;
    o.max_rounds = rep.max_rounds;
    if (o.reinit_table && o.reinit_all) {
        cli_usage_error(prefix, "--reinit and --reinit-all exclude each other");
        goto out;
    }
    rc = EXIT_FAIL;
    if (!guard_write_cli(prefix, "sync"))
        goto out;
    if (transform_args_from_last_run(o.conninfo, &x, "sync", true) != 0)
        goto out;
    o.source = x.source;
    o.transform = x.settings;
    if (!o.state_path)
        o.state_path = state_default = state_default_path();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    o.on_round = sync_print_round;    /* the core returns rounds, the command line prints */
    o.on_round_arg = stdout;
    char *err = NULL;
    rc = sync_run(&o, &err);
    if (rc == 1)
        warnx_("sync: %s", err ? err : "failed");
    else if (rc == 130 && !o.json)
        fprintf(stderr, "sync: stopped at a round boundary\n");
    free(err);
out:
    transform_args_free(&x);
    free(state_default);
    return rc;
}
