/* console.h - the ncurses console (the front end).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CONSOLE_H
#define PANTRY_CONSOLE_H

#include <stdbool.h>

struct console_opts {
    const char *conninfo;   /* NULL: libpq defaults */
    bool read_only;
    const char *state_path; /* NULL: $XDG_STATE_HOME/pantrycrm/state.db */
};

/* Runs the console until the user quits; returns the exit status. */
int console_main(const struct console_opts *opts);

/* `pantrycrm keys`: prints the key table (the same one the console uses). */
int console_keys(int argc, char **argv, const char *prefix);

#endif
