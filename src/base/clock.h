/* clock.h - the one clock of the program.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
 *
 * Durations and deadlines use the monotonic clock, which a change of the
 * system time cannot move; only times shown to a person or stored beside a
 * run use the wall clock. */
#ifndef PANTRY_CLOCK_H
#define PANTRY_CLOCK_H

/* Seconds on the monotonic clock (an arbitrary origin: subtract two). */
double clock_mono_s(void);
/* The same in milliseconds. */
double clock_mono_ms(void);
/* Seconds since the Unix epoch. */
double clock_wall_s(void);

#endif
