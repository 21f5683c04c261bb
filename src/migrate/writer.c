/* writer.c - committing one batch of converted rows to the target.
 *
 * Inside a batch transaction the writer
 *   1. finds rows whose foreign keys point at no parent (parents are
 *      complete before a child starts) and quarantines or nulls them (the
 *      reader does this on its own connection, overlapping the previous
 *      batch's COPY),
 *   2. COPYs the rest; if PostgreSQL rejects the COPY, it bisects under
 *      savepoints until the rejected rows are isolated and quarantined,
 *   3. stores the quarantined rows with their original values,
 *   4. advances the checkpoint.
 * Replay and the sync applier use the same steps on their own batches.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "copybin.h"
#include "clock.h"
#include "fault.h"
#include "pg.h"
#include "quarantine.h"
#include "sqltext.h"
#include "transform.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key set of a parent table, when the engine keeps one. */

static struct keyset *parent_keys(struct engine *e, const char *table)
{
    const struct legacy_table *t = legacy_table(table);
    if (!t)
        return NULL;
    size_t i = engine_table_index(t);
    return e->is_parent[i] ? &e->keys[i] : NULL;
}

struct slice {
    const char *p;
    size_t n;
    const char *note;   /* for a missing parent: its source key when quarantined */
};

static int cmp_slice(const void *a, const void *b)
{
    const struct slice *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Row r's value of a foreign key field, unless the row is already
 * quarantined or the key is NULL. */
static bool fk_value(struct batch *b, size_t r, size_t field, struct slice *out)
{
    if (b->rows[r].quarantined)
        return false;
    struct field f = batch_row_fields(b, r)[field];
    if (f.is_null)
        return false;
    *out = (struct slice){batch_ptr(b, f), f.len, NULL};
    return true;
}

/* Quarantines (or nulls) rows whose foreign key has no parent row. */
int writer_check_orphans(struct writer *w, struct batch *b)
{
    size_t nfks;
    const struct convert_fk *fks = convert_fks(w->cv, &nfks);
    for (size_t k = 0; k < nfks; k++) {
        const struct convert_fk *fk = &fks[k];
        struct strbuf arr;
        sb_init(&arr);
        sb_addc(&arr, '{');
        bool first = true;
        /* Keys the parent's load committed in this process are known to
         * exist; only the others (orphans, or keys past the memory budget
         * or from an earlier process) need a round trip. Asking the key
         * set is cheaper than sorting the batch's keys to ask once each. */
        struct keyset *ks = fk->is_uuid ? parent_keys(w->j->e, fk->parent) : NULL;
        struct slice *vals = xcalloc(b->nrows + 1, sizeof *vals);
        size_t nvals = 0;
        if (ks) {
            /* every key of the batch first, then one question for all */
            unsigned char (*keys)[16] = xmalloc((b->nrows + 1) * sizeof *keys);
            struct slice *asked = xmalloc((b->nrows + 1) * sizeof *asked);
            bool *known = xmalloc((b->nrows + 1) * sizeof *known);
            size_t nkeys = 0;
            struct slice v;
            for (size_t r = 0; r < b->nrows; r++) {
                if (!fk_value(b, r, fk->field, &v))
                    continue;
                if (keyset_parse_uuid(v.p, v.n, keys[nkeys]))
                    asked[nkeys++] = v;
                else
                    vals[nvals++] = v;
            }
            keyset_lock(ks);
            keyset_contains_many_locked(ks, (const unsigned char (*)[16])keys, nkeys, known);
            keyset_unlock(ks);
            for (size_t i = 0; i < nkeys; i++)
                if (!known[i])
                    vals[nvals++] = asked[i];
            free(keys);
            free(asked);
            free(known);
        } else {
            for (size_t r = 0; r < b->nrows; r++)
                if (fk_value(b, r, fk->field, &vals[nvals]))
                    nvals++;
        }
        /* Each distinct unknown key once: children repeat their parents. */
        qsort(vals, nvals, sizeof *vals, cmp_slice);
        for (size_t i = 0; i < nvals; i++) {
            if (i > 0 && cmp_slice(&vals[i - 1], &vals[i]) == 0)
                continue;
            sql_add_array_elem(&arr, vals[i].p, vals[i].n, first);
            first = false;
        }
        free(vals);
        sb_addc(&arr, '}');
        if (first) {
            sb_free(&arr);
            continue;
        }
        sb_reset(&w->sql);
        sb_addf(&w->sql, "SELECT DISTINCT v::text FROM unnest($1::%s[]) AS v WHERE NOT EXISTS "
                         "(SELECT 1 FROM ", fk->is_uuid ? "uuid" : "text");
        sql_add_ident(&w->sql, fk->parent);
        sb_adds(&w->sql, " p WHERE p.");
        sql_add_ident(&w->sql, fk->parent_key);
        sb_adds(&w->sql, " = v)");
        const char *params[1] = {arr.buf};
        PGresult *res = pg_exec(w->conn, &w->err, w->sql.buf, 1, params);
        sb_free(&arr);
        if (!res)
            return -1;
        int nmiss = PQntuples(res);
        /* Tell a true orphan from a child whose parent is in the quarantine. */
        char **parent_quarantined = xcalloc((size_t)nmiss + 1, sizeof *parent_quarantined);
        if (nmiss > 0) {
            struct strbuf marr;
            sb_init(&marr);
            sb_addc(&marr, '{');
            for (int i = 0; i < nmiss; i++)
                sql_add_array_elem(&marr, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0), i == 0);
            sb_addc(&marr, '}');
            PGresult *qres = quarantine_by_target_keys(w->conn, fk->parent, marr.buf, &w->err);
            sb_free(&marr);
            if (!qres) {
                free(parent_quarantined);
                PQclear(res);
                return -1;
            }
            for (int i = 0; i < nmiss; i++)
                for (int q = 0; q < PQntuples(qres); q++)
                    if (!parent_quarantined[i]
                        && strcmp(PQgetvalue(res, i, 0), PQgetvalue(qres, q, 0)) == 0)
                        parent_quarantined[i] = xstrdup(PQgetvalue(qres, q, 1));
            PQclear(qres);
        }
        if (nmiss > 0) {
            struct slice *miss = xcalloc((size_t)nmiss, sizeof *miss);
            for (int i = 0; i < nmiss; i++)
                miss[i] = (struct slice){PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0),
                                         parent_quarantined[i]};
            qsort(miss, (size_t)nmiss, sizeof *miss, cmp_slice);
            for (size_t r = 0; r < b->nrows; r++) {
                struct slice key;
                if (!fk_value(b, r, fk->field, &key))
                    continue;
                const struct slice *hit = bsearch(&key, miss, (size_t)nmiss, sizeof *miss, cmp_slice);
                if (!hit)
                    continue;
                if (fk->on_orphan == POLICY_NULL) {
                    convert_null_fk(w->cv, b, r, fk);
                } else if (hit->note) {
                    char *detail = xasprintf("its %s (source key %s) is in the quarantine",
                                             fk->parent, hit->note);
                    batch_quarantine(b, r, fk->column, "fk_parent_quarantined", detail);
                    free(detail);
                } else {
                    char *detail = xasprintf("no %s row with %s %.*s", fk->parent, fk->parent_key,
                                             (int)key.n, key.p);
                    batch_quarantine(b, r, fk->column, "fk_orphan", detail);
                    free(detail);
                }
            }
            free(miss);
        }
        for (int i = 0; i < nmiss; i++)
            free(parent_quarantined[i]);
        free(parent_quarantined);
        PQclear(res);
    }
    return 0;
}

