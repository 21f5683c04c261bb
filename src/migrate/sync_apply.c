/* sync_apply.c - one table's changes applied in a sync round, and the
 * children of rows that left or came back re-applied (see sync.c for the
 * round).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sync.h"
#include "sync_int.h"
#include "engine.h"
#include "fallback.h"
#include "legacy.h"
#include "pg.h"
#include "quarantine.h"
#include "runlock.h"
#include "source.h"
#include "state.h"
#include "sqltext.h"
#include "transform.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- one table's changes -------------------------------------------------- */

int sync_cmp_version(const void *a, const void *b)
{
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    return u < v ? -1 : u > v;
}

static int flush_if_full(struct apply_ctx *c)
{
    if (engine_applier_pending(c->a) < FLUSH_ROWS && engine_applier_pending_bytes(c->a) < FLUSH_BYTES)
        return 0;
    return engine_applier_flush(c->a, c->st, &c->err) == 0 ? 0 : -1;
}

int sync_on_change(void *ctx, int64_t version, char op, const struct cell *key,
                   const struct cell *row, size_t ncells)
{
    struct apply_ctx *c = ctx;
    (void)ncells;
    if (version > c->max_version)
        c->max_version = version;
    /* The fallback's own write (after a rollback): it came from the target. */
    if (c->x && c->x->necho && bsearch(&version, c->x->echo, c->x->necho, sizeof *c->x->echo, sync_cmp_version)) {
        c->x->echoes++;
        return 0;
    }
    /* A changed key whose row is gone is a delete, whatever the op says. */
    if (op == 'D' || !row)
        engine_applier_delete(c->a, key);
    else
        engine_applier_upsert(c->a, row);
    c->ts->changes++;
    return flush_if_full(c);
}

/* A reinit ships the keys it has read to two temporary tables (one pair
 * per table, dropped at the round's commit) every REINIT_SHIP_BYTES of
 * them: the keys of a table are never all in memory (ten million UUIDs
 * would be 370 MB as a text[]). Small
 * enough that tests/sync.sh's re-copy of Interaction ships more than once,
 * large enough that a round trip carries some 800 keys. */
#define REINIT_SHIP_BYTES (64u << 10)

static int ship_keys(struct apply_ctx *c)
{
    const char *sql[2] = {c->ship_keys, c->ship_dkeys};
    struct strbuf *bufs[2] = {&c->keys, &c->dkeys};
    size_t *counts[2] = {&c->nkeys, &c->ndkeys};
    for (int i = 0; i < 2; i++) {
        if (*counts[i] == 0)
            continue;
        sb_addc(bufs[i], '}');
        const char *p[1] = {bufs[i]->buf};
        PGresult *res = pg_exec(c->x->conn, &c->err, sql[i], 1, p);
        if (!res)
            return -1;
        PQclear(res);
        sb_reset(bufs[i]);
        sb_addc(bufs[i], '{');
        *counts[i] = 0;
    }
    return 0;
}

static int on_reinit_row(void *ctx, const struct cell *cells, size_t ncells)
{
    struct apply_ctx *c = ctx;
    (void)ncells;
    engine_applier_upsert(c->a, cells);
    /* the key is the first source column (convert_key_index is 0 for every
     * legacy table, but look it up to be sure) */
    const struct cell *k = &cells[0];
    size_t n;
    const char *const *cols = engine_applier_columns(c->a, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], c->ts->t->key) == 0)
            k = &cells[i];
    const struct legacy_column *kc = legacy_column(c->ts->t, c->ts->t->key);
    if (kc && kc->kind == COL_ID_UUID) {
        char u[UUID_TEXT_LEN + 1];
        if (id_map_uuid(c->ts->t->name, k->data, k->len, u) != ID_INVALID)
            sql_add_array_elem(&c->keys, u, UUID_TEXT_LEN, c->nkeys++ == 0);
    } else {
        struct strbuf rep;
        sb_init(&rep);
        if (!(text_repair(k->data, k->len, &rep) & TEXT_LOSSY))
            sql_add_array_elem(&c->keys, rep.buf ? rep.buf : "", rep.len, c->nkeys++ == 0);
        sb_free(&rep);
    }
    struct strbuf dk;
    sb_init(&dk);
    text_repair(k->data, k->len, &dk);
    sql_add_array_elem(&c->dkeys, dk.buf ? dk.buf : "", dk.len, c->ndkeys++ == 0);
    sb_free(&dk);
    sb_reset(&c->last_key);
    sb_addn(&c->last_key, k->data, k->len);
    c->ts->changes++;
    if (c->keys.len + c->dkeys.len >= REINIT_SHIP_BYTES && ship_keys(c) != 0)
        return -1;
    return flush_if_full(c);
}

