/* browse.c - keyset-paged lists, search, goto, detail and counts for the
 * console's Organizations and Contacts panes. See browse.h for the model.
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
 * Columns, entities and sorts
 * ------------------------------------------------------------------------ */

/* A column of a page; its header is in org_names / contact_names. */
struct col_def {
    const char *expr;           /* in the SELECT list, conditions and ORDER BY */
    const char *type;           /* cast of a parameter compared with it */
    bool nullable;
};

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

struct entity_def {
    const char *table;          /* for id_map_uuid: "<Table>:<legacy id>" */
    const struct col_def *cols;
    size_t ncols;
    const char *from;           /* FROM of a page; the organization name of a
                                 * contact comes by primary key, row by row,
                                 * after the contact index produced the order */
    const char *count_from;     /* FROM of a count: no join needed */
    const char *const *names;
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

static const struct entity_def entities[] = {
    [BROWSE_ORGS] = {"Organization", org_cols, BROWSE_ORG_NCOLS, "\"Organization\" o",
                     "\"Organization\" o", org_names},
    [BROWSE_CONTACTS] = {"Contact", contact_cols, BROWSE_CONTACT_NCOLS,
                         "\"Contact\" c JOIN \"Organization\" o ON o.id = c.\"organizationId\"",
                         "\"Contact\" c", contact_names},
};

/* A sort is the order of one index: its keyset columns are the index's
 * columns, ending in id. */
struct sort_def {
    enum browse_entity entity;
    const char *name;
    size_t nkey;
    unsigned char key[BROWSE_MAX_KEY];  /* column numbers of the entity */
    const char *index;
};

static const struct sort_def sorts[BROWSE_NSORTS] = {
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
                          "Organization_city_state_zipCode_id_idx"},
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
    *n = entities[e].ncols;
    return entities[e].names;
}

enum browse_entity browse_sort_entity(enum browse_sort s)
{
    return sorts[s].entity;
}

const char *browse_sort_name(enum browse_sort s)
{
    return sorts[s].name;
}

const char *browse_sort_index(enum browse_sort s)
{
    return sorts[s].index;
}

bool browse_sort_find(enum browse_entity e, const char *name, enum browse_sort *out)
{
    for (int s = 0; s < BROWSE_NSORTS; s++)
        if (sorts[s].entity == e && strcmp(sorts[s].name, name) == 0) {
            *out = (enum browse_sort)s;
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
 * Filters
 * ------------------------------------------------------------------------ */

struct enum_filter {
    const char *field;
    const char *enum_type;
    size_t offset;              /* of the mask in struct browse_filter */
    const char *expr;
    /* The sorts whose keyset follows this column in an index, (field,
     * <keyset>): with several labels chosen, a page is one index range per
     * label, merged (see browse_build_page). */
    unsigned split_sorts;
};

#define SORT_BIT(s) (1u << (s))
static const struct enum_filter enum_filters[] = {
    {"priority", "OrganizationPriority", offsetof(struct browse_filter, priority), "o.priority",
     /* Organization_priority_name_id_idx, _priority_updatedAt_id_idx,
      * _priority_estimatedRevenue_id_idx */
     SORT_BIT(BROWSE_SORT_NAME) | SORT_BIT(BROWSE_SORT_UPDATED_AT)
         | SORT_BIT(BROWSE_SORT_EST_REVENUE)},
    {"segment", "OrganizationSegment", offsetof(struct browse_filter, segment), "o.segment",
     SORT_BIT(BROWSE_SORT_NAME)},   /* Organization_segment_name_id_idx */
    {"status", "OrganizationStatus", offsetof(struct browse_filter, status), "o.status", 0},
    {"type", "OrganizationType", offsetof(struct browse_filter, type), "o.type",
     SORT_BIT(BROWSE_SORT_NAME)},   /* Organization_type_name_id_idx */
};
#define N_ENUM_FILTERS (sizeof enum_filters / sizeof enum_filters[0])

static unsigned *mask_of(struct browse_filter *f, const struct enum_filter *ef)
{
    return (unsigned *)(void *)((char *)f + ef->offset);
}

static unsigned mask_get(const struct browse_filter *f, const struct enum_filter *ef)
{
    return *(const unsigned *)(const void *)((const char *)f + ef->offset);
}

const char *const *browse_filter_labels(const char *field, size_t *n)
{
    for (size_t i = 0; i < N_ENUM_FILTERS; i++)
        if (strcmp(enum_filters[i].field, field) == 0)
            return legacy_enum_labels(enum_filters[i].enum_type, n);
    *n = 0;
    return NULL;
}

static const char *const followup_names[] = {
    [BROWSE_FOLLOWUP_ANY] = "any", [BROWSE_FOLLOWUP_DUE] = "due",
    [BROWSE_FOLLOWUP_TODAY] = "today", [BROWSE_FOLLOWUP_OVERDUE] = "overdue"};

bool browse_filter_parse(struct browse_filter *f, const char *spec, char **err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        *err = xasprintf("bad filter '%s': expected field=value", spec);
        return false;
    }
    char *field = xstrndup(spec, (size_t)(eq - spec));
    const char *val = eq + 1;
    bool ok = true;

    const struct enum_filter *ef = NULL;
    for (size_t i = 0; i < N_ENUM_FILTERS; i++)
        if (strcmp(enum_filters[i].field, field) == 0)
            ef = &enum_filters[i];
    if (ef) {
        size_t nl;
        const char *const *labels = legacy_enum_labels(ef->enum_type, &nl);
        unsigned mask = 0;
        const char *p = val;
        while (ok) {
            size_t len = strcspn(p, ",");
            size_t i = 0;
            while (i < nl && !(strlen(labels[i]) == len && strncasecmp(labels[i], p, len) == 0))
                i++;
            if (i == nl) {
                *err = xasprintf("bad filter '%s': '%.*s' is not a label of \"%s\"", spec,
                                 (int)len, p, ef->enum_type);
                ok = false;
                break;
            }
            mask |= 1u << i;
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
        if (ok)
            *mask_of(f, ef) |= mask;
    } else if (strcmp(field, "state") == 0) {
        f->state = val;
    } else if (strcmp(field, "city") == 0) {
        f->city = val;
    } else if (strcmp(field, "followup") == 0) {
        size_t i = 0;
        while (i < sizeof followup_names / sizeof followup_names[0]
               && strcmp(followup_names[i], val) != 0)
            i++;
        if (i == sizeof followup_names / sizeof followup_names[0]) {
            *err = xasprintf("bad filter '%s': followup is due, today, overdue or any", spec);
            ok = false;
        } else {
            f->followup = (enum browse_followup)i;
        }
    } else if (strcmp(field, "now") == 0) {
        f->now = val;
    } else if (strcmp(field, "organization") == 0) {
        unsigned char u[16];
        if (!keyset_parse_uuid(val, strlen(val), u)) {
            *err = xasprintf("bad filter '%s': not a UUID", spec);
            ok = false;
        } else {
            f->organization_id = val;
        }
    } else if (strcmp(field, "primary") == 0) {
        if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0)
            f->primary_only = true;
        else if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0)
            f->primary_only = false;
        else {
            *err = xasprintf("bad filter '%s': primary is yes or no", spec);
            ok = false;
        }
    } else {
        *err = xasprintf("bad filter '%s': no field '%s' (priority, segment, status, type, "
                         "state, city, followup, now, organization, primary)", spec, field);
        ok = false;
    }
    free(field);
    return ok;
}

