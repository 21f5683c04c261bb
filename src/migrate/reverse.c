/* reverse.c - the reverse transform (reverse.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "reverse.h"
#include "convert.h"
#include "sqltext.h"
#include "transform.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Appends UTF-8 (or WTF-8, with encoded lone surrogates) text as a T-SQL
 * NVARCHAR expression. A NUL cannot travel inside the batch text (db-lib
 * takes a C string), so it is CHAR(0) joined with '+'; a lone surrogate is
 * NCHAR(0xD8xx). The tds-standin knows neither NCHAR nor CONCAT: for it a
 * lone surrogate is its documented \uD8xx escape (it stores escapes and
 * sends the real code unit). */
void reverse_add_text(struct strbuf *sb, const char *s, size_t n, bool no_nchar)
{
    bool open = false, any = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        const char *piece = NULL;
        char buf[24];
        size_t adv = 1;
        if (c == 0) {
            piece = "CHAR(0)";
        } else if (c == 0xED && i + 2 < n && ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
            unsigned u = 0xD000u | (((unsigned char)s[i + 1] & 0x3Fu) << 6)
                         | ((unsigned char)s[i + 2] & 0x3Fu);
            adv = 3;
            if (no_nchar) {
                if (!open) {
                    sb_adds(sb, any ? " + N'" : "N'");
                    open = any = true;
                }
                sb_addf(sb, "\\u%04X", u);
                i += adv;
                continue;
            }
            snprintf(buf, sizeof buf, "NCHAR(0x%04X)", u);
            piece = buf;
        }
        if (piece) {
            if (open)
                sb_addc(sb, '\'');
            sb_adds(sb, any ? " + " : "");
            sb_adds(sb, piece);
            open = false;
            any = true;
            i += adv;
            continue;
        }
        if (!open) {
            sb_adds(sb, any ? " + N'" : "N'");
            open = any = true;
        }
        if (c == '\'')
            sb_addc(sb, '\'');
        sb_addc(sb, (char)c);
        i++;
    }
    if (open)
        sb_addc(sb, '\'');
    else if (!any)
        sb_adds(sb, "N''");
}

/* UTF-16 code units of UTF-8 / WTF-8 text: what NVARCHAR(n) counts. */
size_t reverse_utf16_units(const char *s, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue;
        u += c >= 0xF0 ? 2 : 1;
    }
    return u;
}

/* metadata.legacy.<col>: a string, or {"hex": "..."} for bytes JSON cannot
 * hold (NUL, lone surrogates), or null. false when absent. */
bool reverse_legacy_orig(json_t *legacy, const char *col, struct strbuf *out, bool *is_null)
{
    json_t *v = legacy ? json_object_get(legacy, col) : NULL;
    if (!v)
        return false;
    sb_reset(out);
    *is_null = json_is_null(v);
    return *is_null || convert_original_bytes(v, out);
}

/* Where a key matches in the legacy table. A UUID that the forward
 * transform kept was lower-cased; the legacy row may spell it in upper case
 * (SQL Server compares case-insensitively, the stand-in does not), so both
 * spellings are asked for, which keeps the primary key index usable. */
void reverse_add_key_match(const struct reverse_opts *ro, struct strbuf *sb, const struct legacy_table *t,
                          const char *legacy, size_t llen, bool uuid_kept)
{
    sb_addc(sb, '[');
    sb_adds(sb, t->key);
    sb_addc(sb, ']');
    if (!uuid_kept) {
        sb_adds(sb, " = ");
        reverse_add_text(sb, legacy, llen, ro->no_nchar);
        return;
    }
    char up[UUID_TEXT_LEN + 1];
    snprintf(up, sizeof up, "%.*s", (int)llen, legacy);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    sb_adds(sb, " IN (");
    reverse_add_text(sb, legacy, llen, ro->no_nchar);
    sb_adds(sb, ", ");
    reverse_add_text(sb, up, strlen(up), ro->no_nchar);
    sb_addc(sb, ')');
}

