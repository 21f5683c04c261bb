/* source_tds.c - the SQL Server / Azure SQL source through FreeTDS db-lib.
 *
 * What this adapter guarantees, and how:
 * - Values come out in the representation the SQLite source gives for the
 *   same data, so transform/verify work unchanged: integers and BIT as
 *   decimal text, FLOAT as %.17g, DECIMAL/NUMERIC from DBNUMERIC's integer
 *   magnitude to exact decimal text (never through a double), DATETIME2 as
 *   "YYYY-MM-DD hh:mm:ss.fffffff" with all 7 digits (the engine counts the
 *   rounding to microseconds), uniqueidentifier from its fields (so the
 *   byte order is right on any host) as upper-case text, binary as is.
 * - Text is never read as db-lib text: db-lib turns a lone surrogate into
 *   '?', drops a lone high surrogate at the end of NVARCHAR(n), and kills
 *   the DBPROCESS for one at the end of NVARCHAR(MAX). Every text column is
 *   selected as CAST(CAST(col AS NVARCHAR(MAX)) AS VARBINARY(MAX)), which a
 *   real SQL Server sends as UTF-16LE; we convert it ourselves, encoding a
 *   lone surrogate as the 3-byte ED A0..BF xx form and keeping NUL, so that
 *   the engine's repair and quarantine rules see exactly what the source
 *   held. A server that does not send that cast as UTF-16LE (checked at
 *   connect time: CAST(N'a' AS VARBINARY(MAX)) is 2 bytes) is refused; the
 *   test stand-in sends UTF-16LE like SQL Server, so decoding has no case
 *   of its own for it.
 * - Reads are never dirty: the session runs at SNAPSHOT when the database
 *   allows it, otherwise READ COMMITTED (statement-level snapshot with
 *   READ_COMMITTED_SNAPSHOT on); never NOLOCK. Chunks are key-ordered and
 *   resume after a key given as a literal (the stand-in has no RPC), built
 *   from the key cell only; identifiers only from the catalog, bracketed.
 * - db-lib's error and message handlers are process-wide: they find the
 *   connection's diagnostics through dbsetuserdata (or, while dbopen runs,
 *   a thread-local pointer) and errors quote the server's number and text.
 *   A query timeout answers INT_TIMEOUT, so the query is cancelled and the
 *   connection kept.
 *
 * The parts: this file holds the catalog, the operations and opening;
 * tds_conn.c db-lib and its diagnostics, tds_decode.c the values, tds_sql.c
 * the T-SQL text, tds_locator.c the locator, freetds.conf and password.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "source_tds.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#ifndef HAVE_FREETDS

struct source *source_tds_open(const char *locator, char **err)
{
    *err = xasprintf("source '%s': this pantrycrm was built without FreeTDS (configure "
                     "--without-freetds); SQL Server sources are not available", locator);
    return NULL;
}

int source_tds_exec(struct source *src, const char *sql, char **value, char **err)
{
    (void)src, (void)sql;
    *value = NULL;
    *err = xstrdup("built without FreeTDS");
    return -1;
}

const char *source_tds_text_encoding(struct source *src)
{
    (void)src;
    return "none";
}

#else /* HAVE_FREETDS */


#include "tds_private.h"
#include "fallback.h"
#include "sanitize.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* ---- catalog --------------------------------------------------------- */

struct cat_build {
    struct source_table *t;
    size_t n, cap;
};

