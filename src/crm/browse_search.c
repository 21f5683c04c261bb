/* browse_search.c - search of a list by name words: the word and word-pair
 * indexes, near spellings, and the hits (see browse.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "browse.h"
#include "browse_int.h"
#include "keyset.h"
#include "legacy.h"
#include "pg.h"
#include "sqltext.h"
#include "transform.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * Search
 * ------------------------------------------------------------------------ */

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static bool is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || c >= 0x80;
}

/* One word of a search: cut where the 'simple' parser cuts (at anything
 * but letters and digits), and a prefix when it has 3 characters or more.
 * Shorter prefixes would match a large part of the vocabulary ("a"), so a
 * short word must match whole. */
struct search_word {
    const char *p;
    size_t len;
    bool prefix;
};

static size_t search_words(const char *term, size_t tlen, struct search_word *out, size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)term, *end = p + tlen;
    while (p < end && n < max) {
        while (p < end && !is_word_byte(*p))
            p++;
        const unsigned char *w = p;
        while (p < end && is_word_byte(*p))
            p++;
        if (p == w)
            continue;
        size_t len = (size_t)(p - w);
        out[n++] = (struct search_word){(const char *)w, len,
                                        utf8_chars((const char *)w, len) >= 3};
    }
    return n;
}

/* The input as a LIKE pattern body: %, _ and \ escaped. */
static char *like_escape(const char *s, size_t n)
{
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            sb_addc(&sb, '\\');
        sb_addc(&sb, s[i]);
    }
    return sb_detach(&sb);
}

/* The condition on a word column (alias.word, or col itself when it holds
 * a dot) for one search word, parameter $p: a btree range (the word
 * tables are in "C" order, where every word starting with the prefix
 * sorts before prefix || U+10FFFF). With once, the lowered word is a
 * subquery, computed once: for a vocabulary, which a generic plan may
 * scan whole when it is small, computing lower($p) at each word (the
 * contacts' 162 words: 0.152 -> 0.121 ms for "james smith"). */
static void word_cond(struct strbuf *sb, const char *col, const struct search_word *w, int p,
                      bool once)
{
    char *c = strchr(col, '.') ? xstrdup(col) : xasprintf("%s.word", col);
    char *v = xasprintf(once ? "(SELECT lower($%d))" : "lower($%d)", p);
    if (w->prefix && once)
        sb_addf(sb, "%s >= %s AND %s < (SELECT lower($%d) || chr(1114111))", c, v, c, p);
    else if (w->prefix)
        sb_addf(sb, "%s >= %s AND %s < %s || chr(1114111)", c, v, c, v);
    else
        sb_addf(sb, "%s = %s", c, v);
    free(v);
    free(c);
}

/* ASCII case-folded comparison of the first n bytes: enough to tell
 * whether one typed word may match the same name word as another. */
