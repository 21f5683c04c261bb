/* copybin.h - COPY's binary format for the values a convert writes.
 *
 * Why: PostgreSQL spends much of a text COPY turning text back into
 * values: uuid_in reads each byte with strtoul, timestamptz_in runs the
 * full date parser. Measured on 1,000,000 Interaction rows: 3.6 s of
 * server CPU as text, 1.9 s in binary. The convert's output is already
 * canonical (transform.h), so encoding it here is cheap and exact.
 *
 * Each encoder reads one canonical text value and appends its binary
 * field (length word included); false means the text is not in the form
 * expected, and the caller falls back to a text COPY, which lets
 * PostgreSQL judge the value as before.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_COPYBIN_H
#define PANTRY_COPYBIN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* How a target column travels in binary. */
enum copybin_kind {
    COPYBIN_NONE,       /* a type not handled here: the table goes as text */
    COPYBIN_BYTES,      /* text, varchar, enums, json: the bytes themselves */
    COPYBIN_UUID,
    COPYBIN_TIMESTAMP,  /* the text's wall time in microseconds: timestamp, and
                         * timestamptz when the session zone is UTC (the text
                         * has no offset) */
    COPYBIN_BOOL,
    COPYBIN_INT4,
    COPYBIN_INT8,
    COPYBIN_FLOAT8,
    COPYBIN_NUMERIC,
    COPYBIN_JSONB
};

/* The kind for a type as pg_type names it (typname, typtype 'e' for an
 * enum); utc: whether the session zone is UTC. */
enum copybin_kind copybin_kind_of(const char *typname, char typtype, bool utc);

/* The file header, and the trailer after the last row. */
void copybin_header(struct strbuf *out);
void copybin_trailer(struct strbuf *out);
/* A row's field count, then each field (or a NULL). */
void copybin_row_start(struct strbuf *out, size_t nfields);
void copybin_null(struct strbuf *out);
bool copybin_field(struct strbuf *out, enum copybin_kind kind, const char *s, size_t len);

#endif
