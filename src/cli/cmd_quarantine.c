/* cmd_quarantine.c - `pantrycrm quarantine list|show|replay|accept`.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "guard.h"
#include "schema.h"
#include "commands.h"
#include "engine.h"
#include "cli_transform.h"
#include "userconf.h"
#include "pg.h"
#include "quarantine.h"
#include "transform.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Quarantined values come from hostile data: never let one reach the
 * terminal raw (escape sequences, bidi overrides). */
static void print_safe(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xae || p[2] == 0xad || p[2] == 0xaa
                                                  || p[2] == 0xab || p[2] == 0xac)) {
            fprintf(out, "\\u%04x", 0x2000 + (p[2] - 0x80));
            p += 2;
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            fprintf(out, "\\x%02x", p[1]);
            p++;
        } else
            fputc(*p, out);
    }
}

static PGconn *connect_or_warn(const char *conninfo, const char *purpose)
{
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, purpose, &err);
    if (!conn) {
        warnx_("%s", err);
        free(err);
        return NULL;
    }
    char *missing = schema_missing(conn);
    if (missing) {
        warnx_("%s", missing);
        free(missing);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static int q_list(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"table", required_argument, NULL, 't'},
        {"reason", required_argument, NULL, 'r'},
        {"all", no_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *table = NULL, *reason = NULL, *limit = "50";
    bool all = false, json = false;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:t:r:an:h", opts)) != -1) {
        switch (c) {
        case 'd': conninfo = optarg; break;
        case 't': table = optarg; break;
        case 'r': reason = optarg; break;
        case 'a': all = true; break;
        case 'n':
            if (strspn(optarg, "0123456789") != strlen(optarg) || !*optarg)
                return cli_usage_error(prefix, "--limit takes a number, not '%s'", optarg);
            limit = optarg;
            break;
        case 'J': json = true; break;
        case 'h':
            printf("Usage: %s [OPTIONS]\n\n"
                   "Summarise the quarantine by table and reason, then list its rows\n"
                   "(open ones unless --all).\n\n"
                   "Options:\n"
                   "  -d, --dbname=CONNINFO  the PostgreSQL target\n"
                   "  -t, --table=TABLE      only this table\n"
                   "  -r, --reason=CODE      only this reason (e.g. enum_unmatched)\n"
                   "  -a, --all              include resolved rows\n"
                   "  -n, --limit=N          rows listed (default 50; 0: only the summary)\n"
                   "      --json             print JSON lines, one per row\n"
                   "  -h, --help             show this help and exit\n", prefix);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        return EXIT_USAGE;
    PGconn *conn = connect_or_warn(conninfo, "read the quarantine");
    if (!conn)
        return EXIT_FAIL;
    struct quarantine_filter f = {table, reason, all, limit};
    char *err = NULL;
    int rc = EXIT_OK;
    if (!json) {
        struct quarantine_summary sum;
        if (quarantine_summarise(conn, &f, &sum, &err) != 0)
            goto fail;
        printf("%-18s %-28s %8s %8s\n", "table", "reason", "rows", "accepted");
        for (size_t i = 0; i < sum.n; i++)
            printf("%-18s %-28s %8ld %8ld\n", sum.groups[i].table, sum.groups[i].reason,
                   sum.groups[i].rows, sum.groups[i].accepted);
        if (sum.n == 0)
            printf("(the quarantine is empty)\n");
        quarantine_summary_free(&sum);
    }
    struct quarantine_list list;
    if (quarantine_list(conn, &f, &list, &err) != 0)
        goto fail;
    if (!json && list.n > 0)
        printf("\n%8s  %-14s %-38s %-18s %s\n", "id", "table", "source key", "column", "reason: detail");
    for (size_t i = 0; i < list.n; i++) {
        const struct quarantine_row *q = &list.rows[i];
        if (json) {
            json_error_t jerr;
            json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:o}",
                "id", (json_int_t)atoll(q->id), "table", q->table,
                "source_key", q->source_key, "column", q->column,
                "reason", q->reason, "detail", q->detail,
                "resolved", q->resolved, "accepted", q->accepted,
                "original", json_loads(q->original, 0, &jerr));
            char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(o);
            continue;
        }
        printf("%8s  %-14s ", q->id, q->table);
        char key[39];
        snprintf(key, sizeof key, "%s", q->source_key);
        print_safe(stdout, key);
        printf("%*s %-18s ", (int)(38 - strlen(key) > 0 ? 38 - strlen(key) : 0), "", q->column);
        print_safe(stdout, q->reason);
        printf(": ");
        print_safe(stdout, q->detail);
        printf("%s\n", q->resolved ? " (resolved)" : "");
    }
    quarantine_list_free(&list);
    PQfinish(conn);
    return rc;
fail:
    warnx_("quarantine list: %s", err);
    free(err);
    PQfinish(conn);
    return EXIT_FAIL;
}

