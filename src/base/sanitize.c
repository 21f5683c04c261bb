/* sanitize.c - making hostile text safe to measure and draw in a terminal.
 * See sanitize.h for the rules; this file is the one place that decides them.
 *
 * Everything is built on one small iterator (struct cursor) that turns input
 * bytes into display units: the bytes to draw and their width.  Sanitizing
 * appends the units, measuring sums them, fitting appends them until the
 * width runs out.  Because the three share the iterator they cannot disagree
 * about a width, which is the bug class that breaks table layouts.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "sanitize.h"

#include "util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Unicode 15.0 tables
 *
 * Derived from UnicodeData.txt and EastAsianWidth.txt of Unicode 15.0.0:
 *   zw_marks   - General_Category Mn or Me, plus the conjoining Hangul
 *                medial vowels and final consonants (U+1160..U+11FF,
 *                U+D7B0..U+D7FF), which a terminal draws on the syllable's
 *                first jamo;
 *   zw_format  - General_Category Cf, minus the bidi controls and the
 *                separators (replaced, never drawn), the prepended
 *                concatenation marks U+0600..U+0605 etc. (they are visible)
 *                and U+00AD SOFT HYPHEN (terminals draw it as a hyphen);
 *   wide_chars - East_Asian_Width W or F, plus the reserved parts of the CJK
 *                blocks and of planes 2 and 3, which default to W, minus
 *                anything in the two tables above (U+3099 is Mn and W: a
 *                combining mark wins).
 * Nothing below U+0300 is in any table, which is the fast path below.
 * ------------------------------------------------------------------------ */

struct cp_range {
    uint32_t first, last;
};

