/* transform.h - the pure value transforms of the migration engine
 * (data-model.md §3): legacy enum strings, ids, text, DATETIME2, DECIMAL,
 * FLOAT, INT, BIT and e-mail values turned into what PostgreSQL accepts,
 * plus the COPY text escaping that carries them.
 *
 * Every function here is called per cell on the engine's hot path, from
 * several threads at once, so all of them:
 *   - touch no database and no global mutable state (the synonym table is
 *     read-only once loaded and may be shared by threads);
 *   - parse ASCII by hand: nothing depends on the locale (no strtod, no
 *     <ctype.h>), so a German LC_NUMERIC cannot turn "1.5" into garbage;
 *   - never allocate per call where they can avoid it: output is appended
 *     to a caller-owned struct strbuf, which the engine reuses.
 *
 * Output convention, the same for every function that writes: the result is
 * APPENDED to `out` (so a caller can build a COPY row in place), and it is
 * appended only when the status says the value is usable (OK or a counted,
 * lossy-but-valid result such as DT_ROUNDED or NUM_PRECISION_LOSS).  On a
 * rejected value `out` is left exactly as it was.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_TRANSFORM_H
#define PANTRY_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* ------------------------------------------------------------------------
 * Enumerated strings
 * ------------------------------------------------------------------------ */

/* Longest normalised source value a synonym file may define, in bytes.  A
 * legacy value whose normalised form is longer cannot match anything, so it
 * is reported as unmatched without further work. */
#define ENUM_KEY_MAX 64

/* The operator's synonym table (data/synonyms.conf): for each PostgreSQL enum
 * type, legacy spellings that mean one of its labels.  Opaque; read-only
 * after synonyms_load, so one table can be shared by all engine threads. */
struct synonyms;

/* Loads a synonym file.  The format (the shipped data/synonyms.conf
 * documents it too):
 *
 *     # comment                    (a line whose first non-blank is '#')
 *     [OrganizationSegment]        (a PostgreSQL enum type from legacy.h)
 *     QSR          = FAST_FOOD     (source value = LABEL  # optional comment)
 *     Quick service = FAST_FOOD
 *
 * Source values are normalised exactly as enum_normalise normalises legacy
 * values, so "Quick service", "QUICK-SERVICE" and "quick_service" are one key.
 * Labels must be written exactly as legacy_enum_labels() spells them.  The
 * first '=' ends the source value, so a source value cannot contain one.
 *
 * Everything suspicious is an error, because a silently ignored line would
 * silently change how data is migrated: an unknown section (enum type), an
 * unknown label, a line outside any section, a malformed line, an empty or
 * over-long source value, a source value that is itself a label of the type
 * but mapped to another label (it could never apply: labels match first),
 * and one source value mapped to two different labels.  Repeating a mapping
 * identically is allowed.
 *
 * path == NULL gives an empty table (no synonyms).  On failure returns NULL
 * and, if err is not NULL, sets *err to a malloc'ed message that names the
 * file and line, e.g.
 *     data/synonyms.conf:12: unknown label "FASTFOOD" for OrganizationSegment
 * On success *err (if given) is set to NULL. */
struct synonyms *synonyms_load(const char *path, char **err);

/* Frees a table from synonyms_load; NULL is allowed. */
void synonyms_free(struct synonyms *syn);

/* Number of synonyms loaded (for the run report); 0 for NULL. */
size_t synonyms_count(const struct synonyms *syn);

enum enum_match {
    ENUM_EXACT,        /* raw was byte for byte the label */
    ENUM_NORMALISED,   /* matched after trimming / upper-casing / '_' */
    ENUM_SYNONYM,      /* matched through the synonym table */
    ENUM_EMPTY,        /* '' or only blanks: the operator's default applies */
    ENUM_UNMATCHED     /* rejected: quarantine or default, always reported */
};

/* Maps a legacy enum string onto a label of the PostgreSQL enum `enum_type`
 * (data-model.md §3).  Normalisation, in this order:
 *   1. trim blanks at both ends: ASCII whitespace, U+00A0 NO-BREAK SPACE,
 *      U+202F NARROW NO-BREAK SPACE and U+FEFF (a BOM that spreadsheet
 *      imports leave at the start of a cell);
 *   2. upper-case ASCII letters (other bytes are kept: no locale involved);
 *   3. turn every run of separators into one '_'; separators are the blanks
 *      above, '-', '_' and the Unicode dashes U+2010..U+2015 and U+2212
 *      (word processors turn "follow-up" into "follow‐up" or "follow–up").
 * Then the result is compared with the labels, then with the synonyms of
 * that type (syn may be NULL: no synonyms).
 *
 * On a match *label points at the static label string of legacy_enum_labels
 * (never freed, valid for the life of the program); otherwise *label = NULL.
 * An unknown enum_type (a caller bug) gives ENUM_UNMATCHED.  raw need not be
 * NUL-terminated; raw may be NULL when len == 0.  Allocation-free. */
