/* assess.c - the pre-flight assessment.
 *
 * One pass over every table of the source, in the engine's load order,
 * through the engine's own conversion (convert_row): what assess predicts as
 * quarantined or repaired is what migrate will do, because it is the same
 * code. On top of that it looks at the raw values for what the conversion
 * only counts: distinct enum spellings and where each lands, the longest
 * NVARCHAR(MAX) values, date ranges, ids that are not UUIDs, orphans, and
 * unique values whose meaning changes when SQL Server's case- and
 * trailing-blank-insensitive collation gives way to PostgreSQL's exact one.
 * Orphans and case-insensitive duplicates are counted exactly at any scale:
 * the parent keys and folded values live in memory up to a byte budget and
 * in a temporary file past it (assess_spill.c).
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "assess.h"
#include "assess_spill.h"
#include "batch.h"
#include "keyset.h"
#include "legacy.h"
#include "source.h"
#include "transform.h"
#include "util.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

/* Rows converted before their batch is tallied and reset. */
#define ASSESS_BATCH_ROWS 5000
/* Distinct spellings kept per enum column; more are counted, not listed. */
#define MAX_DISTINCT 256
/* Examples kept per finding. */
#define MAX_EXAMPLES 3

/* ------------------------------------------------------------------------
 * Small containers
 * ------------------------------------------------------------------------ */

struct spelling {
    char *raw;
    size_t len;
    int64_t n;
};

/* Distinct values of one column, up to MAX_DISTINCT of them. */
struct distinct {
    struct spelling items[MAX_DISTINCT];
    size_t n;
    int64_t other_rows;    /* rows whose spelling did not fit */
};

static void distinct_add(struct distinct *d, const char *s, size_t len)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].len == len && memcmp(d->items[i].raw, s, len) == 0) {
            d->items[i].n++;
            return;
        }
    if (d->n == MAX_DISTINCT) {
        d->other_rows++;
        return;
    }
    d->items[d->n++] = (struct spelling){xstrndup(s, len), len, 1};
}

static void examples_add(json_t *arr, const char *s, size_t len)
{
    if (json_array_size(arr) >= MAX_EXAMPLES)
        return;
    struct strbuf sb;
    sb_init(&sb);
    text_repair(s, len, &sb);
    json_array_append_new(arr, json_stringn(sb.buf ? sb.buf : "", sb.len));
    sb_free(&sb);
}

/* ------------------------------------------------------------------------
 * Per column and per table
 * ------------------------------------------------------------------------ */


struct col_acc {
    const struct legacy_column *col;
    size_t src;                     /* its index among the streamed columns */
    int64_t nulls, empties, nul, surrogate, invalid_utf8;
    int64_t max_chars;
    struct distinct *values;        /* COL_ENUM */
    char min_dt[40], max_dt[40];    /* normalised text sorts as time */
    int64_t dt_invalid, dt_out_of_range, dt_rounded;
    int64_t id_kept, id_v5, id_invalid;
    json_t *id_examples;
};

struct unique_acc {
    const struct legacy_unique *key;    /* which unique key (legacy.h) */
    size_t src[2];
    struct bigmap folded;           /* folded hash → exact hash */
    int64_t values, changed, collisions;
    json_t *examples;
};

struct table_acc {
    const struct legacy_table *t;
    struct col_acc *cols;
    struct unique_acc uniq[2];
    size_t nuniq;
    int64_t rows, bytes, quarantined;
    json_t *reasons;                /* reason → count */
    json_t *repairs;                /* "column:repair" → count */
    json_t *orphans;                /* "column" → count */
};

struct assessor {
    const struct assess_opts *o;
    const struct convert_opts *copts;   /* the settings resolved: years filled in */
    struct convert *cv;
    struct batch b;
    struct table_acc *ta;
    struct spill *spill;                /* the memory budget of the sets below */
    struct bigset *ok_keys, *q_keys;    /* per table: loaded / quarantined keys */
    bool *is_parent;
    const struct legacy_table *tables;
    size_t ntables;
    struct strbuf tmp;
    size_t key_index;                   /* the key among the target fields */
    size_t key_src;                     /* the key among the streamed columns */
};

