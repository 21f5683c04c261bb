/* source.c - opening a legacy source by locator.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "source.h"
#include "source_sqlite.h"
#include "source_tds.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

bool source_may_prompt = true;

struct source *source_open(const char *locator, char **err)
{
    if (!locator || !*locator) {
        *err = xstrdup("no source given: use --source sqlite:FILE or "
                       "mssql://[USER@]HOST[:PORT]/DATABASE");
        return NULL;
    }
    if (str_starts_with(locator, "sqlite:"))
        return source_sqlite_open(locator + strlen("sqlite:"), err);
    if (str_starts_with(locator, "mssql:"))
        return source_tds_open(locator, err);
    if (strstr(locator, "://")) {
        *err = xasprintf("source '%s': unknown kind of source (want sqlite:FILE, "
                         "mssql://[USER@]HOST[:PORT]/DATABASE or mssql:SERVERNAME/DATABASE)",
                         locator);
        return NULL;
    }
    return source_sqlite_open(locator, err);
}

void source_close(struct source *src)
{
    if (src)
        src->ops->close(src);
}

void source_tables_free(struct source_table *tables, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < tables[i].ncols; j++) {
            free(tables[i].cols[j].name);
            free(tables[i].cols[j].type);
        }
        free(tables[i].cols);
        free(tables[i].name);
    }
    free(tables);
}

void source_facts_free(struct source_facts *f)
{
    if (!f)
        return;
    free(f->server);
    free(f->database);
    memset(f, 0, sizeof *f);
}