enum enum_match enum_normalise(const struct synonyms *syn, const char *enum_type,
                               const char *raw, size_t len, const char **label);

/* "exact", "normalised", "synonym", "empty", "unmatched": for reports. */
const char *enum_match_name(enum enum_match m);

/* ------------------------------------------------------------------------
 * Deterministic ids
 * ------------------------------------------------------------------------ */

/* The namespace of every name-based (version 5) id the migration derives
 * (data-model.md §2).  It was drawn at random once and must NEVER change: a
 * resumed run, the incremental sync and anyone holding an old id find the
 * same row only because uuid5(namespace, "<Table>:<source id>") is stable.
 * Anyone can recompute an id outside pantrycrm, e.g. in Python:
 *     uuid.uuid5(uuid.UUID(PANTRYCRM_ID_NAMESPACE), "Organization:12345") */
#define PANTRYCRM_ID_NAMESPACE "b527244c-85c7-4c6c-a475-88a12434d2e4"

/* Length of a textual UUID, and the buffer size that holds it with its NUL. */
#define UUID_TEXT_LEN 36

enum id_kind {
    ID_INVALID,      /* empty source id: cannot be a key */
    ID_UUID_KEPT,    /* the source id was a UUID; kept, lower-cased */
    ID_UUID_V5       /* any other id: uuid5 of "<table>:<source id>" */
};

/* Maps a source primary or foreign key of a CRM table (COL_ID_UUID /
 * COL_FK_UUID) to the text of a PostgreSQL uuid; writes 36 characters and a
 * NUL into out (out[0] = '\0' on ID_INVALID).  `table` is the table the id
 * belongs to (for a foreign key: the parent table, legacy_column.ref_table).
 *
 * A source id is kept only in the canonical 8-4-4-4-12 hex form, in any case.
 * Lower-casing is safe because the source collation is case-insensitive, so
 * two keys differing only in case cannot both exist.  Braced ("{...}"),
 * URN or hyphen-less forms are NOT kept: the legacy key is NVARCHAR, so
 * "{X}" and "X" can be two distinct rows, and folding them together would
 * make two rows collide; they get a v5 id like any other string instead.
 * The v5 name uses the source id verbatim (no trimming, no case folding), as
 * data-model.md §2 specifies, so anyone can recompute it.
 *
 * Thread-safe; allocates only for ids longer than about 200 bytes. */
enum id_kind id_map_uuid(const char *table, const char *src, size_t len,
                         char out[UUID_TEXT_LEN + 1]);

/* "invalid", "kept", "v5". */
const char *id_kind_name(enum id_kind k);

/* ------------------------------------------------------------------------
 * Text
 * ------------------------------------------------------------------------ */

/* Bits of the text_repair result. */
enum text_flag {
    TEXT_OK = 0,
    TEXT_NUL = 1u << 0,                   /* a NUL byte was replaced */
    TEXT_LONE_SURROGATE = 1u << 1,        /* an encoded U+D800..U+DFFF was replaced */
    TEXT_INVALID_UTF8 = 1u << 2,          /* an ill-formed byte sequence was replaced */
    TEXT_SURROGATE_PAIR_JOINED = 1u << 3  /* a CESU-8 pair became one 4-byte char (lossless) */
};
/* The flags that mean characters were lost (replaced by U+FFFD). */
#define TEXT_LOSSY (TEXT_NUL | TEXT_LONE_SURROGATE | TEXT_INVALID_UTF8)

/* Appends `in` to `out` as valid UTF-8 that PostgreSQL `text` accepts, and
 * returns the text_flag bits of what had to change (TEXT_OK: nothing).
 *
 * The documented repair rule (data-model.md §3: repaired and reported, never
 * silently dropped): removing a bad character would hide that something was
 * there, so each one becomes U+FFFD REPLACEMENT CHARACTER instead:
 *   - every NUL byte                                -> U+FFFD, TEXT_NUL;
 *   - every encoded lone surrogate (ED A0..BF xx, the 3-byte form of
 *     U+D800..U+DFFF that WTF-8 / CESU-8 produce from unpaired UTF-16)
 *                                                   -> one U+FFFD, TEXT_LONE_SURROGATE;
 *   - but a high surrogate immediately followed by a low one (CESU-8
 *     "ED A0..AF xx ED B0..BF xx") is the real supplementary character
 *     split in two, so it is joined into its 4-byte UTF-8 form: nothing is
 *     lost, TEXT_SURROGATE_PAIR_JOINED;
 *   - every other ill-formed sequence (stray continuation byte, C0/C1/F5..FF,
 *     overlong form, truncated sequence, code point above U+10FFFF)
 *                                                   -> U+FFFD, TEXT_INVALID_UTF8,
 *     one U+FFFD per "maximal subpart" as Unicode §3.9 (U+FFFD substitution
 *     of maximal subparts) recommends; it is what WHATWG decoders and
 *     Python's errors="replace" do, so the counts agree with other tools.
 * Valid input with no NUL is appended with a single copy after one scan. */
