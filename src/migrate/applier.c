/* applier.c - applying Change Tracking rows (pantrycrm sync) through the
 * load's transform, orphan checks and quarantine: current row images are
 * upserted by key via a temp table, deleted keys are deleted, and the keys
 * of rows that left or came back are remembered for the children.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "pg.h"
#include "quarantine.h"
#include "sqltext.h"
#include "transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine_applier {
    struct engine e;
    struct job j;
    struct writer w;
    struct convert *cv;
    struct batch b;
    struct strbuf dels;         /* the deleted keys, source bytes, as a text[] literal */
    struct strbuf dkeys;        /* their display keys, for the quarantine */
    size_t ndels;
    /* Target keys whose row left the target (deleted, quarantined) or came
     * back from the quarantine since the last take: their children must
     * be looked at again. */
    struct engine_key_list gone, back;
    bool cascaded;              /* engine_applier_cascaded */
};

void engine_applier_cascaded(struct engine_applier *a, bool on)
{
    a->cascaded = on;
}

static void key_list_add(struct engine_key_list *l, const char *k, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->keys = xrealloc(l->keys, l->cap * sizeof *l->keys);
    }
    l->keys[l->n++] = xstrndup(k, n);
}

void engine_key_list_free(struct engine_key_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->keys[i]);
    free(l->keys);
    memset(l, 0, sizeof *l);
}

void engine_applier_take_keys(struct engine_applier *a, struct engine_key_list *gone,
                              struct engine_key_list *back)
{
    for (size_t i = 0; i < a->gone.n; i++)
        key_list_add(gone, a->gone.keys[i], strlen(a->gone.keys[i]));
    for (size_t i = 0; i < a->back.n; i++)
        key_list_add(back, a->back.keys[i], strlen(a->back.keys[i]));
    engine_key_list_free(&a->gone);
    engine_key_list_free(&a->back);
}

struct engine_applier *engine_applier_new(PGconn *conn, const struct legacy_table *t,
                                          const struct source_table *src,
                                          const struct convert_opts *copts, int64_t run_id,
                                          char **err)
{
    struct engine_applier *a = xcalloc(1, sizeof *a);
    a->cv = convert_new(t, src, copts, err);
    if (!a->cv) {
        free(a);
        return NULL;
    }
    a->e.run_id = run_id;
    a->e.copts = *copts;
    a->j.e = &a->e;
    a->j.t = t;
    a->w.j = &a->j;
    a->w.conn = conn;
    a->w.cv = a->cv;
    sb_init(&a->w.copy);
    sb_init(&a->w.sql);
    sb_init(&a->dels);
    sb_init(&a->dkeys);
    size_t nsrc, ndst;
    convert_source_columns(a->cv, &nsrc);
    convert_target_columns(a->cv, &ndst);
    batch_init(&a->b, ndst, nsrc);
    return a;
}

const char *const *engine_applier_columns(const struct engine_applier *a, size_t *n)
{
    return convert_source_columns(a->cv, n);
}

size_t engine_applier_pending(const struct engine_applier *a)
{
    return a->b.nrows + a->ndels;
}

size_t engine_applier_pending_bytes(const struct engine_applier *a)
{
    return a->b.arena.len + a->b.nrows * sizeof *a->b.rows + a->dels.len + a->dkeys.len;
}

void engine_applier_upsert(struct engine_applier *a, const struct cell *cells)
{
    convert_row(a->cv, &a->b, cells);
}

/* The target's key for a source key: the uuid the transform derives for a
 * CRM id, else the repaired text. false when no target row can have it. */
static bool target_key_of(const struct legacy_table *t, const char *p, size_t n, struct strbuf *out)
{
    const struct legacy_column *kc = legacy_column(t, t->key);
    if (kc && kc->kind == COL_ID_UUID) {
        char uuid[UUID_TEXT_LEN + 1];
        if (id_map_uuid(t->name, p, n, uuid) == ID_INVALID)
            return false;
        sb_addn(out, uuid, UUID_TEXT_LEN);
        return true;
    }
    return !(text_repair(p, n, out) & TEXT_LOSSY);
}

void engine_applier_delete(struct engine_applier *a, const struct cell *key)
{
    struct strbuf tk;
    sb_init(&tk);
    if (target_key_of(a->j.t, key->data, key->len, &tk)) {
        sql_add_array_elem(&a->dels, tk.buf ? tk.buf : "", tk.len, a->ndels == 0);
        sb_reset(&tk);
        text_repair(key->data, key->len, &tk);
        sql_add_array_elem(&a->dkeys, tk.buf ? tk.buf : "", tk.len, a->ndels == 0);
        a->ndels++;
    }
    sb_free(&tk);
}

