/* sanitize.h - making hostile text safe to measure and draw in a terminal.
 *
 * Every value the console shows comes from a database, and a database value
 * can hold anything: ESC sequences that recolour or retitle the terminal or
 * write the clipboard (OSC 52), a CR that overwrites the columns drawn before
 * it (tig #485), a C1 CSI (0x9b), bidi overrides that reorder the row, or
 * broken UTF-8.  ncursesw keeps the terminal itself safe, but not the layout,
 * and nothing protects text that leaves through stdout, exports or titles
 * (console-field-notes §1.3 items 1-2, CVE-2024-58251).  So every value goes
 * through this module once, and the same code that makes it harmless also
 * says how many columns it takes, which is what the table renderer needs.
 *
 * Properties every function here keeps:
 *   - pure: no ncurses, no I/O, no global mutable state, so any thread may
 *     call it at any time;
 *   - locale-free: UTF-8 is decoded by hand and widths come from a built-in
 *     Unicode 15.0 table, never from wcwidth(), so a test run under LANG=C
 *     and a console under a UTF-8 locale measure the same string the same;
 *   - output is APPENDED to a caller-owned struct strbuf (the renderer reuses
 *     one buffer per redraw, so nothing is allocated per cell once it has
 *     grown);
 *   - idempotent: sanitizing already-sanitized text changes nothing.
 *
 * The rules (UTF-8 mode):
 *   TAB                      -> one space (a tab would move the cursor)
 *   LF                       -> U+2424 SYMBOL FOR NEWLINE
 *   other C0 U+0000..U+001F  -> U+2400 + c, the Control Pictures (ESC -> U+241B,
 *                               CR -> U+240D, NUL -> U+2400)
 *   DEL U+007F               -> U+2421 SYMBOL FOR DELETE
 *   C1 U+0080..U+009F        -> U+FFFD (includes 0x9b CSI and 0x85 NEL)
 *   bidi controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069,
 *   and the separators U+2028, U+2029 -> U+21C4 (they reorder or break the
 *                               row; the separators act as newlines in some
 *                               renderers); a mark of their own, so that
 *                               they are not confused with U+FFFD, which
 *                               the migration puts where a NUL or a broken
 *                               byte was
 *   invalid UTF-8            -> U+FFFD once per maximal invalid subpart, as
 *                               in Unicode §3.9 / WHATWG: overlongs, surrogates
 *                               (ED A0..BF), values above U+10FFFF, stray
 *                               continuation bytes and truncated sequences
 *   a combining mark with nothing before it to combine with -> U+25CC DOTTED
 *                               CIRCLE is put in front of it, so the mark
 *                               cannot merge into the neighbouring cell
 *   everything else          -> kept as is.
 *
 * Widths (text_width and the fitting functions): East Asian Wide and
 * Fullwidth characters take 2 columns; combining marks (Mn, Me, conjoining
 * Hangul vowels and finals) and zero-width format characters (ZWSP U+200B,
 * ZWJ U+200D, BOM U+FEFF, tags, ...) take 0; everything else, including
 * ambiguous-width characters and unassigned code points, takes 1.  There is
 * no grapheme clustering: an emoji ZWJ sequence measures the sum of its parts
 * (woman + ZWJ + woman + ZWJ + girl = 2 + 0 + 2 + 0 + 2 = 6), which is what a
 * terminal without emoji clustering draws and errs wide, never narrow, on one
 * that joins them.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SANITIZE_H
#define PANTRY_SANITIZE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "util.h"

enum sanitize_mode {
    /* The terminal speaks UTF-8: keep every harmless character. */
    SANITIZE_UTF8,
    /* Anything else (LANG=C, Latin-1 ...): the output is printable ASCII
     * only, so every byte is exactly one column.  TAB becomes a space, and
     * every other character outside U+0020..U+007E (each C0 control, DEL,
     * each non-ASCII code point, each maximal invalid UTF-8 subpart) becomes
     * one '?'.  A '?' per character rather than "\xNN" keeps the width of a
     * value independent of how many bytes its characters happen to need. */
    SANITIZE_ASCII,
};

