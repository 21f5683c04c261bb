/* transform.c - the pure value transforms of the migration engine
 * (data-model.md §3).  See transform.h for the contract of each function.
 * Enum normalisation and the synonym file are in synonyms.c.
 *
 * Hot path rules: no locale (hand-written ASCII parsing), no global mutable
 * state, no allocation per call (results go to the caller's strbuf; scratch
 * space is on the stack).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "transform.h"
#include "ascii.h"
#include "keyset.h"

/* SHA1_Init and friends are deprecated in OpenSSL 3 in favour of EVP,
 * whose per-call set-up costs three times the hash of a short name; the
 * low-level calls use the CPU's SHA instructions and are still there. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

/* ------------------------------------------------------------------------
 * Ids
 * ------------------------------------------------------------------------ */

/* PANTRYCRM_ID_NAMESPACE as bytes, so that the hot path does not parse it;
 * the unit test checks that the two agree. */
static const uuid_t id_namespace = {
    0xb5, 0x27, 0x24, 0x4c, 0x85, 0xc7, 0x4c, 0x6c,
    0xa4, 0x75, 0x88, 0xa1, 0x24, 0x34, 0xd2, 0xe4,
};

/* Each hex digit lower-cased; 0 for anything else. */
static const char hex_lower[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
};

/* A canonical UUID text (8-4-4-4-12 hex digits, any case) copied to out
 * lower-cased; false if s is not one. One table lookup a character and no
 * branch a digit: every id and foreign key of a migration comes here. */
