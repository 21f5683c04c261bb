/* fallback.c - PostgreSQL back to the legacy SQL Server after the cutover
 * (see fallback.h for the protocol).
 *
 * A round: the log and the current rows read in one PostgreSQL snapshot;
 * each key becomes the statements of its row through the reverse transform
 * (reverse.h) or a fallback quarantine row with the reason; deletes go
 * first, children before parents, then upserts (an UPDATE and an INSERT ...
 * WHERE NOT EXISTS: the stand-in has no MERGE), parents first; all in one
 * SQL Server transaction with the ledger row; then, in PostgreSQL, the log
 * entries read are deleted and the quarantine and totals written. A row the
 * server itself refuses is found by sending the round again one row per
 * batch, quarantined, and the round retried without it. The capture
 * triggers that fill the log are in fallback_capture.c.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "fallback.h"
#include "convert.h"
#include "legacy.h"
#include "lockkeys.h"
#include "pg.h"
#include "reverse.h"
#include "source.h"
#include "source_tds.h"
#include "sqltext.h"
#include "state.h"
#include "transform.h"
#include "util.h"
#include "clock.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t fallback_stop_requested;

#define CT_CONTEXT FALLBACK_CT_CONTEXT
#define EXEC_BYTES (128 * 1024)           /* T-SQL text per batch sent */

/* ---- one round ---------------------------------------------------------------- */

struct unit {                       /* the statements of one key */
    size_t table;                   /* index into legacy_tables() */
    bool del;                       /* a delete (else an upsert) */
    char *key;                      /* the PostgreSQL key (log row_key) */
    int64_t upto;                   /* newest log id it settles */
    char *sql;
};

struct qrow {                       /* a row the legacy schema cannot hold */
    size_t table;
    char *key, *column, *reason, *detail;
    int64_t upto;
};

struct fb {
    const struct fallback_opts *o;
    struct synonyms *syn;
    struct reverse_opts ro;
    struct source *src;
    PGconn *conn;
    struct state *state;
    bool tag, ledger_tracked;
    const struct legacy_table *tables;
    size_t ntables;
    /* the round */
    struct unit *units;
    size_t nunits, capunits;
    struct qrow *q;
    size_t nq, capq;
    struct strbuf ids;              /* log ids read, as a PostgreSQL array */
    size_t nids;
    char last_write[64];            /* newest logged_at applied */
};

static void add_unit(struct fb *x, size_t table, bool del, const char *key, int64_t upto, char *sql)
{
    if (x->nunits == x->capunits) {
        x->capunits = x->capunits ? 2 * x->capunits : 64;
        x->units = xrealloc(x->units, x->capunits * sizeof *x->units);
    }
    x->units[x->nunits++] = (struct unit){table, del, xstrdup(key), upto, sql};
}

static void add_q(struct fb *x, size_t table, const char *key, int64_t upto, const char *column,
                  const char *reason, char *detail)
{
    if (x->nq == x->capq) {
        x->capq = x->capq ? 2 * x->capq : 16;
        x->q = xrealloc(x->q, x->capq * sizeof *x->q);
    }
    x->q[x->nq++] = (struct qrow){table, xstrdup(key), column ? xstrdup(column) : NULL,
                                  xstrdup(reason), detail, upto};
}

static void round_reset(struct fb *x)
{
    for (size_t i = 0; i < x->nunits; i++) {
        free(x->units[i].key);
        free(x->units[i].sql);
    }
    x->nunits = 0;
    for (size_t i = 0; i < x->nq; i++) {
        free(x->q[i].key);
        free(x->q[i].column);
        free(x->q[i].reason);
        free(x->q[i].detail);
    }
    x->nq = 0;
    sb_reset(&x->ids);
    x->nids = 0;
    x->last_write[0] = '\0';
}

static void add_table(struct strbuf *sb, const char *name)
{
    sb_adds(sb, "[dbo].[");
    sb_adds(sb, name);
    sb_addc(sb, ']');
}

