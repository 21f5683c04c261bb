/* cmd_cutover.c - `pantrycrm cutover --check | --commit`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "cli_transform.h"
#include "commands.h"
#include "cutover.h"
#include "drizzle.h"
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char cutover_help[] =
    "Usage: pantrycrm cutover --check [--quiet-for SECONDS] [--json]\n"
    "       pantrycrm cutover --commit [--yes] [--report-dir DIR] [--drizzle-out DIR]\n"
    "                                  [--quiet-for SECONDS]\n"
    "       pantrycrm cutover --rollback-check [--quiet-for SECONDS] [--json]\n"
    "       pantrycrm cutover --rollback [--yes] [--report-dir DIR] [--quiet-for SECONDS]\n"
    "\n"
    "The go/no-go gate of the switch-over. GO only when: the sync has applied the\n"
    "source's current change version (lag 0) and no table needs re-copying; the\n"
    "source has had no new version for --quiet-for seconds (the old application is\n"
    "stopped); verify finds counts and content equal; no open quarantine row is\n"
    "left unless the operator accepted it; and every foreign key is validated.\n"
    "Each failing condition is listed with its reason. --commit records the\n"
    "cutover in the target (then migrate and rollback refuse) and writes the final\n"
    "report, cutover-ID.json and cutover-ID.md, with the timings and the downtime\n"
    "window (source quiet to commit), and hands the migration history to the\n"
    "application: the Drizzle baseline, as `pantrycrm db drizzle-baseline` writes it.\n"
    "The commit also installs the capture that 'pantrycrm fallback' carries back to\n"
    "the legacy database.\n"
    "\n"
    "--rollback-check is the gate of the switch back: GO only when a cutover is in\n"
    "effect, the fallback has applied every captured change (lag 0), PostgreSQL has\n"
    "had no application change for --quiet-for seconds, verify finds the legacy\n"
    "database equal to PostgreSQL under the transform, and the fallback quarantine\n"
    "is empty. --rollback records the switch back, takes the capture off (the\n"
    "forward sync may run again) and writes rollback-ID.json and rollback-ID.md.\n"
    "\n"
    "Options:\n"
    "      --check              check only (the default)\n"
    "      --commit             check, then record the cutover when everything is go\n"
    "      --rollback-check     check the switch back to the legacy database\n"
    "      --rollback           check, then record the switch back when everything is go\n"
    "  -y, --yes                do not ask for confirmation\n"
    "      --quiet-for=SECONDS  how long the source must have been quiet (default 10)\n"
    "      --report-dir=DIR     where --commit writes the report (default: .)\n"
    "      --drizzle-out=DIR    where --commit writes the Drizzle migrations folder\n"
    "                           (default: REPORT-DIR/drizzle)\n"
    "      --json               print the check as JSON\n"
    "  -s, --source=SOURCE      the legacy database (default: the last run's)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target\n"
    "      --synonyms=FILE      as for migrate (default: the last run's)\n"
    "      --policy=T.C=ACTION  as for migrate (repeatable)\n"
    "      --source-timezone=TZ as for migrate\n"
    "      --years=MIN:MAX      as for migrate\n"
    "      --bad-email=keep|null as for migrate\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 go (with --commit: recorded), 1 no-go or an error, 2 usage.\n";

enum { OPT_CHECK = 256, OPT_COMMIT, OPT_QUIET, OPT_REPORT_DIR, OPT_JSON, OPT_DRIZZLE_OUT,
       OPT_RB_CHECK, OPT_RB };

/* The gate's checks (or its JSON), then what was recorded. */
static void print_result(const struct cutover_opts *o, const struct cutover_result *r)
{
    if (!r->checked)
        return;
    if (o->json && !o->commit && !o->rollback) {
        char *s = json_dumps(r->report, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    } else {
        printf("%s check: %s\n", r->title, r->go ? "GO" : "NO-GO");
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(r->report, "checks"), i, c)
            printf("  %-4s  %-13s %s\n", json_is_true(json_object_get(c, "ok")) ? "ok" : "FAIL",
                   json_string_value(json_object_get(c, "name")),
                   json_string_value(json_object_get(c, "detail")));
    }
    if (r->recorded_id <= 0)
        return;
    bool rollback = strcmp(r->title, "rollback") == 0;
    if (!r->json_path)
        printf("%s recorded (id %ld), but the report could not be written\n", r->title,
               r->recorded_id);
    else if (rollback)
        printf("rollback recorded at %s (downtime window %.1f s); the legacy database is the "
               "system of record again and 'pantrycrm sync' may resume; reports: %s, %s\n",
               json_string_value(json_object_get(r->report, "rolled_back_at")),
               json_real_value(json_object_get(r->report, "downtime_seconds")), r->json_path,
               r->md_path);
    else
        printf("cutover recorded at %s (downtime window %.1f s); reports: %s, %s\n",
               json_string_value(json_object_get(r->report, "committed_at")),
               json_real_value(json_object_get(r->report, "downtime_seconds")), r->json_path,
               r->md_path);
}

