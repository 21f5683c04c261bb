/* cmd_db.c - `pantrycrm db migrate|status|drizzle|drizzle-baseline`: the target schema.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "commands.h"
#include "drizzle.h"
#include "pg.h"
#include "sanitize.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char conn_help[] =
    "  -d, --dbname=CONNINFO  PostgreSQL connection: a URI (postgresql://…) or a\n"
    "                         key=value string; by default libpq's PG* environment\n"
    "                         variables, service file and ~/.pgpass apply\n"
    "  -h, --help             show this help and exit\n";

static const struct option conn_opts[] = {
    {"dbname", required_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses the options every db command takes; returns -1 to go on, or an
 * exit status (help printed, or a usage error). */
static int parse_conn_opts(const char *prefix, const char *usage, int argc, char **argv,
                           const char **conninfo)
{
    *conninfo = cli_globals.conninfo;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:h", conn_opts)) != -1) {
        switch (c) {
        case 'd':
            *conninfo = optarg;
            break;
        case 'h':
            printf("Usage: %s [OPTIONS]\n%s\nOptions:\n%s", prefix, usage, conn_help);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    return -1;
}

static int load_files(struct schema_set *set)
{
    char *err = NULL;
    int rc = schema_load_installed(set, &err);
    if (rc != 0) {
        warnx_("%s", err);
        free(err);
    }
    return rc;
}

/* The schema files and a connection to the target, or NULL (said on stderr). */
static PGconn *load_and_connect(struct schema_set *set, const char *conninfo, const char *purpose)
{
    if (load_files(set) != 0)
        return NULL;
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, purpose, &err);
    if (!conn) {
        warnx_("%s", err);
        free(err);
        schema_set_free(set);
    }
    return conn;
}

static int db_migrate(int argc, char **argv, const char *prefix)
{
    const char *conninfo;
    int rc = parse_conn_opts(prefix,
        "Apply the pending target-schema migrations, in order, each in its own\n"
        "transaction. Running it again when nothing is pending changes nothing.\n",
        argc, argv, &conninfo);
    if (rc >= 0)
        return rc;
    if (!guard_write_cli(prefix, "db migrate"))
        return EXIT_FAIL;
    struct schema_set set;
    PGconn *conn = load_and_connect(&set, conninfo, "apply schema migrations");
    if (!conn)
        return EXIT_FAIL;
    char *err = NULL;
    int applied = schema_migrate(conn, &set, &cli_stdout, &err);
    char *where = pg_describe(conn);
    if (applied < 0) {
        warnx_("%s", err);
        rc = EXIT_FAIL;
    } else if (applied == 0) {
        printf("schema is up to date (%zu migrations) in %s\n", set.n, where);
        rc = EXIT_OK;
    } else {
        printf("applied %d migration%s to %s\n", applied, applied == 1 ? "" : "s", where);
        rc = EXIT_OK;
    }
    free(where);
    free(err);
    PQfinish(conn);
    schema_set_free(&set);
    return rc;
}

static int db_status(int argc, char **argv, const char *prefix)
{
    const char *conninfo;
    int rc = parse_conn_opts(prefix,
        "List the target-schema migrations: applied (with when), pending, and any\n"
        "whose file changed after it was applied. Exit status 1 when something is\n"
        "pending or changed.\n", argc, argv, &conninfo);
    if (rc >= 0)
        return rc;
    struct schema_set set;
    PGconn *conn = load_and_connect(&set, conninfo, "read the schema status");
    if (!conn)
        return EXIT_FAIL;
    char *err = NULL;
    struct schema_report rep;
    if (schema_status(conn, &set, &rep, &err) != 0) {
        warnx_("cannot read the schema status: %s", err);
        free(err);
        PQfinish(conn);
        schema_set_free(&set);
        return EXIT_FAIL;
    }
    size_t pending = 0, bad = 0;
    printf("%-8s  %-24s  %s\n", "STATE", "APPLIED AT", "MIGRATION");
    for (size_t i = 0; i < rep.n; i++) {
        const struct schema_entry *e = &rep.entries[i];
        printf("%-8s  %-24s  %s\n", schema_state_name(e->state),
               e->applied_at ? e->applied_at : "-", e->name);
        if (e->state == SCHEMA_PENDING)
            pending++;
        else if (e->state != SCHEMA_APPLIED)
            bad++;
    }
    char *where = pg_describe(conn);
    printf("%zu applied, %zu pending, %zu changed or unknown in %s\n",
           rep.n - pending - bad, pending, bad, where);
    free(where);
    schema_report_free(&rep);
    PQfinish(conn);
    schema_set_free(&set);
    return pending || bad ? EXIT_FAIL : EXIT_OK;
}

