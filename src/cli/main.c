/* main.c - pantrycrm: one binary, git-style subcommands, the console by default.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "console.h"
#include "guard.h"
#include "keymap.h"
#include "userconf.h"
#include "fault.h"
#include "util.h"

#include <locale.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command top_commands[] = {
    {"db", "target schema: migrate, status, drizzle, drizzle-baseline", cmd_db},
    {"demo", "the demo: up, down, status, conninfo, generate, track, activity", cmd_demo},
    {"assess", "predict what a migration will meet, before a row moves", cmd_assess},
    {"migrate", "copy the legacy database into the target (resumable)", cmd_migrate},
    {"report", "the migration's per-table summary", cmd_report},
    {"verify", "prove that every source row is migrated or quarantined", cmd_verify},
    {"quarantine", "rows that could not be migrated: list, show, replay, accept", cmd_quarantine},
    {"keys", "list the console's keys", console_keys},
    {"export", "write a list or a query's result as CSV or JSON Lines", cmd_export},
    {"config", "show and check the configuration files", cmd_config},
    {"stats", "the dashboard's numbers (pipeline, follow-ups, activity)", cmd_stats},
    {"health", "health of both databases, slow queries, settings advice", cmd_health},
    {"sync", "apply the live source's changes to the target (Change Tracking)", cmd_sync},
    {"cutover", "go/no-go gate and the record of the switch-over", cmd_cutover},
    {"fallback", "after the cutover, carry changes back to the legacy database", cmd_fallback},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
        "Usage: pantrycrm [OPTIONS]                 open the console\n"
        "       pantrycrm [OPTIONS] COMMAND [ARGS]  run a headless command\n"
        "\n"
        "Terminal console and migration engine for the Kitchen Pantry CRM.\n"
        "\n"
        "Commands:\n");
    for (const struct cli_command *c = top_commands; c->name; c++)
        fprintf(out, "  %-10s  %s\n", c->name, c->summary);
    fprintf(out,
        "\n"
        "Options:\n"
        "  -d, --dbname=CONNINFO  PostgreSQL connection (URI or key=value string); by\n"
        "                         default libpq's PG* variables, service file, ~/.pgpass\n"
        "                         (@NAME: a connection named in the configuration)\n"
        "  -r, --read-only        refuse every write: console keys and commands alike\n"
        "  -h, --help             show this help and exit\n"
        "  -V, --version          show the version and exit\n"
        "\n"
        "Run 'pantrycrm COMMAND --help' for a command's options; see pantrycrm(1).\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Numbers cross the wire as C-locale text (COPY, JSON, SQL): a user's
     * decimal comma must never reach strtod or printf. */
    setlocale(LC_NUMERIC, "C");
    util_set_progname(argv[0]);
    /* A dropped pipe (pantrycrm … | head) must end quietly, not kill us
     * with SIGPIPE in the middle of a database write. */
    signal(SIGPIPE, SIG_IGN);
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    /* Batches and result sets are megabytes that come and go. glibc raises
     * its mmap threshold after the first such block is freed and from then
     * on keeps them in the heap, where a freed one stays resident; a fixed
     * threshold hands them back (migrate at S=100,000: 50 -> 43 MB). */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    char *ferr = NULL;
    if (fault_init(&ferr) != 0) {
        warnx_("%s", ferr);
        free(ferr);
        return EXIT_USAGE;
    }

    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"read-only", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct console_opts copts = {0};
    int c;
    /* '+': stop at the first non-option, which names the subcommand. */
    while ((c = cli_getopt("pantrycrm", argc, argv, "+d:rhV", opts)) != -1) {
        switch (c) {
        case 'd':
            cli_globals.conninfo = optarg;
            break;
        case 'r':
            copts.read_only = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf("pantrycrm %s\n", PACKAGE_VERSION);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    /* The configuration is read before any command runs, and a mistake in
     * it stops everything but 'config' itself (which reports it) and a
     * request for help. */
    char *cfg_err = NULL;
    config_set_binding_check(keymap_check);
    if (config_init(&cfg_err) != 0) {
        bool spared = optind < argc && strcmp(argv[optind], "config") == 0;
        for (int i = optind; i < argc && !spared; i++)
            spared = strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
        if (!spared) {
            fprintf(stderr, "pantrycrm: %s\n", cfg_err);
            free(cfg_err);
            return EXIT_USAGE;
        }
        free(cfg_err);
    }
    /* Read-only holds for every command, the console's keys and the
     * headless writers alike (guard.h). */
    if (copts.read_only)
        guard_set_read_only("--read-only");
    else if (config_get()->read_only)
        guard_set_read_only("read-only = true in the configuration");
    if (optind >= argc) {
        copts.conninfo = cli_globals.conninfo;
        return console_main(&copts);
    }
    /* Hand the rest to the dispatcher as if "pantrycrm" were argv[0]. */
    argv[optind - 1] = "pantrycrm";
    return cli_dispatch("pantrycrm", top_commands, argc - optind + 1, argv + optind - 1);
}
