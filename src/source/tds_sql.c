/* tds_sql.c - T-SQL text: bracketed names, N'' literals, the select
 * expressions (text through VARBINARY(MAX)) and key literals for resuming
 * after a key (the stand-in has no RPC, so keys go as literals built from
 * the key cell only; identifiers only from the catalog).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tds_private.h"
#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void tds_add_bracketed(struct strbuf *sb, const char *name)
{
    sb_addc(sb, '[');
    for (const char *p = name; *p; p++) {
        if (*p == ']')
            sb_addc(sb, ']');
        sb_addc(sb, *p);
    }
    sb_addc(sb, ']');
}

/* N'...' with quotes doubled. */
void tds_add_nliteral(struct strbuf *sb, const char *s, size_t n)
{
    sb_adds(sb, "N'");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            sb_addc(sb, '\'');
        sb_addc(sb, s[i]);
    }
    sb_addc(sb, '\'');
}

void tds_add_table(struct strbuf *sb, const char *table)
{
    sb_adds(sb, "[dbo].");
    tds_add_bracketed(sb, table);
}

bool tds_is_text_type(const char *type)
{
    static const char *const prefixes[] = {"NVARCHAR", "VARCHAR", "NCHAR", "CHAR", "NTEXT",
                                           "TEXT", "XML", "SYSNAME"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(type, prefixes[i], n) == 0 && (type[n] == '\0' || type[n] == '('))
            return true;
    }
    return false;
}

bool tds_is_integer_type(const char *type)
{
    return strcmp(type, "INT") == 0 || strcmp(type, "BIGINT") == 0 ||
           strcmp(type, "SMALLINT") == 0 || strcmp(type, "TINYINT") == 0;
}

/* Adds the select expression of a column: text through VARBINARY(MAX). */
void tds_add_column_expr(struct strbuf *sb, const char *alias, const struct source_column *c)
{
    if (tds_is_text_type(c->type)) {
        sb_adds(sb, "CAST(CAST(");
        if (alias)
            sb_addf(sb, "%s.", alias);
        tds_add_bracketed(sb, c->name);
        sb_adds(sb, " AS NVARCHAR(MAX)) AS VARBINARY(MAX))");
    } else {
        if (alias)
            sb_addf(sb, "%s.", alias);
        tds_add_bracketed(sb, c->name);
    }
}

/* Whether text holds a byte sequence N'...' cannot carry: NUL, or an
 * encoded surrogate (ED A0..BF). */
bool tds_needs_binary_literal(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c == 0xED && i + 1 < n && (unsigned char)s[i + 1] >= 0xA0))
            return true;
    }
    return false;
}

/* UTF-8 (with encoded surrogates) back to UTF-16LE bytes, as SQL Server
 * casts them to NVARCHAR. */
void tds_add_binary_text_literal(struct strbuf *sb, const char *in, size_t n)
{
    struct strbuf b;
    sb_init(&b);
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k;
        if (p[i] < 0x80) {
            cp = p[i];
            k = 1;
        } else if ((p[i] & 0xE0) == 0xC0 && i + 1 < n) {
            cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
            k = 2;
        } else if ((p[i] & 0xF0) == 0xE0 && i + 2 < n) {
            cp = (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
            k = 3;
        } else if ((p[i] & 0xF8) == 0xF0 && i + 3 < n) {
            cp = (uint32_t)(p[i] & 0x07) << 18 | (uint32_t)(p[i + 1] & 0x3F) << 12 |
                 (uint32_t)(p[i + 2] & 0x3F) << 6 | (p[i + 3] & 0x3F);
            k = 4;
        } else {
            cp = 0xFFFD;
            k = 1;
        }
        i += k;
        uint16_t units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (int u = 0; u < nu; u++) {
            sb_addc(&b, (char)(units[u] & 0xFF));
            sb_addc(&b, (char)(units[u] >> 8));
        }
    }
    sb_adds(sb, "CAST(0x");
    for (size_t i = 0; i < b.len; i++)
        sb_addf(sb, "%02X", (unsigned char)b.buf[i]);
    if (b.len == 0)
        sb_adds(sb, "00"); /* never reached for real keys: "" has no NUL */
    sb_adds(sb, " AS NVARCHAR(MAX))");
    sb_free(&b);
}

/* The key cell as a T-SQL literal of the key column's type. */
int tds_add_key_literal(struct strbuf *sb, const struct source_column *k, const struct cell *v,
                        char **err)
{
    if (tds_is_integer_type(k->type)) {
        size_t i = v->len && v->data[0] == '-' ? 1 : 0;
        if (i == v->len || v->len > 20) {
            *err = xasprintf("resume key for %s is not an integer", k->name);
            return -1;
        }
        for (; i < v->len; i++)
            if (!isdigit((unsigned char)v->data[i])) {
                *err = xasprintf("resume key for %s is not an integer", k->name);
                return -1;
            }
        sb_addn(sb, v->data, v->len);
        return 0;
    }
    if (tds_needs_binary_literal(v->data, v->len))
        tds_add_binary_text_literal(sb, v->data, v->len);
    else
        tds_add_nliteral(sb, v->data, v->len);
    return 0;
}

