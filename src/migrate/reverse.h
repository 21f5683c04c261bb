/* reverse.h - the reverse transform: a target row back to its legacy form,
 * as T-SQL literals for the legacy SQL Server (the inverse of convert.c, so
 * that migrating the legacy database again gives the same target):
 *   - a CRM id goes back as the legacy id it was mapped from, kept in
 *     metadata.legacy.id (for a foreign key: the parent row's), else as the
 *     UUID text (a UUID kept, or a row born in PostgreSQL);
 *   - a value the forward transform had to change (an enum spelling, a NUL
 *     replaced, an e-mail or date set to NULL) goes back as the original in
 *     metadata.legacy.<column> when that original still transforms to the
 *     current value; otherwise the current value is the truth;
 *   - text is an N'...' literal built from UTF-8 (the batch travels as
 *     UTF-16 on the wire, never through a code page); a NUL is CHAR(0) and a
 *     lone surrogate NCHAR(0xD8xx) joined with '+';
 *   - timestamps are DATETIME2 text in the source zone (the session's),
 *     decimals and floats their exact PostgreSQL text, booleans 0/1.
 * A value the legacy column cannot hold (NVARCHAR(1000) overflow, a year
 * outside 1..9999, NaN, NULL in a NOT NULL column), or one migrating back
 * would not keep (a date outside migrate's --years window), is refused with
 * a reason instead of being cut.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_REVERSE_H
#define PANTRY_REVERSE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "legacy.h"
#include "util.h"

struct synonyms;

struct policy_rule;

struct reverse_opts {
    const struct synonyms *synonyms;  /* migrate's, to recognise legacy enum spellings */
    const struct policy_rule *rules;  /* migrate's enum policies (--policy) */
    size_t nrules;
    int min_year, max_year;           /* migrate's date window */
    bool null_bad_email;              /* migrate's --bad-email null */
    bool no_nchar;                    /* the server lacks NCHAR() (the tds-standin) */
};

/* Appends UTF-8 (or WTF-8, with encoded lone surrogates) text as a T-SQL
 * NVARCHAR expression (see reverse.c for NUL and lone surrogates). */
void reverse_add_text(struct strbuf *sb, const char *s, size_t n, bool no_nchar);

/* UTF-16 code units of UTF-8 / WTF-8 text: what NVARCHAR(n) counts. */
size_t reverse_utf16_units(const char *s, size_t n);

/* metadata.legacy.<col> as bytes: a string, or {"hex": "..."} for bytes
 * JSON cannot hold (NUL, lone surrogates), or null (*is_null). false when
 * absent. */
bool reverse_legacy_orig(json_t *legacy, const char *col, struct strbuf *out, bool *is_null);

/* "[key] = N'...'", or for a UUID the forward transform kept (lower-cased)
 * "[key] IN (N'lower', N'UPPER')". */
void reverse_add_key_match(const struct reverse_opts *ro, struct strbuf *sb, const struct legacy_table *t,
                           const char *legacy, size_t llen, bool uuid_kept);

/* The PostgreSQL query ($1: the keys, an array literal) of one table's
 * current rows: every contract column as text in the legacy form, then each
 * UUID foreign key's parent metadata.legacy.id, then metadata.legacy (CRM
 * tables), then the key as text. Caller frees. */
char *reverse_image_query(const struct legacy_table *t);

/* One value in its legacy form. */
struct reverse_value {
    bool is_null;
    bool text;                      /* an NVARCHAR literal (else written as is) */
    bool quoted;                    /* a plain '...' literal (dates) */
    struct strbuf v;
};

/* Column c of table t, row r (result column col) in its legacy form; legacy is the
 * row's metadata.legacy, parent_id a foreign key's parent legacy id (JSON
 * text) or NULL. false with *reason and *detail (caller frees) when the
 * legacy column cannot hold it. */
bool reverse_value(const struct reverse_opts *ro, const struct legacy_table *t, const struct legacy_column *c,
                   const PGresult *res, int r, int col, json_t *legacy, const char *parent_id,
                   struct reverse_value *out, const char **reason, char **detail);

/* Appends a value as a T-SQL literal (NULL, N'...', '...' or a number). */
void reverse_add_value(const struct reverse_opts *ro, struct strbuf *sb, const struct reverse_value *v);

#endif
