/* cmd_health.c - `pantrycrm health`: both databases' health, for scripts
 * and monitoring (the exit status says ok, degraded or down).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "report.h"
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char health_help[] =
    "Usage: pantrycrm health [-d CONNINFO] [--source SOURCE] [--memory=SIZE] [--json]\n"
    "\n"
    "Read-only checks of both databases: the PostgreSQL target's connection and\n"
    "latency, version, connections, cache hit ratio, database and table sizes,\n"
    "dead rows and autovacuum, unused and missing indexes, the slowest statements\n"
    "(pg_stat_statements) and its settings against the seed's recommendations;\n"
    "the legacy source's connection and latency. A role with only pg_monitor is\n"
    "enough.\n"
    "\n"
    "Options:\n"
    "  -d, --dbname=CONNINFO  the PostgreSQL target (URI or key=value)\n"
    "  -s, --source=SOURCE    the legacy database to check (default: the last\n"
    "                         migration run's, when readable)\n"
    "      --memory=SIZE      the database server's RAM for the settings advice,\n"
    "                         e.g. 16GB (default: this machine's when the server is\n"
    "                         local, else the seed's 1.75GB)\n"
    "      --json             print JSON\n"
    "  -h, --help             show this help and exit\n"
    "\n"
    "Exit status: 0 ok, 1 degraded, 2 down (the target is unreachable) or usage.\n";

static bool parse_size(const char *s, int64_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v <= 0)
        return false;
    double mul = 1;
    if (!strcasecmp(end, "") || !strcasecmp(end, "B"))
        mul = 1;
    else if (!strcasecmp(end, "kB") || !strcasecmp(end, "K"))
        mul = 1024;
    else if (!strcasecmp(end, "MB") || !strcasecmp(end, "M"))
        mul = 1024.0 * 1024;
    else if (!strcasecmp(end, "GB") || !strcasecmp(end, "G"))
        mul = 1024.0 * 1024 * 1024;
    else if (!strcasecmp(end, "TB") || !strcasecmp(end, "T"))
        mul = 1024.0 * 1024 * 1024 * 1024;
    else
        return false;
    if (v * mul < 64.0 * 1024 * 1024 || v * mul > 1e15)
        return false;
    *out = (int64_t)(v * mul);
    return true;
}

int cmd_health(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'},
        {"memory", required_argument, NULL, 'M'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *source = NULL;
    int64_t ram = 0;
    bool json = false;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:s:h", opts)) != -1) {
        switch (c) {
        case 'd': conninfo = optarg; break;
        case 's': source = optarg; break;
        case 'M':
            if (!parse_size(optarg, &ram))
                return cli_usage_error(prefix, "--memory takes a size from 64MB up, like 16GB, not '%s'",
                                       optarg);
            break;
        case 'J': json = true; break;
        case 'h':
            fputs(health_help, stdout);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    /* A monitoring probe must answer, not hang on an unreachable host. */
    setenv("PGCONNECT_TIMEOUT", "10", 0);
    struct health *h = xmalloc(sizeof *h);
    health_init(h, source, ram);
    health_run(conninfo, h);
    if (json) {
        char *text = health_to_json(h);
        fputs(text, stdout);
        free(text);
    } else {
        health_print_text(h, stdout);
    }
    int rc = h->status == HEALTH_OK ? 0 : h->status == HEALTH_DEGRADED ? 1 : 2;
    free(h);
    return rc;
}