static void append_copy_row(struct strbuf *out, struct batch *b, size_t r, size_t nfields)
{
    const struct field *f = batch_row_fields(b, r);
    for (size_t i = 0; i < nfields; i++) {
        if (i)
            sb_addc(out, '\t');
        if (f[i].is_null)
            copy_append_null(out);
        else
            copy_append_text(out, batch_ptr(b, f[i]), f[i].len);
    }
    sb_addc(out, '\n');
}

/* Binary COPY where every column's type has an encoder (copybin.h),
 * else text. Asked of the server once per writer, in the caller's
 * transaction, with nothing that could fail on a missing table. */
static int decide_format(struct writer *w, const char *relation, const char *const *cols, size_t ncols)
{
    w->binary = -1;
    const char *env = getenv("PANTRYCRM_COPY_FORMAT");
    if ((env && strcmp(env, "text") == 0) || ncols > WRITER_MAX_COLUMNS)
        return 0;
    struct strbuf rel, names;
    sb_init(&rel);
    sb_init(&names);
    sql_add_ident(&rel, relation);
    sb_addc(&names, '{');
    for (size_t i = 0; i < ncols; i++)
        sql_add_array_elem(&names, cols[i], strlen(cols[i]), i == 0);
    sb_addc(&names, '}');
    const char *params[2] = {rel.buf, names.buf};
    char *err = NULL;
    PGresult *res = pg_exec(w->conn, &err,
        "SELECT t.typname, t.typtype, current_setting('TimeZone') IN ('UTC', 'Etc/UTC', 'GMT',"
        "   'Etc/GMT', 'UCT', 'Etc/UCT', 'Universal', 'Etc/Universal', 'Zulu', 'Etc/Zulu')"
        " FROM unnest($2::text[]) WITH ORDINALITY AS c(name, i)"
        " LEFT JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attname = c.name"
        "   AND a.attnum > 0 AND NOT a.attisdropped"
        " LEFT JOIN pg_type t ON t.oid = a.atttypid ORDER BY c.i", 2, params);
    sb_free(&rel);
    sb_free(&names);
    if (!res) {
        /* (the caller's savepoint undoes the failed statement; text then) */
        free(w->err);
        w->err = err;
        return engine_conn_lost(w->conn) ? -1 : 2;
    }
    bool all = PQntuples(res) == (int)ncols;
    for (size_t i = 0; i < ncols && all; i++) {
        enum copybin_kind k = PQgetisnull(res, (int)i, 0) ? COPYBIN_NONE
            : copybin_kind_of(PQgetvalue(res, (int)i, 0), PQgetvalue(res, (int)i, 1)[0],
                              PQgetvalue(res, (int)i, 2)[0] == 't');
        w->wire[i] = (unsigned char)k;
        all = k != COPYBIN_NONE;
    }
    PQclear(res);
    if (all)
        w->binary = 1;
    return 0;
}