/* An error that may carry names read from the database (a table or index
 * name can hold anything): never to the terminal raw. */
static void warn_sanitized(const char *what, const char *err)
{
    struct strbuf sb;
    sb_init(&sb);
    sanitize_lines(err, strlen(err), SANITIZE_UTF8, &sb);
    warnx_("%s: %s", what, sb.buf ? sb.buf : "");
    sb_free(&sb);
}

/* The end of both drizzle commands' option parsing: no operands, and --out given. */
static bool out_dir_given(const char *prefix, int argc, char **argv, const char *outdir)
{
    if (cli_no_more_args(prefix, argc, argv))
        return false;
    if (!outdir || !*outdir) {
        cli_usage_error(prefix, "--out DIR is required");
        return false;
    }
    return true;
}

static int db_drizzle_baseline(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"migrations-schema", required_argument, NULL, 'S'},
        {"migrations-table", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *outdir = NULL, *mschema = NULL, *mtable = NULL;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:o:h", opts)) != -1) {
        switch (c) {
        case 'd':
            conninfo = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'S':
            mschema = optarg;
            break;
        case 'T':
            mtable = optarg;
            break;
        case 'h':
            printf("Usage: %s --out DIR [OPTIONS]\n"
                   "Hand the migrated database's migration history to drizzle-kit: write the\n"
                   "Drizzle migrations folder (baseline SQL, meta/_journal.json, schema snapshot)\n"
                   "to DIR and record the baseline in drizzle.__drizzle_migrations, so that\n"
                   "`drizzle-kit migrate` applies nothing now and then only later migrations.\n"
                   "Running it again changes nothing.\n\nOptions:\n"
                   "  -o, --out=DIR          the application's migrations folder (drizzle.config's out)\n"
                   "      --migrations-schema=NAME  the history's schema, as drizzle.config's\n"
                   "                         migrations.schema (default drizzle)\n"
                   "      --migrations-table=NAME   the history table, as migrations.table\n"
                   "                         (default __drizzle_migrations)\n%s",
                   prefix, conn_help);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (!out_dir_given(prefix, argc, argv, outdir))
        return EXIT_USAGE;
    char *err = NULL;
    if (drizzle_baseline(conninfo, outdir, mschema, mtable, &cli_stdout, &err) != 0) {
        warn_sanitized("drizzle-baseline", err);
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int db_drizzle(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *outdir = NULL;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:o:h", opts)) != -1) {
        switch (c) {
        case 'd':
            conninfo = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'h':
            printf("Usage: %s --out DIR [OPTIONS]\n"
                   "Write DIR/schema.ts and DIR/relations.ts, a Drizzle ORM schema of the target's\n"
                   "public schema read from its catalog: enums, tables, columns, defaults, keys,\n"
                   "checks and indexes, and relations from the foreign keys.\n\nOptions:\n"
                   "  -o, --out=DIR          where to write the two files\n%s",
                   prefix, conn_help);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (!out_dir_given(prefix, argc, argv, outdir))
        return EXIT_USAGE;
    char *err = NULL;
    if (drizzle_generate(conninfo, outdir, &cli_stdout, &err) != 0) {
        warn_sanitized("drizzle", err);
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static const struct cli_command db_commands[] = {
    {"migrate", "apply pending target-schema migrations", db_migrate},
    {"status", "list applied and pending migrations", db_status},
    {"drizzle", "write a Drizzle schema from the catalog", db_drizzle},
    {"drizzle-baseline", "hand the migration history to drizzle-kit", db_drizzle_baseline},
    {NULL, NULL, NULL},
};

int cmd_db(int argc, char **argv, const char *prefix)
{
    return cli_dispatch(prefix, db_commands, argc, argv);
}
