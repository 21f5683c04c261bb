/* migrate_report.c - the migrate command's progress bars, JSON lines, notes and
 * report (migrate_report.h). The engine hands over numbers; this decides how
 * they look.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "migrate_report.h"
#include "sanitize.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* A rate as a bar shows it: 950, 34k, 1.2M. */
static void format_count(char *buf, size_t n, double v)
{
    if (v >= 1e6)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, n, "%.0fk", v / 1e3);
    else
        snprintf(buf, n, "%.0f", v);
}

static void draw_bars(struct progress_display *d, const struct engine_progress *p)
{
    FILE *out = d->out;
    /* A line wider than the terminal wraps onto two rows, and moving up
     * one row per table would then redraw below the first lines (the
     * first table showed twice): every line is cut to the width. */
    struct winsize ws;
    int cols = ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 200;
    if (d->drawn)
        fprintf(out, "\033[%zuA", p->n);
    for (size_t i = 0; i < p->n; i++) {
        const struct engine_table_progress *j = &p->tables[i];
        int64_t read = j->rows_seen > j->rows_read ? j->rows_seen : j->rows_read;
        double frac = j->rows_total > 0 ? (double)read / (double)j->rows_total : 0;
        if (j->state == ENGINE_TABLE_DONE)
            frac = 1;
        if (frac > 1)
            frac = 1;
        char bar[25];
        int fill = (int)(frac * 24);
        for (int k = 0; k < 24; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[24] = '\0';
        double rate = j->seconds > 0 ? (double)j->rows_read / j->seconds : 0;
        char r[16], eta[24] = "";
        format_count(r, sizeof r, rate);
        if (j->state == ENGINE_TABLE_RUNNING && rate > 0 && j->rows_total > read)
            snprintf(eta, sizeof eta, "ETA %.0fs", (double)(j->rows_total - read) / rate);
        char line[256];
        snprintf(line, sizeof line, "%-18s [%s] %3.0f%% %9lld rows %7s/s  Q %-6lld %-9s %s",
                 j->table, bar, frac * 100, (long long)read, r, (long long)j->rows_quarantined,
                 j->phase, eta);
        fprintf(out, "\r\033[K%.*s\n", cols, line);
    }
    d->drawn = true;
    d->bar_lines = p->n;
    fflush(out);
}

static void emit_jsonl(struct progress_display *d, const struct engine_progress *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct engine_table_progress *j = &p->tables[i];
        if (j->state == ENGINE_TABLE_WAITING)
            continue;
        fprintf(d->out, "{\"event\":\"progress\",\"elapsed\":%.1f,\"table\":\"%s\",\"phase\":\"%s\","
                        "\"rows_total\":%lld,\"rows_read\":%lld,\"rows_migrated\":%lld,"
                        "\"rows_quarantined\":%lld,\"repairs\":%lld}\n",
                p->elapsed, j->table, j->phase, (long long)j->rows_total, (long long)j->rows_read,
                (long long)j->rows_migrated, (long long)j->rows_quarantined, (long long)j->repairs);
    }
    fflush(d->out);
}

/* Bars about four times a second, JSON lines once a second; both once
 * more at the end. */
static void on_progress(void *ctx, const struct engine_progress *p)
{
    struct progress_display *d = ctx;
    if (d->mode == PROGRESS_BARS && (!d->drawn || p->final || p->elapsed - d->last_bars >= 0.25)) {
        draw_bars(d, p);
        d->last_bars = p->elapsed;
    }
    if (d->mode == PROGRESS_JSONL && (d->last_jsonl < 0 || p->final || p->elapsed - d->last_jsonl >= 1.0)) {
        emit_jsonl(d, p);
        d->last_jsonl = p->elapsed;
    }
}

static void on_note(void *ctx, const char *text)
{
    struct progress_display *d = ctx;
    if (d->mode == PROGRESS_BARS && d->drawn && d->notes == d->out) {
        /* A note in the middle of the run (a pause, a resume) takes the
         * bars' place, and the bars are drawn again below it: redrawing
         * over them after the note would leave a second copy on screen. */
        fprintf(d->out, "\033[%zuA\r\033[J", d->bar_lines);
        d->drawn = false;
    }
    /* A note can quote the server (a failed statement's reason) */
    struct strbuf clean;
    sb_init(&clean);
    sanitize_lines(text, strlen(text), SANITIZE_UTF8, &clean);
    fprintf(d->notes, "%s\n", clean.buf ? clean.buf : "");
    sb_free(&clean);
    /* seen when it happens, also where the output is a file or a pipe */
    fflush(d->notes);
}

void progress_init(struct progress_display *d, enum progress_mode mode, FILE *out)
{
    *d = (struct progress_display){mode, out, mode == PROGRESS_JSONL ? stderr : out, false, 0, -1, 0};
}

void progress_attach(struct progress_display *d, struct engine_opts *o)
{
    o->on_progress = on_progress;
    o->on_note = on_note;
    o->ctx = d;
}

