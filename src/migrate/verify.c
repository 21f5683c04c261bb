/* verify.c - proving that nothing was lost.
 *
 * For every table:
 *   1. counts: source rows = target rows + open quarantine rows;
 *   2. orphans: no foreign key in the target points at a missing parent;
 *   3. content: the source is streamed in key order in chunks and each row
 *      is transformed exactly as migrate transforms it (the same convert
 *      code); the chunk's digest (XXH3 over canonical row text) is compared
 *      with the digest of the matching target rows, and a differing chunk
 *      is narrowed down to the rows that differ, which are listed. A source
 *      row must be either in the target, equal, or in the quarantine.
 * Canonical text makes equal values compare equal whatever their spelling:
 * timestamps with six fraction digits and no offset, doubles by their bits,
 * JSON with sorted keys.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "verify.h"
#include "collisions.h"
#include "batch.h"
#include "engine.h"
#include "legacy.h"
#include "paths.h"
#include "pg.h"
#include "quarantine.h"
#include "source.h"
#include "transform.h"
#include "sqltext.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct table_check {
    const struct legacy_table *t;
    int64_t source_rows, target_rows, quarantined;
    int64_t orphans;
    int64_t compared, differing, missing, chunks, chunks_differing;
    int64_t repairs_missing;     /* repaired values without their migration.repair entry */
    json_t *listed;              /* [{key, problem, column}] */
    bool ok;
};

struct comparer;

struct verifier {
    const struct verify_opts *o;
    PGconn *conn;
    struct convert *cv;
    struct table_check *tc;
    struct batch batch;
    size_t key_index;
    struct strbuf a, b, sql;
    char *err;
    bool failed;
    struct comparer *cmp;   /* the thread comparing the chunk read before */
};

/* While a worker reads and transforms the next chunk of the source, this
 * thread compares the previous one with the target: the two halves of a
 * table's check use both cores, which matters for the largest table
 * (Interaction is two thirds of the rows), checked while the other worker
 * has run out of tables. It has its own convert and buffers, and the
 * worker's connection, which the reading half does not use. */
struct comparer {
    struct verifier v;
    struct batch spare;     /* the chunk being compared, or the next to fill */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool busy, quit, failed;
};

/* "YYYY-MM-DD HH:MM:SS[.f…][±zone]" → "YYYY-MM-DD HH:MM:SS.ffffff". */
static void canon_timestamp(struct strbuf *out, const char *s, size_t n)
{
    if (n < 19) {
        sb_addn(out, s, n);
        return;
    }
    sb_addn(out, s, 19);
    size_t i = 19, digits = 0;
    sb_addc(out, '.');
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (digits < 6) {
                sb_addc(out, s[i]);
                digits++;
            }
    for (; digits < 6; digits++)
        sb_addc(out, '0');
}

static void canon_value(struct strbuf *out, enum col_kind kind, bool is_json, bool drop_legacy,
                        const char *s, size_t n)
{
    if (is_json && n == 2 && s[0] == '{' && s[1] == '}') {
        /* most rows: an empty object needs no parser (a third of the
         * client's CPU went into parsing and printing "{}") */
        sb_addn(out, s, n);
        return;
    }
    if (is_json) {
        json_error_t e;
        json_t *j = json_loadb(s, n, 0, &e);
        /* metadata.legacy is history: see verify_opts.legacy_history */
        if (j && drop_legacy)
            json_object_del(j, "legacy");
        char *d = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (d)
            sb_adds(out, d);
        else
            sb_addn(out, s, n);
        free(d);
        json_decref(j);
        return;
    }
    if (kind == COL_DATETIME) {
        canon_timestamp(out, s, n);
    } else if (kind == COL_FLOAT) {
        char buf[64];
        char *tmp = xstrndup(s, n);
        snprintf(buf, sizeof buf, "%.17g", strtod(tmp, NULL));
        free(tmp);
        sb_adds(out, buf);
    } else {
        sb_addn(out, s, n);
    }
}

static void canon_field(struct strbuf *out, const struct legacy_table *t, size_t col, bool is_null,
                        bool drop_legacy, const char *s, size_t n)
{
    if (col > 0)
        sb_addc(out, '\x1f');
    if (is_null) {
        sb_adds(out, "\\N");
        return;
    }
    bool json = col >= t->ncols; /* the metadata column */
    canon_value(out, json ? COL_TEXT : t->cols[col].kind, json, drop_legacy, s, n);
}

