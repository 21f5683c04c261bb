/* drizzle.h - hands the migrated database's migration history over to
 * drizzle-kit, the CRM application's migration tool.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_DRIZZLE_H
#define PANTRY_DRIZZLE_H

struct progress; /* progress.h */

#include <stdio.h>

/* The Drizzle baseline: copies the shipped migrations folder (DATADIR/
 * drizzle/migrations: the baseline SQL, meta/_journal.json and the schema
 * snapshot) to outdir, and records the baseline in the target's
 * drizzle.__drizzle_migrations (sha256 of the SQL file, the journal entry's
 * "when"), so that `drizzle-kit migrate` with that folder applies nothing to
 * the target and then exactly the migrations the team adds.
 *
 * Refuses when the target's pantrycrm schema is not up to date (the
 * baseline claims it is), and when outdir already holds a journal that does
 * not start with this baseline. Idempotent: a folder that already starts
 * with the baseline is left as it is (it may hold the team's migrations),
 * and a history whose newest row is at or after the baseline gets no row.
 * mschema and mtable name the history table as drizzle.config's
 * migrations.schema and migrations.table do (NULL: drizzle and
 * __drizzle_migrations). Says what it did on out. 0, or -1 with *err set. */
int drizzle_baseline(const char *conninfo, const char *outdir, const char *mschema,
                     const char *mtable, const struct progress *out, char **err);

/* `pantrycrm db drizzle`: writes outdir/schema.ts and outdir/relations.ts,
 * a Drizzle ORM schema of the target's public schema read from its catalog
 * (enums, tables, columns, defaults, keys, checks, indexes; relations from
 * the foreign keys). Stops, naming the object, at anything Drizzle cannot
 * describe. 0, or -1 with *err set. */
int drizzle_generate(const char *conninfo, const char *outdir, const struct progress *out,
                     char **err);

#endif
