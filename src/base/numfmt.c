/* numfmt.c - numbers for reading (see numfmt.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "numfmt.h"

#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *numfmt_thousands_sep(void)
{
    static char sep[8];
    static bool known;
    if (!known) {
        known = true;
        locale_t loc = newlocale(LC_NUMERIC_MASK, "", (locale_t)0);
        if (loc) {
            const char *s = nl_langinfo_l(THOUSEP, loc);
            snprintf(sep, sizeof sep, "%s", s ? s : "");
            freelocale(loc);
        }
    }
    return sep;
}

void numfmt_decimal(const char *num, int places, const char *sep, char *out, size_t size)
{
    if (size == 0)
        return;
    const char *p = num;
    bool neg = *p == '-';
    if (neg)
        p++;
    size_t nint = strspn(p, "0123456789");
    const char *frac = p + nint;
    size_t nfrac = 0;
    if (*frac == '.') {
        frac++;
        nfrac = strspn(frac, "0123456789");
    }
    if (nint == 0 || frac[nfrac] != '\0' || places < 0 || places > 9 || nint > 40) {
        snprintf(out, size, "%s", num);
        return;
    }
    /* digits: integer part then `places` decimals, rounded on the next */
    char digits[64];
    size_t n = 0;
    memcpy(digits, p, nint);
    n = nint;
    for (int i = 0; i < places; i++)
        digits[n++] = (size_t)i < nfrac ? frac[i] : '0';
    if ((size_t)places < nfrac && frac[places] >= '5') {
        size_t i = n;
        while (i > 0 && digits[i - 1] == '9')
            digits[--i] = '0';
        if (i == 0) {
            memmove(digits + 1, digits, n);
            digits[0] = '1';
            n++;
            nint++;
        } else {
            digits[i - 1]++;
        }
    }
    char buf[160];
    size_t b = 0;
    size_t seplen = strlen(sep);
    if (neg)
        buf[b++] = '-';
    for (size_t i = 0; i < nint; i++) {
        buf[b++] = digits[i];
        size_t left = nint - 1 - i;
        if (left > 0 && left % 3 == 0 && seplen && b + seplen < sizeof buf - 16) {
            memcpy(buf + b, sep, seplen);
            b += seplen;
        }
    }
    if (places > 0) {
        buf[b++] = '.';
        memcpy(buf + b, digits + nint, (size_t)places);
        b += (size_t)places;
    }
    buf[b] = '\0';
    snprintf(out, size, "%s", buf);
}

void numfmt_count(int64_t v, const char *sep, char *out, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    numfmt_decimal(raw, 0, sep, out, size);
}

void numfmt_bytes_compact(double b, char *out, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    /* no libm: the program does not link it for two calls */
    while ((b < 0 ? -b : b) >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    double frac = b - (double)(long long)b;
    if (frac < 0.05 || frac > 0.95)
        snprintf(out, size, "%.0f%s", b, units[u]);
    else
        snprintf(out, size, "%.1f%s", b, units[u]);
}

void numfmt_bytes_fixed(int64_t b, char *out, size_t size)
{
    if (b >= 1024LL * 1024 * 1024)
        snprintf(out, size, "%.1f GB", (double)b / (1024.0 * 1024 * 1024));
    else if (b >= 1024 * 1024)
        snprintf(out, size, "%.1f MB", (double)b / (1024.0 * 1024));
    else
        snprintf(out, size, "%.1f kB", (double)b / 1024.0);
}
