/* cmd_assess.c - `pantrycrm assess`: the pre-flight assessment.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "assess.h"
#include "cli.h"
#include "cli_transform.h"
#include "commands.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char assess_help[] =
    "Usage: pantrycrm assess --source SOURCE [OPTIONS]\n"
    "\n"
    "Read the whole legacy database once, through the same conversion as\n"
    "migrate, and predict trouble before a row moves: row counts and sizes,\n"
    "the rows that would be quarantined and why, repairs, NUL and lone\n"
    "surrogate counts, the longest NVARCHAR(MAX) values, every spelling of\n"
    "every enumerated column and the label it maps to (or not), orphan foreign\n"
    "keys, ids that are not UUIDs, date ranges, unique values that collide or\n"
    "change meaning outside SQL Server's case-insensitive collation, snapshot\n"
    "isolation and Change Tracking status, and the expected run time.\n"
    "Nothing is written anywhere.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy database (as for migrate)\n"
    "      --synonyms=FILE      as for migrate\n"
    "      --policy=T.C=ACTION  as for migrate (repeatable)\n"
    "      --source-timezone=TZ as for migrate (accepted for symmetry)\n"
    "      --years=MIN:MAX      as for migrate\n"
    "      --bad-email=keep|null as for migrate\n"
    "      --load-rate=ROWS     rows per second a whole migration reaches here,\n"
    "                           for the estimate (default 65000, measured on 2 cores)\n"
    "      --json               print JSON\n"
    "  -o, --output=FILE        write the JSON to FILE instead (atomically: a reader\n"
    "                           sees the old file or the whole new one)\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 assessed (findings are in the output), 1 error, 2 usage.\n";

/* The console reads the file while assess may be writing it: write a
 * temporary file beside it, then rename. */
static int write_atomically(const char *path, const json_t *a)
{
    char *tmp = xasprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = -1;
    if (!f) {
        warnx_("assess: cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
    } else {
        bool ok = json_dumpf(a, f, JSON_COMPACT | JSON_ENSURE_ASCII) == 0;
        ok = fclose(f) == 0 && ok;
        if (!ok)
            warnx_("assess: cannot write %s: %s", tmp, strerror(errno));
        else if (rename(tmp, path) != 0)
            warnx_("assess: cannot rename %s to %s: %s", tmp, path, strerror(errno));
        else
            rc = 0;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

static void on_table(const char *table, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\rassessing %-20s", table);
    fflush(stderr);
}

int cmd_assess(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"load-rate", required_argument, NULL, 'L'},
        {"json", no_argument, NULL, 'J'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct transform_args x;
    memset(&x, 0, sizeof x);
    struct assess_opts o;
    memset(&o, 0, sizeof o);
    bool json = false;
    const char *output = NULL;
    int rc = EXIT_USAGE;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:o:h", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (c) {
        case 'L': {
            char *end;
            double v = strtod(optarg, &end);
            if (*optarg == '\0' || *end || !(v >= 1 && v <= 1e9)) {
                cli_usage_error(prefix, "--load-rate takes rows per second (1 to 1e9), not '%s'",
                                optarg);
                goto out;
            }
            o.load_rows_per_s = v;
            break;
        }
        case 'J': json = true; break;
        case 'o': output = optarg; break;
        case 'h':
            fputs(assess_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    if (!x.source) {
        cli_usage_error(prefix, "--source is required (e.g. --source sqlite:legacy.db)");
        goto out;
    }
    o.source = x.source;
    o.transform = x.settings;
    char *err = NULL;
    bool tty = isatty(STDERR_FILENO);
    json_t *a = assess_run(&o, tty ? on_table : NULL, NULL, &err);
    if (tty)
        fputs("\r\033[K", stderr);
    if (!a) {
        warnx_("assess: %s", err ? err : "failed");
        free(err);
        rc = EXIT_FAIL;
        goto out;
    }
    if (output) {
        rc = write_atomically(output, a) == 0 ? EXIT_OK : EXIT_FAIL;
        json_decref(a);
        goto out;
    }
    if (json) {
        json_dumpf(a, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
    } else {
        assess_print(stdout, a);
    }
    json_decref(a);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
out:
    transform_args_free(&x);
    return rc;
}
