/* gen_format.c - dates and identifiers as the legacy database spells them:
 * DATETIME2 text, UUIDs, cuids and cents.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Dates and identifiers as the legacy database spells them.
 * ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t gen_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}


/* DATETIME2 text, UTC, 7 fractional digits. frac7 is in units of 100 ns. */
void gen_fmt_datetime2(char *out, int64_t secs, uint32_t frac7)
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = put_digits(out, (uint64_t)y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = ' ';
    p = put_digits(p, (uint64_t)(sod / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(sod / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (uint64_t)(sod % 60), 2);
    *p++ = '.';
    p = put_digits(p, frac7, 7);
    *p = '\0';
}

const char hexdig_lo[] = "0123456789abcdef", hexdig_up[] = "0123456789ABCDEF";
const char base36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* A version-4 UUID string (36 chars) from 128 hashed bits. */
void gen_fmt_uuid(char *out, uint64_t hi, uint64_t lo, bool upper)
{
    const char *hx = upper ? hexdig_up : hexdig_lo;
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);                /* version 4 */
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);          /* RFC 4122 variant */
    unsigned char b[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hx[b[i] >> 4];
        *p++ = hx[b[i] & 15];
    }
    *p = '\0';
}

static char *put_base36(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = base36[v % 36];
        v /= 36;
    }
    return p + width;
}

/* A cuid (v1): 'c', 8 base36 digits of a millisecond timestamp, 4 of a
 * counter, 4 of a fingerprint and 8 random ones, 25 characters in all. */
void gen_fmt_cuid(char *out, int64_t ms, uint64_t h1, uint64_t h2)
{
    char *p = out;
    *p++ = 'c';
    p = put_base36(p, (uint64_t)ms, 8);
    p = put_base36(p, h1 % (36ULL * 36 * 36 * 36), 4);
    p = put_base36(p, (h1 >> 24) % (36ULL * 36 * 36 * 36), 4);
    p = put_base36(p, h2, 8);
    *p = '\0';
}

/* Exact decimal text with two decimals, never through a float. */
size_t gen_fmt_cents(char *out, int64_t cents)
{
    return (size_t)snprintf(out, 32, "%s%" PRId64 ".%02d", cents < 0 ? "-" : "",
                            (cents < 0 ? -cents : cents) / 100,
                            (int)((cents < 0 ? -cents : cents) % 100));
}

