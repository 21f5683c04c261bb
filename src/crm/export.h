/* export.h - lists and query results to CSV (RFC 4180) or JSON Lines,
 * streaming: one page (or one cursor FETCH) in memory whatever the number
 * of rows.
 *
 * CSV: a header line of column names, records ended by CRLF (RFC 4180 §2),
 * a field quoted when it holds a comma, a quote, CR or LF or starts or
 * ends with a space, quotes doubled. SQL NULL is an empty field and the
 * empty string a quoted empty field (""), so a reader can tell them apart.
 * Bytes are written as PostgreSQL sent them (UTF-8): a CSV file holds data,
 * not terminal output, so escape sequences are kept, not made visible.
 *
 * JSON Lines: one JSON object per line, {"column": "text" | null, …} in
 * column order, every value the text PostgreSQL prints (exact decimals,
 * timestamps with their zone); control characters escaped as \uXXXX, so
 * a record never spans lines; bytes that are not UTF-8 (possible only in
 * a SQL_ASCII database) become U+FFFD so that every line parses.
 *
 * PostgreSQL text cannot hold NUL, so an export never meets one.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_EXPORT_H
#define PANTRY_EXPORT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "browse.h"

enum export_format { EXPORT_CSV, EXPORT_JSONL };

/* "csv", "jsonl" (also "json", "ndjson"); false for anything else. */
bool export_format_parse(const char *name, enum export_format *out);
const char *export_format_name(enum export_format f);

/* What export_list and export_query return when the reader of a pipe went
 * away (EPIPE: `pantrycrm export | head`): not a failure to report. */
#define EXPORT_READER_GONE (-3)

/* Called after each page with the rows written so far; non-zero cancels. */
typedef int (*export_progress)(void *ctx, int64_t rows);

/* Writes spec's whole list to out, in the list's order and with its
 * filters, by keyset pages. Returns the rows written, -1 with *err on
 * failure, -2 when cancelled. */
int64_t export_list(struct browse_session *s, const struct browse_spec *spec,
                    enum export_format fmt, FILE *out, export_progress progress, void *ctx,
                    char **err);
/* The same as CSV (the console's first export). */
int64_t export_csv(struct browse_session *s, const struct browse_spec *spec, FILE *out,
                   export_progress progress, void *ctx, char **err);

/* Runs one query (text from the user, like psql's -f: it is the user's
 * own SQL, run with their privileges) in a READ ONLY transaction through
 * a server-side cursor, FETCHing batches, and writes its result. conn
 * must be idle and blocking. Same returns as export_list. */
int64_t export_query(PGconn *conn, const char *sql, enum export_format fmt, FILE *out,
                     export_progress progress, void *ctx, char **err);

/* The writers (exposed for tests). */
void export_csv_field(FILE *out, const char *value);
void export_json_string(FILE *out, const char *value);
void export_header(FILE *out, enum export_format fmt, const char *const *names, size_t n);
void export_record(FILE *out, enum export_format fmt, const char *const *names,
                   const char *const *cells, size_t n);

/* A stream for showing an export on a terminal: what is written to it goes
 * to tty line by line through sanitize_text (escape sequences, bidi
 * overrides and invalid UTF-8 become visible placeholders), CRLF as LF.
 * fclose it (it does not close tty). NULL when it cannot be made. */
FILE *export_terminal(FILE *tty, bool utf8);

/* Opens FILE.part beside path for writing (mode 0600); the export goes
 * there and export_finish renames it into place, so a reader never sees
 * half a file under the real name. On failure or cancel,
 * export_finish(…, false) removes it. A device or a FIFO at path is
 * opened and written directly (*tmp_path NULL), never replaced; a
 * symbolic link, a directory or anything else is refused. NULL with *err. */
FILE *export_open(const char *path, char **tmp_path, char **err);
/* Closes and renames (ok) or removes (!ok); false with *err when closing
 * or renaming failed. Frees tmp_path. */
bool export_finish(FILE *f, const char *path, char *tmp_path, bool ok, char **err);

#endif
