/* gen_entity.c - a row's entity before its columns: enum choices and their
 * spellings, ids, parents, names and emails, and the dates and choices the
 * columns of one row must agree on (prep).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Enums.
 * ------------------------------------------------------------------------ */

/* What the engine does before matching (data-model.md §3): trim, upper-case,
 * spaces and hyphens to '_'. Used here to prove that each spelling lands
 * in the class it is counted in. */
void gen_enum_norm(const char *s, size_t len, char *out, size_t cap)
{
    size_t a = 0, b = len, n = 0;
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    for (size_t i = a; i < b && n + 1 < cap; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c == ' ' || c == '-')
            c = '_';
        out[n++] = c;
    }
    out[n] = '\0';
}

int gen_label_index(const struct enum_info *e, const char *label)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->labels[i], label) == 0)
            return (int)i;
    return -1;
}

struct enum_info *gen_enum_info(struct gen *g, const char *type)
{
    for (size_t i = 0; i < g->nenums; i++)
        if (strcmp(g->enums[i].type, type) == 0)
            return &g->enums[i];
    size_t n;
    const char *const *labels = legacy_enum_labels(type, &n);
    if (!labels || n == 0 || n > N_(g->enums[0].weights) || g->nenums == N_(g->enums)) {
        gen_fail(g, "the generator cannot handle the enum type %s of the contract", type);
        return NULL;
    }
    struct enum_info *e = &g->enums[g->nenums++];
    e->type = type;
    e->labels = labels;
    e->n = n;
    e->total = 0;
    for (size_t i = 0; i < n; i++) {
        e->weights[i] = 1;
        for (size_t w = 0; w < N_(enum_weights); w++)
            if (strcmp(enum_weights[w].type, type) == 0 &&
                strcmp(enum_weights[w].label, labels[i]) == 0)
                e->weights[i] = enum_weights[w].w;
        e->total += e->weights[i];
    }
    e->nsyn = 0;
    for (size_t s = 0; s < N_(synonyms) && e->nsyn < N_(e->syn); s++)
        if (strcmp(synonyms[s].type, type) == 0)
            e->syn[e->nsyn++] = &synonyms[s];
    return e;
}

int gen_pick_enum(struct rng *r, const struct enum_info *e)
{
    uint32_t x = rng_below(r, e->total);
    for (size_t i = 0; i < e->n; i++) {
        if (x < e->weights[i])
            return (int)i;
        x -= e->weights[i];
    }
    return (int)e->n - 1;
}

