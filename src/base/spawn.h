/* spawn.h - starting a pantrycrm subcommand detached from the console.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SPAWN_H
#define PANTRY_SPAWN_H

#include <stdbool.h>

/* Runs this same program as `pantrycrm [-d conninfo] args...` in its own
 * session (it goes on when the console quits or the SSH session drops),
 * stdin from /dev/null, stdout and stderr appended to state_path +
 * log_suffix (mode 0600). False with *err when it could not be started. */
bool spawn_detached(const char *state_path, const char *log_suffix, const char *conninfo,
                    const char *const *args, char **err);

#endif