unsigned text_repair(const char *in, size_t len, struct strbuf *out);

/* ------------------------------------------------------------------------
 * DATETIME2
 * ------------------------------------------------------------------------ */

/* The default plausibility window for dates (inclusive): anything outside is
 * far more likely a typo or a sentinel ('0001-01-01', '9999-12-31') than a
 * real CRM date, so it is reported instead of loaded. */
#define DT_DEFAULT_MIN_YEAR 1900
#define DT_DEFAULT_MAX_YEAR 2099

enum dt_status {
    DT_OK,
    DT_ROUNDED,      /* the 7th fraction digit was non-zero: 100 ns precision lost */
    DT_INVALID,      /* not one of the accepted forms, or not a calendar date/time */
    DT_OUT_OF_RANGE  /* a valid date outside [min_year, max_year] */
};

/* Parses the text of a SQL Server DATETIME2 and appends it as
 * "YYYY-MM-DD HH:MM:SS" plus ".ffffff" when the microseconds are not zero.
 * Accepted forms, exactly (no surrounding blanks):
 *     YYYY-MM-DD
 *     YYYY-MM-DD HH:MM:SS[.f{1,7}][Z]     ('T' may replace the space)
 * The calendar is checked (Gregorian leap years, days per month, 00-23 hours,
 * 00-59 minutes and seconds; DATETIME2 has no leap second and no year 0).
 *
 * PostgreSQL timestamps have microseconds, DATETIME2(7) has 100 ns: the 7th
 * digit is rounded half up (as SQL Server itself rounds DATETIME2(7) to (6)),
 * and a carry runs through seconds, minutes, hours, days, months and years
 * (2024-12-31 23:59:59.9999995 -> 2025-01-01 00:00:00); DT_ROUNDED reports
 * any non-zero 7th digit, even one rounded down.  No offset is written: the
 * engine sets the session TimeZone to the source zone (UTC for Prisma).
 *
 * The year window [min_year, max_year] is inclusive and checked on the
 * rounded value (the engine passes DT_DEFAULT_MIN_YEAR / _MAX_YEAR unless the
 * operator configured others).  Appends on DT_OK and DT_ROUNDED only. */
enum dt_status datetime_parse(const char *in, size_t len, int min_year, int max_year,
                              struct strbuf *out);

/* "ok", "rounded", "invalid", "out of range". */
const char *dt_status_name(enum dt_status s);

/* ------------------------------------------------------------------------
 * Numbers, booleans
 * ------------------------------------------------------------------------ */

enum num_status {
    NUM_OK,
    NUM_INVALID,         /* not a number literal of the accepted form */
    NUM_OVERFLOW,        /* does not fit the target type */
    NUM_PRECISION_LOSS   /* non-zero digits beyond the scale were rounded */
};

/* The largest precision decimal_parse handles (SQL Server's DECIMAL limit). */
#define DECIMAL_MAX_PRECISION 38

/* Parses an exact decimal literal for NUMERIC(precision, scale) and appends
 * its canonical text: optional '-', no leading zeros ("0" when the integer
 * part is zero), then exactly `scale` fraction digits ("-0.5" -> "-0.50" for
 * (14,2)).  The value never goes through a double (pgloader's float path
 * turned 7082761.69 into 7082761.5); digits are shifted as text.
 *
 * Grammar: [+-] (digits [. digits?] | . digits) ([eE] [+-] digits)?
 * The exponent exists because the SQLite source hands REAL values back as
 * text such as "1.5e+3".  No blanks, no thousands separators, no NaN/Inf.
 *
 * NUM_OVERFLOW: more than precision - scale integer digits (after rounding).
 * NUM_PRECISION_LOSS: non-zero digits beyond `scale`; the value is rounded
 * half away from zero, exactly as PostgreSQL rounds numeric input, and
 * appended so the engine's policy can load it (counted) or quarantine it.
 * Negative zero is written "0.00".  Needs 1 <= precision <= 38 and
 * 0 <= scale <= precision, else NUM_INVALID.  Allocation-free. */
