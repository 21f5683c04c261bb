/* convert.c - one legacy row in, one target row (or a quarantine) out.
 *
 * The rules, column kind by column kind (data-model.md §3):
 * - A value that had to change keeps its original in the row's
 *   metadata.legacy.<column> (CRM tables), so nothing is lost; the change
 *   is counted as a repair "<column>:<reason>".
 * - A value that cannot be carried over (money that would round, a date
 *   that is not a date in a required column, an enum label nobody knows
 *   under the quarantine policy) sends the whole row to the quarantine
 *   with a reason code; the writer stores the original row.
 * - E-mail columns follow convert_email: unambiguous repairs, the rest kept
 *   as it was and flagged (metadata.flags.email), or nulled (--bad-email).
 * - Tables without a metadata column (User, Account, Session,
 *   VerificationToken) keep a lossy text repair's original, and the values
 *   of extra source columns, beside the row (batch_keep_side): the writer
 *   stores them in migration.repair with the batch. A repairable value
 *   never costs its row, nor the row's children.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "convert.h"
#include "paths.h"
#include "transform.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct convert {
    const struct legacy_table *t;
    const struct convert_opts *o;
    const char **src_cols;          /* contract columns, then extras */
    size_t nsrc;
    const char **dst_cols;          /* contract columns, then metadata */
    size_t ndst;
    size_t key_index;
    struct convert_fk *fks;
    size_t nfks;
    /* per contract column: the policy for unmappable enum values */
    enum policy_action *enum_policy;
    const char **enum_default;
    bool *is_email;
    struct strbuf tmp, tmp2, tmp3;  /* tmp2 is json_of_bytes' scratch */
    json_t *legacy;                 /* metadata.legacy of the row being built */
    json_t *extra;                  /* metadata.extra */
    json_t *flags;                  /* metadata.flags */
};

static const struct policy_rule *find_rule(const struct convert_opts *o, const char *table,
                                           const char *column)
{
    const struct policy_rule *best = NULL;
    for (size_t i = 0; i < o->nrules; i++) {
        const struct policy_rule *r = &o->rules[i];
        bool t = strcmp(r->table, "*") == 0 || strcmp(r->table, table) == 0;
        bool c = strcmp(r->column, "*") == 0 || strcmp(r->column, column) == 0;
        if (t && c)
            best = r; /* the last matching rule wins, as on a command line */
    }
    return best;
}