/* One row in binary; false when a value is not in the form its encoder
 * expects. */
static bool append_binary_row(struct writer *w, struct strbuf *out, struct batch *b, size_t r,
                              size_t nfields)
{
    const struct field *f = batch_row_fields(b, r);
    copybin_row_start(out, nfields);
    for (size_t i = 0; i < nfields; i++) {
        if (f[i].is_null)
            copybin_null(out);
        else if (!copybin_field(out, (enum copybin_kind)w->wire[i], batch_ptr(b, f[i]), f[i].len))
            return false;
    }
    return true;
}

/* Keeps PostgreSQL's message of a refused statement in w->err (what the
 * quarantine shows): 1 when the server refused it, -1 when the connection
 * is gone. */
static int rejected(struct writer *w, const PGresult *res)
{
    free(w->err);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    w->err = xasprintf("%s%s%s", primary ? primary : PQresultErrorMessage(res),
                       detail ? ": " : "", detail ? detail : "");
    return engine_conn_lost(w->conn) ? -1 : 1;
}

/* Sync: the rows just copied into the temp table replace or add target
 * rows by key (never delete + insert, which would cascade to children),
 * then the temp table is emptied for the next COPY. 0 ok, 1 rejected, -1
 * connection trouble. */
static int upsert_from_temp(struct writer *w, const char *const *cols, size_t ncols)
{
    sb_reset(&w->sql);
    sb_adds(&w->sql, "INSERT INTO ");
    sql_add_ident(&w->sql, w->j->t->name);
    sb_adds(&w->sql, " (");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sb_adds(&w->sql, ", ");
        sql_add_ident(&w->sql, cols[i]);
    }
    sb_adds(&w->sql, ") SELECT * FROM ");
    sql_add_ident(&w->sql, w->upsert_via);
    sb_adds(&w->sql, " ON CONFLICT (");
    sql_add_ident(&w->sql, w->j->t->key);
    sb_adds(&w->sql, ") DO UPDATE SET ");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sb_adds(&w->sql, ", ");
        sql_add_ident(&w->sql, cols[i]);
        sb_adds(&w->sql, " = EXCLUDED.");
        sql_add_ident(&w->sql, cols[i]);
    }
    sb_adds(&w->sql, "; DELETE FROM ");
    sql_add_ident(&w->sql, w->upsert_via);
    PGresult *res = PQexec(w->conn, w->sql.buf);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = rejected(w, res);
    PQclear(res);
    return rc;
}

