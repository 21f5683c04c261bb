/* guard.h - read-only, decided and enforced in one place.
 *
 * --read-only, `read-only = true` in the configuration, or a role that
 * cannot write turn the guard on. Every path that writes anything (the
 * target database, the demo's, run control of a migration) asks
 * guard_write() before it starts; the console's keys and the headless
 * commands alike. The refusal comes before any statement is sent, so it
 * needs no session setting at the server (which a transaction pooler such
 * as PgBouncer would not keep).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_GUARD_H
#define PANTRY_GUARD_H

#include <stdbool.h>

/* Turns read-only on; why says who asked ("--read-only", "the
 * configuration", "the role cannot write"). The first reason is kept. */
void guard_set_read_only(const char *why);
bool guard_read_only(void);

/* True when `what` (e.g. "quarantine accept") may write. Otherwise false,
 * with *err = "read-only (WHY): WHAT is refused" (caller frees). */
bool guard_write(const char *what, char **err);

#endif
