/* engine.c - the migration engine.
 *
 * Shape: a scheduler starts one job per table, parents before children, at
 * most --jobs at once. A job is two threads joined by a bounded queue of
 * batches: the reader streams the source in key order after the table's
 * checkpoint and converts rows; the writer commits each batch to
 * PostgreSQL in ONE transaction together with the checkpoint (the last
 * source key and the running counts). The target is therefore the truth:
 * after a crash the job resumes after the committed key, and no row is lost
 * or written twice.
 *
 * Inside a batch transaction the writer
 *   1. finds rows whose foreign keys point at no parent (parents are
 *      complete before a child starts) and quarantines or nulls them,
 *   2. COPYs the rest; if PostgreSQL rejects the COPY, it bisects under
 *      savepoints until the rejected rows are isolated and quarantined,
 *   3. stores the quarantined rows with their original values,
 *   4. advances the checkpoint.
 * When every target table starts empty, secondary indexes and foreign keys
 * are dropped first (their DDL saved in migration.deferred_ddl) and built
 * after the data, indexes in parallel.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine.h"
#include "batch.h"
#include "fault.h"
#include "keyset.h"
#include "legacy.h"
#include "paths.h"
#include "pg.h"
#include "quarantine.h"
#include "runlock.h"
#include "schema.h"
#include "source.h"
#include "state.h"
#include "transform.h"
#include "sqltext.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

volatile sig_atomic_t engine_stop_requested;
/* Set by the scheduler from the state file's control table; readers wait
 * while it is set, so writers drain their batches and everything idles. */
static _Atomic int engine_paused;

/* Memory is bounded by bytes, not by the table: a job holds QUEUE_DEPTH + 1
 * batches (one filled by the reader while the writer copies the other),
 * each cut at BATCH_MAX_BYTES of values. One batch ahead keeps the writer
 * as busy as three did (S = 100,000: the same 14.3 s), and peak RSS fell
 * from 161 MB to 72 MB. */
#define QUEUE_DEPTH 1
#define BATCH_MAX_BYTES (2u << 20)
#define COPY_CHUNK (1u << 20)
#define MAX_RETRIES 8
#define DEFAULT_KEY_CACHE 2000000   /* ~34 MB at most */

enum job_state { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_STOPPED };

struct engine;

struct job {
    struct engine *e;
    const struct legacy_table *t;
    const struct source_table *src;
    size_t deps[16];
    size_t ndeps;
    pthread_t thread;
    enum job_state state;
    char *error;
    /* progress, guarded by e->mu */
    int64_t rows_total, rows_read, rows_migrated, rows_quarantined, repairs, bytes;
    int64_t rows_seen;      /* read from the source, committed or not: for the bar */
    bool keys_preloaded;    /* rows committed before this process are in the key set */
    double seconds;
    const char *phase;
};

struct engine {
    const struct engine_opts *o;
    struct synonyms *synonyms;
    struct convert_opts copts;
    struct job jobs[16];
    size_t njobs;
    int64_t run_id;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t running;
    struct source_table *src_tables;
    size_t nsrc_tables;
    /* Committed ids of the tables that UUID foreign keys point at. */
    struct keyset keys[16];
    bool is_parent[16];
    size_t key_budget;          /* keys not yet promised to a table */
};

static size_t table_index(const struct legacy_table *t)
{
    size_t nt;
    const struct legacy_table *all = legacy_tables(&nt);
    return (size_t)(t - all);
}

static struct keyset *parent_keys(struct engine *e, const char *table)
{
    const struct legacy_table *t = legacy_table(table);
    if (!t)
        return NULL;
    size_t i = table_index(t);
    return e->is_parent[i] ? &e->keys[i] : NULL;
}


static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !engine_stop_requested) {
    }
}

static PGconn *target_connect(const struct engine *e, const char *purpose, char **err)
{
    PGconn *conn = pg_connect(e->o->conninfo, purpose, err);
    if (!conn)
        return NULL;
    /* COPY reads DATETIME2 text without an offset: the session zone is the
     * source's zone (UTC, as Prisma wrote it, unless configured). */
    const char *params[1] = {e->o->source_tz ? e->o->source_tz : "UTC"};
    PGresult *res = pg_exec(conn, err, "SELECT set_config('TimeZone', $1, false)", 1, params);
    if (!res) {
        char *m = xasprintf("cannot use source time zone \"%s\": %s", params[0], *err);
        free(*err);
        *err = m;
        PQfinish(conn);
        return NULL;
    }
    PQclear(res);
    return conn;
}

static bool conn_lost(PGconn *conn)
{
    return PQstatus(conn) != CONNECTION_OK;
}

/* ---- the writer ----------------------------------------------------- */

struct writer {
    struct job *j;
    PGconn *conn;
    struct convert *cv;
    struct strbuf copy;
    struct strbuf sql;
    char *err;
    double t_fk, t_copy, t_quarantine, t_commit;  /* PANTRYCRM_PROFILE */
    const char *upsert_via;     /* sync: COPY into this temp table, then upsert */
};

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

/* Quarantines (or nulls) rows whose foreign key has no parent row. */
static int check_orphans(struct writer *w, struct batch *b)
{
    size_t nfks;
    const struct convert_fk *fks = convert_fks(w->cv, &nfks);
    for (size_t k = 0; k < nfks; k++) {
        const struct convert_fk *fk = &fks[k];
        struct strbuf arr;
        sb_init(&arr);
        sb_addc(&arr, '{');
        bool first = true;
        /* Each distinct key once: children repeat their parents a lot. */
        struct slice *vals = xcalloc(b->nrows + 1, sizeof *vals);
        size_t nvals = 0;
        for (size_t r = 0; r < b->nrows; r++) {
            if (b->rows[r].quarantined)
                continue;
            struct field f = batch_row_fields(b, r)[fk->field];
            if (!f.is_null)
                vals[nvals++] = (struct slice){batch_ptr(b, f), f.len, NULL};
        }
        qsort(vals, nvals, sizeof *vals, cmp_slice);
        /* Keys the parent's load committed in this process are known to
         * exist; only the others (orphans, or keys past the memory budget
         * or from an earlier process) need a round trip. */
        struct keyset *ks = fk->is_uuid ? parent_keys(w->j->e, fk->parent) : NULL;
        for (size_t i = 0; i < nvals; i++) {
            if (i > 0 && cmp_slice(&vals[i - 1], &vals[i]) == 0)
                continue;
            unsigned char key[16];
            if (ks && keyset_parse_uuid(vals[i].p, vals[i].n, key) && keyset_contains(ks, key))
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
                if (b->rows[r].quarantined)
                    continue;
                struct field f = batch_row_fields(b, r)[fk->field];
                if (f.is_null)
                    continue;
                struct slice key = {batch_ptr(b, f), f.len, NULL};
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
                                             (int)f.len, batch_ptr(b, f));
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
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        free(w->err);
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        w->err = xasprintf("%s%s%s", primary ? primary : PQresultErrorMessage(res),
                           detail ? ": " : "", detail ? detail : "");
        rc = conn_lost(w->conn) ? -1 : 1;
    }
    PQclear(res);
    return rc;
}

/* One COPY of the given rows. 0 ok, 1 rejected by PostgreSQL (message in
 * w->err), -1 connection trouble. */
static int copy_rows(struct writer *w, struct batch *b, const size_t *rows, size_t n)
{
    size_t ncols;
    const char *const *cols = convert_target_columns(w->cv, &ncols);
    sb_reset(&w->sql);
    sb_adds(&w->sql, "COPY ");
    sql_add_ident(&w->sql, w->upsert_via ? w->upsert_via : w->j->t->name);
    sb_adds(&w->sql, " (");
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            sb_adds(&w->sql, ", ");
        sql_add_ident(&w->sql, cols[i]);
    }
    sb_adds(&w->sql, ") FROM STDIN");
    PGresult *res = PQexec(w->conn, w->sql.buf);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        free(w->err);
        w->err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        return conn_lost(w->conn) ? -1 : 1;
    }
    PQclear(res);
    sb_reset(&w->copy);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        append_copy_row(&w->copy, b, rows[i], ncols);
        if (w->copy.len >= COPY_CHUNK || i + 1 == n) {
            ok = PQputCopyData(w->conn, w->copy.buf, (int)w->copy.len) == 1;
            sb_reset(&w->copy);
        }
    }
    if (PQputCopyEnd(w->conn, ok ? NULL : "client could not send data") != 1)
        return -1;
    res = PQgetResult(w->conn);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        free(w->err);
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        w->err = xasprintf("%s%s%s", primary ? primary : PQresultErrorMessage(res),
                           detail ? ": " : "", detail ? detail : "");
        rc = conn_lost(w->conn) ? -1 : 1;
    }
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
static long copy_isolating(struct writer *w, struct batch *b, const size_t *rows, size_t n)
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
    if (n == 1) {
        batch_quarantine(b, rows[0], NULL, "target_rejected", w->err);
        return 0;
    }
    long left = copy_isolating(w, b, rows, n / 2);
    if (left < 0)
        return -1;
    long right = copy_isolating(w, b, rows + n / 2, n - n / 2);
    return right < 0 ? -1 : left + right;
}

