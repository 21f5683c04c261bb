/* gen_tsql.c - the demo legacy database as a T-SQL script for a real SQL
 * Server (or Azure SQL): `pantrycrm demo generate --format tsql`.
 *
 * The generator writes its SQLite file first and this turns that file into
 * the script, table by table in creation order (parents first) and row by
 * row in insertion order, so the same seed and scale give the same data in
 * both formats: nothing here draws a random number.
 *
 * The script: CREATE TABLE with SQL Server's types as Prisma created them
 * (NVARCHAR(1000) ids, NVARCHAR(MAX), DATETIME2(7), DECIMAL(14,2), BIT,
 * INT, FLOAT), then INSERT … VALUES of at most 1000 rows (SQL Server's
 * limit for a row constructor), each in its own transaction and its own
 * batch (GO). Text literals are N'…' with quotes doubled. A literal never
 * spans lines and the file holds no control character: control characters
 * (NUL included) are concatenated as CHAR(n), lone UTF-16 surrogates as
 * NCHAR(0xD83D), with an empty literal between two of them so that every
 * '+' touches a string (which SQL Server needs nowhere, but the tds-standin,
 * which rewrites '+' to '||' only next to a literal, does). A value with
 * such pieces longer than 3000 bytes starts with CAST(N'' AS NVARCHAR(MAX))
 * so the concatenation is not cut at 4000 characters.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen.h"
#include "progress.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSQL_ROWS_PER_INSERT 1000
#define TSQL_BYTES_PER_INSERT (8 << 20)

struct tcol {
    char *name;
    char *type;        /* as declared in the SQLite file (SQL Server's spelling) */
    bool notnull, pk, varchar, decimal;
    char *dflt;
};

static void add_ident(struct strbuf *sb, const char *s)
{
    sb_addc(sb, '[');
    for (; *s; s++) {
        if (*s == ']')
            sb_addc(sb, ']');
        sb_addc(sb, *s);
    }
    sb_addc(sb, ']');
}

/* Length of a valid UTF-8 sequence at p (not a surrogate), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; cp = c & 0x07; }
    else return 0;
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* One text value: N'…' (or '…' for VARCHAR) pieces and CHAR/NCHAR calls. */
static void add_text(struct strbuf *sb, const unsigned char *s, size_t len, bool varchar)
{
    const char *open = varchar ? "'" : "N'";
    /* First pass: does it need anything but one literal? */
    bool special = false;
    for (size_t i = 0; i < len && !special; i++)
        special = s[i] < 0x20 || s[i] == 0x7F || (s[i] >= 0x80 && !utf8_seq(s + i, len - i));
    if (special && len > 3000)
        sb_adds(sb, "CAST(N'' AS NVARCHAR(MAX)) + ");
    sb_adds(sb, open);
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n = c >= 0x80 ? utf8_seq(s + i, len - i) : 1;
        if (c == '\'') {
            sb_adds(sb, "''");
            i++;
        } else if (c >= 0x20 && c != 0x7F && n) {
            sb_addn(sb, (const char *)s + i, n);
            i += n;
        } else {
            /* Close the literal, add the piece, open an empty literal:
             * the '+' on both sides of the call then touch a string. */
            if (c < 0x80) {
                sb_addf(sb, "' + CHAR(%u) + %s", c, open);
                i++;
            } else if (c == 0xED && i + 2 < len && s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF
                       && (s[i + 2] & 0xC0) == 0x80) {
                /* WTF-8: an unpaired surrogate, as the generator stores it */
                unsigned unit = 0xD000u | ((unsigned)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
                sb_addf(sb, "' + NCHAR(0x%04X) + %s", unit, open);
                i += 3;
            } else {
                /* not text at all: the replacement character, as a
                 * lenient UTF-16 conversion would give */
                sb_addf(sb, "' + NCHAR(0xFFFD) + %s", open);
                i++;
            }
        }
    }
    sb_addc(sb, '\'');
}

/* The shortest decimal text that reads back as the same double. */
static void add_double(struct strbuf *sb, double d, bool no_exponent)
{
    char buf[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (no_exponent && strchr(buf, 'e')) {
        /* A float literal would make the whole VALUES column float and
         * the DECIMAL column inexact: write it out in full. */
        snprintf(buf, sizeof buf, "%.10f", d);
    }
    sb_adds(sb, buf);
}

static void free_cols(struct tcol *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cols[i].name);
        free(cols[i].type);
        free(cols[i].dflt);
    }
    free(cols);
}