enum text_align {
    TEXT_ALIGN_LEFT,
    TEXT_ALIGN_RIGHT,
    /* Extra space goes to the right when it cannot be split evenly. */
    TEXT_ALIGN_CENTER,
};

/* The default truncation marks: "…" (U+2026, 1 column) for UTF-8 terminals,
 * "~" for ASCII ones (tig's truncation-delimiter). */
#define TEXT_ELLIPSIS_UTF8 "\xe2\x80\xa6"
#define TEXT_ELLIPSIS_ASCII "~"

/* Append to `out` the displayable version of the `len` bytes at `in` (which
 * may contain NUL bytes and need not be terminated), following the rules at
 * the top of this file for `mode`.  The result is valid UTF-8 (printable
 * ASCII in SANITIZE_ASCII mode) with no C0, DEL, C1 or bidi control in it. */
void sanitize_text(const char *in, size_t len, enum sanitize_mode mode, struct strbuf *out);

/* sanitize_text for report text printed to a terminal: each line is
 * sanitized on its own and the LFs between lines are kept, so a report
 * built with printf keeps its layout while no value in it can carry a
 * control character or escape sequence to the terminal. */
void sanitize_lines(const char *in, size_t len, enum sanitize_mode mode, struct strbuf *out);

/* Runs print(mem, ctx) into memory, then writes what it printed to out
 * through sanitize_lines (UTF-8 mode): for reports whose values come from
 * a database and are printed with ordinary stdio calls. */
void sanitize_report(FILE *out, void (*print)(FILE *mem, const void *ctx), const void *ctx);

/* Display columns of the `len` bytes at `s`.  Meant for sanitized text, but
 * safe on anything: raw input measures exactly what its SANITIZE_UTF8 form
 * would, so text_width(raw) == text_width(sanitized) always holds. */
int text_width(const char *s, size_t len);

/* Display columns of one code point as used by text_width: 0, 1 or 2.
 * Controls and bidi controls answer 1, the width of their placeholder; a
 * combining mark answers 0 (text_width adds the dotted circle's column when
 * the mark has nothing to combine with). */
int text_cp_width(uint32_t cp);

/* Append the longest prefix of `s` that fits in `width` columns.  When the
 * whole text fits it is appended unchanged and its width is returned.
 * Otherwise the prefix is cut so that `ellipsis` fits after it, and the
 * result is exactly `width` columns: a wide character that would straddle
 * the edge is replaced by a space, so the ellipsis always ends on the last
 * column.  A UTF-8 sequence is never split, and combining marks stay with
 * the character they follow.
 *
 * `ellipsis` is NULL or "" for a hard cut; it is measured, and it is dropped
 * (hard cut) when it is wider than `width` by itself.  `width` <= 0 appends
 * nothing.  `s` should be sanitized; raw input is sanitized on the way
 * (SANITIZE_UTF8 rules), so the output is safe in any case.
 * Returns the columns appended (<= width). */
int text_fit(const char *s, size_t len, int width, const char *ellipsis, struct strbuf *out);

/* text_fit, then pad with spaces to exactly `width` columns (nothing for
 * `width` <= 0), aligned as asked.  Always returns max(width, 0). */
int text_pad(const char *s, size_t len, int width, const char *ellipsis, enum text_align align,
             struct strbuf *out);

/* Sanitize, fit and pad one table cell in a single pass over `in`, without
 * an intermediate buffer: the same as sanitize_text into a scratch buffer
 * followed by text_pad, with the mode's default ellipsis (TEXT_ELLIPSIS_*).
 * Only the first width + 1 columns of `in` are looked at, so a 1 MB value
 * costs no more than a short one.  Returns max(width, 0). */
int sanitize_cell(const char *in, size_t len, int width, enum sanitize_mode mode,
                  enum text_align align, struct strbuf *out);

/* sanitize_cell with an explicit truncation mark (NULL or "" for none),
 * e.g. the user's configured delimiter. */
int sanitize_cell_ellipsis(const char *in, size_t len, int width, enum sanitize_mode mode,
                           enum text_align align, const char *ellipsis, struct strbuf *out);

#endif
