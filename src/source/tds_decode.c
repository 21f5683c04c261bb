/* tds_decode.c - SQL Server values in the representation the SQLite source
 * gives for the same data: integers and BIT as decimal text, FLOAT as %.17g,
 * DECIMAL/NUMERIC from DBNUMERIC's magnitude to exact decimal text (never
 * through a double), DATETIME2 with all 7 digits, uniqueidentifier from its
 * fields, and text from the UTF-16LE of its VARBINARY(MAX) cast, lone
 * surrogates and NUL kept (see tds_private.h and source_tds.c).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tds_private.h"
#include "util.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_utf8(struct strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) { /* a lone surrogate lands here: ED A0..BF xx */
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_addn(out, b, n);
}

/* UTF-16LE to UTF-8 that cannot fail: pairs join, lone surrogates keep
 * their code unit in the 3-byte form the engine's repair recognises, NUL
 * stays a NUL byte, and an odd last byte is passed on as an invalid byte. */
static void utf16le_to_utf8(const unsigned char *p, size_t len, struct strbuf *out)
{
    size_t i = 0;
    while (i + 1 < len) {
        uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        i += 2;
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < len) {
            uint32_t lo = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
            if (lo >= 0xDC00 && lo < 0xE000) {
                put_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        put_utf8(out, u);
    }
    if (i < len)
        sb_addc(out, (char)p[i]);
}

/* FreeTDS keeps a DBNUMERIC's magnitude big-endian in array[1..n], n by
 * precision (its tds_numeric_bytes_per_prec, minus the sign byte). */
static const unsigned char numeric_bytes[39] = {
    1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 9, 9, 9,
    10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 16, 16, 16, 17, 17,
};

/* Exact decimal text of a big-endian magnitude with scale digits after the
 * point (integer arithmetic only). */
static void decimal_text(const unsigned char *mag, size_t n, int scale, bool negative,
                         struct strbuf *out)
{
    unsigned char m[33];
    memcpy(m, mag, n);
    char digits[100];
    size_t nd = 0;
    bool zero;
    do { /* divide by 10, collecting remainders */
        unsigned rem = 0;
        zero = true;
        for (size_t i = 0; i < n; i++) {
            unsigned cur = rem * 256 + m[i];
            m[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
            if (m[i])
                zero = false;
        }
        digits[nd++] = (char)('0' + rem);
    } while (!zero && nd < sizeof digits - 1);
    while (nd <= (size_t)scale)
        digits[nd++] = '0';
    bool all_zero = true;
    for (size_t i = 0; i < nd; i++)
        if (digits[i] != '0')
            all_zero = false;
    if (negative && !all_zero)
        sb_addc(out, '-');
    for (size_t i = nd; i-- > 0;) {
        sb_addc(out, digits[i]);
        if (i == (size_t)scale && scale > 0)
            sb_addc(out, '.');
    }
}

static void numeric_text(const DBNUMERIC *v, struct strbuf *out)
{
    int prec = v->precision < 1 ? 1 : v->precision > 38 ? 38 : v->precision;
    size_t n = numeric_bytes[prec] - 1u;
    decimal_text(v->array + 1, n, v->scale, v->array[0] == 1, out);
}

static void money_text(int64_t units, struct strbuf *out)
{
    /* 1/10000 of the currency unit */
    uint64_t a = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    sb_addf(out, "%s%" PRIu64 ".%04u", units < 0 ? "-" : "", a / 10000, (unsigned)(a % 10000));
}

/* Days since 1900-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days1900, int *y, unsigned *m, unsigned *d)
{
    int64_t z = days1900 - 25567 + 719468; /* 1900-01-01 is 25567 days before 1970 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static void put_date(struct strbuf *out, int64_t days1900)
{
    int y;
    unsigned m, d;
    civil(days1900, &y, &m, &d);
    sb_addf(out, "%04d-%02u-%02u", y, m, d);
}

static void put_time7(struct strbuf *out, uint64_t t100ns)
{
    uint64_t s = t100ns / 10000000u;
    sb_addf(out, "%02u:%02u:%02u.%07u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
            (unsigned)(s % 60), (unsigned)(t100ns % 10000000u));
}

static void datetimeall_text(int type, const DBDATETIMEALL *v, struct strbuf *out)
{
    int64_t days = v->date;
    uint64_t t = v->time;
    if (type == SYBMSDATETIMEOFFSET && v->has_offset) {
        /* TDS carries UTC and the offset; show the local time, as SQL
         * Server's own text form does. */
        int64_t local = (int64_t)t + (int64_t)v->offset * 60 * 10000000;
        int64_t day = (int64_t)86400 * 10000000;
        while (local < 0) {
            local += day;
            days--;
        }
        while (local >= day) {
            local -= day;
            days++;
        }
        t = (uint64_t)local;
    }
    if (type != SYBMSTIME)
        put_date(out, days);
    if (type == SYBMSDATE)
        return;
    if (type != SYBMSTIME)
        sb_addc(out, ' ');
    put_time7(out, t);
    if (type == SYBMSDATETIMEOFFSET) {
        int off = v->offset, a = off < 0 ? -off : off;
        sb_addf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 60, a % 60);
    }
}