static size_t table_index_of(const struct assessor *a, const char *name)
{
    for (size_t i = 0; i < a->ntables; i++)
        if (strcmp(a->tables[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* 16 bytes that stand for a key: the UUID itself, or a hash of the text
 * (text keys are the auth tables' cuids). */
static void key16(const char *s, size_t len, unsigned char out[16])
{
    if (keyset_parse_uuid(s, len, out))
        return;
    XXH128_hash_t h = XXH3_128bits(s, len);
    memcpy(out, &h.low64, 8);
    memcpy(out + 8, &h.high64, 8);
}

static size_t utf8_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static void raw_column(struct assessor *a, struct col_acc *c, const struct cell *cell)
{
    if (cell->is_null) {
        c->nulls++;
        return;
    }
    const char *s = cell->data;
    size_t len = cell->len;
    if (len == 0)
        c->empties++;
    switch (c->col->kind) {
    case COL_TEXT:
    case COL_TEXT_MAX:
    case COL_ENUM:
    case COL_ID_TEXT:
    case COL_FK_TEXT:
    case COL_ID_UUID:
    case COL_FK_UUID: {
        sb_reset(&a->tmp);
        unsigned f = text_repair(s, len, &a->tmp);
        c->nul += (f & TEXT_NUL) != 0;
        c->surrogate += (f & TEXT_LONE_SURROGATE) != 0;
        c->invalid_utf8 += (f & TEXT_INVALID_UTF8) != 0;
        if (c->col->kind == COL_TEXT_MAX) {
            int64_t n = (int64_t)utf8_len(a->tmp.buf, a->tmp.len);
            if (n > c->max_chars)
                c->max_chars = n;
        }
        if (c->values)
            distinct_add(c->values, s, len);
        if (c->col->kind == COL_ID_UUID) {
            char out[UUID_TEXT_LEN + 1];
            enum id_kind k = id_map_uuid(a->ta->t->name, s, len, out);
            if (k == ID_UUID_KEPT) {
                c->id_kept++;
            } else {
                if (k == ID_UUID_V5)
                    c->id_v5++;
                else
                    c->id_invalid++;
                examples_add(c->id_examples, s, len);
            }
        }
        break;
    }
    case COL_DATETIME: {
        sb_reset(&a->tmp);
        enum dt_status st = datetime_parse(s, len, a->copts->min_year, a->copts->max_year, &a->tmp);
        if (st == DT_INVALID) {
            c->dt_invalid++;
        } else if (st == DT_OUT_OF_RANGE) {
            c->dt_out_of_range++;
        } else {
            c->dt_rounded += st == DT_ROUNDED;
            size_t n = a->tmp.len < sizeof c->min_dt - 1 ? a->tmp.len : sizeof c->min_dt - 1;
            char v[40];
            memcpy(v, a->tmp.buf, n);
            v[n] = '\0';
            if (!c->min_dt[0] || strcmp(v, c->min_dt) < 0)
                memcpy(c->min_dt, v, n + 1);
            if (strcmp(v, c->max_dt) > 0)
                memcpy(c->max_dt, v, n + 1);
        }
        break;
    }
    default:
        break;
    }
}

/* SQL Server's CI_AS with PAD: ASCII case and trailing blanks ignored.
 * (Accents stay significant in _AS; non-ASCII case folding is not
 * attempted, so the count is a lower bound for non-English values.) */
static void fold(const char *s, size_t len, struct strbuf *out)
{
    while (len && s[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        sb_addc(out, ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch);
    }
}

static void unique_row(struct assessor *a, struct unique_acc *u, const struct cell *cells)
{
    struct strbuf exact, folded;
    sb_init(&exact);
    sb_init(&folded);
    for (size_t k = 0; k < 2 && (*u->key).cols[k]; k++) {
        const struct cell *c = &cells[u->src[k]];
        if (c->is_null) {       /* NULLs never collide */
            sb_free(&exact);
            sb_free(&folded);
            return;
        }
        sb_addn(&exact, c->data, c->len);
        sb_addc(&exact, '\x1f');
        fold(c->data, c->len, &folded);
        sb_addc(&folded, '\x1f');
    }
    u->values++;
    bool changed = exact.len != folded.len || memcmp(exact.buf, folded.buf, exact.len) != 0;
    if (changed)
        u->changed++;
    uint64_t he = XXH3_64bits(exact.buf, exact.len), hf = XXH3_64bits(folded.buf, folded.len);
    he = he ? he : 1;
    uint64_t seen = bigmap_get_or_put(&u->folded, hf, he);
    if (seen && seen != he) {
        u->collisions++;
        const struct cell *c = &cells[u->src[0]];
        examples_add(u->examples, c->data, c->len);
    }
    (void)a;
    sb_free(&exact);
    sb_free(&folded);
}

static void count_json(json_t *obj, const char *key, size_t keylen, int64_t n)
{
    char *k = xstrndup(key, keylen);
    json_t *v = json_object_get(obj, k);
    json_object_set_new(obj, k, json_integer((v ? json_integer_value(v) : 0) + n));
    free(k);
}

/* Orphans, tallies and parent keys of the converted rows so far. */
static void flush_batch(struct assessor *a)
{
    struct batch *b = &a->b;
    struct table_acc *ta = a->ta;
    size_t nfks;
    const struct convert_fk *fks = convert_fks(a->cv, &nfks);
    for (size_t r = 0; r < b->nrows; r++) {
        for (size_t k = 0; k < nfks && !b->rows[r].quarantined; k++) {
            const struct convert_fk *fk = &fks[k];
            struct field f = batch_row_fields(b, r)[fk->field];
            if (f.is_null)
                continue;
            size_t pi = table_index_of(a, fk->parent);
            if (pi == SIZE_MAX)
                continue;
            unsigned char key[16];
            key16(batch_ptr(b, f), f.len, key);
            if (bigset_contains(&a->ok_keys[pi], key))
                continue;
            count_json(ta->orphans, fk->column, strlen(fk->column), 1);
            if (fk->on_orphan == POLICY_NULL)
                convert_null_fk(a->cv, b, r, fk);
            else if (bigset_contains(&a->q_keys[pi], key))
                batch_quarantine(b, r, fk->column, "fk_parent_quarantined", NULL);
            else
                batch_quarantine(b, r, fk->column, "fk_orphan", NULL);
        }
    }
    size_t ti = table_index_of(a, ta->t->name);
    for (size_t r = 0; r < b->nrows; r++) {
        const struct batch_row *row = &b->rows[r];
        if (row->quarantined) {
            ta->quarantined++;
            const char *reason = b->arena.buf + row->reason_off;
            const char *tab = memchr(reason, '\t', row->reason_len);
            count_json(ta->reasons, reason, tab ? (size_t)(tab - reason) : row->reason_len, 1);
        }
        if (!a->is_parent[ti])
            continue;
        unsigned char key[16];
        if (row->quarantined) {
            /* Children of this row are told apart from true orphans by
             * its key as the target would have held it. */
            struct field kf = batch_row_raw(b, r)[a->key_src];
            char out[UUID_TEXT_LEN + 1];
            if (ta->t->crm && id_map_uuid(ta->t->name, batch_ptr(b, kf), kf.len, out) != ID_INVALID)
                key16(out, strlen(out), key);
            else
                key16(batch_ptr(b, kf), kf.len, key);
            bigset_add(&a->q_keys[ti], key);
        } else {
            struct field kf = batch_row_fields(b, r)[a->key_index];
            key16(batch_ptr(b, kf), kf.len, key);
            bigset_add(&a->ok_keys[ti], key);
        }
    }
    batch_tally_repairs(b);
    for (size_t i = 0; i < b->nrepairs; i++)
        if (b->repair_counts[i])
            count_json(ta->repairs, b->repair_keys[i], strlen(b->repair_keys[i]),
                       b->repair_counts[i]);
    batch_reset(b);
}

static int assess_row(void *ctx, const struct cell *cells, size_t ncells)
{
    struct assessor *a = ctx;
    struct table_acc *ta = a->ta;
    ta->rows++;
    for (size_t i = 0; i < ncells; i++)
        ta->bytes += cells[i].is_null ? 0 : (int64_t)cells[i].len;
    for (size_t c = 0; c < ta->t->ncols; c++)
        raw_column(a, &ta->cols[c], &cells[ta->cols[c].src]);
    for (size_t u = 0; u < ta->nuniq; u++)
        unique_row(a, &ta->uniq[u], cells);
    convert_row(a->cv, &a->b, cells);
    if (a->b.nrows >= ASSESS_BATCH_ROWS)
        flush_batch(a);
    return 0;
}

static size_t name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return SIZE_MAX;
}

/* ------------------------------------------------------------------------
 * The table's findings as JSON
 * ------------------------------------------------------------------------ */

static int cmp_spelling(const void *x, const void *y)
{
    const struct spelling *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->raw, b->raw, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static json_t *table_json(struct assessor *a, struct table_acc *ta, const struct synonyms *syn)
{
    json_t *t = json_object();
    json_object_set_new(t, "table", json_string(ta->t->name));
    json_object_set_new(t, "rows", json_integer(ta->rows));
    json_object_set_new(t, "bytes", json_integer(ta->bytes));
    json_object_set_new(t, "predicted_migrated", json_integer(ta->rows - ta->quarantined));
    json_object_set_new(t, "predicted_quarantined", json_integer(ta->quarantined));
    json_object_set_new(t, "quarantine_reasons", json_incref(ta->reasons));
    json_object_set_new(t, "repairs", json_incref(ta->repairs));
    json_object_set_new(t, "orphans", json_incref(ta->orphans));
    json_t *cols = json_array();
    for (size_t c = 0; c < ta->t->ncols; c++) {
        struct col_acc *ca = &ta->cols[c];
        const struct legacy_column *col = ca->col;
        json_t *o = json_object();
        json_object_set_new(o, "column", json_string(col->name));
        json_object_set_new(o, "type", json_string(legacy_mssql_type(col)));
        json_object_set_new(o, "nulls", json_integer(ca->nulls));
        if (ca->nul || ca->surrogate || ca->invalid_utf8) {
            json_object_set_new(o, "values_with_nul", json_integer(ca->nul));
            json_object_set_new(o, "values_with_lone_surrogates", json_integer(ca->surrogate));
            json_object_set_new(o, "values_with_invalid_utf8", json_integer(ca->invalid_utf8));
        }
        if (col->kind == COL_TEXT_MAX)
            json_object_set_new(o, "longest_chars", json_integer(ca->max_chars));
        if (col->kind == COL_DATETIME) {
            json_object_set_new(o, "min", ca->min_dt[0] ? json_string(ca->min_dt) : json_null());
            json_object_set_new(o, "max", ca->max_dt[0] ? json_string(ca->max_dt) : json_null());
            json_object_set_new(o, "invalid", json_integer(ca->dt_invalid));
            json_object_set_new(o, "out_of_range", json_integer(ca->dt_out_of_range));
            json_object_set_new(o, "rounded_to_microseconds", json_integer(ca->dt_rounded));
        }
        if (col->kind == COL_ID_UUID) {
            json_object_set_new(o, "uuid_ids", json_integer(ca->id_kept));
            json_object_set_new(o, "non_uuid_ids", json_integer(ca->id_v5));
            json_object_set_new(o, "invalid_ids", json_integer(ca->id_invalid));
            json_object_set_new(o, "non_uuid_examples", json_incref(ca->id_examples));
        }
        if (ca->values) {
            struct distinct *d = ca->values;
            qsort(d->items, d->n, sizeof *d->items, cmp_spelling);
            json_object_set_new(o, "enum", json_string(col->enum_type));
            json_t *vals = json_array();
            for (size_t i = 0; i < d->n; i++) {
                const char *label = NULL;
                enum enum_match m = enum_normalise(syn, col->enum_type, d->items[i].raw,
                                                   d->items[i].len, &label);
                json_t *v = json_object();
                sb_reset(&a->tmp);
                text_repair(d->items[i].raw, d->items[i].len, &a->tmp);
                json_object_set_new(v, "value", json_stringn(a->tmp.buf ? a->tmp.buf : "",
                                                             a->tmp.len));
                json_object_set_new(v, "rows", json_integer(d->items[i].n));
                json_object_set_new(v, "maps_to", label ? json_string(label) : json_null());
                json_object_set_new(v, "how", json_string(enum_match_name(m)));
                json_array_append_new(vals, v);
            }
            json_object_set_new(o, "distinct", vals);
            if (d->other_rows)
                json_object_set_new(o, "rows_with_unlisted_values", json_integer(d->other_rows));
        }
        json_array_append_new(cols, o);
    }
    json_object_set_new(t, "columns", cols);
    json_t *uniq = json_array();
    for (size_t u = 0; u < ta->nuniq; u++) {
        struct unique_acc *ua = &ta->uniq[u];
        json_t *o = json_object();
        json_t *names = json_array();
        for (size_t k = 0; k < 2 && (*ua->key).cols[k]; k++)
            json_array_append_new(names, json_string((*ua->key).cols[k]));
        json_object_set_new(o, "columns", names);
        json_object_set_new(o, "values", json_integer(ua->values));
        json_object_set_new(o, "values_with_case_or_trailing_blanks", json_integer(ua->changed));
        json_object_set_new(o, "case_insensitive_duplicates", json_integer(ua->collisions));
        json_object_set_new(o, "examples", json_incref(ua->examples));
        json_array_append_new(uniq, o);
    }
    json_object_set_new(t, "unique_keys", uniq);
    return t;
}

static void table_acc_free(struct table_acc *ta)
{
    if (!ta->t)
        return;
    for (size_t c = 0; c < ta->t->ncols; c++) {
        if (ta->cols[c].values) {
            for (size_t i = 0; i < ta->cols[c].values->n; i++)
                free(ta->cols[c].values->items[i].raw);
            free(ta->cols[c].values);
        }
        json_decref(ta->cols[c].id_examples);
    }
    free(ta->cols);
    for (size_t u = 0; u < ta->nuniq; u++) {
        bigmap_destroy(&ta->uniq[u].folded);
        json_decref(ta->uniq[u].examples);
    }
    json_decref(ta->reasons);
    json_decref(ta->repairs);
    json_decref(ta->orphans);
}

/* ------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------ */


static json_t *facts_json(struct source *src)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(src->ops->kind));
    if (!src->ops->facts) {
        json_object_set_new(o, "available", json_false());
        return o;
    }
    struct source_facts f;
    memset(&f, 0, sizeof f);
    char *err = NULL;
    if (src->ops->facts(src, &f, &err) != 0) {
        json_object_set_new(o, "error", json_string(err ? err : "unknown error"));
        free(err);
        return o;
    }
    json_object_set_new(o, "server", f.server ? json_string(f.server) : json_null());
    json_object_set_new(o, "database", f.database ? json_string(f.database) : json_null());
#define TRI(x) ((x) < 0 ? json_null() : json_boolean((x) > 0))
    json_object_set_new(o, "snapshot_isolation", TRI(f.snapshot_isolation));
    json_object_set_new(o, "read_committed_snapshot", TRI(f.read_committed_snapshot));
    json_object_set_new(o, "change_tracking", TRI(f.change_tracking));
#undef TRI
    json_object_set_new(o, "ct_retention_s",
                        f.ct_retention_s < 0 ? json_null() : json_integer(f.ct_retention_s));
    json_object_set_new(o, "ct_auto_cleanup", json_boolean(f.ct_auto_cleanup));
    source_facts_free(&f);
    return o;
}

/* PANTRYCRM_ASSESS_MEMORY: bytes, or with a k, M or G suffix (tests set a
 * tiny one to take the temporary file's path). 0, or -1 with *err. */
static int memory_from_env(size_t *out, char **err)
{
    const char *v = getenv("PANTRYCRM_ASSESS_MEMORY");
    *out = ASSESS_DEFAULT_MEMORY;
    if (!v || !*v)
        return 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || end == v || *v == '-' || n == 0 || n > (SIZE_MAX >> 31)) {
        *err = xasprintf("PANTRYCRM_ASSESS_MEMORY=%s: expected a size in bytes, such as 65536, 64k or 16M", v);
        return -1;
    }
    *out = (size_t)n << shift;
    return 0;
}

json_t *assess_run(const struct assess_opts *o, void (*progress)(const char *, void *),
                   void *ctx, char **err)
{
    struct assess_opts opts = *o;
    if (!opts.memory && memory_from_env(&opts.memory, err) != 0)
        return NULL;
    if (opts.load_rows_per_s <= 0)
        opts.load_rows_per_s = ASSESS_DEFAULT_LOAD_ROWS_PER_S;

    struct synonyms *syn = convert_load_synonyms(opts.transform.synonyms_path, err);
    if (!syn)
        return NULL;
    struct source *src = source_open(opts.source, err);
    if (!src) {
        synonyms_free(syn);
        return NULL;
    }
    struct convert_opts copts = convert_opts_of(&opts.transform, syn);
    struct assessor a = {.o = &opts, .copts = &copts};
    a.tables = legacy_tables(&a.ntables);
    a.spill = spill_new(opts.memory);
    a.ok_keys = xcalloc(a.ntables, sizeof *a.ok_keys);
    a.q_keys = xcalloc(a.ntables, sizeof *a.q_keys);
    a.is_parent = xcalloc(a.ntables, sizeof *a.is_parent);
    struct table_acc *accs = xcalloc(a.ntables, sizeof *accs);
    sb_init(&a.tmp);
    for (size_t i = 0; i < a.ntables; i++) {
        bigset_init(&a.ok_keys[i], a.spill);
        bigset_init(&a.q_keys[i], a.spill);
        for (size_t c = 0; c < a.tables[i].ncols; c++) {
            const char *p = a.tables[i].cols[c].ref_table;
            size_t pi = p ? table_index_of(&a, p) : SIZE_MAX;
            if (pi != SIZE_MAX)
                a.is_parent[pi] = true;
        }
    }
    json_t *result = NULL, *tables = json_array();
    struct source_table *st = NULL;
    size_t nst = 0;
    double t0 = clock_mono_s();
    int64_t total_rows = 0, total_bytes = 0, total_q = 0;
    if (src->ops->describe(src, &st, &nst, err) != 0)
        goto out;
    for (size_t i = 0; i < a.ntables; i++) {
        const struct legacy_table *t = &a.tables[i];
        const struct source_table *stab = NULL;
        for (size_t k = 0; k < nst && !stab; k++)
            if (strcmp(st[k].name, t->name) == 0)
                stab = &st[k];
        if (!stab) {
            *err = xasprintf("the source has no table \"%s\" (is it the CRM's database?)", t->name);
            goto out;
        }
        if (progress)
            progress(t->name, ctx);
        a.cv = convert_new(t, stab, &copts, err);
        if (!a.cv)
            goto out;
        size_t nsrc, ndst;
        const char *const *scols = convert_source_columns(a.cv, &nsrc);
        convert_target_columns(a.cv, &ndst);
        struct table_acc *ta = &accs[i];
        ta->t = t;
        ta->cols = xcalloc(t->ncols, sizeof *ta->cols);
        ta->reasons = json_object();
        ta->repairs = json_object();
        ta->orphans = json_object();
        for (size_t c = 0; c < t->ncols; c++) {
            ta->cols[c].col = &t->cols[c];
            ta->cols[c].src = name_index(scols, nsrc, t->cols[c].name);
            ta->cols[c].id_examples = json_array();
            if (t->cols[c].kind == COL_ENUM)
                ta->cols[c].values = xcalloc(1, sizeof *ta->cols[c].values);
        }
        size_t nunique;
        const struct legacy_unique *unique_keys = legacy_unique_keys(&nunique);
        for (size_t u = 0; u < nunique && ta->nuniq < 2; u++) {
            if (strcmp(unique_keys[u].table, t->name) != 0)
                continue;
            struct unique_acc *ua = &ta->uniq[ta->nuniq++];
            ua->key = &unique_keys[u];
            for (size_t k = 0; k < 2 && unique_keys[u].cols[k]; k++)
                ua->src[k] = name_index(scols, nsrc, unique_keys[u].cols[k]);
            bigmap_init(&ua->folded, a.spill);
            ua->examples = json_array();
        }
        a.ta = ta;
        a.key_index = (size_t)legacy_column_index(t, t->key);
        a.key_src = name_index(scols, nsrc, t->key);
        batch_init(&a.b, ndst, nsrc);
        char *serr = NULL;
        int rc = src->ops->stream(src, t->name, t->key, scols, nsrc, NULL, 0, assess_row, &a,
                                  &serr);
        if (rc == 0)
            flush_batch(&a);
        batch_free(&a.b);
        convert_free(a.cv);
        a.cv = NULL;
        if (rc != 0) {
            *err = xasprintf("reading %s: %s", t->name, serr ? serr : "failed");
            free(serr);
            goto out;
        }
        if (spill_error(a.spill)) {
            *err = xstrdup(spill_error(a.spill));
            goto out;
        }
        total_rows += ta->rows;
        total_bytes += ta->bytes;
        total_q += ta->quarantined;
        json_array_append_new(tables, table_json(&a, ta, syn));
    }
    double read_s = clock_mono_s() - t0;
    result = json_object();
    json_object_set_new(result, "source", json_string(src->description ? src->description
                                                                          : opts.source));
    json_object_set_new(result, "facts", facts_json(src));
    json_object_set_new(result, "tables", tables);
    tables = NULL;
    json_object_set_new(result, "rows", json_integer(total_rows));
    json_object_set_new(result, "bytes", json_integer(total_bytes));
    json_object_set_new(result, "predicted_quarantined", json_integer(total_q));
    json_object_set_new(result, "read_seconds", json_real(read_s));
    json_t *mem = json_object();
    json_object_set_new(mem, "budget_bytes", json_integer((json_int_t)opts.memory));
    json_object_set_new(mem, "spilled_entries", json_integer(spill_rows(a.spill)));
    json_object_set_new(result, "memory", mem);
    /* A migration reads the source too, so it cannot beat this read; and
     * it cannot beat the measured load rate either. */
    double read_rate = read_s > 0 ? (double)total_rows / read_s : 0;
    double by_load = (double)total_rows / opts.load_rows_per_s;
    double est = by_load > read_s ? by_load : read_s;
    json_t *e = json_object();
    json_object_set_new(e, "seconds", json_real(est));
    json_object_set_new(e, "source_read_rows_per_s", json_real(read_rate));
    json_object_set_new(e, "load_rows_per_s", json_real(opts.load_rows_per_s));
    json_object_set_new(e, "basis", json_string(by_load > read_s ? "load rate" : "source read rate"));
    json_object_set_new(result, "expected_run", e);
out:
    json_decref(tables);
    for (size_t i = 0; i < a.ntables; i++) {
        table_acc_free(&accs[i]);
        bigset_destroy(&a.ok_keys[i]);
        bigset_destroy(&a.q_keys[i]);
    }
    spill_free(a.spill);
    free(accs);
    free(a.ok_keys);
    free(a.q_keys);
    free(a.is_parent);
    sb_free(&a.tmp);
    source_tables_free(st, nst);
    source_close(src);
    synonyms_free(syn);
    return result;
}