/* ---- children of rows that left or re-entered the target ------------------
 * When a parent row leaves the target because its new version is refused,
 * the target's foreign keys cascade or set NULL although the source keeps
 * its children; when it comes back from the quarantine, children that were
 * quarantined for it could load. A fresh migration would decide each such
 * child from its source row, so the source's rows that point at a moved
 * parent are re-applied through the same transform: one scan of the child
 * table, only in the (rare) rounds where a parent moved. A deleted parent
 * does not count: the source deletes or clears its children itself (SQL
 * Server's foreign keys), and those changes are in the change log. */

int sync_cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct scan_fk {
    size_t col;                         /* index among the applier's columns */
    const struct legacy_column *c;
    const struct engine_key_list *moved;
};

struct scan_ctx {
    struct apply_ctx *c;
    struct scan_fk fks[8];
    size_t nfks, keyidx;
    struct strbuf last_key;
    size_t rows;
    bool probe;                         /* phase 1: only note that a window has a hit */
    bool window_hit;
};

static int on_scan_row(void *ctx, const struct cell *cells, size_t ncells)
{
    struct scan_ctx *sc = ctx;
    (void)ncells;
    sc->rows++;
    sb_reset(&sc->last_key);
    sb_addn(&sc->last_key, cells[sc->keyidx].data, cells[sc->keyidx].len);
    for (size_t k = 0; k < sc->nfks; k++) {
        const struct cell *v = &cells[sc->fks[k].col];
        if (v->is_null)
            continue;
        char u[UUID_TEXT_LEN + 1];
        char *key = NULL;
        if (sc->fks[k].c->kind == COL_FK_UUID) {
            if (id_map_uuid(sc->fks[k].c->ref_table, v->data, v->len, u) == ID_INVALID)
                continue;
            key = u;
        } else {
            struct strbuf t;
            sb_init(&t);
            text_repair(v->data, v->len, &t);
            key = sb_detach(&t);
        }
        const char *kp = key ? key : "";
        bool hit = bsearch(&kp, sc->fks[k].moved->keys, sc->fks[k].moved->n, sizeof(char *), sync_cmp_key) != NULL;
        if (key != u)
            free(key);
        if (!hit)
            continue;
        if (sc->probe) {
            sc->window_hit = true;
            return 0;
        }
        engine_applier_upsert(sc->c->a, cells);
        sc->c->ts->rechecked++;
        return flush_if_full(sc->c);
    }
    return 0;
}

#define SCAN_WINDOW 5000

/* Two passes over the child table, both in the round's snapshot: the key
 * and foreign keys of every row, to find the windows of SCAN_WINDOW rows
 * that hold a child of a moved parent; then only those windows whole. */