static const char *dml_prefix(struct fb *x)
{
    return x->tag ? "WITH CHANGE_TRACKING_CONTEXT (" CT_CONTEXT ") " : "";
}

/* The pending keys of one table. */
struct pend {
    char *key;
    int64_t upto;
    char *legacy_id;                /* JSON text of a deleted row's legacy id */
};

struct tpend {
    struct pend *p;
    size_t n, cap;
};

static int cmp_pend(const void *a, const void *b)
{
    return strcmp(((const struct pend *)a)->key, ((const struct pend *)b)->key);
}

/* Turns one table's pending keys into statements (or quarantine rows). */
static int build_table(struct fb *x, size_t ti, struct tpend *tp, char **err)
{
    const struct legacy_table *t = &x->tables[ti];
    const struct legacy_column *kc = legacy_column(t, t->key);
    bool uuid_table = kc && kc->kind == COL_ID_UUID;
    struct strbuf arr;
    sb_init(&arr);
    sb_addc(&arr, '{');
    for (size_t i = 0; i < tp->n; i++)
        sql_add_array_elem(&arr, tp->p[i].key, strlen(tp->p[i].key), i == 0);
    sb_addc(&arr, '}');
    char *q = reverse_image_query(t);
    const char *p[1] = {arr.buf};
    PGresult *res = pg_exec(x->conn, err, q, 1, p);
    free(q);
    sb_free(&arr);
    if (!res)
        return -1;
    int nfk = 0;
    for (size_t i = 0; i < t->ncols; i++)
        nfk += t->cols[i].kind == COL_FK_UUID;
    int keycol = (int)t->ncols + nfk + (t->crm ? 1 : 0);
    struct reverse_value *vals = xcalloc(t->ncols, sizeof *vals);
    for (size_t i = 0; i < t->ncols; i++)
        sb_init(&vals[i].v);
    bool *seen = xcalloc(tp->n ? tp->n : 1, sizeof *seen);
    for (int r = 0; r < PQntuples(res); r++) {
        struct pend key = {PQgetvalue(res, r, keycol), 0, NULL};
        struct pend *pe = bsearch(&key, tp->p, tp->n, sizeof *tp->p, cmp_pend);
        if (!pe)
            continue;
        seen[pe - tp->p] = true;
        json_t *legacy = NULL;
        if (t->crm && !PQgetisnull(res, r, (int)t->ncols + nfk))
            legacy = json_loads(PQgetvalue(res, r, (int)t->ncols + nfk), 0, NULL);
        bool ok = true;
        int fk = 0;
        for (size_t i = 0; i < t->ncols && ok; i++) {
            const struct legacy_column *c = &t->cols[i];
            const char *parent = NULL;
            if (c->kind == COL_FK_UUID) {
                int pc = (int)t->ncols + fk++;
                parent = PQgetisnull(res, r, pc) ? NULL : PQgetvalue(res, r, pc);
            }
            const char *reason = NULL;
            char *detail = NULL;
            if (!reverse_value(&x->ro, t, c, res, r, (int)i, legacy, parent, &vals[i], &reason, &detail)) {
                add_q(x, ti, pe->key, pe->upto, c->name, reason, detail);
                ok = false;
            }
        }
        bool kept_uuid = uuid_table && !(legacy && json_object_get(legacy, t->key));
        json_decref(legacy);
        if (!ok)
            continue;
        size_t k = (size_t)legacy_column_index(t, t->key);
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, dml_prefix(x));
        sb_adds(&sql, "UPDATE ");
        add_table(&sql, t->name);
        sb_adds(&sql, " SET ");
        bool first = true;
        for (size_t i = 0; i < t->ncols; i++) {
            if (i == k)
                continue;
            sb_addf(&sql, "%s[%s] = ", first ? "" : ", ", t->cols[i].name);
            reverse_add_value(&x->ro, &sql, &vals[i]);
            first = false;
        }
        sb_adds(&sql, " WHERE ");
        reverse_add_key_match(&x->ro, &sql, t, vals[k].v.buf ? vals[k].v.buf : "", vals[k].v.len, kept_uuid);
        sb_adds(&sql, ";\n");
        sb_adds(&sql, dml_prefix(x));
        sb_adds(&sql, "INSERT INTO ");
        add_table(&sql, t->name);
        sb_adds(&sql, " (");
        for (size_t i = 0; i < t->ncols; i++)
            sb_addf(&sql, "%s[%s]", i ? ", " : "", t->cols[i].name);
        sb_adds(&sql, ") SELECT ");
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                sb_adds(&sql, ", ");
            reverse_add_value(&x->ro, &sql, &vals[i]);
        }
        sb_adds(&sql, " WHERE NOT EXISTS (SELECT 1 FROM ");
        add_table(&sql, t->name);
        sb_adds(&sql, " WHERE ");
        reverse_add_key_match(&x->ro, &sql, t, vals[k].v.buf ? vals[k].v.buf : "", vals[k].v.len, kept_uuid);
        sb_adds(&sql, ");\n");
        add_unit(x, ti, false, pe->key, pe->upto, sb_detach(&sql));
    }
    PQclear(res);
    for (size_t i = 0; i < t->ncols; i++)
        sb_free(&vals[i].v);
    free(vals);
    /* Keys without a row: deleted in PostgreSQL. */
    for (size_t i = 0; i < tp->n; i++) {
        if (seen[i])
            continue;
        struct pend *pe = &tp->p[i];
        struct strbuf lid;
        sb_init(&lid);
        bool have = false, lnull = true;
        if (pe->legacy_id) {
            json_t *j = json_loads(pe->legacy_id, JSON_DECODE_ANY, NULL);
            json_t *wrap = j ? json_pack("{s:O}", "id", j) : NULL;
            have = wrap && reverse_legacy_orig(wrap, "id", &lid, &lnull) && !lnull;
            json_decref(wrap);
            json_decref(j);
        }
        struct strbuf sql;
        sb_init(&sql);
        sb_adds(&sql, dml_prefix(x));
        sb_adds(&sql, "DELETE FROM ");
        add_table(&sql, t->name);
        sb_adds(&sql, " WHERE ");
        if (have)
            reverse_add_key_match(&x->ro, &sql, t, lid.buf ? lid.buf : "", lid.len, false);
        else
            reverse_add_key_match(&x->ro, &sql, t, pe->key, strlen(pe->key), uuid_table);
        sb_adds(&sql, ";\n");
        add_unit(x, ti, true, pe->key, pe->upto, sb_detach(&sql));
        sb_free(&lid);
    }
    free(seen);
    return 0;
}

