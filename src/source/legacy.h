/* legacy.h - the contract of the legacy Prisma / SQL Server database
 * (data-model.md §1) and how each column lands in the target (§2).
 * The generator, the schema check, the transform and verify all read this
 * one table, so they cannot drift apart.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_LEGACY_H
#define PANTRY_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

enum col_kind {
    COL_ID_TEXT,     /* text primary key kept verbatim (User, Account, Session) */
    COL_ID_UUID,     /* primary key mapped to uuid (UUID kept, else UUID v5) */
    COL_FK_TEXT,     /* reference to a COL_ID_TEXT key */
    COL_FK_UUID,     /* reference to a COL_ID_UUID key: mapped the same way */
    COL_TEXT,        /* NVARCHAR(1000) */
    COL_TEXT_MAX,    /* NVARCHAR(MAX) */
    COL_ENUM,        /* NVARCHAR(1000) holding an enum label → PostgreSQL enum */
    COL_DATETIME,    /* DATETIME2 (UTC by Prisma) → timestamptz */
    COL_BIT,         /* BIT → boolean */
    COL_INT,         /* INT → integer */
    COL_FLOAT,       /* FLOAT (8 bytes) → double precision */
    COL_DECIMAL      /* DECIMAL(14,2) → numeric(14,2), never through a float */
};

struct legacy_column {
    const char *name;        /* the same in source and target */
    enum col_kind kind;
    bool nullable;
    const char *ref_table;   /* COL_FK_*: the parent table */
    const char *enum_type;   /* COL_ENUM: the PostgreSQL enum type */
    const char *fallback;    /* the column default in the source, or NULL */
};

struct legacy_table {
    const char *name;                    /* "Organization" */
    const struct legacy_column *cols;
    size_t ncols;
    const char *key;                     /* keyset column: "id", or "token" */
    bool crm;                            /* uuid ids and a jsonb metadata column */
};

/* The ten tables, parents before children (a valid load order). */
const struct legacy_table *legacy_tables(size_t *n);
const struct legacy_table *legacy_table(const char *name);

/* The unique keys of the legacy schema (data-model.md §1), of one or two
 * text columns: SQL Server compares them case-insensitively and ignores
 * trailing blanks, PostgreSQL does neither. */
struct legacy_unique {
    const char *table, *cols[2];    /* cols[1] NULL for one column */
};
const struct legacy_unique *legacy_unique_keys(size_t *n);
const struct legacy_column *legacy_column(const struct legacy_table *t, const char *name);
int legacy_column_index(const struct legacy_table *t, const char *name);

/* The SQL Server type of a column as Prisma created it, e.g. "NVARCHAR(MAX)". */
const char *legacy_mssql_type(const struct legacy_column *c);

/* The labels of a PostgreSQL enum type, in declaration order. */
const char *const *legacy_enum_labels(const char *enum_type, size_t *n);

#endif
