/* source-probe - drives a source adapter through struct source_ops for the
 * shell tests (tests/tds.sh): dumps rows, facts and changes in a form a
 * shell can compare. Not installed.
 *
 *   source-probe LOCATOR describe
 *   source-probe LOCATOR count TABLE
 *   source-probe LOCATOR dump TABLE KEY [AFTER|-] [LIMIT] [COL...]
 *   source-probe LOCATOR facts
 *   source-probe LOCATOR exec SQL...        (mssql only; one line per batch)
 *   source-probe LOCATOR changes TABLE KEY SINCE [COL...]
 *   source-probe LOCATOR encoding           (mssql only)
 *   source-probe LOCATOR script FILE        (mssql only; batches split at GO lines)
 *
 * Cells print as printable ASCII with everything else as \xNN, NULL as \N,
 * separated by " | ".
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "source.h"
#include "source_tds.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void put_cell(const struct cell *c)
{
    if (c->is_null) {
        fputs("\\N", stdout);
        return;
    }
    for (size_t i = 0; i < c->len; i++) {
        unsigned char ch = (unsigned char)c->data[i];
        if (ch >= 0x20 && ch < 0x7F && ch != '\\' && ch != '|')
            putchar(ch);
        else
            printf("\\x%02X", ch);
    }
}

static int row_fn(void *ctx, const struct cell *cells, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(" | ", stdout);
        put_cell(&cells[i]);
    }
    putchar('\n');
    return 0;
}

static int change_fn(void *ctx, int64_t version, char op, const struct cell *key,
                     const struct cell *row, size_t ncells)
{
    (void)ctx;
    printf("%" PRId64 " %c ", version, op);
    put_cell(key);
    if (!row) {
        fputs(" | (gone)\n", stdout);
        return 0;
    }
    for (size_t i = 0; i < ncells; i++) {
        fputs(" | ", stdout);
        put_cell(&row[i]);
    }
    putchar('\n');
    return 0;
}

static int fail(char *err)
{
    fprintf(stderr, "source-probe: %s\n", err ? err : "failed");
    free(err);
    return 1;
}

/* The columns to read: the ones given, or all of the table's. */
static const char **columns(struct source *src, const char *table, char **argv, int argc,
                            size_t *n, struct source_table **tabs, size_t *ntabs, char **err)
{
    if (argc > 0) {
        *n = (size_t)argc;
        return (const char **)argv;
    }
    if (src->ops->describe(src, tabs, ntabs, err) != 0)
        return NULL;
    for (size_t i = 0; i < *ntabs; i++)
        if (strcmp((*tabs)[i].name, table) == 0) {
            const char **c = xcalloc((*tabs)[i].ncols + 1, sizeof *c);
            for (size_t j = 0; j < (*tabs)[i].ncols; j++)
                c[j] = (*tabs)[i].cols[j].name;
            *n = (*tabs)[i].ncols;
            return c;
        }
    *err = xasprintf("no table %s", table);
    return NULL;
}

