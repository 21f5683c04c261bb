/* runinfo.h - the target's last migration run (migration.run), read the
 * same way by `migrate` (which resumes it) and the console's 'm' (which
 * names it before starting anything).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_RUNINFO_H
#define PANTRY_RUNINFO_H

#include <libpq-fe.h>
#include <stdbool.h>

struct run_info {
    long long id;
    char *source;   /* the locator the run was given */
    char *status;   /* running, done, interrupted, failed */
};

/* 1 with *out filled (free with run_info_free), 0 when the target records
 * no run, -1 with *err when it cannot be read (no schema, no connection). */
int run_info_last(PGconn *conn, struct run_info *out, char **err);
void run_info_free(struct run_info *r);
/* A run that did not end as done resumes from its checkpoints. */
bool run_info_unfinished(const struct run_info *r);

#endif