/* One COPY of the given rows. 0 ok, 1 rejected by PostgreSQL (message in
 * w->err), -1 connection trouble, 2 a value could not be encoded in
 * binary: the COPY was abandoned and the writer uses text from now on. */
static int copy_rows(struct writer *w, struct batch *b, const size_t *rows, size_t n)
{
    size_t ncols;
    const char *const *cols = convert_target_columns(w->cv, &ncols);
    const char *relation = w->upsert_via ? w->upsert_via : w->j->t->name;
    if (w->binary == 0) {
        int rc = decide_format(w, relation, cols, ncols);
        if (rc != 0)
            return rc;
    }
    bool binary = w->binary > 0;
    sb_reset(&w->sql);
    sb_adds(&w->sql, "COPY ");
    sql_add_ident(&w->sql, w->upsert_via ? w->upsert_via : w->j->t->name);
    sb_adds(&w->sql, " (");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sb_adds(&w->sql, ", ");
        sql_add_ident(&w->sql, cols[i]);
    }
    sb_adds(&w->sql, binary ? ") FROM STDIN WITH (FORMAT binary)" : ") FROM STDIN");
    PGresult *res = PQexec(w->conn, w->sql.buf);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        free(w->err);
        w->err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        return engine_conn_lost(w->conn) ? -1 : 1;
    }
    PQclear(res);
    sb_reset(&w->copy);
    bool ok = true, encoded = true;
    if (binary)
        copybin_header(&w->copy);
    for (size_t i = 0; i < n && ok && encoded; i++) {
        if (binary)
            encoded = append_binary_row(w, &w->copy, b, rows[i], ncols);
        else
            append_copy_row(&w->copy, b, rows[i], ncols);
        if (binary && encoded && i + 1 == n)
            copybin_trailer(&w->copy);
        if (encoded && (w->copy.len >= COPY_CHUNK || i + 1 == n)) {
            ok = PQputCopyData(w->conn, w->copy.buf, (int)w->copy.len) == 1;
            sb_reset(&w->copy);
        }
    }
    if (PQputCopyEnd(w->conn, !ok ? "client could not send data"
                              : !encoded ? "a value was not in its canonical form for binary COPY"
                                         : NULL) != 1)
        return -1;
    if (ok && !encoded) {
        /* PostgreSQL gives up the COPY (and the caller's savepoint); the
         * rows go again as text, which PostgreSQL itself will judge. */
        while ((res = PQgetResult(w->conn)) != NULL)
            PQclear(res);
        w->binary = -1;
        return engine_conn_lost(w->conn) ? -1 : 2;
    }
    res = PQgetResult(w->conn);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = rejected(w, res);
    PQclear(res);
    while ((res = PQgetResult(w->conn)) != NULL)
        PQclear(res);
    if (rc == 0 && w->upsert_via)
        rc = upsert_from_temp(w, cols, ncols);
    return rc;
}

static bool savepoint(struct writer *w, const char *cmd)
{
    return pg_command(w->conn, &w->err, cmd);
}

/* COPYs rows; when PostgreSQL rejects them, splits the set in halves under
 * savepoints until each rejected row stands alone, and quarantines it with
 * PostgreSQL's own message. Returns the rows copied, or -1. */
long writer_copy_isolating(struct writer *w, struct batch *b, const size_t *rows, size_t n)
{
    if (n == 0)
        return 0;
    if (!savepoint(w, "SAVEPOINT pantry_copy"))
        return -1;
    int rc = copy_rows(w, b, rows, n);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return savepoint(w, "RELEASE SAVEPOINT pantry_copy") ? (long)n : -1;
    if (!savepoint(w, "ROLLBACK TO SAVEPOINT pantry_copy")
        || !savepoint(w, "RELEASE SAVEPOINT pantry_copy"))
        return -1;
    if (rc == 2)
        return writer_copy_isolating(w, b, rows, n);   /* the same rows, as text */
    if (n == 1) {
        batch_quarantine(b, rows[0], NULL, "target_rejected", w->err);
        return 0;
    }
    long left = writer_copy_isolating(w, b, rows, n / 2);
    if (left < 0)
        return -1;
    long right = writer_copy_isolating(w, b, rows + n / 2, n - n / 2);
    return right < 0 ? -1 : left + right;
}