static int read_cols(sqlite3 *db, const char *table, struct tcol **out, size_t *n, char **err)
{
    char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", table);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        *err = xasprintf("SQLite: %s", sqlite3_errmsg(db));
        return -1;
    }
    struct tcol *cols = NULL;
    size_t k = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cols = xrealloc(cols, (k + 1) * sizeof *cols);
        struct tcol *c = &cols[k++];
        memset(c, 0, sizeof *c);
        c->name = xstrdup((const char *)sqlite3_column_text(st, 1));
        const char *type = (const char *)sqlite3_column_text(st, 2);
        c->type = xstrdup(type && *type ? type : "NVARCHAR(MAX)");
        /* Prisma's DATETIME2 is DATETIME2(7): say so. */
        if (!strcmp(c->type, "DATETIME2")) {
            free(c->type);
            c->type = xstrdup("DATETIME2(7)");
        }
        c->notnull = sqlite3_column_int(st, 3) != 0;
        const char *d = (const char *)sqlite3_column_text(st, 4);
        c->dflt = d ? xstrdup(d) : NULL;
        c->pk = sqlite3_column_int(st, 5) != 0;
        c->varchar = !strncmp(c->type, "VARCHAR", 7) || !strncmp(c->type, "CHAR", 4);
        c->decimal = !strncmp(c->type, "DECIMAL", 7) || !strncmp(c->type, "NUMERIC", 7);
    }
    sqlite3_finalize(st);
    *out = cols;
    *n = k;
    return 0;
}

static void ddl(struct strbuf *sb, const char *table, const struct tcol *cols, size_t n,
                bool change_tracking)
{
    sb_adds(sb, "CREATE TABLE [dbo].");
    add_ident(sb, table);
    sb_adds(sb, " (\n");
    const char *pk = NULL;
    for (size_t i = 0; i < n; i++) {
        sb_adds(sb, "    ");
        add_ident(sb, cols[i].name);
        sb_addf(sb, " %s%s", cols[i].type, cols[i].notnull || cols[i].pk ? " NOT NULL" : " NULL");
        if (cols[i].dflt) {
            const char *d = cols[i].dflt;
            sb_adds(sb, " CONSTRAINT ");
            char *cname = xasprintf("%s_%s_df", table, cols[i].name);
            add_ident(sb, cname);
            free(cname);
            sb_adds(sb, " DEFAULT ");
            if (d[0] == '\'' && !cols[i].varchar)
                sb_addc(sb, 'N');
            /* A literal, or CURRENT_TIMESTAMP: parenthesised, as SQL Server
             * itself shows defaults (and as SQLite, under the stand-in,
             * needs for anything but a literal). */
            bool literal = d[0] == '\'' || d[0] == '-' || (d[0] >= '0' && d[0] <= '9');
            sb_addf(sb, literal ? "%s" : "(%s)", d);
        }
        if (cols[i].pk)
            pk = cols[i].name;
        sb_adds(sb, i + 1 < n || pk ? ",\n" : "\n");
    }
    if (pk) {
        char *cname = xasprintf("%s_pkey", table);
        sb_adds(sb, "    CONSTRAINT ");
        add_ident(sb, cname);
        free(cname);
        sb_adds(sb, " PRIMARY KEY (");
        add_ident(sb, pk);
        sb_adds(sb, ")\n");
    }
    sb_adds(sb, ");\nGO\n");
    if (change_tracking && pk) {
        sb_adds(sb, "ALTER TABLE [dbo].");
        add_ident(sb, table);
        sb_adds(sb, " ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = OFF);\nGO\n");
    }
}

static void insert_head(struct strbuf *sb, const char *table, const struct tcol *cols, size_t n)
{
    sb_adds(sb, "BEGIN TRANSACTION;\nINSERT INTO [dbo].");
    add_ident(sb, table);
    sb_adds(sb, " (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_adds(sb, ", ");
        add_ident(sb, cols[i].name);
    }
    sb_adds(sb, ") VALUES\n");
}

static const char insert_tail[] = ";\nCOMMIT TRANSACTION;\nGO\n";