struct convert *convert_new(const struct legacy_table *t, const struct source_table *src,
                            const struct convert_opts *o, char **err)
{
    struct convert *cv = xcalloc(1, sizeof *cv);
    cv->t = t;
    cv->o = o;
    cv->src_cols = xcalloc(t->ncols + src->ncols, sizeof *cv->src_cols);
    cv->dst_cols = xcalloc(t->ncols + 1, sizeof *cv->dst_cols);
    cv->enum_policy = xcalloc(t->ncols, sizeof *cv->enum_policy);
    cv->enum_default = xcalloc(t->ncols, sizeof *cv->enum_default);
    cv->is_email = xcalloc(t->ncols, sizeof *cv->is_email);
    cv->fks = xcalloc(t->ncols, sizeof *cv->fks);
    sb_init(&cv->tmp);
    sb_init(&cv->tmp2);
    sb_init(&cv->tmp3);

    for (size_t i = 0; i < t->ncols; i++) {
        const struct legacy_column *c = &t->cols[i];
        const char *found = NULL;
        for (size_t j = 0; j < src->ncols && !found; j++)
            if (strcmp(src->cols[j].name, c->name) == 0)
                found = src->cols[j].name;
        if (!found) {
            *err = xasprintf("source table \"%s\" has no column \"%s\", which the legacy "
                             "contract requires", t->name, c->name);
            convert_free(cv);
            return NULL;
        }
        cv->src_cols[cv->nsrc++] = c->name;
        cv->dst_cols[cv->ndst++] = c->name;
        if (strcmp(c->name, t->key) == 0)
            cv->key_index = i;
        cv->is_email[i] = c->kind == COL_TEXT && strcmp(c->name, "email") == 0;
        if (c->kind == COL_ENUM) {
            const struct policy_rule *r = find_rule(o, t->name, c->name);
            cv->enum_policy[i] = r ? r->action : POLICY_QUARANTINE;
            if (r && r->action == POLICY_NULL && !c->nullable) {
                *err = xasprintf("policy %s.%s=null: the column is required; use quarantine "
                                 "or default:LABEL", t->name, c->name);
                convert_free(cv);
                return NULL;
            }
            if (r && r->action == POLICY_DEFAULT) {
                size_t n;
                const char *const *labels = legacy_enum_labels(c->enum_type, &n);
                for (size_t k = 0; k < n; k++)
                    if (strcmp(labels[k], r->value) == 0)
                        cv->enum_default[i] = labels[k];
                if (!cv->enum_default[i]) {
                    *err = xasprintf("policy %s.%s=default:%s: \"%s\" is not a %s value",
                                     t->name, c->name, r->value, r->value, c->enum_type);
                    convert_free(cv);
                    return NULL;
                }
            }
        }
        if (c->kind == COL_FK_UUID || c->kind == COL_FK_TEXT) {
            struct convert_fk *fk = &cv->fks[cv->nfks++];
            const struct policy_rule *r = find_rule(o, t->name, c->name);
            fk->field = i;
            fk->column = c->name;
            fk->parent = c->ref_table;
            fk->parent_key = "id";
            fk->is_uuid = c->kind == COL_FK_UUID;
            fk->on_orphan = r && r->action == POLICY_NULL && c->nullable ? POLICY_NULL
                                                                         : POLICY_QUARANTINE;
        }
    }
    for (size_t j = 0; j < src->ncols; j++)
        if (!legacy_column(t, src->cols[j].name))
            cv->src_cols[cv->nsrc++] = src->cols[j].name;   /* kept, see convert_row */
    if (t->crm)
        cv->dst_cols[cv->ndst++] = "metadata";
    return cv;
}

void convert_free(struct convert *cv)
{
    if (!cv)
        return;
    free(cv->src_cols);
    free(cv->dst_cols);
    free(cv->enum_policy);
    free(cv->enum_default);
    free(cv->is_email);
    free(cv->fks);
    sb_free(&cv->tmp);
    sb_free(&cv->tmp2);
    sb_free(&cv->tmp3);
    json_decref(cv->legacy);
    json_decref(cv->extra);
    json_decref(cv->flags);
    free(cv);
}

const char *const *convert_source_columns(const struct convert *cv, size_t *n)
{
    *n = cv->nsrc;
    return cv->src_cols;
}

const char *const *convert_target_columns(const struct convert *cv, size_t *n)
{
    *n = cv->ndst;
    return cv->dst_cols;
}

const struct convert_fk *convert_fks(const struct convert *cv, size_t *n)
{
    *n = cv->nfks;
    return cv->fks;
}

size_t convert_key_index(const struct convert *cv)
{
    return cv->key_index;
}

/* A source value as JSON: a string when it is clean UTF-8 text (jsonb can
 * hold neither NUL nor invalid UTF-8), else {"hex": "…"}, never lossy. */
static json_t *json_of_bytes(const char *data, size_t len, struct strbuf *scratch)
{
    sb_reset(scratch);
    if (text_repair(data, len, scratch) == TEXT_OK)
        return json_stringn(data, len);
    static const char hexd[] = "0123456789abcdef";
    char *hex = xmalloc(len * 2 + 1);
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = hexd[(unsigned char)data[i] >> 4];
        hex[2 * i + 1] = hexd[(unsigned char)data[i] & 15];
    }
    hex[len * 2] = '\0';
    json_t *o = json_pack("{s:s}", "hex", hex);
    free(hex);
    return o;
}

