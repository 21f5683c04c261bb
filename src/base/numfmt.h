/* numfmt.h - numbers and dates as people read them in a table: a decimal
 * with a fixed number of places and the locale's thousands separator.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_NUMFMT_H
#define PANTRY_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* The thousands separator of the user's LC_NUMERIC (LC_ALL, LANG), which
 * main() keeps at "C" for the program's own use: "" when it has none
 * (C, C.UTF-8), "," for en_US, "." for de_DE … Never NULL. */
const char *numfmt_thousands_sep(void);

/* Writes the decimal text num (as PostgreSQL prints numeric: -?digits
 * [.digits]) with exactly `places` decimals (rounded half away from zero)
 * and sep between groups of three digits. Anything else is copied as it
 * is. out always ends with NUL. */
void numfmt_decimal(const char *num, int places, const char *sep, char *out, size_t size);

/* A whole number with sep between groups of three digits: "-1,234,567". */
void numfmt_count(int64_t v, const char *sep, char *out, size_t size);

/* Byte sizes in units of 1024, in the two forms the reports use: compact,
 * for table columns ("256MB", "1.5GB": no decimal when it is near whole),
 * and fixed, for sentences ("1.5 GB", "0.3 kB": always one decimal, kB at
 * the least). */
void numfmt_bytes_compact(double bytes, char *out, size_t size);
void numfmt_bytes_fixed(int64_t bytes, char *out, size_t size);

#endif
