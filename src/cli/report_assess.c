/* report_assess.c - `pantrycrm assess` as text, from the assessment's JSON
 * (see report.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "report.h"
#include "migrate_report.h"
#include "numfmt.h"
#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *yes_no(const json_t *v, const char *yes, const char *no)
{
    return json_is_true(v) ? yes : json_is_false(v) ? no : "unknown";
}

/* Values come from the source: print them as JSON strings, so a control
 * character or escape sequence can never reach the terminal raw. */
static void put_value(FILE *out, const json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
    fputs(s ? s : "?", out);
    free(s);
}

static void assess_print_raw(FILE *out, const void *ctx)
{
    const json_t *a = ctx;
    const json_t *f = json_object_get(a, "facts");
    char n1[32], n2[32], n3[32];
    fprintf(out, "Source: %s", json_string_value(json_object_get(a, "source")));
    if (json_string_value(json_object_get(f, "server")))
        fprintf(out, " (%s)", json_string_value(json_object_get(f, "server")));
    fputc('\n', out);
    if (json_object_get(f, "error")) {
        fprintf(out, "Server facts: unavailable: %s\n",
                json_string_value(json_object_get(f, "error")));
    } else if (json_is_false(json_object_get(f, "available"))) {
        fprintf(out, "Server facts: this source cannot report them\n");
    } else {
        fprintf(out, "Snapshot isolation: %s; read committed snapshot: %s\n",
                yes_no(json_object_get(f, "snapshot_isolation"), "on", "OFF"),
                yes_no(json_object_get(f, "read_committed_snapshot"), "on", "off"));
        const json_t *ret = json_object_get(f, "ct_retention_s");
        fprintf(out, "Change tracking: %s", yes_no(json_object_get(f, "change_tracking"),
                                                   "enabled", "NOT enabled"));
        if (json_is_integer(ret))
            fprintf(out, ", retention %lld s, auto cleanup %s",
                    (long long)json_integer_value(ret),
                    json_is_true(json_object_get(f, "ct_auto_cleanup")) ? "on" : "off");
        fputc('\n', out);
        if (json_is_false(json_object_get(f, "snapshot_isolation"))
            && !json_is_true(json_object_get(f, "read_committed_snapshot")))
            fprintf(out, "  ! reads would take shared locks: ALTER DATABASE ... SET "
                         "ALLOW_SNAPSHOT_ISOLATION ON\n");
        if (json_is_false(json_object_get(f, "change_tracking")))
            fprintf(out, "  ! sync needs Change Tracking: ALTER DATABASE ... SET CHANGE_TRACKING "
                         "= ON, then ENABLE CHANGE_TRACKING per table\n");
    }
    const json_t *e = json_object_get(a, "expected_run");
    numfmt_count(json_integer_value(json_object_get(a, "rows")), ",", n1, sizeof n1);
    numfmt_bytes_fixed(json_integer_value(json_object_get(a, "bytes")), n2, sizeof n2);
    numfmt_count(json_integer_value(json_object_get(a, "predicted_quarantined")),
                 ",", n3, sizeof n3);
    fprintf(out, "Rows: %s (%s of values); predicted quarantine: %s rows\n", n1, n2, n3);
    fprintf(out, "Expected run time: about %.0f s (%s; source read %.0f rows/s, load %.0f rows/s)\n",
            json_real_value(json_object_get(e, "seconds")),
            json_string_value(json_object_get(e, "basis")),
            json_real_value(json_object_get(e, "source_read_rows_per_s")),
            json_real_value(json_object_get(e, "load_rows_per_s")));

    fprintf(out, "\n%-18s %12s %10s %12s %11s\n", "table", "rows", "size", "quarantined",
            "repairs");
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(a, "tables"), i, t) {
        int64_t rep = 0;
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)json_object_get(t, "repairs"), k, v)
            rep += json_integer_value(v);
        char q[32], r[32];
        numfmt_count(json_integer_value(json_object_get(t, "rows")), ",", n1, sizeof n1);
        numfmt_bytes_fixed(json_integer_value(json_object_get(t, "bytes")), n2, sizeof n2);
        numfmt_count(json_integer_value(json_object_get(t, "predicted_quarantined")),
                     ",", q, sizeof q);
        numfmt_count(rep, ",", r, sizeof r);
        fprintf(out, "%-18s %12s %10s %12s %11s\n", json_string_value(json_object_get(t, "table")),
                n1, n2, q, r);
    }

    json_array_foreach(json_object_get(a, "tables"), i, t) {
        const char *tname = json_string_value(json_object_get(t, "table"));
        bool header = false;
#define HEADER() do { if (!header) { fprintf(out, "\n%s\n", tname); header = true; } } while (0)
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)json_object_get(t, "quarantine_reasons"), k, v) {
            HEADER();
            numfmt_count(json_integer_value(v), ",", n1, sizeof n1);
            fprintf(out, "  quarantine %-28s %s rows\n", k, n1);
        }
        json_object_foreach((json_t *)json_object_get(t, "orphans"), k, v) {
            HEADER();
            numfmt_count(json_integer_value(v), ",", n1, sizeof n1);
            fprintf(out, "  orphan %-32s %s rows point at no parent row\n", k, n1);
        }
        int64_t em[EMAIL_SUMS] = {0}, em_any = 0;
        email_repairs_add(em, json_object_get(t, "repairs"));
        for (size_t ei = 0; ei < EMAIL_SUMS; ei++)
            em_any += em[ei];
        if (em_any) {
            HEADER();
            email_repairs_print(out, "  ", em);
        }
        size_t ci;
        const json_t *c;
        json_array_foreach(json_object_get(t, "columns"), ci, c) {
            const char *cname = json_string_value(json_object_get(c, "column"));
            int64_t nul = json_integer_value(json_object_get(c, "values_with_nul"));
            int64_t sur = json_integer_value(json_object_get(c, "values_with_lone_surrogates"));
            int64_t bad = json_integer_value(json_object_get(c, "values_with_invalid_utf8"));
            if (nul || sur || bad) {
                HEADER();
                fprintf(out, "  text %-18s NUL in %lld, lone surrogates in %lld, invalid UTF-8 "
                             "in %lld values (repaired to U+FFFD, originals kept)\n",
                        cname, (long long)nul, (long long)sur, (long long)bad);
            }
            if (json_object_get(c, "longest_chars")) {
                HEADER();
                numfmt_count(json_integer_value(json_object_get(c, "longest_chars")),
                             ",", n1, sizeof n1);
                fprintf(out, "  longest %-15s %s characters\n", cname, n1);
            }
            if (json_object_get(c, "min")) {
                int64_t inv = json_integer_value(json_object_get(c, "invalid"));
                int64_t oor = json_integer_value(json_object_get(c, "out_of_range"));
                int64_t rnd = json_integer_value(json_object_get(c, "rounded_to_microseconds"));
                const char *mn = json_string_value(json_object_get(c, "min"));
                const char *mx = json_string_value(json_object_get(c, "max"));
                if (mn || inv || oor || rnd) {
                    HEADER();
                    fprintf(out, "  dates %-17s %s .. %s", cname, mn ? mn : "-", mx ? mx : "-");
                    if (inv || oor || rnd)
                        fprintf(out, "; %lld invalid, %lld out of range, %lld rounded to µs",
                                (long long)inv, (long long)oor, (long long)rnd);
                    fputc('\n', out);
                }
            }
            if (json_integer_value(json_object_get(c, "non_uuid_ids"))
                || json_integer_value(json_object_get(c, "invalid_ids"))) {
                HEADER();
                numfmt_count(json_integer_value(json_object_get(c, "non_uuid_ids")),
                             ",", n1, sizeof n1);
                fprintf(out, "  ids %-19s %s are not UUIDs (they get UUID v5 ids), %lld empty; "
                             "e.g. ", cname, n1,
                        (long long)json_integer_value(json_object_get(c, "invalid_ids")));
                size_t xi;
                const json_t *x;
                json_array_foreach(json_object_get(c, "non_uuid_examples"), xi, x) {
                    if (xi)
                        fputs(", ", out);
                    put_value(out, x);
                }
                fputc('\n', out);
            }
            const json_t *dv = json_object_get(c, "distinct");
            if (dv) {
                HEADER();
                fprintf(out, "  enum %s -> %s: %zu distinct values\n", cname,
                        json_string_value(json_object_get(c, "enum")), json_array_size(dv));
                size_t di;
                const json_t *d;
                json_array_foreach(dv, di, d) {
                    numfmt_count(json_integer_value(json_object_get(d, "rows")),
                                 ",", n1, sizeof n1);
                    fprintf(out, "    %12s  ", n1);
                    put_value(out, json_object_get(d, "value"));
                    const char *to = json_string_value(json_object_get(d, "maps_to"));
                    fprintf(out, " -> %s (%s)\n", to ? to : "NO LABEL",
                            json_string_value(json_object_get(d, "how")));
                }
                if (json_integer_value(json_object_get(c, "rows_with_unlisted_values")))
                    fprintf(out, "    and %lld rows with further spellings\n",
                            (long long)json_integer_value(
                                json_object_get(c, "rows_with_unlisted_values")));
            }
        }
        size_t ui;
        const json_t *u;
        json_array_foreach(json_object_get(t, "unique_keys"), ui, u) {
            int64_t ch = json_integer_value(json_object_get(u, "values_with_case_or_trailing_blanks"));
            int64_t dup = json_integer_value(json_object_get(u, "case_insensitive_duplicates"));
            if (!ch && !dup)
                continue;
            HEADER();
            struct strbuf cols;
            sb_init(&cols);
            size_t xi;
            const json_t *x;
            json_array_foreach(json_object_get(u, "columns"), xi, x)
                sb_addf(&cols, "%s%s", xi ? ", " : "", json_string_value(x));
            fprintf(out, "  unique (%s): %lld values differ from their case-folded, "
                         "blank-trimmed form; %lld are duplicates that way.\n"
                         "    SQL Server compared them case-insensitively; PostgreSQL compares "
                         "exactly: consider a unique index on lower(...) or citext.\n",
                    cols.buf, (long long)ch, (long long)dup);
            if (json_array_size(json_object_get(u, "examples"))) {
                fputs("    e.g. ", out);
                json_array_foreach(json_object_get(u, "examples"), xi, x) {
                    if (xi)
                        fputs(", ", out);
                    put_value(out, x);
                }
                fputc('\n', out);
            }
            sb_free(&cols);
        }
#undef HEADER
    }
}

/* Server facts and error messages come from the source and may quote its
 * data: the report is built in memory and printed sanitized (values are
 * JSON-escaped already, which sanitizing leaves as they are). */
void assess_print(FILE *out, const json_t *a)
{
    sanitize_report(out, assess_print_raw, a);
}