/* Deletes target rows by key (foreign keys cascade or set NULL as the
 * target schema says) and closes their open quarantine entries. */
static int applier_delete_keys(struct engine_applier *a, const char *keys, const char *dkeys,
                               long *deleted, struct engine_key_list *returned)
{
    const struct legacy_column *kc = legacy_column(a->j.t, a->j.t->key);
    sb_reset(&a->w.sql);
    sb_adds(&a->w.sql, "DELETE FROM ");
    sql_add_ident(&a->w.sql, a->j.t->name);
    sb_adds(&a->w.sql, " WHERE ");
    sql_add_ident(&a->w.sql, a->j.t->key);
    sb_addf(&a->w.sql, " = ANY($1::%s[]) RETURNING ", kc && kc->kind == COL_ID_UUID ? "uuid" : "text");
    sql_add_ident(&a->w.sql, a->j.t->key);
    sb_adds(&a->w.sql, "::text");
    const char *p1[1] = {keys};
    PGresult *res = pg_exec(a->w.conn, &a->w.err, a->w.sql.buf, 1, p1);
    if (!res)
        return -1;
    if (deleted)
        *deleted += PQntuples(res);
    for (int i = 0; returned && i < PQntuples(res); i++)
        key_list_add(returned, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
    PQclear(res);
    res = quarantine_resolve_keys(a->w.conn, a->j.t->name, dkeys, &a->w.err);
    PQclear(res);
    if (!res)
        return -1;
    if (!a->j.t->crm) {
        /* a deleted row's repaired originals go with it */
        const char *p2[2] = {a->j.t->name, dkeys};
        res = pg_exec(a->w.conn, &a->w.err,
                      "DELETE FROM migration.repair WHERE table_name = $1"
                      " AND source_key = ANY($2::text[])", 2, p2);
        PQclear(res);
    }
    return res ? 0 : -1;
}

/* Which of keys (a literal array of this table's target keys) the target's
 * other tables point at: only those rows' children are touched by the
 * cascade when they leave the target. Added to out. */
static int applier_referenced(struct engine_applier *a, const char *keys, struct engine_key_list *out)
{
    const struct legacy_column *kc = legacy_column(a->j.t, a->j.t->key);
    const char *type = kc && kc->kind == COL_ID_UUID ? "uuid" : "text";
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++)
        for (size_t c = 0; c < all[i].ncols; c++) {
            const struct legacy_column *col = &all[i].cols[c];
            if (!col->ref_table || strcmp(col->ref_table, a->j.t->name) != 0)
                continue;
            sb_reset(&a->w.sql);
            sb_adds(&a->w.sql, "SELECT DISTINCT ");
            sql_add_ident(&a->w.sql, col->name);
            sb_adds(&a->w.sql, "::text FROM ");
            sql_add_ident(&a->w.sql, all[i].name);
            sb_adds(&a->w.sql, " WHERE ");
            sql_add_ident(&a->w.sql, col->name);
            sb_addf(&a->w.sql, " = ANY($1::%s[])", type);
            const char *p[1] = {keys};
            PGresult *res = pg_exec(a->w.conn, &a->w.err, a->w.sql.buf, 1, p);
            if (!res)
                return -1;
            for (int r = 0; r < PQntuples(res); r++)
                key_list_add(out, PQgetvalue(res, r, 0), (size_t)PQgetlength(res, r, 0));
            PQclear(res);
        }
    return 0;
}

