/* sqltext.c - identifiers and array literals.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sqltext.h"

void sql_add_ident(struct strbuf *sb, const char *name)
{
    sb_addc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_addc(sb, '"');
        sb_addc(sb, *p);
    }
    sb_addc(sb, '"');
}

void sql_add_array_elem(struct strbuf *sb, const char *s, size_t n, bool first)
{
    if (!first)
        sb_addc(sb, ',');
    sb_addc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            sb_addc(sb, '\\');
        sb_addc(sb, s[i]);
    }
    sb_addc(sb, '"');
}