static int store_quarantine(struct writer *w, struct batch *b, size_t r)
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
 * transaction. 0 ok, -1 failed (w->err; conn_lost() tells retryable). */
static int write_batch(struct writer *w, struct batch *b, double seconds)
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
    long copied = copy_isolating(w, b, rows, n);
    free(rows);
    if (copied < 0)
        goto fail;
    double t2 = clock_mono_s();
    w->t_copy += t2 - t1;
    int64_t quarantined = 0;
    for (size_t r = 0; r < b->nrows; r++)
        if (b->rows[r].quarantined) {
            if (store_quarantine(w, b, r) != 0)
                goto fail;
            quarantined++;
        }
    double t3 = clock_mono_s();
    w->t_quarantine += t3 - t2;
    int64_t nrepairs;
    char *rep = repairs_json(b, &nrepairs);
    char nread[24], nmig[24], nq[24], nbytes[24], secs[32];
    snprintf(nread, sizeof nread, "%zu", b->nrows);
    snprintf(nmig, sizeof nmig, "%ld", copied);
    snprintf(nq, sizeof nq, "%lld", (long long)quarantined);
    snprintf(nbytes, sizeof nbytes, "%lld", (long long)b->source_bytes);
    snprintf(secs, sizeof secs, "%.6f", seconds);
    const char *params[8] = {j->t->name, NULL, nread, nmig, nq, nbytes, rep, secs};
    int lengths[8] = {0};
    int formats[8] = {0};
    if (b->nrows > 0) {
        const struct batch_row *last = &b->rows[b->nrows - 1];
        params[1] = b->arena.buf + last->key_off;
        lengths[1] = (int)last->key_len;
        formats[1] = 1; /* the key is raw source bytes: bytea, sent binary */
    }
    PGresult *res = PQexecParams(w->conn,
        "UPDATE migration.checkpoint SET"
        " last_key = CASE WHEN $2::bytea IS NULL THEN last_key ELSE $2::bytea END,"
        " rows_read = rows_read + $3::bigint, rows_migrated = rows_migrated + $4::bigint,"
        " rows_quarantined = rows_quarantined + $5::bigint, bytes = bytes + $6::bigint,"
        " repairs = repairs || coalesce((SELECT jsonb_object_agg(k, coalesce((repairs->>k)::bigint, 0)"
        "   + v::bigint) FROM jsonb_each_text($7::jsonb) AS e(k, v)), '{}'),"
        " seconds = seconds + $8::float8, updated_at = now()"
        " WHERE table_name = $1",
        8, NULL, params, lengths, formats, 0);
    free(rep);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        free(w->err);
        w->err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        goto fail;
    }
    PQclear(res);
    if (b->last) {
        const char *p1[1] = {j->t->name};
        res = pg_exec(w->conn, &w->err,
                      "UPDATE migration.checkpoint SET done = true WHERE table_name = $1", 1, p1);
        if (!res)
            goto fail;
        PQclear(res);
    }
    if (!pg_command(w->conn, &w->err, "COMMIT"))
        return -1;
    fault_point("batch");
    if (b->last)
        fault_point("table-done");
    w->t_commit += clock_mono_s() - t3;
    size_t ti = table_index(j->t);
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
    if (!conn_lost(w->conn))
        PQclear(PQexec(w->conn, "ROLLBACK"));
    return -1;
}

/* ---- the reader ----------------------------------------------------- */

struct reader {
    struct job *j;
    struct source *src;
    struct convert *cv;
    struct batch_queue *full, *free_q;
    struct batch *cur;
    const struct cell *after;
    size_t batch_rows;
    struct writer *probe;   /* its own connection for the orphan checks */
    int64_t base, seen;     /* rows committed before this attempt, rows read in it */
    char *err;
    bool failed;
};

/* Checks the batch's foreign keys against the (complete) parent tables on
 * the reader's own connection, so that this overlaps with the COPY of the
 * previous batch instead of delaying it; then hands the batch over. */
static int reader_hand_over(struct reader *r, struct batch *b)
{
    double t0 = clock_mono_s();
    if (check_orphans(r->probe, b) != 0) {
        r->failed = true;
        if (!r->err)
            r->err = xstrdup(r->probe->err ? r->probe->err : "orphan check failed");
        return 2;
    }
    r->probe->t_fk += clock_mono_s() - t0;
    return bq_push(r->full, b) ? 0 : 2;
}

static int reader_row(void *ctx, const struct cell *cells, size_t ncells)
{
    (void)ncells;
    struct reader *r = ctx;
    while (engine_paused && !engine_stop_requested)
        sleep_s(0.1);
    if (engine_stop_requested)
        return 1;
    if (!r->cur) {
        r->cur = bq_pop(r->free_q);
        if (!r->cur)
            return 2; /* the writer gave up */
        batch_reset(r->cur);
    }
    convert_row(r->cv, r->cur, cells);
    if (++r->seen % 1024 == 0) {
        pthread_mutex_lock(&r->j->e->mu);
        r->j->rows_seen = r->base + r->seen;
        pthread_mutex_unlock(&r->j->e->mu);
    }
    if (r->cur->nrows >= r->batch_rows || r->cur->arena.len >= BATCH_MAX_BYTES) {
        struct batch *b = r->cur;
        r->cur = NULL;
        return reader_hand_over(r, b);
    }
    return 0;
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    size_t ncols;
    const char *const *cols = convert_source_columns(r->cv, &ncols);
    int rc = r->src->ops->stream(r->src, r->j->t->name, r->j->t->key, cols, ncols, r->after, 0,
                                 reader_row, r, &r->err);
    if (rc < 0)
        r->failed = true;
    if (rc == 0 || rc == 1) {
        /* Hand over what is left; at the true end, a batch marked last
         * (possibly empty) tells the writer to mark the table done. */
        if (!r->cur) {
            r->cur = bq_pop(r->free_q);
            if (r->cur)
                batch_reset(r->cur);
        }
        if (r->cur) {
            r->cur->last = rc == 0;
            if (reader_hand_over(r, r->cur) != 0)
                r->failed = r->failed || rc == 0;
            r->cur = NULL;
        }
    }
    bq_close(r->full);
    return NULL;
}

/* ---- a job: one table ----------------------------------------------- */

static void job_set_phase(struct job *j, const char *phase)
{
    pthread_mutex_lock(&j->e->mu);
    j->phase = phase;
    pthread_mutex_unlock(&j->e->mu);
}

