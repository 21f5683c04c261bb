/* cmd_migrate.c - `pantrycrm migrate` and `pantrycrm report`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "engine.h"
#include "state.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_stop_signal(int sig)
{
    (void)sig;
    engine_stop_requested = 1;
}

static bool parse_positive(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v <= 0 || v > max)
        return false;
    *out = v;
    return true;
}

static const char migrate_help[] =
    "Usage: pantrycrm migrate --source SOURCE [OPTIONS]\n"
    "       pantrycrm migrate --rollback [--yes] [-d CONNINFO]\n"
    "\n"
    "Copy every row of the legacy database into the PostgreSQL target: each row\n"
    "ends migrated or quarantined with its reason. Each batch commits together\n"
    "with its checkpoint, so running the same command again after a crash, a\n"
    "kill or Ctrl-C continues where it stopped, losing and repeating nothing.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy database: sqlite:FILE (or FILE)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target (URI or key=value)\n"
    "  -j, --jobs=N             tables loaded at once, and index builds (default 2)\n"
    "      --batch-size=N       rows per committed batch (default 10000)\n"
    "      --synonyms=FILE      enum synonyms (default: the shipped synonyms.conf)\n"
    "      --policy=T.C=ACTION  what to do with an unmappable value of table T,\n"
    "                           column C ('*' for any): quarantine (default), null,\n"
    "                           or default:LABEL; repeatable, the last match wins\n"
    "      --source-timezone=TZ the zone of the source's DATETIME2 values (UTC)\n"
    "      --years=MIN:MAX      plausible years for dates (default 1900:2099)\n"
    "      --state=FILE         the local state file (default\n"
    "                           $XDG_STATE_HOME/pantrycrm/state.db)\n"
    "      --progress=MODE      auto (bars on a terminal, else JSON lines), bars,\n"
    "                           json, none\n"
    "      --rollback           empty the target again (refused after a cutover)\n"
    "  -y, --yes                do not ask before --rollback\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 usage, 130 stopped (resumable).\n";

static int confirm_rollback(const char *conninfo)
{
    if (!isatty(STDIN_FILENO)) {
        warnx_("migrate --rollback: refusing without --yes: there is no terminal to confirm on");
        return 0;
    }
    fprintf(stderr, "This deletes every row of the ten CRM tables in the target%s%s%s and the "
                    "migration's checkpoints and quarantine.\nType 'yes' to continue: ",
            conninfo ? " (" : "", conninfo ? conninfo : "", conninfo ? ")" : "");
    char line[16] = "";
    if (!fgets(line, sizeof line, stdin))
        return 0;
    return strcmp(line, "yes\n") == 0;
}

static int cmd_migrate_run(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"dbname", required_argument, NULL, 'd'},
        {"jobs", required_argument, NULL, 'j'},
        {"batch-size", required_argument, NULL, 'b'},
        {"synonyms", required_argument, NULL, 'S'},
        {"policy", required_argument, NULL, 'P'},
        {"source-timezone", required_argument, NULL, 'z'},
        {"years", required_argument, NULL, 'Y'},
        {"state", required_argument, NULL, 't'},
        {"progress", required_argument, NULL, 'p'},
        {"rollback", no_argument, NULL, 'R'},
        {"yes", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct engine_opts o = {.conninfo = cli_globals.conninfo, .jobs = 2, .batch_rows = 10000};
    struct policy_rule rules[64];
    size_t nrules = 0;
    bool rollback = false, yes = false;
    const char *progress = "auto";
    char *state_default = NULL;
    int rc = EXIT_USAGE;
    long v;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:j:yh", opts)) != -1) {
        switch (c) {
        case 's': o.source = optarg; break;
        case 'd': o.conninfo = optarg; break;
        case 'j':
            if (!parse_positive(optarg, 16, &v)) {
                cli_usage_error(prefix, "--jobs takes a number from 1 to 16, not '%s'", optarg);
                goto out;
            }
            o.jobs = (int)v;
            break;
        case 'b':
            if (!parse_positive(optarg, 1000000, &v)) {
                cli_usage_error(prefix, "--batch-size takes a number from 1 to 1000000, not '%s'", optarg);
                goto out;
            }
            o.batch_rows = (size_t)v;
            break;
        case 'S': o.synonyms_path = optarg; break;
        case 'P': {
            char *err = NULL;
            if (nrules == sizeof rules / sizeof rules[0]) {
                cli_usage_error(prefix, "too many --policy options");
                goto out;
            }
            if (policy_parse(optarg, &rules[nrules], &err) != 0) {
                cli_usage_error(prefix, "%s", err);
                free(err);
                goto out;
            }
            nrules++;
            break;
        }
        case 'z': o.source_tz = optarg; break;
        case 'Y': {
            int lo, hi;
            char extra;
            if (sscanf(optarg, "%d:%d%c", &lo, &hi, &extra) != 2 || lo < 1 || hi > 9999 || lo > hi) {
                cli_usage_error(prefix, "--years takes MIN:MAX, e.g. 1900:2099, not '%s'", optarg);
                goto out;
            }
            o.min_year = lo;
            o.max_year = hi;
            break;
        }
        case 't': o.state_path = optarg; break;
        case 'p': progress = optarg; break;
        case 'R': rollback = true; break;
        case 'y': yes = true; break;
        case 'h':
            fputs(migrate_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    if (strcmp(progress, "auto") == 0)
        o.progress = isatty(STDOUT_FILENO) ? PROGRESS_BARS : PROGRESS_JSONL;
    else if (strcmp(progress, "bars") == 0)
        o.progress = PROGRESS_BARS;
    else if (strcmp(progress, "json") == 0)
        o.progress = PROGRESS_JSONL;
    else if (strcmp(progress, "none") == 0)
        o.progress = PROGRESS_NONE;
    else {
        cli_usage_error(prefix, "--progress takes auto, bars, json or none, not '%s'", progress);
        goto out;
    }

    char *err = NULL;
    if (rollback) {
        if (!yes && !confirm_rollback(o.conninfo)) {
            rc = EXIT_FAIL;
            goto out;
        }
        rc = engine_rollback(o.conninfo, stdout, &err) == 0 ? EXIT_OK : EXIT_FAIL;
        if (err) {
            warnx_("migrate --rollback: %s", err);
            free(err);
        }
        goto out;
    }
    if (!o.source) {
        cli_usage_error(prefix, "--source is required (e.g. --source sqlite:legacy.db)");
        goto out;
    }
    if (!o.state_path)
        o.state_path = state_default = state_default_path();
    o.rules = rules;
    o.nrules = nrules;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    rc = engine_migrate(&o, &err);
    if (rc == 1) {
        warnx_("migrate: %s", err ? err : "failed");
        rc = EXIT_FAIL;
    } else if (rc == 0 && o.progress != PROGRESS_JSONL) {
        char *rerr = NULL;
        fputc('\n', stdout);
        if (engine_report(o.conninfo, false, stdout, &rerr) != 0) {
            warnx_("report: %s", rerr);
            free(rerr);
        }
    } else if (rc == 0) {
        char *rerr = NULL;
        if (engine_report(o.conninfo, true, stdout, &rerr) != 0) {
            warnx_("report: %s", rerr);
            free(rerr);
        }
    }
    free(err);
out:
    for (size_t i = 0; i < nrules; i++)
        policy_free(&rules[i]);
    free(state_default);
    return rc;
}

int cmd_migrate(int argc, char **argv, const char *prefix)
{
    return cmd_migrate_run(argc, argv, prefix);
}

int cmd_report(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo;
    bool json = false;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:h", opts)) != -1) {
        switch (c) {
        case 'd': conninfo = optarg; break;
        case 'J': json = true; break;
        case 'h':
            printf("Usage: %s [-d CONNINFO] [--json]\n\n"
                   "The migration's summary per table from the target's checkpoints: rows\n"
                   "read, migrated, quarantined, repaired, bytes, seconds and rows/s.\n\n"
                   "Options:\n"
                   "  -d, --dbname=CONNINFO  the PostgreSQL target\n"
                   "      --json             print JSON instead of a table\n"
                   "  -h, --help             show this help and exit\n", prefix);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    char *err = NULL;
    if (engine_report(conninfo, json, stdout, &err) != 0) {
        warnx_("report: %s", err);
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}