int main(int argc, char **argv)
{
    util_set_progname("source-probe");
    if (argc < 3) {
        fprintf(stderr, "usage: source-probe LOCATOR describe|count|dump|facts|exec|changes|"
                        "encoding ...\n");
        return 2;
    }
    char *err = NULL;
    struct source *src = source_open(argv[1], &err);
    if (!src)
        return fail(err);
    const char *what = argv[2];
    int rc = 0;
    if (strcmp(what, "describe") == 0) {
        struct source_table *t;
        size_t n;
        if (src->ops->describe(src, &t, &n, &err) != 0) {
            rc = fail(err);
        } else {
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < t[i].ncols; j++)
                    printf("%s.%s %s\n", t[i].name, t[i].cols[j].name, t[i].cols[j].type);
            source_tables_free(t, n);
        }
    } else if (strcmp(what, "count") == 0 && argc == 4) {
        int64_t rows, est;
        if (src->ops->count(src, argv[3], &rows, &err) != 0 ||
            src->ops->estimate(src, argv[3], &est, &err) != 0)
            rc = fail(err);
        else
            printf("%" PRId64 " %" PRId64 "\n", rows, est);
    } else if (strcmp(what, "dump") == 0 && argc >= 5) {
        struct cell after = {NULL, 0, false};
        bool have_after = argc > 5 && strcmp(argv[5], "-") != 0;
        if (have_after) {
            after.data = argv[5];
            after.len = strlen(argv[5]);
        }
        size_t limit = argc > 6 ? (size_t)strtoul(argv[6], NULL, 10) : 0;
        struct source_table *tabs = NULL;
        size_t ntabs = 0, ncols;
        const char **cols = columns(src, argv[3], argv + 7, argc > 7 ? argc - 7 : 0, &ncols,
                                    &tabs, &ntabs, &err);
        if (!cols ||
            src->ops->stream(src, argv[3], argv[4], cols, ncols, have_after ? &after : NULL, limit,
                             row_fn, NULL, &err) < 0)
            rc = fail(err);
        if (cols && cols != (const char **)argv + 7)
            free(cols);
        source_tables_free(tabs, ntabs);
    } else if (strcmp(what, "facts") == 0) {
        struct source_facts f;
        if (!src->ops->facts) {
            rc = fail(xstrdup("no facts operation"));
        } else if (src->ops->facts(src, &f, &err) != 0) {
            rc = fail(err);
        } else {
            printf("server=%s\ndatabase=%s\nsnapshot_isolation=%d\nread_committed_snapshot=%d\n"
                   "change_tracking=%d\nct_retention_s=%" PRId64 "\n",
                   f.server ? f.server : "", f.database ? f.database : "", f.snapshot_isolation,
                   f.read_committed_snapshot, f.change_tracking, f.ct_retention_s);
            source_facts_free(&f);
        }
    } else if (strcmp(what, "exec") == 0) {
        for (int i = 3; i < argc; i++) {
            char *v = NULL;
            if (source_tds_exec(src, argv[i], &v, &err) != 0) {
                printf("error: %s\n", err);
                free(err);
                err = NULL;
                rc = 1;
            } else {
                printf("ok %s\n", v ? v : "\\N");
                free(v);
            }
        }
    } else if (strcmp(what, "script") == 0 && argc == 4) {
        size_t len;
        char *text = file_read_all(argv[3], &len);
        if (!text) {
            rc = fail(xasprintf("%s: cannot read", argv[3]));
        } else {
            struct strbuf batch;
            sb_init(&batch);
            char *save = NULL;
            size_t nb = 0;
            for (char *line = strtok_r(text, "\n", &save); rc == 0; line = strtok_r(NULL, "\n", &save)) {
                char *t = line ? line : "GO";
                while (*t == ' ' || *t == '\t')
                    t++;
                bool go = strncasecmp(t, "GO", 2) == 0 && strspn(t + 2, " \t\r") == strlen(t + 2);
                if (go && batch.len) {
                    char *v = NULL;
                    if (source_tds_exec(src, batch.buf, &v, &err) != 0)
                        rc = fail(xasprintf("batch %zu: %s", nb + 1, err)), free(err);
                    free(v);
                    nb++;
                    sb_reset(&batch);
                } else if (!go) {
                    sb_adds(&batch, line);
                    sb_addc(&batch, '\n');
                }
                if (!line)
                    break;
            }
            if (rc == 0)
                printf("%zu batches\n", nb);
            sb_free(&batch);
            free(text);
        }
    } else if (strcmp(what, "encoding") == 0) {
        printf("%s\n", source_tds_text_encoding(src));
    } else if (strcmp(what, "changes") == 0 && argc >= 6) {
        struct source_table *tabs = NULL;
        size_t ntabs = 0, ncols;
        int64_t cur, minv;
        bool tracked;
        const char **cols = columns(src, argv[3], argv + 6, argc - 6, &ncols, &tabs, &ntabs, &err);
        if (!cols || !src->ops->changes || src->ops->snapshot_begin(src, &err) != 0) {
            rc = fail(err);
        } else {
            if (src->ops->change_version(src, &cur, &err) != 0 ||
                src->ops->change_min_valid(src, argv[3], &tracked, &minv, &err) != 0) {
                rc = fail(err);
            } else {
                printf("current %" PRId64 "\n", cur);
                if (tracked)
                    printf("min_valid %" PRId64 "\n", minv);
                else
                    printf("not tracked\n");
                if (tracked && src->ops->changes(src, argv[3], argv[4], cols, ncols,
                                                 strtoll(argv[5], NULL, 10), change_fn, NULL,
                                                 &err) != 0)
                    rc = fail(err);
            }
            char *e2 = NULL;
            if (src->ops->snapshot_end(src, rc == 0, &e2) != 0)
                rc = fail(e2);
        }
        if (cols && cols != (const char **)argv + 6)
            free(cols);
        source_tables_free(tabs, ntabs);
    } else {
        fprintf(stderr, "source-probe: bad arguments\n");
        rc = 2;
    }
    source_close(src);
    return rc;
}