static char *upper_dup(const char *s)
{
    char *u = xstrdup(s ? s : "");
    for (char *p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

static int cat_row(struct tds_source *s, void *ctx, const struct cell *c, size_t n)
{
    (void)s;
    struct cat_build *b = ctx;
    if (n < 6 || c[0].is_null || c[1].is_null)
        return 0;
    char *tname = xstrndup(c[0].data, c[0].len);
    struct source_table *t = NULL;
    for (size_t i = 0; i < b->n && !t; i++)
        if (strcmp(b->t[i].name, tname) == 0)
            t = &b->t[i];
    if (!t) {
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->t = xrealloc(b->t, b->cap * sizeof *b->t);
        }
        t = &b->t[b->n++];
        t->name = tname;
        t->cols = NULL;
        t->ncols = 0;
    } else {
        free(tname);
    }
    char *dt = c[2].is_null ? xstrdup("") : xstrndup(c[2].data, c[2].len);
    char *type = upper_dup(dt);
    free(dt);
    long maxlen = 0;
    if (!c[3].is_null) {
        char *ml = xstrndup(c[3].data, c[3].len);
        maxlen = strtol(ml, NULL, 10);
        free(ml);
    }
    struct strbuf ty;
    sb_init(&ty);
    sb_adds(&ty, type);
    if (strstr(type, "CHAR") || strstr(type, "BINARY")) {
        if (maxlen == -1)
            sb_adds(&ty, "(MAX)");
        else if (maxlen > 0)
            sb_addf(&ty, "(%ld)", maxlen);
    } else if ((strcmp(type, "DECIMAL") == 0 || strcmp(type, "NUMERIC") == 0) && !c[4].is_null) {
        char *p = xstrndup(c[4].data, c[4].len), *sc = c[5].is_null ? xstrdup("0")
                                                                    : xstrndup(c[5].data, c[5].len);
        sb_addf(&ty, "(%s,%s)", p, sc);
        free(p);
        free(sc);
    }
    free(type);
    t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
    t->cols[t->ncols].name = xstrndup(c[1].data, c[1].len);
    t->cols[t->ncols].type = sb_detach(&ty);
    t->ncols++;
    return 0;
}

static int load_catalog(struct tds_source *s, char **err)
{
    if (s->have_cat)
        return 0;
    struct cat_build b = {0};
    int rc = tds_run_sql(s,
        "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, "
        "c.NUMERIC_PRECISION, c.NUMERIC_SCALE FROM INFORMATION_SCHEMA.COLUMNS AS c "
        "JOIN INFORMATION_SCHEMA.TABLES AS t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
        "AND t.TABLE_NAME = c.TABLE_NAME "
        "WHERE t.TABLE_SCHEMA = 'dbo' AND t.TABLE_TYPE = 'BASE TABLE' "
        "ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        NULL, 0, cat_row, &b, "cannot read the source catalog", err);
    if (rc != 0) {
        source_tables_free(b.t, b.n);
        return -1;
    }
    s->cat = b.t;
    s->ncat = b.n;
    s->have_cat = true;
    return 0;
}

static const struct source_table *cat_table(struct tds_source *s, const char *table, char **err)
{
    if (load_catalog(s, err) != 0)
        return NULL;
    for (size_t i = 0; i < s->ncat; i++)
        if (strcmp(s->cat[i].name, table) == 0)
            return &s->cat[i];
    *err = xasprintf("table dbo.%s is not in the source catalog", table);
    return NULL;
}

static const struct source_column *cat_column(const struct source_table *t, const char *col,
                                              char **err)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, col) == 0)
            return &t->cols[i];
    *err = xasprintf("column %s.%s is not in the source catalog", t->name, col);
    return NULL;
}


/* A table and its key column, both from the catalog. 0, or -1 with *err. */
static int cat_table_key(struct tds_source *s, const char *table, const char *key,
                         const struct source_table **t, const struct source_column **k, char **err)
{
    *t = cat_table(s, table, err);
    *k = *t ? cat_column(*t, key, err) : NULL;
    return *k ? 0 : -1;
}

/* ---- the operations -------------------------------------------------- */

static int tds_describe(struct source *src, struct source_table **out, size_t *n, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    *out = NULL;
    *n = 0;
    if (load_catalog(s, err) != 0)
        return -1;
    /* A deep copy: the caller frees it, we keep ours for the whitelist. */
    struct source_table *t = xcalloc(s->ncat ? s->ncat : 1, sizeof *t);
    for (size_t i = 0; i < s->ncat; i++) {
        t[i].name = xstrdup(s->cat[i].name);
        t[i].ncols = s->cat[i].ncols;
        t[i].cols = xcalloc(t[i].ncols ? t[i].ncols : 1, sizeof *t[i].cols);
        for (size_t j = 0; j < t[i].ncols; j++) {
            t[i].cols[j].name = xstrdup(s->cat[i].cols[j].name);
            t[i].cols[j].type = xstrdup(s->cat[i].cols[j].type);
        }
    }
    *out = t;
    *n = s->ncat;
    return 0;
}