char *browse_filter_describe(enum browse_entity e, const struct browse_filter *f)
{
    struct strbuf sb;
    sb_init(&sb);
    if (e == BROWSE_ORGS) {
        for (size_t i = 0; i < N_ENUM_FILTERS; i++) {
            unsigned m = mask_get(f, &enum_filters[i]);
            if (!m)
                continue;
            size_t nl;
            const char *const *labels = legacy_enum_labels(enum_filters[i].enum_type, &nl);
            sb_addf(&sb, "%s%s=", sb.len ? "  " : "", enum_filters[i].field);
            bool first = true;
            for (size_t l = 0; l < nl; l++)
                if (m & (1u << l)) {
                    sb_addf(&sb, "%s%s", first ? "" : ",", labels[l]);
                    first = false;
                }
        }
        if (f->state)
            sb_addf(&sb, "%sstate=%s", sb.len ? "  " : "", f->state);
        if (f->city)
            sb_addf(&sb, "%scity=%s", sb.len ? "  " : "", f->city);
        if (f->followup != BROWSE_FOLLOWUP_ANY)
            sb_addf(&sb, "%sfollowup=%s", sb.len ? "  " : "", followup_names[f->followup]);
    } else {
        if (f->organization_id)
            sb_addf(&sb, "%sorganization=%s", sb.len ? "  " : "", f->organization_id);
        if (f->primary_only)
            sb_addf(&sb, "%sprimary=yes", sb.len ? "  " : "");
    }
    return sb_detach(&sb);
}

/* ------------------------------------------------------------------------
 * Queries and keys
 * ------------------------------------------------------------------------ */

static int add_param(struct browse_query *q, const char *v)
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

static void query_start(struct browse_query *q, enum browse_qkind kind, enum browse_entity e)
{
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->entity = e;
}

