/* browse.c - keyset-paged lists for the console's Organizations and
 * Contacts panes and the exports: the entities, their sorts, and the page
 * and goto queries. See browse.h for the model; the filters, the search,
 * counts and details, and the session are in browse_*.c.
 *
 * Indexes this code relies on (data/sql/0003_indexes.sql and
 * 0005_console_indexes.sql) and the shape of the query each serves are
 * listed with the sort table below. Every sort is one index's order; a
 * filter that no index leads (say type with a city sort) is applied while
 * walking that order.
 *
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

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * Columns, entities and sorts
 * ------------------------------------------------------------------------ */


static const struct col_def org_cols[BROWSE_ORG_NCOLS] = {
    [BROWSE_ORG_ID] = {"o.id", "uuid", false},
    [BROWSE_ORG_NAME] = {"o.name", "text", false},
    [BROWSE_ORG_PRIORITY] = {"o.priority", "\"OrganizationPriority\"", false},
    [BROWSE_ORG_SEGMENT] = {"o.segment", "\"OrganizationSegment\"", false},
    [BROWSE_ORG_STATUS] = {"o.status", "\"OrganizationStatus\"", false},
    [BROWSE_ORG_TYPE] = {"o.type", "\"OrganizationType\"", false},
    [BROWSE_ORG_CITY] = {"o.city", "text", true},
    [BROWSE_ORG_STATE] = {"o.state", "text", true},
    [BROWSE_ORG_ZIP] = {"o.\"zipCode\"", "text", true},
    [BROWSE_ORG_NEXT_FOLLOW_UP] = {"o.\"nextFollowUpDate\"", "timestamptz", true},
    [BROWSE_ORG_EST_REVENUE] = {"o.\"estimatedRevenue\"", "double precision", true},
    [BROWSE_ORG_UPDATED_AT] = {"o.\"updatedAt\"", "timestamptz", false},
};

static const struct col_def contact_cols[BROWSE_CONTACT_NCOLS] = {
    [BROWSE_CONTACT_ID] = {"c.id", "uuid", false},
    [BROWSE_CONTACT_FIRST_NAME] = {"c.\"firstName\"", "text", false},
    [BROWSE_CONTACT_LAST_NAME] = {"c.\"lastName\"", "text", false},
    [BROWSE_CONTACT_EMAIL] = {"c.email", "text", true},
    [BROWSE_CONTACT_PHONE] = {"c.phone", "text", true},
    [BROWSE_CONTACT_POSITION] = {"c.position", "text", true},
    [BROWSE_CONTACT_IS_PRIMARY] = {"c.\"isPrimary\"", "boolean", false},
    [BROWSE_CONTACT_ORG_ID] = {"c.\"organizationId\"", "uuid", false},
    [BROWSE_CONTACT_ORG_NAME] = {"o.name", "text", false},
    [BROWSE_CONTACT_UPDATED_AT] = {"c.\"updatedAt\"", "timestamptz", false},
    [BROWSE_CONTACT_CREATED_AT] = {"c.\"createdAt\"", "timestamptz", false},
};


static const char *const org_names[BROWSE_ORG_NCOLS] = {
    [BROWSE_ORG_ID] = "id", [BROWSE_ORG_NAME] = "name", [BROWSE_ORG_PRIORITY] = "priority",
    [BROWSE_ORG_SEGMENT] = "segment", [BROWSE_ORG_STATUS] = "status",
    [BROWSE_ORG_TYPE] = "type", [BROWSE_ORG_CITY] = "city", [BROWSE_ORG_STATE] = "state",
    [BROWSE_ORG_ZIP] = "zipCode", [BROWSE_ORG_NEXT_FOLLOW_UP] = "nextFollowUpDate",
    [BROWSE_ORG_EST_REVENUE] = "estimatedRevenue", [BROWSE_ORG_UPDATED_AT] = "updatedAt"};
static const char *const contact_names[BROWSE_CONTACT_NCOLS] = {
    [BROWSE_CONTACT_ID] = "id", [BROWSE_CONTACT_FIRST_NAME] = "firstName",
    [BROWSE_CONTACT_LAST_NAME] = "lastName", [BROWSE_CONTACT_EMAIL] = "email",
    [BROWSE_CONTACT_PHONE] = "phone", [BROWSE_CONTACT_POSITION] = "position",
    [BROWSE_CONTACT_IS_PRIMARY] = "isPrimary", [BROWSE_CONTACT_ORG_ID] = "organizationId",
    [BROWSE_CONTACT_ORG_NAME] = "organizationName", [BROWSE_CONTACT_UPDATED_AT] = "updatedAt",
    [BROWSE_CONTACT_CREATED_AT] = "createdAt"};

const struct entity_def browse_entity_defs[] = {
    [BROWSE_ORGS] = {"Organization", org_cols, BROWSE_ORG_NCOLS, "\"Organization\" o",
                     "\"Organization\" o", org_names},
    [BROWSE_CONTACTS] = {"Contact", contact_cols, BROWSE_CONTACT_NCOLS,
                         "\"Contact\" c JOIN \"Organization\" o ON o.id = c.\"organizationId\"",
                         "\"Contact\" c", contact_names},
};