/* Reads the log and the current rows in one snapshot and builds the
 * round's statements: deletes children first, then upserts parents first.
 * Every entry the snapshot sees goes into the round (memory: one key per
 * changed row): a current row may point at a parent inserted after the
 * cutover, and that parent's entry is then in the same snapshot, so the
 * legacy database's foreign keys hold inside the one transaction. */
static int build_round(struct fb *x, int64_t *nkeys, char **err)
{
    if (!pg_command(x->conn, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        return -1;
    PGresult *res = pg_exec(x->conn, err,
        "SELECT l.id, l.table_name, l.row_key, l.legacy_id::text,"
        " to_char(l.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),"
        " EXISTS (SELECT 1 FROM migration.fallback_quarantine q WHERE q.table_name = l.table_name"
        "   AND q.row_key = l.row_key AND q.upto_log_id >= l.id)"
        " FROM migration.fallback_log l ORDER BY l.id", 0, NULL);
    if (!res) {
        PQclear(PQexec(x->conn, "ROLLBACK"));
        return -1;
    }
    struct tpend *tps = xcalloc(x->ntables, sizeof *tps);
    sb_adds(&x->ids, "{");
    for (int r = 0; r < PQntuples(res); r++) {
        sb_addf(&x->ids, "%s%s", x->nids++ ? "," : "", PQgetvalue(res, r, 0));
        snprintf(x->last_write, sizeof x->last_write, "%s", PQgetvalue(res, r, 4));
        if (PQgetvalue(res, r, 5)[0] == 't')
            continue;                   /* settled by a quarantine row */
        const char *tn = PQgetvalue(res, r, 1);
        size_t ti = 0;
        while (ti < x->ntables && strcmp(x->tables[ti].name, tn) != 0)
            ti++;
        if (ti == x->ntables)
            continue;
        struct tpend *tp = &tps[ti];
        if (tp->n == tp->cap) {
            tp->cap = tp->cap ? 2 * tp->cap : 32;
            tp->p = xrealloc(tp->p, tp->cap * sizeof *tp->p);
        }
        tp->p[tp->n++] = (struct pend){xstrdup(PQgetvalue(res, r, 2)), atoll(PQgetvalue(res, r, 0)),
                                       PQgetisnull(res, r, 3) ? NULL : xstrdup(PQgetvalue(res, r, 3))};
    }
    sb_adds(&x->ids, "}");
    PQclear(res);
    int rc = 0;
    *nkeys = 0;
    for (size_t ti = 0; ti < x->ntables && rc == 0; ti++) {
        struct tpend *tp = &tps[ti];
        if (tp->n == 0)
            continue;
        /* one entry per key: the newest id and the last legacy id seen */
        qsort(tp->p, tp->n, sizeof *tp->p, cmp_pend);
        size_t w = 0;
        for (size_t i = 0; i < tp->n; i++) {
            if (w > 0 && strcmp(tp->p[w - 1].key, tp->p[i].key) == 0) {
                struct pend *d = &tp->p[w - 1];
                if (tp->p[i].upto > d->upto)
                    d->upto = tp->p[i].upto;
                if (tp->p[i].legacy_id) {
                    free(d->legacy_id);
                    d->legacy_id = tp->p[i].legacy_id;
                    tp->p[i].legacy_id = NULL;
                }
                free(tp->p[i].key);
                free(tp->p[i].legacy_id);
                continue;
            }
            tp->p[w++] = tp->p[i];
        }
        tp->n = w;
        *nkeys += (int64_t)w;
        rc = build_table(x, ti, tp, err);
    }
    for (size_t ti = 0; ti < x->ntables; ti++) {
        for (size_t i = 0; i < tps[ti].n; i++) {
            free(tps[ti].p[i].key);
            free(tps[ti].p[i].legacy_id);
        }
        free(tps[ti].p);
    }
    free(tps);
    PQclear(PQexec(x->conn, "COMMIT"));
    return rc;
}

static int cmp_unit_order(const void *a, const void *b)
{
    const struct unit *u = a, *v = b;
    bool du = u->del, dv = v->del;
    if (du != dv)
        return du ? -1 : 1;                 /* deletes first */
    if (du)                                 /* children before parents */
        return u->table > v->table ? -1 : u->table < v->table ? 1 : 0;
    return u->table < v->table ? -1 : u->table > v->table ? 1 : 0;
}

static int tds(struct fb *x, const char *sql, char **value, char **err)
{
    char *v = NULL;
    int rc = source_tds_exec(x->src, sql, &v, err);
    if (value)
        *value = v;
    else
        free(v);
    return rc;
}

/* Sends the units in one SQL Server transaction with the ledger row.
 * single: one unit per batch, and a unit the server refuses goes to the
 * quarantine (*failed its index) and the whole transaction is undone. */
static int apply_units(struct fb *x, bool single, size_t *failed, char **err)
{
    *failed = SIZE_MAX;
    if (tds(x, "BEGIN TRAN", NULL, err) != 0)
        return -1;
    struct strbuf batch;
    sb_init(&batch);
    int rc = 0;
    for (size_t i = 0; i < x->nunits && rc == 0; i++) {
        sb_adds(&batch, x->units[i].sql);
        if (!single && batch.len < EXEC_BYTES && i + 1 < x->nunits)
            continue;
        rc = tds(x, batch.buf, NULL, err);
        if (rc != 0 && single)
            *failed = i;
        sb_reset(&batch);
    }
    sb_free(&batch);
    if (rc == 0) {
        char *n = NULL;
        rc = tds(x, "SELECT ISNULL(MAX([" FALLBACK_LEDGER_KEY "]), 0) + 1 FROM [dbo].[" FALLBACK_LEDGER "]",
                 &n, err);
        if (rc == 0) {
            char *ins = xasprintf("%sINSERT INTO [dbo].[" FALLBACK_LEDGER "] ([" FALLBACK_LEDGER_KEY "],"
                                  " [changes], [applied_at]) VALUES (%lld, %zu, SYSUTCDATETIME())",
                                  dml_prefix(x), n ? atoll(n) : 1LL, x->nunits);
            rc = tds(x, ins, NULL, err);
            free(ins);
        }
        free(n);
    }
    if (rc == 0)
        rc = tds(x, "COMMIT", NULL, err);
    if (rc != 0) {
        /* the server may have ended the transaction already: then this
         * only fails, harmlessly (the stand-in has no IF @@TRANCOUNT) */
        char *e2 = NULL;
        tds(x, "ROLLBACK", NULL, &e2);
        free(e2);
    }
    return rc;
}

/* After the SQL Server commit: the applied log entries go, the quarantine
 * and the totals are written, in one PostgreSQL transaction. */
static int settle(struct fb *x, size_t napplied, double seconds, char **err)
{
    if (!pg_command(x->conn, err, "BEGIN"))
        return -1;
    const char *p1[1] = {x->ids.buf};
    PGresult *res = pg_exec(x->conn, err, "DELETE FROM migration.fallback_log WHERE id = ANY($1::bigint[])",
                            1, p1);
    if (!res)
        goto fail;
    PQclear(res);
    for (size_t i = 0; i < x->nq; i++) {
        const struct qrow *q = &x->q[i];
        char upto[24];
        snprintf(upto, sizeof upto, "%" PRId64, q->upto);
        const char *p[6] = {x->tables[q->table].name, q->key, q->column, q->reason, q->detail, upto};
        res = pg_exec(x->conn, err,
            "INSERT INTO migration.fallback_quarantine (table_name, row_key, column_name, reason, detail,"
            " upto_log_id) VALUES ($1, $2, $3, $4, $5, $6::bigint) ON CONFLICT DO NOTHING", 6, p);
        if (!res)
            goto fail;
        PQclear(res);
    }
    /* rows that went through settle their earlier quarantine */
    for (size_t ti = 0; ti < x->ntables; ti++) {
        struct strbuf keys;
        sb_init(&keys);
        size_t n = 0;
        sb_addc(&keys, '{');
        for (size_t i = 0; i < x->nunits; i++)
            if (x->units[i].table == ti)
                sql_add_array_elem(&keys, x->units[i].key, strlen(x->units[i].key), n++ == 0);
        sb_addc(&keys, '}');
        if (n) {
            const char *p[2] = {x->tables[ti].name, keys.buf};
            res = pg_exec(x->conn, err,
                "UPDATE migration.fallback_quarantine SET resolved_at = now() WHERE resolved_at IS NULL"
                " AND table_name = $1 AND row_key = ANY($2::text[])", 2, p);
            PQclear(res);
        }
        sb_free(&keys);
        if (n && !res)
            goto fail;
    }
    char na[24], rate[32];
    snprintf(na, sizeof na, "%zu", napplied);
    snprintf(rate, sizeof rate, "%.3f", seconds > 0 ? (double)napplied / seconds : 0.0);
    const char *p2[4] = {na, rate, x->last_write[0] ? x->last_write : NULL, x->o->source};
    res = pg_exec(x->conn, err,
        "UPDATE migration.fallback SET rounds = rounds + 1, applied = applied + $1::bigint,"
        " last_round_at = now(), last_changes = $1::bigint, last_rate = $2::float8,"
        " last_write_at = greatest(last_write_at, ($3::timestamp AT TIME ZONE 'UTC')), source = $4,"
        " last_error = NULL WHERE id = 1", 4, p2);
    if (!res)
        goto fail;
    PQclear(res);
    return pg_command(x->conn, err, "COMMIT") ? 0 : -1;
fail:
    PQclear(PQexec(x->conn, "ROLLBACK"));
    return -1;
}

int fallback_state_put(struct state *st, const struct fallback_round_state *s, char **err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%.3f %lld %lld %lld %lld %.3f %.3f", s->at, (long long)s->changes,
             (long long)s->pending, (long long)s->quarantined, (long long)s->errors, s->rate, s->lag_s);
    return state_session_put(st, "fallback.last_round", buf, err);
}

bool fallback_state_get(struct state *st, struct fallback_round_state *s)
{
    char *v = state_session_get(st, "fallback.last_round");
    if (!v)
        return false;
    long long ch, pe, q, e;
    bool ok = sscanf(v, "%lf %lld %lld %lld %lld %lf %lf", &s->at, &ch, &pe, &q, &e, &s->rate,
                     &s->lag_s) == 7;
    s->changes = ch;
    s->pending = pe;
    s->quarantined = q;
    s->errors = e;
    free(v);
    return ok;
}

/* The round's figures for the console, from the target's own record. */
static void put_state(struct fb *x, size_t changes, double seconds)
{
    struct fallback_status st;
    char *e = NULL;
    if (!x->state || !x->conn || fallback_status_read(x->conn, &st, &e) != 0) {
        free(e);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct fallback_round_state s = {(double)now.tv_sec + now.tv_nsec / 1e9, (int64_t)changes, st.pending,
                                     st.quarantined, st.errors,
                                     seconds > 0 ? (double)changes / seconds : 0, st.oldest_pending_s};
    fallback_state_put(x->state, &s, &e);
    free(e);
}

/* Tells the caller what the round did. */
static void report_round(struct fb *x, int n, bool nothing, double seconds)
{
    if (!x->o->on_round)
        return;
    struct fallback_quarantined *q = xcalloc(x->nq + 1, sizeof *q);
    for (size_t i = 0; i < x->nq; i++)
        q[i] = (struct fallback_quarantined){x->tables[x->q[i].table].name, x->q[i].key,
                                             x->q[i].column, x->q[i].reason, x->q[i].detail};
    struct fallback_round r = {n, nothing, nothing ? 0 : x->nunits, seconds, q, x->nq};
    x->o->on_round(x->o->ctx, &r);
    free(q);
}

static int run_round(struct fb *x, int n, char **err)
{
    double t0 = clock_mono_s();
    round_reset(x);
    int64_t nkeys = 0;
    if (build_round(x, &nkeys, err) != 0)
        return -1;
    if (x->nunits > 1)
        qsort(x->units, x->nunits, sizeof *x->units, cmp_unit_order);
    size_t failed;
    while (x->nunits > 0 && apply_units(x, false, &failed, err) != 0) {
        /* One by one, to find the row the server refuses; then the rest
         * in batches again. */
        free(*err);
        *err = NULL;
        if (apply_units(x, true, &failed, err) == 0)
            break;
        if (failed == SIZE_MAX)
            return -1;              /* not a row: the connection */
        /* a lost connection is not the row's fault: ask the server */
        char *perr = NULL;
        if (tds(x, "SELECT 1", NULL, &perr) != 0) {
            free(perr);
            return -1;
        }
        struct unit *u = &x->units[failed];
        add_q(x, u->table, u->key, u->upto, NULL, "server_refused", *err);
        *err = NULL;
        free(u->key);
        free(u->sql);
        memmove(u, u + 1, (x->nunits - failed - 1) * sizeof *u);
        x->nunits--;
    }
    if (x->nids == 0 && x->nq == 0) {
        double s = clock_mono_s() - t0;
        report_round(x, n, true, s);
        put_state(x, 0, s);
        return 0;
    }
    double s = clock_mono_s() - t0;
    if (settle(x, x->nunits, s, err) != 0)
        return -1;
    put_state(x, x->nunits, s);
    report_round(x, n, false, s);
    return 0;
}

/* ---- the legacy side's ledger ------------------------------------------------ */

static int prepare_legacy(struct fb *x, char **err)
{
    char *v = NULL;
    if (tds(x, "SELECT OBJECT_ID(N'dbo." FALLBACK_LEDGER "')", &v, err) != 0)
        return -1;
    if (!v) {
        if (tds(x, "CREATE TABLE [dbo].[" FALLBACK_LEDGER "] ([" FALLBACK_LEDGER_KEY "] BIGINT NOT NULL"
                   " PRIMARY KEY, [changes] INT NOT NULL, [applied_at] DATETIME2 NOT NULL)", NULL, err) != 0)
            return -1;
        char *e = NULL;
        if (tds(x, "ALTER TABLE [dbo].[" FALLBACK_LEDGER "] ENABLE CHANGE_TRACKING", NULL, &e) != 0)
            free(e);
    }
    free(v);
    v = NULL;
    char *e = NULL;
    if (tds(x, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'dbo." FALLBACK_LEDGER "'))", &v,
            &e) == 0)
        x->ledger_tracked = v != NULL;
    free(v);
    free(e);
    if (!x->ledger_tracked)
        warnx_("fallback: warning: dbo." FALLBACK_LEDGER " is not change-tracked, so a forward sync "
               "cannot tell the fallback's writes from the application's: enable it (ALTER TABLE dbo."
               FALLBACK_LEDGER " ENABLE CHANGE_TRACKING) before running sync again");
    /* A server without NCHAR() is the tds-standin: lone surrogates go to
     * it as its escapes (see add_tsql_text). */
    e = NULL;
    x->ro.no_nchar = tds(x, "SELECT NCHAR(65)", NULL, &e) != 0;
    free(e);
    /* Tag the writes where the server knows how (a real SQL Server). */
    e = NULL;
    x->tag = tds(x, "WITH CHANGE_TRACKING_CONTEXT (" CT_CONTEXT ") UPDATE [dbo].[" FALLBACK_LEDGER "]"
                    " SET [changes] = [changes] WHERE 1 = 0", NULL, &e) == 0;
    free(e);
    return 0;
}