void browse_key_from_row(enum browse_sort s, char *const *cells, struct browse_key *out)
{
    const struct sort_def *sd = &sorts[s];
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

/* The filter conditions, ANDed, with their parameters added to q; "" when
 * there is no filter. An enum field with one label is an equality (so that
 * an index led by that column keeps its order, e.g. segment = $1 sorted by
 * name on (segment, name, id)); several labels are one = ANY(array). The
 * enum field numbered skip is left out (the caller splits on it). */
static bool filter_sql(struct browse_query *q, const struct browse_spec *spec, struct strbuf *w,
                       int skip, char **err)
{
    const struct browse_filter *f = &spec->filter;
    struct strbuf tmp;
    sb_init(&tmp);
#define AND() (w->len ? " AND " : "")
    if (spec->entity == BROWSE_CONTACTS) {
        bool org_only = f->state || f->city || f->followup != BROWSE_FOLLOWUP_ANY;
        for (size_t i = 0; i < N_ENUM_FILTERS; i++)
            org_only = org_only || mask_get(f, &enum_filters[i]);
        if (org_only) {
            *err = xstrdup("the contacts pane filters by organization and primary contact only");
            sb_free(&tmp);
            return false;
        }
        if (f->organization_id) {
            int n = add_param(q, f->organization_id);
            sb_addf(w, "%sc.\"organizationId\" = $%d::uuid", AND(), n);
        }
        if (f->primary_only)
            sb_addf(w, "%sc.\"isPrimary\"", AND());
        sb_free(&tmp);
        return true;
    }
    if (f->organization_id || f->primary_only) {
        *err = xstrdup("the organization and primary filters are for the contacts pane");
        sb_free(&tmp);
        return false;
    }
    for (size_t i = 0; i < N_ENUM_FILTERS; i++) {
        const struct enum_filter *ef = &enum_filters[i];
        unsigned m = mask_get(f, ef);
        if (!m || (int)i == skip)
            continue;
        size_t nl, chosen = 0, last = 0;
        const char *const *labels = legacy_enum_labels(ef->enum_type, &nl);
        if (m >> nl) {
            *err = xasprintf("the %s filter has a label number past the enum's %zu labels",
                             ef->field, nl);
            sb_free(&tmp);
            return false;
        }
        sb_reset(&tmp);
        sb_addc(&tmp, '{');
        for (size_t l = 0; l < nl; l++)
            if (m & (1u << l)) {
                sql_add_array_elem(&tmp, labels[l], strlen(labels[l]), chosen == 0);
                chosen++;
                last = l;
            }
        sb_addc(&tmp, '}');
        if (chosen == 1) {
            int n = add_param(q, labels[last]);
            sb_addf(w, "%s%s = $%d::\"%s\"", AND(), ef->expr, n, ef->enum_type);
        } else {
            int n = add_param(q, tmp.buf);
            sb_addf(w, "%s%s = ANY($%d::\"%s\"[])", AND(), ef->expr, n, ef->enum_type);
        }
    }
    if (f->state) {
        int n = add_param(q, f->state);
        sb_addf(w, "%so.state = $%d::text", AND(), n);
    }
    if (f->city) {
        int n = add_param(q, f->city);
        sb_addf(w, "%so.city = $%d::text", AND(), n);
    }
    if (f->followup != BROWSE_FOLLOWUP_ANY) {
        /* "Today" is a day of the session's time zone; date_trunc of a
         * timestamptz is stable, so the bound is computed once per scan and
         * is an index condition on ("nextFollowUpDate", id). */
        char *today;
        if (f->now)
            today = xasprintf("date_trunc('day', $%d::timestamptz)", add_param(q, f->now));
        else
            today = xstrdup("date_trunc('day', now())");
        switch (f->followup) {
        case BROWSE_FOLLOWUP_DUE:
            sb_addf(w, "%so.\"nextFollowUpDate\" < %s + interval '1 day'", AND(), today);
            break;
        case BROWSE_FOLLOWUP_TODAY:
            sb_addf(w, "%so.\"nextFollowUpDate\" >= %s AND o.\"nextFollowUpDate\" < %s + "
                       "interval '1 day'", AND(), today, today);
            break;
        case BROWSE_FOLLOWUP_OVERDUE:
            sb_addf(w, "%so.\"nextFollowUpDate\" < %s", AND(), today);
            break;
        case BROWSE_FOLLOWUP_ANY:
            break;
        }
        free(today);
    }
#undef AND
    sb_free(&tmp);
    return true;
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
    int keyparam[BROWSE_MAX_KEY];   /* $n of each non-NULL key value */
    const char *filter;             /* conditions, may be "" */
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
        sb_addf(sb, "%s = $%d::%s AND ", c->expr, g->keyparam[i], c->type);
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
            sb_addf(&sb, "%s %s $%d::%s", c->expr, op, g->keyparam[s], c->type);
        } else {
            sb_addc(&sb, '(');
            for (size_t i = s; i < e; i++)
                sb_addf(&sb, "%s%s", i > s ? ", " : "", key_col(g, i)->expr);
            sb_addf(&sb, ") %s (", op);
            for (size_t i = s; i < e; i++)
                sb_addf(&sb, "%s$%d::%s", i > s ? ", " : "", g->keyparam[i], key_col(g, i)->type);
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
static void gen_side(struct strbuf *sb, const struct pagegen *g, const struct trav *t,
                     bool with_key, bool self, size_t limit, int side)
{
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

bool browse_build_page(struct browse_query *q, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       char **err)
{
    query_start(q, BROWSE_Q_PAGE, spec->entity);
    if ((unsigned)spec->sort >= BROWSE_NSORTS || sorts[spec->sort].entity != spec->entity) {
        *err = xstrdup("the sort does not belong to this pane");
        return false;
    }
    const struct sort_def *sd = &sorts[spec->sort];
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

    struct pagegen g = {.q = q, .ed = &entities[spec->entity], .sd = sd, .key = key};
    struct strbuf w, sb;
    sb_init(&w);
    sb_init(&sb);
    /* Several labels of a field that leads an index of this sort, e.g.
     * segment FINE_DINING or CATERING sorted by name: PostgreSQL cannot
     * read (segment, name, id) in name order for two segments at once, so
     * it would walk the name index and throw away the other segments' rows
     * (hundreds per page, each a heap fetch). One range per label, merged,
     * reads only rows that are shown. */
    int split = -1;
    if (spec->entity == BROWSE_ORGS)
        for (size_t i = 0; i < N_ENUM_FILTERS && split < 0; i++) {
            unsigned m = mask_get(&spec->filter, &enum_filters[i]);
            if ((enum_filters[i].split_sorts & SORT_BIT(spec->sort)) && (m & (m - 1)))
                split = (int)i;
        }
    if (!filter_sql(q, spec, &w, split, err)) {
        sb_free(&w);
        browse_query_free(q);
        return false;
    }
    g.filter = w.buf ? w.buf : "";
    if (split >= 0) {
        const struct enum_filter *ef = &enum_filters[split];
        size_t nl;
        const char *const *labels = legacy_enum_labels(ef->enum_type, &nl);
        unsigned m = mask_get(&spec->filter, ef);
        for (size_t l = 0; l < nl && g.nalts < sizeof g.alts / sizeof g.alts[0]; l++)
            if (m & (1u << l))
                g.alts[g.nalts++] = xasprintf("%s = $%d::\"%s\"", ef->expr,
                                              add_param(q, labels[l]), ef->enum_type);
    }
    if (with_key)
        for (size_t i = 0; i < sd->nkey; i++)
            g.keyparam[i] = key->v[i] ? add_param(q, key->v[i]) : 0;

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
        sb_adds(&sb, "SELECT * FROM ((");
        gen_side(&sb, &g, &rev, true, false, limit + 1, 0);
        sb_adds(&sb, ") UNION ALL (");
        gen_side(&sb, &g, &fwd, true, true, limit + 1, 1);
        sb_adds(&sb, ")) a");
        add_total_order(&sb, &g, &fwd);
        q->focus_id = xstrdup(key->v[sd->nkey - 1]);
        break;
    }
    q->sql = sb_detach(&sb);
    sb_free(&w);
    for (size_t a = 0; a < g.nalts; a++)
        free(g.alts[a]);
    return true;
}

bool browse_build_lookup(struct browse_query *q, enum browse_entity e, const char *text,
                         char **err)
{
    query_start(q, BROWSE_Q_LOOKUP, e);
    const struct entity_def *ed = &entities[e];
    char id[UUID_TEXT_LEN + 1];
    size_t len = strlen(text);
    /* Blanks around a pasted id are never part of it. */
    while (len && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    if (id_map_uuid(ed->table, text, len, id) == ID_INVALID) {
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
            add_param(q, id));
    q->sql = sb_detach(&sb);
    return true;
}

static void free_rows(char ***rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

void browse_page_free(struct browse_page *p)
{
    if (!p)
        return;
    free_rows(p->rows, p->nrows);
    memset(p, 0, sizeof *p);
}

/* One allocation per row: the cell pointers, then the strings. */
static char **copy_row(const PGresult *res, int r, size_t ncols)
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

static bool result_ok(const PGresult *res, char **err)
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
    if (!result_ok(res, err))
        return false;
    const struct entity_def *ed = &entities[q->entity];
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
            out->rows[out->nrows++] = copy_row(res, (int)r, ed->ncols);
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
        out->at_start = b == nb && nb <= n;
        out->at_end = a == na && na <= n;
        if (na > 0 && q->focus_id
            && strcmp(PQgetvalue(res, (int)nb, 0), q->focus_id) == 0)
            out->focus = (ptrdiff_t)b;
        break;
    }
    }
    for (size_t i = 0; i < count; i++) {
        /* a backward read lists the page bottom-up: put it back */
        size_t r = reversed ? count - 1 - i : first + i;
        out->rows[out->nrows++] = copy_row(res, (int)r, ed->ncols);
    }
    return true;
}

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
 * sorts before prefix || U+10FFFF). */