static bool uuid_text_lowered(const char *s, size_t len, char out[UUID_TEXT_LEN + 1])
{
    if (len != UUID_TEXT_LEN || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return false;
    bool bad = false;
    for (size_t k = 0; k < 32; k++) {
        char c = hex_lower[(unsigned char)s[uuid_digit_at[k]]];
        bad |= c == 0;
        out[uuid_digit_at[k]] = c;
    }
    out[8] = out[13] = out[18] = out[23] = '-';
    out[UUID_TEXT_LEN] = '\0';
    return !bad;
}

static void uuid_format(const unsigned char u[16], char out[UUID_TEXT_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[u[i] >> 4];
        out[k++] = hex[u[i] & 0x0f];
    }
    out[k] = '\0';
}

enum id_kind id_map_uuid(const char *table, const char *src, size_t len,
                         char out[UUID_TEXT_LEN + 1])
{
    if (len == 0) {
        out[0] = '\0';
        return ID_INVALID;
    }
    if (uuid_text_lowered(src, len, out))
        return ID_UUID_KEPT;

    /* RFC 4122 version 5: SHA-1 of the namespace and the name
     * "<table>:<source id>", the version and variant bits set (what
     * libuuid's uuid_generate_sha1 computes, at a third of the cost; a
     * migration maps every id and every foreign key). */
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA_CTX c;
    SHA1_Init(&c);
    SHA1_Update(&c, id_namespace, sizeof id_namespace);
    SHA1_Update(&c, table, strlen(table));
    SHA1_Update(&c, ":", 1);
    SHA1_Update(&c, src, len);
    SHA1_Final(md, &c);
    md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
    md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
    uuid_format(md, out);
    return ID_UUID_V5;
}

const char *id_kind_name(enum id_kind k)
{
    switch (k) {
    case ID_INVALID: return "invalid";
    case ID_UUID_KEPT: return "kept";
    case ID_UUID_V5: return "v5";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * Text repair
 * ------------------------------------------------------------------------ */

static inline bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Length of the well-formed, non-surrogate UTF-8 sequence of 2..4 bytes at
 * s (whose first byte is >= 0x80), or 0.  Table 3-7 of the Unicode
 * standard, byte for byte. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    if (b < 0xC2)
        return 0; /* continuation byte, or C0/C1 (overlong 2-byte forms) */
    if (b < 0xE0)
        return n >= 2 && is_cont(s[1]) ? 2 : 0;
    if (b < 0xF0) {
        unsigned char lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
        return n >= 3 && s[1] >= lo && s[1] <= hi && is_cont(s[2]) ? 3 : 0;
    }
    if (b < 0xF5) {
        unsigned char lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && s[1] >= lo && s[1] <= hi && is_cont(s[2]) && is_cont(s[3]) ? 4 : 0;
    }
    return 0;
}

/* Length of the longest prefix of s that is well-formed UTF-8 without NUL.
 * ASCII, the bulk of CRM text, is checked eight bytes at a time. */
static size_t utf8_clean_prefix(const unsigned char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    while (i < len) {
        while (len - i >= 8) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            /* A byte >= 0x80, or a zero byte (the classic has-zero test). */
            if ((v & highs) || ((v - ones) & ~v & highs))
                break;
            i += 8;
        }
        if (i == len)
            break;
        unsigned char b = s[i];
        if (b != 0 && b < 0x80) {
            i++;
            continue;
        }
        size_t n = b ? utf8_seq_len(s + i, len - i) : 0;
        if (n == 0)
            return i;
        i += n;
    }
    return i;
}

/* Length of the maximal subpart of an ill-formed sequence at s (Unicode
 * §3.9): the longest prefix that could still start a well-formed sequence,
 * or 1 when even the first byte cannot. */
static size_t utf8_maximal_subpart(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    unsigned char lo, hi;
    size_t need;
    if (b >= 0xC2 && b < 0xE0)
        return 1; /* its single continuation is missing */
    if (b >= 0xE0 && b < 0xF0) {
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
        need = 3;
    } else if (b >= 0xF0 && b < 0xF5) {
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
        need = 4;
    } else {
        return 1;
    }
    if (n < 2 || s[1] < lo || s[1] > hi)
        return 1;
    size_t k = 2;
    while (k < need && k < n && is_cont(s[k]))
        k++;
    return k; /* < need, or the sequence would have been well-formed */
}

/* The UTF-16 code unit encoded by a 3-byte surrogate form ED A0..BF 80..BF
 * at s, or 0 when s does not start with one. */
static unsigned surrogate_at(const unsigned char *s, size_t n)
{
    if (n >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && is_cont(s[2]))
        return 0xD000u | ((unsigned)(s[1] & 0x3F) << 6) | (unsigned)(s[2] & 0x3F);
    return 0;
}

static const char replacement[3] = {'\xEF', '\xBF', '\xBD'}; /* U+FFFD */

unsigned text_repair(const char *in, size_t len, struct strbuf *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = utf8_clean_prefix(s, len);
    if (i == len) {
        sb_addn(out, len ? in : "", len); /* in may be NULL when len == 0 */
        return TEXT_OK;
    }

    unsigned flags = TEXT_OK;
    size_t run = 0; /* start of the clean bytes not yet copied */
    while (i < len) {
        if (i > run)
            sb_addn(out, in + run, i - run);
        unsigned hi_unit;
        if (s[i] == 0) {
            sb_addn(out, replacement, 3);
            flags |= TEXT_NUL;
            i++;
        } else if ((hi_unit = surrogate_at(s + i, len - i)) != 0) {
            unsigned lo_unit = surrogate_at(s + i + 3, len - i - 3);
            if (hi_unit < 0xDC00 && lo_unit >= 0xDC00) {
                uint32_t cp = 0x10000u + ((hi_unit - 0xD800u) << 10) + (lo_unit - 0xDC00u);
                char u8[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
                              (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))};
                sb_addn(out, u8, 4);
                flags |= TEXT_SURROGATE_PAIR_JOINED;
                i += 6;
            } else {
                sb_addn(out, replacement, 3);
                flags |= TEXT_LONE_SURROGATE;
                i += 3;
            }
        } else {
            sb_addn(out, replacement, 3);
            flags |= TEXT_INVALID_UTF8;
            i += utf8_maximal_subpart(s + i, len - i);
        }
        run = i;
        i += utf8_clean_prefix(s + i, len - i);
    }
    if (len > run)
        sb_addn(out, in + run, len - run);
    return flags;
}

/* ------------------------------------------------------------------------
 * DATETIME2
 * ------------------------------------------------------------------------ */

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits at s into *v; false if any is not a digit. */
static bool read_digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