static void keep_original(struct convert *cv, const char *column, const struct cell *c)
{
    if (!cv->t->crm)
        return;
    if (!cv->legacy)
        cv->legacy = json_object();
    json_object_set_new(cv->legacy, column,
                        c->is_null ? json_null() : json_of_bytes(c->data, c->len, &cv->tmp2));
}

static void put_null(struct field *f)
{
    f->off = f->len = 0;
    f->is_null = true;
}

/* An e-mail column, its text already repaired into cv->tmp (README, "E-mail
 * addresses"):
 * - the unambiguous repairs of email_repair are made, each counted, the
 *   original kept (metadata.legacy, or migration.repair);
 * - an empty address becomes NULL (a required column keeps it, flagged);
 * - an address that is still not plausible is kept as the legacy database
 *   held it and flagged: metadata.flags.email = {"reason", "value"} in the
 *   CRM tables (the console lists the rows whose flag's value still equals
 *   the column, so a fixed value is no longer listed), the migration.repair
 *   entry of reason email_malformed_kept in the auth tables; or, under
 *   --bad-email null, set to NULL with its original kept.
 * An auth table's address is never changed: User.email is the login and
 *   unique key, and a repair could make two users' keys one (the row would
 *   then be refused), so it is only flagged (flag_side, decided by the
 *   caller, which then keeps no other side entry for the column). */
static bool convert_email(struct convert *cv, struct batch *b, size_t i, const struct cell *c,
                          struct field *out, bool flag_side)
{
    const struct legacy_column *col = &cv->t->cols[i];
    const char *name = col->name;
    struct strbuf *tmp = &cv->tmp, *rep = &cv->tmp3;
    const char *v = tmp->buf ? tmp->buf : "";
    if (!cv->t->crm) {
        if (flag_side) {
            batch_keep_side(b, i, "email_malformed_kept");
            batch_count_repair(b, name, "email_malformed_kept");
        }
        *out = batch_put(b, v, tmp->len);
        return true;
    }
    sb_reset(rep);
    unsigned ef = email_repair(v, tmp->len, rep);
    bool bad = ef & (EMAIL_EMPTY | EMAIL_MALFORMED);
    if (ef & EMAIL_EMPTY && col->nullable) {
        keep_original(cv, name, c);
        batch_count_repair(b, name, "email_empty");
        put_null(out);
        return true;
    }
    if (bad && cv->o->null_bad_email && col->nullable) {
        keep_original(cv, name, c);
        batch_count_repair(b, name, "email_malformed_nulled");
        put_null(out);
        return true;
    }
    if (bad) {
        if (!cv->flags)
            cv->flags = json_object();
        json_t *flag = json_object();
        json_object_set_new(flag, "reason", json_string("email_malformed"));
        json_t *jv = json_stringn(v, tmp->len);     /* text_repair made it UTF-8 */
        json_object_set_new(flag, "value", jv ? jv : json_null());
        json_object_set_new(cv->flags, name, flag);
        batch_count_repair(b, name, "email_malformed_kept");
        *out = batch_put(b, v, tmp->len);
        return true;
    }
    if (ef) {
        keep_original(cv, name, c);
        if (ef & EMAIL_TRIMMED)
            batch_count_repair(b, name, "email_trimmed");
        if (ef & EMAIL_MAILTO)
            batch_count_repair(b, name, "email_mailto");
        if (ef & EMAIL_DOMAIN_CASE)
            batch_count_repair(b, name, "email_domain_case");
    }
    *out = batch_put(b, rep->buf ? rep->buf : "", rep->len);
    return true;
}

/* Converts one column; false when the row must go to the quarantine (the
 * reason is already recorded). */