/* The PostgreSQL query of one table's current rows: every contract column
 * as text in the legacy form, then each UUID foreign key's parent
 * metadata.legacy.id, then metadata.legacy, then the key. */
char *reverse_image_query(const struct legacy_table *t)
{
    struct strbuf q;
    sb_init(&q);
    sb_adds(&q, "SELECT ");
    for (size_t i = 0; i < t->ncols; i++) {
        const struct legacy_column *c = &t->cols[i];
        struct strbuf col;
        sb_init(&col);
        sb_adds(&col, "t.");
        sql_add_ident(&col, c->name);
        if (i)
            sb_adds(&q, ", ");
        switch (c->kind) {
        case COL_DATETIME:
            sb_addf(&q, "CASE WHEN %s IS NULL THEN NULL WHEN extract(year FROM %s) BETWEEN 1 AND 9999"
                        " THEN to_char(%s, 'YYYY-MM-DD HH24:MI:SS.US') ELSE '!' || %s::text END",
                    col.buf, col.buf, col.buf, col.buf);
            break;
        case COL_BIT:
            sb_addf(&q, "%s::int::text", col.buf);
            break;
        default:
            sb_addf(&q, "%s::text", col.buf);
        }
        sb_free(&col);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const struct legacy_column *c = &t->cols[i];
        if (c->kind != COL_FK_UUID)
            continue;
        sb_adds(&q, ", (SELECT (p.metadata #> '{legacy,id}')::text FROM ");
        sql_add_ident(&q, c->ref_table);
        sb_adds(&q, " p WHERE p.id = t.");
        sql_add_ident(&q, c->name);
        sb_adds(&q, ")");
    }
    if (t->crm)
        sb_adds(&q, ", (t.metadata -> 'legacy')::text");
    sb_adds(&q, ", t.");
    sql_add_ident(&q, t->key);
    sb_adds(&q, "::text FROM ");
    sql_add_ident(&q, t->name);
    sb_adds(&q, " t WHERE t.");
    sql_add_ident(&q, t->key);
    const struct legacy_column *kc = legacy_column(t, t->key);
    sb_addf(&q, " = ANY($1::%s[])", kc && kc->kind == COL_ID_UUID ? "uuid" : "text");
    return sb_detach(&q);
}

/* One column of one row in its legacy form; false with reason/detail when
 * the legacy column cannot hold it. */
/* What the forward transform makes of a legacy enum string (convert.c):
 * the label, NULL, or ENUM_REFUSED (the row would go to the quarantine). */
static const char ENUM_REFUSED[] = "";

static const char *enum_forward(const struct reverse_opts *ro, const struct legacy_table *t,
                                const struct legacy_column *c, const char *s, size_t n)
{
    const char *label = NULL;
    enum enum_match m = enum_normalise(ro->synonyms, c->enum_type, s, n, &label);
    if (m == ENUM_EXACT || m == ENUM_NORMALISED || m == ENUM_SYNONYM)
        return label;
    /* the operator's policy for the column: the last matching rule wins */
    const struct policy_rule *rule = NULL;
    for (size_t i = 0; i < ro->nrules; i++) {
        const struct policy_rule *r = &ro->rules[i];
        if ((strcmp(r->table, "*") == 0 || strcmp(r->table, t->name) == 0)
            && (strcmp(r->column, "*") == 0 || strcmp(r->column, c->name) == 0))
            rule = r;
    }
    enum policy_action act = rule ? rule->action : POLICY_QUARANTINE;
    if (m == ENUM_EMPTY) {
        if (c->nullable)
            return NULL;
        if (c->fallback && act != POLICY_DEFAULT)
            return c->fallback;
    }
    if (act == POLICY_DEFAULT && rule->value) {
        size_t nl;
        const char *const *labels = legacy_enum_labels(c->enum_type, &nl);
        for (size_t k = 0; k < nl; k++)
            if (strcasecmp(labels[k], rule->value) == 0)
                return labels[k];
        return ENUM_REFUSED;
    }
    if (act == POLICY_NULL && c->nullable)
        return NULL;
    return ENUM_REFUSED;
}

