/* collisions.h - values of the legacy unique keys that are distinct in
 * PostgreSQL but were one value to SQL Server, which compared them without
 * case and without trailing blanks (kp-2025-000770 beside KP-2025-000770).
 * Both rows load; an application that looks them up the SQL Server way
 * finds two. migrate's report and verify name them.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_COLLISIONS_H
#define PANTRY_COLLISIONS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct collision {
    const char *table;
    char *columns;          /* "email" or "provider, providerAccountId" */
    int64_t values;         /* values that stand for more than one row */
    int64_t rows;           /* the rows they stand for */
    char *example;          /* one of them, as stored */
};

struct collisions {
    struct collision *v;    /* only the keys that have any */
    size_t n;
};

/* Reads them from the target's tables. 0, or -1 with *err. */
int collisions_read(PGconn *conn, struct collisions *out, char **err);
void collisions_free(struct collisions *c);
/* [{"table", "columns", "values", "rows", "example"}, …] */
json_t *collisions_json(const struct collisions *c);

#endif