static int int64_of(const char *v, int64_t *out)
{
    if (!v)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v)
        return -1;
    *out = x;
    return 0;
}

static int tds_count(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT COUNT_BIG(*) FROM ");
    tds_add_table(&sql, table);
    char *v = NULL;
    int rc = tds_query_first(s, sql.buf, &v, 1, NULL, "cannot count rows", err);
    sb_free(&sql);
    if (rc == 0 && int64_of(v, rows) != 0) {
        *err = xstrdup("cannot count rows: no count came back");
        rc = -1;
    }
    free(v);
    return rc;
}

static int tds_estimate(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    if (!s->no_partitions) {
        /* The row count the server keeps per partition: instant. */
        struct strbuf sql, name;
        sb_init(&sql);
        sb_init(&name);
        tds_add_table(&name, table);
        sb_adds(&sql, "SELECT SUM(p.rows) FROM sys.partitions AS p WHERE p.object_id = "
                      "OBJECT_ID(");
        tds_add_nliteral(&sql, name.buf, name.len);
        sb_adds(&sql, ") AND p.index_id IN (0, 1)");
        char *v = NULL, *e = NULL;
        int rc = tds_query_first(s, sql.buf, &v, 1, NULL, "estimate", &e);
        sb_free(&sql);
        sb_free(&name);
        free(e);
        if (rc == 0 && int64_of(v, rows) == 0) {
            free(v);
            return 0;
        }
        free(v);
        s->no_partitions = true;
    }
    return tds_count(src, table, rows, err);
}

struct stream_ctx {
    source_row_fn fn;
    void *ctx;
};

static int stream_row(struct tds_source *s, void *ctx, const struct cell *cells, size_t n)
{
    (void)s;
    struct stream_ctx *sc = ctx;
    return sc->fn(sc->ctx, cells, n);
}

/* Builds the select list for cols of t (kinds filled in), alias optional. */
static int add_catalog_columns(struct strbuf *sql, const struct source_table *t,
                               const char *alias, const char *const *cols, size_t ncols,
                               enum vk *kinds, char **err)
{
    for (size_t i = 0; i < ncols; i++) {
        const struct source_column *c = cat_column(t, cols[i], err);
        if (!c)
            return -1;
        if (i)
            sb_adds(sql, ", ");
        tds_add_column_expr(sql, alias, c);
        kinds[i] = tds_is_text_type(c->type) ? VK_TEXT : VK_NATIVE;
    }
    return 0;
}

static int tds_stream(struct source *src, const char *table, const char *key,
                      const char *const *cols, size_t ncols, const struct cell *after,
                      size_t limit, source_row_fn fn, void *ctx, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    const struct source_table *t;
    const struct source_column *k;
    if (cat_table_key(s, table, key, &t, &k, err) != 0)
        return -1;
    enum vk *kinds = xcalloc(ncols ? ncols : 1, sizeof *kinds);
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT ");
    if (limit)
        sb_addf(&sql, "TOP (%zu) ", limit);
    int rc = add_catalog_columns(&sql, t, NULL, cols, ncols, kinds, err);
    if (rc == 0) {
        sb_adds(&sql, " FROM ");
        tds_add_table(&sql, table);
        if (after) {
            sb_adds(&sql, " WHERE ");
            tds_add_bracketed(&sql, k->name);
            sb_adds(&sql, " > ");
            rc = tds_add_key_literal(&sql, k, after, err);
        }
    }
    if (rc == 0) {
        sb_adds(&sql, " ORDER BY ");
        tds_add_bracketed(&sql, k->name);
        struct stream_ctx sc = {fn, ctx};
        char *what = xasprintf("reading dbo.%s failed", table);
        rc = tds_run_sql(s, sql.buf, kinds, ncols, stream_row, &sc, what, err);
        free(what);
    }
    sb_free(&sql);
    free(kinds);
    return rc;
}

static void tds_close(struct source *src)
{
    struct tds_source *s = (struct tds_source *)src;
    if (s->db)
        dbclose(s->db);
    source_tables_free(s->cat, s->ncat);
    sb_free(&s->scratch);
    free(s->base.description);
    free(s);
}