/* A spelling of label that is not the label but normalises to it. */
void gen_enum_variant(struct rng *r, const char *label, struct strbuf *out)
{
    unsigned style = rng_below(r, 5);
    for (int attempt = 0; attempt < 2; attempt++) {
        sb_reset(out);
        if (style == 2)
            sb_addc(out, ' ');
        bool word_start = true;
        for (const char *p = label; *p; p++) {
            char c = *p;
            if (c == '_') {
                c = style == 1 ? '_' : style == 3 ? '-' : ' ';
                word_start = true;
            } else {
                bool lower = style == 1 || style == 3 || style == 4 || (style == 0 && !word_start);
                if (lower && c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                word_start = false;
            }
            sb_addc(out, c);
        }
        if (style == 2 || style == 4)
            sb_addc(out, ' ');
        if (strcmp(out->buf, label) != 0)
            return;
        style = 2; /* "A" in title case is "A": pad it instead */
    }
}


/* ------------------------------------------------------------------------
 * Ids, names and parents that other rows recompute.
 * ------------------------------------------------------------------------ */

int64_t gen_cuid_ms(const struct gen *g, uint64_t h)
{
    return (g->now - 5 * YEAR_S) * 1000 + (int64_t)(h % (uint64_t)(5 * YEAR_S * 1000));
}

/* The primary key of row idx of table t into out (>= 40 bytes); returns
 * its length, and *odd = true when it is not a UUID (an imported row). */
size_t gen_row_id(const struct gen *g, enum tab t, long idx, char *out, bool *odd)
{
    uint64_t h1 = hash3(g->seed, SALT(t, P_ID), (uint64_t)idx);
    uint64_t h2 = hash3(h1, SALT(t, P_ID), (uint64_t)idx);
    *odd = false;
    if (t == T_USER || t == T_ACCOUNT || t == T_SESSION) {
        gen_fmt_cuid(out, gen_cuid_ms(g, h1), h1, h2);
        return 25;
    }
    if (g->o->messy) {
        uint64_t h = hash3(g->seed, SALT(t, P_ODD_ID), (uint64_t)idx);
        if (h % 10000 < dirt_info[D_NON_UUID_ID].bp) {
            *odd = true;
            if ((h >> 32) & 1) /* numeric, as the old system numbered rows */
                return (size_t)snprintf(out, 40, "%ld", 10000 + idx);
            gen_fmt_cuid(out, gen_cuid_ms(g, h1), h1, h2);
            return 25;
        }
    }
    /* SQL Server shows uniqueidentifiers upper-case; Prisma wrote lower. */
    gen_fmt_uuid(out, h1, h2, (h2 >> 3) % 10 < 4);
    return 36;
}

static long contact_org(const struct gen *g, long c)
{
    return (long)(hash3(g->seed, SALT(T_CONTACT, P_REF), (uint64_t)c) % (uint64_t)g->n[T_ORG]);
}

static void opp_parents(const struct gen *g, long o, long *org, long *contact)
{
    uint64_t h = hash3(g->seed, SALT(T_OPP, P_REF), (uint64_t)o);
    if (h % 100 < 85 && g->n[T_CONTACT] > 0) {
        *contact = (long)((h >> 8) % (uint64_t)g->n[T_CONTACT]);
        *org = contact_org(g, *contact);
    } else {
        *contact = -1;
        *org = (long)((h >> 8) % (uint64_t)g->n[T_ORG]);
    }
}

static size_t append(char *out, size_t n, size_t cap, const char *s)
{
    while (*s && n + 1 < cap)
        out[n++] = *s++;
    out[n] = '\0';
    return n;
}

/* Lower-case ASCII letters and digits of s, accents folded (é -> e): what
 * a person types into an email address or a domain name. */
size_t gen_slugify(char *out, size_t n, size_t cap, const char *s, size_t max)
{
    static const char fold[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty"; /* U+00C0.. and U+00E0.. */
    size_t start = n;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap && n - start < max;
         p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[n++] = (char)*p;
        else if (*p >= 'A' && *p <= 'Z')
            out[n++] = (char)(*p - 'A' + 'a');
        else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            char c = fold[p[1] & 0x1F];
            if (c != '/')
                out[n++] = c;
            p++;
        }
    }
    out[n] = '\0';
    return n;
}

/* Expands a name pattern (see pat_fine). */
size_t gen_expand(struct rng *r, const char *pat, const char *city, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = pat; *p; p++) {
        if (*p != '%' || !p[1]) {
            char one[2] = {*p, '\0'};
            n = append(out, n, cap, one);
            continue;
        }
        const char *w = "";
        switch (*++p) {
        case 'F': w = PICK(r, first_names); break;
        case 'L': w = PICK(r, last_names); break;
        case 'A': w = PICK(r, adjectives); break;
        case 'N': w = PICK(r, nouns); break;
        case 'X': w = PICK(r, animals); break;
        case 'C': w = city; break;
        case 'T': w = PICK(r, saints); break;
        case 'I': w = PICK(r, industries); break;
        case 'P': w = PICK(r, products); break;
        default: break;
        }
        n = append(out, n, cap, w);
    }
    return n;
}

/* The identity of organization o (salt T_ORG) or of a lead's company
 * (salt T_LEAD): segment, city, name and web domain, from its own hash so
 * that contacts and opportunities can recompute it. */
static void org_identity(const struct gen *g, enum tab salt, long o, struct ent *e)
{
    struct rng r;
    rng_seed(&r, hash3(g->seed, SALT(salt, P_NAME), (uint64_t)o));
    e->seg = gen_pick_enum(&r, g->seg_enum);
    e->city = (int)rng_below(&r, (uint32_t)N_(cities));
    const char *pat = g->seg_pats[e->seg][rng_below(&r, (uint32_t)g->seg_npats[e->seg])];
    gen_expand(&r, pat, cities[e->city].name, e->name, sizeof e->name);
    size_t n = gen_slugify(e->domain, 0, sizeof e->domain, e->name, 28);
    if (n == 0)
        n = append(e->domain, 0, sizeof e->domain, "kitchen");
    append(e->domain, n, sizeof e->domain, ".example");
}