static void list_row(struct verifier *v, const char *key, const char *problem, const char *column)
{
    if (json_array_size(v->tc->listed) >= (v->o->max_listed ? v->o->max_listed : 20))
        return;
    json_array_append_new(v->tc->listed, json_pack("{s:s,s:s,s:s?}", "key", key, "problem",
                                                    problem, "column", column));
}

/* The first column where source and target rows differ, for the listing. */
static const char *first_difference(struct verifier *v, struct batch *b, size_t r, PGresult *res,
                                    int tr, size_t ncols)
{
    const struct field *f = batch_row_fields(b, r);
    for (size_t c = 0; c < ncols; c++) {
        sb_reset(&v->a);
        sb_reset(&v->b);
        canon_field(&v->a, v->tc->t, 1, f[c].is_null, v->o->legacy_history, batch_ptr(b, f[c]), f[c].len);
        canon_field(&v->b, v->tc->t, 1, PQgetisnull(res, tr, (int)c), v->o->legacy_history,
                    PQgetvalue(res, tr, (int)c),
                    (size_t)PQgetlength(res, tr, (int)c));
        if (c < v->tc->t->ncols && strcmp(v->a.buf, v->b.buf) != 0)
            return v->tc->t->cols[c].name;
        if (c >= v->tc->t->ncols) {
            /* canon_field treats column 1 as a plain value; redo metadata as JSON */
            sb_reset(&v->a);
            sb_reset(&v->b);
            canon_value(&v->a, COL_TEXT, true, v->o->legacy_history, batch_ptr(b, f[c]), f[c].len);
            canon_value(&v->b, COL_TEXT, true, v->o->legacy_history, PQgetvalue(res, tr, (int)c),
                        (size_t)PQgetlength(res, tr, (int)c));
            if (strcmp(v->a.buf, v->b.buf) != 0)
                return "metadata";
        }
    }
    return NULL;
}

/* A table without metadata keeps the original of each value it repaired
 * in migration.repair (convert.c, batch_keep_side): a repaired value whose
 * entry is missing, or holds another original, is a loss, counted as a
 * differing row. in_target[r]: row r was found in the target. 0, or -1. */