int engine_applier_flush(struct engine_applier *a, struct engine_apply_stats *st, char **err)
{
    struct batch *b = &a->b;
    int rc = 0;
    /* A name of its own: several tables flush in one transaction. */
    static _Atomic unsigned serial;
    char temp[48];
    snprintf(temp, sizeof temp, "pantry_sync_%u", serial++);
    if (b->nrows > 0) {
        size_t ncols;
        const char *const *cols = convert_target_columns(a->cv, &ncols);
        /* Only the written columns, no constraints: the real table's own
         * constraints judge each row at the upsert. */
        sb_reset(&a->w.sql);
        sb_adds(&a->w.sql, "CREATE TEMP TABLE ");
        sql_add_ident(&a->w.sql, temp);
        sb_adds(&a->w.sql, " ON COMMIT DROP AS SELECT ");
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                sb_adds(&a->w.sql, ", ");
            sql_add_ident(&a->w.sql, cols[i]);
        }
        sb_adds(&a->w.sql, " FROM ");
        sql_add_ident(&a->w.sql, a->j.t->name);
        sb_adds(&a->w.sql, " WITH NO DATA");
        if (!pg_command(a->w.conn, &a->w.err, a->w.sql.buf) || writer_check_orphans(&a->w, b) != 0) {
            rc = -1;
            goto out;
        }
        a->w.upsert_via = temp;
        size_t *rows = xcalloc(b->nrows, sizeof *rows);
        size_t n = 0;
        for (size_t r = 0; r < b->nrows; r++)
            if (!b->rows[r].quarantined)
                rows[n++] = r;
        long done = writer_copy_isolating(&a->w, b, rows, n);
        free(rows);
        a->w.upsert_via = NULL;
        if (done < 0) {
            rc = -1;
            goto out;
        }
        st->upserts += done;
        /* Rows now in the target leave the quarantine (and their children
         * must be looked at again); rows that fail now join it and leave
         * the target, as a fresh load would have it. Their children there
         * cascade away; the caller re-applies the source's children. */
        struct strbuf ok, qkeys, tk;
        sb_init(&ok);
        sb_init(&qkeys);
        sb_init(&tk);
        size_t nok = 0, nq = 0;
        sb_addc(&ok, '{');
        sb_addc(&qkeys, '{');
        for (size_t r = 0; r < b->nrows && rc == 0; r++) {
            if (b->rows[r].quarantined) {
                if (writer_store_quarantine(&a->w, b, r) != 0)
                    rc = -1;
                sb_reset(&tk);
                if (target_key_of(a->j.t, b->arena.buf + b->rows[r].key_off, b->rows[r].key_len, &tk)) {
                    sql_add_array_elem(&qkeys, tk.buf ? tk.buf : "", tk.len, nq++ == 0);
                    /* its target row may already be gone by a cascade */
                    if (a->cascaded)
                        key_list_add(&a->gone, tk.buf ? tk.buf : "", tk.len);
                }
                st->quarantined++;
            } else {
                char *dk = convert_display_key(b, r);
                sql_add_array_elem(&ok, dk, strlen(dk), nok++ == 0);
                free(dk);
            }
        }
        sb_addc(&ok, '}');
        sb_addc(&qkeys, '}');
        if (rc == 0 && writer_store_repairs(&a->w, b, true) != 0)
            rc = -1;
        if (rc == 0 && nok > 0) {
            PGresult *res = quarantine_resolve_keys(a->w.conn, a->j.t->name, ok.buf, &a->w.err);
            if (!res)
                rc = -1;
            for (int i = 0; res && i < PQntuples(res); i++) {
                sb_reset(&tk);
                if (target_key_of(a->j.t, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0), &tk))
                    key_list_add(&a->back, tk.buf ? tk.buf : "", tk.len);
            }
            PQclear(res);
        }
        if (rc == 0 && nq > 0 && !a->cascaded && applier_referenced(a, qkeys.buf, &a->gone) != 0)
            rc = -1;
        /* no display keys: the entries just stored stay open */
        if (rc == 0 && nq > 0 && applier_delete_keys(a, qkeys.buf, "{}", NULL, NULL) != 0)
            rc = -1;
        sb_free(&ok);
        sb_free(&qkeys);
        sb_free(&tk);
        if (rc != 0)
            goto out;
    }
    if (a->ndels > 0) {
        char *keys = xasprintf("{%s}", a->dels.buf);
        char *dkeys = xasprintf("{%s}", a->dkeys.buf);
        rc = applier_delete_keys(a, keys, dkeys, &st->deletes, NULL);
        free(keys);
        free(dkeys);
    }
out:
    if (rc != 0)
        *err = xasprintf("%s: %s", a->j.t->name, a->w.err ? a->w.err : "applying changes failed");
    batch_reset(b);
    sb_reset(&a->dels);
    sb_reset(&a->dkeys);
    a->ndels = 0;
    return rc;
}

void engine_applier_free(struct engine_applier *a)
{
    if (!a)
        return;
    batch_free(&a->b);
    convert_free(a->cv);
    sb_free(&a->w.copy);
    sb_free(&a->w.sql);
    free(a->w.err);
    sb_free(&a->dels);
    sb_free(&a->dkeys);
    engine_key_list_free(&a->gone);
    engine_key_list_free(&a->back);
    free(a);
}

