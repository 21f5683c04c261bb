/* checkpoint.c - migration.checkpoint, where each table's load stands: the
 * last committed source key and the running counts. The writer advances it
 * in the transaction of each batch, which is what makes a resumed load
 * lose and repeat nothing.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "engine_int.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A binary int8 or float8 result field: big-endian. */
static uint64_t be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t x = 0;
    for (int k = 0; k < 8; k++)
        x = (x << 8) | u[k];
    return x;
}

int checkpoint_load(PGconn *conn, const char *table, int64_t run_id, struct checkpoint *cp,
                    char **err)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    const char *params[2] = {table, run};
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
    sb_reset(&cp->last_key);
    cp->have_key = !PQgetisnull(res, 0, 0);
    if (cp->have_key)
        sb_addn(&cp->last_key, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
    cp->done = PQgetvalue(res, 0, 1)[0] != 0;
    cp->rows_read = (int64_t)be64(PQgetvalue(res, 0, 2));
    cp->rows_migrated = (int64_t)be64(PQgetvalue(res, 0, 3));
    cp->rows_quarantined = (int64_t)be64(PQgetvalue(res, 0, 4));
    cp->bytes = (int64_t)be64(PQgetvalue(res, 0, 5));
    uint64_t bits = be64(PQgetvalue(res, 0, 6));
    memcpy(&cp->seconds, &bits, sizeof cp->seconds);
    PQclear(res);
    res = pg_exec(conn, err,
                  "SELECT coalesce(sum(v::bigint), 0) FROM migration.checkpoint,"
                  " jsonb_each_text(repairs) AS e(k, v) WHERE table_name = $1", 1, params);
    if (!res)
        return -1;
    cp->repairs = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int checkpoint_advance(PGconn *conn, const char *table, const char *last_key, size_t key_len,
                       size_t nread, long migrated, int64_t quarantined, int64_t bytes,
                       const char *repairs_json, double seconds, char **err)
{
    char nread_s[24], nmig[24], nq[24], nbytes[24], secs[32];
    snprintf(nread_s, sizeof nread_s, "%zu", nread);
    snprintf(nmig, sizeof nmig, "%ld", migrated);
    snprintf(nq, sizeof nq, "%lld", (long long)quarantined);
    snprintf(nbytes, sizeof nbytes, "%lld", (long long)bytes);
    snprintf(secs, sizeof secs, "%.6f", seconds);
    const char *params[8] = {table, last_key, nread_s, nmig, nq, nbytes, repairs_json, secs};
    int lengths[8] = {0};
    int formats[8] = {0};
    if (last_key) {
        lengths[1] = (int)key_len;
        formats[1] = 1; /* the key is raw source bytes: bytea, sent binary */
    }
    PGresult *res = PQexecParams(conn,
        "UPDATE migration.checkpoint SET"
        " last_key = CASE WHEN $2::bytea IS NULL THEN last_key ELSE $2::bytea END,"
        " rows_read = rows_read + $3::bigint, rows_migrated = rows_migrated + $4::bigint,"
        " rows_quarantined = rows_quarantined + $5::bigint, bytes = bytes + $6::bigint,"
        " repairs = repairs || coalesce((SELECT jsonb_object_agg(k, coalesce((repairs->>k)::bigint, 0)"
        "   + v::bigint) FROM jsonb_each_text($7::jsonb) AS e(k, v)), '{}'),"
        " seconds = seconds + $8::float8, updated_at = now()"
        " WHERE table_name = $1",
        8, NULL, params, lengths, formats, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        free(*err);
        *err = str_rtrim(xstrdup(PQresultErrorMessage(res)));
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

int checkpoint_mark_done(PGconn *conn, const char *table, char **err)
{
    const char *params[1] = {table};
    PGresult *res = pg_exec(conn, err,
                            "UPDATE migration.checkpoint SET done = true WHERE table_name = $1", 1,
                            params);
    PQclear(res);
    return res ? 0 : -1;
}

int checkpoint_move_replayed(PGconn *conn, const char *table, long moved, char **err)
{
    char n[24];
    snprintf(n, sizeof n, "%ld", moved);
    const char *params[2] = {table, n};
    PGresult *res = pg_exec(conn, err,
        "UPDATE migration.checkpoint SET rows_migrated = rows_migrated + $2::bigint,"
        " rows_quarantined = rows_quarantined - $2::bigint WHERE table_name = $1", 2, params);
    PQclear(res);
    return res ? 0 : -1;
}
