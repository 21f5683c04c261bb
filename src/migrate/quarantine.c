/* quarantine.c - every statement on migration.quarantine (quarantine.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "quarantine.h"
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int quarantine_store(PGconn *conn, const struct quarantine_entry *q, char **err)
{
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)q->run_id);
    const char *params[8] = {run, q->table, q->source_key, q->column, q->reason,
                             q->detail ? q->detail : "", q->original_json, q->target_key};
    PGresult *res = pg_exec(conn, err,
        "INSERT INTO migration.quarantine (run_id, table_name, source_key, column_name, reason,"
        " detail, original, target_key) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)"
        " ON CONFLICT (table_name, source_key) DO UPDATE SET run_id = EXCLUDED.run_id,"
        " target_key = EXCLUDED.target_key,"
        " column_name = EXCLUDED.column_name, reason = EXCLUDED.reason, detail = EXCLUDED.detail,"
        " original = EXCLUDED.original, quarantined_at = now(), resolved_at = NULL",
        8, params);
    PQclear(res);
    return res ? 0 : -1;
}

PGresult *quarantine_by_target_keys(PGconn *conn, const char *table, const char *keys, char **err)
{
    const char *params[2] = {table, keys};
    return pg_exec(conn, err,
        "SELECT target_key, source_key FROM migration.quarantine"
        " WHERE table_name = $1 AND target_key = ANY($2::text[])", 2, params);
}

PGresult *quarantine_open_rows(PGconn *conn, const char *table, const char *reason, char **err)
{
    const char *params[2] = {table, reason};
    return pg_exec(conn, err,
        "SELECT id, original::text FROM migration.quarantine WHERE table_name = $1"
        " AND resolved_at IS NULL AND ($2::text IS NULL OR reason = $2) ORDER BY id", 2, params);
}

int quarantine_resolve(PGconn *conn, const char *table, const char *source_key, char **err)
{
    const char *params[2] = {table, source_key};
    PGresult *res = pg_exec(conn, err,
        "UPDATE migration.quarantine SET resolved_at = now()"
        " WHERE table_name = $1 AND source_key = $2", 2, params);
    PQclear(res);
    return res ? 0 : -1;
}

PGresult *quarantine_resolve_keys(PGconn *conn, const char *table, const char *keys, char **err)
{
    const char *params[2] = {table, keys};
    return pg_exec(conn, err,
        "UPDATE migration.quarantine SET resolved_at = now() WHERE table_name = $1"
        " AND source_key = ANY($2::text[]) AND resolved_at IS NULL RETURNING source_key", 2, params);
}

PGresult *quarantine_open_among(PGconn *conn, const char *table, const char *keys, char **err)
{
    const char *params[2] = {table, keys};
    return pg_exec(conn, err,
        "SELECT source_key FROM migration.quarantine WHERE table_name = $1"
        " AND source_key = ANY($2::text[]) AND resolved_at IS NULL ORDER BY source_key", 2, params);
}

int64_t quarantine_open_count(PGconn *conn, const char *table, char **err)
{
    const char *params[1] = {table};
    PGresult *res = pg_exec(conn, err,
        "SELECT count(*) FROM migration.quarantine WHERE table_name = $1 AND resolved_at IS NULL",
        1, params);
    if (!res)
        return -1;
    int64_t n = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

long quarantine_unsettled(PGconn *conn, struct strbuf *by_table, char **err)
{
    PGresult *res = pg_exec(conn, err,
        "SELECT table_name, count(*) FROM migration.quarantine"
        " WHERE resolved_at IS NULL AND accepted_at IS NULL GROUP BY 1 ORDER BY 1", 0, NULL);
    if (!res)
        return -1;
    long total = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        sb_addf(by_table, "%s%s %s", by_table->len ? ", " : "", PQgetvalue(res, i, 0),
                PQgetvalue(res, i, 1));
        total += atol(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return total;
}

int quarantine_summarise(PGconn *conn, const struct quarantine_filter *f,
                         struct quarantine_summary *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *params[3] = {f->table, f->reason, f->all ? "t" : "f"};
    PGresult *res = pg_exec(conn, err,
        "SELECT table_name, reason, count(*), count(accepted_at) FROM migration.quarantine"
        " WHERE ($1::text IS NULL OR table_name = $1) AND ($2::text IS NULL OR reason = $2)"
        "   AND ($3::bool OR resolved_at IS NULL)"
        " GROUP BY 1, 2 ORDER BY 1, 2", 3, params);
    if (!res)
        return -1;
    out->res_ = res;
    out->n = (size_t)PQntuples(res);
    out->groups = xcalloc(out->n + 1, sizeof *out->groups);
    for (int i = 0; i < PQntuples(res); i++)
        out->groups[i] = (struct quarantine_group){PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                                   atol(PQgetvalue(res, i, 2)),
                                                   atol(PQgetvalue(res, i, 3))};
    return 0;
}

void quarantine_summary_free(struct quarantine_summary *s)
{
    free(s->groups);
    PQclear(s->res_);
    memset(s, 0, sizeof *s);
}

/* The columns of both queries below, in struct quarantine_row's order. */
#define ROW_COLUMNS \
    "SELECT id, table_name, source_key, coalesce(target_key, ''), coalesce(column_name, ''),"   \
    " reason, detail, to_char(quarantined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"     \
    " coalesce(to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''),"          \
    " coalesce(to_char(accepted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''),"

