/* cmd_export.c - `pantrycrm export`: the console's lists (same filters,
 * same sort) or the result of a query, to CSV or JSON Lines, streaming.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "browse.h"
#include "cli.h"
#include "commands.h"
#include "export.h"
#include "pg.h"

#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char export_help[] =
    "Usage: pantrycrm export [OPTIONS]\n"
    "\n"
    "Write a list of the console, with the console's filters and sort, or the\n"
    "result of a query, as CSV (RFC 4180) or JSON Lines. Rows stream in pages\n"
    "of 1000: a million rows take the memory of one page. The session is read\n"
    "only.\n"
    "\n"
    "Options:\n"
    "  -f, --format=FORMAT      csv (the default) or jsonl (also: json)\n"
    "  -e, --entity=LIST        organizations (the default) or contacts\n"
    "  -F, --filter=FIELD=VALUE a filter as the console's :filter takes it\n"
    "                           (priority=A,B segment= status= type= state= city=\n"
    "                           followup=due|today|overdue organization=UUID\n"
    "                           primary=yes); repeat to combine\n"
    "      --sort=[-]COLUMN     a sort as the console's :sort takes it (name,\n"
    "                           priority, city, updatedAt, lastName ...); '-' for\n"
    "                           descending (default: name, or lastName)\n"
    "  -q, --query-file=FILE    export the result of the one SELECT in FILE\n"
    "                           ('-' for standard input) instead of a list; it\n"
    "                           runs in a READ ONLY transaction through a cursor\n"
    "  -o, --output=FILE        write FILE (through FILE.part, renamed when\n"
    "                           complete) instead of standard output\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL database (or @NAME of the\n"
    "                           configuration)\n"
    "  -h, --help               show this help and exit\n";

static volatile sig_atomic_t export_stop;

static void on_stop(int sig)
{
    (void)sig;
    export_stop = 1;
}

static int stop_check(void *ctx, int64_t rows)
{
    (void)ctx;
    (void)rows;
    return export_stop != 0;
}

static bool entity_parse(const char *name, enum browse_entity *e)
{
    if (!strcmp(name, "organizations") || !strcmp(name, "organization") || !strcmp(name, "orgs"))
        *e = BROWSE_ORGS;
    else if (!strcmp(name, "contacts") || !strcmp(name, "contact"))
        *e = BROWSE_CONTACTS;
    else
        return false;
    return true;
}

static char *read_query(const char *path, char **err)
{
    struct strbuf sb;
    sb_init(&sb);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    /* a read error (a directory, EIO) is not an empty query; a NUL would
     * silently cut the query short */
    bool bad = ferror(f), nul = sb.len && memchr(sb.buf, '\0', sb.len);
    int e = errno;
    if (f != stdin)
        fclose(f);
    if (bad || nul) {
        *err = bad ? xasprintf("cannot read %s: %s", path, strerror(e))
                   : xasprintf("%s holds a NUL byte: not a query", path);
        sb_free(&sb);
        return NULL;
    }
    return sb.buf ? sb_detach(&sb) : xstrdup("");
}

