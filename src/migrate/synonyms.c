/* synonyms.c - enum normalisation (data-model.md §3.2): a legacy label is
 * matched exactly, then by its normalised key (case, blanks and separators
 * folded), then through the synonym file, whose loading and lookup are
 * here too. Part of the pure value transforms: see transform.h for the
 * contract of each function; the hot path rules of transform.c hold.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "transform.h"
#include "ascii.h"
#include "legacy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length in bytes of a blank (trimmed at the ends, a separator inside) at p,
 * or 0.  The multi-byte blanks are the UTF-8 forms of U+00A0, U+202F and
 * U+FEFF. */
static size_t blank_len(const unsigned char *p, const unsigned char *end)
{
    if (is_ascii_space(p[0]))
        return 1;
    if (p[0] == 0xC2 && end - p >= 2 && p[1] == 0xA0)
        return 2;
    if (end - p >= 3) {
        if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
            return 3;
        if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            return 3;
    }
    return 0;
}

/* Length of a separator at p (a blank, '-', '_', U+2010..U+2015, U+2212), or 0. */
static size_t separator_len(const unsigned char *p, const unsigned char *end)
{
    if (p[0] == '-' || p[0] == '_')
        return 1;
    if (p[0] == 0xE2 && end - p >= 3) {
        if (p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95)
            return 3;
        if (p[1] == 0x88 && p[2] == 0x92)
            return 3;
    }
    return blank_len(p, end);
}

/* Length of the blank that ends just before end (and starts at or after
 * start), or 0. */
static size_t blank_len_before(const unsigned char *start, const unsigned char *end)
{
    if (end - start >= 1 && is_ascii_space(end[-1]))
        return 1;
    if (end - start >= 2 && end[-2] == 0xC2 && end[-1] == 0xA0)
        return 2;
    if (end - start >= 3 && blank_len(end - 3, end) == 3)
        return 3;
    return 0;
}

/* Normalises raw into key (at most ENUM_KEY_MAX bytes, NUL-terminated);
 * returns the key length, 0 for a blank value, or ENUM_KEY_MAX + 1 when the
 * key would be longer (such a value cannot match anything). */
static size_t enum_key(const char *raw, size_t len, char key[ENUM_KEY_MAX + 1])
{
    const unsigned char *p = (const unsigned char *)raw, *end = p + len;
    size_t n;

    while (p < end && (n = blank_len(p, end)) > 0)
        p += n;
    while (end > p && (n = blank_len_before(p, end)) > 0)
        end -= n;

    size_t k = 0;
    while (p < end) {
        if ((n = separator_len(p, end)) > 0) {
            do
                p += n;
            while (p < end && (n = separator_len(p, end)) > 0);
            if (k == ENUM_KEY_MAX)
                return ENUM_KEY_MAX + 1;
            key[k++] = '_';
            continue;
        }
        if (k == ENUM_KEY_MAX)
            return ENUM_KEY_MAX + 1;
        key[k++] = (char)ascii_upper(*p++);
    }
    key[k] = '\0';
    return k;
}

struct syn_entry {
    char *key;              /* normalised source value */
    size_t len;
    const char *label;      /* static, from legacy_enum_labels */
    unsigned line;          /* where it was defined, for duplicate errors */
};

struct syn_type {
    char *name;             /* the PostgreSQL enum type */
    struct syn_entry *v;    /* sorted by (key bytes, length) after load */
    size_t n, cap;
};

struct synonyms {
    struct syn_type *types;
    size_t ntypes;
    size_t total;
};

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int syn_entry_cmp(const void *a, const void *b)
{
    const struct syn_entry *x = a, *y = b;
    return key_cmp(x->key, x->len, y->key, y->len);
}

static const struct syn_type *syn_find_type(const struct synonyms *syn, const char *type)
{
    for (size_t i = 0; i < syn->ntypes; i++)
        if (strcmp(syn->types[i].name, type) == 0)
            return &syn->types[i];
    return NULL;
}