/* User u's names, a bijection on [0, F*L) so that emails are unique. */
void gen_user_names(long u, int *first, int *last, long *suffix)
{
    long nf = (long)N_(first_names), m = nf * (long)N_(last_names);
    /* u -> k is a permutation of [0, m): 7919 is a prime that does not
     * divide m (check_contract makes sure). */
    long k = (u % m * 7919 + 17) % m;
    *suffix = u / m;
    *first = (int)(k % nf);
    *last = (int)(k / nf);
}

static void user_email(long u, char *out, size_t cap)
{
    int f, l;
    long suffix;
    gen_user_names(u, &f, &l, &suffix);
    size_t n = gen_slugify(out, 0, cap, first_names[f], 40);
    n = append(out, n, cap, ".");
    n = gen_slugify(out, n, cap, last_names[l], 40);
    if (suffix > 0) {
        char num[24];
        snprintf(num, sizeof num, "%ld", suffix);
        n = append(out, n, cap, num);
    }
    append(out, n, cap, "@kitchenpantry.example");
}

static void person_email(struct rng *r, int f, int l, const char *domain, char *out, size_t cap)
{
    size_t n = 0;
    switch (rng_below(r, 4)) {
    case 0: /* j.smith */
        n = gen_slugify(out, 0, cap, first_names[f], 1);
        n = append(out, n, cap, ".");
        n = gen_slugify(out, n, cap, last_names[l], 40);
        break;
    case 1: /* jsmith */
        n = gen_slugify(out, 0, cap, first_names[f], 1);
        n = gen_slugify(out, n, cap, last_names[l], 40);
        break;
    default: /* john.smith */
        n = gen_slugify(out, 0, cap, first_names[f], 40);
        n = append(out, n, cap, ".");
        n = gen_slugify(out, n, cap, last_names[l], 40);
        break;
    }
    n = append(out, n, cap, "@");
    append(out, n, cap, domain);
}


/* ------------------------------------------------------------------------
 * Row preparation: the parents and choices of a row.
 * ------------------------------------------------------------------------ */

int64_t gen_past(struct gen *g, int64_t span)
{
    return g->now - (int64_t)rng_below(&g->r, (uint32_t)span);
}

/* A time between t and now, most often soon after t. */
int64_t gen_after(struct gen *g, int64_t t)
{
    int64_t span = g->now - t;
    if (span <= 0)
        return t;
    int64_t d = (int64_t)rng_below(&g->r, (uint32_t)(span < 2 * YEAR_S ? span : 2 * YEAR_S));
    return t + d / (1 + (int64_t)rng_below(&g->r, 4));
}

long gen_pick_row(struct gen *g, enum tab t)
{
    return g->n[t] > 0 ? (long)rng_below(&g->r, (uint32_t)g->n[t]) : -1;
}

