/* clock.c - the one clock of the program (see clock.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "clock.h"

#include <time.h>

static double read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_mono_s(void) { return read_clock(CLOCK_MONOTONIC); }
double clock_mono_ms(void) { return read_clock(CLOCK_MONOTONIC) * 1e3; }
double clock_wall_s(void) { return read_clock(CLOCK_REALTIME); }

void clock_sleep_s(double s, const volatile sig_atomic_t *stop)
{
    double end = clock_mono_s() + s;
    while (!stop || !*stop) {
        double left = end - clock_mono_s();
        if (left <= 0)
            break;
        if (left > 0.1)
            left = 0.1;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}