int writer_store_quarantine(struct writer *w, struct batch *b, size_t r)
{
    const struct batch_row *row = &b->rows[r];
    char *reason = xstrndup(b->arena.buf + row->reason_off, row->reason_len);
    char *tab = strchr(reason, '\t');
    const char *detail = "";
    if (tab) {
        *tab = '\0';
        detail = tab + 1;
    }
    struct strbuf det;
    sb_init(&det);
    text_repair(detail, strlen(detail), &det);
    char *column = row->column_len ? xstrndup(b->arena.buf + row->column_off, row->column_len) : NULL;
    char *key = convert_display_key(b, r);
    char *original = convert_original_json(w->cv, b, r);
    char *target_key = NULL;
    if (row->target_key_field >= 0) {
        struct field tk = batch_row_fields(b, r)[row->target_key_field];
        target_key = xstrndup(batch_ptr(b, tk), tk.len);
    }
    struct quarantine_entry q = {w->j->e->run_id, w->j->t->name, key, column, reason,
                                 det.buf ? det.buf : "", original, target_key};
    int rc = quarantine_store(w->conn, &q, &w->err);
    free(target_key);
    free(reason);
    sb_free(&det);
    free(column);
    free(key);
    free(original);
    return rc;
}

int writer_store_repairs(struct writer *w, struct batch *b, bool replace)
{
    if (replace && !w->j->t->crm && b->nrows > 0) {
        /* Sync re-applies rows that may have been repaired before: their
         * old entries go, the ones of this batch are written anew. */
        struct strbuf all;
        sb_init(&all);
        sb_addc(&all, '{');
        for (size_t r = 0; r < b->nrows; r++) {
            char *key = convert_display_key(b, r);
            sql_add_array_elem(&all, key, strlen(key), r == 0);
            free(key);
        }
        sb_addc(&all, '}');
        const char *params[2] = {w->j->t->name, all.buf};
        PGresult *res = pg_exec(w->conn, &w->err,
            "DELETE FROM migration.repair WHERE table_name = $1 AND source_key = ANY($2::text[])",
            2, params);
        sb_free(&all);
        if (!res)
            return -1;
        PQclear(res);
    }
    struct strbuf keys, cols, reasons, origs;
    sb_init(&keys);
    sb_init(&cols);
    sb_init(&reasons);
    sb_init(&origs);
    sb_addc(&keys, '{');
    sb_addc(&cols, '{');
    sb_addc(&reasons, '{');
    sb_addc(&origs, '{');
    size_t n = 0, nsrc;
    const char *const *src_cols = convert_source_columns(w->cv, &nsrc);
    for (size_t i = 0; i < b->nside; i++) {
        const struct batch_side *s = &b->side[i];
        if (b->rows[s->row].quarantined)
            continue;   /* the quarantine keeps the whole row instead */
        char *key = convert_display_key(b, s->row);
        char *orig = convert_cell_json(b, s->row, s->col);
        const char *col = src_cols[s->col];
        sql_add_array_elem(&keys, key, strlen(key), n == 0);
        sql_add_array_elem(&cols, col, strlen(col), n == 0);
        sql_add_array_elem(&reasons, s->reason, strlen(s->reason), n == 0);
        sql_add_array_elem(&origs, orig, strlen(orig), n == 0);
        free(key);
        free(orig);
        n++;
    }
    int rc = 0;
    if (n > 0) {
        sb_addc(&keys, '}');
        sb_addc(&cols, '}');
        sb_addc(&reasons, '}');
        sb_addc(&origs, '}');
        char run[24];
        snprintf(run, sizeof run, "%lld", (long long)w->j->e->run_id);
        const char *params[6] = {run, w->j->t->name, keys.buf, cols.buf, reasons.buf, origs.buf};
        PGresult *res = pg_exec(w->conn, &w->err,
            "INSERT INTO migration.repair (run_id, table_name, source_key, column_name, reason,"
            " original) SELECT $1::bigint, $2, k, c, r, o::jsonb"
            " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(k, c, r, o)"
            " ON CONFLICT (table_name, source_key, column_name) DO UPDATE SET"
            " run_id = EXCLUDED.run_id, reason = EXCLUDED.reason, original = EXCLUDED.original,"
            " repaired_at = now()", 6, params);
        if (!res)
            rc = -1;
        PQclear(res);
    }
    sb_free(&keys);
    sb_free(&cols);
    sb_free(&reasons);
    sb_free(&origs);
    return rc;
}

