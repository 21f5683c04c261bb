/* convert.h - turning one legacy source row into one target row: the
 * per-column rules of data-model.md §3 applied through transform.h, with
 * every repair counted and every refusal a quarantine with a reason.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CONVERT_H
#define PANTRY_CONVERT_H

#include <stdbool.h>

#include "batch.h"
#include "legacy.h"
#include "source.h"

struct synonyms;

/* What to do with a value that cannot be mapped (an unmatched or empty enum
 * label, an orphan foreign key). */
enum policy_action { POLICY_QUARANTINE, POLICY_DEFAULT, POLICY_NULL };

struct policy_rule {
    char *table, *column;          /* "*" matches any */
    enum policy_action action;
    char *value;                   /* POLICY_DEFAULT: the label to use */
};

/* What becomes of an e-mail address that is still not plausible after
 * the unambiguous repairs (email_repair): kept as the legacy database held
 * it and flagged (metadata.flags.email, or migration.repair for a table
 * without metadata), or set to NULL with its original kept. A required
 * column (User.email) always keeps it. */
enum bad_email { BAD_EMAIL_UNSET, BAD_EMAIL_KEEP, BAD_EMAIL_NULL };

/* How legacy values are transformed: the options migrate records with its
 * run, which every later reader of the source (verify, replay, sync,
 * cutover, fallback, assess) must use too. One type, embedded in each of
 * their options as `transform` and handed over as a whole.
 * Names: a convert (this file) turns one row into one row; the transform
 * (transform.h) is the pure value functions it calls; these settings
 * choose among them. */
struct transform_settings {
    const char *synonyms_path;          /* enum synonyms; NULL: the shipped file */
    const struct policy_rule *rules;    /* --policy, the last match wins */
    size_t nrules;
    const char *source_tz;              /* zone of DATETIME2 values; NULL: UTC */
    int min_year, max_year;             /* plausible years; 0: the defaults */
    enum bad_email bad_email;           /* --bad-email; BAD_EMAIL_UNSET: keep */
};

/* The settings as a convert uses them: synonyms loaded, years filled in. */
struct convert_opts {
    const struct synonyms *synonyms;     /* shared, read-only */
    const struct policy_rule *rules;
    size_t nrules;
    int min_year, max_year;              /* plausible dates: [min, max) */
    bool null_bad_email;                 /* BAD_EMAIL_NULL */
};
struct convert_opts convert_opts_of(const struct transform_settings *ts,
                                    const struct synonyms *synonyms);
/* The zone to set for the target session: ts->source_tz or "UTC". */
const char *transform_settings_tz(const struct transform_settings *ts);

/* A foreign key the writer checks against the already-loaded parent. */
struct convert_fk {
    size_t field;                  /* index among the target fields */
    const char *column;
    const char *parent;            /* parent table */
    const char *parent_key;        /* "id" */
    bool is_uuid;
    enum policy_action on_orphan;  /* QUARANTINE, or NULL for a nullable column */
};

struct convert;

/* Prepares the conversion of table t as the source describes it (src may
 * have extra columns, kept in metadata.extra, or in migration.repair for
 * a table without metadata). NULL with *err when a contract
 * column is missing from the source. Not thread-safe: one per thread. */
struct convert *convert_new(const struct legacy_table *t, const struct source_table *src,
                            const struct convert_opts *opts, char **err);
void convert_free(struct convert *cv);

/* The source columns to stream, in order (contract columns, then extras). */
const char *const *convert_source_columns(const struct convert *cv, size_t *n);
/* The target columns written, in order (contract columns, then metadata). */
const char *const *convert_target_columns(const struct convert *cv, size_t *n);
const struct convert_fk *convert_fks(const struct convert *cv, size_t *n);
/* Index of the key among the source columns. */
size_t convert_key_index(const struct convert *cv);

/* Appends one converted row (or a quarantined one) to b. */
void convert_row(struct convert *cv, struct batch *b, const struct cell *cells);

/* Re-applies an orphan decision: the row's fk field becomes NULL and its
 * original value goes to metadata.legacy (rare path: the writer calls it). */
void convert_null_fk(struct convert *cv, struct batch *b, size_t row, const struct convert_fk *fk);

/* The source row as JSON for the quarantine: {"column": "value" | null,
 * …}; a value that is not valid UTF-8 text becomes {"hex": "…"}. */
char *convert_original_json(const struct convert *cv, const struct batch *b, size_t row);

/* One raw source cell of a row (as batch_keep_side names it) as JSON text
 * like convert_original_json's values: for migration.repair. */
char *convert_cell_json(const struct batch *b, size_t row, size_t col);

/* Appends the bytes of one value as convert_original_json (and
 * metadata.legacy) keeps it: a JSON string, or {"hex": "…"}. false when v
 * is neither. */
struct json_t;
bool convert_original_bytes(const struct json_t *v, struct strbuf *out);

/* The row's source key as display text (repaired to valid UTF-8): how the
 * quarantine names a row. Caller frees. */
char *convert_display_key(const struct batch *b, size_t row);

/* Loads the synonym file at path, or the shipped synonyms.conf when path
 * is NULL. NULL with *err when it cannot be read or is wrong. */
struct synonyms *convert_load_synonyms(const char *path, char **err);

/* Parses "Table.column=quarantine|null|default:LABEL". */
int policy_parse(const char *spec, struct policy_rule *out, char **err);
void policy_free(struct policy_rule *r);

#endif