void gen_prep(struct gen *g, enum tab t, long i)
{
    struct ent *e = &g->e;
    struct rng *r = &g->r;
    e->org = e->contact = e->user = e->opp = -1;
    e->first = e->last = e->city = e->seg = e->e_main = -1;
    e->e_main_type = e->e_main_label = NULL;
    e->name[0] = e->email[0] = e->domain[0] = '\0';
    e->t1 = e->t2 = e->t3 = 0;
    e->active = true;
    e->created = gen_past(g, 5 * YEAR_S);
    e->updated = gen_after(g, e->created);

    switch (t) {
    case T_USER: {
        long suffix;
        gen_user_names(i, &e->first, &e->last, &suffix);
        user_email(i, e->email, sizeof e->email);
        e->active = rng_pct(r, 90);
        if (rng_pct(r, 5))
            e->t2 = g->now + (int64_t)rng_below(r, 86400);
        break;
    }
    case T_ACCOUNT:
        e->user = i % g->n[T_USER];
        e->t3 = rng_pct(r, 70) ? 0 : 1; /* 0: azure-ad, 1: google */
        break;
    case T_SESSION:
        e->user = gen_pick_row(g, T_USER);
        e->t1 = g->now - 30 * 86400 + (int64_t)rng_below(r, 60 * 86400);
        break;
    case T_VTOKEN:
        e->user = gen_pick_row(g, T_USER);
        user_email(e->user, e->email, sizeof e->email);
        e->t1 = g->now - 2 * 86400 + (int64_t)rng_below(r, 3 * 86400);
        break;
    case T_ORG:
        org_identity(g, T_ORG, i, e);
        if (!rng_pct(r, 10)) {
            static const char *const boxes[] = {"info", "orders", "purchasing", "hello",
                                                "kitchen", "accounts"};
            size_t n = append(e->email, 0, sizeof e->email, PICK(r, boxes));
            n = append(e->email, n, sizeof e->email, "@");
            append(e->email, n, sizeof e->email, e->domain);
        }
        e->t3 = rng_pct(r, 8); /* no address on file */
        break;
    case T_CONTACT: {
        e->org = contact_org(g, i);
        struct ent o;
        org_identity(g, T_ORG, e->org, &o);
        e->city = o.city;
        e->first = (int)rng_below(r, (uint32_t)N_(first_names));
        e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        if (!rng_pct(r, 25))
            person_email(r, e->first, e->last, o.domain, e->email, sizeof e->email);
        break;
    }
    case T_INTERACTION:
        if (rng_pct(r, 85) && g->n[T_CONTACT] > 0) {
            e->contact = gen_pick_row(g, T_CONTACT);
            e->org = contact_org(g, e->contact);
        } else {
            e->org = gen_pick_row(g, T_ORG);
        }
        if (rng_pct(r, 90))
            e->user = gen_pick_row(g, T_USER);
        e->t1 = gen_past(g, 5 * YEAR_S);
        e->created = e->t1 + (int64_t)rng_below(r, 2 * 86400);
        if (e->created > g->now)
            e->created = g->now;
        e->updated = gen_after(g, e->created);
        break;
    case T_OPP: {
        opp_parents(g, i, &e->org, &e->contact);
        struct ent o;
        org_identity(g, T_ORG, e->org, &o);
        size_t n = append(e->name, 0, sizeof e->name, o.name);
        n = append(e->name, n, sizeof e->name, " - ");
        append(e->name, n, sizeof e->name, PICK(r, product_lines));
        e->t1 = e->created + (30 + (int64_t)rng_below(r, 150)) * 86400;
        break;
    }
    case T_LEAD:
        e->first = (int)rng_below(r, (uint32_t)N_(first_names));
        e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        if (rng_pct(r, 80))
            e->user = gen_pick_row(g, T_USER);
        break;
    case T_CONTRACT: {
        if (rng_pct(r, 80) && g->n[T_OPP] > 0) {
            e->opp = gen_pick_row(g, T_OPP);
            opp_parents(g, e->opp, &e->org, &e->contact);
            if (!rng_pct(r, 70))
                e->contact = -1;
        } else {
            e->org = gen_pick_row(g, T_ORG);
        }
        /* Some start in the next two months; none is signed in the future. */
        e->t1 = gen_past(g, 4 * YEAR_S) + (int64_t)rng_below(r, 60 * 86400);  /* start */
        e->t2 = e->t1 + (1 + (int64_t)rng_below(r, 3)) * YEAR_S;           /* end */
        e->t3 = e->t1 - (1 + (int64_t)rng_below(r, 30)) * 86400;            /* signed */
        if (e->t3 > g->now)
            e->t3 = g->now - (int64_t)rng_below(r, 86400);
        e->created = e->t3 - (int64_t)rng_below(r, 20 * 86400);
        e->updated = gen_after(g, e->created);
        break;
    }
    default:
        break;
    }
}

/* The main enum of a row (stage, status, type) is picked here, once the
 * table's column plan is known, so that the other columns can follow it. */
void gen_prep_main_enum(struct gen *g, struct tstate *ts, long i)
{
    struct ent *e = &g->e;
    for (size_t c = 0; c < ts->t->ncols; c++) {
        if (ts->plan[c].f != F_E_MAIN)
            continue;
        struct enum_info *en = ts->plan[c].en;
        e->e_main_type = en->type;
        e->e_main = gen_pick_enum(&g->r, en);
        const char *label = e->e_main_label = en->labels[e->e_main];
        if (ts->tab == T_OPP)
            e->active = !(str_eq(label, "CLOSED_WON") || str_eq(label, "CLOSED_LOST"))
                            ? rng_pct(&g->r, 95) : rng_pct(&g->r, 5);
        if (ts->tab == T_LEAD) {
            bool converted = str_eq(label, "CONVERTED"), qualified = str_eq(label, "QUALIFIED");
            if (converted || (qualified && rng_pct(&g->r, 20))) {
                e->org = gen_pick_row(g, T_ORG);
                org_identity(g, T_ORG, e->org, e);
            } else {
                org_identity(g, T_LEAD, i, e);
            }
            if (rng_pct(&g->r, 70))
                person_email(&g->r, e->first, e->last, e->domain, e->email, sizeof e->email);
        }
        break;
    }
}