/* One fallback per target. A killed one's backend may hold the lock a
 * little longer (until it notices its client is gone): wait a few seconds
 * before concluding that another is live. */
static bool take_lock(PGconn *conn, char **err)
{
    for (int attempt = 0; attempt < 30; attempt++) {
        PGresult *res = pg_exec(conn, err, "SELECT pg_try_advisory_lock(" LOCK_KEY_FALLBACK ")", 0, NULL);
        if (!res)
            return false;
        bool locked = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (locked)
            return true;
        clock_sleep_s(0.25, NULL);
    }
    *err = xstrdup("another 'pantrycrm fallback' is running against this database");
    return false;
}

static int check_installed(struct fb *x, char **err)
{
    struct fallback_status s;
    if (fallback_status_read(x->conn, &s, err) != 0)
        return -1;
    if (!s.installed) {
        *err = xstrdup("no fallback capture is installed: 'pantrycrm cutover --commit' installs it");
        return -1;
    }
    if (s.removed) {
        *err = xstrdup("the fallback capture was taken off by 'pantrycrm cutover --rollback'");
        return -1;
    }
    return 0;
}


static int connect_all(struct fb *x, char **err)
{
    if (!x->src) {
        x->src = source_open(x->o->source, err);
        if (!x->src)
            return -1;
        if (strcmp(x->src->ops->kind, "mssql") != 0) {
            *err = xasprintf("the fallback writes to SQL Server; %s is not one", x->src->description);
            return -1;
        }
        if (prepare_legacy(x, err) != 0)
            return -1;
    }
    if (!x->conn) {
        x->conn = pg_connect(x->o->conninfo, "carry changes back to the legacy database", err);
        if (!x->conn)
            return -1;
        const char *tzp[1] = {transform_settings_tz(&x->o->transform)};
        PGresult *res = pg_exec(x->conn, err, "SELECT set_config('TimeZone', $1, false)", 1, tzp);
        if (!res)
            return -1;
        PQclear(res);
        if (!take_lock(x->conn, err) || check_installed(x, err) != 0)
            return -1;
    }
    return 0;
}

