/* tests/sanitize.c - unit tests of the terminal text sanitizer (src/base/sanitize.c).
 * Expected invalid-UTF-8 replacements follow Unicode §3.9 "maximal subparts"
 * (the same as Python's bytes.decode("utf-8", "replace")); expected widths
 * follow EastAsianWidth.txt and UnicodeData.txt of Unicode 15.0.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "sanitize.h"
#include "util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Placeholders, as separate literals so that a following hex digit in the
 * next literal is never swallowed by a \x escape. */
#define NUL_PIC "\xe2\x90\x80"
#define BEL_PIC "\xe2\x90\x87"
#define CR_PIC "\xe2\x90\x8d"
#define ESC_PIC "\xe2\x90\x9b"
#define NL_PIC "\xe2\x90\xa4"
#define DEL_PIC "\xe2\x90\xa1"
#define FFFD "\xef\xbf\xbd"
#define BIDI "\xe2\x87\x84"
#define CIRCLE "\xe2\x97\x8c"
#define ELL "\xe2\x80\xa6"
#define ACUTE "\xcc\x81"              /* U+0301 COMBINING ACUTE ACCENT */
#define KAN "\xe6\xbc\xa2"            /* U+6F22 */
#define JI "\xe5\xad\x97"             /* U+5B57 */
#define WOMAN "\xf0\x9f\x91\xa9"      /* U+1F469 */
#define GIRL "\xf0\x9f\x91\xa7"       /* U+1F467 */
#define ZWJ "\xe2\x80\x8d"            /* U+200D */
#define ZWSP "\xe2\x80\x8b"           /* U+200B */
#define BOM "\xef\xbb\xbf"            /* U+FEFF */

static struct strbuf out;

/* A literal's length, NUL bytes included. */
#define L(lit) (lit), (sizeof(lit) - 1)

static const char *san(const char *s, size_t len, enum sanitize_mode mode)
{
    sb_reset(&out);
    sanitize_text(s, len, mode, &out);
    return out.buf;
}
#define SAN(lit) san(L(lit), SANITIZE_UTF8)
#define SANA(lit) san(L(lit), SANITIZE_ASCII)
#define WIDTH(lit) text_width(L(lit))

static int cols;

static const char *fit(const char *s, size_t len, int width, const char *ellipsis)
{
    sb_reset(&out);
    cols = text_fit(s, len, width, ellipsis, &out);
    return out.buf;
}
#define FIT(lit, w, e) fit(L(lit), (w), (e))

static const char *pad(const char *s, size_t len, int width, enum text_align align)
{
    sb_reset(&out);
    cols = text_pad(s, len, width, ELL, align, &out);
    return out.buf;
}
#define PAD(lit, w, a) pad(L(lit), (w), (a))

static const char *cell(const char *s, size_t len, int width, enum sanitize_mode mode,
                        enum text_align align)
{
    sb_reset(&out);
    cols = sanitize_cell(s, len, width, mode, align, &out);
    return out.buf;
}
#define CELL(lit, w, m, a) cell(L(lit), (w), (m), (a))

/* ------------------------------------------------------------------------
 * An independent strict UTF-8 checker (Unicode Table 3-7), used to prove the
 * sanitizer's output well formed without trusting its own decoder.  Also
 * rejects the code points the output must never contain.
 * ------------------------------------------------------------------------ */
static bool forbidden_cp(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static bool valid_clean_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        uint32_t cp;
        size_t k;
        if (b < 0x80) {
            cp = b;
            k = 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
                return false;
            cp = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
            k = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
                return false;
            cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                 (s[i + 2] & 0x3F);
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
                return false;
            k = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                (s[i + 3] & 0xC0) != 0x80)
                return false;
            cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                 ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
            if (cp < 0x10000 || cp > 0x10FFFF)
                return false;
            k = 4;
        } else {
            return false;
        }
        if (forbidden_cp(cp))
            return false;
        i += k;
    }
    return true;
}

static bool has_raw_controls(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] == 0x7F)
            return true;
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return true;
    }
    return false;
}