/* The repairs of the rows that were migrated, as {"column:reason": n}. */
static char *repairs_json(struct batch *b, int64_t *total)
{
    json_t *o = json_object();
    *total = batch_tally_repairs(b);
    for (size_t i = 0; i < b->nrepairs; i++)
        if (b->repair_counts[i] > 0)
            json_object_set_new(o, b->repair_keys[i], json_integer(b->repair_counts[i]));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Commits one batch: orphans, COPY, quarantine, checkpoint, all in one
 * transaction. 0 ok, -1 failed (w->err; engine_conn_lost() tells retryable). */
int writer_write_batch(struct writer *w, struct batch *b, double seconds)
{
    struct job *j = w->j;
    double t1 = clock_mono_s();
    if (!pg_command(w->conn, &w->err, "BEGIN"))
        return -1;
    size_t *rows = xcalloc(b->nrows ? b->nrows : 1, sizeof *rows);
    size_t n = 0;
    for (size_t r = 0; r < b->nrows; r++)
        if (!b->rows[r].quarantined)
            rows[n++] = r;
    long copied = writer_copy_isolating(w, b, rows, n);
    free(rows);
    if (copied < 0)
        goto fail;
    double t2 = clock_mono_s();
    w->t_copy += t2 - t1;
    int64_t quarantined = 0;
    for (size_t r = 0; r < b->nrows; r++)
        if (b->rows[r].quarantined) {
            if (writer_store_quarantine(w, b, r) != 0)
                goto fail;
            quarantined++;
        }
    if (writer_store_repairs(w, b, false) != 0)
        goto fail;
    double t3 = clock_mono_s();
    w->t_quarantine += t3 - t2;
    int64_t nrepairs;
    char *rep = repairs_json(b, &nrepairs);
    const char *last_key = NULL;
    size_t key_len = 0;
    if (b->nrows > 0) {
        const struct batch_row *last = &b->rows[b->nrows - 1];
        last_key = b->arena.buf + last->key_off;
        key_len = last->key_len;
    }
    int crc = checkpoint_advance(w->conn, j->t->name, last_key, key_len, b->nrows, copied,
                                 quarantined, b->source_bytes, rep, seconds, &w->err);
    free(rep);
    if (crc != 0 || (b->last && checkpoint_mark_done(w->conn, j->t->name, &w->err) != 0))
        goto fail;
    if (!pg_command(w->conn, &w->err, "COMMIT"))
        return -1;
    fault_point("batch");
    if (b->last)
        fault_point("table-done");
    w->t_commit += clock_mono_s() - t3;
    size_t ti = engine_table_index(j->t);
    if (j->e->is_parent[ti]) {
        size_t ki = (size_t)legacy_column_index(j->t, j->t->key);
        for (size_t r = 0; r < b->nrows; r++) {
            if (b->rows[r].quarantined)
                continue;
            struct field f = batch_row_fields(b, r)[ki];
            unsigned char key[16];
            if (keyset_parse_uuid(batch_ptr(b, f), f.len, key))
                keyset_add(&j->e->keys[ti], key);
        }
    }
    pthread_mutex_lock(&j->e->mu);
    j->rows_read += (int64_t)b->nrows;
    j->rows_migrated += copied;
    j->rows_quarantined += quarantined;
    j->repairs += nrepairs;
    j->bytes += b->source_bytes;
    j->seconds += seconds;
    pthread_mutex_unlock(&j->e->mu);
    return 0;
fail:
    if (!engine_conn_lost(w->conn))
        PQclear(PQexec(w->conn, "ROLLBACK"));
    return -1;
}