int sync_recheck_children(struct sync_ctx *x, struct apply_ctx *c, char **err)
{
    const struct legacy_table *t = c->ts->t;
    struct scan_ctx sc;
    memset(&sc, 0, sizeof sc);
    sc.c = c;
    size_t n;
    const char *const *cols = engine_applier_columns(c->a, &n);
    const char *narrow[9];
    size_t fkfull[8];
    narrow[0] = t->key;
    size_t keyfull = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cols[i], t->key) == 0)
            keyfull = i;
        const struct legacy_column *lc = legacy_column(t, cols[i]);
        if (!lc || (lc->kind != COL_FK_UUID && lc->kind != COL_FK_TEXT) || sc.nfks == 8)
            continue;
        for (size_t p = 0; p < x->ntables; p++)
            if (strcmp(x->tables[p].t->name, lc->ref_table) == 0 && x->tables[p].moved.n > 0) {
                fkfull[sc.nfks] = i;
                narrow[1 + sc.nfks] = cols[i];
                sc.fks[sc.nfks] = (struct scan_fk){1 + sc.nfks, lc, &x->tables[p].moved};
                sc.nfks++;
            }
    }
    if (sc.nfks == 0)
        return 0;
    sb_init(&sc.last_key);
    /* pass 1: the windows with a hit, each named by the key before it */
    struct strbuf *starts = NULL;
    bool *first = NULL;
    size_t nwin = 0;
    sc.probe = true;
    sc.keyidx = 0;
    int rc = 0;
    for (;;) {
        size_t before = sc.rows;
        struct strbuf start;
        sb_init(&start);
        sb_addn(&start, sc.last_key.buf ? sc.last_key.buf : "", sc.last_key.len);
        struct cell after = {start.buf ? start.buf : "", start.len, false};
        sc.window_hit = false;
        rc = x->src->ops->stream(x->src, t->name, t->key, narrow, 1 + sc.nfks, sc.rows ? &after : NULL,
                                 SCAN_WINDOW, on_scan_row, &sc, err);
        if (rc == 0 && sc.window_hit) {
            starts = xrealloc(starts, (nwin + 1) * sizeof *starts);
            first = xrealloc(first, (nwin + 1) * sizeof *first);
            first[nwin] = before == 0;
            starts[nwin++] = start;
        } else {
            sb_free(&start);
        }
        if (rc != 0 || sc.rows - before < SCAN_WINDOW)
            break;
    }
    /* pass 2: those windows, whole rows */
    sc.probe = false;
    sc.keyidx = keyfull;
    for (size_t k = 0; k < sc.nfks; k++)
        sc.fks[k].col = fkfull[k];
    engine_applier_cascaded(c->a, true);
    for (size_t w = 0; w < nwin && rc == 0; w++) {
        struct cell after = {starts[w].buf ? starts[w].buf : "", starts[w].len, false};
        rc = x->src->ops->stream(x->src, t->name, t->key, cols, n, first[w] ? NULL : &after,
                                 SCAN_WINDOW, on_scan_row, &sc, err);
    }
    if (rc != 0) {
        if (!*err)
            *err = c->err ? xstrdup(c->err) : xasprintf("%s: re-reading children failed", t->name);
        rc = -1;
    }
    /* flushed here, while the rows still count as cascaded */
    if (rc == 0 && engine_applier_flush(c->a, c->st, err) != 0)
        rc = -1;
    engine_applier_cascaded(c->a, false);
    for (size_t w = 0; w < nwin; w++)
        sb_free(&starts[w]);
    free(starts);
    free(first);
    sb_free(&sc.last_key);
    return rc;
}

/* Re-copies a whole table inside the round: every source row upserted,
 * every target row whose key the source no longer has deleted. */
