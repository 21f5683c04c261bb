/* gen.c - `demo generate`: the legacy Prisma / SQL Server database of
 * data-model.md §1 written as a SQLite file, with realistic food-service
 * data and, with --messy, counted dirt that the engine must cope with.
 *
 * Tables and columns come from the contract in legacy.c, never from a copy
 * here: what this file adds is what a column *means* (a city, a phone) and
 * which dirt it may carry. Every value depends only on (seed, table, row),
 * through a stateless hash, so a child row can recompute its parent's id or
 * name without keeping the parent in memory, and the output is byte-for-byte
 * the same for the same seed and scale.
 *
 * The parts: gen_schema.c (the tables' meaning), gen_words.c, gen_format.c,
 * gen_entity.c (a row's parents and choices), gen_values.c (its cells),
 * gen_dirt.c (--messy), gen_plan.c (column plans), gen_write.c (SQLite and
 * the dirt report); this file runs them and publishes the files.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"
#include "paths.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Files: FILE.tmp, created exclusively, renamed into place at the end.
 * ------------------------------------------------------------------------ */

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Creates path exclusively (a stale one is removed first when force). */
static int create_excl(struct gen *g, const char *path, bool force)
{
    if (force && unlink(path) != 0 && errno != ENOENT)
        return gen_fail(g, "cannot remove %s: %s", path, strerror(errno));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return gen_fail(g, "%s exists: another 'demo generate' is writing it, or one was "
                           "interrupted (remove it, or use --force)", path);
        return gen_fail(g, "cannot create %s: %s", path, strerror(errno));
    }
    return fd;
}

