/* collisions.c - legacy unique values that collide without case and
 * trailing blanks, read from the target (see collisions.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "collisions.h"
#include "legacy.h"
#include "pg.h"
#include "sqltext.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* lower(rtrim(col)): SQL Server's comparison under the CRM's case-
 * insensitive collation, which pads with blanks. */
static void add_folded(struct strbuf *sb, const char *col)
{
    sb_addf(sb, "lower(rtrim(");
    sql_add_ident(sb, col);
    sb_addf(sb, ", ' '))");
}

int collisions_read(PGconn *conn, struct collisions *out, char **err)
{
    memset(out, 0, sizeof *out);
    size_t nkeys;
    const struct legacy_unique *keys = legacy_unique_keys(&nkeys);
    for (size_t k = 0; k < nkeys; k++) {
        const struct legacy_unique *u = &keys[k];
        struct strbuf sql, cols;
        sb_init(&sql);
        sb_init(&cols);
        sb_addf(&sql, "SELECT count(*), coalesce(sum(n), 0), min(example) FROM (SELECT count(*) AS n, min(");
        sql_add_ident(&sql, u->cols[0]);
        sb_addf(&sql, ") AS example FROM ");
        sql_add_ident(&sql, u->table);
        sb_addf(&sql, " WHERE ");
        for (size_t c = 0; c < 2 && u->cols[c]; c++) {
            sb_addf(&sql, "%s", c ? " AND " : "");
            sql_add_ident(&sql, u->cols[c]);
            sb_addf(&sql, " IS NOT NULL");
            sb_addf(&cols, "%s%s", c ? ", " : "", u->cols[c]);
        }
        sb_addf(&sql, " GROUP BY ");
        for (size_t c = 0; c < 2 && u->cols[c]; c++) {
            sb_addf(&sql, "%s", c ? ", " : "");
            add_folded(&sql, u->cols[c]);
        }
        sb_addf(&sql, " HAVING count(*) > 1) d");
        PGresult *res = pg_exec(conn, err, sql.buf, 0, NULL);
        sb_free(&sql);
        if (!res) {
            sb_free(&cols);
            collisions_free(out);
            return -1;
        }
        int64_t values = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        if (values > 0) {
            out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
            out->v[out->n++] = (struct collision){
                .table = u->table,
                .columns = xstrdup(cols.buf),
                .values = values,
                .rows = strtoll(PQgetvalue(res, 0, 1), NULL, 10),
                .example = xstrdup(PQgetvalue(res, 0, 2)),
            };
        }
        PQclear(res);
        sb_free(&cols);
    }
    return 0;
}

void collisions_free(struct collisions *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].columns);
        free(c->v[i].example);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

json_t *collisions_json(const struct collisions *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < c->n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:s}", "table", c->v[i].table,
                                             "columns", c->v[i].columns, "values",
                                             (json_int_t)c->v[i].values, "rows",
                                             (json_int_t)c->v[i].rows, "example", c->v[i].example));
    return arr;
}
