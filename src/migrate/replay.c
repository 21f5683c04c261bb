/* replay.c - `quarantine replay`: the open quarantine rows transformed
 * again from their original values (after the synonyms or policies
 * changed) and written by the same writer as the load, parents first.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "pg.h"
#include "quarantine.h"
#include "runlock.h"
#include "transform.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int replay_table(struct engine *e, const struct legacy_table *t, const char *reason,
                        PGconn *conn, void (*on_table)(void *ctx, const struct engine_replay_table *r),
                        void *ctx, long *resolved, char **err)
{
    PGresult *res = quarantine_open_rows(conn, t->name, reason, err);
    if (!res)
        return -1;
    int n = PQntuples(res);
    if (n == 0) {
        PQclear(res);
        return 0;
    }
    /* The source as the quarantine saw it: contract columns plus extras. */
    json_error_t jerr;
    json_t *first = json_loads(PQgetvalue(res, 0, 1), 0, &jerr);
    struct source_table st = {.name = (char *)t->name};
    st.cols = xcalloc(t->ncols + (first ? json_object_size(first) : 0) + 1, sizeof *st.cols);
    for (size_t c = 0; c < t->ncols; c++)
        st.cols[st.ncols++] = (struct source_column){(char *)t->cols[c].name, (char *)""};
    const char *k;
    json_t *val;
    json_object_foreach(first, k, val)
        if (!legacy_column(t, k))
            st.cols[st.ncols++] = (struct source_column){(char *)k, (char *)""};
    struct convert *cv = convert_new(t, &st, &e->copts, err);
    if (!cv) {
        free(st.cols);
        json_decref(first);
        PQclear(res);
        return -1;
    }
    size_t nsrc, ndst;
    const char *const *scols = convert_source_columns(cv, &nsrc);
    convert_target_columns(cv, &ndst);
    struct batch b;
    batch_init(&b, ndst, nsrc);
    struct job j = {.e = e, .t = t};
    struct writer w = {.j = &j, .conn = conn, .cv = cv};
    sb_init(&w.copy);
    sb_init(&w.sql);
    struct cell *cells = xcalloc(nsrc, sizeof *cells);
    struct strbuf vals;
    sb_init(&vals);
    int rc = 0;
    long ok_rows = 0, still = 0;
    for (int base = 0; base < n && rc == 0; base += 1000) {
        int end = base + 1000 < n ? base + 1000 : n;
        batch_reset(&b);
        for (int i = base; i < end; i++) {
            json_t *orig = json_loads(PQgetvalue(res, i, 1), 0, &jerr);
            /* Offsets first: vals may move while it grows. */
            sb_reset(&vals);
            size_t *offs = xcalloc(nsrc, sizeof *offs);
            for (size_t c = 0; c < nsrc; c++) {
                json_t *v = json_object_get(orig, scols[c]);
                offs[c] = vals.len;
                cells[c].is_null = !v || json_is_null(v) || !convert_original_bytes(v, &vals);
                cells[c].len = vals.len - offs[c];
            }
            for (size_t c = 0; c < nsrc; c++)
                cells[c].data = vals.buf ? vals.buf + offs[c] : "";
            free(offs);
            convert_row(cv, &b, cells);
            json_decref(orig);
        }
        if (!pg_command(conn, err, "BEGIN") || writer_check_orphans(&w, &b) != 0) {
            rc = -1;
            break;
        }
        size_t *rows = xcalloc(b.nrows + 1, sizeof *rows);
        size_t nr = 0;
        for (size_t r = 0; r < b.nrows; r++)
            if (!b.rows[r].quarantined)
                rows[nr++] = r;
        long copied = writer_copy_isolating(&w, &b, rows, nr);
        if (copied < 0)
            rc = -1;
        for (size_t r = 0; r < b.nrows && rc == 0; r++) {
            if (b.rows[r].quarantined) {
                if (writer_store_quarantine(&w, &b, r) != 0)
                    rc = -1;
                still++;
            } else {
                char *key = convert_display_key(&b, r);
                if (quarantine_resolve(conn, t->name, key, &w.err) != 0)
                    rc = -1;
                free(key);
            }
        }
        free(rows);
        if (rc == 0 && writer_store_repairs(&w, &b, false) != 0)
            rc = -1;
        if (rc == 0 && copied > 0 && checkpoint_move_replayed(conn, t->name, copied, &w.err) != 0)
            rc = -1;
        if (rc == 0 && !pg_command(conn, &w.err, "COMMIT"))
            rc = -1;
        if (rc != 0) {
            if (!*err)
                *err = xasprintf("%s: %s", t->name, w.err ? w.err : "replay failed");
            PQclear(PQexec(conn, "ROLLBACK"));
        } else {
            ok_rows += copied;
        }
    }
    if (rc == 0 && on_table) {
        struct engine_replay_table r = {t->name, n, ok_rows, still};
        on_table(ctx, &r);
    }
    *resolved += ok_rows;
    sb_free(&vals);
    free(cells);
    free(w.err);
    sb_free(&w.copy);
    sb_free(&w.sql);
    batch_free(&b);
    convert_free(cv);
    free(st.cols);
    json_decref(first);
    PQclear(res);
    return rc;
}

long engine_replay(const struct engine_opts *o, const char *table, const char *reason,
                   void (*on_table)(void *ctx, const struct engine_replay_table *r), void *ctx,
                   char **err)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.o = o;
    pthread_mutex_init(&e.mu, NULL);
    e.synonyms = convert_load_synonyms(o->transform.synonyms_path, err);
    if (!e.synonyms) {
        pthread_mutex_destroy(&e.mu);
        return -1;
    }
    e.copts = convert_opts_of(&o->transform, e.synonyms);
    long resolved = 0;
    PGconn *conn = engine_connect(&e, "replay the quarantine", err);
    if (!conn)
        resolved = -1;
    PGresult *res = NULL;
    struct runlock *lock = NULL;
    if (conn && !(lock = runlock_take(conn, "quarantine replay", 5, err))) {
        resolved = -1;
    } else if (conn) {
        res = pg_exec(conn, err, "SELECT true, (SELECT max(id) FROM migration.run)", 0, NULL);
        if (!res) {
            resolved = -1;
        } else if (PQgetisnull(res, 0, 1)) {
            *err = xstrdup("no migration run is recorded in the target: nothing to replay");
            resolved = -1;
        } else {
            e.run_id = atoll(PQgetvalue(res, 0, 1));
        }
        PQclear(res);
    }
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    /* Parents first, so that a replayed parent lets its children in. */
    for (size_t i = 0; i < nt && resolved >= 0; i++) {
        if (table && strcmp(table, tables[i].name) != 0)
            continue;
        if (replay_table(&e, &tables[i], reason, conn, on_table, ctx, &resolved, err) != 0)
            resolved = -1;
    }
    runlock_release(lock, conn);
    if (conn)
        PQfinish(conn);
    synonyms_free(e.synonyms);
    pthread_mutex_destroy(&e.mu);
    return resolved;
}

