/* fault.h - deterministic interruptions for the crash tests.
 *
 * PANTRYCRM_FAULT=POINT[@N][:SIGNAL] makes the process signal itself the
 * N-th time (default 1) it passes the named point: SIGNAL is KILL (the
 * default, as after a power cut or kill -9), INT (as after Ctrl-C), TERM,
 * or STOP (the test then acts while the process is frozen at that point,
 * say drops its connections, and sends SIGCONT).
 * PANTRYCRM_FAULT=POINT[@N]:HOLD=FILE instead makes the thread that passes
 * the point, the N-th time and every time after, wait there while FILE
 * exists; the process's other threads go on. A test holds a run in the
 * middle for as long as it needs, whatever the machine's speed.
 * Tests use it to interrupt a run at every phase boundary without relying
 * on timing. Unset, a point costs one load and one compare.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_FAULT_H
#define PANTRY_FAULT_H

/* Reads PANTRYCRM_FAULT; call once at start-up, before threads. A malformed
 * value is an error message, so a typo cannot make a crash test pass. */
int fault_init(char **err);

/* Passes the named point; may not return (KILL) or may return after the
 * signal handler ran (INT, TERM). Thread-safe. */
void fault_point(const char *name);

#endif
