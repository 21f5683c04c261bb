/* job.c - one table's load: a reader thread and this writer joined by a
 * bounded queue of batches, from the table's checkpoint to its end. A lost
 * connection or a source hiccup starts the attempt again from the
 * committed checkpoint, which loses and repeats nothing.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "clock.h"
#include "pg.h"
#include "sqltext.h"

#include <stdio.h>
#include <stdlib.h>

static void job_set_phase(struct job *j, const char *phase)
{
    pthread_mutex_lock(&j->e->mu);
    j->phase = phase;
    pthread_mutex_unlock(&j->e->mu);
}

/* Reads (creating) the table's checkpoint into the job's counts: 1 when
 * the table is done, 0 when not, -1. */
static int load_checkpoint(struct job *j, PGconn *conn, struct checkpoint *cp, char **err)
{
    if (checkpoint_load(conn, j->t->name, j->e->run_id, cp, err) != 0)
        return -1;
    pthread_mutex_lock(&j->e->mu);
    j->rows_read = cp->rows_read;
    j->rows_migrated = cp->rows_migrated;
    j->rows_quarantined = cp->rows_quarantined;
    j->bytes = cp->bytes;
    j->repairs = cp->repairs;
    j->seconds = cp->seconds;
    pthread_mutex_unlock(&j->e->mu);
    return cp->done ? 1 : 0;
}

/* A parent table that an earlier process (or attempt) committed rows of:
 * its committed keys go into the key set, streamed by COPY, so that the
 * children's orphan checks stay in memory after a resume instead of
 * sending every key to the server. Past the budget the set drops keys and
 * those few take the round trip, as in an uninterrupted run. */
static int preload_parent_keys(struct job *j, PGconn *conn, char **err)
{
    struct keyset *ks = &j->e->keys[engine_table_index(j->t)];
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
    PGconn *conn = engine_connect(e, "load the target", err);
    if (!conn) {
        *retry = true;
        return -1;
    }
    struct checkpoint cp = {0};
    sb_init(&cp.last_key);
    int done = load_checkpoint(j, conn, &cp, err);
    if (done >= 0 && e->is_parent[engine_table_index(j->t)] && j->rows_migrated > 0 && !j->keys_preloaded) {
        if (preload_parent_keys(j, conn, err) != 0)
            done = -1;
        else
            j->keys_preloaded = true;
    }
    if (done != 0) {
        *retry = done < 0 && engine_conn_lost(conn);
        PQfinish(conn);
        sb_free(&cp.last_key);
        return done < 0 ? -1 : 0;
    }
    struct source *src = source_open(e->o->source, err);
    if (!src) {
        *retry = true;
        PQfinish(conn);
        sb_free(&cp.last_key);
        return -1;
    }
    struct convert *cv = convert_new(j->t, j->src, &e->copts, err);
    if (!cv) {
        source_close(src);
        PQfinish(conn);
        sb_free(&cp.last_key);
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
    struct cell after = {cp.last_key.buf, cp.last_key.len, false};
    struct reader rd = {.j = j, .src = src, .cv = cv, .full = &full, .free_q = &free_q,
                        .after = cp.have_key ? &after : NULL,
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
    probe.conn = engine_connect(e, "check foreign keys", err);
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
            clock_sleep_s(0.1, &engine_stop_requested);
        double t1 = clock_mono_s();
        if (writer_write_batch(&w, b, t1 - t0) != 0) {
            rc = -1;
            *retry = engine_conn_lost(conn);
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
    struct keyset *ks = &j->e->keys[engine_table_index(j->t)];
    if (rc == 0 && finished && j->e->is_parent[engine_table_index(j->t)] && ks->n >= ks->max_keys) {
        /* Children of this table will probe it for the keys the key set
         * could not hold: give the planner facts. (When it holds them all,
         * only orphans are probed, a few at a time; every table is
         * analysed once its indexes are built.) */
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
        fprintf(stderr, "profile %s: %.2f s in all; writer: COPY (%s) %.2f s, quarantine %.2f s, "
                        "checkpoint+commit %.2f s; reader: orphan checks %.2f s\n",
                j->t->name, clock_mono_s() - t_start, w.binary > 0 ? "binary" : "text", w.t_copy,
                w.t_quarantine, w.t_commit, probe.t_fk);
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
    sb_free(&cp.last_key);
    return rc;
}

void *job_main(void *arg)
{
    struct job *j = arg;
    enum engine_table_state final = ENGINE_TABLE_FAILED;
    double backoff = 0.5;
    for (int attempt = 0; ; attempt++) {
        bool retry = false;
        char *err = NULL;
        int rc = job_attempt(j, &retry, &err);
        if (rc == 0) {
            final = ENGINE_TABLE_DONE;
            free(err);
            break;
        }
        if (rc == 1 || engine_stop_requested) {
            final = ENGINE_TABLE_STOPPED;
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
        clock_sleep_s(backoff, &engine_stop_requested);
        backoff = backoff * 2 > 30 ? 30 : backoff * 2;
    }
    pthread_mutex_lock(&j->e->mu);
    j->state = final;
    if (final == ENGINE_TABLE_DONE) {
        free(j->error);
        j->error = NULL;
    }
    j->phase = final == ENGINE_TABLE_DONE ? "done" : final == ENGINE_TABLE_STOPPED ? "stopped" : "failed";
    j->e->running--;
    pthread_cond_broadcast(&j->e->cv);
    pthread_mutex_unlock(&j->e->mu);
    return NULL;
}

