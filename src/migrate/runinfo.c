/* runinfo.c - the target's last migration run (see runinfo.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "runinfo.h"
#include "pg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int run_info_last(PGconn *conn, struct run_info *out, char **err)
{
    memset(out, 0, sizeof *out);
    PGresult *res = pg_exec(conn, err, "SELECT id, source, status FROM migration.run"
                            " ORDER BY id DESC LIMIT 1", 0, NULL);
    if (!res)
        return -1;
    int rc = PQntuples(res) == 1;
    if (rc) {
        out->id = atoll(PQgetvalue(res, 0, 0));
        out->source = xstrdup(PQgetvalue(res, 0, 1));
        out->status = xstrdup(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return rc;
}

void run_info_free(struct run_info *r)
{
    free(r->source);
    free(r->status);
    memset(r, 0, sizeof *r);
}

bool run_info_unfinished(const struct run_info *r)
{
    return r->status && strcmp(r->status, "done") != 0;
}