static bool convert_column(struct convert *cv, struct batch *b, size_t row, size_t i,
                           const struct cell *c, struct field *out)
{
    const struct legacy_column *col = &cv->t->cols[i];
    const char *name = col->name;
    struct strbuf *tmp = &cv->tmp;
    sb_reset(tmp);

    if (c->is_null && col->kind != COL_ENUM) {
        if (col->nullable) {
            put_null(out);
            return true;
        }
        if (col->fallback) {
            const char *v = col->kind != COL_BIT ? col->fallback
                          : col->fallback[0] == '1' ? "t" : "f";
            *out = batch_put(b, v, strlen(v));
            batch_count_repair(b, name, "null_defaulted");
            return true;
        }
        batch_quarantine(b, row, name, "null_in_required", "NULL in a NOT NULL column");
        return false;
    }

    switch (col->kind) {
    case COL_ID_UUID:
    case COL_FK_UUID: {
        char uuid[UUID_TEXT_LEN + 1];
        const char *table = col->kind == COL_ID_UUID ? cv->t->name : col->ref_table;
        enum id_kind k = id_map_uuid(table, c->data, c->len, uuid);
        if (k == ID_INVALID) {
            batch_quarantine(b, row, name, "id_invalid", "empty id");
            return false;
        }
        if (k == ID_UUID_V5) {
            batch_count_repair(b, name, "id_mapped_v5");
            if (col->kind == COL_ID_UUID)
                keep_original(cv, name, c);
        }
        *out = batch_put(b, uuid, UUID_TEXT_LEN);
        if (col->kind == COL_ID_UUID)
            b->rows[row].target_key_field = (int32_t)i;
        return true;
    }
    case COL_ID_TEXT:
    case COL_FK_TEXT:
        if (text_repair(c->data, c->len, tmp) & TEXT_LOSSY) {
            batch_quarantine(b, row, name, "id_invalid_text",
                             "the id holds NUL, a lone surrogate or invalid UTF-8");
            return false;
        }
        if (c->len == 0 && col->kind == COL_ID_TEXT) {
            batch_quarantine(b, row, name, "id_invalid", "empty id");
            return false;
        }
        *out = batch_put(b, tmp->buf, tmp->len);
        if (col->kind == COL_ID_TEXT)
            b->rows[row].target_key_field = (int32_t)i;
        return true;
    case COL_TEXT:
    case COL_TEXT_MAX: {
        unsigned flags = text_repair(c->data, c->len, tmp);
        /* An auth table's address is stored unchanged, so it is flagged
         * when it is not plausible as it is; its one migration.repair
         * entry then has that reason (convert_email), not a text one. */
        bool flag_side = !cv->t->crm && cv->is_email[i]
                         && !email_plausible(tmp->buf ? tmp->buf : "", tmp->len);
        if (flags & TEXT_LOSSY) {
            /* A table without metadata (the auth tables) keeps the
             * original in migration.repair instead: a repairable value
             * never costs its row, nor the row's children. */
            if (!cv->t->crm && !flag_side)
                batch_keep_side(b, i, flags & TEXT_NUL ? "text_nul"
                                      : flags & TEXT_LONE_SURROGATE ? "text_lone_surrogate"
                                                                    : "text_invalid_utf8");
            keep_original(cv, name, c);
            if (flags & TEXT_NUL)
                batch_count_repair(b, name, "text_nul");
            if (flags & TEXT_LONE_SURROGATE)
                batch_count_repair(b, name, "text_lone_surrogate");
            if (flags & TEXT_INVALID_UTF8)
                batch_count_repair(b, name, "text_invalid_utf8");
        }
        if (flags & TEXT_SURROGATE_PAIR_JOINED)
            batch_count_repair(b, name, "text_surrogate_pair_joined");
        if (cv->is_email[i])
            return convert_email(cv, b, i, c, out, flag_side);
        *out = batch_put(b, tmp->buf ? tmp->buf : "", tmp->len);
        return true;
    }
    case COL_ENUM: {
        const char *label = NULL;
        enum enum_match m = c->is_null ? ENUM_EMPTY
                          : enum_normalise(cv->o->synonyms, col->enum_type, c->data, c->len, &label);
        switch (m) {
        case ENUM_EXACT:
            break;
        case ENUM_NORMALISED:
        case ENUM_SYNONYM:
            keep_original(cv, name, c);
            batch_count_repair(b, name, m == ENUM_NORMALISED ? "enum_normalised" : "enum_synonym");
            break;
        case ENUM_EMPTY:
            if (col->nullable) {
                if (!c->is_null) {
                    keep_original(cv, name, c);
                    batch_count_repair(b, name, "enum_empty_to_null");
                }
                put_null(out);
                return true;
            }
            if (col->fallback && cv->enum_policy[i] != POLICY_DEFAULT) {
                keep_original(cv, name, c);
                batch_count_repair(b, name, "enum_empty_defaulted");
                label = col->fallback;
                break;
            }
            /* the operator's policy decides */
            __attribute__((fallthrough));
        case ENUM_UNMATCHED:
            if (cv->enum_policy[i] == POLICY_DEFAULT) {
                keep_original(cv, name, c);
                batch_count_repair(b, name, m == ENUM_EMPTY ? "enum_empty_defaulted"
                                                            : "enum_unmatched_defaulted");
                label = cv->enum_default[i];
                break;
            }
            if (cv->enum_policy[i] == POLICY_NULL && col->nullable) {
                keep_original(cv, name, c);
                batch_count_repair(b, name, "enum_unmatched_nulled");
                put_null(out);
                return true;
            }
            {
                sb_reset(&cv->tmp2);
                sb_addf(&cv->tmp2, "%s: ", col->enum_type);
                if (c->is_null)
                    sb_adds(&cv->tmp2, "NULL");
                else {
                    sb_addc(&cv->tmp2, '\'');
                    text_repair(c->data, c->len > 200 ? 200 : c->len, &cv->tmp2);
                    sb_adds(&cv->tmp2, "' matches no label or synonym");
                }
                batch_quarantine(b, row, name, m == ENUM_EMPTY ? "enum_empty" : "enum_unmatched",
                                 cv->tmp2.buf);
            }
            return false;
        }
        *out = batch_put(b, label, strlen(label));
        return true;
    }
    case COL_DATETIME: {
        enum dt_status s = datetime_parse(c->data, c->len, cv->o->min_year, cv->o->max_year, tmp);
        if (s == DT_OK || s == DT_ROUNDED) {
            if (s == DT_ROUNDED)
                batch_count_repair(b, name, "datetime_rounded");
            *out = batch_put(b, tmp->buf, tmp->len);
            return true;
        }
        const char *reason = s == DT_INVALID ? "datetime_invalid" : "datetime_out_of_range";
        if (col->nullable) {
            keep_original(cv, name, c);
            batch_count_repair(b, name, s == DT_INVALID ? "datetime_invalid_nulled"
                                                        : "datetime_out_of_range_nulled");
            put_null(out);
            return true;
        }
        batch_quarantine(b, row, name, reason, "in a NOT NULL column");
        return false;
    }
    case COL_BIT:
    case COL_INT:
    case COL_FLOAT:
    case COL_DECIMAL: {
        enum num_status s;
        const char *what;
        if (col->kind == COL_BIT) {
            s = bit_parse(c->data, c->len, tmp);
            what = "bit";
        } else if (col->kind == COL_INT) {
            s = int_parse(c->data, c->len, tmp);
            what = "int";
        } else if (col->kind == COL_FLOAT) {
            s = float_parse(c->data, c->len, tmp);
            what = "float";
        } else {
            s = decimal_parse(c->data, c->len, 14, 2, tmp);
            what = "decimal";
        }
        if (s == NUM_OK) {
            *out = batch_put(b, tmp->buf, tmp->len);
            return true;
        }
        /* Numbers are never rounded or guessed: money least of all. */
        char reason[40];
        snprintf(reason, sizeof reason, "%s_%s", what,
                 s == NUM_OVERFLOW ? "overflow" : s == NUM_PRECISION_LOSS ? "precision_loss"
                                                                          : "invalid");
        sb_reset(&cv->tmp2);
        sb_adds(&cv->tmp2, "value '");
        text_repair(c->data, c->len > 100 ? 100 : c->len, &cv->tmp2);
        sb_adds(&cv->tmp2, "'");
        batch_quarantine(b, row, name, reason, cv->tmp2.buf);
        return false;
    }
    }
    return false;
}

