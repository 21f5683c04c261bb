/* health.h (ui) - the console's Health pane: the report of
 * src/ops/health.h, its checks run one query at a time on the console's
 * asynchronous connection (the source's on a thread), every 5 s while
 * shown and on 'r'; the last complete report stays on screen while the
 * next is gathered.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_UI_HEALTH_H
#define PANTRY_UI_HEALTH_H

#include "app.h"

struct health;

#define HEALTH_PANE_PERIOD 5.0

struct pane *health_pane_new(struct app *app);
/* Shows this report, as if gathered (render tests); p is the health pane. */
void health_pane_set(struct pane *p, const struct health *h);

#endif
