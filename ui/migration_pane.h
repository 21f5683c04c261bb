/* migration_pane.h - the Migration pane: follows the last run recorded in
 * the state file (any terminal's), starts, pauses, resumes and stops runs
 * as detached processes, and shows the pre-flight panel (assess_panel.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_MIGRATION_PANE_H
#define PANTRY_MIGRATION_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "fallback.h"
#include "state.h"

struct mig_view {
    struct state_run run;
    bool found;
    struct state_table_progress tables[16];
    size_t ntables;
    double spark[64];
    size_t nspark;
    double read_at;
    char error[256];
    struct state_sync sync;     /* the last `pantrycrm sync` round */
    bool have_sync;
    struct fallback_round_state fb; /* the last `pantrycrm fallback` round */
    bool have_fb;
};

struct pane *migration_pane_new(struct app *app);
/* The pane's view of the run, or NULL for another pane (render tests). */
struct mig_view *migration_pane_view(struct pane *p);

#endif
