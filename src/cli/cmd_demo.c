/* cmd_demo.c - `pantrycrm demo up|down|status|conninfo|generate`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "commands.h"
#include "demo.h"
#include "gen.h"
#include "activity.h"
#include "source_sqlite.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

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
    if (demo_up(&d, &cli_stdout, &err) != 0) {
        warnx_("demo up: %s", err);
        free(err);
        demo_free(&d);
        return EXIT_FAIL;
    }
    printf("the demo database is ready:\n"
           "  connection:  %s\n"
           "  psql:        psql \"%s\"\n"
           "  legacy:      %s\n"
           "  migrate it:  pantrycrm -d \"%s\" migrate --source %s\n"
           "  stop it:     pantrycrm demo down\n",
           d.conninfo, d.conninfo, d.legacy, d.conninfo, d.legacy);
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
    if (demo_down(&d, &cli_stdout, &err) != 0) {
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
    if (access(d.legacy, R_OK) == 0)
        printf("legacy:      %s\n", d.legacy);
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

static const char generate_help[] =
    "Write a legacy database (the Prisma / SQL Server schema the migration reads)\n"
    "as a SQLite file, with realistic food-service data: S organizations, 3S\n"
    "contacts, 10S interactions, S opportunities, S/2 leads, 3S/10 contracts and\n"
    "max(50, S/1000) users. The same seed and scale give the same file.\n"
    "A report of the injected dirt goes to FILE.dirt.json.\n"
    "With --format tsql, FILE is instead a T-SQL script that creates and fills\n"
    "the same tables, with the same data, on a real SQL Server.\n"
    "\n"
    "Options:\n"
    "  -s, --scale=S         number of organizations (1..10000000), required\n"
    "  -o, --out=FILE        the SQLite file to create, required\n"
    "      --seed=N          seed of the pseudo-random data (default 1)\n"
    "      --messy           add the legacy dirt (enum spellings, orphans, NULs,\n"
    "                        lone surrogates, odd ids, far dates...) at documented\n"
    "                        rates, and print how much of each was injected\n"
    "      --surrogates=HOW  how --messy stores a lone surrogate: wtf8 (the raw\n"
    "                        bytes, default) or escape (\\uD83D, for tds-standin)\n"
    "      --format=FORMAT   sqlite (the default) or tsql: a script of CREATE\n"
    "                        TABLE and INSERT batches (1000 rows, one transaction\n"
    "                        each, GO between) for sqlcmd or tsql\n"
    "      --change-tracking with tsql: also turn on snapshot isolation and Change\n"
    "                        Tracking for the database and every table\n"
    "  -f, --force           replace FILE if it exists\n"
    "  -h, --help            show this help and exit\n";

enum { OPT_SEED = 256, OPT_MESSY, OPT_SURROGATES, OPT_FORMAT, OPT_CHANGE_TRACKING };

static const struct option generate_opts[] = {
    {"scale", required_argument, NULL, 's'},
    {"out", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"messy", no_argument, NULL, OPT_MESSY},
    {"surrogates", required_argument, NULL, OPT_SURROGATES},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"change-tracking", no_argument, NULL, OPT_CHANGE_TRACKING},
    {"force", no_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Digits only: strtoull alone would take " 12", "+12" and "-12". */
static bool parse_u64(const char *s, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *v = x;
    return true;
}

/* --format tsql: the SQLite file first (beside FILE, removed after), then
 * the script from it, so both formats hold the same data. */