static int q_show(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:h", opts)) != -1) {
        if (c == 'd') {
            conninfo = optarg;
            continue;
        }
        if (c == 'h') {
            printf("Usage: %s [-d CONNINFO] ID | TABLE:SOURCE_KEY\n\n"
                   "Show one quarantined row: why, and its original values.\n", prefix);
            return EXIT_OK;
        }
        return EXIT_USAGE;
    }
    if (optind + 1 != argc)
        return cli_usage_error(prefix, "give one quarantine id, or TABLE:SOURCE_KEY");
    const char *what = argv[optind];
    char *table = NULL;
    const char *key = NULL, *id = NULL;
    const char *colon = strchr(what, ':');
    if (strspn(what, "0123456789") == strlen(what))
        id = what;
    else if (colon) {
        table = xstrndup(what, (size_t)(colon - what));
        key = colon + 1;
    } else
        return cli_usage_error(prefix, "'%s' is neither an id nor TABLE:SOURCE_KEY", what);
    PGconn *conn = connect_or_warn(conninfo, "read the quarantine");
    if (!conn) {
        free(table);
        return EXIT_FAIL;
    }
    char *err = NULL;
    struct quarantine_list found;
    int qrc = quarantine_find(conn, id, table, key, &found, &err);
    free(table);
    int rc = EXIT_OK;
    if (qrc != 0) {
        warnx_("quarantine show: %s", err);
        free(err);
        rc = EXIT_FAIL;
    } else if (found.n == 0) {
        warnx_("quarantine show: no quarantined row %s", what);
        rc = EXIT_FAIL;
    } else {
        const struct quarantine_row *q = &found.rows[0];
        const char *const labels[] = {"id", "table", "source key", "target key", "column",
                                      "reason", "detail", "quarantined", "resolved",
                                      "accepted"};
        const char *const values[] = {q->id, q->table, q->source_key, q->target_key, q->column,
                                      q->reason, q->detail, q->quarantined_at, q->resolved_at,
                                      q->accepted_at};
        for (int f = 0; f < 10; f++) {
            printf("%-12s ", labels[f]);
            print_safe(stdout, values[f]);
            printf("\n");
        }
        printf("run          %s\noriginal values:\n", q->run_id);
        /* jsonb_pretty lays the object out over lines and escapes control
         * characters inside its strings: keep its line breaks, make the
         * rest of each line safe. */
        char *orig = xstrdup(q->original);
        char *save = NULL;
        for (char *line = strtok_r(orig, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            print_safe(stdout, line);
            printf("\n");
        }
        free(orig);
    }
    quarantine_list_free(&found);
    PQfinish(conn);
    return rc;
}

static void print_replayed(void *ctx, const struct engine_replay_table *r)
{
    fprintf(ctx, "%-18s %6d replayed: %6ld migrated, %6ld still quarantined\n", r->table,
            r->replayed, r->migrated, r->still_quarantined);
}

