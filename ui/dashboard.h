/* dashboard.h - the console's Dashboard pane: the numbers of stats.h as
 * terminal charts (horizontal bars, a column chart of the weeks), read
 * from the summary every 5 s while shown, recomputed on 'r'.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_DASHBOARD_H
#define PANTRY_DASHBOARD_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "keymap.h"
#include "stats.h"

struct app;

/* Seconds between two reads of the summary while the pane is shown. */
#define DASHBOARD_PERIOD 5.0
/* Age past which a shown summary is recomputed, by a detached process. */
#define DASHBOARD_RECOMPUTE_S 600.0

void dashboard_free(struct app *app);
/* Sends the next query when the connection is free and one is due. */
void dashboard_tick(struct app *app, double now);
void dashboard_action(struct app *app, enum action a);
/* The answer of the query this pane sent (res NULL and error on failure). */
void dashboard_on_result(struct app *app, PGresult *res, const char *error);
void dashboard_draw(struct app *app, int y, int x, int h, int w);
/* Shows these numbers, as if read (render tests). */
void dashboard_set(struct app *app, const struct stats *s);

/* Formatting shared with the health pane: 1234567 -> "1,234,567";
 * 1234567.8 -> "1.2M". */
void ui_fmt_count(char *buf, size_t size, long long n);
void ui_fmt_money(char *buf, size_t size, double v);

#endif