static int generate_tsql(const struct gen_opts *opts, bool change_tracking)
{
    if (!opts->force && access(opts->out, F_OK) == 0) {
        warnx_("demo generate: %s exists (use --force to replace it)", opts->out);
        return EXIT_FAIL;
    }
    struct gen_opts o = *opts;
    char *db = xasprintf("%s.sqlite-tmp", opts->out);
    char *tmp = xasprintf("%s.tmp", opts->out);
    char *dirt_from = xasprintf("%s.dirt.json", db), *dirt_to = xasprintf("%s.dirt.json", opts->out);
    o.out = db;
    o.force = true;
    o.escape_surrogates = false;
    char *err = NULL;
    int rc = EXIT_FAIL;
    FILE *f = NULL;
    if (gen_legacy_sqlite(&o, &cli_stdout, &err) != 0)
        goto out;
    if (!(f = fopen(tmp, "w"))) {
        err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (gen_tsql_from_sqlite(db, opts, change_tracking, f, NULL, &err) != 0)
        goto out;
    if (fclose(f) != 0) {
        f = NULL;
        err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    if (rename(tmp, opts->out) != 0 || rename(dirt_from, dirt_to) != 0) {
        err = xasprintf("cannot rename %s to %s: %s", tmp, opts->out, strerror(errno));
        goto out;
    }
    printf("wrote %s (T-SQL)\n", opts->out);
    rc = EXIT_OK;
out:
    if (f)
        fclose(f);
    if (rc != EXIT_OK) {
        fflush(stdout);
        warnx_("demo generate: %s", err ? err : "failed");
        unlink(tmp);
        unlink(dirt_from);
    }
    free(err);
    unlink(db);
    free(db);
    free(tmp);
    free(dirt_from);
    free(dirt_to);
    return rc;
}

static int demo_generate_cmd(int argc, char **argv, const char *prefix)
{
    struct gen_opts o = {.scale = 0, .messy = false, .seed = 1, .out = NULL, .force = false};
    uint64_t v;
    int c;
    bool tsql = false, change_tracking = false, surrogates_given = false;
    while ((c = cli_getopt(prefix, argc, argv, "s:o:fh", generate_opts)) != -1) {
        switch (c) {
        case 's':
            if (!parse_u64(optarg, &v) || v < 1 || v > (uint64_t)GEN_MAX_SCALE)
                return cli_usage_error(prefix, "--scale must be an integer from 1 to %ld, not '%s'",
                                       GEN_MAX_SCALE, optarg);
            o.scale = (long)v;
            break;
        case 'o':
            if (!*optarg)
                return cli_usage_error(prefix, "--out needs a file name");
            o.out = optarg;
            break;
        case OPT_SEED:
            if (!parse_u64(optarg, &o.seed))
                return cli_usage_error(prefix, "--seed must be an integer from 0 to %" PRIu64
                                       ", not '%s'", UINT64_MAX, optarg);
            break;
        case OPT_MESSY:
            o.messy = true;
            break;
        case OPT_FORMAT:
            if (str_eq(optarg, "tsql"))
                tsql = true;
            else if (str_eq(optarg, "sqlite"))
                tsql = false;
            else
                return cli_usage_error(prefix, "--format must be sqlite or tsql, not '%s'", optarg);
            break;
        case OPT_CHANGE_TRACKING:
            change_tracking = true;
            break;
        case OPT_SURROGATES:
            surrogates_given = true;
            if (str_eq(optarg, "wtf8"))
                o.escape_surrogates = false;
            else if (str_eq(optarg, "escape"))
                o.escape_surrogates = true;
            else
                return cli_usage_error(prefix, "--surrogates must be wtf8 or escape, not '%s'",
                                       optarg);
            break;
        case 'f':
            o.force = true;
            break;
        case 'h':
            printf("Usage: %s --scale=S --out=FILE [--seed=N] [--messy] [--force]\n%s", prefix,
                   generate_help);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    if (o.scale == 0)
        return cli_usage_error(prefix, "--scale is required");
    if (!o.out)
        return cli_usage_error(prefix, "--out is required");
    if (change_tracking && !tsql)
        return cli_usage_error(prefix, "--change-tracking goes with --format tsql");
    if (surrogates_given && tsql)
        return cli_usage_error(prefix, "--surrogates is for the SQLite file: the T-SQL script "
                               "always writes a lone surrogate as NCHAR(0xD8xx)");
    if (tsql)
        return generate_tsql(&o, change_tracking);
    char *err = NULL;
    if (gen_legacy_sqlite(&o, &cli_stdout, &err) != 0) {
        fflush(stdout);
        warnx_("demo generate: %s", err);
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static const char track_help[] =
    "Turn on change capture in a SQLite legacy source, as SQL Server's Change\n"
    "Tracking would be: change-log tables (__ct_*) and AFTER INSERT/UPDATE/DELETE\n"
    "triggers on every table with a primary key, one version per committed\n"
    "transaction (the same layout tds-standin uses). Run it before the full load\n"
    "so that 'pantrycrm sync' can follow the source. With --cleanup, forget the\n"
    "history up to a version instead, as the retention cleanup would (the tables'\n"
    "minimum valid version rises, which forces a re-copy of a sync behind it).\n"
    "\n"
    "Options:\n"
    "  -s, --source=FILE       the SQLite legacy file (default: the demo's)\n"
    "      --retention=SECONDS the retention period sync warns about\n"
    "      --cleanup           forget history instead of turning tracking on\n"
    "      --table=TABLE       with --cleanup, only this table (default: all)\n"
    "      --upto=VERSION      with --cleanup, up to this version (default: current)\n"
    "  -h, --help              show this help and exit\n";

enum { OPT_RETENTION = 300, OPT_CLEANUP, OPT_TABLE, OPT_UPTO };

static int demo_track_cmd(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"retention", required_argument, NULL, OPT_RETENTION},
        {"cleanup", no_argument, NULL, OPT_CLEANUP},
        {"table", required_argument, NULL, OPT_TABLE},
        {"upto", required_argument, NULL, OPT_UPTO},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *source = NULL, *table = NULL;
    bool cleanup = false;
    uint64_t v, retention = 0;
    int64_t upto = -1;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:h", opts)) != -1) {
        switch (c) {
        case 's': source = optarg; break;
        case OPT_RETENTION:
            if (!parse_u64(optarg, &v) || v < 1 || v > 100u * 365 * 86400)
                return cli_usage_error(prefix, "--retention takes seconds, not '%s'", optarg);
            retention = v;
            break;
        case OPT_CLEANUP: cleanup = true; break;
        case OPT_TABLE: table = optarg; break;
        case OPT_UPTO:
            if (!parse_u64(optarg, &v) || v > (uint64_t)INT64_MAX)
                return cli_usage_error(prefix, "--upto takes a version number, not '%s'", optarg);
            upto = (int64_t)v;
            break;
        case 'h':
            printf("Usage: %s [--source FILE] [--retention SECONDS]\n"
                   "       %s --cleanup [--source FILE] [--table TABLE] [--upto VERSION]\n%s",
                   prefix, prefix, track_help);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    if (!cleanup && (table || upto >= 0))
        return cli_usage_error(prefix, "--table and --upto go with --cleanup");
    struct demo d;
    demo_init(&d);
    if (source && str_starts_with(source, "sqlite:"))
        source += strlen("sqlite:");
    const char *path = source ? source : d.legacy;
    char *err = NULL;
    int rc = EXIT_OK;
    if (cleanup) {
        int64_t done = 0;
        if (source_sqlite_ct_cleanup(path, table, upto, &done, &err) != 0)
            rc = EXIT_FAIL;
        else
            printf("change history of %s forgotten up to version %lld\n", table ? table : "every table",
                   (long long)done);
    } else if (source_sqlite_track(path, (int64_t)retention, &cli_stdout, &err) != 0) {
        rc = EXIT_FAIL;
    }
    if (rc != EXIT_OK) {
        warnx_("demo track: %s", err);
        free(err);
    }
    demo_free(&d);
    return rc;
}

static const struct cli_command demo_commands[] = {
    {"up", "create and start the demo database", demo_up_cmd},
    {"down", "stop the demo database", demo_down_cmd},
    {"status", "show the demo database's state", demo_status_cmd},
    {"conninfo", "print the demo connection string", demo_conninfo_cmd},
    {"generate", "write a legacy (SQL Server) demo database as SQLite", demo_generate_cmd},
    {"track", "turn on change capture in a SQLite legacy source", demo_track_cmd},
    {"activity", "simulate the old application writing to the legacy source", demo_activity_cmd},
    {NULL, NULL, NULL},
};

int cmd_demo(int argc, char **argv, const char *prefix)
{
    return cli_dispatch(prefix, demo_commands, argc, argv);
}
