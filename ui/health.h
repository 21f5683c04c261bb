/* health.h (ui) - the console's Health pane: the report of src/health.h,
 * its checks run one query at a time on the console's asynchronous
 * connection, every 5 s while shown and on 'r'; the last complete report
 * stays on screen while the next is gathered.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_UI_HEALTH_H
#define PANTRY_UI_HEALTH_H

#include <libpq-fe.h>

#include "keymap.h"

struct app;
struct health;

#define HEALTH_PANE_PERIOD 5.0

void health_pane_free(struct app *app);
void health_pane_tick(struct app *app, double now);
void health_pane_action(struct app *app, enum action a);
void health_pane_on_result(struct app *app, PGresult *res, const char *error);
void health_pane_draw(struct app *app, int y, int x, int h, int w);
/* Shows this report, as if gathered (render tests). */
void health_pane_set(struct app *app, const struct health *h);

#endif