static const struct syn_entry *syn_lookup(const struct syn_type *t, const char *key,
                                          size_t len)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(key, len, t->v[mid].key, t->v[mid].len);
        if (c == 0)
            return &t->v[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Linear, unsorted lookup used while loading (the array is sorted at the end). */
static struct syn_entry *syn_find_loading(struct syn_type *t, const char *key, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].len == len && memcmp(t->v[i].key, key, len) == 0)
            return &t->v[i];
    return NULL;
}

void synonyms_free(struct synonyms *syn)
{
    if (!syn)
        return;
    for (size_t i = 0; i < syn->ntypes; i++) {
        for (size_t j = 0; j < syn->types[i].n; j++)
            free(syn->types[i].v[j].key);
        free(syn->types[i].v);
        free(syn->types[i].name);
    }
    free(syn->types);
    free(syn);
}

size_t synonyms_count(const struct synonyms *syn)
{
    return syn ? syn->total : 0;
}

/* Trims ASCII blanks from both ends of [*s, *s + *n). */
static void trim_ascii(const char **s, size_t *n)
{
    while (*n > 0 && is_ascii_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_ascii_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Finds `label` (len bytes) among the labels of an enum type; returns the
 * static label string or NULL. */
static const char *label_find(const char *const *labels, size_t nlabels, const char *s,
                              size_t len)
{
    for (size_t i = 0; i < nlabels; i++)
        if (strlen(labels[i]) == len && memcmp(labels[i], s, len) == 0)
            return labels[i];
    return NULL;
}

/* Parses one non-blank, non-comment line of a synonym file; returns NULL or
 * an error message (without the "file:line: " prefix). */
static char *syn_parse_line(struct synonyms *syn, struct syn_type **cur, const char *s,
                            size_t n, unsigned lineno)
{
    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return xstrdup("malformed section header, expected [EnumType]");
        const char *name = s + 1;
        size_t nlen = n - 2;
        trim_ascii(&name, &nlen);
        char *type = xstrndup(name, nlen);
        size_t nlabels;
        if (nlen == 0 || !legacy_enum_labels(type, &nlabels)) {
            char *msg = xasprintf("unknown enum type \"%s\"", type);
            free(type);
            return msg;
        }
        /* A type may have several sections: they add to one table. */
        for (size_t i = 0; i < syn->ntypes; i++)
            if (strcmp(syn->types[i].name, type) == 0) {
                *cur = &syn->types[i];
                free(type);
                return NULL;
            }
        syn->types = xrealloc(syn->types, (syn->ntypes + 1) * sizeof *syn->types);
        struct syn_type *t = &syn->types[syn->ntypes++];
        memset(t, 0, sizeof *t);
        t->name = type;
        *cur = t;
        return NULL;
    }

    const char *eq = memchr(s, '=', n);
    if (!eq)
        return xstrdup("expected \"source value = LABEL\"");
    if (!*cur)
        return xstrdup("synonym outside any [EnumType] section");

    const char *src = s;
    size_t slen = (size_t)(eq - s);
    trim_ascii(&src, &slen);
    const char *lab = eq + 1;
    size_t llen = (size_t)(s + n - lab);
    /* Labels never contain '#', so one there starts a trailing comment. */
    const char *hash = memchr(lab, '#', llen);
    if (hash)
        llen = (size_t)(hash - lab);
    trim_ascii(&lab, &llen);

    if (llen == 0)
        return xstrdup("missing label after '='");
    struct syn_type *t = *cur;
    size_t nlabels;
    const char *const *labels = legacy_enum_labels(t->name, &nlabels);
    const char *label = label_find(labels, nlabels, lab, llen);
    if (!label) {
        char *l = xstrndup(lab, llen);
        char *msg = xasprintf("unknown label \"%s\" for %s", l, t->name);
        free(l);
        return msg;
    }

    char key[ENUM_KEY_MAX + 1];
    size_t klen = enum_key(src, slen, key);
    if (klen == 0)
        return xstrdup("empty source value before '='");
    if (klen > ENUM_KEY_MAX)
        return xasprintf("source value longer than %d bytes once normalised", ENUM_KEY_MAX);

    const char *as_label = label_find(labels, nlabels, key, klen);
    if (as_label) {
        if (as_label == label)
            return NULL; /* "fine dining = FINE_DINING": harmless, nothing to store */
        return xasprintf("\"%s\" is itself a label of %s and cannot mean %s", key, t->name,
                         label);
    }
    struct syn_entry *dup = syn_find_loading(t, key, klen);
    if (dup) {
        if (dup->label == label)
            return NULL;
        return xasprintf("\"%s\" already means %s (line %u)", key, dup->label, dup->line);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (struct syn_entry){xstrndup(key, klen), klen, label, lineno};
    syn->total++;
    return NULL;
}

struct synonyms *synonyms_load(const char *path, char **err)
{
    if (err)
        *err = NULL;
    struct synonyms *syn = xcalloc(1, sizeof *syn);
    if (!path)
        return syn;

    size_t len;
    char *text = file_read_all(path, &len);
    if (!text) {
        if (err)
            *err = xasprintf("%s: %s", path, strerror(errno));
        synonyms_free(syn);
        return NULL;
    }

    const char *p = text, *end = text + len;
    /* A BOM is what an editor on Windows may put first; it is not content. */
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    struct syn_type *cur = NULL;
    char *msg = NULL;
    unsigned lineno = 0;
    while (p < end && !msg) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *s = p;
        size_t n = (size_t)(eol - p);
        p = nl ? nl + 1 : end;
        lineno++;
        trim_ascii(&s, &n); /* also drops the '\r' of CRLF files */
        if (n == 0 || s[0] == '#')
            continue;
        if (memchr(s, '\0', n))
            msg = xstrdup("NUL byte in line");
        else
            msg = syn_parse_line(syn, &cur, s, n, lineno);
    }
    free(text);
    if (msg) {
        if (err)
            *err = xasprintf("%s:%u: %s", path, lineno, msg);
        free(msg);
        synonyms_free(syn);
        return NULL;
    }
    for (size_t i = 0; i < syn->ntypes; i++)
        if (syn->types[i].n > 1)
            qsort(syn->types[i].v, syn->types[i].n, sizeof *syn->types[i].v, syn_entry_cmp);
    return syn;
}

enum enum_match enum_normalise(const struct synonyms *syn, const char *enum_type,
                               const char *raw, size_t len, const char **label)
{
    *label = NULL;
    size_t nlabels;
    const char *const *labels = legacy_enum_labels(enum_type, &nlabels);
    if (!labels)
        return ENUM_UNMATCHED;
    if (len == 0)
        return ENUM_EMPTY; /* also keeps a NULL raw away from pointer arithmetic */

    /* Most legacy values are clean: try them as they are first. */
    if ((*label = label_find(labels, nlabels, raw, len)) != NULL)
        return ENUM_EXACT;

    char key[ENUM_KEY_MAX + 1];
    size_t klen = enum_key(raw, len, key);
    if (klen == 0)
        return ENUM_EMPTY;
    if (klen > ENUM_KEY_MAX)
        return ENUM_UNMATCHED;
    if ((*label = label_find(labels, nlabels, key, klen)) != NULL)
        return ENUM_NORMALISED;
    if (syn) {
        const struct syn_type *t = syn_find_type(syn, enum_type);
        const struct syn_entry *e = t ? syn_lookup(t, key, klen) : NULL;
        if (e) {
            *label = e->label;
            return ENUM_SYNONYM;
        }
    }
    return ENUM_UNMATCHED;
}

const char *enum_match_name(enum enum_match m)
{
    switch (m) {
    case ENUM_EXACT: return "exact";
    case ENUM_NORMALISED: return "normalised";
    case ENUM_SYNONYM: return "synonym";
    case ENUM_EMPTY: return "empty";
    case ENUM_UNMATCHED: return "unmatched";
    }
    return "?";
}