/* Reads (creating) the table's checkpoint. 1 when the table is done. */
static int load_checkpoint(struct job *j, PGconn *conn, struct strbuf *last_key, bool *have_key,
                           char **err)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)j->e->run_id);
    const char *params[2] = {j->t->name, run};
    PGresult *res = PQexecParams(conn,
        "INSERT INTO migration.checkpoint (table_name, run_id) VALUES ($1, $2::bigint)"
        " ON CONFLICT (table_name) DO UPDATE SET run_id = EXCLUDED.run_id"
        " RETURNING last_key, done, rows_read, rows_migrated, rows_quarantined, bytes, seconds",
        2, NULL, params, NULL, NULL, 1 /* binary results: last_key as raw bytes */);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        return -1;
    }
    sb_reset(last_key);
    *have_key = !PQgetisnull(res, 0, 0);
    if (*have_key)
        sb_addn(last_key, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    bool done = PQgetvalue(res, 0, 1)[0] != 0;
    /* Binary int8 and float8 are big-endian. */
    int64_t v[5];
    for (int c = 0; c < 4; c++) {
        const unsigned char *p = (const unsigned char *)PQgetvalue(res, 0, 2 + c);
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x = (x << 8) | p[k];
        v[c] = (int64_t)x;
    }
    const unsigned char *p = (const unsigned char *)PQgetvalue(res, 0, 6);
    uint64_t bits = 0;
    for (int k = 0; k < 8; k++)
        bits = (bits << 8) | p[k];
    double secs;
    memcpy(&secs, &bits, sizeof secs);
    PQclear(res);
    res = pg_exec(conn, err,
                  "SELECT coalesce(sum(v::bigint), 0) FROM migration.checkpoint,"
                  " jsonb_each_text(repairs) AS e(k, v) WHERE table_name = $1", 1, params);
    if (!res)
        return -1;
    v[4] = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    pthread_mutex_lock(&j->e->mu);
    j->rows_read = v[0];
    j->rows_migrated = v[1];
    j->rows_quarantined = v[2];
    j->bytes = v[3];
    j->repairs = v[4];
    j->seconds = secs;
    pthread_mutex_unlock(&j->e->mu);
    return done ? 1 : 0;
}

/* A parent table that an earlier process (or attempt) committed rows of:
 * its committed keys go into the key set, streamed by COPY, so that the
 * children's orphan checks stay in memory after a resume instead of
 * sending every key to the server. Past the budget the set drops keys and
 * those few take the round trip, as in an uninterrupted run. */
static int preload_parent_keys(struct job *j, PGconn *conn, char **err)
{
    struct keyset *ks = &j->e->keys[table_index(j->t)];
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "COPY (SELECT ");
    sql_add_ident(&sql, j->t->key);
    sb_adds(&sql, " FROM ");
    sql_add_ident(&sql, j->t->name);
    sb_adds(&sql, ") TO STDOUT");
    PGresult *res = PQexec(conn, sql.buf);
    sb_free(&sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        *err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        return -1;
    }
    PQclear(res);
    char *line;
    int n;
    while ((n = PQgetCopyData(conn, &line, 0)) > 0) {
        unsigned char key[16];
        if (n > 0 && line[n - 1] == '\n')
            n--;
        if (keyset_parse_uuid(line, (size_t)n, key))
            keyset_add(ks, key);
        PQfreemem(line);
    }
    res = PQgetResult(conn);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0)
        *err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
    PQclear(res);
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
    return rc;
}

/* One attempt at loading the table from its checkpoint to the end.
 * 0 done, 1 stopped, -1 failed (*retry says whether trying again helps). */
static int job_attempt(struct job *j, bool *retry, char **err)
{
    struct engine *e = j->e;
    *retry = false;
    PGconn *conn = target_connect(e, "load the target", err);
    if (!conn) {
        *retry = true;
        return -1;
    }
    struct strbuf key;
    sb_init(&key);
    bool have_key = false;
    int done = load_checkpoint(j, conn, &key, &have_key, err);
    if (done >= 0 && e->is_parent[table_index(j->t)] && j->rows_migrated > 0 && !j->keys_preloaded) {
        if (preload_parent_keys(j, conn, err) != 0)
            done = -1;
        else
            j->keys_preloaded = true;
    }
    if (done != 0) {
        *retry = done < 0 && conn_lost(conn);
        PQfinish(conn);
        sb_free(&key);
        return done < 0 ? -1 : 0;
    }
    struct source *src = source_open(e->o->source, err);
    if (!src) {
        *retry = true;
        PQfinish(conn);
        sb_free(&key);
        return -1;
    }
    struct convert *cv = convert_new(j->t, j->src, &e->copts, err);
    if (!cv) {
        source_close(src);
        PQfinish(conn);
        sb_free(&key);
        return -1;
    }
    size_t nsrc, ndst;
    convert_source_columns(cv, &nsrc);
    convert_target_columns(cv, &ndst);
    struct batch batches[QUEUE_DEPTH + 1];
    struct batch_queue full, free_q;
    bq_init(&full, QUEUE_DEPTH + 1);
    bq_init(&free_q, QUEUE_DEPTH + 1);
    for (size_t i = 0; i < QUEUE_DEPTH + 1; i++) {
        batch_init(&batches[i], ndst, nsrc);
        bq_push(&free_q, &batches[i]);
    }
    struct cell after = {key.buf, key.len, false};
    struct reader rd = {.j = j, .src = src, .cv = cv, .full = &full, .free_q = &free_q,
                        .after = have_key ? &after : NULL,
                        .batch_rows = e->o->batch_rows ? e->o->batch_rows : 10000,
                        .base = j->rows_read};
    /* The reader has its own converter (convert objects are per thread)
     * and its own connection for the orphan checks. */
    char *cerr = NULL;
    rd.cv = convert_new(j->t, j->src, &e->copts, &cerr);
    free(cerr);
    struct writer probe = {.j = j, .cv = rd.cv};
    sb_init(&probe.copy);
    sb_init(&probe.sql);
    struct writer w = {.j = j, .conn = conn, .cv = cv};
    sb_init(&w.copy);
    sb_init(&w.sql);
    int rc = 0;
    probe.conn = target_connect(e, "check foreign keys", err);
    if (!probe.conn) {
        *retry = true;
        rc = -1;
        goto done;
    }
    rd.probe = &probe;
    pthread_t th;
    /* a job that starts while the run is paused waits in its reader */
    job_set_phase(j, engine_paused ? "paused" : "copying");
    pthread_create(&th, NULL, reader_main, &rd);

    double t_start = clock_mono_s();
    bool finished = false;
    double t0 = clock_mono_s();
    struct batch *b;
    while ((b = bq_pop(&full)) != NULL) {
        /* A pause holds the writer too: at most the batch in flight ends. */
        while (engine_paused && !engine_stop_requested)
            sleep_s(0.1);
        double t1 = clock_mono_s();
        if (write_batch(&w, b, t1 - t0) != 0) {
            rc = -1;
            *retry = conn_lost(conn);
            *err = xasprintf("%s: %s", j->t->name, w.err ? w.err : "write failed");
            bq_close(&free_q);
            bq_close(&full);
            break;
        }
        t0 = t1;
        finished = finished || b->last;
        batch_reset(b);
        bq_push(&free_q, b);
    }
    bq_close(&free_q);
    pthread_join(th, NULL);
    if (rc == 0 && finished) {
        /* Children of this table probe it next: give the planner facts. */
        struct strbuf an;
        sb_init(&an);
        sb_adds(&an, "ANALYZE ");
        sql_add_ident(&an, j->t->name);
        char *aerr = NULL;
        pg_command(conn, &aerr, an.buf);
        free(aerr);
        sb_free(&an);
    }
    if (getenv("PANTRYCRM_PROFILE"))
        fprintf(stderr, "profile %s: %.2f s in all; writer: COPY %.2f s, quarantine %.2f s, "
                        "checkpoint+commit %.2f s; reader: orphan checks %.2f s\n",
                j->t->name, clock_mono_s() - t_start, w.t_copy, w.t_quarantine, w.t_commit, probe.t_fk);
    if (rc == 0 && rd.failed) {
        rc = -1;
        *retry = true; /* a source hiccup: resume from the committed checkpoint */
        *err = xasprintf("%s: reading the source failed: %s", j->t->name, rd.err ? rd.err : "?");
    } else if (rc == 0 && !finished) {
        rc = 1; /* stopped at a batch boundary */
    }
done:
    PQfinish(probe.conn);
    free(probe.err);
    sb_free(&probe.copy);
    sb_free(&probe.sql);
    free(rd.err);
    free(w.err);
    sb_free(&w.copy);
    sb_free(&w.sql);
    for (size_t i = 0; i < QUEUE_DEPTH + 1; i++)
        batch_free(&batches[i]);
    bq_destroy(&full);
    bq_destroy(&free_q);
    convert_free(rd.cv);
    convert_free(cv);
    source_close(src);
    PQfinish(conn);
    sb_free(&key);
    return rc;
}

