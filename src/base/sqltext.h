/* sqltext.h - building SQL text safely where parameters cannot go:
 * identifiers (from our contract or a catalog) and array literals that are
 * then passed as ONE bound parameter.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SQLTEXT_H
#define PANTRY_SQLTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends "name" with embedded quotes doubled. */
void sql_add_ident(struct strbuf *sb, const char *name);

/* Appends one quoted element of a PostgreSQL array literal ("{…}"),
 * preceded by a comma unless first. */
void sql_add_array_elem(struct strbuf *sb, const char *s, size_t n, bool first);

#endif
