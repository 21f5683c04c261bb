/* gen.h - the demo data generator: a legacy Prisma / SQL Server database
 * (data-model.md §1) written as a SQLite file, clean or with counted dirt.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_GEN_H
#define PANTRY_GEN_H

struct progress; /* progress.h */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The largest scale accepted: 10 M organizations is already ~150 M rows. */
#define GEN_MAX_SCALE 10000000L

struct gen_opts {
    long scale;         /* S = number of organizations, >= 1 */
    bool messy;         /* inject the dirt of §1 at the documented rates */
    uint64_t seed;      /* same seed and scale => byte-identical file */
    const char *out;    /* the SQLite file to create */
    bool force;         /* replace an existing out (and a stale out.tmp) */
    /* How a lone surrogate is stored: false = the WTF-8 bytes ED A0..BF xx
     * that a lenient UTF-16 -> UTF-8 conversion gives; true = the six
     * characters \uD83D that the tds-standin turns into the real code unit
     * (Python's sqlite3 module, and so the stand-in, cannot read WTF-8). */
    bool escape_surrogates;
};

/* Writes opts->out (through opts->out + ".tmp", renamed at the end) and its
 * dirt report opts->out + ".dirt.json"; a summary line per table and the
 * dirt counts go to log (may be NULL). Returns 0, or -1 with *err set (the
 * caller frees it). */
int gen_legacy_sqlite(const struct gen_opts *opts, const struct progress *log, char **err);

/* The SQLite file gen_legacy_sqlite wrote, as a T-SQL script that creates
 * and fills the same tables on a real SQL Server (see gen_tsql.c); with
 * change_tracking, it also turns on snapshot isolation and Change Tracking
 * for the database and every table. 0, or -1 with *err. */
int gen_tsql_from_sqlite(const char *sqlite_path, const struct gen_opts *o, bool change_tracking,
                         FILE *out, const struct progress *log, char **err);

/* Rows the generator writes into a legacy table at a scale (-1: unknown table). */
long gen_table_rows(const char *table, long scale);

#endif