static void *job_main(void *arg)
{
    struct job *j = arg;
    enum job_state final = JOB_FAILED;
    double backoff = 0.5;
    for (int attempt = 0; ; attempt++) {
        bool retry = false;
        char *err = NULL;
        int rc = job_attempt(j, &retry, &err);
        if (rc == 0) {
            final = JOB_DONE;
            free(err);
            break;
        }
        if (rc == 1 || engine_stop_requested) {
            final = JOB_STOPPED;
            free(err);
            break;
        }
        if (!retry || attempt + 1 >= MAX_RETRIES) {
            pthread_mutex_lock(&j->e->mu);
            j->error = err;
            pthread_mutex_unlock(&j->e->mu);
            break;
        }
        /* A lost connection: the committed checkpoint is the truth, so
         * waiting and starting over from it loses and repeats nothing. */
        pthread_mutex_lock(&j->e->mu);
        free(j->error);
        j->error = err;
        j->phase = "retrying";
        pthread_mutex_unlock(&j->e->mu);
        sleep_s(backoff);
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
    }
    pthread_mutex_lock(&j->e->mu);
    j->state = final;
    if (final == JOB_DONE) {
        free(j->error);
        j->error = NULL;
    }
    j->phase = final == JOB_DONE ? "done" : final == JOB_STOPPED ? "stopped" : "failed";
    j->e->running--;
    pthread_cond_broadcast(&j->e->cv);
    pthread_mutex_unlock(&j->e->mu);
    return NULL;
}

/* ---- schema check ---------------------------------------------------- */

static const struct source_table *find_source_table(const struct engine *e, const char *name)
{
    for (size_t i = 0; i < e->nsrc_tables; i++)
        if (strcmp(e->src_tables[i].name, name) == 0)
            return &e->src_tables[i];
    return NULL;
}

/* Compares the source with the legacy contract: a missing table or column
 * stops the run; extra columns and type differences are reported. */
static int check_source(struct engine *e, FILE *out, char **err)
{
    struct strbuf missing;
    sb_init(&missing);
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        const struct legacy_table *t = &tables[i];
        const struct source_table *s = find_source_table(e, t->name);
        if (!s) {
            sb_addf(&missing, "\n  table \"%s\" is missing", t->name);
            continue;
        }
        for (size_t c = 0; c < t->ncols; c++) {
            const struct source_column *sc = NULL;
            for (size_t k = 0; k < s->ncols && !sc; k++)
                if (strcmp(s->cols[k].name, t->cols[c].name) == 0)
                    sc = &s->cols[k];
            if (!sc) {
                sb_addf(&missing, "\n  column \"%s\".\"%s\" is missing (%s)", t->name,
                        t->cols[c].name, legacy_mssql_type(&t->cols[c]));
                continue;
            }
            const char *want = legacy_mssql_type(&t->cols[c]);
            if (out && strcmp(sc->type, want) != 0)
                fprintf(out, "note: \"%s\".\"%s\" is %s in the source, the contract says %s\n",
                        t->name, t->cols[c].name, *sc->type ? sc->type : "untyped", want);
        }
        for (size_t k = 0; k < s->ncols; k++)
            if (!legacy_column(t, s->cols[k].name) && out)
                fprintf(out, "note: \"%s\".\"%s\" is not in the contract: its values are kept in "
                             "metadata.extra\n", t->name, s->cols[k].name);
    }
    for (size_t i = 0; i < e->nsrc_tables; i++) {
        const char *n = e->src_tables[i].name;
        if (!legacy_table(n) && strcmp(n, "_prisma_migrations") != 0 && out)
            fprintf(out, "note: source table \"%s\" is not part of the CRM contract and is not "
                         "migrated\n", n);
    }
    if (missing.len) {
        *err = xasprintf("the source does not match the legacy contract:%s", missing.buf);
        sb_free(&missing);
        return -1;
    }
    sb_free(&missing);
    return 0;
}

/* ---- deferred indexes and foreign keys ------------------------------- */

static const char *table_array_literal(void)
{
    return "{User,Account,Session,VerificationToken,Organization,Contact,Interaction,"
           "Opportunity,Lead,Contract}";
}

/* When nothing was loaded yet and every target table is empty, drop the
 * non-unique secondary indexes and the foreign keys, saving their DDL. */
static int defer_ddl(PGconn *conn, FILE *out, char **err)
{
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT (SELECT count(*) FROM migration.checkpoint) = 0 AND"
        " NOT EXISTS (SELECT 1 FROM \"User\") AND NOT EXISTS (SELECT 1 FROM \"Account\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Session\") AND NOT EXISTS (SELECT 1 FROM \"VerificationToken\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Organization\") AND NOT EXISTS (SELECT 1 FROM \"Contact\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Interaction\") AND NOT EXISTS (SELECT 1 FROM \"Opportunity\") AND"
        " NOT EXISTS (SELECT 1 FROM \"Lead\") AND NOT EXISTS (SELECT 1 FROM \"Contract\")", 0, NULL);
    if (!res)
        goto fail;
    bool empty = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!empty)
        return pg_command(conn, err, "COMMIT") ? 0 : -1;
    const char *params[1] = {table_array_literal()};
    res = pg_exec(conn, err,
        "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl)"
        " SELECT c.conname, t.relname, 'fk', format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s',"
        "   n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid))"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE c.contype = 'f' AND n.nspname = 'public' AND t.relname = ANY($1::text[])"
        " UNION ALL"
        " SELECT i.relname, t.relname, 'index', pg_get_indexdef(i.oid)"
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = 'public' AND t.relname = ANY($1::text[])"
        "   AND NOT x.indisunique AND NOT x.indisprimary"
        " ON CONFLICT (name) DO NOTHING"
        " RETURNING kind, format(CASE kind WHEN 'fk' THEN 'ALTER TABLE public.%I DROP CONSTRAINT %I'"
        "   ELSE 'DROP INDEX public.%2$I' END, table_name, name)", 1, params);
    if (!res)
        goto fail;
    int n = PQntuples(res);
    /* Foreign keys first: nothing else depends on the indexes. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            bool fk = strcmp(PQgetvalue(res, i, 0), "fk") == 0;
            if (fk != (pass == 0))
                continue;
            if (!pg_command(conn, err, PQgetvalue(res, i, 1))) {
                PQclear(res);
                goto fail;
            }
        }
    PQclear(res);
    /* The search word tables (0008) are kept by row triggers: millions of
     * trigger calls during COPY would cost more than one set-based rebuild
     * after the data, which runs with the deferred indexes. */
    res = pg_exec(conn, err,
        "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES"
        " ('search_words_organization', 'Organization', 'index',"
        "  'SELECT search.rebuild_organization_words()'),"
        " ('search_words_contact', 'Contact', 'index', 'SELECT search.rebuild_contact_words()')"
        " ON CONFLICT (name) DO NOTHING",
        0, NULL);
    if (!res)
        goto fail;
    PQclear(res);
    if (!pg_command(conn, err, "ALTER TABLE \"Organization\" DISABLE TRIGGER organization_search_words")
        || !pg_command(conn, err, "ALTER TABLE \"Contact\" DISABLE TRIGGER contact_search_words"))
        goto fail;
    /* Count what is recorded, not what this call dropped: a run interrupted
     * before its first checkpoint comes back here with everything already
     * dropped, and the word-index rebuilds are deferred steps too. */
    res = pg_exec(conn, err, "SELECT count(*) FROM migration.deferred_ddl", 0, NULL);
    if (!res)
        goto fail;
    long deferred = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!pg_command(conn, err, "COMMIT"))
        return -1;
    fault_point("deferred");
    if (out && deferred > 0)
        fprintf(out, "the target is empty: %ld indexes, foreign keys and search-word tables will be "
                     "built after the data\n", deferred);
    return 0;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

struct ddl_task {
    struct engine *e;
    char **names;
    char **ddls;
    size_t n, next;
    pthread_mutex_t mu;
    char *err;
};

/* Runs one deferred statement and forgets it in the same transaction. */
static int run_deferred(PGconn *conn, const char *name, const char *ddl, char **err)
{
    const char *params[1] = {name};
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    PGresult *res = NULL;
    if (!pg_command(conn, err, ddl)
        || !(res = pg_exec(conn, err, "DELETE FROM migration.deferred_ddl WHERE name = $1", 1, params))) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    PQclear(res);
    if (!pg_command(conn, err, "COMMIT"))
        return -1;
    fault_point("built");
    return 0;
}

static int reconnect_target(const struct engine *e, PGconn **connp, const char *purpose, char **err);

/* run_deferred, surviving a lost connection like the copy phase does: on a
 * fresh connection, a statement whose row is gone was committed before the
 * connection dropped (run_deferred deletes the row in the same
 * transaction), anything else runs again. */
