/* userconf.h - the user's configuration file, which pantrycrm reads and
 * never writes (what it learns at run time goes to the state file).
 *
 *   # $XDG_CONFIG_HOME/pantrycrm/config
 *   read-only = true          # open the console read-only by default
 *   color = auto | never | always
 *   key.PAGE_DOWN = PgDn Space ^F     # rebind an action (names as in `pantrycrm keys`)
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_USERCONF_H
#define PANTRY_USERCONF_H

#include <stdbool.h>
#include <stddef.h>

enum config_color { CONFIG_COLOR_AUTO, CONFIG_COLOR_NEVER, CONFIG_COLOR_ALWAYS };

struct config_binding {
    char *action;       /* "PAGE_DOWN" */
    char *keys;         /* "PgDn Space ^F" */
    int line;
};

struct config {
    char *path;
    bool read_only;
    enum config_color color;
    struct config_binding *bindings;
    size_t nbindings;
};

/* $XDG_CONFIG_HOME/pantrycrm/config. Caller frees. */
char *config_default_path(void);

/* Reads path into cfg (defaults first). A missing file is no error.
 * Unknown keys and bad values stop with "FILE:LINE: message" in *err:
 * a typo must not silently leave a support session writable. */
int config_load(const char *path, struct config *cfg, char **err);
void config_free(struct config *cfg);

#endif