void convert_row(struct convert *cv, struct batch *b, const struct cell *cells)
{
    struct batch_row *r = batch_new_row(b);
    size_t row = b->nrows - 1;
    struct field *raw = batch_row_raw(b, row);
    for (size_t i = 0; i < cv->nsrc; i++) {
        raw[i] = cells[i].is_null ? (struct field){0, 0, true}
                                  : batch_put(b, cells[i].data, cells[i].len);
        b->source_bytes += (int64_t)cells[i].len;
    }
    r->key_off = raw[cv->key_index].off;
    r->key_len = raw[cv->key_index].len;

    json_decref(cv->legacy);
    json_decref(cv->extra);
    json_decref(cv->flags);
    cv->legacy = cv->extra = cv->flags = NULL;
    struct field *f = batch_row_fields(b, row);
    for (size_t i = 0; i < cv->t->ncols; i++)
        if (!convert_column(cv, b, row, i, &cells[i], &f[i]))
            return;
    if (!cv->t->crm) {
        /* No metadata.extra here: an extra column's values are kept beside
         * the row in migration.repair (a NULL has nothing to keep). */
        for (size_t i = cv->t->ncols; i < cv->nsrc; i++)
            if (!cells[i].is_null)
                batch_keep_side(b, i, "extra_column");
        return;
    }
    for (size_t i = cv->t->ncols; i < cv->nsrc; i++) {
        if (!cv->extra)
            cv->extra = json_object();
        json_object_set_new(cv->extra, cv->src_cols[i],
                            cells[i].is_null ? json_null()
                                             : json_of_bytes(cells[i].data, cells[i].len, &cv->tmp2));
    }
    if (!cv->legacy && !cv->extra && !cv->flags) {
        f[cv->t->ncols] = batch_put(b, "{}", 2);
        return;
    }
    json_t *meta = json_object();
    if (cv->legacy)
        json_object_set(meta, "legacy", cv->legacy);
    if (cv->extra)
        json_object_set(meta, "extra", cv->extra);
    if (cv->flags)
        json_object_set(meta, "flags", cv->flags);
    char *s = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
    f[cv->t->ncols] = batch_put(b, s, strlen(s));
    free(s);
    json_decref(meta);
}