size_t tds_decode_value(struct tds_source *s, int c, enum vk kind, const BYTE *p, size_t len,
                           const char **direct)
{
    struct strbuf *out = &s->scratch;
    size_t off = out->len;
    *direct = NULL;
    if (kind == VK_TEXT) {
        utf16le_to_utf8(p, len, out);
        return off;
    }
    int type = dbcoltype(s->db, c);
    switch (type) {
    case SYBCHAR: case SYBVARCHAR: case SYBTEXT: case SYBNTEXT: case SYBNVARCHAR:
    case SYBBINARY: case SYBVARBINARY: case SYBIMAGE:
        *direct = (const char *)p;
        return SIZE_MAX;
    case SYBINT1:
        sb_addf(out, "%u", (unsigned)*p);
        break;
    case SYBINT2: {
        int16_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%d", v);
        break;
    }
    case SYBINT4: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%" PRId32, v);
        break;
    }
    case SYBINT8: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%" PRId64, v);
        break;
    }
    case SYBBIT: case SYBBITN:
        sb_addc(out, *p ? '1' : '0');
        break;
    case SYBFLT8: {
        double v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%.17g", v); /* round-trips, as the SQLite source prints REAL */
        break;
    }
    case SYBREAL: {
        float v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%.9g", (double)v);
        break;
    }
    case SYBDECIMAL: case SYBNUMERIC: {
        DBNUMERIC v;
        memcpy(&v, p, len < sizeof v ? len : sizeof v);
        numeric_text(&v, out);
        break;
    }
    case SYBMONEY: {
        DBMONEY v;
        memcpy(&v, p, sizeof v);
        money_text((int64_t)((uint64_t)(uint32_t)v.mnyhigh << 32 | v.mnylow), out);
        break;
    }
    case SYBMONEY4: {
        DBMONEY4 v;
        memcpy(&v, p, sizeof v);
        money_text(v.mny4, out);
        break;
    }
    case SYBDATETIME: {
        DBDATETIME v;
        memcpy(&v, p, sizeof v);
        /* 1/300 s ticks; SQL Server shows them rounded to milliseconds */
        int64_t ms = ((int64_t)v.dttime * 10 + 1) / 3;
        put_date(out, v.dtdays);
        sb_addf(out, " %02d:%02d:%02d.%03d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                (int)(ms / 1000 % 60), (int)(ms % 1000));
        break;
    }
    case SYBDATETIME4: {
        DBDATETIME4 v;
        memcpy(&v, p, sizeof v);
        put_date(out, v.days);
        sb_addf(out, " %02u:%02u:00", (unsigned)v.minutes / 60, (unsigned)v.minutes % 60);
        break;
    }
    case SYBMSDATE: case SYBMSTIME: case SYBMSDATETIME2: case SYBMSDATETIMEOFFSET: {
        DBDATETIMEALL v;
        memcpy(&v, p, sizeof v);
        datetimeall_text(type, &v, out);
        break;
    }
    case TDS_TYPE_UNIQUE: {
        /* FreeTDS holds it as {uint32 Data1; uint16 Data2, Data3; uchar
         * Data4[8]} in host order: format the fields, not the bytes. */
        uint32_t d1;
        uint16_t d2, d3;
        memcpy(&d1, p, 4);
        memcpy(&d2, p + 4, 2);
        memcpy(&d3, p + 6, 2);
        sb_addf(out, "%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", d1,
                (unsigned)d2, (unsigned)d3, p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
        break;
    }
    default: {
        /* Anything else: db-lib's own text form. */
        size_t cap = len * 4 + 64;
        sb_addn(out, "", 0);
        char *tmp = xmalloc(cap);
        DBINT n = dbconvert(s->db, type, p, (DBINT)len, SYBCHAR, (BYTE *)tmp, (DBINT)cap);
        if (n > 0)
            sb_addn(out, tmp, (size_t)n);
        free(tmp);
        break;
    }
    }
    return off;
}

