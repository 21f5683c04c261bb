/* cmd_config.c - `pantrycrm config`: which files are read, what is in
 * force, and whether the files are right. It only reads them.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "userconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char config_help[] =
    "Usage: pantrycrm config [--show | --check | --path | --keys]\n"
    "\n"
    "Show the configuration in force, each setting with the file and line it\n"
    "comes from. The system file is read first, then the user's; pantrycrm\n"
    "never writes either (see pantrycrm.conf(5)).\n"
    "\n"
    "Options:\n"
    "      --show    the settings in force (the default)\n"
    "      --check   report every mistake as FILE:LINE: message; exit 1 if any\n"
    "      --path    the files read, in order, and whether each exists\n"
    "      --keys    the setting names pantrycrm knows\n"
    "  -h, --help    show this help and exit\n";

static void print_path(const char *role, const char *path)
{
    struct stat st;
    printf("%-6s %s%s\n", role, path, stat(path, &st) == 0 ? "" : " (absent)");
}

int cmd_config(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"show", no_argument, NULL, 's'},
        {"check", no_argument, NULL, 'c'},
        {"path", no_argument, NULL, 'p'},
        {"keys", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int mode = 's', c;
    while ((c = cli_getopt(prefix, argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 's': case 'c': case 'p': case 'k': mode = c; break;
        case 'h': fputs(config_help, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    if (mode == 'p') {
        char *sys = config_system_path(), *user = config_default_path();
        print_path("system", sys);
        print_path("user", user);
        free(sys);
        free(user);
        return EXIT_OK;
    }
    if (mode == 'k') {
        for (const char *const *k = config_keys; *k; k++)
            printf("%s\n", *k);
        return EXIT_OK;
    }
    struct config cfg;
    char *err = NULL;
    int rc = config_load_all(&cfg, &err);
    for (size_t i = 0; i < cfg.nwarnings; i++)
        fprintf(stderr, "%s: warning: %s\n", prefix, cfg.warnings[i]);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
        free(err);
        config_free(&cfg);
        return EXIT_FAIL;
    }
    if (mode == 'c') {
        if (cfg.nfiles == 0)
            printf("no configuration file: the defaults apply\n");
        for (size_t i = 0; i < cfg.nfiles; i++)
            printf("%s: ok\n", cfg.files[i]);
    } else {
        char *text = config_text(&cfg);
        fputs(text, stdout);
        free(text);
    }
    config_free(&cfg);
    return EXIT_OK;
}