static void disconnect(struct fb *x)
{
    if (x->conn)
        PQfinish(x->conn);
    x->conn = NULL;
    source_close(x->src);
    x->src = NULL;
}

static void note_error(struct fb *x, const char *msg)
{
    char *e = NULL;
    PGconn *c = pg_connect(x->o->conninfo, "record a fallback error", &e);
    free(e);
    if (!c)
        return;
    const char *p[1] = {msg};
    PQclear(PQexecParams(c, "UPDATE migration.fallback SET errors = errors + 1, last_error = $1 WHERE id = 1",
                         1, NULL, p, NULL, NULL, 0));
    PQfinish(c);
}

int fallback_run(const struct fallback_opts *o, char **err)
{
    struct fb x;
    memset(&x, 0, sizeof x);
    x.o = o;
    x.tables = legacy_tables(&x.ntables);
    sb_init(&x.ids);
    int rc = 1;
    x.syn = convert_load_synonyms(o->transform.synonyms_path, err);
    if (!x.syn)
        return 1;
    /* the reverse transform undoes migrate's: the same settings */
    struct convert_opts copts = convert_opts_of(&o->transform, x.syn);
    x.ro.synonyms = copts.synonyms;
    x.ro.rules = copts.rules;
    x.ro.nrules = copts.nrules;
    x.ro.min_year = copts.min_year;
    x.ro.max_year = copts.max_year;
    x.ro.null_bad_email = copts.null_bad_email;
    if (o->state_path) {
        char *serr = NULL;
        x.state = state_open(o->state_path, &serr);
        free(serr);
    }
    /* without --follow a failure ends the run; with it, the loop retries */
    if (!o->follow && connect_all(&x, err) != 0)
        goto out;
    for (int n = 1;; n++) {
        if (connect_all(&x, err) != 0 || run_round(&x, n, err) != 0) {
            if (!o->follow)
                goto out;
            /* a lost connection on either side: note it, start over */
            warnx_("fallback: %s; retrying", *err ? *err : "round failed");
            note_error(&x, *err ? *err : "round failed");
            free(*err);
            *err = NULL;
            disconnect(&x);
        }
        if (!o->follow || (o->max_rounds > 0 && n >= o->max_rounds) || fallback_stop_requested)
            break;
        clock_sleep_s(o->interval, &fallback_stop_requested);
        if (fallback_stop_requested)
            break;
    }
    rc = fallback_stop_requested ? 130 : 0;
    if (rc == 0 && x.conn) {
        struct fallback_status st;
        char *e = NULL;
        if (fallback_status_read(x.conn, &st, &e) == 0 && st.quarantined > 0)
            rc = FALLBACK_EXIT_QUARANTINE;
        free(e);
    }
out:
    round_reset(&x);
    free(x.units);
    free(x.q);
    sb_free(&x.ids);
    disconnect(&x);
    state_close(x.state);
    synonyms_free(x.syn);
    return rc;
}