static int run_deferred_retrying(const struct engine *e, PGconn **connp, const char *name,
                                 const char *ddl, char **err)
{
    for (int attempt = 0;; attempt++) {
        if (run_deferred(*connp, name, ddl, err) == 0)
            return 0;
        if (!conn_lost(*connp) || attempt + 1 >= MAX_RETRIES || engine_stop_requested)
            return -1;
        if (reconnect_target(e, connp, "build indexes and foreign keys", err) != 0)
            return -1;
        const char *params[1] = {name};
        PGresult *res = pg_exec(*connp, err, "SELECT 1 FROM migration.deferred_ddl WHERE name = $1",
                                1, params);
        if (!res)
            return -1;
        bool pending = PQntuples(res) > 0;
        PQclear(res);
        if (!pending)
            return 0;
        free(*err);
        *err = NULL;
    }
}

static void *index_worker(void *arg)
{
    struct ddl_task *t = arg;
    char *err = NULL;
    PGconn *conn = target_connect(t->e, "build indexes", &err);
    for (double backoff = 0.5; !conn && backoff < 60 && !engine_stop_requested; backoff *= 2) {
        sleep_s(backoff);   /* the server or pooler may be restarting */
        free(err);
        err = NULL;
        conn = target_connect(t->e, "build indexes", &err);
    }
    /* Session-level: harmless on our own connection, but behind a pooler
     * it would stay with the server connection for its next client. */
    if (conn && !pg_pooled(conn))
        pg_command(conn, &err, "SET maintenance_work_mem = '256MB'");
    for (;;) {
        pthread_mutex_lock(&t->mu);
        size_t i = t->next++;
        /* Ctrl-C lets the statements under way finish (each commits with
         * its bookkeeping) and starts no new one: a resume builds the rest. */
        bool stop = i >= t->n || t->err || !conn || engine_stop_requested;
        if (!conn && !t->err)
            t->err = err, err = NULL;
        pthread_mutex_unlock(&t->mu);
        if (stop)
            break;
        if (run_deferred_retrying(t->e, &conn, t->names[i], t->ddls[i], &err) != 0) {
            pthread_mutex_lock(&t->mu);
            if (!t->err)
                t->err = xasprintf("building %s: %s", t->names[i], err);
            pthread_mutex_unlock(&t->mu);
            free(err);
            err = NULL;
        }
    }
    free(err);
    PQfinish(conn);
    return NULL;
}

/* Builds what defer_ddl dropped (0 done, 1 stopped by a signal between
 * statements, -1 failed): indexes in parallel, then foreign keys one
 * by one (adding two keys to the same parent at once would deadlock on its
 * lock), then refreshes statistics so the planner uses the new indexes. */
static int rebuild_deferred(struct engine *e, PGconn **connp, FILE *out, char **err)
{
    PGconn *conn = *connp;
    PGresult *res = pg_exec(conn, err,
        "SELECT name, kind, ddl FROM migration.deferred_ddl ORDER BY kind DESC, name", 0, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    if (n > 0 && out)
        fprintf(out, "building %d deferred indexes, foreign keys and search-word tables\n", n);
    struct ddl_task t = {.e = e};
    pthread_mutex_init(&t.mu, NULL);
    t.names = xcalloc((size_t)n + 1, sizeof *t.names);
    t.ddls = xcalloc((size_t)n + 1, sizeof *t.ddls);
    for (int i = 0; i < n; i++)
        if (strcmp(PQgetvalue(res, i, 1), "index") == 0) {
            t.names[t.n] = PQgetvalue(res, i, 0);
            t.ddls[t.n++] = PQgetvalue(res, i, 2);
        }
    int workers = e->o->jobs > 0 ? e->o->jobs : 1;
    pthread_t th[16];
    if (workers > 16)
        workers = 16;
    for (int i = 0; i < workers; i++)
        pthread_create(&th[i], NULL, index_worker, &t);
    for (int i = 0; i < workers; i++)
        pthread_join(th[i], NULL);
    int rc = 0;
    if (t.err) {
        *err = t.err;
        rc = -1;
    }
    for (int i = 0; i < n && rc == 0 && !engine_stop_requested; i++)
        if (strcmp(PQgetvalue(res, i, 1), "fk") == 0
            && run_deferred_retrying(e, &conn, PQgetvalue(res, i, 0), PQgetvalue(res, i, 2), err) != 0) {
            char *m = xasprintf("adding foreign key %s: %s", PQgetvalue(res, i, 0), *err);
            free(*err);
            *err = m;
            rc = -1;
        }
    free(t.names);
    free(t.ddls);
    pthread_mutex_destroy(&t.mu);
    PQclear(res);
    if (rc == 0 && engine_stop_requested) {
        rc = 1;
    } else if (rc == 0) {
        /* VACUUM also empties the GIN pending lists of the search indexes. */
        size_t nt;
        const struct legacy_table *tables = legacy_tables(&nt);
        for (size_t i = 0; i < nt && rc == 0; i++) {
            struct strbuf sql;
            sb_init(&sql);
            sb_adds(&sql, "VACUUM (ANALYZE) ");
            sql_add_ident(&sql, tables[i].name);
            /* idempotent: after a lost connection, run it again */
            bool done = pg_command(conn, err, sql.buf);
            for (int a = 0; !done && conn_lost(conn) && a < MAX_RETRIES; a++)
                done = reconnect_target(e, &conn, "vacuum the target", err) == 0
                       && pg_command(conn, err, sql.buf);
            if (!done)
                rc = -1;
            sb_free(&sql);
        }
    }
    *connp = conn;
    return rc;
}

/* ---- progress --------------------------------------------------------- */

static void format_count(char *buf, size_t n, double v)
{
    if (v >= 1e6)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, n, "%.0fk", v / 1e3);
    else
        snprintf(buf, n, "%.0f", v);
}

