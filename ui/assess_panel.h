/* assess_panel.h - the migration pane's pre-flight panel: runs `pantrycrm
 * assess` detached and shows the summary of its last result.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ASSESS_PANEL_H
#define PANTRY_ASSESS_PANEL_H

#include "app.h"

struct assess_panel;

/* One panel, owned by the migration pane. */
struct assess_panel *assess_panel_new(void);
void assess_panel_free(struct assess_panel *panel);
/* Starts an assessment of source in the background (it goes on if the
 * console quits); the result lands beside the state file. */
void assess_panel_start(struct assess_panel *panel, struct app *app, const char *source);
/* Lines the panel wants (0 when there is nothing to show). */
int assess_panel_lines(struct assess_panel *panel, struct app *app);
void assess_panel_draw(struct assess_panel *panel, struct app *app, int y, int x, int h, int w);

#endif