static bool same_start(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* Whether one word of a name can match both typed words a and b (a
 * prefix of the other, or equal): then the pair index, which holds pairs
 * of two different words, cannot answer. Letters outside ASCII are
 * compared as typed: "ÉCL éclair" is not seen as overlapping and needs
 * two words in the name. */
static bool words_overlap(const struct search_word *a, const struct search_word *b)
{
    if (a->len == b->len)
        return same_start(a->p, b->p, a->len);
    const struct search_word *s = a->len < b->len ? a : b, *l = s == a ? b : a;
    return s->prefix && same_start(s->p, l->p, s->len);
}

/* The functions (0021) that list the vocabulary words a lower-cased typed
 * word may be a misspelling of, with a score (the words it is with two
 * letters swapped, then those similar by trigrams), and the words it
 * stands for in a corrected pair stage (those it starts or equals, else
 * the one spelt most like it). Each is one node of the plan until it
 * runs: inlined, their dozen nodes each were started at every search,
 * found at once or not. */
static const char *corrections_fn(bool orgs)
{
    return orgs ? "search.organization_corrections" : "search.contact_corrections";
}

static const char *word_set_fn(bool orgs)
{
    return orgs ? "search.organization_word_set" : "search.contact_word_set";
}

/* The vocabulary words a typed word stands for, as a derived table: the
 * words it starts (or equals); corrected, through word_set_fn. */
static void word_set(struct strbuf *sb, bool orgs, const struct search_word *w, int p,
                     bool corrected, const char *alias)
{
    if (corrected) {
        sb_addf(sb, "(SELECT s.w COLLATE \"C\" AS word FROM %s(lower($%d), %s) s(w)) %s",
                word_set_fn(orgs), p, w->prefix ? "true" : "false", alias);
        return;
    }
    sb_addf(sb, "(SELECT v.word FROM %s v WHERE ",
            orgs ? "search.organization_vocab" : "search.contact_vocab");
    word_cond(sb, "v", w, p, true);
    sb_addf(sb, ") %s", alias);
}

/* The body of a stage answered by a pair index: the names holding a word
 * of set a and another of set b (the typed words pa and pb), and the other
 * typed words, in the order (a word, b word, list order: name, or last
 * and first name). filter_join joins the row for the filters (where). */
static void pair_stage(struct strbuf *sb, int how, bool orgs, const char *wtab,
                       const struct search_word *words, size_t nw, const int *pw, size_t pa,
                       size_t pb, bool corrected,
                       const char *filter_join, const char *where, const char *gate,
                       size_t max_hits)
{
    sb_addf(sb, "SELECT %d AS how, x.id, %s AS label FROM ", how,
            orgs ? "x.name" : "x.\"firstName\" || ' ' || x.\"lastName\"");
    word_set(sb, orgs, &words[pa], pw[pa], corrected, "a");
    sb_adds(sb, " JOIN ");
    word_set(sb, orgs, &words[pb], pw[pb], corrected, "b");
    sb_addf(sb, " ON b.word <> a.word CROSS JOIN LATERAL (SELECT p.id, %s FROM %s p%s"
                " WHERE p.w1 = least(a.word, b.word) AND p.w2 = greatest(a.word, b.word)",
            orgs ? "p.name" : "p.\"lastName\", p.\"firstName\"",
            orgs ? "search.organization_pair" : "search.contact_pair", filter_join);
    for (size_t i = 0; i < nw; i++) {
        if (i == pa || i == pb)
            continue;
        sb_addf(sb, " AND EXISTS (SELECT 1 FROM %s y WHERE y.id = p.id AND ", wtab);
        word_cond(sb, "y", &words[i], pw[i], false);
        sb_addc(sb, ')');
    }
    sb_addf(sb, "%s ORDER BY %s LIMIT %zu) x%s ORDER BY a.word, b.word, %s LIMIT %zu", where,
            orgs ? "p.name, p.id" : "p.\"lastName\", p.\"firstName\", p.id", max_hits, gate,
            orgs ? "x.name, x.id" : "x.\"lastName\", x.\"firstName\", x.id", max_hits);
}

/* The one-time filter of driver branch d: "(SELECT f[d] < f[0] AND
 * f[d] <= f[2]... FROM freq) AND " (the first word with the smallest count
 * drives). */
static void driver_cond(struct strbuf *sb, size_t d, size_t ndrive)
{
    sb_adds(sb, "(SELECT ");
    for (size_t f = 0; f < ndrive; f++)
        if (f != d)
            sb_addf(sb, "%sf[%zu] %s f[%zu]", f == 0 || (d == 0 && f == 1) ? "" : " AND ", d + 1,
                    f < d ? "<" : "<=", f + 1);
    sb_adds(sb, " FROM freq) AND ");
}

/* Search, in three stages, each only when the one before found nothing:
 *   1. words: every word of the input (a prefix from 3 characters) is a
 *      word of the name; hits by matched word, then the list's name order;
 *   2. a fragment: the vocabulary's words that contain the input's longest
 *      word, then their rows;
 *   3. a misspelling: the vocabulary's words most similar (trigrams) to
 *      the input's longest word, then their rows.
 * Every stage reads the word index (0008_search_words.sql) in order and
 * stops at max_hits, so a word held by 30,000 names costs what a rare one
 * does. A name matching through two words may come twice: the parser keeps
 * the first. */
bool browse_build_search(struct browse_query *q, const struct browse_spec *spec,
                         const char *term, size_t max_hits, char **err)
{
    browse_query_start(q, BROWSE_Q_SEARCH, spec->entity);
    if (max_hits < 1 || max_hits > 10000) {
        *err = xstrdup("the number of hits must be between 1 and 10000");
        return false;
    }
    while (*term == ' ' || *term == '\t')
        term++;
    size_t tlen = strlen(term);
    while (tlen && (term[tlen - 1] == ' ' || term[tlen - 1] == '\t' || term[tlen - 1] == '\n'))
        tlen--;
    struct search_word words[16];
    size_t nw = search_words(term, tlen, words, 16);
    if (nw == 0) {
        *err = xstrdup("nothing to search for: type a word");
        return false;
    }
    /* Fragments and misspellings look for the longest word (likely the
     * most telling one; browse_search_drive_word says which). */
    size_t drive = 0;
    for (size_t i = 1; i < nw; i++)
        if (utf8_chars(words[i].p, words[i].len) > utf8_chars(words[drive].p, words[drive].len))
            drive = i;
    struct strbuf w, sb;
    sb_init(&w);
    sb_init(&sb);
    if (!browse_filter_sql(q, spec, &w, -1, err)) {
        sb_free(&w);
        browse_query_free(q);
        return false;
    }
    bool orgs = spec->entity == BROWSE_ORGS;
    const char *wtab = orgs ? "search.organization_word" : "search.contact_word";
    const char *vtab = orgs ? "search.organization_vocab" : "search.contact_vocab";
    const char *label = orgs ? "x.name" : "x.\"firstName\" || ' ' || x.\"lastName\"";
    const char *order = orgs ? "x.name, x.id" : "x.\"lastName\", x.\"firstName\", x.id";
    /* Filters need the row itself: joined by primary key, per hit. */
    char *join = w.len ? xasprintf(" JOIN %s ON %s.id = x.id", browse_entity_defs[spec->entity].from,
                                   orgs ? "o" : "c")
                       : xstrdup("");
    char *where = w.len ? xasprintf(" AND %s", w.buf) : xstrdup("");
    int pw[16];
    for (size_t i = 0; i < nw; i++) {
        char *v = xstrndup(words[i].p, words[i].len);
        pw[i] = browse_add_param(q, v);
        free(v);
    }
    char *frag = like_escape(words[drive].p, words[drive].len);
    int pf = browse_add_param(q, frag);
    free(frag);
    /* The word spelt like the longest one has a parameter of its own, so
     * that the statement is the same whichever typed word is the longest:
     * the one the idle warm-up prepared ("Aadms Bkaer") also serves
     * "Portlnd Chophuose". */
    char *dw = xstrndup(words[drive].p, words[drive].len);
    int pd = browse_add_param(q, dw);
    free(dw);

    /* 1. words.
     * Several words: the pair index (0014_search_pairs.sql).
     * The two longest typed words (the first on a tie, kept in the order
     * typed) are looked up in the vocabulary, a few words each; for each
     * pair of those words, in order, the names holding both are read from
     * the pair index in name order: every entry read is a hit, so about
     * max_hits entries are read however few names hold both words. Any
     * further words are probed per hit.
     * Otherwise (one word, or two typed words that one word of a
     * name could match both of, "blu blue": the pairs are of two different
     * words), one word drives: each candidate driver is a branch whose
     * one-time filter, from the vocabulary's counts, lets exactly one
     * branch run, the word held by the fewest names. Its rows are read in
     * order and probed for the other words. */
    size_t pa = 0, pb = 0;      /* the pair: the two longest words */
    for (size_t i = 1; i < nw; i++) {
        size_t len = utf8_chars(words[i].p, words[i].len);
        if (len > utf8_chars(words[pa].p, words[pa].len)) {
            pb = pa;
            pa = i;
        } else if (pb == pa || len > utf8_chars(words[pb].p, words[pb].len)) {
            pb = i;
        }
    }
    if (pb < pa) {
        size_t t = pa;
        pa = pb;
        pb = t;
    }
    bool pairs = nw > 1 && !words_overlap(&words[pa], &words[pb]);
    char *pjoin = w.len ? xasprintf(" JOIN %s ON %s.id = p.id", browse_entity_defs[spec->entity].from,
                                    orgs ? "o" : "c")
                        : xstrdup("");
    if (pairs) {
        sb_adds(&sb, "WITH fts AS (");
        pair_stage(&sb, 1, orgs, wtab, words, nw, pw, pa, pb, false, pjoin, where, "",
                   max_hits);
    } else {
        size_t ndrive = nw < 4 ? nw : 4;
        if (nw > 1) {
            sb_adds(&sb, "WITH freq AS MATERIALIZED (SELECT ARRAY[");
            for (size_t d = 0; d < ndrive; d++) {
                sb_addf(&sb, "%s(SELECT coalesce(sum(v.rows), 0) FROM %s v WHERE ", d ? ", " : "",
                        vtab);
                word_cond(&sb, "v", &words[d], pw[d], true);
                sb_adds(&sb, ")");
            }
            sb_adds(&sb, "] AS f), fts AS (");
        } else {
            sb_adds(&sb, "WITH fts AS (");
        }
        for (size_t d = 0; d < ndrive; d++) {
            sb_addf(&sb, "%s(SELECT 1 AS how, x.id, %s AS label FROM %s x%s WHERE ", d ? " UNION ALL " : "",
                    label, wtab, join);
            if (nw > 1)
                driver_cond(&sb, d, ndrive);
            word_cond(&sb, "x", &words[d], pw[d], false);
            for (size_t i = 0; i < nw; i++) {
                if (i == d)
                    continue;
                sb_addf(&sb, " AND EXISTS (SELECT 1 FROM %s y WHERE y.id = x.id AND ", wtab);
                word_cond(&sb, "y", &words[i], pw[i], false);
                sb_addc(&sb, ')');
            }
            sb_addf(&sb, "%s ORDER BY x.word, %s LIMIT %zu)", where, order, max_hits);
        }
    }
    sb_adds(&sb, ")");
    /* 2 and 3: words of the vocabulary, then their rows in order. The
     * fragment's pattern is a subquery so that a generic plan builds it
     * once, not at each word of the vocabulary. */
    static const char *const fragment_words =
        "SELECT v.word, 0::real AS score FROM %s v WHERE v.word LIKE (SELECT '%%' || lower($%d) || '%%')"
        " AND NOT EXISTS (SELECT 1 FROM fts) ORDER BY v.rows DESC, v.word LIMIT 20";
    for (int st = 0; st < 2; st++) {
        if (st == 1 && pairs) {
            /* 3a. several words through the pair index: each typed word
             * that begins no word is read as the word spelt most like it
             * ("Portlnd Chophuose": the Portland chophouses, not every
             * chophouse); 3b, the words spelt like the longest word, runs
             * when that finds nothing. */
            sb_adds(&sb, ", simw AS (");
            pair_stage(&sb, 3, orgs, wtab, words, nw, pw, pa, pb, true, pjoin, where,
                       " WHERE NOT EXISTS (SELECT 1 FROM fts) AND NOT EXISTS (SELECT 1 FROM sub)",
                       max_hits);
            sb_adds(&sb, ")");
        }
        sb_addf(&sb, ", %s AS (SELECT %d AS how, h.id, h.label FROM (", st ? "sim" : "sub",
                st + 2);
        if (st == 0) {
            sb_addf(&sb, fragment_words, vtab, pf);
        } else {
            /* the five words spelt most like it: with two letters swapped
             * (score 1), then by trigrams */
            sb_addf(&sb, "SELECT c.word, max(c.score) AS score FROM (SELECT s.word COLLATE \"C\" AS word,"
                         " s.score FROM %s(lower($%d), %s) s WHERE NOT EXISTS (SELECT 1 FROM fts)"
                         " AND NOT EXISTS (SELECT 1 FROM sub)%s) c"
                         " GROUP BY c.word ORDER BY score DESC, c.word LIMIT 5",
                    corrections_fn(orgs), pd, words[drive].prefix ? "true" : "false",
                    pairs ? " AND NOT EXISTS (SELECT 1 FROM simw)" : "");
        }
        sb_addf(&sb, ") m CROSS JOIN LATERAL (SELECT x.id, %s AS label", label);
        sb_adds(&sb, orgs ? ", x.name AS s1, ''::text AS s2" : ", x.\"lastName\" AS s1, x.\"firstName\" AS s2");
        sb_addf(&sb, " FROM %s x%s WHERE x.word = m.word%s ORDER BY %s LIMIT %zu) h"
                     " ORDER BY m.score DESC, m.word, h.s1, h.s2, h.id LIMIT %zu)",
                wtab, join, where, order, max_hits, max_hits);
    }
    /* Each stage's own order, kept through the union by its position. */
    sb_adds(&sb, " SELECT how, id, label FROM ("
                 "SELECT *, row_number() OVER () AS n FROM fts UNION ALL "
                 "SELECT *, row_number() OVER () FROM sub UNION ALL ");
    if (pairs)  /* simw and sim are never both non-empty */
        sb_adds(&sb, "SELECT *, row_number() OVER () FROM simw UNION ALL ");
    sb_adds(&sb, "SELECT *, row_number() OVER () FROM sim) h ORDER BY how, n");
    q->sql = sb_detach(&sb);
    /* The text depends only on the number of words and the filters in use,
     * not on the words: prepared once, planning (most of a short search's
     * time) is paid once per shape. */
    q->unprepared = false;
    q->limit = max_hits;
    free(join);
    free(pjoin);
    free(where);
    sb_free(&w);
    return true;
}

size_t browse_search_drive_word(const char *term, char *out, size_t size)
{
    struct search_word words[16];
    size_t nw = search_words(term, strlen(term), words, 16), drive = 0;
    for (size_t i = 1; i < nw; i++)
        if (utf8_chars(words[i].p, words[i].len) > utf8_chars(words[drive].p, words[drive].len))
            drive = i;
    snprintf(out, size, "%.*s", nw ? (int)words[drive].len : 0, nw ? words[drive].p : "");
    return nw;
}

const char *browse_match_name(enum browse_match m)
{
    switch (m) {
    case BROWSE_MATCH_FULLTEXT:
        return "fulltext";
    case BROWSE_MATCH_SUBSTRING:
        return "substring";
    case BROWSE_MATCH_SIMILAR:
        return "similar";
    case BROWSE_MATCH_NONE:
        break;
    }
    return "none";
}

bool browse_parse_hits(const struct browse_query *q, const PGresult *res,
                       struct browse_hits *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (q->kind != BROWSE_Q_SEARCH) {
        *err = xstrdup("not a search query");
        return false;
    }
    if (!browse_result_ok(res, err))
        return false;
    if (PQnfields(res) != 3) {
        *err = xasprintf("unexpected result: %d columns", PQnfields(res));
        return false;
    }
    size_t n = (size_t)PQntuples(res);
    out->ids = xcalloc(n ? n : 1, sizeof *out->ids);
    out->labels = xcalloc(n ? n : 1, sizeof *out->labels);
    /* A name can match through two of its words: the first hit stays.
     * Ids seen so far live in a small open-addressing set of row numbers. */
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    int *seen = xmalloc(cap * sizeof *seen);
    for (size_t i = 0; i < cap; i++)
        seen[i] = -1;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = PQgetvalue(res, (int)i, 1);
        size_t h = 5381;
        for (const char *c = id; *c; c++)
            h = h * 33 + (unsigned char)*c;
        size_t j = h & (cap - 1);
        bool dup = false;
        while (seen[j] >= 0 && !(dup = strcmp(PQgetvalue(res, seen[j], 1), id) == 0))
            j = (j + 1) & (cap - 1);
        if (dup)
            continue;
        seen[j] = (int)i;
        out->ids[kept] = xstrdup(id);
        out->labels[kept++] = xstrdup(PQgetvalue(res, (int)i, 2));
    }
    free(seen);
    out->n = kept;
    if (n)
        out->how = (enum browse_match)atoi(PQgetvalue(res, 0, 0));
    return true;
}