int cmd_cutover(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"check", no_argument, NULL, OPT_CHECK},
        {"commit", no_argument, NULL, OPT_COMMIT},
        {"rollback-check", no_argument, NULL, OPT_RB_CHECK},
        {"rollback", no_argument, NULL, OPT_RB},
        {"yes", no_argument, NULL, 'y'},
        {"quiet-for", required_argument, NULL, OPT_QUIET},
        {"report-dir", required_argument, NULL, OPT_REPORT_DIR},
        {"json", no_argument, NULL, OPT_JSON},
        {"drizzle-out", required_argument, NULL, OPT_DRIZZLE_OUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cutover_opts o = {.conninfo = cli_globals.conninfo, .quiet_for = 10};
    struct transform_args x;
    memset(&x, 0, sizeof x);
    char *drizzle_out = NULL;
    bool check = false, yes = false;
    int rc = EXIT_USAGE;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:yh", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        char *end;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case OPT_CHECK: check = true; break;
        case OPT_COMMIT: o.commit = true; break;
        case OPT_RB_CHECK: o.rollback_check = true; break;
        case OPT_RB: o.rollback = true; break;
        case 'y': yes = true; break;
        case OPT_QUIET:
            o.quiet_for = strtod(optarg, &end);
            if (*optarg == '\0' || *end || !(o.quiet_for >= 0 && o.quiet_for <= 86400)) {
                cli_usage_error(prefix, "--quiet-for takes seconds from 0 to 86400, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_REPORT_DIR: o.report_dir = optarg; break;
        case OPT_JSON: o.json = true; break;
        case OPT_DRIZZLE_OUT:
            free(drizzle_out);
            drizzle_out = xstrdup(optarg);
            break;
        case 'h':
            fputs(cutover_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    if ((int)check + (int)o.commit + (int)o.rollback_check + (int)o.rollback > 1) {
        cli_usage_error(prefix, "--check, --commit, --rollback-check and --rollback exclude each other");
        goto out;
    }
    if (o.commit && !guard_write_cli(prefix, "cutover --commit")) {
        rc = EXIT_FAIL;
        goto out;
    }
    if (o.report_dir && access(o.report_dir, W_OK) != 0) {
        cli_usage_error(prefix, "--report-dir %s is not a writable directory", o.report_dir);
        goto out;
    }
    if (o.rollback && !yes) {
        if (!isatty(STDIN_FILENO)) {
            cli_usage_error(prefix, "--rollback asks for confirmation; give --yes when not on a terminal");
            goto out;
        }
        fprintf(stderr, "After the rollback the legacy database is the system of record again and\n"
                        "changes in PostgreSQL are no longer captured. Record it? [y/N] ");
        char line[16];
        if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
            fprintf(stderr, "not recorded\n");
            rc = EXIT_FAIL;
            goto out;
        }
    }
    if (o.commit && !yes) {
        if (!isatty(STDIN_FILENO)) {
            cli_usage_error(prefix, "--commit asks for confirmation; give --yes when not on a terminal");
            goto out;
        }
        fprintf(stderr, "After the cutover the target is the system of record: migrate and rollback\n"
                        "will refuse. Record it? [y/N] ");
        char line[16];
        if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
            fprintf(stderr, "not recorded\n");
            rc = EXIT_FAIL;
            goto out;
        }
    }
    rc = EXIT_FAIL;
    if (transform_args_from_last_run(o.conninfo, &x, "cutover", true) != 0)
        goto out;
    o.source = x.source;
    o.transform = x.settings;
    char *err = NULL;
    struct cutover_result res;
    int st = o.rollback || o.rollback_check ? cutover_rollback_run(&o, &res, &err)
                                            : cutover_run(&o, &res, &err);
    print_result(&o, &res);
    cutover_result_free(&res);
    if (st < 0)
        warnx_("cutover: %s", err ? err : "failed");
    rc = st == 0 ? EXIT_OK : EXIT_FAIL;
    free(err);
    err = NULL;
    /* Once the target is the system of record, the application's migration
     * tool takes over its history. A failure here leaves the cutover
     * recorded; the message says how to redo just this step. */
    if (st == 0 && o.commit) {
        if (!drizzle_out)
            drizzle_out = xasprintf("%s/drizzle", o.report_dir ? o.report_dir : ".");
        if (drizzle_baseline(o.conninfo, drizzle_out, NULL, NULL, &cli_stdout, &err) != 0) {
            warnx_("cutover: recorded, but the Drizzle baseline failed: %s "
                   "(run `pantrycrm db drizzle-baseline --out %s` once it is fixed)", err, drizzle_out);
            rc = EXIT_FAIL;
        }
        free(err);
    }
out:
    transform_args_free(&x);
    free(drizzle_out);
    return rc;
}