int sync_reinit_table(struct sync_ctx *x, struct apply_ctx *c, char **err)
{
    const struct legacy_table *t = c->ts->t;
    size_t n;
    const char *const *cols = engine_applier_columns(c->a, &n);
    const struct legacy_column *kc = legacy_column(t, t->key);
    bool uuid = kc && kc->kind == COL_ID_UUID;
    /* Every source key goes to the server as it is read, so that what the
     * source no longer has can be found there without holding the keys. */
    struct strbuf kt, dt, sql;
    sb_init(&kt);
    sb_init(&dt);
    sb_init(&sql);
    char *kname = xasprintf("pantry_reinit_keys_%s", t->name), *dname = xasprintf("pantry_reinit_dkeys_%s", t->name);
    sql_add_ident(&kt, kname);
    sql_add_ident(&dt, dname);
    free(kname);
    free(dname);
    free(c->ship_keys);
    free(c->ship_dkeys);
    c->ship_keys = xasprintf("INSERT INTO %s SELECT unnest($1::%s[])", kt.buf, uuid ? "uuid" : "text");
    c->ship_dkeys = xasprintf("INSERT INTO %s SELECT unnest($1::text[])", dt.buf);
    char *mk = xasprintf("CREATE TEMP TABLE %s (k %s) ON COMMIT DROP", kt.buf, uuid ? "uuid" : "text");
    char *md = xasprintf("CREATE TEMP TABLE %s (k text) ON COMMIT DROP", dt.buf);
    bool made = pg_command(x->conn, err, mk) && pg_command(x->conn, err, md);
    free(mk);
    free(md);
    if (!made)
        goto fail;
    sb_addc(&c->keys, '{');
    sb_addc(&c->dkeys, '{');
    for (;;) {
        size_t before = c->ts->changes;
        struct cell after = {c->last_key.buf, c->last_key.len, false};
        int rc = x->src->ops->stream(x->src, t->name, t->key, cols, n,
                                     c->ts->changes ? &after : NULL, 5000, on_reinit_row, c, err);
        if (rc != 0) {
            if (!*err)
                *err = c->err ? xstrdup(c->err) : xasprintf("%s: re-copy failed", t->name);
            goto fail;
        }
        if (c->ts->changes - before < 5000)
            break;
    }
    if (ship_keys(c) != 0) {
        *err = xstrdup(c->err ? c->err : "shipping the keys failed");
        goto fail;
    }
    if (engine_applier_flush(c->a, c->st, err) != 0)
        goto fail;
    /* Rows the source no longer has (keys mapped as the transform maps them). */
    sb_adds(&sql, "ANALYZE ");
    sb_addn(&sql, kt.buf, kt.len);
    sb_adds(&sql, ", ");
    sb_addn(&sql, dt.buf, dt.len);
    if (!pg_command(x->conn, err, sql.buf))
        goto fail;
    sb_reset(&sql);
    sb_adds(&sql, "DELETE FROM ");
    sql_add_ident(&sql, t->name);
    sb_adds(&sql, " d WHERE NOT EXISTS (SELECT 1 FROM ");
    sb_addn(&sql, kt.buf, kt.len);
    sb_adds(&sql, " s WHERE s.k = d.");
    sql_add_ident(&sql, t->key);
    sb_adds(&sql, ") RETURNING d.");
    sql_add_ident(&sql, t->key);
    sb_adds(&sql, "::text");
    PGresult *res = pg_exec(x->conn, err, sql.buf, 0, NULL);
    if (!res)
        goto fail;
    c->st->deletes += atol(PQcmdTuples(res));
    for (int i = 0; i < PQntuples(res); i++) {
        struct engine_key_list *m = &c->ts->moved;
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 64;
            m->keys = xrealloc(m->keys, m->cap * sizeof *m->keys);
        }
        m->keys[m->n++] = xstrdup(PQgetvalue(res, i, 0));
    }
    PQclear(res);
    /* Quarantined rows the source no longer has are settled too. */
    const char *p1[1] = {t->name};
    sb_reset(&sql);
    sb_adds(&sql, "UPDATE migration.quarantine q SET resolved_at = now() WHERE table_name = $1"
                  " AND resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM ");
    sb_addn(&sql, dt.buf, dt.len);
    sb_adds(&sql, " s WHERE s.k = q.source_key)");
    res = pg_exec(x->conn, err, sql.buf, 1, p1);
    PQclear(res);
    if (!res)
        goto fail;
    sb_free(&kt);
    sb_free(&dt);
    sb_free(&sql);
    return 0;
fail:
    sb_free(&kt);
    sb_free(&dt);
    sb_free(&sql);
    return -1;
}
