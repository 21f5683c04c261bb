/* progress.h - lines of progress from the core ("applied 0003_x.sql",
 * "creating the demo cluster in ..."): the core says them, its caller
 * decides where they go (the command line prints them on stdout; the demo
 * passes none). The core never writes to a terminal itself.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PROGRESS_H
#define PANTRY_PROGRESS_H

#include "util.h"

struct progress {
    void (*line)(void *arg, const char *text);  /* one line, without its newline */
    void *arg;
};

/* Formats one line and hands it on; nothing when p is NULL. */
void progress_say(const struct progress *p, const char *fmt, ...) PANTRY_PRINTF(2, 3);

#endif