static void fill_list(PGresult *res, struct quarantine_list *out)
{
    out->res_ = res;
    out->n = (size_t)PQntuples(res);
    out->rows = xcalloc(out->n + 1, sizeof *out->rows);
    for (int i = 0; i < PQntuples(res); i++) {
        struct quarantine_row *r = &out->rows[i];
        const char **f[] = {&r->id, &r->table, &r->source_key, &r->target_key, &r->column,
                            &r->reason, &r->detail, &r->quarantined_at, &r->resolved_at,
                            &r->accepted_at, &r->original, &r->run_id};
        for (int c = 0; c < (int)(sizeof f / sizeof f[0]); c++)
            *f[c] = PQgetvalue(res, i, c);
        r->resolved = *r->resolved_at != '\0';
        r->accepted = *r->accepted_at != '\0';
    }
}

int quarantine_list(PGconn *conn, const struct quarantine_filter *f, struct quarantine_list *out,
                    char **err)
{
    memset(out, 0, sizeof *out);
    const char *params[4] = {f->table, f->reason, f->all ? "t" : "f", f->limit};
    PGresult *res = pg_exec(conn, err,
        ROW_COLUMNS " original::text, run_id FROM migration.quarantine"
        " WHERE ($1::text IS NULL OR table_name = $1) AND ($2::text IS NULL OR reason = $2)"
        "   AND ($3::bool OR resolved_at IS NULL)"
        " ORDER BY id LIMIT $4::bigint", 4, params);
    if (!res)
        return -1;
    fill_list(res, out);
    return 0;
}

int quarantine_find(PGconn *conn, const char *id, const char *table, const char *source_key,
                    struct quarantine_list *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *params[3] = {id, table, source_key};
    PGresult *res = pg_exec(conn, err,
        ROW_COLUMNS " jsonb_pretty(original), run_id FROM migration.quarantine"
        " WHERE ($1::bigint IS NOT NULL AND id = $1::bigint)"
        "    OR ($1::bigint IS NULL AND table_name = $2 AND source_key = $3)", 3, params);
    if (!res)
        return -1;
    fill_list(res, out);
    return 0;
}

void quarantine_list_free(struct quarantine_list *l)
{
    free(l->rows);
    PQclear(l->res_);
    memset(l, 0, sizeof *l);
}

long quarantine_accept_matching(PGconn *conn, const char *table, const char *reason, char **err)
{
    const char *params[2] = {table, reason};
    PGresult *res = pg_exec(conn, err,
        "UPDATE migration.quarantine SET accepted_at = now() WHERE table_name = $1"
        " AND ($2::text IS NULL OR reason = $2) AND resolved_at IS NULL AND accepted_at IS NULL",
        2, params);
    if (!res)
        return -1;
    long n = atol(PQcmdTuples(res));
    PQclear(res);
    return n;
}

int quarantine_accept_id(PGconn *conn, const char *id, char **err)
{
    const char *params[1] = {id};
    PGresult *res = pg_exec(conn, err,
        "UPDATE migration.quarantine SET accepted_at = coalesce(accepted_at, now())"
        " WHERE id = $1::bigint AND resolved_at IS NULL", 1, params);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n;
}
