/* copybin.c - COPY's binary format for canonical values (see copybin.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "copybin.h"
#include "keyset.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum copybin_kind copybin_kind_of(const char *typname, char typtype, bool utc)
{
    if (typtype == 'e')
        return COPYBIN_BYTES;   /* an enum travels as its label */
    static const struct {
        const char *name;
        enum copybin_kind kind;
    } map[] = {
        {"text", COPYBIN_BYTES},   {"varchar", COPYBIN_BYTES}, {"json", COPYBIN_BYTES},
        {"uuid", COPYBIN_UUID},    {"timestamp", COPYBIN_TIMESTAMP},
        {"bool", COPYBIN_BOOL},    {"int4", COPYBIN_INT4},     {"int8", COPYBIN_INT8},
        {"float8", COPYBIN_FLOAT8}, {"numeric", COPYBIN_NUMERIC}, {"jsonb", COPYBIN_JSONB},
    };
    if (strcmp(typname, "timestamptz") == 0)
        return utc ? COPYBIN_TIMESTAMP : COPYBIN_NONE;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(typname, map[i].name) == 0)
            return map[i].kind;
    return COPYBIN_NONE;
}

static void put_be(struct strbuf *out, uint64_t v, int bytes)
{
    char b[8];
    for (int i = bytes - 1; i >= 0; i--) {
        b[i] = (char)(v & 0xFF);
        v >>= 8;
    }
    sb_addn(out, b, (size_t)bytes);
}

void copybin_header(struct strbuf *out)
{
    sb_addn(out, "PGCOPY\n\377\r\n\0", 11);
    put_be(out, 0, 4);  /* flags: no OIDs */
    put_be(out, 0, 4);  /* no header extension */
}

void copybin_trailer(struct strbuf *out) { put_be(out, 0xFFFF, 2); }

void copybin_row_start(struct strbuf *out, size_t nfields) { put_be(out, nfields, 2); }

void copybin_null(struct strbuf *out) { put_be(out, 0xFFFFFFFFu, 4); }

static bool digits_at(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* "YYYY-MM-DD HH:MM:SS[.f{1,6}]", as datetime_parse writes it. */
static bool encode_timestamp(struct strbuf *out, const char *s, size_t len)
{
    int y, mo, d, h, mi, se, frac = 0;
    if (len < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':'
        || !digits_at(s, 4, &y) || !digits_at(s + 5, 2, &mo) || !digits_at(s + 8, 2, &d)
        || !digits_at(s + 11, 2, &h) || !digits_at(s + 14, 2, &mi) || !digits_at(s + 17, 2, &se))
        return false;
    if (len > 19) {
        size_t nf = len - 20;
        if (s[19] != '.' || nf < 1 || nf > 6 || !digits_at(s + 20, nf, &frac))
            return false;
        for (size_t k = nf; k < 6; k++)
            frac *= 10;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59)
        return false;
    /* PostgreSQL counts from 2000-01-01, 10,957 days after 1970-01-01. */
    int64_t days = days_from_civil(y, mo, d) - 10957;
    int64_t us = ((days * 24 + h) * 60 + mi) * 60 + se;
    us = us * 1000000 + frac;
    put_be(out, 8, 4);
    put_be(out, (uint64_t)us, 8);
    return true;
}

static bool encode_int(struct strbuf *out, const char *s, size_t len, int bytes)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    i += neg;
    if (i == len || len - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    uint64_t limit = bytes == 4 ? (uint64_t)INT32_MAX : (uint64_t)INT64_MAX;
    if (v > limit + neg)
        return false;
    uint64_t bits = neg ? (uint64_t)0 - v : v;
    put_be(out, (uint64_t)bytes, 4);
    put_be(out, bytes == 4 ? (bits & 0xFFFFFFFFu) : bits, bytes);
    return true;
}

/* A plain decimal literal only: anything else (Infinity, NaN, blanks) is
 * left to PostgreSQL's own reading, through a text COPY. */
static bool encode_float8(struct strbuf *out, const char *s, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", s[i]) || s[i] == '\0')
            return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + len || (errno == ERANGE && (v == 0 || isinf(v))))
        return false;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_be(out, 8, 4);
    put_be(out, bits, 8);
    return true;
}