void progress_print_report(FILE *out, const struct engine_report *r, bool json)
{
    json_t *arr = json_array();
    int64_t email[EMAIL_SUMS] = {0};
    if (!json)
        fprintf(out, "%-18s %10s %10s %11s %9s %12s %9s %10s\n", "table", "read", "migrated",
                "quarantined", "repaired", "bytes", "seconds", "rows/s");
    for (size_t i = 0; i < r->n; i++) {
        const struct engine_report_table *t = &r->tables[i];
        double rate = t->seconds > 0 ? (double)t->read / t->seconds : 0;
        if (json) {
            json_error_t jerr;
            json_t *rep = t->repairs_json ? json_loads(t->repairs_json, 0, &jerr) : json_object();
            json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:b,s:o}",
                "table", t->table, "read", (json_int_t)t->read, "migrated", (json_int_t)t->migrated,
                "quarantined", (json_int_t)t->quarantined, "repaired", (json_int_t)t->repaired,
                "bytes", (json_int_t)t->bytes, "seconds", t->seconds, "rows_per_second", rate,
                "done", t->done, "repairs", rep ? rep : json_object()));
        } else {
            json_error_t jerr;
            json_t *rep = t->repairs_json ? json_loads(t->repairs_json, 0, &jerr) : NULL;
            if (rep)
                email_repairs_add(email, rep);
            json_decref(rep);
            fprintf(out, "%-18s %10lld %10lld %11lld %9lld %12lld %9.3f %10.0f%s\n", t->table,
                    (long long)t->read, (long long)t->migrated, (long long)t->quarantined,
                    (long long)t->repaired, (long long)t->bytes, t->seconds, rate,
                    !t->started ? "  (not started)" : t->done ? "" : "  (partial)");
        }
    }
    if (json) {
        json_t *doc = json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:I}}", "tables", arr, "total", "read",
                                (json_int_t)r->read, "migrated", (json_int_t)r->migrated,
                                "quarantined", (json_int_t)r->quarantined, "repaired",
                                (json_int_t)r->repaired, "bytes", (json_int_t)r->bytes);
        json_object_set_new(doc, "case_insensitive_duplicates", collisions_json(&r->dups));
        if (r->dups_err)
            json_object_set_new(doc, "case_insensitive_duplicates_error", json_string(r->dups_err));
        char *s = json_dumps(doc, JSON_INDENT(2));
        fprintf(out, "%s\n", s);
        free(s);
        json_decref(doc);
    } else {
        json_decref(arr);
        fprintf(out, "%-18s %10lld %10lld %11lld %9lld %12lld %9.3f\n", "total",
                (long long)r->read, (long long)r->migrated, (long long)r->quarantined,
                (long long)r->repaired, (long long)r->bytes, r->seconds);
        email_repairs_print(out, "", email);
        json_t *dups = collisions_json(&r->dups);
        collisions_print(out, dups, r->dups_err);
        json_decref(dups);
    }
}

static const char *const email_reasons[EMAIL_SUMS] = {
    "email_trimmed", "email_mailto", "email_domain_case", "email_empty",
    "email_malformed_kept", "email_malformed_nulled"};

void email_repairs_add(int64_t sums[EMAIL_SUMS], const json_t *repairs)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)repairs, k, v) {
        const char *reason = strchr(k, ':');
        for (size_t i = 0; reason && i < EMAIL_SUMS; i++)
            if (strcmp(reason + 1, email_reasons[i]) == 0)
                sums[i] += json_integer_value(v);
    }
}

void email_repairs_print(FILE *out, const char *prefix, const int64_t sums[EMAIL_SUMS])
{
    int64_t any = 0;
    for (size_t i = 0; i < EMAIL_SUMS; i++)
        any += sums[i];
    if (!any)
        return;
    /* The names are the repair reasons of the JSON, so that one can be
     * looked up from the other (README, "E-mail addresses"); a value may
     * have had several repairs. */
    fprintf(out, "%se-mail repairs: email_trimmed %lld, email_mailto %lld, email_domain_case %lld, "
                 "email_empty %lld (set to NULL)\n", prefix, (long long)sums[0], (long long)sums[1],
            (long long)sums[2], (long long)sums[3]);
    fprintf(out, "%se-mail malformed: email_malformed_kept %lld (kept as they were, flagged), "
                 "email_malformed_nulled %lld (set to NULL)\n", prefix, (long long)sums[4],
            (long long)sums[5]);
}

void collisions_print(FILE *out, const json_t *dups, const char *err)
{
    if (err) {
        struct strbuf e;
        sb_init(&e);
        sanitize_text(err, strlen(err), SANITIZE_UTF8, &e);
        fprintf(out, "case-insensitive duplicates: not read (%s)\n", e.buf ? e.buf : "");
        sb_free(&e);
        return;
    }
    if (!json_array_size(dups))
        return;
    fputs("case-insensitive duplicates: SQL Server held each of these as one value; PostgreSQL "
          "keeps them apart\n", out);
    size_t i;
    const json_t *d;
    json_array_foreach(dups, i, d) {
        /* the example is data: sanitized on the way out */
        const char *example = json_string_value(json_object_get(d, "example"));
        struct strbuf ex;
        sb_init(&ex);
        sanitize_text(example ? example : "", example ? strlen(example) : 0, SANITIZE_UTF8, &ex);
        long long values = json_integer_value(json_object_get(d, "values"));
        fprintf(out, "  %s (%s): %lld value%s in %lld rows, e.g. '%s'\n",
                json_string_value(json_object_get(d, "table")),
                json_string_value(json_object_get(d, "columns")), values, values == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(d, "rows")), ex.buf ? ex.buf : "");
        sb_free(&ex);
    }
}
