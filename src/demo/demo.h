/* demo.h - the private demo PostgreSQL cluster.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_DEMO_H
#define PANTRY_DEMO_H

struct progress; /* progress.h */

#include <stdbool.h>
#include <stdio.h>

struct demo {
    char *home;         /* $XDG_DATA_HOME/pantrycrm/demo: demo files of this user */
    char *cluster;      /* the cluster's own directory: data/, sock/, server.log */
    char *datadir;      /* cluster/data */
    char *sockdir;      /* cluster/sock */
    char *logfile;      /* cluster/server.log */
    char *conninfo;     /* libpq string for the demo database */
    char *legacy;       /* home/legacy.db: the demo's legacy source */
    char *bindir;       /* PostgreSQL server programs, NULL when not found */
    const char *runas;  /* "postgres" when we are root, else NULL */
};

#define DEMO_DBNAME "pantrycrm"
#define DEMO_PORT "5432"
#define DEMO_LEGACY_SCALE 1000   /* organizations in the demo's legacy source */

/* Works out where everything lives; never fails (bindir may be NULL). */
void demo_init(struct demo *d);
void demo_free(struct demo *d);

bool demo_exists(const struct demo *d);
bool demo_running(const struct demo *d);

/* Creates the cluster once, starts it, creates the demo database and applies
 * the schema. Progress lines go to log. 0, or -1 with *err set. */
int demo_up(struct demo *d, const struct progress *log, char **err);

/* Stops the cluster if it runs (fast shutdown). 0, or -1 with *err set. */
int demo_down(struct demo *d, const struct progress *log, char **err);

/* Finds initdb/pg_ctl: $PANTRYCRM_PG_BINDIR, `pg_config --bindir`, then the
 * newest /usr/lib/postgresql/N/bin. Caller frees; NULL when none. */
char *demo_find_bindir(void);

#endif