void convert_null_fk(struct convert *cv, struct batch *b, size_t row, const struct convert_fk *fk)
{
    struct field *f = batch_row_fields(b, row);
    struct field *raw = batch_row_raw(b, row);
    struct field orig = raw[fk->field];
    put_null(&f[fk->field]);
    batch_count_repair_at(b, row, fk->column, "fk_orphan_nulled");
    if (!cv->t->crm)
        return;
    struct field *mf = &f[cv->t->ncols];
    json_error_t jerr;
    json_t *meta = json_loadb(batch_ptr(b, *mf), mf->len, 0, &jerr);
    if (!meta)
        meta = json_object();
    json_t *legacy = json_object_get(meta, "legacy");
    if (!legacy) {
        legacy = json_object();
        json_object_set_new(meta, "legacy", legacy);
    }
    json_object_set_new(legacy, fk->column,
                        json_of_bytes(batch_ptr(b, orig), orig.len, &cv->tmp2));
    char *s = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
    *mf = batch_put(b, s, strlen(s));
    free(s);
    json_decref(meta);
}

char *convert_original_json(const struct convert *cv, const struct batch *b, size_t row)
{
    const struct field *raw = &b->raw[b->rows[row].raw0];
    json_t *o = json_object();
    struct strbuf scratch;
    sb_init(&scratch);
    for (size_t i = 0; i < cv->nsrc; i++)
        json_object_set_new(o, cv->src_cols[i],
                            raw[i].is_null ? json_null()
                                           : json_of_bytes(batch_ptr(b, raw[i]), raw[i].len, &scratch));
    sb_free(&scratch);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

char *convert_cell_json(const struct batch *b, size_t row, size_t col)
{
    struct field f = b->raw[b->rows[row].raw0 + col];
    struct strbuf scratch;
    sb_init(&scratch);
    json_t *v = f.is_null ? json_null() : json_of_bytes(batch_ptr(b, f), f.len, &scratch);
    sb_free(&scratch);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return s;
}

char *convert_display_key(const struct batch *b, size_t row)
{
    struct strbuf sb;
    sb_init(&sb);
    text_repair(b->arena.buf + b->rows[row].key_off, b->rows[row].key_len, &sb);
    return sb_detach(&sb);
}

bool convert_original_bytes(const json_t *v, struct strbuf *out)
{
    if (json_is_string(v)) {
        sb_addn(out, json_string_value(v), json_string_length(v));
        return true;
    }
    const char *hex = json_string_value(json_object_get(v, "hex"));
    if (!hex)
        return false;
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
        char byte[3] = {hex[i], hex[i + 1], '\0'};
        sb_addc(out, (char)strtol(byte, NULL, 16));
    }
    return true;
}

