/* cmd_fallback.c - `pantrycrm fallback`: after the cutover, keep the legacy
 * SQL Server in step with what the application writes in PostgreSQL, so
 * that a rollback loses nothing.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "cli.h"
#include "cli_transform.h"
#include "commands.h"
#include "fallback.h"
#include "pg.h"
#include "sanitize.h"
#include "state.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_stop_signal(int sig)
{
    (void)sig;
    fallback_stop_requested = 1;
}

static const char fallback_help[] =
    "Usage: pantrycrm fallback [--source SOURCE] [--follow [--interval SECONDS]] [--json]\n"
    "       pantrycrm fallback --status [--json]\n"
    "\n"
    "Once the cutover is committed the application writes to PostgreSQL only;\n"
    "the cutover installs a capture of every change to the ten tables. This command\n"
    "applies the captured changes to the legacy SQL Server through FreeTDS, through\n"
    "the reverse transform (legacy ids, enum spellings, DATETIME2, exact decimals,\n"
    "NVARCHAR text), each round in one SQL Server transaction, so that a rollback\n"
    "to the legacy database loses nothing. A row the legacy schema cannot hold goes\n"
    "to the fallback quarantine with its reason; the others go on. The writes are\n"
    "recorded in dbo._pantrycrm_fallback, which the forward sync reads to skip them.\n"
    "\n"
    "Options:\n"
    "  -s, --source=SOURCE      the legacy SQL Server (default: the last run's)\n"
    "  -d, --dbname=CONNINFO    the PostgreSQL target\n"
    "      --synonyms=FILE      as for migrate (default: the last run's)\n"
    "      --source-timezone=TZ as for migrate: DATETIME2 is written in this zone\n"
    "      --years=MIN:MAX      as for migrate: a date outside stays in PostgreSQL\n"
    "      --bad-email=keep|null as for migrate\n"
    "  -f, --follow             repeat every interval until interrupted\n"
    "  -i, --interval=SECONDS   pause between rounds with --follow (default 2)\n"
    "      --rounds=N           with --follow, stop after N rounds\n"
    "      --status             print the fallback's state (pending, quarantine, rate)\n"
    "      --json               one JSON object per round (or the status as JSON)\n"
    "  -t, --state=FILE         the local state file for the console\n"
    "  -h, --help               show this help and exit\n"
    "\n"
    "Exit status: 0 done, 1 error, 2 usage, 4 rows are in the fallback quarantine,\n"
    "130 interrupted at a round boundary.\n";

enum { OPT_JSON = 256, OPT_STATUS };

static void print_round_json(void *ctx, const struct fallback_round *r)
{
    FILE *out = ctx;
    if (r->nothing)
        fprintf(out, "{\"round\":%d,\"changes\":0,\"quarantined\":0,\"seconds\":%.3f}\n", r->n,
                r->seconds);
    else
        fprintf(out, "{\"round\":%d,\"changes\":%zu,\"quarantined\":%zu,\"seconds\":%.3f,"
                     "\"changes_per_second\":%.1f}\n", r->n, r->changes, r->nquarantined, r->seconds,
                r->seconds > 0 ? (double)r->changes / r->seconds : 0.0);
    fflush(out);
}

static void print_round_lines(FILE *out, const void *ctx)
{
    const struct fallback_round *r = ctx;
    fprintf(out, "fallback round %d: %zu changes applied to the legacy database in %.3f s (%.0f/s)",
            r->n, r->changes, r->seconds, r->seconds > 0 ? (double)r->changes / r->seconds : 0.0);
    if (r->nquarantined)
        fprintf(out, ", %zu rows to the fallback quarantine", r->nquarantined);
    fputc('\n', out);
    for (size_t i = 0; i < r->nquarantined; i++) {
        const struct fallback_quarantined *q = &r->quarantined[i];
        fprintf(out, "  quarantined %s %s%s%s: %s (%s)\n", q->table, q->key,
                q->column ? " column " : "", q->column ? q->column : "", q->reason,
                q->detail ? q->detail : "");
    }
}

static void print_round_text(void *ctx, const struct fallback_round *r)
{
    FILE *out = ctx;
    if (r->nothing)
        fprintf(out, "fallback round %d: nothing to apply\n", r->n);
    else
        /* keys and server messages are data: sanitized on the way out */
        sanitize_report(out, print_round_lines, r);
    fflush(out);
}