/* "[-]digits[.digits]" as base-10000 groups about the decimal point. */
static bool encode_numeric(struct strbuf *out, const char *s, size_t len)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    i += neg;
    size_t int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t nint = i - int_start, frac_start = i, nfrac = 0;
    if (i < len) {
        if (s[i] != '.')
            return false;
        frac_start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        nfrac = i - frac_start;
        if (nfrac == 0)
            return false;
    }
    if (i != len || nint + nfrac == 0 || nint > 64 || nfrac > 64)
        return false;
    /* the integer digits padded on the left, the fraction on the right,
     * to whole groups of four */
    size_t lead = (4 - nint % 4) % 4, gint = (nint + lead) / 4, gfrac = (nfrac + 3) / 4;
    int16_t groups[40];
    size_t ng = gint + gfrac;
    for (size_t g = 0; g < ng; g++) {
        int v = 0;
        for (size_t k = 0; k < 4; k++) {
            size_t pos = g * 4 + k;   /* in the padded digit string */
            char c = '0';
            if (pos < lead + nint) {
                if (pos >= lead)
                    c = s[int_start + pos - lead];
            } else if (pos - lead - nint < nfrac) {
                c = s[frac_start + pos - lead - nint];
            }
            v = v * 10 + (c - '0');
        }
        groups[g] = (int16_t)v;
    }
    int weight = (int)gint - 1;
    size_t first = 0, last = ng;
    while (first < last && groups[first] == 0) {
        first++;
        weight--;
    }
    while (last > first && groups[last - 1] == 0)
        last--;
    size_t nd = last - first;
    if (nd == 0)
        weight = 0;
    uint16_t sign = nd && neg ? 0x4000 : 0x0000;
    put_be(out, 8 + 2 * nd, 4);
    put_be(out, nd, 2);
    put_be(out, (uint16_t)(int16_t)weight, 2);
    put_be(out, sign, 2);
    put_be(out, nfrac, 2);
    for (size_t g = first; g < last; g++)
        put_be(out, (uint16_t)groups[g], 2);
    return true;
}

bool copybin_field(struct strbuf *out, enum copybin_kind kind, const char *s, size_t len)
{
    switch (kind) {
    case COPYBIN_NONE:
        return false;
    case COPYBIN_BYTES:
        if (len > INT32_MAX)
            return false;
        put_be(out, len, 4);
        sb_addn(out, s, len);
        return true;
    case COPYBIN_JSONB:
        if (len >= INT32_MAX)
            return false;
        put_be(out, len + 1, 4);
        sb_addc(out, 1);    /* jsonb's binary format: version 1, then the text */
        sb_addn(out, s, len);
        return true;
    case COPYBIN_UUID: {
        unsigned char u[16];
        if (!keyset_parse_uuid(s, len, u))
            return false;
        put_be(out, 16, 4);
        sb_addn(out, (const char *)u, 16);
        return true;
    }
    case COPYBIN_TIMESTAMP:
        return encode_timestamp(out, s, len);
    case COPYBIN_BOOL:
        if (len != 1 || (s[0] != 't' && s[0] != 'f'))
            return false;
        put_be(out, 1, 4);
        sb_addc(out, s[0] == 't' ? 1 : 0);
        return true;
    case COPYBIN_INT4:
        return encode_int(out, s, len, 4);
    case COPYBIN_INT8:
        return encode_int(out, s, len, 8);
    case COPYBIN_FLOAT8:
        return encode_float8(out, s, len);
    case COPYBIN_NUMERIC:
        return encode_numeric(out, s, len);
    }
    return false;
}