/* The forward transform of an e-mail column (convert.c, convert_email)
 * applied to its text-repaired original in *v: true when it gives NULL,
 * else *v becomes the value it gives. */
static bool email_forward(const struct reverse_opts *ro, const struct legacy_column *c,
                          struct strbuf *v)
{
    struct strbuf out;
    sb_init(&out);
    unsigned ef = email_repair(v->buf ? v->buf : "", v->len, &out);
    bool to_null = c->nullable && ((ef & EMAIL_EMPTY) || ((ef & EMAIL_MALFORMED) && ro->null_bad_email));
    if (!(ef & (EMAIL_EMPTY | EMAIL_MALFORMED))) {
        sb_reset(v);
        sb_addn(v, out.buf ? out.buf : "", out.len);
    }
    sb_free(&out);
    return to_null;
}

bool reverse_value(const struct reverse_opts *ro, const struct legacy_table *t, const struct legacy_column *c,
                   const PGresult *res, int r, int col, json_t *legacy, const char *parent_id,
                   struct reverse_value *out, const char **reason, char **detail)
{
    bool pg_null = PQgetisnull(res, r, col);
    const char *pv = PQgetvalue(res, r, col);
    size_t pl = (size_t)PQgetlength(res, r, col);
    struct strbuf orig;
    sb_init(&orig);
    bool onull = true;
    bool have = reverse_legacy_orig(legacy, c->name, &orig, &onull);
    sb_reset(&out->v);
    out->is_null = false;
    out->text = out->quoted = false;
    bool ok = true;
    switch (c->kind) {
    case COL_ID_UUID:
        out->text = true;
        if (have && !onull)
            sb_addn(&out->v, orig.buf ? orig.buf : "", orig.len);
        else
            sb_addn(&out->v, pv, pl);
        break;
    case COL_FK_UUID: {
        out->text = true;
        if (pg_null) {
            out->is_null = true;
            break;
        }
        json_t *pj = parent_id ? json_loads(parent_id, JSON_DECODE_ANY, NULL) : NULL;
        bool pn = true;
        json_t *wrap = pj ? json_pack("{s:O}", "id", pj) : NULL;
        if (wrap && reverse_legacy_orig(wrap, "id", &orig, &pn) && !pn)
            sb_addn(&out->v, orig.buf ? orig.buf : "", orig.len);
        else
            sb_addn(&out->v, pv, pl);
        json_decref(wrap);
        json_decref(pj);
        break;
    }
    case COL_ID_TEXT:
    case COL_FK_TEXT:
    case COL_TEXT:
    case COL_TEXT_MAX:
    case COL_ENUM: {
        out->text = true;
        out->is_null = pg_null;
        if (!pg_null)
            sb_addn(&out->v, pv, pl);
        if (have && !onull) {
            bool use = false;
            if (c->kind == COL_ENUM) {
                /* the original only if the forward transform still gives the
                 * current value from it: an application that changed or
                 * cleared the column must not see the old value come back */
                const char *fwd = enum_forward(ro, t, c, orig.buf ? orig.buf : "", orig.len);
                use = pg_null ? fwd == NULL : fwd && fwd != ENUM_REFUSED && strlen(fwd) == pl
                                                  && memcmp(fwd, pv, pl) == 0;
            } else if (c->kind == COL_TEXT || c->kind == COL_TEXT_MAX) {
                struct strbuf rep;
                sb_init(&rep);
                unsigned flags = text_repair(orig.buf ? orig.buf : "", orig.len, &rep);
                bool fwd_null = false;
                if (t->crm && strcmp(c->name, "email") == 0)
                    fwd_null = email_forward(ro, c, &rep);
                /* the original only if the forward transform gives the
                 * current value from it (a repaired e-mail, or one set to
                 * NULL); bytes that are not UTF-8 (nor WTF-8) cannot go into
                 * a T-SQL batch at all: then the repaired text is what is
                 * left */
                use = flags & TEXT_INVALID_UTF8 ? false
                    : pg_null ? fwd_null
                              : !fwd_null && rep.len == pl
                                    && memcmp(rep.buf ? rep.buf : "", pv, pl) == 0;
                sb_free(&rep);
            }
            if (use) {
                sb_reset(&out->v);
                sb_addn(&out->v, orig.buf ? orig.buf : "", orig.len);
                out->is_null = false;
            }
        }
        if (!out->is_null && c->kind != COL_TEXT_MAX
            && reverse_utf16_units(out->v.buf ? out->v.buf : "", out->v.len) > 1000) {
            *reason = "text_too_long";
            *detail = xasprintf("%zu UTF-16 code units; NVARCHAR(1000) holds 1000",
                                reverse_utf16_units(out->v.buf, out->v.len));
            ok = false;
        }
        break;
    }
    case COL_DATETIME:
        out->quoted = true;
        if (pg_null) {
            /* a date the forward transform set to NULL (not a date, or
             * outside the window) goes back as it was; one the application
             * cleared stays NULL */
            struct strbuf dt;
            sb_init(&dt);
            enum dt_status ds = DT_OK;
            if (have && !onull)
                ds = datetime_parse(orig.buf ? orig.buf : "", orig.len, ro->min_year, ro->max_year, &dt);
            sb_free(&dt);
            if (have && !onull && (ds == DT_INVALID || ds == DT_OUT_OF_RANGE)) {
                out->text = true;
                out->quoted = false;
                sb_addn(&out->v, orig.buf ? orig.buf : "", orig.len);
            } else {
                out->is_null = true;
            }
        } else if (pv[0] == '!') {
            *reason = "datetime_out_of_range";
            *detail = xasprintf("%s is outside DATETIME2 (years 1 to 9999)", pv + 1);
            ok = false;
        } else if (atoi(pv) < ro->min_year || atoi(pv) > ro->max_year) {
            /* SQL Server holds it, but migrating back would set it to NULL:
             * the round trip would not be the identity, so say so now */
            *reason = "datetime_outside_window";
            *detail = xasprintf("%s is outside the migration's date window %d..%d (--years)", pv,
                                ro->min_year, ro->max_year);
            ok = false;
        } else {
            sb_addn(&out->v, pv, pl);
        }
        break;
    case COL_FLOAT:
        if (!pg_null && (strstr(pv, "NaN") || strstr(pv, "Infinity"))) {
            *reason = "float_invalid";
            *detail = xasprintf("%s has no SQL Server FLOAT", pv);
            ok = false;
            break;
        }
        __attribute__((fallthrough));
    case COL_BIT:
    case COL_INT:
    case COL_DECIMAL:
        out->is_null = pg_null;
        sb_addn(&out->v, pv, pl);
        break;
    }
    if (ok && out->is_null && !c->nullable) {
        *reason = "null_in_required";
        *detail = xstrdup("NULL in a NOT NULL column of the legacy table");
        ok = false;
    }
    sb_free(&orig);
    return ok;
}

void reverse_add_value(const struct reverse_opts *ro, struct strbuf *sb, const struct reverse_value *v)
{
    if (v->is_null)
        sb_adds(sb, "NULL");
    else if (v->text)
        reverse_add_text(sb, v->v.buf ? v->v.buf : "", v->v.len, ro->no_nchar);
    else if (v->quoted)
        sb_addf(sb, "'%.*s'", (int)v->v.len, v->v.buf ? v->v.buf : "");
    else
        sb_addn(sb, v->v.buf ? v->v.buf : "", v->v.len);
}

