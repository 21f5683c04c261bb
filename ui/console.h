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

struct app;

/* The panes of the registry, made and freed (render tests make them too). */
void console_panes_new(struct app *app);
void console_panes_free(struct app *app);
/* Colour roles for the current terminal, and one full paint of the model
 * (the loop calls it; render tests call it on newterm). */
void console_theme_init(struct app *app);
void console_render(struct app *app);

/* `pantrycrm keys`: prints the key table (the same one the console uses). */
int console_keys(int argc, char **argv, const char *prefix);

#endif
