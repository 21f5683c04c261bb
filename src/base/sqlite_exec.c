/* sqlite_exec.c - see sqlite_exec.h.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sqlite_exec.h"
#include "util.h"

int sqlite_exec(sqlite3 *db, const char *sql, char **msg)
{
    char *m = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK)
        return 0;
    /* sqlite3_exec's message is sqlite3_malloc'ed: hand back our own copy */
    *msg = xstrdup(m ? m : sqlite3_errmsg(db));
    sqlite3_free(m);
    return -1;
}
