/* clock.h - the one clock of the program.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
 *
 * Durations and deadlines use the monotonic clock, which a change of the
 * system time cannot move; only times shown to a person or stored beside a
 * run use the wall clock. */
#ifndef PANTRY_CLOCK_H
#define PANTRY_CLOCK_H

#include <signal.h>

/* Seconds on the monotonic clock (an arbitrary origin: subtract two). */
double clock_mono_s(void);
/* The same in milliseconds. */
double clock_mono_ms(void);
/* Seconds since the Unix epoch. */
double clock_wall_s(void);

/* Sleeps s seconds, or less: returns within 0.1 s of *stop becoming set
 * (a signal handler's flag; NULL: none). */
void clock_sleep_s(double s, const volatile sig_atomic_t *stop);

#endif