enum dt_status datetime_parse(const char *in, size_t len, int min_year, int max_year,
                              struct strbuf *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    long frac7 = 0; /* the fraction in units of 100 ns */

    if (len < 10 || !read_digits(in, 4, &y) || in[4] != '-' || !read_digits(in + 5, 2, &mo) ||
        in[7] != '-' || !read_digits(in + 8, 2, &d))
        return DT_INVALID;
    if (len > 10) {
        if (len < 19 || (in[10] != ' ' && in[10] != 'T') || !read_digits(in + 11, 2, &h) ||
            in[13] != ':' || !read_digits(in + 14, 2, &mi) || in[16] != ':' ||
            !read_digits(in + 17, 2, &sec))
            return DT_INVALID;
        size_t i = 19;
        if (i < len && in[i] == '.') {
            size_t nd = 0;
            for (i++; i < len && is_digit((unsigned char)in[i]); i++, nd++) {
                if (nd == 7)
                    return DT_INVALID; /* DATETIME2 has at most 7 digits */
                frac7 = frac7 * 10 + (in[i] - '0');
            }
            if (nd == 0)
                return DT_INVALID;
            for (; nd < 7; nd++)
                frac7 *= 10;
        }
        if (i < len && in[i] == 'Z')
            i++;
        if (i != len)
            return DT_INVALID;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return DT_INVALID;

    enum dt_status st = DT_OK;
    long usec = frac7 / 10;
    if (frac7 % 10 != 0) {
        st = DT_ROUNDED;
        if (frac7 % 10 >= 5)
            usec++;
    }
    /* The carry of the rounding, unit by unit up to the year. */
    if (usec == 1000000) {
        usec = 0;
        if (++sec == 60) {
            sec = 0;
            if (++mi == 60) {
                mi = 0;
                if (++h == 24) {
                    h = 0;
                    if (++d > days_in_month(y, mo)) {
                        d = 1;
                        if (++mo == 13) {
                            mo = 1;
                            y++;
                        }
                    }
                }
            }
        }
    }
    if (y < min_year || y > max_year)
        return DT_OUT_OF_RANGE;

    char buf[32] = "YYYY-MM-DD HH:MM:SS.ffffff";
    put_digits(buf, y, 4);
    put_digits(buf + 5, mo, 2);
    put_digits(buf + 8, d, 2);
    put_digits(buf + 11, h, 2);
    put_digits(buf + 14, mi, 2);
    put_digits(buf + 17, sec, 2);
    size_t n = 19;
    if (usec) {
        put_digits(buf + 20, (int)usec, 6);
        n = 26;
    }
    sb_addn(out, buf, n);
    return st;
}

const char *dt_status_name(enum dt_status s)
{
    switch (s) {
    case DT_OK: return "ok";
    case DT_ROUNDED: return "rounded";
    case DT_INVALID: return "invalid";
    case DT_OUT_OF_RANGE: return "out of range";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * Number literals
 * ------------------------------------------------------------------------ */

/* An exponent this large already puts any literal of realistic length far
 * outside every type here; saturating keeps the arithmetic in range. */
#define EXP_LIMIT 100000000LL

/* A parsed literal  [+-] int . frac [e exp].  Its mantissa digits, int then
 * frac, form one digit string D of length nd; the decimal point sits after
 * the first `point` digits of D once the exponent is applied. */
struct numlit {
    bool neg;
    const char *intp, *fracp;
    size_t nint, nfrac;
    long long point;   /* nint + exponent */
};

static bool numlit_parse(const char *s, size_t len, struct numlit *lit)
{
    size_t i = 0;
    memset(lit, 0, sizeof *lit);
    if (len == 0)
        return false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        lit->neg = s[i++] == '-';
    lit->intp = s + i;
    while (i < len && is_digit((unsigned char)s[i]))
        i++, lit->nint++;
    if (i < len && s[i] == '.') {
        i++;
        lit->fracp = s + i;
        while (i < len && is_digit((unsigned char)s[i]))
            i++, lit->nfrac++;
    }
    if (lit->nint + lit->nfrac == 0)
        return false;
    long long exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i == len || !is_digit((unsigned char)s[i]))
            return false;
        for (; i < len && is_digit((unsigned char)s[i]); i++)
            if (exp < EXP_LIMIT)
                exp = exp * 10 + (s[i] - '0');
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return false;
    lit->point = (long long)lit->nint + exp;
    return true;
}

/* Digit k of D, with zeros outside it. */
static int numlit_digit(const struct numlit *lit, long long k)
{
    if (k < 0)
        return 0;
    if ((unsigned long long)k < lit->nint)
        return lit->intp[k] - '0';
    k -= (long long)lit->nint;
    if ((unsigned long long)k < lit->nfrac)
        return lit->fracp[k] - '0';
    return 0;
}

/* Index in D of the first (or last) non-zero digit; -1 for a zero value. */
static long long numlit_first_nonzero(const struct numlit *lit)
{
    long long nd = (long long)(lit->nint + lit->nfrac);
    for (long long k = 0; k < nd; k++)
        if (numlit_digit(lit, k))
            return k;
    return -1;
}

static long long numlit_last_nonzero(const struct numlit *lit)
{
    for (long long k = (long long)(lit->nint + lit->nfrac) - 1; k >= 0; k--)
        if (numlit_digit(lit, k))
            return k;
    return -1;
}

enum num_status decimal_parse(const char *in, size_t len, int precision, int scale,
                              struct strbuf *out)
{
    struct numlit lit;
    if (precision < 1 || precision > DECIMAL_MAX_PRECISION || scale < 0 || scale > precision ||
        !numlit_parse(in, len, &lit))
        return NUM_INVALID;

    char buf[DECIMAL_MAX_PRECISION + 4];
    size_t n = 0;
    long long f = numlit_first_nonzero(&lit);
    if (f < 0) {
        /* Zero in any spelling ("-0", "0e9", ".000") is "0.00". */
        buf[n++] = '0';
        if (scale > 0) {
            buf[n++] = '.';
            memset(buf + n, '0', (size_t)scale);
            n += (size_t)scale;
        }
        sb_addn(out, buf, n);
        return NUM_OK;
    }

    /* The digit of D at place q (10^q) is D[point - 1 - q]. */
    long long top = lit.point - 1 - f; /* place of the leading non-zero digit */
    long long max_int = precision - scale;
    long long nint = top >= 0 ? top + 1 : 0;
    if (nint > max_int)
        return NUM_OVERFLOW;
    long long low = lit.point - 1 - numlit_last_nonzero(&lit);
    enum num_status st = low < -scale ? NUM_PRECISION_LOSS : NUM_OK;

    /* Digits for places nint-1 .. -scale, most significant first, with a
     * spare slot in front for a carry out of the rounding. */
    int dig[DECIMAL_MAX_PRECISION + 1];
    size_t nd = (size_t)(nint + scale);
    dig[0] = 0;
    for (size_t j = 0; j < nd; j++)
        dig[j + 1] = numlit_digit(&lit, lit.point - 1 - (nint - 1 - (long long)j));
    if (numlit_digit(&lit, lit.point + scale) >= 5) {
        /* Half away from zero: the sign is applied after the magnitude. */
        size_t j = nd;
        while (j > 0 && dig[j] == 9)
            dig[j--] = 0;
        dig[j]++;
    }
    size_t first = 1;
    if (dig[0]) {
        first = 0;
        if (++nint > max_int)
            return NUM_OVERFLOW;
    }

    bool nonzero = false;
    for (size_t j = first; j <= nd; j++)
        nonzero |= dig[j] != 0;
    if (lit.neg && nonzero)
        buf[n++] = '-';
    if (nint == 0)
        buf[n++] = '0';
    size_t j = first;
    for (long long k = 0; k < nint; k++)
        buf[n++] = (char)('0' + dig[j++]);
    if (scale > 0) {
        buf[n++] = '.';
        for (int k = 0; k < scale; k++)
            buf[n++] = (char)('0' + dig[j++]);
    }
    sb_addn(out, buf, n);
    return st;
}

/* The exact decimal digits of the two limits of double precision input, as
 * 0.DIGITS x 10^exp.  Overflow: 2^1024 - 2^970, the midpoint between
 * DBL_MAX and 2^1024; a correctly rounding strtod returns infinity from it
 * upwards (the tie goes to the even neighbour, which is infinity).
 * Underflow: 2^-1075, half the smallest subnormal; at or below it the value
 * rounds to zero (the tie goes to the even neighbour, zero).  Generated with
 * Python: str(2**1024 - 2**970) and str(5**1075), then verified against
 * strtod by the unit tests. */
static const char dbl_overflow_digits[] =
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946"
    "649017977587207096330286416692887910946555547851940402630657488671505820681908902000"
    "708383676273854845817711531764475730270069855571366959622842914819860834936475292719"
    "074168444365510704342711559699508093042880177904174497792";
#define DBL_OVERFLOW_EXP 309
static const char dbl_underflow_digits[] =
    "247032822920623272088284396434110686182529901307162382212792841250337753635104375932"
    "649918180817996189898282347722858865463328355177969898199387398005390939063150356595"
    "155702263922908583924491051844359318028499365361525003193704576782492193656236698636"
    "584807570015857692699037063119282795585513329278343384093519780155312465972635795746"
    "227664652728272200563740064854999770965994704540208281662262378573934507363390079677"
    "619305775067401763246736009689513405355374585166611342237666786041621596804619144672"
    "918403005300575308490487653917113865916462395249126236538818796362393732804238910186"
    "723484976682350898633885879256283027559956575244555072551893136908362547791869486679"
    "94968324049705821028513185451396213837722826145437693412532098591327667236328125";
#define DBL_UNDERFLOW_EXP (-323)

/* Compares the non-zero literal (D from index f, decimal exponent point - f)
 * with the constant 0.digits x 10^exp: <0, 0, >0. */
static int numlit_cmp_const(const struct numlit *lit, long long f, const char *digits,
                            long long exp)
{
    long long e = lit->point - f;
    if (e != exp)
        return e < exp ? -1 : 1;
    /* Digit by digit; past its end the shorter string counts as zeros. */
    long long nlit = (long long)(lit->nint + lit->nfrac) - f;
    long long nc = (long long)strlen(digits);
    long long m = nlit > nc ? nlit : nc;
    for (long long k = 0; k < m; k++) {
        int a = k < nlit ? numlit_digit(lit, f + k) : 0;
        int b = k < nc ? digits[k] - '0' : 0;
        if (a != b)
            return a < b ? -1 : 1;
    }
    return 0;
}

enum num_status float_parse(const char *in, size_t len, struct strbuf *out)
{
    struct numlit lit;
    if (!numlit_parse(in, len, &lit))
        return NUM_INVALID;
    long long f = numlit_first_nonzero(&lit);
    if (f >= 0) {
        if (numlit_cmp_const(&lit, f, dbl_overflow_digits, DBL_OVERFLOW_EXP) >= 0)
            return NUM_OVERFLOW;
        if (numlit_cmp_const(&lit, f, dbl_underflow_digits, DBL_UNDERFLOW_EXP) <= 0)
            return NUM_OVERFLOW;
    }
    sb_addn(out, in, len);
    return NUM_OK;
}

enum num_status int_parse(const char *in, size_t len, struct strbuf *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (in[i] == '+' || in[i] == '-'))
        neg = in[i++] == '-';
    if (i == len)
        return NUM_INVALID;
    long long v = 0;
    bool big = false;
    for (; i < len; i++) {
        if (!is_digit((unsigned char)in[i]))
            return NUM_INVALID;
        if (!big) {
            v = v * 10 + (in[i] - '0');
            big = v > 2147483648LL;
        }
    }
    if (big || v > (neg ? 2147483648LL : 2147483647LL))
        return NUM_OVERFLOW;

    char buf[12];
    size_t n = sizeof buf;
    do {
        buf[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg && !(n == sizeof buf - 1 && buf[n] == '0'))
        buf[--n] = '-';
    sb_addn(out, buf + n, sizeof buf - n);
    return NUM_OK;
}

/* Case-insensitive ASCII comparison of s (len bytes) with lower-case word. */
static bool ascii_ieq(const char *s, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len && word[i]; i++)
        if (ascii_lower((unsigned char)s[i]) != (unsigned char)word[i])
            return false;
    return i == len && word[i] == '\0';
}

enum num_status bit_parse(const char *in, size_t len, struct strbuf *out)
{
    if ((len == 1 && in[0] == '1') || ascii_ieq(in, len, "true")) {
        sb_addn(out, "t", 1);
        return NUM_OK;
    }
    if ((len == 1 && in[0] == '0') || ascii_ieq(in, len, "false")) {
        sb_addn(out, "f", 1);
        return NUM_OK;
    }
    return NUM_INVALID;
}

const char *num_status_name(enum num_status s)
{
    switch (s) {
    case NUM_OK: return "ok";
    case NUM_INVALID: return "invalid";
    case NUM_OVERFLOW: return "overflow";
    case NUM_PRECISION_LOSS: return "precision loss";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * E-mail
 * ------------------------------------------------------------------------ */

bool email_plausible(const char *s, size_t len)
{
    if (len == 0 || len > 254)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    size_t at = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c <= 0x20 || c == 0x7F)
            return false;
        if (c == 0xC2 && i + 1 < len && p[i + 1] == 0xA0)
            return false; /* NO-BREAK SPACE, pasted from a web page */
        if (c == '@') {
            if (at != len)
                return false; /* a second '@' */
            at = i;
        }
    }
    if (at == len || at == 0)
        return false;
    /* Domain: labels separated by single dots, at least two of them. */
    size_t labels = 0, label_len = 0;
    for (size_t i = at + 1; i < len; i++) {
        if (p[i] == '.') {
            if (label_len == 0)
                return false;
            labels++;
            label_len = 0;
        } else {
            label_len++;
        }
    }
    if (label_len == 0)
        return false;
    return labels + 1 >= 2;
}

/* The length of the blank at s (ASCII white space or one of the invisible
 * spaces email_repair trims), 0 when s does not start with one. */
static size_t email_blank(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;                                   /* U+00A0 */
    if (len >= 3 && s[0] == 0xE2 && s[1] == 0x80
        && (s[2] == 0x87 || s[2] == 0x8B || s[2] == 0xAF))
        return 3;                                   /* U+2007, U+200B, U+202F */
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;                                   /* U+FEFF */
    return 0;
}

/* The length of the blank that ends s[0..len), 0 when none does. */
static size_t email_blank_end(const unsigned char *s, size_t len)
{
    for (size_t k = 1; k <= 3 && k <= len; k++)
        if (email_blank(s + len - k, k) == k)
            return k;
    return 0;
}

/* Trims blanks off both ends of [*b, *e); true when any went. */
static bool email_trim(const unsigned char **b, const unsigned char **e)
{
    bool any = false;
    size_t n;
    while (*b < *e && (n = email_blank(*b, (size_t)(*e - *b))) > 0) {
        *b += n;
        any = true;
    }
    while (*b < *e && (n = email_blank_end(*b, (size_t)(*e - *b))) > 0) {
        *e -= n;
        any = true;
    }
    return any;
}

unsigned email_repair(const char *in, size_t len, struct strbuf *out)
{
    const unsigned char *b = (const unsigned char *)in, *e = b + len;
    unsigned flags = 0;
    if (email_trim(&b, &e))
        flags |= EMAIL_TRIMMED;
    if (e - b >= 7 && ascii_ieq((const char *)b, 7, "mailto:")) {
        b += 7;
        flags |= EMAIL_MAILTO;
        if (email_trim(&b, &e))
            flags |= EMAIL_TRIMMED;
    }
    size_t n = (size_t)(e - b);
    if (n == 0)
        return flags | EMAIL_EMPTY;
    if (!email_plausible((const char *)b, n))
        return flags | EMAIL_MALFORMED;
    const unsigned char *at = memchr(b, '@', n);   /* exactly one: plausible */
    size_t start = out->len;
    sb_addn(out, (const char *)b, n);
    for (size_t i = (size_t)(at - b) + 1; i < n; i++) {
        char *c = &out->buf[start + i];
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
            flags |= EMAIL_DOMAIN_CASE;
        }
    }
    return flags;
}

/* ------------------------------------------------------------------------
 * COPY text format
 * ------------------------------------------------------------------------ */

/* The escape letter of each byte COPY TEXT must escape, 0 for the rest. */
static const char copy_escape[256] = {
    ['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
};

void copy_append_text(struct strbuf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        char e = copy_escape[p[i]];
        if (!e)
            continue;
        char esc[2] = {'\\', e};
        if (i > run)
            sb_addn(out, s + run, i - run);
        sb_addn(out, esc, 2);
        run = i + 1;
    }
    if (len > run)
        sb_addn(out, s + run, len - run);
}

void copy_append_null(struct strbuf *out)
{
    sb_addn(out, "\\N", 2);
}