static int check_repairs(struct verifier *v, struct batch *b, char **dkeys, const bool *in_target)
{
    struct strbuf keys;
    sb_init(&keys);
    sb_addc(&keys, '{');
    size_t n = 0;
    for (size_t i = 0; i < b->nside; i++)
        if (in_target[b->side[i].row]) {
            const char *k = dkeys[b->side[i].row];
            sql_add_array_elem(&keys, k, strlen(k), n++ == 0);
        }
    sb_addc(&keys, '}');
    if (n == 0) {
        sb_free(&keys);
        return 0;
    }
    const char *params[2] = {v->tc->t->name, keys.buf};
    PGresult *res = pg_exec(v->conn, &v->err,
        "SELECT source_key, column_name, original::text FROM migration.repair"
        " WHERE table_name = $1 AND source_key = ANY($2::text[])", 2, params);
    sb_free(&keys);
    if (!res)
        return -1;
    size_t nsrc;
    const char *const *src_cols = convert_source_columns(v->cv, &nsrc);
    int nr = PQntuples(res);
    size_t last_row = SIZE_MAX;
    for (size_t i = 0; i < b->nside; i++) {
        const struct batch_side *sd = &b->side[i];
        if (!in_target[sd->row])
            continue;
        const char *col = src_cols[sd->col];
        char *want = convert_cell_json(b, sd->row, sd->col);
        json_t *wj = json_loads(want, JSON_DECODE_ANY, NULL);
        bool found = false;
        for (int r = 0; r < nr && !found; r++)
            if (strcmp(PQgetvalue(res, r, 0), dkeys[sd->row]) == 0
                && strcmp(PQgetvalue(res, r, 1), col) == 0) {
                json_t *gj = json_loads(PQgetvalue(res, r, 2), JSON_DECODE_ANY, NULL);
                found = wj && gj && json_equal(wj, gj);
                json_decref(gj);
            }
        json_decref(wj);
        free(want);
        if (found)
            continue;
        v->tc->repairs_missing++;
        if (sd->row != last_row)
            v->tc->differing++;     /* one row, however many of its columns */
        last_row = sd->row;
        list_row(v, dkeys[sd->row], "repaired or flagged, but its original is not in migration.repair", col);
    }
    PQclear(res);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keyed {
    const char *key;
    int row;
};

static int cmp_keyed(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static int compare_chunk(struct verifier *v, struct batch *b)
{
    const struct legacy_table *t = v->tc->t;
    const struct legacy_column *kc = &t->cols[v->key_index];
    size_t ncols;
    const char *const *cols = convert_target_columns(v->cv, &ncols);
    if (b->nrows == 0)
        return 0;
    v->tc->chunks++;

    /* The quarantine's view of these rows. */
    struct strbuf keys, ids;
    sb_init(&keys);
    sb_init(&ids);
    sb_addc(&keys, '{');
    sb_addc(&ids, '{');
    char **dkeys = xcalloc(b->nrows, sizeof *dkeys);
    bool first_id = true;
    for (size_t r = 0; r < b->nrows; r++) {
        dkeys[r] = convert_display_key(b, r);
        sql_add_array_elem(&keys, dkeys[r], strlen(dkeys[r]), r == 0);
        if (!b->rows[r].quarantined) {
            struct field kf = batch_row_fields(b, r)[v->key_index];
            sql_add_array_elem(&ids, batch_ptr(b, kf), kf.len, first_id);
            first_id = false;
        }
    }
    sb_addc(&keys, '}');
    sb_addc(&ids, '}');
    PGresult *qres = quarantine_open_among(v->conn, t->name, keys.buf, &v->err);
    sb_free(&keys);
    if (!qres) {
        sb_free(&ids);
        for (size_t r = 0; r < b->nrows; r++)
            free(dkeys[r]);
        free(dkeys);
        return -1;
    }
    size_t nq = (size_t)PQntuples(qres);
    char **qkeys = xcalloc(nq + 1, sizeof *qkeys);
    for (size_t i = 0; i < nq; i++)
        qkeys[i] = PQgetvalue(qres, (int)i, 0);
    qsort(qkeys, nq, sizeof *qkeys, cmp_str);

    /* The target rows, in the same key order as the source chunk. */
    sb_reset(&v->sql);
    sb_adds(&v->sql, "SELECT ");
    for (size_t c = 0; c < ncols; c++) {
        if (c)
            sb_adds(&v->sql, ", ");
        sql_add_ident(&v->sql, cols[c]);
    }
    sb_adds(&v->sql, " FROM ");
    sql_add_ident(&v->sql, t->name);
    sb_adds(&v->sql, " WHERE ");
    sql_add_ident(&v->sql, kc->name);
    sb_addf(&v->sql, " = ANY($1::%s[])", kc->kind == COL_ID_UUID ? "uuid" : "text");
    const char *tp[1] = {ids.buf};
    PGresult *tres = pg_exec(v->conn, &v->err, v->sql.buf, 1, tp);
    sb_free(&ids);
    if (!tres) {
        PQclear(qres);
        free(qkeys);
        for (size_t r = 0; r < b->nrows; r++)
            free(dkeys[r]);
        free(dkeys);
        return -1;
    }
    int ntr = PQntuples(tres);
    /* Index the target rows by key: they come in no particular order. */
    struct keyed *sorted = xcalloc((size_t)ntr + 1, sizeof *sorted);
    for (int i = 0; i < ntr; i++)
        sorted[i] = (struct keyed){PQgetvalue(tres, i, (int)v->key_index), i};
    qsort(sorted, (size_t)ntr, sizeof *sorted, cmp_keyed);

    XXH3_state_t *hs = XXH3_createState(), *ht = XXH3_createState();
    XXH3_64bits_reset(hs);
    XXH3_64bits_reset(ht);
    int64_t differing = 0;
    bool *in_target = xcalloc(b->nrows + 1, sizeof *in_target);
    for (size_t r = 0; r < b->nrows; r++) {
        bool in_q = bsearch(&dkeys[r], qkeys, nq, sizeof *qkeys, cmp_str) != NULL;
        if (b->rows[r].quarantined || in_q) {
            if (!in_q) {
                v->tc->missing++;
                differing++;
                list_row(v, dkeys[r], "quarantined by the transform but not in the quarantine",
                         NULL);
            }
            continue;
        }
        struct field kf = batch_row_fields(b, r)[v->key_index];
        struct keyed probe = {xstrndup(batch_ptr(b, kf), kf.len), -1};
        struct keyed *hit = bsearch(&probe, sorted, (size_t)ntr, sizeof *sorted, cmp_keyed);
        free((char *)probe.key);
        if (!hit) {
            v->tc->missing++;
            differing++;
            list_row(v, dkeys[r], "in the source, neither in the target nor in the quarantine", NULL);
            continue;
        }
        int tr = hit->row;
        in_target[r] = true;
        v->tc->compared++;
        sb_reset(&v->a);
        sb_reset(&v->b);
        const struct field *f = batch_row_fields(b, r);
        for (size_t c = 0; c < ncols; c++) {
            canon_field(&v->a, t, c, f[c].is_null, v->o->legacy_history, batch_ptr(b, f[c]), f[c].len);
            canon_field(&v->b, t, c, PQgetisnull(tres, tr, (int)c), v->o->legacy_history,
                        PQgetvalue(tres, tr, (int)c),
                        (size_t)PQgetlength(tres, tr, (int)c));
        }
        if (v->a.len != v->b.len || memcmp(v->a.buf, v->b.buf, v->a.len) != 0) {
            /* An orphan nulled under the operator's policy differs from a
             * fresh transform only by that; replay the decision and retry. */
            size_t nfks;
            const struct convert_fk *fks = convert_fks(v->cv, &nfks);
            bool fixed = false;
            for (size_t k2 = 0; k2 < nfks; k2++)
                if (fks[k2].on_orphan == POLICY_NULL && !f[fks[k2].field].is_null
                    && PQgetisnull(tres, tr, (int)fks[k2].field)) {
                    convert_null_fk(v->cv, b, r, &fks[k2]);
                    fixed = true;
                }
            if (fixed) {
                f = batch_row_fields(b, r);
                sb_reset(&v->a);
                for (size_t c = 0; c < ncols; c++)
                    canon_field(&v->a, t, c, f[c].is_null, v->o->legacy_history, batch_ptr(b, f[c]),
                                f[c].len);
            }
        }
        XXH3_64bits_update(hs, v->a.buf, v->a.len + 1);
        XXH3_64bits_update(ht, v->b.buf, v->b.len + 1);
        if (v->a.len != v->b.len || memcmp(v->a.buf, v->b.buf, v->a.len) != 0) {
            differing++;
            v->tc->differing++;
            list_row(v, dkeys[r], "differs", first_difference(v, b, r, tres, tr, ncols));
        }
    }
    int64_t before = v->tc->differing;
    int rc = t->crm || b->nside == 0 ? 0 : check_repairs(v, b, dkeys, in_target);
    differing += v->tc->differing - before;
    free(in_target);
    if (XXH3_64bits_digest(hs) != XXH3_64bits_digest(ht) || differing)
        v->tc->chunks_differing++;
    XXH3_freeState(hs);
    XXH3_freeState(ht);
    free(sorted);
    PQclear(tres);
    PQclear(qres);
    free(qkeys);
    for (size_t r = 0; r < b->nrows; r++)
        free(dkeys[r]);
    free(dkeys);
    return rc;
}

static void *comparer_main(void *arg)
{
    struct comparer *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->busy && !c->quit)
            pthread_cond_wait(&c->cond, &c->mu);
        if (!c->busy)
            break;
        pthread_mutex_unlock(&c->mu);
        int rc = c->failed ? 0 : compare_chunk(&c->v, &c->spare);
        batch_reset(&c->spare);
        pthread_mutex_lock(&c->mu);
        c->failed = c->failed || rc != 0;
        c->busy = false;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Hands the worker's full chunk to the comparer once it is done with the
 * one before, and takes back its emptied batch. false: the comparer
 * failed. */
static bool hand_over(struct verifier *v)
{
    struct comparer *c = v->cmp;
    pthread_mutex_lock(&c->mu);
    while (c->busy)
        pthread_cond_wait(&c->cond, &c->mu);
    bool ok = !c->failed;
    if (ok) {
        struct batch full = v->batch;
        v->batch = c->spare;
        c->spare = full;
        c->busy = true;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

static int verify_row(void *ctx, const struct cell *cells, size_t n)
{
    (void)n;
    struct verifier *v = ctx;
    convert_row(v->cv, &v->batch, cells);
    if (v->batch.nrows >= (v->o->chunk_rows ? v->o->chunk_rows : 5000) && !hand_over(v)) {
        v->failed = true;
        return 1;
    }
    return 0;
}

static bool comparer_start(struct verifier *v, struct comparer *c, const struct source_table *st,
                           const struct convert_opts *copts, size_t ndst, size_t nsrc)
{
    memset(c, 0, sizeof *c);
    c->v = (struct verifier){.o = v->o, .conn = v->conn, .tc = v->tc, .key_index = v->key_index};
    sb_init(&c->v.a);
    sb_init(&c->v.b);
    sb_init(&c->v.sql);
    c->v.cv = convert_new(v->tc->t, st, copts, &v->err);
    if (!c->v.cv)
        return false;
    batch_init(&c->spare, ndst, nsrc);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, comparer_main, c) != 0) {
        v->err = xstrdup("cannot start a thread");
        pthread_mutex_destroy(&c->mu);
        pthread_cond_destroy(&c->cond);
        batch_free(&c->spare);
        convert_free(c->v.cv);
        return false;
    }
    v->cmp = c;
    return true;
}

/* Waits for the last chunk handed over; 0, or -1 with the comparer's
 * message in v->err. */
static int comparer_finish(struct verifier *v)
{
    struct comparer *c = v->cmp;
    pthread_mutex_lock(&c->mu);
    c->quit = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    int rc = c->failed ? -1 : 0;
    if (c->v.err) {
        if (!v->err)
            v->err = c->v.err;
        else
            free(c->v.err);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cond);
    batch_free(&c->spare);
    convert_free(c->v.cv);
    sb_free(&c->v.a);
    sb_free(&c->v.b);
    sb_free(&c->v.sql);
    v->cmp = NULL;
    return rc;
}

static int64_t count_of(PGconn *conn, const char *sql, int n, const char *const *params, char **err)
{
    PGresult *res = pg_exec(conn, err, sql, n, params);
    if (!res)
        return -1;
    int64_t v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static int check_table(struct verifier *v, struct source *src, const struct source_table *st,
                       const struct convert_opts *copts)
{
    struct table_check *tc = v->tc;
    const struct legacy_table *t = tc->t;
    char *err = NULL;
    if (src->ops->count(src, t->name, &tc->source_rows, &err) != 0) {
        v->err = err;
        return -1;
    }
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT count(*) FROM ");
    sql_add_ident(&sql, t->name);
    tc->target_rows = count_of(v->conn, sql.buf, 0, NULL, &v->err);
    tc->quarantined = quarantine_open_count(v->conn, t->name, &v->err);
    if (tc->target_rows < 0 || tc->quarantined < 0) {
        sb_free(&sql);
        return -1;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        const struct legacy_column *col = &t->cols[c];
        if (col->kind != COL_FK_UUID && col->kind != COL_FK_TEXT)
            continue;
        sb_reset(&sql);
        sb_adds(&sql, "SELECT count(*) FROM ");
        sql_add_ident(&sql, t->name);
        sb_adds(&sql, " c WHERE c.");
        sql_add_ident(&sql, col->name);
        sb_adds(&sql, " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ");
        sql_add_ident(&sql, col->ref_table);
        sb_adds(&sql, " p WHERE p.id = c.");
        sql_add_ident(&sql, col->name);
        sb_adds(&sql, ")");
        int64_t n = count_of(v->conn, sql.buf, 0, NULL, &v->err);
        if (n < 0) {
            sb_free(&sql);
            return -1;
        }
        tc->orphans += n;
    }
    sb_free(&sql);

    v->cv = convert_new(t, st, copts, &v->err);
    if (!v->cv)
        return -1;
    size_t nsrc, ndst;
    const char *const *scols = convert_source_columns(v->cv, &nsrc);
    convert_target_columns(v->cv, &ndst);
    v->key_index = legacy_column_index(t, t->key);
    batch_init(&v->batch, ndst, nsrc);
    struct comparer cmp;
    if (!comparer_start(v, &cmp, st, copts, ndst, nsrc)) {
        batch_free(&v->batch);
        convert_free(v->cv);
        v->cv = NULL;
        return -1;
    }
    int rc = src->ops->stream(src, t->name, t->key, scols, nsrc, NULL, 0, verify_row, v, &err);
    if (rc < 0)
        v->err = err;
    /* the last, partial chunk goes the same way */
    if (rc >= 0 && !v->failed && v->batch.nrows > 0 && !hand_over(v))
        v->failed = true;
    if (comparer_finish(v) != 0 || v->failed)
        rc = -1;
    batch_free(&v->batch);
    convert_free(v->cv);
    v->cv = NULL;
    if (rc < 0)
        return -1;
    tc->ok = tc->source_rows == tc->target_rows + tc->quarantined && tc->orphans == 0
             && tc->differing == 0 && tc->missing == 0 && tc->repairs_missing == 0;
    return 0;
}

/* Two tables at a time: the source is read and each row transformed on
 * the client while PostgreSQL digests the other table, so both cores work
 * (issue 15: verify within half of migrate's time). */
#define VERIFY_WORKERS 2

/* What every worker shares: the tables, the snapshot they all read, and
 * the next table to take. */
struct verify_shared {
    const struct verify_opts *o;
    const struct convert_opts *copts;
    const struct legacy_table *tables;
    size_t nt;
    const struct source_table *stables;
    size_t nst;
    struct table_check *checks;
    const char *snapshot;        /* pg_export_snapshot() of the first connection */
    pthread_mutex_t mu;
    size_t next;                 /* the next table to check */
    char *err;                   /* the first failure; the others stop */
};

/* A transaction that sees exactly what the first connection sees, with the
 * same transaction-local settings: session settings would stay on a
 * pooled server connection for its next client (PgBouncer in transaction
 * mode). */
static bool begin_snapshot(PGconn *conn, const struct verify_opts *o, const char *snapshot, char **err)
{
    if (!pg_command(conn, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        return false;
    if (snapshot) {
        /* SET TRANSACTION SNAPSHOT takes no parameter: the id comes from
         * the server and is quoted as a literal all the same */
        char *lit = PQescapeLiteral(conn, snapshot, strlen(snapshot));
        if (!lit) {
            *err = xstrdup(PQerrorMessage(conn));
            return false;
        }
        char *sql = xasprintf("SET TRANSACTION SNAPSHOT %s", lit);
        PQfreemem(lit);
        bool ok = pg_command(conn, err, sql);
        free(sql);
        if (!ok)
            return false;
    }
    const char *tzp[1] = {transform_settings_tz(&o->transform)};
    PGresult *res = pg_exec(conn, err, "SELECT set_config('TimeZone', $1, true),"
                            " set_config('DateStyle', 'ISO', true),"
                            " set_config('extra_float_digits', '3', true)", 1, tzp);
    if (!res)
        return false;
    PQclear(res);
    return true;
}

static void shared_fail(struct verify_shared *sh, char *err)
{
    pthread_mutex_lock(&sh->mu);
    if (!sh->err)
        sh->err = err;
    else
        free(err);
    sh->next = sh->nt;           /* the others take no new table */
    pthread_mutex_unlock(&sh->mu);
}

/* One worker: its own source handle and target connection, the tables
 * one after another until none is left. conn is given for the first
 * worker (the connection that exported the snapshot), NULL for the others. */
static void verify_worker(struct verify_shared *sh, PGconn *conn)
{
    const struct verify_opts *o = sh->o;
    struct verifier v = {.o = o, .conn = conn};
    sb_init(&v.a);
    sb_init(&v.b);
    sb_init(&v.sql);
    char *err = NULL;
    struct source *src = source_open(o->source, &err);
    if (src && !v.conn) {
        v.conn = pg_connect(o->conninfo, "verify the target", &err);
        if (v.conn && !begin_snapshot(v.conn, o, sh->snapshot, &err)) {
            PQfinish(v.conn);
            v.conn = NULL;
        }
    }
    if (!src || !v.conn) {
        shared_fail(sh, err ? err : xstrdup("cannot open the source or the target"));
        goto out;
    }
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        size_t i = sh->next++;
        pthread_mutex_unlock(&sh->mu);
        if (i >= sh->nt)
            break;
        const struct source_table *st = NULL;
        for (size_t k = 0; k < sh->nst && !st; k++)
            if (strcmp(sh->stables[k].name, sh->tables[i].name) == 0)
                st = &sh->stables[k];
        if (!st) {
            shared_fail(sh, xasprintf("the source has no table \"%s\"", sh->tables[i].name));
            break;
        }
        v.tc = &sh->checks[i];
        if (check_table(&v, src, st, sh->copts) != 0) {
            shared_fail(sh, xasprintf("verifying %s: %s", sh->tables[i].name,
                                      v.err ? v.err : "failed"));
            break;
        }
    }
out:
    sb_free(&v.a);
    sb_free(&v.b);
    sb_free(&v.sql);
    free(v.err);
    if (v.conn && v.conn != conn)
        PQfinish(v.conn);
    source_close(src);
}

static void *verify_thread(void *arg)
{
    verify_worker(arg, NULL);
    return NULL;
}

int verify_run(const struct verify_opts *o, json_t **result, char **err)
{
    *result = NULL;
    struct synonyms *syn = convert_load_synonyms(o->transform.synonyms_path, err);
    if (!syn)
        return -1;
    struct convert_opts copts = convert_opts_of(&o->transform, syn);
    struct source *src = source_open(o->source, err);
    if (!src) {
        synonyms_free(syn);
        return -1;
    }
    struct source_table *stables = NULL;
    size_t nst = 0;
    int status = -1;
    PGconn *conn = NULL;
    char *snapshot = NULL;
    struct table_check checks[MIGRATE_MAX_TABLES];
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    memset(checks, 0, sizeof checks);
    for (size_t i = 0; i < nt; i++) {
        checks[i].t = &tables[i];
        checks[i].listed = json_array();
    }
    if (src->ops->describe(src, &stables, &nst, err) != 0)
        goto out;
    conn = pg_connect(o->conninfo, "verify the target", err);
    /* One snapshot for every table and worker: every table is compared as
     * of the same moment. */
    if (!conn || !begin_snapshot(conn, o, NULL, err))
        goto out;
    PGresult *res = pg_exec(conn, err, "SELECT pg_export_snapshot()", 0, NULL);
    if (!res)
        goto out;
    snapshot = xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);

    struct verify_shared sh = {.o = o, .copts = &copts, .tables = tables, .nt = nt,
                               .stables = stables, .nst = nst, .checks = checks,
                               .snapshot = snapshot};
    pthread_mutex_init(&sh.mu, NULL);
    pthread_t th[VERIFY_WORKERS - 1];
    size_t nth = 0;
    for (size_t w = 1; w < VERIFY_WORKERS && w < nt; w++)
        if (pthread_create(&th[nth], NULL, verify_thread, &sh) == 0)
            nth++;
    verify_worker(&sh, conn);
    for (size_t w = 0; w < nth; w++)
        pthread_join(th[w], NULL);
    pthread_mutex_destroy(&sh.mu);
    if (sh.err) {
        *err = sh.err;
        goto out;
    }

    bool all_ok = true;
    for (size_t i = 0; i < nt; i++)
        all_ok = all_ok && checks[i].ok;

    json_t *arr = json_array();
    for (size_t i = 0; i < nt; i++) {
        struct table_check *c = &checks[i];
        json_array_append_new(arr, json_pack(
            "{s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O}", "table", c->t->name, "ok", c->ok,
            "source_rows", (json_int_t)c->source_rows, "target_rows", (json_int_t)c->target_rows,
            "quarantined", (json_int_t)c->quarantined, "orphans", (json_int_t)c->orphans,
            "rows_compared", (json_int_t)c->compared, "rows_differing", (json_int_t)c->differing,
            "rows_missing", (json_int_t)c->missing, "repairs_missing", (json_int_t)c->repairs_missing,
            "chunks", (json_int_t)c->chunks,
            "chunks_differing", (json_int_t)c->chunks_differing, "rows", c->listed));
    }
    *result = json_pack("{s:b,s:o}", "ok", all_ok, "tables", arr);
    /* Not a mismatch: every row is there, but the application may find two
     * where SQL Server found one (collisions.h). */
    struct collisions dups;
    char *derr = NULL;
    if (collisions_read(conn, &dups, &derr) == 0) {
        json_object_set_new(*result, "case_insensitive_duplicates", collisions_json(&dups));
        collisions_free(&dups);
    } else {
        json_object_set_new(*result, "case_insensitive_duplicates_error",
                            json_string(derr ? derr : "unknown error"));
    }
    free(derr);
    status = all_ok ? 0 : 1;
out:
    for (size_t i = 0; i < nt; i++)
        json_decref(checks[i].listed);
    free(snapshot);
    if (conn)
        PQfinish(conn);
    if (stables)
        source_tables_free(stables, nst);
    source_close(src);
    synonyms_free(syn);
    return status;
}
