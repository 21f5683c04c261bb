/* source_sqlite.h - a legacy database exported to (or generated as) SQLite.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SOURCE_SQLITE_H
#define PANTRY_SOURCE_SQLITE_H

#include "source.h"

/* Opens path read-only; NULL with *err when it is missing or not SQLite. */
struct source *source_sqlite_open(const char *path, char **err);

#endif