static void word_cond(struct strbuf *sb, const char *col, const struct search_word *w, int p)
{
    char *c = strchr(col, '.') ? xstrdup(col) : xasprintf("%s.word", col);
    if (w->prefix)
        sb_addf(sb, "%s >= lower($%d) AND %s < lower($%d) || chr(1114111)", c, p, c, p);
    else
        sb_addf(sb, "%s = lower($%d)", c, p);
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

/* The vocabulary words a typed word stands for, as a derived table: the
 * words it starts (or equals); when corrected and there are none, the
 * word spelt most like it (pg_trgm on the vocabulary, a few hundred
 * words: cheap). */
static void word_set(struct strbuf *sb, const char *vtab, const struct search_word *w, int p,
                     bool corrected, const char *alias)
{
    sb_addf(sb, "(SELECT v.word FROM %s v WHERE ", vtab);
    word_cond(sb, "v", w, p);
    if (corrected) {
        sb_addf(sb, " UNION ALL (SELECT v.word FROM %s v WHERE v.word %% lower($%d)"
                    " AND NOT EXISTS (SELECT 1 FROM %s u WHERE ", vtab, p, vtab);
        word_cond(sb, "u", w, p);
        sb_addf(sb, ") ORDER BY similarity(v.word, lower($%d)) DESC, v.word LIMIT 1)", p);
    }
    sb_addf(sb, ") %s", alias);
}

/* The body of a stage answered by a pair index: the names holding a word
 * of set a and another of set b (the typed words pa and pb), and the other
 * typed words, in the order (a word, b word, list order: name, or last
 * and first name). filter_join joins the row for the filters (where). */
static void pair_stage(struct strbuf *sb, int how, bool orgs, const char *vtab,
                       const char *wtab, const struct search_word *words, size_t nw,
                       const int *pw, size_t pa, size_t pb, bool corrected,
                       const char *filter_join, const char *where, const char *gate,
                       size_t max_hits)
{
    sb_addf(sb, "SELECT %d AS how, x.id, %s AS label FROM ", how,
            orgs ? "x.name" : "x.\"firstName\" || ' ' || x.\"lastName\"");
    word_set(sb, vtab, &words[pa], pw[pa], corrected, "a");
    sb_adds(sb, " JOIN ");
    word_set(sb, vtab, &words[pb], pw[pb], corrected, "b");
    sb_addf(sb, " ON b.word <> a.word CROSS JOIN LATERAL (SELECT p.id, %s FROM %s p%s"
                " WHERE p.w1 = least(a.word, b.word) AND p.w2 = greatest(a.word, b.word)",
            orgs ? "p.name" : "p.\"lastName\", p.\"firstName\"",
            orgs ? "search.organization_pair" : "search.contact_pair", filter_join);
    for (size_t i = 0; i < nw; i++) {
        if (i == pa || i == pb)
            continue;
        sb_addf(sb, " AND EXISTS (SELECT 1 FROM %s y WHERE y.id = p.id AND ", wtab);
        word_cond(sb, "y", &words[i], pw[i]);
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
    query_start(q, BROWSE_Q_SEARCH, spec->entity);
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
     * most telling one). */
    size_t drive = 0;
    for (size_t i = 1; i < nw; i++)
        if (utf8_chars(words[i].p, words[i].len) > utf8_chars(words[drive].p, words[drive].len))
            drive = i;
    struct strbuf w, sb;
    sb_init(&w);
    sb_init(&sb);
    if (!filter_sql(q, spec, &w, -1, err)) {
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
    char *join = w.len ? xasprintf(" JOIN %s ON %s.id = x.id", entities[spec->entity].from,
                                   orgs ? "o" : "c")
                       : xstrdup("");
    char *where = w.len ? xasprintf(" AND %s", w.buf) : xstrdup("");
    int pw[16];
    for (size_t i = 0; i < nw; i++) {
        char *v = xstrndup(words[i].p, words[i].len);
        pw[i] = add_param(q, v);
        free(v);
    }
    char *frag = like_escape(words[drive].p, words[drive].len);
    int pf = add_param(q, frag);
    free(frag);

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
    char *pjoin = w.len ? xasprintf(" JOIN %s ON %s.id = p.id", entities[spec->entity].from,
                                    orgs ? "o" : "c")
                        : xstrdup("");
    if (pairs) {
        sb_adds(&sb, "WITH fts AS (");
        pair_stage(&sb, 1, orgs, vtab, wtab, words, nw, pw, pa, pb, false, pjoin, where, "",
                   max_hits);
    } else {
        size_t ndrive = nw < 4 ? nw : 4;
        if (nw > 1) {
            sb_adds(&sb, "WITH freq AS MATERIALIZED (SELECT ARRAY[");
            for (size_t d = 0; d < ndrive; d++) {
                sb_addf(&sb, "%s(SELECT coalesce(sum(v.rows), 0) FROM %s v WHERE ", d ? ", " : "",
                        vtab);
                word_cond(&sb, "v", &words[d], pw[d]);
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
            word_cond(&sb, "x", &words[d], pw[d]);
            for (size_t i = 0; i < nw; i++) {
                if (i == d)
                    continue;
                sb_addf(&sb, " AND EXISTS (SELECT 1 FROM %s y WHERE y.id = x.id AND ", wtab);
                word_cond(&sb, "y", &words[i], pw[i]);
                sb_addc(&sb, ')');
            }
            sb_addf(&sb, "%s ORDER BY x.word, %s LIMIT %zu)", where, order, max_hits);
        }
    }
    sb_adds(&sb, ")");
    /* 2 and 3: words of the vocabulary, then their rows in order. */
    static const char *const stage_words[2] = {
        "SELECT v.word, 0::real AS score FROM %s v WHERE v.word LIKE '%%' || lower($%d) || '%%'"
        " AND NOT EXISTS (SELECT 1 FROM fts) ORDER BY v.rows DESC, v.word LIMIT 20",
        "SELECT v.word, similarity(v.word, lower($%d)) AS score FROM %s v"
        " WHERE v.word %% lower($%d) AND NOT EXISTS (SELECT 1 FROM fts)"
        " AND NOT EXISTS (SELECT 1 FROM sub)%s ORDER BY score DESC, v.word LIMIT 5",
    };
    for (int st = 0; st < 2; st++) {
        if (st == 1 && pairs) {
            /* 3a. several words through the pair index: each typed word
             * that begins no word is read as the word spelt most like it
             * ("Portlnd Chophuose": the Portland chophouses, not every
             * chophouse); 3b, the words spelt like the longest word, runs
             * when that finds nothing. */
            sb_adds(&sb, ", simw AS (");
            pair_stage(&sb, 3, orgs, vtab, wtab, words, nw, pw, pa, pb, true, pjoin, where,
                       " WHERE NOT EXISTS (SELECT 1 FROM fts) AND NOT EXISTS (SELECT 1 FROM sub)",
                       max_hits);
            sb_adds(&sb, ")");
        }
        sb_addf(&sb, ", %s AS (SELECT %d AS how, h.id, h.label FROM (", st ? "sim" : "sub",
                st + 2);
        if (st == 0)
            sb_addf(&sb, stage_words[0], vtab, pf);
        else
            sb_addf(&sb, stage_words[1], pw[drive], vtab, pw[drive],
                    pairs ? " AND NOT EXISTS (SELECT 1 FROM simw)" : "");
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
    if (!result_ok(res, err))
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
 * Counts
 * ------------------------------------------------------------------------ */

bool browse_build_count(struct browse_query *q, const struct browse_spec *spec, bool exact,
                        char **err)
{
    query_start(q, exact ? BROWSE_Q_COUNT : BROWSE_Q_ESTIMATE, spec->entity);
    struct strbuf w;
    sb_init(&w);
    if (!filter_sql(q, spec, &w, -1, err)) {
        sb_free(&w);
        browse_query_free(q);
        return false;
    }
    q->sql = xasprintf("%s FROM %s%s%s",
                       exact ? "SELECT count(*)" : "EXPLAIN (FORMAT JSON) SELECT 1",
                       entities[spec->entity].count_from, w.len ? " WHERE " : "",
                       w.len ? w.buf : "");
    q->unprepared = !exact;
    sb_free(&w);
    return true;
}

bool browse_parse_count(const struct browse_query *q, const PGresult *res, int64_t *out,
                        char **err)
{
    *out = 0;
    if (q->kind != BROWSE_Q_COUNT && q->kind != BROWSE_Q_ESTIMATE) {
        *err = xstrdup("not a count query");
        return false;
    }
    if (!result_ok(res, err))
        return false;
    if (PQntuples(res) != 1 || PQnfields(res) != 1) {
        *err = xstrdup("unexpected result of a count");
        return false;
    }
    const char *v = PQgetvalue(res, 0, 0);
    if (q->kind == BROWSE_Q_COUNT) {
        *out = strtoll(v, NULL, 10);
        return true;
    }
    json_error_t je;
    json_t *j = json_loads(v, 0, &je);
    json_t *rows = json_object_get(json_object_get(json_array_get(j, 0), "Plan"), "Plan Rows");
    bool ok = json_is_number(rows);
    if (ok)
        *out = (int64_t)json_number_value(rows);
    else
        *err = xstrdup("EXPLAIN gave no \"Plan Rows\"");
    json_decref(j);
    return ok;
}

/* ------------------------------------------------------------------------
 * Organization detail
 * ------------------------------------------------------------------------ */

static const char *const detail_fields[] = {
    "id", "name", "priority", "segment", "type", "address", "city", "state", "zipCode",
    "phone", "email", "website", "notes", "estimatedRevenue", "employeeCount",
    "primaryContact", "lastContactDate", "nextFollowUpDate", "status", "metadata",
    "createdAt", "updatedAt"};
#define N_DETAIL_FIELDS (sizeof detail_fields / sizeof detail_fields[0])

static const char *const contact_list_cols[] = {
    "id", "firstName", "lastName", "email", "phone", "position", "isPrimary"};
static const char *const interaction_list_cols[] = {
    "id", "date", "type", "subject", "outcome", "duration", "contact", "nextAction"};
static const char *const opportunity_list_cols[] = {
    "id", "name", "stage", "value", "probability", "expectedCloseDate", "isActive"};
static const char *const contract_list_cols[] = {
    "id", "contractNumber", "title", "status", "startDate", "endDate", "value", "signedAt"};
static const char *const lead_list_cols[] = {
    "id", "companyName", "contactName", "source", "status", "score", "createdAt"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Each list is one ordered index range of its own (0003):
 *   contacts       ("organizationId", "createdAt", id)
 *   interactions   ("organizationId", date DESC, id DESC)
 *   opportunities  ("organizationId", stage)
 *   contracts, leads ("organizationId"), sorted after the lookup (a few rows)
 * and the analytics are index ranges too: count(*) of contacts from
 * ("organizationId", "isPrimary"), the last interaction is the first entry
 * of ("organizationId", date DESC, id DESC), the pipeline value sums the
 * organization's opportunities found by ("organizationId", stage).
 * Values are cast to text inside json_build_array so that they read
 * exactly like the cells of a page (timestamps in the session's style). */
static const char detail_sql[] =
    "SELECT o.id, o.name, o.priority, o.segment, o.type, o.address, o.city, o.state, "
    "o.\"zipCode\", o.phone, o.email, o.website, o.notes, o.\"estimatedRevenue\", "
    "o.\"employeeCount\", o.\"primaryContact\", o.\"lastContactDate\", o.\"nextFollowUpDate\", "
    "o.status, o.metadata, o.\"createdAt\", o.\"updatedAt\", "
    "(SELECT json_agg(json_build_array(c.id::text, c.\"firstName\", c.\"lastName\", c.email, "
    "c.phone, c.position, c.\"isPrimary\"::text) ORDER BY c.\"createdAt\", c.id) "
    "FROM (SELECT * FROM \"Contact\" c WHERE c.\"organizationId\" = $1::uuid "
    "ORDER BY c.\"createdAt\", c.id LIMIT $2::int) c), "
    "(SELECT json_agg(json_build_array(i.id::text, i.date::text, i.type::text, i.subject, "
    "i.outcome::text, i.duration::text, ic.\"firstName\" || ' ' || ic.\"lastName\", "
    "i.\"nextAction\") ORDER BY i.date DESC, i.id DESC) "
    "FROM (SELECT * FROM \"Interaction\" i WHERE i.\"organizationId\" = $1::uuid "
    "ORDER BY i.date DESC, i.id DESC LIMIT $2::int) i "
    "LEFT JOIN \"Contact\" ic ON ic.id = i.\"contactId\"), "
    "(SELECT json_agg(json_build_array(p.id::text, p.name, p.stage::text, p.value::text, "
    "p.probability::text, p.\"expectedCloseDate\"::text, p.\"isActive\"::text) "
    "ORDER BY p.stage, p.id) "
    "FROM (SELECT * FROM \"Opportunity\" p WHERE p.\"organizationId\" = $1::uuid "
    "ORDER BY p.stage, p.id LIMIT $2::int) p), "
    "(SELECT json_agg(json_build_array(k.id::text, k.\"contractNumber\", k.title, k.status::text, "
    "k.\"startDate\"::text, k.\"endDate\"::text, k.value::text, k.\"signedAt\"::text) "
    "ORDER BY k.\"startDate\" DESC, k.id) "
    "FROM (SELECT * FROM \"Contract\" k WHERE k.\"organizationId\" = $1::uuid "
    "ORDER BY k.\"startDate\" DESC, k.id LIMIT $2::int) k), "
    "(SELECT json_agg(json_build_array(l.id::text, l.\"companyName\", l.\"contactName\", "
    "l.source::text, l.status::text, l.score::text, l.\"createdAt\"::text) "
    "ORDER BY l.\"createdAt\" DESC, l.id) "
    "FROM (SELECT * FROM \"Lead\" l WHERE l.\"organizationId\" = $1::uuid "
    "ORDER BY l.\"createdAt\" DESC, l.id LIMIT $2::int) l), "
    "(SELECT count(*) FROM \"Contact\" WHERE \"organizationId\" = $1::uuid), "
    "(SELECT count(*) FROM \"Interaction\" WHERE \"organizationId\" = $1::uuid), "
    "(SELECT count(*) FROM \"Opportunity\" WHERE \"organizationId\" = $1::uuid), "
    "(SELECT count(*) FROM \"Contract\" WHERE \"organizationId\" = $1::uuid), "
    "(SELECT count(*) FROM \"Lead\" WHERE \"organizationId\" = $1::uuid), "
    "(SELECT date FROM \"Interaction\" WHERE \"organizationId\" = $1::uuid "
    "ORDER BY date DESC, id DESC LIMIT 1), "
    "(SELECT coalesce(sum(value), 0) FROM \"Opportunity\" WHERE \"organizationId\" = $1::uuid "
    "AND \"isActive\" AND stage NOT IN ('CLOSED_WON', 'CLOSED_LOST')) "
    "FROM \"Organization\" o WHERE o.id = $1::uuid";

bool browse_build_org_detail(struct browse_query *q, const char *id, size_t max_rows,
                             char **err)
{
    query_start(q, BROWSE_Q_DETAIL, BROWSE_ORGS);
    if (max_rows < 1 || max_rows > 1000) {
        *err = xstrdup("the rows per list must be between 1 and 1000");
        return false;
    }
    char uuid[UUID_TEXT_LEN + 1];
    if (id_map_uuid("Organization", id, strlen(id), uuid) == ID_INVALID) {
        *err = xstrdup("an empty id");
        return false;
    }
    char lim[32];
    snprintf(lim, sizeof lim, "%zu", max_rows);
    add_param(q, uuid);
    add_param(q, lim);
    q->sql = xstrdup(detail_sql);
    q->limit = max_rows;
    return true;
}

static bool parse_table(const char *json, const char *const *colnames, size_t ncols,
                        struct browse_table *t, const char *what, char **err)
{
    t->ncols = ncols;
    t->colnames = colnames;
    t->nrows = 0;
    t->cells = NULL;
    if (!json)
        return true;        /* json_agg of no rows is NULL */
    json_error_t je;
    json_t *a = json_loads(json, 0, &je);
    if (!json_is_array(a)) {
        json_decref(a);
        *err = xasprintf("the %s of the detail view are not a JSON array", what);
        return false;
    }
    size_t n = json_array_size(a);
    t->cells = xcalloc(n * ncols + 1, sizeof *t->cells);
    for (size_t r = 0; r < n; r++) {
        json_t *row = json_array_get(a, r);
        for (size_t c = 0; c < ncols; c++) {
            json_t *v = json_array_get(row, c);
            t->cells[r * ncols + c] = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
        }
    }
    t->nrows = n;
    json_decref(a);
    return true;
}

static void free_table(struct browse_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

void browse_org_detail_free(struct browse_org_detail *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nfields && d->fields; i++)
        free(d->fields[i]);
    free(d->fields);
    free_table(&d->contacts);
    free_table(&d->interactions);
    free_table(&d->opportunities);
    free_table(&d->contracts);
    free_table(&d->leads);
    free(d->last_interaction);
    free(d->pipeline_value);
    memset(d, 0, sizeof *d);
}

static char *cell_or_null(const PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? NULL : xstrdup(PQgetvalue(res, 0, col));
}

bool browse_parse_org_detail(const struct browse_query *q, const PGresult *res,
                             struct browse_org_detail *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (q->kind != BROWSE_Q_DETAIL) {
        *err = xstrdup("not a detail query");
        return false;
    }
    if (!result_ok(res, err))
        return false;
    int nf = (int)N_DETAIL_FIELDS;
    if (PQnfields(res) != nf + 12) {
        *err = xasprintf("unexpected result: %d columns", PQnfields(res));
        return false;
    }
    out->nfields = N_DETAIL_FIELDS;
    out->field_names = detail_fields;
    if (PQntuples(res) == 0)
        return true;
    out->found = true;
    out->fields = xcalloc(N_DETAIL_FIELDS, sizeof *out->fields);
    for (int i = 0; i < nf; i++)
        out->fields[i] = cell_or_null(res, i);
    struct {
        struct browse_table *t;
        const char *const *cols;
        size_t n;
        const char *what;
    } lists[] = {
        {&out->contacts, contact_list_cols, NELEM(contact_list_cols), "contacts"},
        {&out->interactions, interaction_list_cols, NELEM(interaction_list_cols), "interactions"},
        {&out->opportunities, opportunity_list_cols, NELEM(opportunity_list_cols), "opportunities"},
        {&out->contracts, contract_list_cols, NELEM(contract_list_cols), "contracts"},
        {&out->leads, lead_list_cols, NELEM(lead_list_cols), "leads"},
    };
    for (int i = 0; i < 5; i++) {
        const char *j = PQgetisnull(res, 0, nf + i) ? NULL : PQgetvalue(res, 0, nf + i);
        if (!parse_table(j, lists[i].cols, lists[i].n, lists[i].t, lists[i].what, err)) {
            browse_org_detail_free(out);
            return false;
        }
    }
    int64_t *counts[] = {&out->contact_count, &out->interaction_count, &out->opportunity_count,
                         &out->contract_count, &out->lead_count};
    for (int i = 0; i < 5; i++)
        *counts[i] = strtoll(PQgetvalue(res, 0, nf + 5 + i), NULL, 10);
    out->last_interaction = cell_or_null(res, nf + 10);
    out->pipeline_value = cell_or_null(res, nf + 11);
    return true;
}

/* ------------------------------------------------------------------------
 * Sessions: prepared statements, sending and receiving
 * ------------------------------------------------------------------------ */

/* Past this many shapes a query is sent unprepared: each prepared
 * statement holds a plan in the server backend. The shapes are few (sort x
 * direction x move x NULL pattern of the key x filter fields in use), so a
 * session of ordinary use stays far below. */
#define MAX_STMTS 256

struct stmt {
    char *sql;
    bool ready;                 /* prepared on the server */
    bool broken;                /* preparing failed: always send unprepared */
};

enum flight { FLIGHT_IDLE, FLIGHT_PREPARE, FLIGHT_QUERY };

struct browse_session {
    PGconn *conn;
    bool prepare;
    struct stmt *stmts;
    size_t nstmts;
    /* the exchange in flight (browse_send / browse_poll) */
    enum flight flight;
    size_t cur;
    const struct browse_query *q;
    PGresult *res;
};

const char *browse_session_sql(void)
{
    /* One statement: pg_command uses the extended protocol, which takes
     * one statement per call. */
    return "SELECT set_config('datestyle', 'ISO, YMD', false), "
           "set_config('extra_float_digits', '1', false)";
}

/* Behind a transaction pooler the next statement may run on another
 * server connection: a named statement may be missing there, or be
 * another client's of the same name, and a session setting stays behind
 * for the pool's next client. So: unnamed statements only, and only the
 * settings the pooler itself carries from server to server for each
 * client (PgBouncer tracks DateStyle, TimeZone, client_encoding). The
 * server's extra_float_digits default (1 since PostgreSQL 12) is left. */
static bool pooled_session_setup(PGconn *conn, char **err)
{
    PGresult *res = pg_exec(conn, err,
        "SELECT current_setting('datestyle') LIKE 'ISO,%',"
        " current_setting('extra_float_digits')::int >= 1", 0, NULL);
    if (!res)
        return false;
    bool iso = PQgetvalue(res, 0, 0)[0] == 't', exact = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    /* A server configured for rounded floats would make revenue keysets
     * skip rows: correctness first (documented: set it for the role). */
    if (!exact && !pg_command(conn, err, "SELECT set_config('extra_float_digits', '1', false)"))
        return false;
    return iso || pg_command(conn, err, "SELECT set_config('datestyle', 'ISO, YMD', false)");
}

struct browse_session *browse_session_new(PGconn *conn, bool prepare, char **err)
{
    bool pooled = pg_pooled(conn);
    if (!(pooled ? pooled_session_setup(conn, err) : pg_command(conn, err, browse_session_sql())))
        return NULL;
    struct browse_session *s = xcalloc(1, sizeof *s);
    s->conn = conn;
    s->prepare = prepare && !pooled;
    s->stmts = xcalloc(MAX_STMTS, sizeof *s->stmts);
    return s;
}

void browse_session_reset(struct browse_session *s)
{
    for (size_t i = 0; i < s->nstmts; i++)
        s->stmts[i].ready = false;
    PQclear(s->res);
    s->res = NULL;
    s->flight = FLIGHT_IDLE;
}

void browse_session_free(struct browse_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nstmts; i++)
        free(s->stmts[i].sql);
    free(s->stmts);
    PQclear(s->res);
    free(s);
}

PGconn *browse_session_conn(const struct browse_session *s)
{
    return s->conn;
}

/* The statement slot of q's SQL, created on first sight; SIZE_MAX when
 * q goes unprepared. Statement i is named "pantrycrm_browse_<i>". A linear
 * search: a few hundred string compares cost less than one round trip. */
static size_t stmt_slot(struct browse_session *s, const struct browse_query *q)
{
    if (!s->prepare || q->unprepared)
        return SIZE_MAX;
    for (size_t i = 0; i < s->nstmts; i++)
        if (strcmp(s->stmts[i].sql, q->sql) == 0)
            return s->stmts[i].broken ? SIZE_MAX : i;
    if (s->nstmts == MAX_STMTS)
        return SIZE_MAX;
    s->stmts[s->nstmts].sql = xstrdup(q->sql);
    return s->nstmts++;
}

static void stmt_name(char *buf, size_t size, size_t i)
{
    snprintf(buf, size, "pantrycrm_browse_%zu", i);
}

static bool send_query(struct browse_session *s, const struct browse_query *q, size_t slot,
                       char **err)
{
    char name[40];
    int ok;
    if (slot != SIZE_MAX && s->stmts[slot].ready) {
        stmt_name(name, sizeof name, slot);
        ok = PQsendQueryPrepared(s->conn, name, q->nparams, browse_query_params(q), NULL, NULL, 0);
    } else {
        ok = PQsendQueryParams(s->conn, q->sql, q->nparams, NULL, browse_query_params(q), NULL,
                               NULL, 0);
    }
    if (!ok) {
        *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
        s->flight = FLIGHT_IDLE;
        return false;
    }
    s->flight = FLIGHT_QUERY;
    return true;
}

bool browse_send(struct browse_session *s, const struct browse_query *q, char **err)
{
    if (s->flight != FLIGHT_IDLE) {
        *err = xstrdup("a browse query is already running on this connection");
        return false;
    }
    s->q = q;
    s->cur = stmt_slot(s, q);
    PQclear(s->res);
    s->res = NULL;
    if (s->cur != SIZE_MAX && !s->stmts[s->cur].ready) {
        char name[40];
        stmt_name(name, sizeof name, s->cur);
        if (!PQsendPrepare(s->conn, name, q->sql, q->nparams, NULL)) {
            *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
            return false;
        }
        s->flight = FLIGHT_PREPARE;
        return true;
    }
    return send_query(s, q, s->cur, err);
}

enum browse_poll browse_poll(struct browse_session *s, PGresult **res, char **err)
{
    *res = NULL;
    if (s->flight == FLIGHT_IDLE) {
        *err = xstrdup("no browse query is running");
        return BROWSE_POLL_ERROR;
    }
    if (!PQconsumeInput(s->conn)) {
        *err = str_rtrim(xstrdup(PQerrorMessage(s->conn)));
        browse_session_reset(s);
        return BROWSE_POLL_ERROR;
    }
    while (!PQisBusy(s->conn)) {
        PGresult *r = PQgetResult(s->conn);
        if (r) {
            /* keep the first result of the command; a well-formed
             * exchange has no other, but drain whatever comes */
            if (!s->res)
                s->res = r;
            else
                PQclear(r);
            continue;
        }
        /* the command is complete */
        if (s->flight == FLIGHT_PREPARE) {
            bool ok = s->res && PQresultStatus(s->res) == PGRES_COMMAND_OK;
            PQclear(s->res);
            s->res = NULL;
            if (ok)
                s->stmts[s->cur].ready = true;
            else
                s->stmts[s->cur].broken = true; /* the query itself will report why */
            if (!send_query(s, s->q, s->cur, err)) {
                browse_session_reset(s);
                return BROWSE_POLL_ERROR;
            }
            continue;
        }
        s->flight = FLIGHT_IDLE;
        *res = s->res;
        s->res = NULL;
        return BROWSE_POLL_DONE;
    }
    return BROWSE_POLL_BUSY;
}

PGresult *browse_exec(struct browse_session *s, const struct browse_query *q, char **err)
{
    size_t slot = stmt_slot(s, q);
    if (slot == SIZE_MAX)
        return pg_exec(s->conn, err, q->sql, q->nparams, browse_query_params(q));
    char name[40];
    stmt_name(name, sizeof name, slot);
    if (!s->stmts[slot].ready) {
        PGresult *p = PQprepare(s->conn, name, q->sql, q->nparams, NULL);
        if (PQresultStatus(p) == PGRES_COMMAND_OK)
            s->stmts[slot].ready = true;
        else
            s->stmts[slot].broken = true;
        PQclear(p);
        if (!s->stmts[slot].ready)
            return pg_exec(s->conn, err, q->sql, q->nparams, browse_query_params(q));
    }
    PGresult *res = PQexecPrepared(s->conn, name, q->nparams, browse_query_params(q), NULL,
                                   NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    *err = str_rtrim(xstrdup(msg && *msg ? msg : PQerrorMessage(s->conn)));
    PQclear(res);
    return NULL;
}

bool browse_fetch_page(struct browse_session *s, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       struct browse_page *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_page(&q, spec, move, key, limit, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_page(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_goto(struct browse_session *s, const struct browse_spec *spec,
                       const char *text, size_t limit, struct browse_page *out, bool *found,
                       char **err)
{
    struct browse_query q;
    struct browse_page row;
    memset(out, 0, sizeof *out);
    out->focus = -1;
    *found = false;
    if (!browse_build_lookup(&q, spec->entity, text, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_page(&q, res, &row, err);
    PQclear(res);
    browse_query_free(&q);
    if (!ok)
        return false;
    if (row.nrows == 0) {
        browse_page_free(&row);
        return true;
    }
    *found = true;
    struct browse_key key;
    browse_key_from_row(spec->sort, row.rows[0], &key);
    browse_page_free(&row);
    ok = browse_fetch_page(s, spec, BROWSE_AROUND, &key, limit, out, err);
    browse_key_free(&key);
    return ok;
}

bool browse_fetch_search(struct browse_session *s, const struct browse_spec *spec,
                         const char *term, size_t max_hits, struct browse_hits *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_search(&q, spec, term, max_hits, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_hits(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_count(struct browse_session *s, const struct browse_spec *spec, bool exact,
                        int64_t *out, char **err)
{
    struct browse_query q;
    *out = 0;
    if (!browse_build_count(&q, spec, exact, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_count(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

bool browse_fetch_org_detail(struct browse_session *s, const char *id, size_t max_rows,
                             struct browse_org_detail *out, char **err)
{
    struct browse_query q;
    memset(out, 0, sizeof *out);
    if (!browse_build_org_detail(&q, id, max_rows, err))
        return false;
    PGresult *res = browse_exec(s, &q, err);
    bool ok = res && browse_parse_org_detail(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}
