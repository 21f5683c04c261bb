/* console.h - the ncurses console (the front end).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CONSOLE_H
#define PANTRY_CONSOLE_H

#include <stdbool.h>

struct console_opts {
    const char *conninfo;   /* NULL: libpq defaults */
    bool read_only;
};

/* Runs the console until the user quits; returns the exit status. */
int console_main(const struct console_opts *opts);

#endif
