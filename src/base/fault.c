/* fault.c - deterministic interruptions for the crash tests (see fault.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "fault.h"
#include "util.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char fault_name[64];
static long fault_nth;
static int fault_signal;        /* 0: hold instead of signalling */
static char fault_hold[4096];   /* HOLD=FILE: wait while FILE exists */
static atomic_long fault_hits;

int fault_init(char **err)
{
    const char *v = getenv("PANTRYCRM_FAULT");
    fault_name[0] = '\0';
    atomic_store(&fault_hits, 0);
    if (!v || !*v)
        return 0;
    fault_hold[0] = '\0';
    size_t n = strcspn(v, "@:");
    const char *p = v + n;
    long nth = 1;
    int sig = SIGKILL;
    if (*p == '@') {
        char *end;
        nth = strtol(p + 1, &end, 10);
        p = end;
    }
    if (*p == ':') {
        p++;
        if (strcmp(p, "KILL") == 0)
            sig = SIGKILL;
        else if (strcmp(p, "INT") == 0)
            sig = SIGINT;
        else if (strcmp(p, "TERM") == 0)
            sig = SIGTERM;
        else if (strcmp(p, "STOP") == 0)
            sig = SIGSTOP;
        else if (strncmp(p, "HOLD=", 5) == 0 && p[5] && strlen(p + 5) < sizeof fault_hold) {
            sig = 0;
            strcpy(fault_hold, p + 5);
        } else
            p = "?";
        if (*p != '?')
            p += strlen(p);
    }
    if (n == 0 || n >= sizeof fault_name || nth < 1 || *p) {
        *err = xasprintf("PANTRYCRM_FAULT=%s: expected POINT[@N][:KILL|INT|TERM|STOP|HOLD=FILE]", v);
        return -1;
    }
    memcpy(fault_name, v, n);
    fault_name[n] = '\0';
    fault_nth = nth;
    fault_signal = sig;
    return 0;
}

void fault_point(const char *name)
{
    if (!fault_name[0] || strcmp(name, fault_name) != 0)
        return;
    long hit = atomic_fetch_add(&fault_hits, 1) + 1;
    if (fault_signal == 0) {
        /* Only the passing thread waits: the others go on, so a run held
         * here still sees a console's pause or stop. */
        const struct timespec tick = {0, 10 * 1000 * 1000};
        while (hit >= fault_nth && access(fault_hold, F_OK) == 0)
            nanosleep(&tick, NULL);
    } else if (hit == fault_nth) {
        raise(fault_signal);
    }
}
