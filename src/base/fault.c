/* fault.c - deterministic interruptions for the crash tests (see fault.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "fault.h"
#include "util.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static char fault_name[64];
static long fault_nth;
static int fault_signal;
static atomic_long fault_hits;

int fault_init(char **err)
{
    const char *v = getenv("PANTRYCRM_FAULT");
    fault_name[0] = '\0';
    atomic_store(&fault_hits, 0);
    if (!v || !*v)
        return 0;
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
        else
            p = "?";
        if (*p != '?')
            p += strlen(p);
    }
    if (n == 0 || n >= sizeof fault_name || nth < 1 || *p) {
        *err = xasprintf("PANTRYCRM_FAULT=%s: expected POINT[@N][:KILL|INT|TERM|STOP]", v);
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
    if (atomic_fetch_add(&fault_hits, 1) + 1 == fault_nth)
        raise(fault_signal);
}