static bool all_printable_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
            return false;
    return true;
}

/* ------------------------------------------------------------------------ */

static void test_empty_and_plain(void)
{
    is_str(SAN(""), "", "empty input gives empty output");
    is_str(san(NULL, 0, SANITIZE_UTF8), "", "NULL input is empty");
    is_int(WIDTH(""), 0, "empty input has width 0");
    is_str(SAN("Acme Foods, Inc. (#42) ~ ok"), "Acme Foods, Inc. (#42) ~ ok",
           "printable ASCII is unchanged");
    is_int(WIDTH("Acme Foods"), 10, "ASCII is one column a byte");

    sb_reset(&out);
    sb_adds(&out, "x|");
    sanitize_text(L("a\tb"), SANITIZE_UTF8, &out);
    is_str(out.buf, "x|a b", "sanitize_text appends after existing content");
}

static void test_c0_and_del(void)
{
    bool all = true;
    for (int c = 0; c < 0x20; c++) {
        char in = (char)c;
        const char *got = san(&in, 1, SANITIZE_UTF8);
        char want[4] = {(char)0xE2, (char)0x90, (char)(0x80 + c), 0};
        if (c == '\t')
            strcpy(want, " ");
        else if (c == '\n')
            strcpy(want, NL_PIC);
        if (strcmp(got, want) != 0) {
            all = false;
            printf("# C0 0x%02x wrong\n", c);
        }
    }
    ok(all, "each C0 control becomes its Control Picture (tab, LF special)");
    is_str(san(L("a\0b"), SANITIZE_UTF8), "a" NUL_PIC "b", "NUL inside a value becomes \u2400");
    is_str(SAN("ding\a"), "ding" BEL_PIC, "BEL becomes \u2407");
    is_str(SAN("a\tb\t"), "a b ", "TAB becomes one space");
    is_str(SAN("line1\nline2"), "line1" NL_PIC "line2", "LF becomes \u2424");
    is_str(SAN("dos\r\n"), "dos" CR_PIC NL_PIC, "CR LF becomes \u240d\u2424");
    is_str(SAN("rub\x7f"), "rub" DEL_PIC, "DEL becomes \u2421");
    is_int(WIDTH(CR_PIC NL_PIC DEL_PIC), 3, "control pictures are one column each");
}

static void test_escape_injection(void)
{
    is_str(SAN("\x1b[31mred\x1b[0m"), ESC_PIC "[31mred" ESC_PIC "[0m",
           "SGR colour sequence is defused");
    is_int(WIDTH("\x1b[31mred\x1b[0m"), 12, "...and measured as drawn: 12 columns");
    const char *osc = SAN("\x1b]52;c;aGVsbG8=\x07");
    is_str(osc, ESC_PIC "]52;c;aGVsbG8=" BEL_PIC, "OSC 52 clipboard write is defused");
    ok(strchr(osc, 0x1b) == NULL && strchr(osc, 0x07) == NULL,
       "no ESC or BEL byte survives OSC 52");
    is_str(SAN("\x1b]0;pwned\x1b\\"), ESC_PIC "]0;pwned" ESC_PIC "\\",
           "OSC title with ST terminator is defused");
    is_str(SAN("\x1b[2J\x1b[H"), ESC_PIC "[2J" ESC_PIC "[H", "CSI clear screen is defused");
    is_str(SAN("\x1bP+q\x1b\\"), ESC_PIC "P+q" ESC_PIC "\\", "DCS is defused");
    is_str(SAN("abcdef\rXY"), "abcdef" CR_PIC "XY", "CR overwrite attempt is visible");
    is_int(WIDTH("abcdef\rXY"), 9, "CR overwrite measures 9 columns, not 6");
    is_str(SAN("ok\b\b\bno"), "ok\xe2\x90\x88\xe2\x90\x88\xe2\x90\x88no", "backspaces are visible");
    is_str(SAN("\xc2\x9b" "31m"), FFFD "31m", "C1 CSI (U+009B) becomes U+FFFD");
    is_str(SAN("\x9b" "31m"), FFFD "31m", "raw byte 0x9b (invalid UTF-8) becomes U+FFFD");
    is_str(SAN("a\xc2\x85z"), "a" FFFD "z", "C1 NEL becomes U+FFFD");
    bool all = true;
    for (int c = 0x80; c <= 0x9F; c++) {
        char in[2] = {(char)0xC2, (char)c};
        if (strcmp(san(in, 2, SANITIZE_UTF8), FFFD) != 0)
            all = false;
    }
    ok(all, "every C1 control U+0080..U+009F becomes U+FFFD");
    is_str(SAN("\xc2\xa0"), "\xc2\xa0", "U+00A0 NO-BREAK SPACE (first after C1) is kept");
}