/* ---- facts ----------------------------------------------------------- */

static int tds_facts(struct source *src, struct source_facts *f, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    memset(f, 0, sizeof *f);
    char *v[3];
    if (tds_query_first(s, "SELECT CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)), "
                       "CAST(SERVERPROPERTY('Edition') AS NVARCHAR(128)), DB_NAME()",
                    v, 3, NULL, "cannot read the server's version", err) != 0)
        return -1;
    f->server = v[1] ? xasprintf("SQL Server %s (%s)", v[0] ? v[0] : "?", v[1])
                     : xasprintf("SQL Server %s", v[0] ? v[0] : "?");
    f->database = v[2] ? xstrdup(v[2]) : NULL;
    tds_free_vals(v, 3);
    f->snapshot_isolation = s->snapshot_isolation;
    f->read_committed_snapshot = s->rcsi;
    f->change_tracking = -1;
    f->ct_retention_s = -1;
    f->ct_auto_cleanup = false;
    char *e = NULL;
    bool found = false;
    if (tds_query_first(s, "SELECT retention_period, retention_period_units, is_auto_cleanup_on "
                       "FROM sys.change_tracking_databases WHERE database_id = DB_ID()",
                    v, 3, &found, "change tracking", &e) == 0) {
        f->change_tracking = found ? 1 : 0;
        int64_t period, units;
        if (found && int64_of(v[0], &period) == 0 && int64_of(v[1], &units) == 0)
            f->ct_retention_s = period * (units == 1 ? 60 : units == 2 ? 3600 : 86400);
        f->ct_auto_cleanup = found && v[2] && v[2][0] == '1';
        tds_free_vals(v, 3);
    } else {
        /* No catalog view (the stand-in): the current version says whether
         * tracking is on. */
        free(e);
        e = NULL;
        if (tds_query_first(s, "SELECT CHANGE_TRACKING_CURRENT_VERSION()", v, 1, NULL, "ct", &e) == 0)
            f->change_tracking = v[0] ? 1 : 0;
        tds_free_vals(v, 1);
    }
    free(e);
    return 0;
}

/* ---- change capture -------------------------------------------------- */

static int tds_snapshot_begin(struct source *src, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    /* A snapshot that did not end would make this BEGIN a nested one inside
     * it: every later round would read the same old snapshot and see no
     * new changes. End it first (an error here means it was gone). */
    if (s->in_snapshot) {
        char *e = NULL;
        tds_run_sql(s, "ROLLBACK TRANSACTION", NULL, 0, NULL, NULL, "", &e);
        free(e);
        s->in_snapshot = false;
    }
    /* the hint only when the server refused, not when the connection broke */
    int rc = tds_run_sql(s, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION", NULL, 0,
                     NULL, NULL, "cannot start a snapshot transaction", err);
    if (rc == 0)
        s->in_snapshot = true;
    if (rc != 0 && s->diag.msgno) {
        char *m = xasprintf("%s (is ALLOW_SNAPSHOT_ISOLATION on?)", *err);
        free(*err);
        *err = m;
    }
    return rc;
}

static int tds_snapshot_end(struct source *src, bool commit, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    /* The snapshot only read, so a rollback ends it as well as a commit
     * would, and cannot fail: the tds-standin's COMMIT writes its version
     * counter and fails ("database is locked") when the snapshot is older
     * than another connection's commit. */
    (void)commit;
    char sql[160];
    snprintf(sql, sizeof sql, "ROLLBACK TRANSACTION; SET TRANSACTION ISOLATION LEVEL %s",
             s->isolation);
    int rc = tds_run_sql(s, sql, NULL, 0, NULL, NULL, "cannot end the snapshot transaction", err);
    if (rc == 0)
        s->in_snapshot = false;
    return rc;
}

static int tds_change_version(struct source *src, int64_t *current, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    char *v = NULL;
    if (tds_query_first(s, "SELECT CHANGE_TRACKING_CURRENT_VERSION()", &v, 1, NULL,
                    "cannot read the change tracking version", err) != 0)
        return -1;
    int rc = int64_of(v, current);
    if (rc != 0)
        *err = xstrdup("Change Tracking is not enabled on the source database "
                       "(CHANGE_TRACKING_CURRENT_VERSION() is NULL)");
    free(v);
    return rc;
}

