/* cmd_migrate.c - `pantrycrm migrate` and `pantrycrm report`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "runinfo.h"
#include "schema.h"
#include "commands.h"
#include "engine.h"
#include "migrate_report.h"
#include "state.h"
#include "pg.h"
#include "verify.h"
#include "cli_transform.h"
#include "userconf.h"

#include <jansson.h>

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

/* The target's last recorded run. False when there is none or it cannot
 * be read (the engine then reports what is wrong with the target). */
static bool last_run(const char *conninfo, struct run_info *r)
{
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "read the last migration run", &err);
    free(err);
    err = NULL;
    if (!conn)
        return false;
    bool found = run_info_last(conn, r, &err) == 1;
    free(err);
    PQfinish(conn);
    return found;
}

/* "sqlite:legacy.db", "legacy.db" and its absolute path are one source. */
static bool same_source(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    if (strncmp(a, "sqlite:", 7) == 0)
        a += 7;
    if (strncmp(b, "sqlite:", 7) == 0)
        b += 7;
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    bool same = strcmp(a, b) == 0 || (ra && rb && strcmp(ra, rb) == 0);
    free(ra);
    free(rb);
    return same;
}

static const char migrate_help[] =
    "Usage: pantrycrm migrate [--source SOURCE] [OPTIONS]\n"
    "       pantrycrm migrate --rollback [--yes] [-d CONNINFO]\n"
    "\n"
    "Copy every row of the legacy database into the PostgreSQL target: each row\n"
    "ends migrated or quarantined with its reason. Each batch commits together\n"
    "with its checkpoint, so running the same command again after a crash, a\n"
    "kill or Ctrl-C continues where it stopped, losing and repeating nothing.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy database: sqlite:FILE (or FILE),\n"
    "                           mssql://[USER@]HOST[:PORT]/DATABASE[?OPTIONS] or\n"
    "                           mssql:[USER@]SERVERNAME/DATABASE (freetds.conf);\n"
    "                           password from PANTRYCRM_MSSQL_PASSWORD(_FILE) or a prompt;\n"
    "                           default: the last run's (an unfinished run resumes\n"
    "                           only from its own source)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target (URI or key=value)\n"
    "  -j, --jobs=N             tables loaded at once, and index builds (default 2)\n"
    "      --batch-size=N       rows per committed batch (default 10000)\n"
    "      --synonyms=FILE      enum synonyms (default: the shipped synonyms.conf)\n"
    "      --policy=T.C=ACTION  what to do with an unmappable value of table T,\n"
    "                           column C ('*' for any): quarantine (default), null,\n"
    "                           or default:LABEL; repeatable, the last match wins\n"
    "      --source-timezone=TZ the zone of the source's DATETIME2 values (UTC)\n"
    "      --years=MIN:MAX      plausible years for dates (default 1900:2099)\n"
    "      --bad-email=keep|null an unrepairable e-mail: keep it, flagged (default), or null it\n"
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
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"jobs", required_argument, NULL, 'j'},
        {"batch-size", required_argument, NULL, 'b'},
        {"state", required_argument, NULL, 't'},
        {"progress", required_argument, NULL, 'p'},
        {"rollback", no_argument, NULL, 'R'},
        {"yes", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct engine_opts o = {.conninfo = cli_globals.conninfo, .jobs = 2, .batch_rows = 10000};
    /* Defaults from the configuration; the command line wins. */
    const struct config *cfg = config_get();
    if (cfg->jobs)
        o.jobs = cfg->jobs;
    if (cfg->batch_rows)
        o.batch_rows = (size_t)cfg->batch_rows;
    struct transform_args x;
    memset(&x, 0, sizeof x);
    bool rollback = false, yes = false;
    const char *progress = "auto";
    char *state_default = NULL, *options = NULL, *run_source = NULL;
    int rc = EXIT_USAGE;
    long v;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:j:yh", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case 'j':
            if (!cli_number(optarg, 1, MIGRATE_MAX_JOBS, &v)) {
                cli_usage_error(prefix, "--jobs takes a number from 1 to 16, not '%s'", optarg);
                goto out;
            }
            o.jobs = (int)v;
            break;
        case 'b':
            if (!cli_number(optarg, 1, 1000000, &v)) {
                cli_usage_error(prefix, "--batch-size takes a number from 1 to 1000000, not '%s'", optarg);
                goto out;
            }
            o.batch_rows = (size_t)v;
            break;
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
    enum progress_mode mode;
    if (strcmp(progress, "auto") == 0)
        mode = isatty(STDOUT_FILENO) ? PROGRESS_BARS : PROGRESS_JSONL;
    else if (strcmp(progress, "bars") == 0)
        mode = PROGRESS_BARS;
    else if (strcmp(progress, "json") == 0)
        mode = PROGRESS_JSONL;
    else if (strcmp(progress, "none") == 0)
        mode = PROGRESS_NONE;
    else {
        cli_usage_error(prefix, "--progress takes auto, bars, json or none, not '%s'", progress);
        goto out;
    }

    rc = EXIT_FAIL;
    if (!guard_write_cli(prefix, rollback ? "migrate --rollback" : "migrate"))
        goto out;
    char *err = NULL;
    if (rollback) {
        if (!yes && !confirm_rollback(o.conninfo)) {
            rc = EXIT_FAIL;
            goto out;
        }
        bool restored = false;
        rc = engine_rollback(o.conninfo, &restored, &err) == 0 ? EXIT_OK : EXIT_FAIL;
        if (rc == EXIT_OK)
            printf("the target is empty again%s\n",
                   restored ? " (deferred indexes and foreign keys restored)" : "");
        if (err) {
            warnx_("migrate --rollback: %s", err);
            free(err);
        }
        goto out;
    }
    /* A run that did not finish resumes from its checkpoints, which are
     * keys of its own source: without --source it is that source, and
     * another source is refused rather than mixed into its tables. */
    struct run_info run = {0};
    bool have_run = last_run(o.conninfo, &run);
    bool unfinished = have_run && run_info_unfinished(&run);
    run_source = run.source;
    if (!x.source && have_run) {
        x.source = run_source;
        fprintf(stderr, "migrate: %s run %lld (%s) from its source %s\n",
                unfinished ? "resuming" : "repeating", run.id, run.status, run_source);
    }
    if (!x.source)
        x.source = cfg->source;
    if (!x.settings.synonyms_path)
        x.settings.synonyms_path = cfg->synonyms;
    if (!x.source) {
        free(run.status);
        rc = cli_usage_error(prefix, "--source is required (e.g. --source sqlite:legacy.db)");
        goto out;
    }
    if (unfinished && !same_source(x.source, run_source)) {
        warnx_("migrate: run %lld (%s) came from %s and resumes only from it; give "
               "--source %s (or no --source), or roll it back first (migrate --rollback)",
               run.id, run.status, run_source, run_source);
        free(run.status);
        rc = EXIT_FAIL;
        goto out;
    }
    free(run.status);
    if (!o.state_path)
        o.state_path = state_default = state_default_path();
    o.source = x.source;
    o.transform = x.settings;
    o.options_json = options = transform_args_json(&x, o.jobs, o.batch_rows);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    struct progress_display display;
    progress_init(&display, mode, stdout);
    progress_attach(&display, &o);
    rc = engine_migrate(&o, &err);
    if (rc == 1) {
        warnx_("migrate: %s", err ? err : "failed");
        rc = EXIT_FAIL;
    } else if (rc == 0) {
        char *rerr = NULL;
        struct engine_report report;
        if (mode != PROGRESS_JSONL)
            fputc('\n', stdout);
        if (engine_report_read(o.conninfo, &report, &rerr) != 0) {
            warnx_("report: %s", rerr);
            free(rerr);
        } else {
            progress_print_report(stdout, &report, mode == PROGRESS_JSONL);
        }
        engine_report_free(&report);
    }
    free(err);
out:
    transform_args_free(&x);
    free(run_source);
    free(state_default);
    free(options);
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
    struct engine_report report;
    int rrc = engine_report_read(conninfo, &report, &err);
    if (rrc == 0)
        progress_print_report(stdout, &report, json);
    engine_report_free(&report);
    if (rrc != 0) {
        /* A database never migrated deserves advice, not an SQL error. */
        char *cerr = NULL, *missing = NULL;
        PGconn *conn = pg_connect(conninfo, "read the migration report", &cerr);
        if (conn)
            missing = schema_missing(conn);
        warnx_("report: %s", missing ? missing : err);
        free(missing);
        free(cerr);
        PQfinish(conn);
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static const char verify_help[] =
    "Usage: pantrycrm verify [--source SOURCE] [OPTIONS]\n"
    "\n"
    "Prove that nothing was lost: per table, source rows = migrated + quarantined,\n"
    "no foreign key in the target points nowhere, and every source row,\n"
    "transformed as migrate does, equals its target row (chunk digests, narrowed\n"
    "down to the differing rows). By default the source and the transform\n"
    "options are those the last migrate run recorded in the target.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy database (default: the last run's)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target\n"
    "      --synonyms=FILE      as for migrate\n"
    "      --policy=T.C=ACTION  as for migrate (repeatable)\n"
    "      --source-timezone=TZ as for migrate\n"
    "      --years=MIN:MAX      as for migrate\n"
    "      --bad-email=keep|null as for migrate\n"
    "      --chunk-rows=N       rows per compared chunk (default 5000)\n"
    "      --json               print JSON\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 everything matches, 1 a mismatch or an error, 2 usage.\n";

/* verify's findings (verify.h) as JSON or as a table with the listed rows. */
static void print_verify(FILE *out, json_t *doc, bool json)
{
    if (json) {
        char *s = json_dumps(doc, JSON_INDENT(2));
        fprintf(out, "%s\n", s);
        free(s);
        return;
    }
    fprintf(out, "%-18s %10s %10s %11s %8s %10s %9s %8s  %s\n", "table", "source", "target",
            "quarantined", "orphans", "compared", "differing", "missing", "result");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "tables"), i, c) {
#define N(k) ((long long)json_integer_value(json_object_get(c, k)))
        fprintf(out, "%-18s %10lld %10lld %11lld %8lld %10lld %9lld %8lld  %s\n",
                json_string_value(json_object_get(c, "table")), N("source_rows"), N("target_rows"),
                N("quarantined"), N("orphans"), N("rows_compared"), N("rows_differing"),
                N("rows_missing"), json_is_true(json_object_get(c, "ok")) ? "ok" : "MISMATCH");
        size_t idx;
        json_t *row;
        json_array_foreach(json_object_get(c, "rows"), idx, row) {
            const char *col = json_string_value(json_object_get(row, "column"));
            fprintf(out, "    %s: %s%s%s\n", json_string_value(json_object_get(row, "key")),
                    json_string_value(json_object_get(row, "problem")), col ? " in column " : "",
                    col ? col : "");
        }
        if (N("source_rows") != N("target_rows") + N("quarantined"))
            fprintf(out, "    counts do not reconcile: %lld source != %lld target + %lld "
                         "quarantined\n", N("source_rows"), N("target_rows"), N("quarantined"));
#undef N
    }
    /* the same words as migrate's report */
    collisions_print(out, json_object_get(doc, "case_insensitive_duplicates"),
                     json_string_value(json_object_get(doc, "case_insensitive_duplicates_error")));
    fprintf(out, "%s\n", json_is_true(json_object_get(doc, "ok"))
                             ? "verify: every source row is migrated or quarantined, "
                               "and every migrated row matches"
                             : "verify: MISMATCH (see above)");
}