const struct sort_def browse_sort_defs[BROWSE_NSORTS] = {
    [BROWSE_SORT_NAME] = {BROWSE_ORGS, "name", 2, {BROWSE_ORG_NAME, BROWSE_ORG_ID},
                          "Organization_name_id_idx"},
    [BROWSE_SORT_PRIORITY] = {BROWSE_ORGS, "priority", 3,
                              {BROWSE_ORG_PRIORITY, BROWSE_ORG_NAME, BROWSE_ORG_ID},
                              "Organization_priority_name_id_idx"},
    [BROWSE_SORT_SEGMENT] = {BROWSE_ORGS, "segment", 3,
                             {BROWSE_ORG_SEGMENT, BROWSE_ORG_NAME, BROWSE_ORG_ID},
                             "Organization_segment_name_id_idx"},
    [BROWSE_SORT_STATUS] = {BROWSE_ORGS, "status", 4,
                            {BROWSE_ORG_STATUS, BROWSE_ORG_PRIORITY, BROWSE_ORG_NAME,
                             BROWSE_ORG_ID},
                            "Organization_status_priority_name_id_idx"},
    [BROWSE_SORT_CITY] = {BROWSE_ORGS, "city", 4,
                          {BROWSE_ORG_CITY, BROWSE_ORG_STATE, BROWSE_ORG_ZIP, BROWSE_ORG_ID},
                          "Organization_city_sort_idx", true},
    [BROWSE_SORT_UPDATED_AT] = {BROWSE_ORGS, "updatedAt", 2,
                                {BROWSE_ORG_UPDATED_AT, BROWSE_ORG_ID},
                                "Organization_updatedAt_id_idx"},
    [BROWSE_SORT_NEXT_FOLLOW_UP] = {BROWSE_ORGS, "nextFollowUpDate", 2,
                                    {BROWSE_ORG_NEXT_FOLLOW_UP, BROWSE_ORG_ID},
                                    "Organization_nextFollowUpDate_id_idx"},
    [BROWSE_SORT_EST_REVENUE] = {BROWSE_ORGS, "estimatedRevenue", 2,
                                 {BROWSE_ORG_EST_REVENUE, BROWSE_ORG_ID},
                                 "Organization_estimatedRevenue_id_idx"},
    [BROWSE_SORT_LAST_NAME] = {BROWSE_CONTACTS, "lastName", 3,
                               {BROWSE_CONTACT_LAST_NAME, BROWSE_CONTACT_FIRST_NAME,
                                BROWSE_CONTACT_ID},
                               "Contact_lastName_firstName_id_idx"},
    [BROWSE_SORT_CREATED_AT] = {BROWSE_CONTACTS, "createdAt", 2,
                                {BROWSE_CONTACT_CREATED_AT, BROWSE_CONTACT_ID},
                                "Contact_organizationId_createdAt_id_idx"},
    [BROWSE_SORT_EMAIL] = {BROWSE_CONTACTS, "email", 2, {BROWSE_CONTACT_EMAIL, BROWSE_CONTACT_ID},
                           "Contact_email_id_idx"},
    [BROWSE_SORT_CONTACT_UPDATED_AT] = {BROWSE_CONTACTS, "updatedAt", 2,
                                        {BROWSE_CONTACT_UPDATED_AT, BROWSE_CONTACT_ID},
                                        "Contact_updatedAt_id_idx"},
};

const char *const *browse_column_names(enum browse_entity e, size_t *n)
{
    *n = browse_entity_defs[e].ncols;
    return browse_entity_defs[e].names;
}

enum browse_entity browse_sort_entity(enum browse_sort s)
{
    return browse_sort_defs[s].entity;
}

const char *browse_sort_name(enum browse_sort s)
{
    return browse_sort_defs[s].name;
}

const char *browse_sort_index(enum browse_sort s)
{
    return browse_sort_defs[s].index;
}

/* Other names of a sort: the words of its column's header in the console
 * ("Revenue", "Follow-up", "Updated", "P"), so that :sort and export
 * --sort take what the user sees. */
static const struct {
    enum browse_sort sort;
    const char *alias;
} sort_aliases[] = {
    {BROWSE_SORT_PRIORITY, "p"},
    {BROWSE_SORT_UPDATED_AT, "updated"},
    {BROWSE_SORT_NEXT_FOLLOW_UP, "follow-up"},
    {BROWSE_SORT_EST_REVENUE, "revenue"},
    {BROWSE_SORT_CREATED_AT, "created"},
    {BROWSE_SORT_CONTACT_UPDATED_AT, "updated"},
};

/* Whether a and b are the same name in any case, blanks, '-' and '_'
 * aside ("Last name" is lastName, "follow-up" followup). */
static bool same_name(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '-' || *a == '_')
            a++;
        while (*b == ' ' || *b == '-' || *b == '_')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

const char *browse_sort_short_name(enum browse_sort s)
{
    for (size_t i = 0; i < sizeof sort_aliases / sizeof sort_aliases[0]; i++)
        if (sort_aliases[i].sort == s && strlen(sort_aliases[i].alias) > 1)
            return sort_aliases[i].alias;
    return browse_sort_defs[s].name;
}

bool browse_sort_find(enum browse_entity e, const char *name, enum browse_sort *out)
{
    for (int s = 0; s < BROWSE_NSORTS; s++)
        if (browse_sort_defs[s].entity == e && same_name(browse_sort_defs[s].name, name)) {
            *out = (enum browse_sort)s;
            return true;
        }
    for (size_t i = 0; i < sizeof sort_aliases / sizeof sort_aliases[0]; i++)
        if (browse_sort_defs[sort_aliases[i].sort].entity == e && same_name(sort_aliases[i].alias, name)) {
            *out = sort_aliases[i].sort;
            return true;
        }
    return false;
}

enum browse_sort browse_sort_default(enum browse_entity e)
{
    return e == BROWSE_ORGS ? BROWSE_SORT_NAME : BROWSE_SORT_LAST_NAME;
}

void browse_spec_init(struct browse_spec *spec, enum browse_entity e)
{
    memset(spec, 0, sizeof *spec);
    spec->entity = e;
    spec->sort = browse_sort_default(e);
}

/* ------------------------------------------------------------------------
 * Queries and keys
 * ------------------------------------------------------------------------ */

int browse_add_param(struct browse_query *q, const char *v)
{
    q->params = xrealloc(q->params, (size_t)(q->nparams + 1) * sizeof *q->params);
    q->params[q->nparams] = v ? xstrdup(v) : NULL;
    return ++q->nparams;
}

