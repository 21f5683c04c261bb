/* cmd_stats.c - `pantrycrm stats`: the dashboard's numbers, headless.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "schema.h"
#include "commands.h"
#include "report.h"
#include "pg.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char stats_help[] =
    "Usage: pantrycrm stats [-d CONNINFO] [--refresh [--as-of=TIME]] [--json]\n"
    "\n"
    "The dashboard's numbers: organizations (total, active, priority A), contacts,\n"
    "interactions, average estimated revenue, follow-ups due today and overdue,\n"
    "the pipeline by opportunity stage, organizations by segment and priority,\n"
    "interactions per week over 26 weeks and contracts ending within 30/60/90\n"
    "days. They come from a summary that --refresh recomputes (run it from cron,\n"
    "e.g. every 5 minutes); the output says when it was computed.\n"
    "\n"
    "Options:\n"
    "  -d, --dbname=CONNINFO  the PostgreSQL target (URI or key=value)\n"
    "      --refresh          recompute the summary first (needs write access)\n"
    "      --as-of=TIME       with --refresh: the reference time for 'today', the\n"
    "                         weeks and the expiries (a timestamp; default now)\n"
    "      --json             print JSON\n"
    "  -h, --help             show this help and exit\n"
    "\n"
    "Exit status: 0 done, 1 failed or never computed, 2 usage.\n";

int cmd_stats(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"refresh", no_argument, NULL, 'R'},
        {"as-of", required_argument, NULL, 'A'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *as_of = NULL;
    bool json = false, refresh = false;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:h", opts)) != -1) {
        switch (c) {
        case 'd': conninfo = optarg; break;
        case 'R': refresh = true; break;
        case 'A': as_of = optarg; break;
        case 'J': json = true; break;
        case 'h':
            fputs(stats_help, stdout);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    if (as_of && !refresh)
        return cli_usage_error(prefix, "--as-of only applies with --refresh");
    if (refresh && !guard_write_cli(prefix, "stats --refresh (it writes the summary)"))
        return EXIT_FAIL;
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "read the dashboard's numbers", &err);
    if (!conn) {
        warnx_("stats: %s", err);
        free(err);
        return EXIT_FAIL;
    }
    char *missing = schema_missing(conn);
    if (missing) {
        warnx_("stats: %s", missing);
        free(missing);
        PQfinish(conn);
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    struct stats s;
    memset(&s, 0, sizeof s);
    if (refresh) {
        /* A standby replays the primary's summary and cannot write one
         * (its LOCK TABLE would fail "during recovery"): say where. */
        char *lag = NULL;
        int standby = pg_standby(conn, &lag, &err);
        free(lag);
        if (standby == 1) {
            warnx_("stats: refresh: this server is a standby (read replica), which cannot write "
                   "the summary; run 'pantrycrm stats --refresh' against the primary (e.g. -d with "
                   "target_session_attrs=read-write): its summary reaches this standby by "
                   "replication, and 'pantrycrm stats' here reads it");
            goto out;
        }
        if (standby < 0) {
            warnx_("stats: %s", err);
            goto out;
        }
    }
    if (refresh && stats_refresh(conn, as_of, NULL, &err) != 0) {
        warnx_("stats: refresh: %s", err);
        goto out;
    }
    if (stats_load(conn, &s, &err) != 0) {
        warnx_("stats: %s", err);
        goto out;
    }
    if (json) {
        char *text = stats_to_json(&s);
        fputs(text, stdout);
        free(text);
    } else {
        stats_print_text(&s, stdout);
    }
    if (!s.refreshed) {
        if (json)
            warnx_("stats: the dashboard summary was never computed: run 'pantrycrm stats --refresh'");
        goto out;
    }
    rc = EXIT_OK;
out:
    free(err);
    PQfinish(conn);
    return rc;
}