static void draw_bars(struct engine *e, FILE *out, bool first, double elapsed)
{
    /* A line wider than the terminal wraps onto two rows, and moving up
     * one row per table would then redraw below the first lines (the
     * first table showed twice): every line is cut to the width. */
    struct winsize ws;
    int cols = ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 200;
    if (!first)
        fprintf(out, "\033[%zuA", e->njobs);
    for (size_t i = 0; i < e->njobs; i++) {
        struct job *j = &e->jobs[i];
        int64_t read = j->rows_seen > j->rows_read ? j->rows_seen : j->rows_read;
        double frac = j->rows_total > 0 ? (double)read / (double)j->rows_total : 0;
        if (j->state == JOB_DONE)
            frac = 1;
        if (frac > 1)
            frac = 1;
        char bar[25];
        int fill = (int)(frac * 24);
        for (int k = 0; k < 24; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[24] = '\0';
        double rate = j->seconds > 0 ? (double)j->rows_read / j->seconds : 0;
        char r[16], eta[24] = "";
        format_count(r, sizeof r, rate);
        if (j->state == JOB_RUNNING && rate > 0 && j->rows_total > read)
            snprintf(eta, sizeof eta, "ETA %.0fs", (double)(j->rows_total - read) / rate);
        char line[256];
        snprintf(line, sizeof line, "%-18s [%s] %3.0f%% %9lld rows %7s/s  Q %-6lld %-9s %s",
                 j->t->name, bar, frac * 100, (long long)read, r,
                 (long long)j->rows_quarantined, j->phase ? j->phase : "", eta);
        fprintf(out, "\r\033[K%.*s\n", cols, line);
    }
    (void)elapsed;
    fflush(out);
}

static void emit_jsonl(struct engine *e, FILE *out, double elapsed)
{
    for (size_t i = 0; i < e->njobs; i++) {
        struct job *j = &e->jobs[i];
        if (j->state == JOB_WAITING)
            continue;
        fprintf(out, "{\"event\":\"progress\",\"elapsed\":%.1f,\"table\":\"%s\",\"phase\":\"%s\","
                     "\"rows_total\":%lld,\"rows_read\":%lld,\"rows_migrated\":%lld,"
                     "\"rows_quarantined\":%lld,\"repairs\":%lld}\n",
                elapsed, j->t->name, j->phase ? j->phase : "", (long long)j->rows_total,
                (long long)j->rows_read, (long long)j->rows_migrated,
                (long long)j->rows_quarantined, (long long)j->repairs);
    }
    fflush(out);
}

static void sample_state(struct engine *e, struct state *st, int64_t local_run)
{
    if (!st)
        return;
    for (size_t i = 0; i < e->njobs; i++) {
        struct job *j = &e->jobs[i];
        struct progress_sample s = {j->t->name, j->rows_total, j->rows_read, j->rows_migrated,
                                    j->rows_quarantined, j->repairs, j->bytes, j->seconds,
                                    j->phase ? j->phase : "waiting"};
        char *err = NULL;
        if (state_progress(st, local_run, &s, &err) != 0)
            free(err); /* the cache is best effort; the target holds the truth */
    }
}

/* ---- the run ---------------------------------------------------------- */

static bool deps_done(struct engine *e, struct job *j, bool *blocked)
{
    *blocked = false;
    for (size_t k = 0; k < j->ndeps; k++) {
        enum job_state s = e->jobs[j->deps[k]].state;
        if (s == JOB_FAILED || s == JOB_STOPPED)
            *blocked = true;
        if (s != JOB_DONE)
            return false;
    }
    return true;
}

static int start_run(struct engine *e, PGconn *conn, char **err)
{
    const char *params[2] = {e->o->source, e->o->options_json ? e->o->options_json : "{}"};
    PGresult *res = pg_exec(conn, err,
        "INSERT INTO migration.run (source, options) VALUES ($1, $2::jsonb) RETURNING id", 2, params);
    if (!res)
        return -1;
    e->run_id = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static void finish_run(PGconn *conn, int64_t run_id, const char *status)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    const char *params[2] = {status, run};
    char *err = NULL;
    PQclear(pg_exec(conn, &err,
        "UPDATE migration.run SET status = $1, finished_at = now() WHERE id = $2::bigint", 2, params));
    free(err);
}

static int check_target_schema(PGconn *conn, char **err)
{
    char *data = paths_pkgdata();
    char *dir = xasprintf("%s/sql", data);
    free(data);
    struct schema_set set;
    int rc = schema_load(dir, &set, err);
    free(dir);
    if (rc != 0)
        return -1;
    struct schema_report rep;
    rc = schema_status(conn, &set, &rep, err);
    if (rc == 0) {
        for (size_t i = 0; i < rep.n && rc == 0; i++)
            if (rep.entries[i].state != SCHEMA_APPLIED) {
                *err = xasprintf("the target schema is not up to date (%s is %s): run "
                                 "'pantrycrm db migrate' first", rep.entries[i].name,
                                 schema_state_name(rep.entries[i].state));
                rc = -1;
            }
        schema_report_free(&rep);
    }
    schema_set_free(&set);
    return rc;
}

/* After a cutover the target is the system of record: neither a full load
 * nor a rollback may touch it any more. */
static int cutover_recorded(PGconn *conn, bool *cut, char **err)
{
    PGresult *res = pg_exec(conn, err, "SELECT count(*) FROM migration.cutover", 0, NULL);
    if (!res)
        return -1;
    *cut = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    PQclear(res);
    return 0;
}

/* One migrate per target at a time: a leased lock row (runlock.h), which a
 * pooler cannot strand. A holder that died on this host is taken over at
 * once; one elsewhere when its lease lapses. */
static struct runlock *take_migrate_lock(PGconn *conn, const char *purpose, char **err)
{
    return runlock_take(conn, purpose, 5, err);
}

/* Replaces *connp by a fresh connection when it was lost, retrying with
 * backoff (a restart or failover of the server or pooler takes seconds).
 * 0 when *connp is usable. A fresh connection, not PQreset: a password
 * command's token may have expired. */
static int reconnect_target(const struct engine *e, PGconn **connp, const char *purpose, char **err)
{
    if (!conn_lost(*connp))
        return 0;
    double backoff = 0.5;
    for (int attempt = 0; attempt < MAX_RETRIES && !engine_stop_requested; attempt++) {
        char *cerr = NULL;
        PGconn *c = pg_connect_like(*connp, purpose, &cerr);
        if (c) {
            const char *params[1] = {e->o->source_tz ? e->o->source_tz : "UTC"};
            PGresult *r = pg_exec(c, &cerr, "SELECT set_config('TimeZone', $1, false)", 1, params);
            if (r) {
                PQclear(r);
                PQfinish(*connp);
                *connp = c;
                return 0;
            }
            PQfinish(c);
        }
        free(*err);
        *err = cerr;
        sleep_s(backoff);
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
    }
    if (!*err)
        *err = xasprintf("lost the connection to the target: %s", PQerrorMessage(*connp));
    return -1;
}

/* The main connection idles while the jobs work; if it was dropped,
 * reconnect before the finishing steps (the lock row stays ours: its
 * heartbeat has its own connection). */
static int main_conn_alive(const struct engine *e, PGconn **connp, struct runlock *lock, char **err)
{
    PGresult *res = PQexec(*connp, "SELECT 1");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok && reconnect_target(e, connp, "finish the migration", err) != 0)
        return -1;
    if (!runlock_held(lock)) {
        *err = xstrdup("the migrate lock of this database was taken over while this run was "
                       "cut off from it; run 'pantrycrm migrate' again to resume");
        return -1;
    }
    return 0;
}

/* Change Tracking protocol (field notes §5): the source's change version
 * is taken BEFORE the first reader starts, so that `pantrycrm sync` later
 * applies every change made during the load (rows copied after it are just
 * overwritten with their current image). A resumed load keeps the version
 * of the load that began; a table whose load has not begun gets a new one.
 * Sources without change capture skip this silently. */
static int record_change_baseline(struct source *src, PGconn *conn, FILE *notes, char **err)
{
    if (!src->ops->change_version || !src->ops->change_min_valid)
        return 0;
    int64_t v0;
    char *cerr = NULL;
    if (src->ops->change_version(src, &v0, &cerr) != 0) {
        free(cerr);
        return 0;
    }
    char ver[24];
    snprintf(ver, sizeof ver, "%lld", (long long)v0);
    size_t nt, ntracked = 0;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        bool tracked = false;
        int64_t min_valid;
        if (src->ops->change_min_valid(src, tables[i].name, &tracked, &min_valid, &cerr) != 0) {
            free(cerr);
            cerr = NULL;
            continue;
        }
        if (!tracked)
            continue;
        const char *params[2] = {tables[i].name, ver};
        PGresult *res = pg_exec(conn, err,
            "INSERT INTO migration.sync (table_name, baseline_version, applied_version)"
            " VALUES ($1, $2::bigint, $2::bigint) ON CONFLICT (table_name) DO UPDATE SET"
            " baseline_version = EXCLUDED.baseline_version, applied_version = EXCLUDED.applied_version,"
            " applied_at = now(), upserts = 0, deletes = 0, quarantined = 0, reinit_needed_at = NULL"
            " WHERE NOT EXISTS (SELECT 1 FROM migration.checkpoint c WHERE c.table_name = $1"
            " AND (c.last_key IS NOT NULL OR c.done))", 2, params);
        if (!res)
            return -1;
        PQclear(res);
        ntracked++;
    }
    if (ntracked)
        fprintf(notes, "change tracking: version %s recorded before the load (%zu tables)\n", ver,
                ntracked);
    return 0;
}

