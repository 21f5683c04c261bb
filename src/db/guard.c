/* guard.c - read-only, decided and enforced in one place (see guard.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "guard.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static const char *read_only_why;

void guard_set_read_only(const char *why)
{
    if (!read_only_why)
        read_only_why = why && *why ? why : "read-only";
}

bool guard_read_only(void)
{
    return read_only_why != NULL;
}

bool guard_write(const char *what, char **err)
{
    if (!read_only_why)
        return true;
    if (err)
        *err = xasprintf("read-only (%s): %s is refused", read_only_why, what);
    return false;
}
