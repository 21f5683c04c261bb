/* progress.c - see progress.h.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "progress.h"

#include <stdarg.h>
#include <stdlib.h>

void progress_say(const struct progress *p, const char *fmt, ...)
{
    if (!p || !p->line)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    p->line(p->arg, text);
    free(text);
}
