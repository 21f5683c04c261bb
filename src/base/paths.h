/* paths.h - where pantrycrm keeps and finds its files.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PATHS_H
#define PANTRY_PATHS_H

#include <stdbool.h>
#include <sys/types.h>

/* $XDG_DATA_HOME/pantrycrm (default ~/.local/share/pantrycrm). Caller frees. */
char *paths_data_home(void);
/* $XDG_STATE_HOME/pantrycrm (default ~/.local/state/pantrycrm). Caller frees. */
char *paths_state_home(void);
/* $XDG_CONFIG_HOME/pantrycrm (default ~/.config/pantrycrm). Caller frees. */
char *paths_config_home(void);

/* The directory holding the program's shipped data (sql/, defaults):
 * $PANTRYCRM_DATADIR, else the source tree when running from the build tree,
 * else the installed pkgdatadir. Caller frees. */
char *paths_pkgdata(void);

/* The directory part of path, as dirname(1) gives it ("." without a
 * slash, "/" for a file at the root). Caller frees. */
char *paths_dirname(const char *path);

/* mkdir -p with the given mode for every component created. 0 or -1/errno. */
int paths_mkdir_p(const char *path, mode_t mode);

/* True when every directory from / down to path can be searched by "others",
 * so that a server running as another user can reach it. */
bool paths_world_traversable(const char *path);

#endif