static int tds_change_min_valid(struct source *src, const char *table, bool *tracked,
                                int64_t *min_valid, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    struct strbuf sql, name;
    sb_init(&sql);
    sb_init(&name);
    sb_adds(&name, "dbo.");
    tds_add_bracketed(&name, table);
    sb_adds(&sql, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(");
    tds_add_nliteral(&sql, name.buf, name.len);
    sb_adds(&sql, "))");
    char *v = NULL;
    int rc = tds_query_first(s, sql.buf, &v, 1, NULL, "cannot read the minimum valid version", err);
    sb_free(&sql);
    sb_free(&name);
    if (rc == 0) {
        *tracked = v != NULL;
        *min_valid = 0;
        if (v && int64_of(v, min_valid) != 0) {
            *err = xasprintf("minimum valid version of %s is not a number", table);
            rc = -1;
        }
    }
    free(v);
    return rc;
}

struct changes_ctx {
    source_change_fn fn;
    void *ctx;
    size_t ncols;
    char **err;
};

static int change_row(struct tds_source *s, void *ctx, const struct cell *c, size_t n)
{
    (void)s;
    struct changes_ctx *cc = ctx;
    int64_t version = 0;
    char vbuf[32], op = 0;
    if (n != cc->ncols + 4 || c[0].is_null || c[0].len >= sizeof vbuf || c[1].is_null ||
        c[1].len < 1) {
        *cc->err = xstrdup("CHANGETABLE gave an unexpected row");
        return -1;
    }
    memcpy(vbuf, c[0].data, c[0].len);
    vbuf[c[0].len] = '\0';
    if (int64_of(vbuf, &version) != 0) {
        *cc->err = xstrdup("CHANGETABLE gave a version that is not a number");
        return -1;
    }
    op = c[1].data[0];
    bool exists = !c[3].is_null && c[3].len == 1 && c[3].data[0] == '1';
    return cc->fn(cc->ctx, version, op, &c[2], exists && op != 'D' ? c + 4 : NULL, cc->ncols);
}

static int tds_changes(struct source *src, const char *table, const char *key,
                       const char *const *cols, size_t ncols, int64_t since,
                       source_change_fn fn, void *ctx, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    const struct source_table *t;
    const struct source_column *k;
    if (cat_table_key(s, table, key, &t, &k, err) != 0)
        return -1;
    enum vk *kinds = xcalloc(ncols + 4, sizeof *kinds);
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_OPERATION, ");
    tds_add_column_expr(&sql, "CT", k);
    kinds[2] = tds_is_text_type(k->type) ? VK_TEXT : VK_NATIVE;
    sb_adds(&sql, ", CASE WHEN T.");
    tds_add_bracketed(&sql, k->name);
    sb_adds(&sql, " IS NULL THEN 0 ELSE 1 END");
    int rc = 0;
    if (ncols) {
        sb_adds(&sql, ", ");
        rc = add_catalog_columns(&sql, t, "T", cols, ncols, kinds + 4, err);
    }
    if (rc == 0) {
        sb_adds(&sql, " FROM CHANGETABLE(CHANGES ");
        tds_add_table(&sql, table);
        if (since < 0)
            sb_adds(&sql, ", NULL) AS CT LEFT JOIN ");
        else
            sb_addf(&sql, ", %" PRId64 ") AS CT LEFT JOIN ", since);
        tds_add_table(&sql, table);
        sb_adds(&sql, " AS T ON T.");
        tds_add_bracketed(&sql, k->name);
        sb_adds(&sql, " = CT.");
        tds_add_bracketed(&sql, k->name);
        /* not the pantrycrm fallback's own writes (fallback.h) */
        sb_adds(&sql, " WHERE CT.SYS_CHANGE_CONTEXT IS NULL OR CT.SYS_CHANGE_CONTEXT <> " FALLBACK_CT_CONTEXT);
        sb_adds(&sql, " ORDER BY CT.");
        tds_add_bracketed(&sql, k->name);
        struct changes_ctx cc = {fn, ctx, ncols, err};
        char *what = xasprintf("reading the changes of dbo.%s failed", table);
        rc = tds_run_sql(s, sql.buf, kinds, ncols + 4, change_row, &cc, what, err);
        free(what);
    }
    sb_free(&sql);
    free(kinds);
    return rc;
}

static const struct source_ops tds_ops = {
    .kind = "mssql",
    .describe = tds_describe,
    .count = tds_count,
    .estimate = tds_estimate,
    .stream = tds_stream,
    .close = tds_close,
    .facts = tds_facts,
    .snapshot_begin = tds_snapshot_begin,
    .snapshot_end = tds_snapshot_end,
    .change_version = tds_change_version,
    .change_min_valid = tds_change_min_valid,
    .changes = tds_changes,
};


/* ---- opening ---------------------------------------------------------- */

static void wipe(char *s)
{
    if (s) {
        volatile char *v = s;
        while (*v)
            *v++ = '\0';
    }
}

/* Session setup: settings, the text encoding of VARBINARY casts, the
 * isolation level. */
static int first_len_fn(struct tds_source *s, void *ctx, const struct cell *cells, size_t n)
{
    (void)s;
    size_t *len = ctx;
    if (n >= 1 && !cells[0].is_null && *len == SIZE_MAX)
        *len = cells[0].len;
    return 0;
}

static int session_setup(struct tds_source *s, char **err)
{
    /* 61 00: SQL Server sends text casts as UTF-16LE, which is all the
     * decoding reads (as a C string the answer reads "a" either way). */
    size_t alen = SIZE_MAX;
    if (tds_run_sql(s, "SET TEXTSIZE 2147483647; SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON; "
                   "SET ANSI_WARNINGS ON; SET ANSI_PADDING ON; SET CONCAT_NULL_YIELDS_NULL ON; "
                   "SET ARITHABORT ON; SELECT CAST(N'a' AS VARBINARY(MAX))",
                NULL, 0, first_len_fn, &alen, "cannot set up the session", err) != 0)
        return -1;
    if (alen != 2) {
        *err = xasprintf("the server sent CAST(N'a' AS VARBINARY(MAX)) as %zu bytes, not as "
                         "UTF-16LE: it does not behave as SQL Server, and its text cannot be read",
                         alen == SIZE_MAX ? (size_t)0 : alen);
        return -1;
    }
    s->snapshot_isolation = s->rcsi = -1;
    char *iv[2];
    char *e = NULL;
    bool found;
    if (tds_query_first(s, "SELECT snapshot_isolation_state, is_read_committed_snapshot_on FROM "
                       "sys.databases WHERE name = DB_NAME()",
                    iv, 2, &found, "isolation", &e) == 0 && found) {
        s->snapshot_isolation = iv[0] ? strcmp(iv[0], "1") == 0 : -1;
        s->rcsi = iv[1] ? strcmp(iv[1], "1") == 0 : -1;
    }
    free(e);
    if (found)
        tds_free_vals(iv, 2);
    /* SNAPSHOT when allowed: every statement reads one committed state.
     * Otherwise READ COMMITTED, which READ_COMMITTED_SNAPSHOT makes a
     * statement-level snapshot and which is never a dirty read. */
    s->isolation = s->snapshot_isolation == 1 ? "SNAPSHOT" : "READ COMMITTED";
    char sql[80];
    snprintf(sql, sizeof sql, "SET TRANSACTION ISOLATION LEVEL %s", s->isolation);
    return tds_run_sql(s, sql, NULL, 0, NULL, NULL, "cannot set the isolation level", err);
}

struct source *source_tds_open(const char *locator, char **err)
{
    if (!tds_dblib_init()) {
        *err = xstrdup("cannot initialise FreeTDS db-lib (dbinit failed)");
        return NULL;
    }
    struct tds_params p;
    if (tds_parse_locator(locator, &p, err) != 0) {
        tds_params_free(&p);
        return NULL;
    }
    char *server;
    if (p.server)
        server = xstrdup(p.server);
    else if (p.encrypt || p.ca_file || p.check_hostname) {
        server = tds_conf_section(&p, err);
        if (!server) {
            tds_params_free(&p);
            return NULL;
        }
    } else
        server = xasprintf("%s:%s", p.host, p.port ? p.port : "1433");
    char *desc = xstrdup(locator);
    char *who = p.server ? xasprintf("%s@%s", p.user, p.server)
                         : xasprintf("%s@%s:%s", p.user, p.host, p.port ? p.port : "1433");
    char *pw = tds_get_password(&p, who, err);
    if (!pw) {
        free(who);
        free(desc);
        free(server);
        tds_params_free(&p);
        return NULL;
    }
    struct tds_source *s = xcalloc(1, sizeof *s);
    s->base.ops = &tds_ops;
    s->base.description = desc;
    s->timeout = p.timeout;
    sb_init(&s->scratch);
    LOGINREC *login = dblogin();
    if (!login) {
        *err = xstrdup("cannot allocate a db-lib login");
        wipe(pw);
        free(pw);
        free(who);
        free(server);
        tds_params_free(&p);
        tds_close(&s->base);
        return NULL;
    }
    DBSETLUSER(login, p.user);
    DBSETLPWD(login, pw);
    DBSETLAPP(login, p.app ? p.app : "pantrycrm");
    DBSETLCHARSET(login, "UTF-8");
    DBSETLDBNAME(login, p.database);
    dbsetlversion(login, DBVERSION_74);
    /* Process-wide in db-lib; every source of a run uses the same locator,
     * so they are set once per value, under a lock (threads open sources
     * at the same time). */
    static pthread_mutex_t time_mu = PTHREAD_MUTEX_INITIALIZER;
    static int cur_login = -1, cur_query = -1;
    pthread_mutex_lock(&time_mu);
    if (cur_login != p.login_timeout)
        dbsetlogintime(cur_login = p.login_timeout);
    if (cur_query != p.timeout)
        dbsettime(cur_query = p.timeout);
    pthread_mutex_unlock(&time_mu);
    s->db = tds_dbopen(login, server, &s->diag);
    dbloginfree(login);
    wipe(pw);
    free(pw);
    if (!s->db) {
        char *d = tds_diag_text(s);
        if (s->diag.timed_out && !s->diag.msgno)
            *err = xasprintf("SQL Server %s did not answer the login within %d s "
                             "(login_timeout=SECONDS in the locator changes the limit)",
                             p.server ? p.server : server, p.login_timeout);
        else if (s->diag.msgno == 18456)
            *err = xasprintf("SQL Server login as %s failed (wrong user or password?): %s", who, d);
        else if (s->diag.msgno)
            *err = xasprintf("cannot log in to SQL Server as %s: %s", who, d);
        else if (p.server)
            *err = xasprintf("cannot connect to SQL Server %s (a freetds.conf server): %s",
                             p.server, d);
        else
            *err = xasprintf("cannot connect to SQL Server at %s:%s: %s%s%s%s", p.host,
                             p.port ? p.port : "1433", d,
                             p.encrypt ? " (with encrypt=" : "", p.encrypt ? p.encrypt : "",
                             p.encrypt ? ": does the server offer TLS, and does its certificate "
                                         "pass the checks?)" : "");
        free(d);
        free(who);
        free(server);
        tds_params_free(&p);
        tds_close(&s->base);
        return NULL;
    }
    dbsetuserdata(s->db, (BYTE *)&s->diag);
    free(who);
    free(server);
    tds_params_free(&p);
    if (session_setup(s, err) != 0) {
        tds_close(&s->base);
        return NULL;
    }
    return &s->base;
}

int source_tds_exec(struct source *src, const char *sql, char **value, char **err)
{
    *value = NULL;
    if (strcmp(src->ops->kind, "mssql") != 0) {
        *err = xstrdup("not an mssql source");
        return -1;
    }
    return tds_query_first((struct tds_source *)src, sql, value, 1, NULL, "query failed", err);
}

const char *source_tds_text_encoding(struct source *src)
{
    if (strcmp(src->ops->kind, "mssql") != 0)
        return "none";
    return "utf-16le"; /* nothing else is accepted at open */
}

#endif /* HAVE_FREETDS */