static const struct cp_range zw_marks[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0711, 0x0711},
    {0x0730, 0x074A}, {0x07A6, 0x07B0}, {0x07EB, 0x07F3}, {0x07FD, 0x07FD}, {0x0816, 0x0819},
    {0x081B, 0x0823}, {0x0825, 0x0827}, {0x0829, 0x082D}, {0x0859, 0x085B}, {0x0898, 0x089F},
    {0x08CA, 0x08E1}, {0x08E3, 0x0902}, {0x093A, 0x093A}, {0x093C, 0x093C}, {0x0941, 0x0948},
    {0x094D, 0x094D}, {0x0951, 0x0957}, {0x0962, 0x0963}, {0x0981, 0x0981}, {0x09BC, 0x09BC},
    {0x09C1, 0x09C4}, {0x09CD, 0x09CD}, {0x09E2, 0x09E3}, {0x09FE, 0x09FE}, {0x0A01, 0x0A02},
    {0x0A3C, 0x0A3C}, {0x0A41, 0x0A42}, {0x0A47, 0x0A48}, {0x0A4B, 0x0A4D}, {0x0A51, 0x0A51},
    {0x0A70, 0x0A71}, {0x0A75, 0x0A75}, {0x0A81, 0x0A82}, {0x0ABC, 0x0ABC}, {0x0AC1, 0x0AC5},
    {0x0AC7, 0x0AC8}, {0x0ACD, 0x0ACD}, {0x0AE2, 0x0AE3}, {0x0AFA, 0x0AFF}, {0x0B01, 0x0B01},
    {0x0B3C, 0x0B3C}, {0x0B3F, 0x0B3F}, {0x0B41, 0x0B44}, {0x0B4D, 0x0B4D}, {0x0B55, 0x0B56},
    {0x0B62, 0x0B63}, {0x0B82, 0x0B82}, {0x0BC0, 0x0BC0}, {0x0BCD, 0x0BCD}, {0x0C00, 0x0C00},
    {0x0C04, 0x0C04}, {0x0C3C, 0x0C3C}, {0x0C3E, 0x0C40}, {0x0C46, 0x0C48}, {0x0C4A, 0x0C4D},
    {0x0C55, 0x0C56}, {0x0C62, 0x0C63}, {0x0C81, 0x0C81}, {0x0CBC, 0x0CBC}, {0x0CBF, 0x0CBF},
    {0x0CC6, 0x0CC6}, {0x0CCC, 0x0CCD}, {0x0CE2, 0x0CE3}, {0x0D00, 0x0D01}, {0x0D3B, 0x0D3C},
    {0x0D41, 0x0D44}, {0x0D4D, 0x0D4D}, {0x0D62, 0x0D63}, {0x0D81, 0x0D81}, {0x0DCA, 0x0DCA},
    {0x0DD2, 0x0DD4}, {0x0DD6, 0x0DD6}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
    {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC}, {0x0EC8, 0x0ECE}, {0x0F18, 0x0F19}, {0x0F35, 0x0F35},
    {0x0F37, 0x0F37}, {0x0F39, 0x0F39}, {0x0F71, 0x0F7E}, {0x0F80, 0x0F84}, {0x0F86, 0x0F87},
    {0x0F8D, 0x0F97}, {0x0F99, 0x0FBC}, {0x0FC6, 0x0FC6}, {0x102D, 0x1030}, {0x1032, 0x1037},
    {0x1039, 0x103A}, {0x103D, 0x103E}, {0x1058, 0x1059}, {0x105E, 0x1060}, {0x1071, 0x1074},
    {0x1082, 0x1082}, {0x1085, 0x1086}, {0x108D, 0x108D}, {0x109D, 0x109D}, {0x1160, 0x11FF},
    {0x135D, 0x135F}, {0x1712, 0x1714}, {0x1732, 0x1733}, {0x1752, 0x1753}, {0x1772, 0x1773},
    {0x17B4, 0x17B5}, {0x17B7, 0x17BD}, {0x17C6, 0x17C6}, {0x17C9, 0x17D3}, {0x17DD, 0x17DD},
    {0x180B, 0x180D}, {0x180F, 0x180F}, {0x1885, 0x1886}, {0x18A9, 0x18A9}, {0x1920, 0x1922},
    {0x1927, 0x1928}, {0x1932, 0x1932}, {0x1939, 0x193B}, {0x1A17, 0x1A18}, {0x1A1B, 0x1A1B},
    {0x1A56, 0x1A56}, {0x1A58, 0x1A5E}, {0x1A60, 0x1A60}, {0x1A62, 0x1A62}, {0x1A65, 0x1A6C},
    {0x1A73, 0x1A7C}, {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ACE}, {0x1B00, 0x1B03}, {0x1B34, 0x1B34},
    {0x1B36, 0x1B3A}, {0x1B3C, 0x1B3C}, {0x1B42, 0x1B42}, {0x1B6B, 0x1B73}, {0x1B80, 0x1B81},
    {0x1BA2, 0x1BA5}, {0x1BA8, 0x1BA9}, {0x1BAB, 0x1BAD}, {0x1BE6, 0x1BE6}, {0x1BE8, 0x1BE9},
    {0x1BED, 0x1BED}, {0x1BEF, 0x1BF1}, {0x1C2C, 0x1C33}, {0x1C36, 0x1C37}, {0x1CD0, 0x1CD2},
    {0x1CD4, 0x1CE0}, {0x1CE2, 0x1CE8}, {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4}, {0x1CF8, 0x1CF9},
    {0x1DC0, 0x1DFF}, {0x20D0, 0x20F0}, {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF},
    {0x302A, 0x302D}, {0x3099, 0x309A}, {0xA66F, 0xA672}, {0xA674, 0xA67D}, {0xA69E, 0xA69F},
    {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806}, {0xA80B, 0xA80B}, {0xA825, 0xA826},
    {0xA82C, 0xA82C}, {0xA8C4, 0xA8C5}, {0xA8E0, 0xA8F1}, {0xA8FF, 0xA8FF}, {0xA926, 0xA92D},
    {0xA947, 0xA951}, {0xA980, 0xA982}, {0xA9B3, 0xA9B3}, {0xA9B6, 0xA9B9}, {0xA9BC, 0xA9BD},
    {0xA9E5, 0xA9E5}, {0xAA29, 0xAA2E}, {0xAA31, 0xAA32}, {0xAA35, 0xAA36}, {0xAA43, 0xAA43},
    {0xAA4C, 0xAA4C}, {0xAA7C, 0xAA7C}, {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8},
    {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1}, {0xAAEC, 0xAAED}, {0xAAF6, 0xAAF6}, {0xABE5, 0xABE5},
    {0xABE8, 0xABE8}, {0xABED, 0xABED}, {0xD7B0, 0xD7FF}, {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A},
    {0x10A01, 0x10A03}, {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A},
    {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6}, {0x10D24, 0x10D27}, {0x10EAB, 0x10EAC},
    {0x10EFD, 0x10EFF}, {0x10F46, 0x10F50}, {0x10F82, 0x10F85}, {0x11001, 0x11001},
    {0x11038, 0x11046}, {0x11070, 0x11070}, {0x11073, 0x11074}, {0x1107F, 0x11081},
    {0x110B3, 0x110B6}, {0x110B9, 0x110BA}, {0x110C2, 0x110C2}, {0x11100, 0x11102},
    {0x11127, 0x1112B}, {0x1112D, 0x11134}, {0x11173, 0x11173}, {0x11180, 0x11181},
    {0x111B6, 0x111BE}, {0x111C9, 0x111CC}, {0x111CF, 0x111CF}, {0x1122F, 0x11231},
    {0x11234, 0x11234}, {0x11236, 0x11237}, {0x1123E, 0x1123E}, {0x11241, 0x11241},
    {0x112DF, 0x112DF}, {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133B, 0x1133C},
    {0x11340, 0x11340}, {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x11438, 0x1143F},
    {0x11442, 0x11444}, {0x11446, 0x11446}, {0x1145E, 0x1145E}, {0x114B3, 0x114B8},
    {0x114BA, 0x114BA}, {0x114BF, 0x114C0}, {0x114C2, 0x114C3}, {0x115B2, 0x115B5},
    {0x115BC, 0x115BD}, {0x115BF, 0x115C0}, {0x115DC, 0x115DD}, {0x11633, 0x1163A},
    {0x1163D, 0x1163D}, {0x1163F, 0x11640}, {0x116AB, 0x116AB}, {0x116AD, 0x116AD},
    {0x116B0, 0x116B5}, {0x116B7, 0x116B7}, {0x1171D, 0x1171F}, {0x11722, 0x11725},
    {0x11727, 0x1172B}, {0x1182F, 0x11837}, {0x11839, 0x1183A}, {0x1193B, 0x1193C},
    {0x1193E, 0x1193E}, {0x11943, 0x11943}, {0x119D4, 0x119D7}, {0x119DA, 0x119DB},
    {0x119E0, 0x119E0}, {0x11A01, 0x11A0A}, {0x11A33, 0x11A38}, {0x11A3B, 0x11A3E},
    {0x11A47, 0x11A47}, {0x11A51, 0x11A56}, {0x11A59, 0x11A5B}, {0x11A8A, 0x11A96},
    {0x11A98, 0x11A99}, {0x11C30, 0x11C36}, {0x11C38, 0x11C3D}, {0x11C3F, 0x11C3F},
    {0x11C92, 0x11CA7}, {0x11CAA, 0x11CB0}, {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6},
    {0x11D31, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D}, {0x11D3F, 0x11D45},
    {0x11D47, 0x11D47}, {0x11D90, 0x11D91}, {0x11D95, 0x11D95}, {0x11D97, 0x11D97},
    {0x11EF3, 0x11EF4}, {0x11F00, 0x11F01}, {0x11F36, 0x11F3A}, {0x11F40, 0x11F40},
    {0x11F42, 0x11F42}, {0x13440, 0x13440}, {0x13447, 0x13455}, {0x16AF0, 0x16AF4},
    {0x16B30, 0x16B36}, {0x16F4F, 0x16F4F}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4},
    {0x1BC9D, 0x1BC9E}, {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46}, {0x1D167, 0x1D169},
    {0x1D17B, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244},
    {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C}, {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84},
    {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF}, {0x1E000, 0x1E006}, {0x1E008, 0x1E018},
    {0x1E01B, 0x1E021}, {0x1E023, 0x1E024}, {0x1E026, 0x1E02A}, {0x1E08F, 0x1E08F},
    {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF}, {0x1E4EC, 0x1E4EF},
    {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A}, {0xE0100, 0xE01EF},
};