int cmd_export(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"entity", required_argument, NULL, 'e'},
        {"filter", required_argument, NULL, 'F'},
        {"sort", required_argument, NULL, 'S'},
        {"query-file", required_argument, NULL, 'q'},
        {"output", required_argument, NULL, 'o'},
        {"dbname", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *sort = NULL, *query_file = NULL, *output = NULL;
    const char *filters[32];
    size_t nfilters = 0;
    enum export_format fmt = EXPORT_CSV;
    enum browse_entity entity = BROWSE_ORGS;
    bool entity_given = false;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "f:e:F:q:o:d:h", opts)) != -1) {
        switch (c) {
        case 'f':
            if (!export_format_parse(optarg, &fmt))
                return cli_usage_error(prefix, "--format takes csv or jsonl, not '%s'", optarg);
            break;
        case 'e':
            if (!entity_parse(optarg, &entity))
                return cli_usage_error(prefix, "--entity takes organizations or contacts, not '%s'",
                                       optarg);
            entity_given = true;
            break;
        case 'F':
            if (nfilters == sizeof filters / sizeof filters[0])
                return cli_usage_error(prefix, "too many --filter options");
            filters[nfilters++] = optarg;
            break;
        case 'S': sort = optarg; break;
        case 'q': query_file = optarg; break;
        case 'o': output = optarg; break;
        case 'd': conninfo = optarg; break;
        case 'h': fputs(export_help, stdout); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    if (query_file && (entity_given || nfilters || sort))
        return cli_usage_error(prefix, "--query-file exports a query: --entity, --filter and "
                               "--sort are for lists");
    struct browse_spec spec;
    browse_spec_init(&spec, entity);
    char *err = NULL;
    if (sort) {
        bool desc = sort[0] == '-';
        const char *name = sort[0] == '-' || sort[0] == '+' ? sort + 1 : sort;
        if (!browse_sort_find(entity, name, &spec.sort)) {
            struct strbuf sb;
            sb_init(&sb);
            for (int k = 0; k < BROWSE_NSORTS; k++)
                if (browse_sort_entity((enum browse_sort)k) == entity)
                    sb_addf(&sb, "%s%s", sb.len ? ", " : "", browse_sort_short_name((enum browse_sort)k));
            cli_usage_error(prefix, "no sort '%s' for %s (sorts: %s)", name,
                            entity == BROWSE_ORGS ? "organizations" : "contacts", sb.buf ? sb.buf : "");
            sb_free(&sb);
            return EXIT_USAGE;
        }
        spec.desc = desc;
    }
    for (size_t i = 0; i < nfilters; i++)
        if (!browse_filter_parse(&spec.filter, filters[i], &err)) {
            cli_usage_error(prefix, "--filter %s: %s", filters[i], err);
            free(err);
            return EXIT_USAGE;
        }
    char *query = NULL;
    if (query_file && !(query = read_query(query_file, &err))) {
        warnx_("%s", err);
        free(err);
        return EXIT_FAIL;
    }

    PGconn *conn = pg_connect(conninfo, "export", &err);
    if (!conn) {
        warnx_("%s", err);
        free(err);
        free(query);
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    struct browse_session *bs = NULL;
    FILE *out = stdout;
    char *tmp = NULL;
    /* Read only at the server, but for this transaction only: a session
     * setting would stay on a pooled server connection and fail the next
     * client's writes. One snapshot also keeps the pages consistent. A
     * query export opens its own READ ONLY transaction. */
    if (!query && !(bs = browse_session_new(conn, true, &err)))
        goto out;
    if (!query && !pg_command(conn, &err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        goto out;
    if (output && !(out = export_open(output, &tmp, &err)))
        goto out;
    /* A terminal shows data, it does not run it: escape sequences in a
     * record are made visible (a file or a pipe gets the bytes as they are). */
    FILE *tty = NULL;
    if (!output && isatty(STDOUT_FILENO)) {
        const char *cs = nl_langinfo(CODESET);
        if ((tty = export_terminal(stdout, cs && strcmp(cs, "UTF-8") == 0)))
            out = tty;
    }
    /* ^C stops at the next page and removes the partial file. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int64_t n = query ? export_query(conn, query, fmt, out, stop_check, NULL, &err)
                      : export_list(bs, &spec, fmt, out, stop_check, NULL, &err);
    bool tty_ok = !tty || fclose(tty) == 0;
    if (output) {
        if (!export_finish(out, output, tmp, n >= 0, &err) && n >= 0)
            n = -1;
    } else if ((!tty_ok || fflush(stdout) != 0) && n >= 0) {
        n = errno == EPIPE ? EXPORT_READER_GONE : -1;
        err = xasprintf("writing standard output failed: %s", strerror(errno));
    }
    if (n == EXPORT_READER_GONE) {
        /* `export | head`: the reader has what it wanted. End quietly with
         * the status of a writer that met a closed pipe (128 + SIGPIPE). */
        rc = 128 + SIGPIPE;
        goto out;
    }
    if (n == -2) {
        warnx_("export interrupted%s", output ? "; nothing was written" : "");
        rc = EXIT_INTERRUPTED;
        goto out;
    }
    if (n < 0)
        goto out;
    if (!query && !pg_command(conn, &err, "COMMIT"))
        goto out;
    if (output)
        fprintf(stderr, "exported %lld rows to %s\n", (long long)n, output);
    rc = EXIT_OK;
out:
    if (rc == EXIT_FAIL)
        warnx_("export: %s", err ? err : "failed");
    free(err);
    free(query);
    browse_session_free(bs);
    PQfinish(conn);
    return rc;
}
