/* cmd_demo.c - `pantrycrm demo up|down|status|conninfo`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>

static const struct option help_only[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Every demo command takes only --help; -1 means go on. */
static int parse_help_only(const char *prefix, const char *text, int argc, char **argv)
{
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "h", help_only)) != -1) {
        if (c == 'h') {
            printf("Usage: %s\n%s\nOptions:\n  -h, --help  show this help and exit\n", prefix, text);
            return EXIT_OK;
        }
        return EXIT_USAGE;
    }
    return cli_no_more_args(prefix, argc, argv) ? EXIT_USAGE : -1;
}

static int demo_up_cmd(int argc, char **argv, const char *prefix)
{
    int rc = parse_help_only(prefix,
        "Create (the first time) and start a private PostgreSQL cluster for the demo\n"
        "under $XDG_DATA_HOME/pantrycrm/demo, listening only on a unix socket there,\n"
        "create the database \"" DEMO_DBNAME "\" and apply the schema. As root the server\n"
        "runs as the postgres system user.\n", argc, argv);
    if (rc >= 0)
        return rc;
    struct demo d;
    demo_init(&d);
    char *err = NULL;
    if (demo_up(&d, stdout, &err) != 0) {
        warnx_("demo up: %s", err);
        free(err);
        demo_free(&d);
        return EXIT_FAIL;
    }
    printf("the demo database is ready:\n"
           "  connection:  %s\n"
           "  psql:        psql \"%s\"\n"
           "  pantrycrm:   pantrycrm -d \"%s\" db status\n"
           "  stop it:     pantrycrm demo down\n",
           d.conninfo, d.conninfo, d.conninfo);
    demo_free(&d);
    return EXIT_OK;
}

static int demo_down_cmd(int argc, char **argv, const char *prefix)
{
    int rc = parse_help_only(prefix, "Stop the demo PostgreSQL server (its data is kept).\n",
                             argc, argv);
    if (rc >= 0)
        return rc;
    struct demo d;
    demo_init(&d);
    char *err = NULL;
    rc = EXIT_OK;
    if (demo_down(&d, stdout, &err) != 0) {
        warnx_("demo down: %s", err);
        free(err);
        rc = EXIT_FAIL;
    }
    demo_free(&d);
    return rc;
}

static int demo_status_cmd(int argc, char **argv, const char *prefix)
{
    int rc = parse_help_only(prefix,
        "Show whether the demo cluster exists and runs, and how to connect to it.\n"
        "Exit status 0 when it runs, 1 when it does not.\n", argc, argv);
    if (rc >= 0)
        return rc;
    struct demo d;
    demo_init(&d);
    bool exists = demo_exists(&d), running = exists && demo_running(&d);
    printf("cluster:     %s (%s)\n", d.datadir,
           !exists ? "not created: run 'pantrycrm demo up'" : running ? "running" : "stopped");
    printf("server:      %s\n", d.bindir ? d.bindir : "not found (install postgresql)");
    if (d.runas)
        printf("runs as:     %s\n", d.runas);
    printf("connection:  %s\n", d.conninfo);
    demo_free(&d);
    return running ? EXIT_OK : EXIT_FAIL;
}

static int demo_conninfo_cmd(int argc, char **argv, const char *prefix)
{
    int rc = parse_help_only(prefix,
        "Print the demo database's libpq connection string, for scripts:\n"
        "  psql \"$(pantrycrm demo conninfo)\"\n", argc, argv);
    if (rc >= 0)
        return rc;
    struct demo d;
    demo_init(&d);
    printf("%s\n", d.conninfo);
    demo_free(&d);
    return EXIT_OK;
}

static const struct cli_command demo_commands[] = {
    {"up", "create and start the demo database", demo_up_cmd},
    {"down", "stop the demo database", demo_down_cmd},
    {"status", "show the demo database's state", demo_status_cmd},
    {"conninfo", "print the demo connection string", demo_conninfo_cmd},
    {NULL, NULL, NULL},
};

int cmd_demo(int argc, char **argv, const char *prefix)
{
    return cli_dispatch(prefix, demo_commands, argc, argv);
}