static int print_status(const char *conninfo, bool json)
{
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "read the fallback's state", &err);
    struct fallback_status s;
    if (!conn || fallback_status_read(conn, &s, &err) != 0) {
        warnx_("fallback: %s", err ? err : "failed");
        free(err);
        if (conn)
            PQfinish(conn);
        return EXIT_FAIL;
    }
    PQfinish(conn);
    if (json)
        printf("{\"installed\":%s,\"removed\":%s,\"pending\":%lld,\"oldest_pending_seconds\":%.3f,"
               "\"quarantined\":%lld,\"rounds\":%lld,\"applied\":%lld,\"errors\":%lld,"
               "\"last_changes\":%lld,\"changes_per_second\":%.1f,\"quiet_seconds\":%.3f}\n",
               s.installed ? "true" : "false", s.removed ? "true" : "false", (long long)s.pending,
               s.oldest_pending_s, (long long)s.quarantined, (long long)s.rounds, (long long)s.applied,
               (long long)s.errors, (long long)s.last_changes, s.last_rate, s.quiet_s);
    else if (!s.installed)
        printf("fallback: not installed (cutover --commit installs it)\n");
    else {
        /* the last error may quote a server's message: sanitized */
        struct strbuf le;
        sb_init(&le);
        sanitize_text(s.last_error, strlen(s.last_error), SANITIZE_UTF8, &le);
        printf("fallback: %s; %lld changes pending (oldest %.1f s), %lld in the fallback quarantine;"
               " %lld rounds, %lld applied, last round %lld at %.0f/s; %lld errors%s%s\n",
               s.removed ? "taken off by the rollback" : "capturing", (long long)s.pending,
               s.oldest_pending_s, (long long)s.quarantined, (long long)s.rounds, (long long)s.applied,
               (long long)s.last_changes, s.last_rate, (long long)s.errors,
               s.last_error[0] ? "; last: " : "", le.buf ? le.buf : "");
        sb_free(&le);
    }
    return EXIT_OK;
}

int cmd_fallback(int argc, char **argv, const char *prefix)
{
    static const struct option opts[] = {
        TRANSFORM_LONG_OPTS,
        {"dbname", required_argument, NULL, 'd'},
        {"follow", no_argument, NULL, 'f'},
        {"interval", required_argument, NULL, 'i'},
        {"rounds", required_argument, NULL, CLI_OPT_ROUNDS},
        {"status", no_argument, NULL, OPT_STATUS},
        {"json", no_argument, NULL, OPT_JSON},
        {"state", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct fallback_opts o = {.conninfo = cli_globals.conninfo, .interval = 2.0};
    bool json = false;
    struct transform_args x;
    memset(&x, 0, sizeof x);
    struct cli_repeat rep = {.interval = 2.0};
    char *state_default = NULL;
    bool status = false;
    int rc = EXIT_USAGE;
    int c;
    while ((c = cli_getopt(prefix, argc, argv, "s:d:fi:t:h", opts)) != -1) {
        int handled = transform_args_opt(&x, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        handled = cli_repeat_opt(&rep, c, optarg, prefix);
        if (handled < 0)
            goto out;
        if (handled)
            continue;
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case OPT_STATUS: status = true; break;
        case OPT_JSON: json = true; break;
        case 't': o.state_path = optarg; break;
        case 'h':
            fputs(fallback_help, stdout);
            rc = EXIT_OK;
            goto out;
        default:
            goto out;
        }
    }
    if (cli_no_more_args(prefix, argc, argv))
        goto out;
    o.follow = rep.follow;
    o.interval = rep.interval;
    o.max_rounds = rep.max_rounds;
    if (status) {
        rc = print_status(o.conninfo, json);
        goto out;
    }
    rc = EXIT_FAIL;
    if (transform_args_from_last_run(o.conninfo, &x, "fallback", true) != 0)
        goto out;
    o.source = x.source;
    o.transform = x.settings;
    if (!o.state_path)
        o.state_path = state_default = state_default_path();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    o.on_round = json ? print_round_json : print_round_text;
    o.ctx = stdout;
    char *err = NULL;
    rc = fallback_run(&o, &err);
    if (rc == 1)
        warnx_("fallback: %s", err ? err : "failed");
    else if (rc == 130 && !json)
        fprintf(stderr, "fallback: stopped at a round boundary\n");
    free(err);
out:
    transform_args_free(&x);
    free(state_default);
    return rc;
}