void browse_hits_free(struct browse_hits *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->ids[i]);
        free(h->labels[i]);
    }
    free(h->ids);
    free(h->labels);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------------------
 * Warm-up (see browse.h)
 * ------------------------------------------------------------------------ */

/* How often each statement of the warm-up runs: PostgreSQL plans a
 * prepared statement anew on each of its first five executions and
 * decides at the sixth whether to keep a generic plan. */
#define WARM_RUNS 6

enum warm_kind { WARM_ONE, WARM_TWO, WARM_GOTO, WARM_ONE_ALL, WARM_TWO_ALL, WARM_DETAIL,
                 WARM_KINDS };

/* The words of a row's label to search for: the first word of 3
 * characters or more (a prefix word, as typed words mostly are) in one,
 * and the first two such words that the pair index answers in two. */
static bool warm_words(const struct browse_spec *spec, const struct browse_page *p, char **one,
                       char **two, const char **id)
{
    *one = *two = NULL;
    *id = NULL;
    for (size_t r = 0; r < p->nrows && !*two; r++) {
        char *const *cells = p->rows[r];
        char *label;
        if (spec->entity == BROWSE_ORGS)
            label = xstrdup(cells[BROWSE_ORG_NAME] ? cells[BROWSE_ORG_NAME] : "");
        else
            label = xasprintf("%s %s", cells[BROWSE_CONTACT_FIRST_NAME] ? cells[BROWSE_CONTACT_FIRST_NAME] : "",
                              cells[BROWSE_CONTACT_LAST_NAME] ? cells[BROWSE_CONTACT_LAST_NAME] : "");
        struct search_word w[16];
        size_t n = search_words(label, strlen(label), w, 16), a = SIZE_MAX;
        for (size_t i = 0; i < n && !*two; i++) {
            if (!w[i].prefix)
                continue;
            if (a == SIZE_MAX) {
                a = i;
                if (!*one) {
                    *one = xstrndup(w[i].p, w[i].len);
                    *id = cells[0];
                }
            } else if (!words_overlap(&w[a], &w[i])) {
                *two = xasprintf("%.*s %.*s", (int)w[a].len, w[a].p, (int)w[i].len, w[i].p);
            }
        }
        free(label);
    }
    return *one != NULL;
}