static int q_replay(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"table", required_argument, NULL, 't'},
        {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct engine_opts o = {.conninfo = cli_globals.conninfo};
    struct transform_args x;
    memset(&x, 0, sizeof x);
    const char *table = NULL, *reason = NULL;
    int rc = EXIT_USAGE, c;
    while ((c = cli_getopt(prefix, argc, argv, "d:t:r:h", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled && c != 's')
            continue;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case 't': table = optarg; break;
        case 'r': reason = optarg; break;
        case 'h':
            printf("Usage: %s [OPTIONS]\n\n"
                   "Transform the open quarantine rows again, after the synonyms or the\n"
                   "policies changed: rows that now pass are loaded and marked resolved,\n"
                   "the others keep (or change) their reason. Parents are replayed first.\n\n"
                   "Options:\n"
                   "  -d, --dbname=CONNINFO    the PostgreSQL target\n"
                   "  -t, --table=TABLE        only this table\n"
                   "  -r, --reason=CODE        only rows quarantined for this reason\n"
                   "      --synonyms=FILE      enum synonyms (default: the shipped file)\n"
                   "      --policy=T.C=ACTION  quarantine, null or default:LABEL (repeatable)\n"
                   "      --source-timezone=TZ the zone of the source's DATETIME2 values\n"
                   "      --years=MIN:MAX      plausible years for dates (default 1900:2099)\n"
                   "      --bad-email=keep|null an unrepairable e-mail: keep it, flagged, or null it\n"
                   "                           (default: as the last run did)\n"
                   "  -h, --help               show this help and exit\n", prefix);
            rc = EXIT_OK;
            goto out;
        default:
            /* --source means nothing here: the originals are in the quarantine */
            cli_usage_error(prefix, "%s", c == 's' ? "replay takes no --source: it reads the "
                                                     "original values from the quarantine"
                                                   : "bad option");
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    rc = EXIT_FAIL;
    if (!guard_write_cli(prefix, "quarantine replay"))
        goto out;
    if (!x.settings.synonyms_path)
        x.settings.synonyms_path = config_get()->synonyms;
    if (transform_args_bad_email_from_last_run(o.conninfo, &x, "quarantine replay") != 0)
        goto out;
    o.transform = x.settings;
    char *err = NULL;
    long n = engine_replay(&o, table, reason, print_replayed, stdout, &err);
    if (n < 0) {
        warnx_("quarantine replay: %s", err ? err : "failed");
        rc = EXIT_FAIL;
    } else {
        printf("%ld row%s left the quarantine\n", n, n == 1 ? "" : "s");
        rc = EXIT_OK;
    }
    free(err);
out:
    transform_args_free(&x);
    return rc;
}

static int q_accept(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"table", required_argument, NULL, 't'},
        {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conninfo = cli_globals.conninfo, *table = NULL, *reason = NULL;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "d:t:r:h", opts)) != -1) {
        switch (c) {
        case 'd': conninfo = optarg; break;
        case 't': table = optarg; break;
        case 'r': reason = optarg; break;
        case 'h':
            printf("Usage: %s [-d CONNINFO] (ID… | --table T [--reason R])\n\n"
                   "Record that the operator accepts leaving these rows behind; the cutover\n"
                   "gate counts accepted rows as settled. The rows stay in the quarantine.\n",
                   prefix);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind == argc && !table)
        return cli_usage_error(prefix, "give quarantine ids, or --table (and --reason)");
    if (!guard_write_cli(prefix, "quarantine accept"))
        return EXIT_FAIL;
    PGconn *conn = connect_or_warn(conninfo, "update the quarantine");
    if (!conn)
        return EXIT_FAIL;
    char *err = NULL;
    long total = 0;
    int rc = EXIT_OK;
    if (optind == argc) {
        total = quarantine_accept_matching(conn, table, reason, &err);
        if (total < 0) {
            total = 0;
            rc = EXIT_FAIL;
        }
    }
    for (int i = optind; i < argc && rc == EXIT_OK; i++) {
        if (strspn(argv[i], "0123456789") != strlen(argv[i])) {
            rc = cli_usage_error(prefix, "'%s' is not a quarantine id", argv[i]);
            break;
        }
        int n = quarantine_accept_id(conn, argv[i], &err);
        if (n < 0) {
            rc = EXIT_FAIL;
            break;
        }
        if (n == 0) {
            warnx_("quarantine accept: no open quarantined row %s", argv[i]);
            rc = EXIT_FAIL;
        }
        total += n;
    }
    if (err) {
        warnx_("quarantine accept: %s", err);
        free(err);
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK)
        printf("%ld row%s accepted\n", total, total == 1 ? "" : "s");
    PQfinish(conn);
    return rc;
}

static const struct cli_command quarantine_commands[] = {
    {"list", "summarise and list quarantined rows", q_list},
    {"show", "show one quarantined row and its original values", q_show},
    {"replay", "transform quarantined rows again and load those that pass", q_replay},
    {"accept", "accept leaving rows behind (for the cutover gate)", q_accept},
    {NULL, NULL, NULL},
};

int cmd_quarantine(int argc, char **argv, const char *prefix)
{
    return cli_dispatch(prefix, quarantine_commands, argc, argv);
}
