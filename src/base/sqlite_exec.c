/* sqlite_exec.c - see sqlite_exec.h.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sqlite_exec.h"
#include "util.h"

int sqlite_exec(sqlite3 *db, const char *sql, const char *what, char **err)
{
    char *m = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK)
        return 0;
    /* sqlite3_exec's message is a copy of sqlite3_errmsg's */
    const char *msg = m ? m : sqlite3_errmsg(db);
    *err = what ? xasprintf("%s: %s", what, msg) : xstrdup(msg);
    sqlite3_free(m);
    return -1;
}

char *sqlite_error(sqlite3 *db, const char *what)
{
    return xasprintf("%s: %s", what, sqlite3_errmsg(db));
}