static int table_data(sqlite3 *db, const char *table, const struct tcol *cols, size_t n, FILE *out,
                      long *rows_out, char **err)
{
    /* (the table's own order: the key for the generator's WITHOUT ROWID
     * tables, insertion for others) */
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        *err = xasprintf("SQLite: %s", sqlite3_errmsg(db));
        return -1;
    }
    struct strbuf sb;
    sb_init(&sb);
    long rows = 0, in_stmt = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (in_stmt == 0)
            insert_head(&sb, table, cols, n);
        else
            sb_adds(&sb, ",\n");
        sb_addc(&sb, '(');
        for (size_t c = 0; c < n; c++) {
            if (c)
                sb_adds(&sb, ", ");
            int i = (int)c;
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: sb_adds(&sb, "NULL"); break;
            case SQLITE_INTEGER: sb_addf(&sb, "%lld", (long long)sqlite3_column_int64(st, i)); break;
            case SQLITE_FLOAT: add_double(&sb, sqlite3_column_double(st, i), cols[c].decimal); break;
            default: {
                const unsigned char *t = sqlite3_column_text(st, i);
                add_text(&sb, t ? t : (const unsigned char *)"", (size_t)sqlite3_column_bytes(st, i),
                         cols[c].varchar);
            }
            }
        }
        sb_addc(&sb, ')');
        rows++;
        in_stmt++;
        if (in_stmt == TSQL_ROWS_PER_INSERT || sb.len > TSQL_BYTES_PER_INSERT) {
            sb_adds(&sb, insert_tail);
            fwrite(sb.buf, 1, sb.len, out);
            sb_reset(&sb);
            in_stmt = 0;
        }
    }
    if (in_stmt) {
        sb_adds(&sb, insert_tail);
        fwrite(sb.buf, 1, sb.len, out);
    }
    sb_free(&sb);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        *err = xasprintf("SQLite: reading %s: %s", table, sqlite3_errmsg(db));
        return -1;
    }
    *rows_out = rows;
    return 0;
}

int gen_tsql_from_sqlite(const char *sqlite_path, const struct gen_opts *o, bool change_tracking,
                         FILE *out, const struct progress *log, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(sqlite_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = xasprintf("cannot open %s: %s", sqlite_path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    fprintf(out,
            "-- The Kitchen Pantry CRM legacy database (Prisma on SQL Server, data-model.md 1)\n"
            "-- written by pantrycrm demo generate --format tsql: scale %ld, seed %llu%s.\n"
            "-- Run it on an empty database, as UTF-8, for instance:\n"
            "--   sqlcmd -S SERVER -d DATABASE -f 65001 -i FILE\n"
            "-- Every column but the keys accepts NULL: the dirt puts NULLs in columns\n"
            "-- data-model.md declares NOT NULL, as hand edits did in the real database.\n"
            "SET NOCOUNT ON;\nSET XACT_ABORT ON;\nGO\n",
            o->scale, (unsigned long long)o->seed, o->messy ? ", with the legacy dirt" : "");
    if (change_tracking)
        fputs("-- Change Tracking and snapshot isolation, as `pantrycrm sync` needs them.\n"
              "ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON;\nGO\n"
              "ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, "
              "AUTO_CLEANUP = ON);\nGO\n", out);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite_%' ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
        *err = xasprintf("SQLite: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    char *tables[64];
    size_t nt = 0;
    while (sqlite3_step(st) == SQLITE_ROW && nt < 64)
        tables[nt++] = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    int rc = 0;
    struct strbuf sb;
    sb_init(&sb);
    /* All tables first, then the data: the order of a Prisma migration. */
    for (size_t t = 0; t < nt && rc == 0; t++) {
        struct tcol *cols;
        size_t n;
        if ((rc = read_cols(db, tables[t], &cols, &n, err)) != 0)
            break;
        sb_reset(&sb);
        ddl(&sb, tables[t], cols, n, change_tracking);
        fwrite(sb.buf, 1, sb.len, out);
        free_cols(cols, n);
    }
    for (size_t t = 0; t < nt && rc == 0; t++) {
        struct tcol *cols;
        size_t n;
        long rows = 0;
        if ((rc = read_cols(db, tables[t], &cols, &n, err)) != 0)
            break;
        rc = table_data(db, tables[t], cols, n, out, &rows, err);
        free_cols(cols, n);
        if (rc == 0 && log)
            progress_say(log, "%-20s %10ld rows in the script", tables[t], rows);
    }
    sb_free(&sb);
    for (size_t t = 0; t < nt; t++)
        free(tables[t]);
    sqlite3_close(db);
    if (rc == 0 && ferror(out)) {
        *err = xasprintf("writing the script failed: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}
