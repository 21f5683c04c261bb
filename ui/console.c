/* console.c - the ncurses console.
 *
 * The full CRM workspace (panes, tables, editing, live migration) is the
 * next milestone. What exists now is the shell's contract: a terminal is
 * required, and without one the program says so and exits 2 instead of
 * drawing into a pipe.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "console.h"

#include <stdio.h>
#include <unistd.h>

int console_main(const struct console_opts *opts)
{
    (void)opts;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "pantrycrm: the console needs a terminal; for scripts use a "
                        "subcommand (see 'pantrycrm --help')\n");
        return 2;
    }
    fprintf(stderr, "pantrycrm: the interactive console is not in this version yet; "
                    "see 'pantrycrm --help' for the subcommands\n");
    return 2;
}