int engine_migrate(const struct engine_opts *o, char **err)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.o = o;
    pthread_mutex_init(&e.mu, NULL);
    pthread_cond_init(&e.cv, NULL);
    FILE *out = o->out ? o->out : stdout;
    FILE *notes = o->progress == PROGRESS_JSONL ? stderr : out;
    int status = 1;
    PGconn *conn = NULL;
    struct runlock *lock = NULL;
    struct source *src = NULL;
    struct state *st = NULL;
    int64_t local_run = -1;

    e.synonyms = convert_load_synonyms(o->synonyms_path, err);
    if (!e.synonyms)
        goto out;
    e.copts = (struct convert_opts){e.synonyms, o->rules, o->nrules,
                                    o->min_year ? o->min_year : DT_DEFAULT_MIN_YEAR,
                                    o->max_year ? o->max_year : DT_DEFAULT_MAX_YEAR};

    src = source_open(o->source, err);
    if (!src)
        goto out;
    if (src->ops->describe(src, &e.src_tables, &e.nsrc_tables, err) != 0)
        goto out;
    if (check_source(&e, notes, err) != 0)
        goto out;

    conn = target_connect(&e, "migrate into the target", err);
    if (!conn)
        goto out;
    if (!(lock = take_migrate_lock(conn, "migrate", err)))
        goto out;
    if (check_target_schema(conn, err) != 0)
        goto out;
    bool cut;
    if (cutover_recorded(conn, &cut, err) != 0)
        goto out;
    if (cut) {
        *err = xstrdup("a cutover has been recorded: the target is the system of record now; "
                       "a full load would overwrite live data, so it is refused");
        goto out;
    }
    if (defer_ddl(conn, notes, err) != 0)
        goto out;
    if (start_run(&e, conn, err) != 0)
        goto out;
    if (record_change_baseline(src, conn, notes, err) != 0)
        goto out;
    fault_point("run-started");

    if (o->state_path) {
        char *serr = NULL;
        st = state_open(o->state_path, &serr);
        if (st) {
            char *where = pg_describe(conn);
            local_run = state_run_begin(st, e.run_id, o->source, where, &serr);
            free(where);
        }
        if (serr) {
            fprintf(notes, "warning: state file not updated: %s\n", serr);
            free(serr);
        }
    }

    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t i = 0; i < nt; i++) {
        struct job *j = &e.jobs[e.njobs++];
        j->e = &e;
        j->t = &tables[i];
        j->src = find_source_table(&e, tables[i].name);
        j->phase = "waiting";
        char *cerr = NULL;
        if (src->ops->estimate(src, tables[i].name, &j->rows_total, &cerr) != 0) {
            j->rows_total = -1;
            free(cerr);
        }
        for (size_t k = 0; k < nt; k++)
            for (size_t c = 0; c < tables[k].ncols; c++)
                if (tables[k].cols[c].kind == COL_FK_UUID
                    && strcmp(tables[k].cols[c].ref_table, tables[i].name) == 0)
                    e.is_parent[i] = true;
        keyset_init(&e.keys[i], 0);
        for (size_t c = 0; c < tables[i].ncols; c++) {
            const char *ref = tables[i].cols[c].ref_table;
            if (!ref)
                continue;
            for (size_t k = 0; k < i; k++)
                if (strcmp(tables[k].name, ref) == 0) {
                    bool seen = false;
                    for (size_t d = 0; d < j->ndeps; d++)
                        seen = seen || j->deps[d] == k;
                    if (!seen)
                        j->deps[j->ndeps++] = k;
                }
        }
    }
    source_close(src);
    src = NULL;

    int jobs = o->jobs > 0 ? o->jobs : 2;
    e.key_budget = o->key_cache ? o->key_cache : DEFAULT_KEY_CACHE;
    double start = clock_mono_s(), last_sample = 0, last_jsonl = 0;
    bool first_draw = true;
    pthread_mutex_lock(&e.mu);
    for (;;) {
        bool all_settled = true;
        for (size_t i = 0; i < e.njobs; i++) {
            struct job *j = &e.jobs[i];
            if (j->state != JOB_WAITING)
                continue;
            bool blocked;
            if (engine_stop_requested) {
                j->state = JOB_STOPPED;
                j->phase = "stopped";
                continue;
            }
            if (deps_done(&e, j, &blocked) && e.running < (size_t)jobs) {
                size_t ti = table_index(j->t);
                if (e.is_parent[ti]) {
                    /* Promise this parent enough of the budget for its rows. */
                    size_t want = j->rows_total > 0 ? (size_t)j->rows_total + (size_t)j->rows_total / 8 + 1024
                                                    : 65536;
                    e.keys[ti].max_keys = want < e.key_budget ? want : e.key_budget;
                    e.key_budget -= e.keys[ti].max_keys;
                }
                j->state = JOB_RUNNING;
                j->phase = "starting";
                e.running++;
                pthread_create(&j->thread, NULL, job_main, j);
            } else if (blocked) {
                j->state = JOB_FAILED;
                j->phase = "blocked";
                j->error = xstrdup("a parent table did not finish");
            }
        }
        for (size_t i = 0; i < e.njobs; i++)
            if (e.jobs[i].state == JOB_WAITING || e.jobs[i].state == JOB_RUNNING)
                all_settled = false;
        double t = clock_mono_s();
        if (o->progress == PROGRESS_BARS && (t - last_sample >= 0.25 || all_settled)) {
            draw_bars(&e, out, first_draw, t - start);
            first_draw = false;
        }
        if (o->progress == PROGRESS_JSONL && (t - last_jsonl >= 1.0 || all_settled)) {
            emit_jsonl(&e, out, t - start);
            last_jsonl = t;
        }
        if (t - last_sample >= 0.5 || all_settled) {
            if (st && local_run > 0) {
                bool paused = state_control_paused(st, local_run);
                if (paused != (engine_paused != 0)) {
                    engine_paused = paused;
                    for (size_t i = 0; i < e.njobs; i++)
                        if (e.jobs[i].state == JOB_RUNNING)
                            e.jobs[i].phase = paused ? "paused" : "copying";
                    fprintf(notes, "%s\n", paused ? "paused by a console" : "resumed");
                }
            }
            sample_state(&e, st, local_run);
            last_sample = t;
        }
        if (all_settled)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&e.cv, &e.mu, &until);
    }
    pthread_mutex_unlock(&e.mu);
    for (size_t i = 0; i < e.njobs; i++)
        if (e.jobs[i].thread)
            pthread_join(e.jobs[i].thread, NULL);

    bool failed = false, stopped = false;
    if (main_conn_alive(&e, &conn, lock, err) != 0)
        goto out;
    struct strbuf errs;
    sb_init(&errs);
    for (size_t i = 0; i < e.njobs; i++) {
        if (e.jobs[i].state == JOB_FAILED) {
            failed = true;
            sb_addf(&errs, "%s%s", errs.len ? "; " : "",
                    e.jobs[i].error ? e.jobs[i].error : e.jobs[i].t->name);
        }
        if (e.jobs[i].state == JOB_STOPPED)
            stopped = true;
    }
    if (failed) {
        *err = sb_detach(&errs);
        finish_run(conn, e.run_id, "failed");
        status = 1;
    } else if (stopped || engine_stop_requested) {
        sb_free(&errs);
        finish_run(conn, e.run_id, "interrupted");
        fprintf(notes, "stopped at a batch boundary; run 'pantrycrm migrate' again to resume\n");
        status = 130;
    } else {
        sb_free(&errs);
        fault_point("loaded");
        int built = rebuild_deferred(&e, &conn, notes, err);
        if (built < 0) {
            finish_run(conn, e.run_id, "failed");
            status = 1;
        } else if (built > 0) {
            finish_run(conn, e.run_id, "interrupted");
            fprintf(notes, "stopped between index builds; run 'pantrycrm migrate' again to resume\n");
            status = 130;
        } else {
            fault_point("build-done");
            finish_run(conn, e.run_id, "done");
            status = 0;
        }
    }
    if (st && local_run > 0) {
        char *serr = NULL;
        state_run_end(st, local_run, status == 0 ? "done" : status == 130 ? "interrupted" : "failed",
                      &serr);
        free(serr);
    }
out:
    for (size_t i = 0; i < e.njobs; i++) {
        free(e.jobs[i].error);
        keyset_destroy(&e.keys[i]);
    }
    state_close(st);
    source_close(src);
    runlock_release(lock, conn);
    if (conn)
        PQfinish(conn);
    if (e.src_tables)
        source_tables_free(e.src_tables, e.nsrc_tables);
    synonyms_free(e.synonyms);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
    return status;
}

/* ---- rollback and report ---------------------------------------------- */

