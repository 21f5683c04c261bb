/* dashboard.h - the console's Dashboard pane: the numbers of stats.h as
 * terminal charts (horizontal bars, a column chart of the weeks), read
 * from the summary every 5 s while shown, recomputed on 'r'.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_DASHBOARD_H
#define PANTRY_DASHBOARD_H

#include "app.h"
#include "stats.h"

/* Seconds between two reads of the summary while the pane is shown. */
#define DASHBOARD_PERIOD 5.0
/* Age past which a shown summary is recomputed, by a detached process. */
#define DASHBOARD_RECOMPUTE_S 600.0

struct pane *dashboard_pane_new(struct app *app);
/* Shows these numbers, as if read (render tests); p is the dashboard pane. */
void dashboard_set(struct pane *p, const struct stats *s);

#endif