static void test_bidi(void)
{
    static const char *const bidi[] = {
        "\xd8\x9c",     /* U+061C ARABIC LETTER MARK */
        "\xe2\x80\x8e", /* U+200E LRM */
        "\xe2\x80\x8f", /* U+200F RLM */
        "\xe2\x80\xaa", /* U+202A LRE */
        "\xe2\x80\xab", /* U+202B RLE */
        "\xe2\x80\xac", /* U+202C PDF */
        "\xe2\x80\xad", /* U+202D LRO */
        "\xe2\x80\xae", /* U+202E RLO */
        "\xe2\x81\xa6", /* U+2066 LRI */
        "\xe2\x81\xa7", /* U+2067 RLI */
        "\xe2\x81\xa8", /* U+2068 FSI */
        "\xe2\x81\xa9", /* U+2069 PDI */
        "\xe2\x80\xa8", /* U+2028 LINE SEPARATOR */
        "\xe2\x80\xa9", /* U+2029 PARAGRAPH SEPARATOR */
    };
    bool all = true;
    for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++)
        if (strcmp(san(bidi[i], strlen(bidi[i]), SANITIZE_UTF8), BIDI) != 0)
            all = false;
    ok(all, "every bidi control and line/paragraph separator becomes U+21C4 (not U+FFFD)");
    is_str(SAN("invoice_\xe2\x80\xae" "fdp.exe"), "invoice_" BIDI "fdp.exe",
           "RLO filename spoof is defused");
    is_str(SAN("\xe2\x81\xa7" "admin\xe2\x81\xa9"), BIDI "admin" BIDI,
           "isolates RLI..PDI are defused");
    is_int(WIDTH("\xe2\x80\xae"), 1, "a bidi control measures as its placeholder");
    is_str(SAN("\xe2\x80\x8c"), "\xe2\x80\x8c", "ZWNJ U+200C (not bidi) is kept");
}