static const struct cp_range zw_format[] = {
    {0x180E, 0x180E}, {0x200B, 0x200D}, {0x2060, 0x2064}, {0x206A, 0x206F}, {0xFEFF, 0xFEFF},
    {0xFFF9, 0xFFFB}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

static const struct cp_range wide_chars[] = {
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0},
    {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F},
    {0x2693, 0x2693}, {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5},
    {0x26CE, 0x26CE}, {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
    {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728},
    {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797},
    {0x27B0, 0x27B0}, {0x27BF, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
    {0x2E80, 0x2E99}, {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5}, {0x2FF0, 0x2FFB}, {0x3000, 0x3029},
    {0x302E, 0x303E}, {0x3041, 0x3096}, {0x309B, 0x30FF}, {0x3105, 0x312F}, {0x3131, 0x318E},
    {0x3190, 0x31E3}, {0x31F0, 0x321E}, {0x3220, 0x3247}, {0x3250, 0x4DBF}, {0x4E00, 0xA48C},
    {0xA490, 0xA4C6}, {0xA960, 0xA97C}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
    {0xFE30, 0xFE52}, {0xFE54, 0xFE66}, {0xFE68, 0xFE6B}, {0xFF01, 0xFF60}, {0xFFE0, 0xFFE6},
    {0x16FE0, 0x16FE3}, {0x16FF0, 0x16FF1}, {0x17000, 0x187F7}, {0x18800, 0x18CD5},
    {0x18D00, 0x18D08}, {0x1AFF0, 0x1AFF3}, {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE},
    {0x1B000, 0x1B122}, {0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155},
    {0x1B164, 0x1B167}, {0x1B170, 0x1B2FB}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320},
    {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
    {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
    {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
    {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
    {0x1F6D5, 0x1F6D7}, {0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC},
    {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945},
    {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FA7C}, {0x1FA80, 0x1FA88}, {0x1FA90, 0x1FABD},
    {0x1FABF, 0x1FAC5}, {0x1FACE, 0x1FADB}, {0x1FAE0, 0x1FAE8}, {0x1FAF0, 0x1FAF8},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

#define N_RANGES(a) (sizeof(a) / sizeof((a)[0]))

static bool in_table(uint32_t cp, const struct cp_range *t, size_t n)
{
    if (cp < t[0].first || cp > t[n - 1].last)
        return false;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp > t[mid].last)
            lo = mid + 1;
        else if (cp < t[mid].first)
            hi = mid;
        else
            return true;
    }
    return false;
}

enum cp_class {
    CP_NARROW, /* 1 column */
    CP_WIDE,   /* 2 columns */
    CP_MARK,   /* 0 columns, draws on the character before it */
    CP_FORMAT, /* 0 columns, draws nothing */
};

static enum cp_class cp_classify(uint32_t cp)
{
    if (cp < 0x300) /* Latin, and every row of plain data: no table lookup */
        return CP_NARROW;
    if (in_table(cp, zw_marks, N_RANGES(zw_marks)))
        return CP_MARK;
    if (in_table(cp, zw_format, N_RANGES(zw_format)))
        return CP_FORMAT;
    if (in_table(cp, wide_chars, N_RANGES(wide_chars)))
        return CP_WIDE;
    return CP_NARROW;
}

/* ------------------------------------------------------------------------
 * UTF-8 decoding
 * ------------------------------------------------------------------------ */

#define CP_INVALID UINT32_MAX

/* Decode the sequence at s (n >= 1 bytes available).  Returns the bytes
 * consumed; *cp is the code point or CP_INVALID.  An invalid sequence
 * consumes its maximal subpart (Unicode §3.9, "U+FFFD substitution of
 * maximal subparts"): the lead byte plus every continuation byte that could
 * still have led to a well-formed sequence, so that "\xE2\x82" + "A" yields
 * one U+FFFD and the "A" survives.  The lo/hi bounds on the second byte are
 * what reject overlongs (E0 80.., F0 80..), surrogates (ED A0..) and values
 * above U+10FFFF (F4 90..) at the earliest byte, per Table 3-7. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t v;

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b < 0xC2 || b > 0xF4) { /* continuation, C0/C1 overlong lead, or > F4 */
        *cp = CP_INVALID;
        return 1;
    }
    if (b < 0xE0) {
        need = 1;
        v = b & 0x1Fu;
    } else if (b < 0xF0) {
        need = 2;
        v = b & 0x0Fu;
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
    } else {
        need = 3;
        v = b & 0x07u;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    }
    size_t i = 1;
    while (i <= need && i < n && s[i] >= lo && s[i] <= hi) {
        v = (v << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
        i++;
    }
    *cp = i > need ? v : CP_INVALID;
    return i;
}

/* ------------------------------------------------------------------------
 * The display-unit iterator
 * ------------------------------------------------------------------------ */

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define BIDI_MARK "\xe2\x87\x84"   /* U+21C4 RIGHTWARDS ARROW OVER LEFTWARDS ARROW */
#define DOTTED_CIRCLE "\xe2\x97\x8c" /* U+25CC */

struct unit {
    const char *bytes;
    size_t len;
    size_t width;
    /* bytes is a run of printable ASCII, one column per byte, so it may be
     * cut anywhere; every other unit is drawn whole or not at all. */
    bool run;
};

struct cursor {
    const unsigned char *p, *end;
    enum sanitize_mode mode;
    /* Something visible has been emitted that a combining mark can attach
     * to.  Only the start of a value lacks one; zero-width format
     * characters do not count. */
    bool have_base;
    /* Storage for generated bytes: a control picture, or the dotted circle
     * followed by a mark of up to 4 bytes. */
    char tmp[8];
};

static void cursor_init(struct cursor *c, const char *s, size_t len, enum sanitize_mode mode)
{
    c->p = (const unsigned char *)s;
    c->end = s ? c->p + len : c->p; /* no arithmetic on NULL, even + 0 */
    c->mode = mode;
    c->have_base = false;
}

static bool is_bidi_or_separator(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static void unit_set(struct unit *u, const char *bytes, size_t len, size_t width)
{
    u->bytes = bytes;
    u->len = len;
    u->width = width;
    u->run = false;
}

/* The next display unit, or false at the end of the input. */
static bool cursor_next(struct cursor *c, struct unit *u)
{
    if (c->p >= c->end)
        return false;

    const unsigned char *start = c->p;
    unsigned char b = *start;

    if (b >= 0x20 && b < 0x7F) {
        /* The common case: take the whole printable ASCII run at once. */
        const unsigned char *q = start + 1;
        while (q < c->end && *q >= 0x20 && *q < 0x7F)
            q++;
        c->p = q;
        unit_set(u, (const char *)start, (size_t)(q - start), (size_t)(q - start));
        u->run = true;
        c->have_base = true;
        return true;
    }

    bool had_base = c->have_base;
    c->have_base = true; /* every case below but a zero-width one draws a column */
    if (b < 0x80) {
        c->p++;
        if (b == '\t')
            unit_set(u, " ", 1, 1);
        else if (c->mode == SANITIZE_ASCII)
            unit_set(u, "?", 1, 1);
        else if (b == '\n')
            unit_set(u, "\xe2\x90\xa4", 3, 1); /* U+2424 SYMBOL FOR NEWLINE */
        else if (b == 0x7F)
            unit_set(u, "\xe2\x90\xa1", 3, 1); /* U+2421 SYMBOL FOR DELETE */
        else {
            c->tmp[0] = (char)0xE2; /* U+2400 + b, in U+2400..U+241F */
            c->tmp[1] = (char)0x90;
            c->tmp[2] = (char)(0x80 + b);
            unit_set(u, c->tmp, 3, 1);
        }
        return true;
    }

    uint32_t cp;
    size_t n = utf8_decode(start, (size_t)(c->end - start), &cp);
    c->p += n;
    if (c->mode == SANITIZE_ASCII) {
        unit_set(u, "?", 1, 1);
        return true;
    }
    if (is_bidi_or_separator(cp)) {
        /* its own mark, so that it is not taken for a repaired byte (U+FFFD) */
        unit_set(u, BIDI_MARK, 3, 1);
        return true;
    }
    if (cp == CP_INVALID || cp < 0xA0) {
        unit_set(u, REPLACEMENT, 3, 1); /* invalid, C1 control */
        return true;
    }
    switch (cp_classify(cp)) {
    case CP_NARROW:
        unit_set(u, (const char *)start, n, 1);
        break;
    case CP_WIDE:
        unit_set(u, (const char *)start, n, 2);
        break;
    case CP_FORMAT:
        unit_set(u, (const char *)start, n, 0);
        c->have_base = had_base;
        break;
    case CP_MARK:
        if (had_base) {
            unit_set(u, (const char *)start, n, 0);
        } else {
            memcpy(c->tmp, DOTTED_CIRCLE, 3);
            memcpy(c->tmp + 3, start, n);
            unit_set(u, c->tmp, 3 + n, 1);
        }
        break;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Helpers shared by the public functions
 * ------------------------------------------------------------------------ */

/* Make sure out->buf exists, so that a caller can print an empty result. */
static void sb_touch(struct strbuf *out)
{
    sb_addn(out, "", 0);
}

static void sb_add_spaces(struct strbuf *out, size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        sb_addn(out, spaces, k);
        n -= k;
    }
}

static size_t measure(const char *s, size_t len, enum sanitize_mode mode)
{
    struct cursor c;
    struct unit u;
    size_t w = 0;

    cursor_init(&c, s, len, mode);
    while (cursor_next(&c, &u))
        w += u.width;
    return w;
}

/* Fitting state.  Units are appended straight to `out` while they fit in
 * `width`; `cut_len` remembers where the longest prefix that leaves room for
 * the ellipsis ends.  If the text turns out not to fit, `out` is rolled back
 * to that point, so nothing is ever copied twice or into a scratch buffer,
 * and at most width + 1 columns of the input are decoded. */
struct fitter {
    struct strbuf *out;
    size_t width;   /* columns available */
    size_t budget;  /* columns for text when an ellipsis follows it */
    size_t used;    /* columns appended so far */
    size_t cut_len; /* out->len at the end of that longest prefix */
    size_t cut_w;   /* its width, <= budget */
};

/* Append one unit; false when it does not fit, which ends the fitting.
 * While used < budget every unit so far lies inside the budget, so the cut
 * is at the end of `out`; a run of ASCII may then cross the budget, and its
 * columns up to the budget belong to the prefix. */
static bool fit_push(struct fitter *f, const struct unit *u)
{
    size_t len_before = f->out->len, used_before = f->used;

    if (u->width > f->width - f->used) {
        if (u->run && used_before < f->budget) {
            /* u->width > budget - used here, so this is a strict prefix. */
            sb_addn(f->out, u->bytes, f->budget - used_before);
            f->cut_len = f->out->len;
            f->cut_w = f->budget;
        }
        return false;
    }
    sb_addn(f->out, u->bytes, u->len);
    f->used += u->width;
    if (f->used <= f->budget) {
        /* "<=": zero-width marks after the last character that fits stay
         * with it, so an accent is never cut from its letter. */
        f->cut_len = f->out->len;
        f->cut_w = f->used;
    } else if (u->run && used_before < f->budget) {
        f->cut_len = len_before + (f->budget - used_before);
        f->cut_w = f->budget;
    }
    return true;
}

/* Fit the units of `c` into `width` columns of `out`; the ellipsis is
 * sanitized with `mode` (it is the caller's text too).  Returns the columns
 * appended. */
static size_t fit_units(struct cursor *c, int width, const char *ellipsis,
                        enum sanitize_mode mode, struct strbuf *out)
{
    sb_touch(out);
    if (width <= 0)
        return 0;

    size_t elen = ellipsis ? strlen(ellipsis) : 0;
    size_t ew = measure(ellipsis, elen, mode);
    if (ew > (size_t)width) {
        /* A mark wider than the cell would hide all the text: cut hard. */
        elen = 0;
        ew = 0;
    }
    struct fitter f = {
        .out = out,
        .width = (size_t)width,
        .budget = (size_t)width - ew,
        .used = 0,
        .cut_len = out->len,
        .cut_w = 0,
    };
    struct unit u;
    while (cursor_next(c, &u)) {
        if (!fit_push(&f, &u)) {
            out->len = f.cut_len;
            out->buf[out->len] = '\0';
            /* Fill the column a straddling wide character would have half
             * taken, so the ellipsis lands on the last column. */
            sb_add_spaces(out, f.budget - f.cut_w);
            sanitize_text(ellipsis, elen, mode, out);
            return f.width;
        }
    }
    return f.used;
}

/* Pad the text appended since `start` (taking `used` columns) to `width`
 * columns.  Right and centre alignment shift the text in place instead of
 * building it again elsewhere. */
static void pad_to(struct strbuf *out, size_t start, size_t used, int width, enum text_align align)
{
    if (width <= 0 || used >= (size_t)width)
        return;
    size_t pad = (size_t)width - used, left;
    switch (align) {
    case TEXT_ALIGN_RIGHT:
        left = pad;
        break;
    case TEXT_ALIGN_CENTER:
        left = pad / 2;
        break;
    case TEXT_ALIGN_LEFT:
    default:
        left = 0;
        break;
    }
    size_t text_len = out->len - start;
    sb_add_spaces(out, pad);
    if (left > 0) {
        /* The bytes past the moved text are still the spaces just added. */
        memmove(out->buf + start + left, out->buf + start, text_len);
        memset(out->buf + start, ' ', left);
    }
}

/* ------------------------------------------------------------------------
 * Public functions
 * ------------------------------------------------------------------------ */

int text_cp_width(uint32_t cp)
{
    if (cp < 0xA0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || is_bidi_or_separator(cp))
        return 1; /* ASCII, or the width of the placeholder that replaces it */
    switch (cp_classify(cp)) {
    case CP_WIDE:
        return 2;
    case CP_MARK:
    case CP_FORMAT:
        return 0;
    case CP_NARROW:
    default:
        return 1;
    }
}

void sanitize_text(const char *in, size_t len, enum sanitize_mode mode, struct strbuf *out)
{
    struct cursor c;
    struct unit u;

    sb_touch(out);
    cursor_init(&c, in, len, mode);
    while (cursor_next(&c, &u))
        sb_addn(out, u.bytes, u.len);
}

void sanitize_lines(const char *in, size_t len, enum sanitize_mode mode, struct strbuf *out)
{
    sb_touch(out);
    while (len) {
        const char *nl = memchr(in, '\n', len);
        size_t n = nl ? (size_t)(nl - in) : len;
        sanitize_text(in, n, mode, out);
        if (!nl)
            break;
        sb_addc(out, '\n');
        in += n + 1;
        len -= n + 1;
    }
}

int text_width(const char *s, size_t len)
{
    size_t w = measure(s, len, SANITIZE_UTF8);
    return w > INT_MAX ? INT_MAX : (int)w;
}

int text_fit(const char *s, size_t len, int width, const char *ellipsis, struct strbuf *out)
{
    struct cursor c;

    cursor_init(&c, s, len, SANITIZE_UTF8);
    return (int)fit_units(&c, width, ellipsis, SANITIZE_UTF8, out);
}

int text_pad(const char *s, size_t len, int width, const char *ellipsis, enum text_align align,
             struct strbuf *out)
{
    struct cursor c;

    sb_touch(out);
    size_t start = out->len;
    cursor_init(&c, s, len, SANITIZE_UTF8);
    pad_to(out, start, fit_units(&c, width, ellipsis, SANITIZE_UTF8, out), width, align);
    return width > 0 ? width : 0;
}

int sanitize_cell_ellipsis(const char *in, size_t len, int width, enum sanitize_mode mode,
                           enum text_align align, const char *ellipsis, struct strbuf *out)
{
    struct cursor c;

    sb_touch(out);
    size_t start = out->len;
    cursor_init(&c, in, len, mode);
    pad_to(out, start, fit_units(&c, width, ellipsis, mode, out), width, align);
    return width > 0 ? width : 0;
}

int sanitize_cell(const char *in, size_t len, int width, enum sanitize_mode mode,
                  enum text_align align, struct strbuf *out)
{
    return sanitize_cell_ellipsis(in, len, width, mode, align,
                                  mode == SANITIZE_ASCII ? TEXT_ELLIPSIS_ASCII : TEXT_ELLIPSIS_UTF8,
                                  out);
}

void sanitize_report(FILE *out, void (*print)(FILE *mem, const void *ctx), const void *ctx)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        diex(1, "out of memory");
    print(m, ctx);
    if (fclose(m) != 0)
        diex(1, "out of memory");
    struct strbuf sb;
    sb_init(&sb);
    sanitize_lines(buf, len, SANITIZE_UTF8, &sb);
    fwrite(sb.buf, 1, sb.len, out);
    sb_free(&sb);
    free(buf);
}
