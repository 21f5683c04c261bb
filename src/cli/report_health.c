/* report_health.c - `pantrycrm health` as text (see report.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "report.h"
#include "health.h"
#include "sanitize.h"

#include <stdio.h>

static void health_print_text_raw(FILE *out, const void *ctx)
{
    const struct health *h = ctx;
    char b1[32], b2[32];
    fprintf(out, "Status: %s\n", health_status_name(h->status));
    for (size_t i = 0; i < h->nreasons; i++)
        fprintf(out, "  - %s\n", h->reasons[i]);
    fprintf(out, "\nTarget (PostgreSQL)\n");
    if (!h->target_ok) {
        fprintf(out, "  down: %s\n", h->target_error);
    } else {
        fprintf(out, "  %s\n  connected in %.1f ms, SELECT 1 in %.2f ms\n", h->target,
                h->connect_ms, h->ping_ms);
        fprintf(out, "  %s\n", h->version);
        if (h->standby) {
            fprintf(out, "  role: standby (read replica), WAL receiver %s, ",
                    h->wal_receiver[0] ? h->wal_receiver : "not running");
            if (h->replay_lag_s < 0)
                fprintf(out, "replay lag unknown\n");
            else
                fprintf(out, "replay lag %.1f s\n", h->replay_lag_s);
        } else {
            fprintf(out, "  role: primary\n");
        }
        fprintf(out, "  TLS: %s\n", h->tls[0] ? h->tls : "unknown");
        health_fmt_bytes(b1, sizeof b1, (double)h->db_bytes);
        fprintf(out, "  database %s: %s\n", h->database, b1);
        fprintf(out, "  connections: %d used of %d (%d reserved), %d by pantrycrm\n", h->conns_used,
                h->conns_max, h->conns_reserved, h->conns_app);
        if (h->hit_ratio >= 0)
            fprintf(out, "  cache hit ratio: %.2f%% (since %s)\n", h->hit_ratio * 100,
                    h->stats_reset[0] ? h->stats_reset : "the server started");
    }
    fprintf(out, "\nSource (legacy)\n");
    if (!h->source_known)
        fprintf(out, "  not known (no migration run recorded; give --source)\n");
    else if (h->source_ok)
        fprintf(out, "  %s: ok in %.1f ms%s%s\n", h->source, h->source_ms,
                h->source_server[0] ? ", " : "", h->source_server);
    else
        fprintf(out, "  %s: unreachable: %s\n", h->source, h->source_error);
    if (!h->target_ok)
        return;
    if (h->standby)
        fprintf(out, "\nOn a standby the scan counts below are this standby's own, and live and "
                     "dead rows and autovacuum are kept by the primary: run health against the "
                     "primary for those.\n");
    fprintf(out, "\nTables (largest first)\n  %-36s %9s %10s %9s %8s %8s  %s\n", "table", "size",
            "live", "dead", "seqscan", "idxscan", "last autovacuum");
    for (size_t i = 0; i < h->ntables; i++) {
        const struct health_table *t = &h->tables[i];
        health_fmt_bytes(b1, sizeof b1, (double)t->bytes);
        fprintf(out, "  %-36s %9s %10lld %9lld %8lld %8lld  %s\n", t->name, b1, (long long)t->live,
                (long long)t->dead, (long long)t->seq_scan, (long long)t->idx_scan,
                t->last_autovacuum[0] ? t->last_autovacuum : "never");
    }
    fprintf(out, "\nIndexes: %lld, %zu unused (never scanned, not unique)\n", (long long)h->nindexes,
            h->nunused);
    for (size_t i = 0; i < h->nunused; i++) {
        health_fmt_bytes(b1, sizeof b1, (double)h->unused[i].bytes);
        fprintf(out, "  unused: %s on %s (%s)\n", h->unused[i].name, h->unused[i].table, b1);
    }
    for (size_t i = 0; i < h->nmissing; i++)
        fprintf(out, "  missing? %s\n", h->missing[i]);
    fprintf(out, "\nSlowest statements (pg_stat_statements)\n");
    if (h->pgss != 3)
        fprintf(out, "  %s\n", h->pgss_hint);
    for (size_t i = 0; i < h->nstmts; i++)
        fprintf(out, "  %9.2f ms x %lld  %s\n", h->stmts[i].mean_ms, (long long)h->stmts[i].calls,
                h->stmts[i].query);
    health_fmt_bytes(b2, sizeof b2, (double)h->ram_bytes);
    fprintf(out, "\nSettings (recommendations for %s of RAM, %s)\n", b2, h->ram_source);
    for (size_t i = 0; i < h->nsettings; i++) {
        const struct health_setting *s = &h->settings[i];
        fprintf(out, "  %-2s %-32s %10s  recommended %-8s %s\n",
                s->verdict == 0 ? "ok" : s->verdict == 2 ? "?" : s->verdict < 0 ? "<" : ">", s->name,
                s->current, s->recommended, s->verdict == 0 ? "" : s->advice);
    }
    if (h->nnotes) {
        fprintf(out, "\nNotes\n");
        for (size_t i = 0; i < h->nnotes; i++)
            fprintf(out, "  %s\n", h->notes[i]);
    }
}

/* Table, index and statement names and texts come from the server, where
 * any role may name a table with an escape sequence in it: the report is
 * built in memory and printed sanitized. */
void health_print_text(const struct health *h, FILE *out)
{
    sanitize_report(out, health_print_text_raw, h);
}