static void test_invalid_utf8(void)
{
    is_str(SAN("\x80"), FFFD, "lone continuation byte");
    is_str(SAN("\xbf\xbf"), FFFD FFFD, "two stray continuation bytes give two U+FFFD");
    is_str(SAN("\xc0\xaf"), FFFD FFFD, "overlong '/' C0 AF");
    is_str(SAN("\xc1\xbf"), FFFD FFFD, "overlong C1 BF");
    is_str(SAN("\xe0\x80\xaf"), FFFD FFFD FFFD, "overlong 3-byte E0 80 AF");
    is_str(SAN("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD, "overlong 4-byte F0 80 80 AF");
    is_str(SAN("\xed\xa0\x80"), FFFD FFFD FFFD, "high surrogate ED A0 80");
    is_str(SAN("\xed\xbf\xbf"), FFFD FFFD FFFD, "low surrogate ED BF BF");
    is_str(SAN("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD, "U+110000 (F4 90 80 80)");
    is_str(SAN("\xf5\x80\x80\x80"), FFFD FFFD FFFD FFFD, "lead byte F5");
    is_str(SAN("\xfe\xff"), FFFD FFFD, "bytes FE FF");
    is_str(SAN("\xc3"), FFFD, "truncated 2-byte sequence at the end");
    is_str(SAN("\xe2\x82"), FFFD, "truncated 3-byte sequence is ONE U+FFFD");
    is_str(SAN("\xe2\x82" "A"), FFFD "A", "truncated sequence does not eat the next character");
    is_str(SAN("\xf0\x9f\x98" "x"), FFFD "x", "truncated 4-byte emoji");
    is_str(SAN("\xe2\x28\xa1"), FFFD "(" FFFD, "bad second byte: lead and stray each replaced");
    is_str(SAN("\xf0\x9f\x98\xc3\xa9"), FFFD "\xc3\xa9", "truncated emoji then a valid e-acute");
    is_str(SAN("\xdf\xbf" "\xe0\xa0\x80" "\xef\xbf\xbf" "\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf"),
           "\xdf\xbf" "\xe0\xa0\x80" "\xef\xbf\xbf" "\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf",
           "boundary code points U+07FF U+0800 U+FFFF U+10000 U+10FFFF are kept");
    is_int(WIDTH("\xe0\x80\xaf"), 3, "invalid bytes measure as their replacements");
    is_str(SAN(FFFD), FFFD, "a real U+FFFD is kept");
}

static void test_widths(void)
{
    is_int(WIDTH(KAN JI), 4, "CJK \u6f22\u5b57 is 4 columns");
    is_int(WIDTH("\xef\xbc\xa1"), 2, "fullwidth A U+FF21 is 2 columns");
    is_int(WIDTH("\xed\x95\x9c"), 2, "Hangul syllable U+D55C is 2 columns");
    is_int(WIDTH("\xe1\x84\x80\xe1\x85\xa1"), 2, "conjoining jamo L+V is 2 columns");
    is_int(WIDTH("caf\xc3\xa9"), 4, "precomposed e-acute is 1 column");
    is_int(WIDTH("cafe" ACUTE), 4, "e + U+0301 is 1 column");
    is_str(SAN("cafe" ACUTE), "cafe" ACUTE, "a combining mark after a letter is kept");
    is_int(WIDTH("\xf0\x9f\x98\x80"), 2, "emoji U+1F600 is 2 columns");
    is_int(WIDTH(WOMAN ZWJ WOMAN ZWJ GIRL), 6, "ZWJ family: sum of parts, ZWJ = 0 (documented)");
    is_str(SAN(WOMAN ZWJ WOMAN ZWJ GIRL), WOMAN ZWJ WOMAN ZWJ GIRL, "ZWJ sequence is kept as is");
    is_int(WIDTH("\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa"), 2, "flag: two regional indicators, 1 each");
    is_int(WIDTH("\xe2\x9d\xa4\xef\xb8\x8f"), 1, "U+2764 + VS16: 1 + 0 (documented)");
    is_int(WIDTH("a" ZWSP "b" BOM), 2, "ZWSP and BOM are zero width");
    is_str(SAN("a" ZWSP "b" BOM), "a" ZWSP "b" BOM, "ZWSP and BOM are kept");
    is_int(WIDTH("\xe3\x81\x8b\xe3\x82\x99"), 2, "kana + U+3099 (wide but combining) is 2 columns");
    is_int(WIDTH("\xf0\xa0\x80\x80"), 2, "CJK Extension B U+20000 is 2 columns");
    is_int(WIDTH("\xc2\xad"), 1, "soft hyphen U+00AD is 1 column");

    is_int(text_cp_width('A'), 1, "cp width: A = 1");
    is_int(text_cp_width(0x1B), 1, "cp width: ESC = 1 (its picture)");
    is_int(text_cp_width(0x0301), 0, "cp width: U+0301 = 0");
    is_int(text_cp_width(0x200D), 0, "cp width: ZWJ = 0");
    is_int(text_cp_width(0x202E), 1, "cp width: RLO = 1 (its U+FFFD)");
    is_int(text_cp_width(0x4E00), 2, "cp width: U+4E00 = 2");
    is_int(text_cp_width(0x3FFFD), 2, "cp width: reserved U+3FFFD defaults to wide");
    is_int(text_cp_width(0x1F600), 2, "cp width: U+1F600 = 2");
    is_int(text_cp_width(0xE0041), 0, "cp width: tag U+E0041 = 0");
    is_int(text_cp_width(0x0600), 1, "cp width: prepended mark U+0600 = 1 (visible)");
    is_int(text_cp_width(0x110000), 1, "cp width: beyond Unicode = 1 (its U+FFFD)");
}

static void test_orphan_marks(void)
{
    is_str(SAN(ACUTE "x"), CIRCLE ACUTE "x", "a leading combining mark gets a dotted circle");
    is_int(WIDTH(ACUTE "x"), 2, "...and the width counts the circle, raw or sanitized");
    is_str(SAN(ZWSP ACUTE), ZWSP CIRCLE ACUTE, "a zero-width format char is no base");
    is_str(SAN("\n" ACUTE), NL_PIC ACUTE, "a control picture is a base");
    is_str(SAN(CIRCLE ACUTE), CIRCLE ACUTE, "sanitizing twice adds no second circle");
}

static void test_fit(void)
{
    is_str(FIT("hello", 10, ELL), "hello", "fit: short text is unchanged");
    is_int(cols, 5, "fit: returns its width");
    is_str(FIT("hello", 5, ELL), "hello", "fit: exact width needs no ellipsis");
    is_str(FIT("hello world", 8, ELL), "hello w" ELL, "fit: cut with ellipsis");
    is_int(cols, 8, "fit: a cut result takes the full width");
    is_str(FIT("hello world", 8, "~"), "hello w~", "fit: ASCII ellipsis");
    is_str(FIT("hello world", 8, NULL), "hello wo", "fit: hard cut without ellipsis");
    is_str(FIT("hello", 0, ELL), "", "fit: width 0 gives nothing");
    is_int(cols, 0, "fit: width 0 uses 0 columns");
    is_str(FIT("hello", -3, ELL), "", "fit: negative width gives nothing");
    is_str(FIT("hello", 1, ELL), ELL, "fit: width 1 is just the ellipsis");
    is_str(FIT("hello", 2, "..."), "he", "fit: ellipsis wider than the cell is dropped");
    is_str(FIT(KAN JI, 1, ELL), ELL, "fit: width 1, wide text: only the ellipsis");
    is_str(FIT(KAN, 1, NULL), " ", "fit: width 1 hard cut of a wide char pads a space");
    is_int(cols, 1, "fit: ...and that is 1 column");
    is_str(FIT(KAN, 2, ELL), KAN, "fit: width 2 holds one wide char exactly");
    is_str(FIT(KAN JI, 2, ELL), " " ELL, "fit: width 2: the wide char would straddle, so space");
    is_int(cols, 2, "fit: ...still exactly 2 columns");
    is_str(FIT(KAN JI, 3, ELL), KAN ELL, "fit: width 3: wide char + ellipsis");
    is_str(FIT("a" KAN JI, 3, ELL), "a " ELL, "fit: wide char at the edge is replaced by a space");
    is_str(FIT("a" KAN, 2, NULL), "a ", "fit: hard cut at a wide char pads");
    is_str(FIT("e" ACUTE "xyz", 2, ELL), "e" ACUTE ELL,
           "fit: combining mark stays with its letter");
    is_str(FIT("\xc3\xa9\xc3\xa9\xc3\xa9", 2, ELL), "\xc3\xa9" ELL, "fit: never splits UTF-8");
    is_str(FIT(WOMAN ZWJ WOMAN ZWJ GIRL, 4, ELL), WOMAN ZWJ " " ELL,
           "fit: emoji family in 4 columns (2 + 0, a space for the straddler, ellipsis)");
    is_str(FIT("\x1b[31mred", 3, ELL), ESC_PIC "[" ELL,
           "fit: raw escapes are sanitized on the way");

    sb_reset(&out);
    sb_adds(&out, "|");
    cols = text_fit(L("abcdef"), 4, ELL, &out);
    is_str(out.buf, "|abc" ELL, "fit: appends, and rolling back never touches earlier text");
}

static void test_pad_and_cell(void)
{
    is_str(PAD("ab", 5, TEXT_ALIGN_LEFT), "ab   ", "pad: left");
    is_int(cols, 5, "pad: returns the full width");
    is_str(PAD("ab", 5, TEXT_ALIGN_RIGHT), "   ab", "pad: right");
    is_str(PAD("ab", 5, TEXT_ALIGN_CENTER), " ab  ", "pad: centre, extra space on the right");
    is_str(PAD("", 3, TEXT_ALIGN_LEFT), "   ", "pad: empty text is all spaces");
    is_str(PAD("hello world", 5, TEXT_ALIGN_RIGHT), "hell" ELL, "pad: a cut cell has no padding");
    is_str(PAD(KAN, 3, TEXT_ALIGN_RIGHT), " " KAN, "pad: wide char right-aligned");
    is_str(PAD("x", 0, TEXT_ALIGN_RIGHT), "", "pad: width 0");

    sb_reset(&out);
    sb_adds(&out, "[");
    text_pad(L("42"), 4, ELL, TEXT_ALIGN_RIGHT, &out);
    sb_adds(&out, "]");
    is_str(out.buf, "[  42]", "pad: right alignment shifts only the new text");

    is_str(CELL("\x1b[31mred", 6, SANITIZE_UTF8, TEXT_ALIGN_LEFT), ESC_PIC "[31m" ELL,
           "cell: escape defused then cut");
    is_str(CELL("a\tb", 5, SANITIZE_UTF8, TEXT_ALIGN_RIGHT), "  a b", "cell: tab then right pad");
    is_str(CELL("na\xc3\xafve caf\xc3\xa9", 8, SANITIZE_ASCII, TEXT_ALIGN_LEFT), "na?ve c~",
           "cell: ASCII mode uses '?' and '~'");
    is_str(CELL(KAN JI, 3, SANITIZE_ASCII, TEXT_ALIGN_LEFT), "?? ", "cell: ASCII mode, wide is 1");
    is_str(CELL(KAN JI, 3, SANITIZE_UTF8, TEXT_ALIGN_CENTER), KAN ELL, "cell: UTF-8 CJK cut");
    is_str(CELL("", 2, SANITIZE_UTF8, TEXT_ALIGN_LEFT), "  ", "cell: empty value");
    is_int(text_width(out.buf, out.len), 2, "cell: empty value is exactly 2 columns");

    sb_reset(&out);
    sanitize_cell_ellipsis(L("abcdef"), 4, SANITIZE_UTF8, TEXT_ALIGN_LEFT, ">>", &out);
    is_str(out.buf, "ab>>", "cell: custom truncation delimiter");
    sb_reset(&out);
    sanitize_cell_ellipsis(L("abcdef"), 4, SANITIZE_ASCII, TEXT_ALIGN_LEFT, ELL, &out);
    is_str(out.buf, "abc?", "cell: a non-ASCII delimiter is sanitized for ASCII mode too");
}

static void test_ascii_mode(void)
{
    is_str(SANA("plain"), "plain", "ascii: printable ASCII kept");
    is_str(SANA("h\xc3\xa9llo"), "h?llo", "ascii: e-acute is one '?'");
    is_str(SANA(KAN JI), "??", "ascii: each CJK char is one '?'");
    is_str(SANA("e" ACUTE), "e?", "ascii: a combining mark is a '?'");
    is_str(SANA("\x1b[0m\a"), "?[0m?", "ascii: ESC and BEL are '?'");
    is_str(SANA("a\tb\nc\rd\x7f"), "a b?c?d?", "ascii: tab is a space, LF CR DEL are '?'");
    is_str(SANA("\xff\xfe\xe2\x82"), "???", "ascii: one '?' per maximal invalid subpart");
    is_str(SANA("\xc2\x9b" "\xe2\x80\xae"), "??", "ascii: C1 and RLO are '?'");
    is_str(SANA(WOMAN ZWJ GIRL), "???", "ascii: emoji and ZWJ are one '?' each");
    is_str(san(L("a\0b"), SANITIZE_ASCII), "a?b", "ascii: NUL is '?'");
}

static void test_long(void)
{
    enum { N = 10000 };
    char *a = xmalloc(N);
    memset(a, 'a', N);
    is_int(text_width(a, N), N, "10,000 ASCII chars measure 10,000");
    is_int(strlen(san(a, N, SANITIZE_UTF8)), N, "10,000 ASCII chars sanitize unchanged");
    is_str(fit(a, N, 10, ELL), "aaaaaaaaa" ELL, "10,000 chars fit into 10 columns");

    char *k = xmalloc(3 * N);
    for (size_t i = 0; i < N; i++)
        memcpy(k + 3 * i, KAN, 3);
    is_int(text_width(k, 3 * N), 2 * N, "10,000 CJK chars measure 20,000");
    cell(k, 3 * N, 79, SANITIZE_UTF8, TEXT_ALIGN_LEFT);
    is_int(text_width(out.buf, out.len), 79, "10,000 CJK chars fill an odd 79-column cell exactly");

    memset(a, 0x1b, N);
    const char *s = san(a, N, SANITIZE_UTF8);
    ok(out.len == 3 * N && strchr(s, 0x1b) == NULL, "10,000 ESC bytes become 10,000 pictures");
    free(a);
    free(k);
}

/* ------------------------------------------------------------------------
 * Fuzz: 100,000 bytes from a fixed-seed generator, weighted towards the
 * bytes that matter (controls, UTF-8 leads and continuations).
 * ------------------------------------------------------------------------ */

enum { FUZZ_LEN = 100000 };

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static void fuzz_fill(unsigned char *buf, size_t n)
{
    static const char *const pieces[] = {
        "\x1b[31m", "\x1b]52;c;", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x81\xa6", ACUTE, KAN,
        WOMAN ZWJ, "\xed\xa0\x80", "\xf4\x90\x80\x80", "\r\n", "\t", ZWSP,
    };
    size_t i = 0;
    while (i < n) {
        uint32_t r = rng();
        switch (r % 4) {
        case 0: /* any byte */
            buf[i++] = (unsigned char)(r >> 8);
            break;
        case 1: /* a control */
            buf[i++] = (unsigned char)((r >> 8) % 0x21 == 0x20 ? 0x7F : (r >> 8) % 0x20);
            break;
        case 2: /* a continuation byte or lead byte */
            buf[i++] = (unsigned char)(0x80 + (r >> 8) % 0x80);
            break;
        default: { /* a known-interesting piece, possibly cut short by the end */
            const char *p = pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
            for (size_t j = 0; p[j] && i < n; j++)
                buf[i++] = (unsigned char)p[j];
            break;
        }
        }
    }
}

struct thread_job {
    const char *in;
    size_t len;
    const char *want;
    size_t want_len;
    bool same;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    struct strbuf sb;
    sb_init(&sb);
    job->same = true;
    for (int round = 0; round < 20; round++) {
        sb_reset(&sb);
        sanitize_text(job->in, job->len, SANITIZE_UTF8, &sb);
        if (sb.len != job->want_len || memcmp(sb.buf, job->want, sb.len) != 0)
            job->same = false;
    }
    sb_free(&sb);
    return NULL;
}

static void test_fuzz(void)
{
    unsigned char *in = xmalloc(FUZZ_LEN);
    fuzz_fill(in, FUZZ_LEN);
    const char *raw = (const char *)in;

    struct strbuf s1, s2;
    sb_init(&s1);
    sb_init(&s2);
    sanitize_text(raw, FUZZ_LEN, SANITIZE_UTF8, &s1);
    ok(!has_raw_controls((unsigned char *)s1.buf, s1.len),
       "fuzz: no byte < 0x20, no 0x7f, no C2 80..9F in the output");
    ok(valid_clean_utf8((unsigned char *)s1.buf, s1.len),
       "fuzz: output is valid UTF-8 with no C0/C1/bidi code point");
    ok(strlen(s1.buf) == s1.len, "fuzz: output has no NUL byte");
    is_int(text_width(s1.buf, s1.len), text_width(raw, FUZZ_LEN),
           "fuzz: raw and sanitized text measure the same");

    sanitize_text(s1.buf, s1.len, SANITIZE_UTF8, &s2);
    ok(s1.len == s2.len && memcmp(s1.buf, s2.buf, s1.len) == 0, "fuzz: sanitizing is idempotent");

    sb_reset(&s2);
    sanitize_text(raw, FUZZ_LEN, SANITIZE_ASCII, &s2);
    ok(all_printable_ascii(s2.buf, s2.len), "fuzz: ASCII mode output is printable ASCII only");
    ok(s2.len > 0 && s2.len <= FUZZ_LEN, "fuzz: ASCII mode never makes a byte out of nothing");

    /* Cut the input into chunks at random places (so sequences are split)
     * and check the one-pass cell against sanitize + pad in two steps. */
    bool cells_exact = true, cells_same = true, cells_clean = true;
    size_t pos = 0;
    int chunks = 0;
    while (pos < FUZZ_LEN) {
        size_t n = 1 + rng() % 200;
        if (n > FUZZ_LEN - pos)
            n = FUZZ_LEN - pos;
        int width = (int)(rng() % 40);
        enum text_align align = (enum text_align)(rng() % 3);
        for (int m = 0; m < 2; m++) {
            enum sanitize_mode mode = m ? SANITIZE_ASCII : SANITIZE_UTF8;
            sb_reset(&s1);
            int used = sanitize_cell(raw + pos, n, width, mode, align, &s1);
            if (used != width || text_width(s1.buf, s1.len) != width)
                cells_exact = false;
            if (has_raw_controls((unsigned char *)s1.buf, s1.len) ||
                !valid_clean_utf8((unsigned char *)s1.buf, s1.len))
                cells_clean = false;
            sb_reset(&s2);
            sanitize_text(raw + pos, n, mode, &s2);
            struct strbuf s3;
            sb_init(&s3);
            text_pad(s2.buf, s2.len, width, mode ? TEXT_ELLIPSIS_ASCII : TEXT_ELLIPSIS_UTF8, align,
                     &s3);
            if (s1.len != s3.len || memcmp(s1.buf, s3.buf, s1.len) != 0)
                cells_same = false;
            sb_free(&s3);
        }
        pos += n;
        chunks++;
    }
    ok(cells_exact, "fuzz: %d random cells are exactly their width, both modes", chunks);
    ok(cells_clean, "fuzz: every cell is clean, valid UTF-8");
    ok(cells_same, "fuzz: sanitize_cell == sanitize_text + text_pad");

    /* Thread safety: four threads sanitize the same input concurrently and
     * must all get the single-threaded answer. */
    sb_reset(&s1);
    sanitize_text(raw, FUZZ_LEN, SANITIZE_UTF8, &s1);
    pthread_t th[4];
    struct thread_job jobs[4];
    bool threads_ok = true;
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct thread_job){raw, FUZZ_LEN, s1.buf, s1.len, false};
        if (pthread_create(&th[i], NULL, thread_main, &jobs[i]) != 0)
            threads_ok = false;
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        threads_ok = threads_ok && jobs[i].same;
    }
    ok(threads_ok, "fuzz: four threads at once get identical output");

    sb_free(&s1);
    sb_free(&s2);
    free(in);
}

int main(void)
{
    sb_init(&out);
    test_empty_and_plain();
    test_c0_and_del();
    test_escape_injection();
    test_bidi();
    test_invalid_utf8();
    test_widths();
    test_orphan_marks();
    test_fit();
    test_pad_and_cell();
    test_ascii_mode();
    test_long();
    test_fuzz();
    sb_free(&out);
    return done_testing();
}