const char *const *browse_query_params(const struct browse_query *q)
{
    return (const char *const *)q->params;
}

void browse_query_free(struct browse_query *q)
{
    if (!q)
        return;
    free(q->sql);
    for (int i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    free(q->focus_id);
    memset(q, 0, sizeof *q);
}

void browse_query_start(struct browse_query *q, enum browse_qkind kind, enum browse_entity e)
{
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->entity = e;
}

void browse_key_from_row(enum browse_sort s, char *const *cells, struct browse_key *out)
{
    const struct sort_def *sd = &browse_sort_defs[s];
    memset(out, 0, sizeof *out);
    out->n = sd->nkey;
    for (size_t i = 0; i < sd->nkey; i++)
        out->v[i] = cells[sd->key[i]] ? xstrdup(cells[sd->key[i]]) : NULL;
}

void browse_key_free(struct browse_key *k)
{
    for (size_t i = 0; i < k->n && i < BROWSE_MAX_KEY; i++)
        free(k->v[i]);
    memset(k, 0, sizeof *k);
}

/* ------------------------------------------------------------------------
 * Page queries
 *
 * A traversal is one way of walking an order: reading the index forward
 * or backward, with the rows whose leading sort column is NULL last or
 * first. The four that occur:
 *   ascending            forward,  NULL leads last  (the index order)
 *   descending           backward, NULL leads last
 *   ascending reversed   backward, NULL leads first (the index backward)
 *   descending reversed  forward,  NULL leads first
 * Every column after the leading one follows the index direction with its
 * NULLs where the index puts them: last forward, first backward.
 * ------------------------------------------------------------------------ */

struct trav {
    bool backward;
    bool lead_nulls_last;
};

struct pagegen {
    struct browse_query *q;
    const struct entity_def *ed;
    const struct sort_def *sd;
    const struct browse_key *key;
    char *keyval[BROWSE_MAX_KEY];   /* each non-NULL key value: "$n::type", or
                                     * the row's own column read by id */
    const char *filter;             /* conditions, may be "" */
    /* a coalesced sort: the index's keys and the key's values for them */
    bool by_id;                     /* the key's values are read from its row */
    size_t nx;
    char *xexpr[2 * BROWSE_MAX_KEY], *xval[2 * BROWSE_MAX_KEY];
    size_t nalts;                   /* 0, or the labels of the split filter */
    char *alts[8];                  /* "o.segment = $n::…" per label */
};

#define MAX_BRANCHES 32

struct branches {
    size_t n;
    char *cond[MAX_BRANCHES];       /* "" = no condition */
};

static bool nulls_last(const struct trav *t, size_t i)
{
    return i == 0 ? t->lead_nulls_last : !t->backward;
}

static const struct col_def *key_col(const struct pagegen *g, size_t i)
{
    return &g->ed->cols[g->sd->key[i]];
}

/* Where a row's key values are read from: the entity's own table when
 * every key column is one of its own (a contact's keys never need the
 * join with its organization: two probes each), else the page's FROM. */
static const char *keys_from(const struct pagegen *g)
{
    const char *base = g->ed->count_from, *alias = strrchr(base, ' ');
    if (!alias)
        return g->ed->from;
    alias++;
    size_t n = strlen(alias);
    for (size_t i = 0; i < g->sd->nkey; i++) {
        const char *e = key_col(g, i)->expr;
        if (strncmp(e, alias, n) != 0 || e[n] != '.')
            return g->ed->from;
    }
    return base;
}

static void push_branch(struct branches *b, char *cond)
{
    if (b->n == MAX_BRANCHES)
        diex(70, "internal error: too many keyset branches");
    b->cond[b->n++] = cond;
}

/* "col = $n::type" or "col IS NULL": the key's value of column i. */
static void add_eq(struct strbuf *sb, const struct pagegen *g, size_t i)
{
    const struct col_def *c = key_col(g, i);
    if (g->key->v[i])
        sb_addf(sb, "%s = %s AND ", c->expr, g->keyval[i]);
    else
        sb_addf(sb, "%s IS NULL AND ", c->expr);
}

/* The rows after the key in traversal t, from key column s on, the
 * columns before s being equal to the key's (prefix holds those equalities,
 * each followed by " AND "). Written out, "after" is the union over j of
 * (columns before j equal) AND (column j after the key's value), where for
 * a column whose NULLs come last, "after v" is "beyond v, or NULL", and
 * "after NULL" is nothing; for a column whose NULLs come first, "after v"
 * is "beyond v" and "after NULL" is "not NULL". The "beyond" parts of a run
 * of non-NULL key values merge into one row comparison, which the index
 * takes as a range; each NULL part is a branch of its own, an equality
 * prefix then IS [NOT] NULL, also an index range. */
static void gen_after(const struct pagegen *g, const struct trav *t, size_t s,
                      const char *prefix, bool incl, struct branches *out)
{
    size_t m = g->sd->nkey;
    if (s >= m)
        return;
    size_t e = s;
    while (e < m && g->key->v[e])
        e++;
    /* With incl the key's own row is "after" too: only the run that ends
     * with id can hold it, so only its comparison becomes >= (or <=). */
    const char *op = incl && e == m ? (t->backward ? "<=" : ">=") : (t->backward ? "<" : ">");
    struct strbuf sb;
    sb_init(&sb);
    if (e > s) {
        sb_adds(&sb, prefix);
        if (e - s == 1) {
            const struct col_def *c = key_col(g, s);
            sb_addf(&sb, "%s %s %s", c->expr, op, g->keyval[s]);
        } else {
            sb_addc(&sb, '(');
            for (size_t i = s; i < e; i++)
                sb_addf(&sb, "%s%s", i > s ? ", " : "", key_col(g, i)->expr);
            sb_addf(&sb, ") %s (", op);
            for (size_t i = s; i < e; i++)
                sb_addf(&sb, "%s%s", i > s ? ", " : "", g->keyval[i]);
            sb_addc(&sb, ')');
        }
        push_branch(out, sb_detach(&sb));
        for (size_t j = s; j < e; j++) {
            if (!key_col(g, j)->nullable || !nulls_last(t, j))
                continue;
            sb_adds(&sb, prefix);
            for (size_t i = s; i < j; i++)
                add_eq(&sb, g, i);
            sb_addf(&sb, "%s IS NULL", key_col(g, j)->expr);
            push_branch(out, sb_detach(&sb));
        }
    }
    if (e < m) {
        /* the key's value of column e is NULL */
        struct strbuf pre;
        sb_init(&pre);
        sb_adds(&pre, prefix);
        for (size_t i = s; i < e; i++)
            add_eq(&pre, g, i);
        if (!nulls_last(t, e)) {
            sb_addf(&sb, "%s%s IS NOT NULL", pre.buf ? pre.buf : "", key_col(g, e)->expr);
            push_branch(out, sb_detach(&sb));
        }
        sb_addf(&pre, "%s IS NULL AND ", key_col(g, e)->expr);
        gen_after(g, t, e + 1, pre.buf, incl, out);
        sb_free(&pre);
    }
    sb_free(&sb);
}

/* ORDER BY of one branch: the index order or its reverse, which a plain
 * index scan produces. Inside one branch the leading column is either all
 * NULL or all not NULL, so where its NULLs would go does not matter. */
static void add_branch_order(struct strbuf *sb, const struct pagegen *g, const struct trav *t)
{
    sb_adds(sb, " ORDER BY ");
    for (size_t i = 0; i < g->sd->nkey; i++)
        sb_addf(sb, "%s%s%s", i ? ", " : "", key_col(g, i)->expr, t->backward ? " DESC" : "");
}

/* ORDER BY of the merged branches: the traversal's full order, by the
 * positions of the key columns in the SELECT list. */
static void add_total_order(struct strbuf *sb, const struct pagegen *g, const struct trav *t)
{
    sb_adds(sb, " ORDER BY ");
    for (size_t i = 0; i < g->sd->nkey; i++)
        sb_addf(sb, "%s%u %s NULLS %s", i ? ", " : "", g->sd->key[i] + 1u,
                t->backward ? "DESC" : "ASC", nulls_last(t, i) ? "LAST" : "FIRST");
}

static void add_select_list(struct strbuf *sb, const struct entity_def *ed)
{
    sb_adds(sb, "SELECT ");
    for (size_t i = 0; i < ed->ncols; i++)
        sb_addf(sb, "%s%s", i ? ", " : "", ed->cols[i].expr);
}

/* One side of a page: up to limit rows in traversal t after the key (all
 * rows without a key), the key's own row included when self. The trailing
 * constant column tells the parser which side a row came from. */
static void gen_side_coalesced(struct strbuf *sb, const struct pagegen *g, const struct trav *t,
                               bool with_key, bool self, size_t limit, int side);

static void gen_side(struct strbuf *sb, const struct pagegen *g, const struct trav *t,
                     bool with_key, bool self, size_t limit, int side)
{
    if (g->nx) {
        gen_side_coalesced(sb, g, t, with_key, self, limit, side);
        return;
    }
    struct branches b = {0};
    if (with_key) {
        gen_after(g, t, 0, "", self, &b);
    } else if (key_col(g, 0)->nullable && t->lead_nulls_last == t->backward) {
        /* The index puts NULL leads at the other end: two ranges. */
        push_branch(&b, xasprintf("%s IS NOT NULL", key_col(g, 0)->expr));
        push_branch(&b, xasprintf("%s IS NULL", key_col(g, 0)->expr));
    } else {
        push_branch(&b, xstrdup(""));
    }
    if (g->nalts) {
        /* each range once per label of the split filter */
        struct branches split = {0};
        for (size_t i = 0; i < b.n; i++) {
            for (size_t a = 0; a < g->nalts; a++)
                push_branch(&split, xasprintf("%s%s%s", b.cond[i], *b.cond[i] ? " AND " : "",
                                              g->alts[a]));
            free(b.cond[i]);
        }
        b = split;
    }

    if (b.n > 1)
        sb_adds(sb, "SELECT * FROM (");
    for (size_t i = 0; i < b.n; i++) {
        if (b.n > 1)
            sb_adds(sb, i ? " UNION ALL (" : "(");
        add_select_list(sb, g->ed);
        sb_addf(sb, ", %d AS side FROM %s", side, g->ed->from);
        bool any = *g->filter || *b.cond[i];
        if (any)
            sb_addf(sb, " WHERE %s%s%s", g->filter, *g->filter && *b.cond[i] ? " AND " : "",
                    b.cond[i]);
        add_branch_order(sb, g, t);
        sb_addf(sb, " LIMIT %zu", limit);
        if (b.n > 1)
            sb_addc(sb, ')');
        free(b.cond[i]);
    }
    if (b.n > 1) {
        sb_adds(sb, ") u");
        add_total_order(sb, g, t);
        sb_addf(sb, " LIMIT %zu", limit);
    }
}

/* ------------------------------------------------------------------------
 * Coalesced keysets (the city sort, data/sql/0019). The index's keys are
 * x0..xn: each NULL-able key column c as (c IS NULL), coalesce(c, ''),
 * the others as they are; none is ever NULL, and their order is c's order
 * with NULLs last. So the rows after a key are one row comparison, one
 * index range, whatever columns of the key are NULL. (x0 is never
 * compared with "=" to a constant: the planner rewrites
 * "(c IS NULL) = false" as "c IS NOT NULL", which no longer names the
 * index's key; "IS FALSE" and "<=", ">=" it leaves alone.) Only where the
 * traversal wants the rows without the leading column last although the
 * index, read its way, gives them first (descending; ascending read from
 * the end) does the page take two ranges: the key's group (x0 as the
 * key's), then the other group, whole, read only when the first range did
 * not fill the page and the key's group is the one that comes first.
 * ------------------------------------------------------------------------ */

/* "(x_s, …, x_n) op (k_s, …, k_n)", or "x_n op k_n" for one. */
static void add_xcmp(struct strbuf *sb, const struct pagegen *g, size_t s, const char *op)
{
    if (g->nx - s == 1) {
        sb_addf(sb, "%s %s %s", g->xexpr[s], op, g->xval[s]);
        return;
    }
    sb_addc(sb, '(');
    for (size_t i = s; i < g->nx; i++)
        sb_addf(sb, "%s%s", i > s ? ", " : "", g->xexpr[i]);
    sb_addf(sb, ") %s (", op);
    for (size_t i = s; i < g->nx; i++)
        sb_addf(sb, "%s%s", i > s ? ", " : "", g->xval[i]);
    sb_addc(sb, ')');
}

/* One range of a coalesced sort: the select list, the filters and cond,
 * in the index order (backward: DESC), LIMITed. */
static void add_xbranch(struct strbuf *sb, const struct pagegen *g, const struct trav *t,
                        const char *cond, size_t limit, int side)
{
    add_select_list(sb, g->ed);
    sb_addf(sb, ", %d AS side FROM %s", side, g->ed->from);
    if (*g->filter || *cond)
        sb_addf(sb, " WHERE %s%s%s", g->filter, *g->filter && *cond ? " AND " : "", cond);
    sb_adds(sb, " ORDER BY ");
    for (size_t i = 0; i < g->nx; i++)
        sb_addf(sb, "%s%s%s", i ? ", " : "", g->xexpr[i], t->backward ? " DESC" : "");
    sb_addf(sb, " LIMIT %zu", limit);
}

static void add_total_order(struct strbuf *sb, const struct pagegen *g, const struct trav *t);

/* gen_side for a coalesced sort. The shape does not depend on which key
 * values are NULL (they are parameters, or read from the row by id), so
 * that a goto is one statement here too. */
static void gen_side_coalesced(struct strbuf *sb, const struct pagegen *g, const struct trav *t,
                               bool with_key, bool self, size_t limit, int side)
{
    const char *op = self ? (t->backward ? "<=" : ">=") : (t->backward ? "<" : ">");
    struct strbuf c;
    sb_init(&c);
    if (t->lead_nulls_last != t->backward) {
        /* the index's own order, or its reverse: one range */
        if (with_key)
            add_xcmp(&c, g, 0, op);
        add_xbranch(sb, g, t, c.buf ? c.buf : "", limit, side);
        sb_free(&c);
        return;
    }
    /* x0 = first: the group the traversal wants first */
    const char *first = t->lead_nulls_last ? "false" : "true";
    const char *second = t->lead_nulls_last ? "true" : "false";
    if (with_key) {
        /* after the key, and in its group */
        add_xcmp(&c, g, 0, op);
        sb_addf(&c, " AND %s %s %s", g->xexpr[0], t->backward ? ">=" : "<=", g->xval[0]);
        if (!g->by_id && (g->key->v[0] != NULL) != t->lead_nulls_last) {
            /* the key is in the group that comes second: nothing follows
             * it, one range (a shape of its own: a statement whose second
             * range is pruned at each run would be planned at each run) */
            add_xbranch(sb, g, t, c.buf, limit, side);
            sb_free(&c);
            return;
        }
    } else {
        sb_addf(&c, "%s IS %s", g->xexpr[0], first);
    }
    sb_adds(sb, "(WITH lead AS MATERIALIZED (");
    add_xbranch(sb, g, t, c.buf, limit, side);
    sb_adds(sb, ") SELECT * FROM (SELECT * FROM lead UNION ALL (");
    sb_free(&c);
    sb_addf(&c, "%s IS %s", g->xexpr[0], second);
    if (with_key)
        sb_addf(&c, " AND %s = %s", g->xval[0], first);
    /* a one-time filter: the second range is not read when the first
     * filled the page */
    sb_addf(&c, " AND (SELECT count(*) FROM lead) < %zu", limit);
    add_xbranch(sb, g, t, c.buf, limit, side);
    sb_adds(sb, ")) u");
    add_total_order(sb, g, t);
    sb_addf(sb, " LIMIT %zu)", limit);
    sb_free(&c);
}

/* Appends a key of a coalesced sort (expr, owned) and its value: read
 * from the key's row (kv, by id), a parameter of the given type, or none
 * without a key. */
static void add_xkey(struct pagegen *g, char *expr, const char *type, const char *value,
                     bool from_row, bool with_key)
{
    g->xexpr[g->nx] = expr;
    if (from_row)
        g->xval[g->nx] = xasprintf("(SELECT k%zu FROM kv)", g->nx);
    else if (with_key)
        g->xval[g->nx] = xasprintf("$%d::%s", browse_add_param(g->q, value), type);
    g->nx++;
}

static bool lookup_id(enum browse_entity e, const char *text, char id[UUID_TEXT_LEN + 1]);

static bool build_page(struct browse_query *q, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, const char *by_id,
                       size_t limit, bool screen, char **err)
{
    browse_query_start(q, BROWSE_Q_PAGE, spec->entity);
    if ((unsigned)spec->sort >= BROWSE_NSORTS || browse_sort_defs[spec->sort].entity != spec->entity) {
        *err = xstrdup("the sort does not belong to this pane");
        return false;
    }
    const struct sort_def *sd = &browse_sort_defs[spec->sort];
    if (limit < 1 || limit > 10000) {
        *err = xstrdup("the page size must be between 1 and 10000");
        return false;
    }
    bool with_key = move == BROWSE_NEXT || move == BROWSE_PREV || move == BROWSE_AROUND;
    if (with_key && (!key || key->n != sd->nkey || !key->v[sd->nkey - 1])) {
        *err = xasprintf("this move needs the keyset of a row under the %s sort", sd->name);
        return false;
    }
    q->sort = spec->sort;
    q->move = move;
    q->limit = limit;

    struct pagegen g = {.q = q, .ed = &browse_entity_defs[spec->entity], .sd = sd, .key = key};
    struct strbuf w, sb;
    sb_init(&w);
    sb_init(&sb);
    /* Several labels of a field that leads an index of this sort, e.g.
     * segment FINE_DINING or CATERING sorted by name: PostgreSQL cannot
     * read (segment, name, id) in name order for two segments at once, so
     * it would walk the name index and throw away the other segments' rows
     * (hundreds per page, each a heap fetch). One range per label, merged,
     * reads only rows that are shown. */
    int split = browse_filter_split(spec);
    if (!browse_filter_sql(q, spec, &w, split, err)) {
        sb_free(&w);
        browse_query_free(q);
        return false;
    }
    g.filter = w.buf ? w.buf : "";
    if (split >= 0)
        g.nalts = browse_filter_split_alts(q, spec, split, g.alts, sizeof g.alts / sizeof g.alts[0]);
    struct strbuf kv;   /* by id, coalesced: the key's values, read once */
    sb_init(&kv);
    if (sd->coalesced) {
        g.by_id = by_id != NULL;
        int p = with_key && by_id ? browse_add_param(q, by_id) : 0;
        for (size_t i = 0; i < sd->nkey; i++) {
            const struct col_def *c = key_col(&g, i);
            const char *v = with_key && !by_id ? key->v[i] : NULL;
            /* A state filter fixes the state: its keys are left out, and
             * the order is that of Organization_state_city_sort_idx after
             * the state (with them, the planner may walk the city sort's
             * index instead, throwing away the other states' rows). */
            if (spec->entity == BROWSE_ORGS && spec->filter.state && sd->key[i] == BROWSE_ORG_STATE)
                continue;
            bool from_row = by_id && with_key;
            if (c->nullable) {
                add_xkey(&g, xasprintf("(%s IS NULL)", c->expr), "boolean", v ? "false" : "true",
                         from_row, with_key);
                add_xkey(&g, xasprintf("coalesce(%s, '')", c->expr), c->type, v ? v : "", from_row,
                         with_key);
            } else {
                add_xkey(&g, xstrdup(c->expr), c->type, v, from_row, with_key);
            }
        }
        if (by_id && with_key) {
            /* one primary-key probe for all the key's values, not one each */
            sb_adds(&kv, "WITH kv AS MATERIALIZED (SELECT ");
            for (size_t j = 0; j < g.nx; j++)
                sb_addf(&kv, "%s%s AS k%zu", j ? ", " : "", g.xexpr[j], j);
            sb_addf(&kv, " FROM %s WHERE %s = $%d::uuid) ", keys_from(&g), g.ed->cols[0].expr,
                    p);
        }
    } else if (with_key && by_id) {
        /* the key's values read from the row itself, by one primary-key
         * probe (kv), each an InitPlan over it that the index range takes
         * like a parameter: a probe per value and side cost a contact's
         * page around a row 0.137 ms instead of 0.118 */
        int p = browse_add_param(q, by_id);
        sb_adds(&kv, "WITH kv AS MATERIALIZED (SELECT ");
        for (size_t i = 0; i < sd->nkey; i++) {
            sb_addf(&kv, "%s%s AS k%zu", i ? ", " : "", key_col(&g, i)->expr, i);
            g.keyval[i] = xasprintf("(SELECT k%zu FROM kv)", i);
        }
        sb_addf(&kv, " FROM %s WHERE %s = $%d::uuid) ", keys_from(&g), g.ed->cols[0].expr, p);
    } else if (with_key) {
        for (size_t i = 0; i < sd->nkey; i++)
            if (key->v[i])
                g.keyval[i] = xasprintf("$%d::%s", browse_add_param(q, key->v[i]),
                                        key_col(&g, i)->type);
    }

    struct trav fwd = {.backward = spec->desc, .lead_nulls_last = true};
    struct trav rev = {.backward = !spec->desc, .lead_nulls_last = false};
    switch (move) {
    case BROWSE_FIRST:
        gen_side(&sb, &g, &fwd, false, false, limit + 1, 1);
        break;
    case BROWSE_LAST:
        gen_side(&sb, &g, &rev, false, false, limit + 1, 1);
        break;
    case BROWSE_NEXT:
        gen_side(&sb, &g, &fwd, true, false, limit + 1, 1);
        break;
    case BROWSE_PREV:
        gen_side(&sb, &g, &rev, true, false, limit + 1, 1);
        break;
    case BROWSE_AROUND:
        /* Up to limit+1 rows on each side, the key's row opening the
         * second; the parser cuts the window. */
        if (kv.len)
            sb_adds(&sb, kv.buf);
        sb_adds(&sb, "SELECT * FROM ((");
        /* a screenful reads half each side: near an end its fills, not
         * this query, bring the rows of the other side */
        q->side_before = screen ? limit / 2 + 1 : limit + 1;
        q->side_after = screen ? limit - limit / 2 + 1 : limit + 1;
        gen_side(&sb, &g, &rev, true, false, q->side_before, 0);
        sb_adds(&sb, ") UNION ALL (");
        gen_side(&sb, &g, &fwd, true, true, q->side_after, 1);
        sb_adds(&sb, ")) a");
        add_total_order(&sb, &g, &fwd);
        q->focus_id = xstrdup(by_id ? by_id : key->v[sd->nkey - 1]);
        break;
    }
    q->sql = sb_detach(&sb);
    sb_free(&w);
    for (size_t a = 0; a < g.nalts; a++)
        free(g.alts[a]);
    for (size_t i = 0; i < BROWSE_MAX_KEY; i++)
        free(g.keyval[i]);
    for (size_t i = 0; i < g.nx; i++) {
        free(g.xexpr[i]);
        free(g.xval[i]);
    }
    sb_free(&kv);
    return true;
}

bool browse_build_page(struct browse_query *q, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       char **err)
{
    return build_page(q, spec, move, key, NULL, limit, false, err);
}

bool browse_build_screen(struct browse_query *q, const struct browse_spec *spec,
                         enum browse_move move, const struct browse_key *key, size_t limit,
                         char **err)
{
    return build_page(q, spec, move, key, NULL, limit, true, err);
}

bool browse_sort_not_null(enum browse_sort s)
{
    const struct sort_def *sd = &browse_sort_defs[s];
    if (sd->coalesced)  /* its index's keys are never NULL */
        return true;
    for (size_t i = 0; i < sd->nkey; i++)
        if (browse_entity_defs[sd->entity].cols[sd->key[i]].nullable)
            return false;
    return true;
}

bool browse_build_around_id(struct browse_query *q, const struct browse_spec *spec,
                            const char *text, size_t limit, bool screen, char **err)
{
    browse_query_start(q, BROWSE_Q_PAGE, spec->entity);
    if ((unsigned)spec->sort >= BROWSE_NSORTS || !browse_sort_not_null(spec->sort)) {
        *err = xstrdup("a page around an id needs a sort on columns that are never NULL");
        return false;
    }
    char id[UUID_TEXT_LEN + 1];
    if (!lookup_id(spec->entity, text, id)) {
        *err = xstrdup("an empty id");
        return false;
    }
    /* any non-NULL placeholder: the key's NULL pattern (none) is all the
     * builder reads from it */
    struct browse_key key = {.n = browse_sort_defs[spec->sort].nkey};
    for (size_t i = 0; i < key.n; i++)
        key.v[i] = (char *)"";
    return build_page(q, spec, BROWSE_AROUND, &key, id, limit, screen, err);
}

/* The target id of a UUID or legacy id as typed; false when empty. */
static bool lookup_id(enum browse_entity e, const char *text, char id[UUID_TEXT_LEN + 1])
{
    size_t len = strlen(text);
    /* Blanks around a pasted id are never part of it. */
    while (len && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    return id_map_uuid(browse_entity_defs[e].table, text, len, id) != ID_INVALID;
}

bool browse_build_lookup(struct browse_query *q, enum browse_entity e, const char *text,
                         char **err)
{
    browse_query_start(q, BROWSE_Q_LOOKUP, e);
    const struct entity_def *ed = &browse_entity_defs[e];
    char id[UUID_TEXT_LEN + 1];
    if (!lookup_id(e, text, id)) {
        *err = xstrdup("an empty id");
        return false;
    }
    q->sort = browse_sort_default(e);
    q->move = BROWSE_FIRST;
    q->limit = 1;
    struct strbuf sb;
    sb_init(&sb);
    add_select_list(&sb, ed);
    sb_addf(&sb, ", 1 AS side FROM %s WHERE %s = $%d::uuid", ed->from, ed->cols[0].expr,
            browse_add_param(q, id));
    q->sql = sb_detach(&sb);
    return true;
}

void browse_free_rows(char ***rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

void browse_page_free(struct browse_page *p)
{
    if (!p)
        return;
    browse_free_rows(p->rows, p->nrows);
    memset(p, 0, sizeof *p);
}

/* One allocation per row: the cell pointers, then the strings. */
char **browse_copy_row(const PGresult *res, int r, size_t ncols)
{
    size_t size = ncols * sizeof(char *);
    for (size_t c = 0; c < ncols; c++)
        if (!PQgetisnull(res, r, (int)c))
            size += (size_t)PQgetlength(res, r, (int)c) + 1;
    char **row = xmalloc(size);
    char *p = (char *)(row + ncols);
    for (size_t c = 0; c < ncols; c++) {
        if (PQgetisnull(res, r, (int)c)) {
            row[c] = NULL;
            continue;
        }
        size_t n = (size_t)PQgetlength(res, r, (int)c);
        memcpy(p, PQgetvalue(res, r, (int)c), n);
        p[n] = '\0';
        row[c] = p;
        p += n + 1;
    }
    return row;
}

bool browse_result_ok(const PGresult *res, char **err)
{
    if (!res) {
        *err = xstrdup("no result");
        return false;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK) {
        const char *m = PQresultErrorMessage(res);
        *err = str_rtrim(xstrdup(m && *m ? m : PQresStatus(st)));
        return false;
    }
    return true;
}

bool browse_parse_page(const struct browse_query *q, const PGresult *res,
                       struct browse_page *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->focus = -1;
    if (q->kind != BROWSE_Q_PAGE && q->kind != BROWSE_Q_LOOKUP) {
        *err = xstrdup("not a page query");
        return false;
    }
    if (!browse_result_ok(res, err))
        return false;
    const struct entity_def *ed = &browse_entity_defs[q->entity];
    if ((size_t)PQnfields(res) != ed->ncols + 1) {
        *err = xasprintf("unexpected result: %d columns", PQnfields(res));
        return false;
    }
    size_t got = (size_t)PQntuples(res), n = q->limit;
    out->entity = q->entity;
    out->sort = q->sort;
    out->ncols = ed->ncols;
    out->rows = xcalloc(got ? got : 1, sizeof *out->rows);
    size_t side_col = ed->ncols;

    if (q->kind == BROWSE_Q_LOOKUP) {
        for (size_t r = 0; r < got; r++)
            out->rows[out->nrows++] = browse_copy_row(res, (int)r, ed->ncols);
        out->focus = got ? 0 : -1;
        out->at_start = out->at_end = true;
        return true;
    }

    size_t first = 0, count = got < n ? got : n;
    bool reversed = false;
    switch (q->move) {
    case BROWSE_FIRST:
        out->at_start = true;
        out->at_end = got <= n;
        break;
    case BROWSE_NEXT:
        out->at_end = got <= n;
        break;
    case BROWSE_LAST:
        reversed = true;
        out->at_end = true;
        out->at_start = got <= n;
        break;
    case BROWSE_PREV:
        reversed = true;
        out->at_start = got <= n;
        break;
    case BROWSE_AROUND: {
        /* Rows come in display order: up to n+1 before the key's position
         * (side 0), then up to n+1 from it (side 1). Keep n rows with the
         * key's position near the middle, more of one side where the
         * other runs out. */
        size_t nb = 0;
        while (nb < got && strcmp(PQgetvalue(res, (int)nb, (int)side_col), "0") == 0)
            nb++;
        size_t na = got - nb;
        size_t b = nb < n / 2 ? nb : n / 2;
        size_t a = na < n - b ? na : n - b;
        if (a < n - b)
            b = nb < n - a ? nb : n - a;
        first = nb - b;
        count = b + a;
        /* an end is reached when a side gave fewer rows than it asked */
        out->at_start = b == nb && nb < q->side_before;
        out->at_end = a == na && na < q->side_after;
        out->pivot = b;
        if (na > 0 && q->focus_id
            && strcmp(PQgetvalue(res, (int)nb, 0), q->focus_id) == 0)
            out->focus = (ptrdiff_t)b;
        break;
    }
    }
    for (size_t i = 0; i < count; i++) {
        /* a backward read lists the page bottom-up: put it back */
        size_t r = reversed ? count - 1 - i : first + i;
        out->rows[out->nrows++] = browse_copy_row(res, (int)r, ed->ncols);
    }
    return true;
}


/* ------------------------------------------------------------------------
 * Screenful first, the rest in the background (browse.h)
 * ------------------------------------------------------------------------ */

bool browse_fill_next(const struct browse_page *p, enum browse_move origin, size_t anchor,
                      size_t page_rows, enum browse_move *dir, size_t *want)
{
    if (p->nrows == 0 || p->nrows >= page_rows)
        return false;
    size_t need = page_rows - p->nrows;
    switch (origin) {
    case BROWSE_FIRST:
    case BROWSE_NEXT:
        if (p->at_end)
            return false;
        *dir = BROWSE_NEXT;
        *want = need;
        return true;
    case BROWSE_LAST:
    case BROWSE_PREV:
        if (p->at_start)
            return false;
        *dir = BROWSE_PREV;
        *want = need;
        return true;
    case BROWSE_AROUND: {
        /* as a page asked for around the row whole: the row about in the
         * middle, more of one side where the other runs out */
        size_t below = anchor < p->nrows ? p->nrows - anchor : 0, half = page_rows - page_rows / 2;
        if (!p->at_end && below < half) {
            *dir = BROWSE_NEXT;
            *want = half - below < need ? half - below : need;
        } else if (!p->at_start) {
            *dir = BROWSE_PREV;
            *want = need;
        } else if (!p->at_end) {
            *dir = BROWSE_NEXT;
            *want = need;
        } else {
            return false;
        }
        return true;
    }
    }
    return false;
}

bool browse_build_fill(struct browse_query *q, const struct browse_spec *spec,
                       const struct browse_page *p, enum browse_move dir, size_t want,
                       char **err)
{
    if (p->nrows == 0 || (dir != BROWSE_NEXT && dir != BROWSE_PREV)) {
        browse_query_start(q, BROWSE_Q_PAGE, spec->entity);
        *err = xstrdup("a fill continues a page after its last or before its first row");
        return false;
    }
    struct browse_key key;
    browse_key_from_row(spec->sort, p->rows[dir == BROWSE_NEXT ? p->nrows - 1 : 0], &key);
    bool ok = browse_build_page(q, spec, dir, &key, want, err);
    browse_key_free(&key);
    return ok;
}

static size_t id_hash(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

size_t browse_page_merge(struct browse_page *p, struct browse_page *fill, enum browse_move dir)
{
    /* the ids p holds, in a small open-addressing set of row numbers */
    size_t cap = 16;
    while (cap < 2 * p->nrows)
        cap *= 2;
    size_t *seen = xmalloc(cap * sizeof *seen);
    for (size_t i = 0; i < cap; i++)
        seen[i] = SIZE_MAX;
    for (size_t r = 0; r < p->nrows; r++) {
        size_t j = id_hash(p->rows[r][0]) & (cap - 1);
        while (seen[j] != SIZE_MAX)
            j = (j + 1) & (cap - 1);
        seen[j] = r;
    }
    char ***rows = xcalloc(p->nrows + fill->nrows + 1, sizeof *rows);
    size_t n = 0, added = 0;
    if (dir == BROWSE_NEXT)
        for (size_t r = 0; r < p->nrows; r++)
            rows[n++] = p->rows[r];
    for (size_t r = 0; r < fill->nrows; r++) {
        const char *id = fill->rows[r][0];
        size_t j = id_hash(id) & (cap - 1);
        bool dup = false;
        while (seen[j] != SIZE_MAX && !(dup = strcmp(p->rows[seen[j]][0], id) == 0))
            j = (j + 1) & (cap - 1);
        if (dup) {
            free(fill->rows[r]);
            continue;
        }
        rows[n++] = fill->rows[r];
        added++;
    }
    if (dir != BROWSE_NEXT)
        for (size_t r = 0; r < p->nrows; r++)
            rows[n++] = p->rows[r];
    free(seen);
    free(p->rows);
    p->rows = rows;
    p->nrows = n;
    if (dir == BROWSE_NEXT) {
        p->at_end = fill->at_end;
    } else {
        p->at_start = fill->at_start;
        p->pivot += added;
        if (p->focus >= 0)
            p->focus += (ptrdiff_t)added;
    }
    free(fill->rows);
    memset(fill, 0, sizeof *fill);
    return added;
}