bool browse_build_warmup(struct browse_query *q, const struct browse_spec *spec,
                         const struct browse_page *p, size_t rows, unsigned *step, char **err)
{
    char *one, *two;
    const char *id;
    if (!warm_words(spec, p, &one, &two, &id))
        return false;
    bool built = false;
    while (!built && *step < WARM_KINDS * WARM_RUNS) {
        enum warm_kind k = (enum warm_kind)(*step / WARM_RUNS);
        /* the last run of a search misspells its words: the stages that
         * correct spelling (pg_trgm, the swapped letters) run once too */
        bool typo = *step % WARM_RUNS == WARM_RUNS - 1;
        (*step)++;
        const char *term = k == WARM_ONE || k == WARM_ONE_ALL ? one : two;
        char *t = term ? xstrdup(term) : NULL;
        if (t && typo)
            for (char *w = t; *w; w += strcspn(w, " ")) {
                w += strspn(w, " ");
                if (strcspn(w, " ") >= 4 && (unsigned char)w[1] < 0x80 && (unsigned char)w[2] < 0x80) {
                    char c = w[1];
                    w[1] = w[2];
                    w[2] = c;
                }
            }
        switch (k) {
        case WARM_ONE:
        case WARM_ONE_ALL:
        case WARM_TWO:
        case WARM_TWO_ALL:
            if (t)
                built = browse_build_search(q, spec, t,
                                            k == WARM_ONE || k == WARM_TWO ? rows : BROWSE_SEARCH_HITS,
                                            err);
            break;
        case WARM_GOTO:
            /* the first hit's page, as the console asks for it */
            built = browse_sort_not_null(spec->sort)
                        ? browse_build_around_id(q, spec, id, rows, true, err)
                        : browse_build_lookup(q, spec->entity, id, err);
            break;
        case WARM_DETAIL:
            /* Enter on a row: prepared and planned on the spot, the first
             * took 4.5 ms against 0.8 ms for the next at S = 1,000,000 */
            built = spec->entity == BROWSE_ORGS
                    && browse_build_org_detail(q, id, BROWSE_DETAIL_ROWS, err);
            break;
        case WARM_KINDS:
            break;
        }
        free(t);
        if (!built && *err) {
            /* a statement that cannot be built is left out, not reported */
            free(*err);
            *err = NULL;
        }
    }
    free(one);
    free(two);
    return built;
}