int cmd_verify(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"chunk-rows", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct verify_opts o = {.conninfo = cli_globals.conninfo, .chunk_rows = 5000, .max_listed = 20};
    bool json = false;
    struct transform_args x;
    memset(&x, 0, sizeof x);
    int rc = EXIT_USAGE;
    long v;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:h", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case 'c':
            if (!cli_number(optarg, 1, 1000000, &v)) {
                cli_usage_error(prefix, "--chunk-rows takes a number from 1 to 1000000, not '%s'", optarg);
                goto out;
            }
            o.chunk_rows = (size_t)v;
            break;
        case 'J': json = true; break;
        case 'h':
            fputs(verify_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    rc = EXIT_FAIL;
    if (transform_args_from_last_run(o.conninfo, &x, "verify", false) != 0)
        goto out;
    o.source = x.source;
    o.transform = x.settings;
    char *err = NULL;
    json_t *found = NULL;
    int st = verify_run(&o, &found, &err);
    if (found)
        print_verify(stdout, found, json);
    json_decref(found);
    if (st < 0) {
        warnx_("verify: %s", err ? err : "failed");
        rc = EXIT_FAIL;
    } else {
        rc = st == 0 ? EXIT_OK : EXIT_FAIL;
    }
    free(err);
out:
    transform_args_free(&x);
    return rc;
}