static int write_json(struct gen *g, const char *path, const char *tmp, json_t *root)
{
    int fd = create_excl(g, tmp, true);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return gen_fail(g, "cannot write %s: %s", tmp, strerror(errno));
    }
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    rc |= fputc('\n', f) == EOF;
    rc |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    rc |= fclose(f) != 0;
    if (rc != 0) {
        unlink(tmp);
        return gen_fail(g, "cannot write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return gen_fail(g, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    }
    return 0;
}

/* Moves tmp to out; without force, never over a file that appeared since
 * the start (link() fails when out exists, rename() would not). */
static int publish(struct gen *g, const char *tmp, const char *out, bool force)
{
    if (!force) {
        if (link(tmp, out) == 0) {
            unlink(tmp);
            return 0;
        }
        if (errno == EEXIST)
            return gen_fail(g, "%s appeared while generating; not replaced (use --force)", out);
        if (errno != EPERM && errno != EOPNOTSUPP && errno != EXDEV && errno != EMLINK)
            return gen_fail(g, "cannot create %s: %s", out, strerror(errno));
        /* A file system without hard links: check, then rename. */
        struct stat st;
        if (lstat(out, &st) == 0)
            return gen_fail(g, "%s appeared while generating; not replaced (use --force)", out);
    }
    if (rename(tmp, out) != 0)
        return gen_fail(g, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
    return 0;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int generate(struct gen *g, const struct progress *log, int *migrations)
{
    static const char *const pragmas[] = {
        /* No journal and no fsync while generating: a crash leaves only
         * FILE.tmp, which is never renamed into place. */
        "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA locking_mode = EXCLUSIVE",
        "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY", "BEGIN",
    };
    for (size_t i = 0; i < N_(pragmas); i++)
        if (gen_exec_sql(g, pragmas[i]) != 0)
            return -1;
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    struct strbuf sb;
    sb_init(&sb);
    for (size_t t = 0; t < nt; t++) {
        sb_reset(&sb);
        gen_ddl_table(&sb, &tables[t]);
        if (gen_exec_sql(g, sb.buf) != 0) {
            sb_free(&sb);
            return -1;
        }
    }
    sb_free(&sb);
    if ((*migrations = gen_prisma_migrations(g)) < 0)
        return -1;
    struct tstate *ts = xcalloc(1, sizeof *ts);
    for (size_t t = 0; t < nt; t++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (gen_plan_table(g, ts, &tables[t]) != 0 || gen_table(g, ts) != 0) {
            if (ts->ins)
                sqlite3_finalize(ts->ins);
            free(ts);
            return -1;
        }
        progress_say(log, "  %-20s %11ld rows  %6.2f s", tables[t].name, ts->rows, elapsed(&t0));
    }
    free(ts);
    if (log)
        progress_say(log, "  %-20s %11d rows", "_prisma_migrations", *migrations);
    /* The row counts readers use as estimates (source_sqlite.c): a
     * WITHOUT ROWID table has no max(rowid) to stand in for them. */
    if (gen_create_unique_keys(g) != 0 || gen_exec_sql(g, "ANALYZE") != 0
        || gen_exec_sql(g, "COMMIT") != 0)
        return -1;
    return 0;
}

int gen_legacy_sqlite(const struct gen_opts *o, const struct progress *log, char **err)
{
    *err = NULL;
    struct gen *g = xcalloc(1, sizeof *g);
    g->o = o;
    g->err = err;
    g->seed = o->seed;
    g->scale = o->scale;
    g->now = gen_days_from_civil(NOW_Y, NOW_M, NOW_D) * 86400;
    int rc = -1, migrations = 0;
    char *tmp = NULL, *json = NULL, *jtmp = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (o->scale < 1 || o->scale > GEN_MAX_SCALE || !o->out || !*o->out) {
        gen_fail(g, "scale must be 1..%ld and an output file is needed", GEN_MAX_SCALE);
        goto out;
    }
    for (int t = 0; t < T_COUNT; t++)
        g->n[t] = gen_rows_of((enum tab)t, o->scale);
    if (gen_check_contract(g) != 0)
        goto out;
    tmp = xasprintf("%s.tmp", o->out);
    json = xasprintf("%s.dirt.json", o->out);
    jtmp = xasprintf("%s.dirt.json.tmp", o->out);
    struct stat st;
    if (!o->force && lstat(o->out, &st) == 0) {
        gen_fail(g, "%s exists (use --force to replace it)", o->out);
        goto out;
    }
    int fd = create_excl(g, tmp, o->force);
    if (fd < 0)
        goto out;
    close(fd);
    progress_say(log, "generating a legacy database: scale %ld, seed %" PRIu64 ", %s, into %s",
                 o->scale, o->seed, o->messy ? "messy" : "clean", o->out);
    if (sqlite3_open_v2(tmp, &g->sql, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        gen_fail(g, "cannot open %s: %s", tmp, g->sql ? sqlite3_errmsg(g->sql) : "out of memory");
        goto fail_tmp;
    }
    if (generate(g, log, &migrations) != 0)
        goto fail_tmp;
    /* A normal close; then make the data durable before the name appears. */
    if (sqlite3_close(g->sql) != SQLITE_OK) {
        gen_fail(g, "closing %s: %s", tmp, sqlite3_errmsg(g->sql));
        goto fail_tmp;
    }
    g->sql = NULL;
    if (fsync_path(tmp, false) != 0) {
        gen_fail(g, "cannot sync %s: %s", tmp, strerror(errno));
        goto fail_tmp;
    }
    json_t *root = gen_dirt_json(g, migrations);
    int jrc = write_json(g, json, jtmp, root);
    json_decref(root);
    if (jrc != 0 || publish(g, tmp, o->out, o->force) != 0)
        goto fail_tmp;
    char *dir = paths_dirname(o->out);
    fsync_path(dir, true); /* best effort: the rename's durability */
    free(dir);
    if (log) {
        if (o->messy)
            gen_report_dirt(g, log);
        long total = migrations;
        for (int t = 0; t < T_COUNT; t++)
            total += g->n[t];
        double mb = lstat(o->out, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
        progress_say(log, "wrote %s (%ld rows, %.1f MB) and %s in %.2f s", o->out, total, mb, json,
                     elapsed(&t0));
    }
    rc = 0;
    goto out;

fail_tmp:
    if (g->sql)
        sqlite3_close(g->sql);
    g->sql = NULL;
    unlink(tmp);
out:
    for (int c = 0; c < MAXCOLS; c++) {
        sb_free(&g->cb[c]);
        sb_free(&g->db[c]);
    }
    sb_free(&g->last_email);
    free(g->huge);
    free(g);
    free(tmp);
    free(json);
    free(jtmp);
    return rc;
}

int gen_fail(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!*g->err)
        *g->err = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