enum num_status decimal_parse(const char *in, size_t len, int precision, int scale,
                              struct strbuf *out);

/* Validates a FLOAT literal (same grammar as decimal_parse) and appends it
 * unchanged: PostgreSQL's own float8in then reads it correctly rounded, so
 * re-formatting it here could only lose digits.  NaN and Infinity in any
 * spelling are NUM_INVALID (they are not CRM revenues).  A literal whose
 * magnitude PostgreSQL would reject as "out of range for type double
 * precision" - it rounds to infinity (>= 2^1024 - 2^970, e.g. SQLite's
 * "1.79769313486232e+308") or, non-zero, to zero (<= 2^-1075) - is
 * NUM_OVERFLOW, decided exactly on the digits; one such value would
 * otherwise abort a whole COPY batch.  Subnormals are accepted, as
 * PostgreSQL does. */
enum num_status float_parse(const char *in, size_t len, struct strbuf *out);

/* Parses an INT: [+-] digits, in -2147483648..2147483647 (NUM_OVERFLOW
 * otherwise), and appends it canonically (no '+', no leading zeros). */
enum num_status int_parse(const char *in, size_t len, struct strbuf *out);

/* Parses a BIT as SQL Server and the SQLite source print it: "0" / "1", or
 * "false" / "true" in any case; appends 'f' or 't' (COPY's boolean text).
 * Anything else is NUM_INVALID. */
enum num_status bit_parse(const char *in, size_t len, struct strbuf *out);

/* "ok", "invalid", "overflow", "precision loss". */
const char *num_status_name(enum num_status s);

/* ------------------------------------------------------------------------
 * E-mail
 * ------------------------------------------------------------------------ */

/* A shape check, not RFC 5322: it flags values that are certainly not an
 * address ("n/a", "call first", "bob@", "x@y", "a@@b.com") for the report,
 * and never rejects a real one.  True when: at most 254 bytes (RFC 5321's
 * path limit), exactly one '@', a non-empty local part, a domain of at least
 * two dot-separated non-empty labels, and no ASCII whitespace, control byte,
 * DEL or NO-BREAK SPACE anywhere.  Non-ASCII (internationalised) addresses
 * pass. */
bool email_plausible(const char *s, size_t len);

/* The unambiguous repairs of an address (data-model.md §3, README "E-mail
 * addresses"), each a bit of the result:
 *   EMAIL_TRIMMED      white space around it: ASCII blanks and the
 *                      invisible ones pasted from web pages and office
 *                      files (U+00A0, U+2007, U+202F NO-BREAK SPACEs,
 *                      U+200B, U+FEFF)
 *   EMAIL_MAILTO       a leading "mailto:" in any case (a link copied
 *                      whole), with blanks after it
 *   EMAIL_DOMAIN_CASE  upper-case ASCII letters in the domain, which DNS
 *                      compares without case: lower-casing it is always
 *                      safe.  The local part keeps its case: RFC 5321
 *                      lets the receiving host tell "Bob" from "bob", the
 *                      target finds addresses without case anyway (its
 *                      e-mail indexes are on lower(email), as the legacy
 *                      collation compared), and lower-casing it would make
 *                      two User rows that differ only there collide on the
 *                      unique key
 * and two outcomes that are not repairs:
 *   EMAIL_EMPTY        nothing is left: no address at all
 *   EMAIL_MALFORMED    what is left is still not email_plausible: nothing
 *                      is guessed, the caller keeps the value as it was
 * Unless EMPTY or MALFORMED is set, out gets the address to store (the
 * input unchanged when the result is 0).  in is valid UTF-8 (text_repair's
 * output). */
enum {
    EMAIL_TRIMMED = 1u << 0,
    EMAIL_MAILTO = 1u << 1,
    EMAIL_DOMAIN_CASE = 1u << 2,
    EMAIL_EMPTY = 1u << 3,
    EMAIL_MALFORMED = 1u << 4,
};
unsigned email_repair(const char *in, size_t len, struct strbuf *out);

/* ------------------------------------------------------------------------
 * COPY text format
 * ------------------------------------------------------------------------ */

/* Appends s as one field of PostgreSQL's COPY ... (FORMAT text): backslash,
 * tab (the delimiter), newline and carriage return become \\ \t \n \r; all
 * other bytes go through unchanged.  It scans for those four bytes and
 * copies the runs between them in one piece each.  s must already be valid
 * UTF-8 without NUL (text_repair), which COPY cannot carry in any form. */
void copy_append_text(struct strbuf *out, const char *s, size_t len);

/* Appends \N, COPY's NULL marker (the caller knows when a cell is NULL). */
void copy_append_null(struct strbuf *out);

#endif
