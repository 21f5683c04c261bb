/* proc.h - running helper programs (initdb, pg_ctl) and capturing their output.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PROC_H
#define PANTRY_PROC_H

#include "util.h"

/* Runs argv[0] (searched in PATH) with argv, waits, and returns its exit
 * status (0..255), 128+signal when killed, or -1 when it could not start.
 * When as_user is non-NULL and we are root, the command runs through
 * `runuser -u as_user --`. Combined stdout and stderr go to out when it is
 * non-NULL, else to our stderr. */
int proc_run(const char *const argv[], const char *as_user, struct strbuf *out);

/* True when argv0 is an executable file (absolute path). */
int proc_is_executable(const char *path);

#endif