struct convert_opts convert_opts_of(const struct transform_settings *ts,
                                    const struct synonyms *synonyms)
{
    return (struct convert_opts){synonyms, ts->rules, ts->nrules,
                                 ts->min_year ? ts->min_year : DT_DEFAULT_MIN_YEAR,
                                 ts->max_year ? ts->max_year : DT_DEFAULT_MAX_YEAR,
                                 ts->bad_email == BAD_EMAIL_NULL};
}

const char *transform_settings_tz(const struct transform_settings *ts)
{
    return ts->source_tz ? ts->source_tz : "UTC";
}

struct synonyms *convert_load_synonyms(const char *path, char **err)
{
    if (path)
        return synonyms_load(path, err);
    char *data = paths_pkgdata();
    char *shipped = xasprintf("%s/synonyms.conf", data);
    struct synonyms *syn = synonyms_load(shipped, err);
    free(shipped);
    free(data);
    return syn;
}

int policy_parse(const char *spec, struct policy_rule *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
    if (!dot || !eq || dot > eq || dot == spec || eq == dot + 1) {
        *err = xasprintf("bad policy '%s': use TABLE.COLUMN=quarantine|null|default:LABEL "
                         "('*' matches any table or column)", spec);
        return -1;
    }
    out->table = xstrndup(spec, (size_t)(dot - spec));
    out->column = xstrndup(dot + 1, (size_t)(eq - dot - 1));
    const char *act = eq + 1;
    if (strcmp(act, "quarantine") == 0) {
        out->action = POLICY_QUARANTINE;
    } else if (strcmp(act, "null") == 0) {
        out->action = POLICY_NULL;
    } else if (strncmp(act, "default:", 8) == 0 && act[8]) {
        out->action = POLICY_DEFAULT;
        out->value = xstrdup(act + 8);
    } else {
        *err = xasprintf("bad policy action '%s' in '%s': use quarantine, null or default:LABEL",
                         act, spec);
        policy_free(out);
        return -1;
    }
    if (strcmp(out->table, "*") != 0 && !legacy_table(out->table)) {
        *err = xasprintf("bad policy '%s': no table \"%s\" in the legacy contract", spec, out->table);
        policy_free(out);
        return -1;
    }
    if (strcmp(out->table, "*") != 0 && strcmp(out->column, "*") != 0
        && !legacy_column(legacy_table(out->table), out->column)) {
        *err = xasprintf("bad policy '%s': table \"%s\" has no column \"%s\"", spec, out->table,
                         out->column);
        policy_free(out);
        return -1;
    }
    return 0;
}

void policy_free(struct policy_rule *r)
{
    free(r->table);
    free(r->column);
    free(r->value);
    memset(r, 0, sizeof *r);
}