int engine_rollback(const char *conninfo, FILE *out, char **err)
{
    PGconn *conn = pg_connect(conninfo, "roll the target back", err);
    if (!conn)
        return -1;
    int rc = -1;
    PGresult *res;
    struct runlock *lock = runlock_take(conn, "migrate --rollback", 5, err);
    if (!lock)
        goto out;
    if (!pg_command(conn, err, "BEGIN"))
        goto out;
    bool cut;
    if (cutover_recorded(conn, &cut, err) != 0)
        goto fail;
    if (cut) {
        *err = xstrdup("refusing to roll back: a cutover has been recorded, so the target holds "
                       "live data now");
        goto fail;
    }
    if (!pg_command(conn, err,
            "TRUNCATE \"User\", \"Account\", \"Session\", \"VerificationToken\", \"Organization\","
            " \"Contact\", \"Interaction\", \"Opportunity\", \"Lead\", \"Contract\""))
        goto fail;
    res = pg_exec(conn, err,
        "SELECT ddl FROM migration.deferred_ddl ORDER BY kind DESC, name", 0, NULL);
    if (!res)
        goto fail;
    for (int i = 0; i < PQntuples(res); i++)
        if (!pg_command(conn, err, PQgetvalue(res, i, 0))) {
            PQclear(res);
            goto fail;
        }
    int restored = PQntuples(res);
    PQclear(res);
    if (!pg_command(conn, err,
            "TRUNCATE migration.deferred_ddl, migration.quarantine, migration.checkpoint,"
            " migration.run RESTART IDENTITY")
        || !pg_command(conn, err, "COMMIT"))
        goto fail;
    if (out)
        fprintf(out, "the target is empty again%s\n",
                restored ? " (deferred indexes and foreign keys restored)" : "");
    rc = 0;
    goto out;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
out:
    runlock_release(lock, conn);
    PQfinish(conn);
    return rc;
}

int engine_report(const char *conninfo, bool json, FILE *out, char **err)
{
    PGconn *conn = pg_connect(conninfo, "read the migration report", err);
    if (!conn)
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT table_name, rows_read, rows_migrated, rows_quarantined,"
        " (SELECT coalesce(sum(v::bigint), 0) FROM jsonb_each_text(repairs) AS e(k, v)),"
        " bytes, seconds, done, repairs::text FROM migration.checkpoint", 0, NULL);
    if (!res) {
        PQfinish(conn);
        return -1;
    }
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    json_t *arr = json_array();
    int64_t tot[5] = {0};
    double tsec = 0;
    if (!json)
        fprintf(out, "%-18s %10s %10s %11s %9s %12s %9s %10s\n", "table", "read", "migrated",
                "quarantined", "repaired", "bytes", "seconds", "rows/s");
    for (size_t i = 0; i < nt; i++) {
        int r = -1;
        for (int k = 0; k < PQntuples(res); k++)
            if (strcmp(PQgetvalue(res, k, 0), tables[i].name) == 0)
                r = k;
        int64_t v[5] = {0};
        double secs = 0;
        bool done = false;
        if (r >= 0) {
            for (int c = 0; c < 5; c++)
                v[c] = atoll(PQgetvalue(res, r, 1 + c));
            secs = atof(PQgetvalue(res, r, 6));
            done = PQgetvalue(res, r, 7)[0] == 't';
        }
        for (int c = 0; c < 5; c++)
            tot[c] += v[c];
        tsec += secs;
        double rate = secs > 0 ? (double)v[0] / secs : 0;
        if (json) {
            json_error_t jerr;
            json_t *rep = r >= 0 ? json_loads(PQgetvalue(res, r, 8), 0, &jerr) : json_object();
            json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:b,s:o}",
                "table", tables[i].name, "read", (json_int_t)v[0], "migrated", (json_int_t)v[1],
                "quarantined", (json_int_t)v[2], "repaired", (json_int_t)v[3], "bytes",
                (json_int_t)v[4], "seconds", secs, "rows_per_second", rate, "done", done,
                "repairs", rep ? rep : json_object()));
        } else {
            fprintf(out, "%-18s %10lld %10lld %11lld %9lld %12lld %9.3f %10.0f%s\n", tables[i].name,
                    (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3],
                    (long long)v[4], secs, rate, r < 0 ? "  (not started)" : done ? "" : "  (partial)");
        }
    }
    if (json) {
        json_t *doc = json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:I}}", "tables", arr, "total", "read",
                                (json_int_t)tot[0], "migrated", (json_int_t)tot[1], "quarantined",
                                (json_int_t)tot[2], "repaired", (json_int_t)tot[3], "bytes",
                                (json_int_t)tot[4]);
        char *s = json_dumps(doc, JSON_INDENT(2));
        fprintf(out, "%s\n", s);
        free(s);
        json_decref(doc);
    } else {
        json_decref(arr);
        fprintf(out, "%-18s %10lld %10lld %11lld %9lld %12lld %9.3f\n", "total", (long long)tot[0],
                (long long)tot[1], (long long)tot[2], (long long)tot[3], (long long)tot[4], tsec);
    }
    PQclear(res);
    PQfinish(conn);
    return 0;
}

/* ---- replay of the quarantine ------------------------------------------ */

/* Bytes of a quarantined value: a JSON string, or {"hex": "…"}. */
static bool original_bytes(json_t *v, struct strbuf *out)
{
    if (json_is_string(v)) {
        sb_addn(out, json_string_value(v), json_string_length(v));
        return true;
    }
    const char *hex = json_string_value(json_object_get(v, "hex"));
    if (!hex)
        return false;
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
        char byte[3] = {hex[i], hex[i + 1], '\0'};
        sb_addc(out, (char)strtol(byte, NULL, 16));
    }
    return true;
}

static int replay_table(struct engine *e, const struct legacy_table *t, const char *reason,
                        PGconn *conn, FILE *out, long *resolved, char **err)
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
                cells[c].is_null = !v || json_is_null(v) || !original_bytes(v, &vals);
                cells[c].len = vals.len - offs[c];
            }
            for (size_t c = 0; c < nsrc; c++)
                cells[c].data = vals.buf ? vals.buf + offs[c] : "";
            free(offs);
            convert_row(cv, &b, cells);
            json_decref(orig);
        }
        if (!pg_command(conn, err, "BEGIN") || check_orphans(&w, &b) != 0) {
            rc = -1;
            break;
        }
        size_t *rows = xcalloc(b.nrows + 1, sizeof *rows);
        size_t nr = 0;
        for (size_t r = 0; r < b.nrows; r++)
            if (!b.rows[r].quarantined)
                rows[nr++] = r;
        long copied = copy_isolating(&w, &b, rows, nr);
        if (copied < 0)
            rc = -1;
        for (size_t r = 0; r < b.nrows && rc == 0; r++) {
            if (b.rows[r].quarantined) {
                if (store_quarantine(&w, &b, r) != 0)
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
        if (rc == 0 && copied > 0) {
            char moved[24];
            snprintf(moved, sizeof moved, "%ld", copied);
            const char *cp[2] = {t->name, moved};
            PGresult *u = pg_exec(conn, &w.err,
                "UPDATE migration.checkpoint SET rows_migrated = rows_migrated + $2::bigint,"
                " rows_quarantined = rows_quarantined - $2::bigint WHERE table_name = $1", 2, cp);
            if (!u)
                rc = -1;
            PQclear(u);
        }
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
    if (rc == 0 && out)
        fprintf(out, "%-18s %6d replayed: %6ld migrated, %6ld still quarantined\n", t->name, n,
                ok_rows, still);
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
                   FILE *out, char **err)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.o = o;
    pthread_mutex_init(&e.mu, NULL);
    e.synonyms = convert_load_synonyms(o->synonyms_path, err);
    if (!e.synonyms) {
        pthread_mutex_destroy(&e.mu);
        return -1;
    }
    e.copts = (struct convert_opts){e.synonyms, o->rules, o->nrules,
                                    o->min_year ? o->min_year : DT_DEFAULT_MIN_YEAR,
                                    o->max_year ? o->max_year : DT_DEFAULT_MAX_YEAR};
    long resolved = 0;
    PGconn *conn = target_connect(&e, "replay the quarantine", err);
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
        if (replay_table(&e, &tables[i], reason, conn, out, &resolved, err) != 0)
            resolved = -1;
    }
    runlock_release(lock, conn);
    if (conn)
        PQfinish(conn);
    synonyms_free(e.synonyms);
    pthread_mutex_destroy(&e.mu);
    return resolved;
}

/* ---- applying changes: pantrycrm sync ----------------------------------- */

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
        if (!pg_command(a->w.conn, &a->w.err, a->w.sql.buf) || check_orphans(&a->w, b) != 0) {
            rc = -1;
            goto out;
        }
        a->w.upsert_via = temp;
        size_t *rows = xcalloc(b->nrows, sizeof *rows);
        size_t n = 0;
        for (size_t r = 0; r < b->nrows; r++)
            if (!b->rows[r].quarantined)
                rows[n++] = r;
        long done = copy_isolating(&a->w, b, rows, n);
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
                if (store_quarantine(&a->w, b, r) != 0)
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
