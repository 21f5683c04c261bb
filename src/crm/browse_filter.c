/* browse_filter.c - the filters of a list (priority=A,B city=…): parsing,
 * describing, and their SQL (see browse.h).
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

/* n digits at *p as a number in [lo, hi], *p moved past them; -1 if not. */
static int number(const char **p, int n, int lo, int hi)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v >= lo && v <= hi ? v : -1;
}

/* Whether t reads as the timestamps now= takes: now, today, tomorrow or
 * yesterday; or YYYY-MM-DD, then optionally [T or space]HH:MM[:SS[.fraction]],
 * then optionally a zone: Z, UTC, or +HH[[:]MM] / -HH[[:]MM], after a space
 * or not. Checked here so that a typo says so instead of reaching the
 * server as a failing parameter of every page. */
static bool looks_like_timestamp(const char *t)
{
    static const char *const special[] = {"now", "today", "tomorrow", "yesterday"};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcasecmp(t, special[i]) == 0)
            return true;
    const char *p = t;
    if (number(&p, 4, 1, 9999) < 0 || *p++ != '-' || number(&p, 2, 1, 12) < 0 || *p++ != '-'
        || number(&p, 2, 1, 31) < 0)
        return false;
    if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
        p++;
        if (number(&p, 2, 0, 23) < 0 || *p++ != ':' || number(&p, 2, 0, 59) < 0)
            return false;
        if (*p == ':') {
            p++;
            if (number(&p, 2, 0, 60) < 0)
                return false;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return false;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
    }
    if (*p == ' ')
        p++;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (strncasecmp(p, "UTC", 3) == 0) {
        p += 3;
    } else if (*p == '+' || *p == '-') {
        p++;
        if (number(&p, 2, 0, 15) < 0)
            return false;
        bool colon = *p == ':';
        if (colon)
            p++;
        if ((colon || isdigit((unsigned char)*p)) && number(&p, 2, 0, 59) < 0)
            return false;
    }
    return *p == '\0' && p[-1] != ' ';
}

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
        if (!looks_like_timestamp(val)) {
            *err = xasprintf("bad filter '%s': now is a date and time, e.g. 2026-12-08 09:30 or "
                             "2026-12-08T09:30:00Z", spec);
            ok = false;
        } else {
            f->now = val;
        }
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
    } else if (strcmp(field, "email") == 0) {
        if (strcmp(val, "flagged") == 0)
            f->email_flagged = true;
        else if (strcmp(val, "any") == 0)
            f->email_flagged = false;
        else {
            *err = xasprintf("bad filter '%s': email is flagged or any", spec);
            ok = false;
        }
    } else {
        *err = xasprintf("bad filter '%s': no field '%s' (priority, segment, status, type, "
                         "state, city, followup, now, organization, primary, email)", spec, field);
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
        if (f->now)
            sb_addf(&sb, "%snow=%s", sb.len ? "  " : "", f->now);
    } else {
        if (f->organization_id)
            sb_addf(&sb, "%sorganization=%s", sb.len ? "  " : "", f->organization_id);
        if (f->primary_only)
            sb_addf(&sb, "%sprimary=yes", sb.len ? "  " : "");
    }
    if (f->email_flagged)
        sb_addf(&sb, "%semail=flagged", sb.len ? "  " : "");
    return sb_detach(&sb);
}

/* The flagged e-mails of alias a (convert.c, convert_email): the flag
 * holds the address it was raised for, so a row whose address anyone has
 * changed since (the console, the application, psql) is no longer listed
 * even if the flag was left behind. */
static void email_flagged_sql(struct strbuf *w, const char *a)
{
    sb_addf(w, "%s%s.metadata -> 'flags' ? 'email' AND %s.metadata #>> '{flags,email,value}' = %s.email",
            w->len ? " AND " : "", a, a, a);
}

/* The filter conditions, ANDed, with their parameters added to q; "" when
 * there is no filter. An enum field with one label is an equality (so that
 * an index led by that column keeps its order, e.g. segment = $1 sorted by
 * name on (segment, name, id)); several labels are one = ANY(array). The
 * enum field numbered skip is left out (the caller splits on it). */
bool browse_filter_sql(struct browse_query *q, const struct browse_spec *spec, struct strbuf *w,
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
            int n = browse_add_param(q, f->organization_id);
            sb_addf(w, "%sc.\"organizationId\" = $%d::uuid", AND(), n);
        }
        if (f->primary_only)
            sb_addf(w, "%sc.\"isPrimary\"", AND());
        if (f->email_flagged)
            email_flagged_sql(w, "c");
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
            int n = browse_add_param(q, labels[last]);
            sb_addf(w, "%s%s = $%d::\"%s\"", AND(), ef->expr, n, ef->enum_type);
        } else {
            int n = browse_add_param(q, tmp.buf);
            sb_addf(w, "%s%s = ANY($%d::\"%s\"[])", AND(), ef->expr, n, ef->enum_type);
        }
    }
    if (f->state) {
        int n = browse_add_param(q, f->state);
        sb_addf(w, "%so.state = $%d::text", AND(), n);
    }
    if (f->city) {
        int n = browse_add_param(q, f->city);
        sb_addf(w, "%so.city = $%d::text", AND(), n);
        /* The rows of one city are found by the keys of the city sort's
         * indexes (0019), which hold the city coalesced: without a state
         * in any sort, and with one in the city sort (sorted otherwise,
         * state and city go to Organization_state_city_name_id_idx and
         * the like). */
        if (!f->state || spec->sort == BROWSE_SORT_CITY)
            sb_addf(w, " AND (o.city IS NULL) IS FALSE AND coalesce(o.city, '') = $%d::text", n);
    }
    if (f->followup != BROWSE_FOLLOWUP_ANY) {
        /* "Today" is a day of the session's time zone; date_trunc of a
         * timestamptz is stable, so the bound is computed once per scan and
         * is an index condition on ("nextFollowUpDate", id). */
        char *today;
        if (f->now)
            today = xasprintf("date_trunc('day', $%d::timestamptz)", browse_add_param(q, f->now));
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
    if (f->email_flagged)
        email_flagged_sql(w, "o");
#undef AND
    sb_free(&tmp);
    return true;
}

int browse_filter_split(const struct browse_spec *spec)
{
    if (spec->entity != BROWSE_ORGS)
        return -1;
    for (size_t i = 0; i < N_ENUM_FILTERS; i++) {
        unsigned m = mask_get(&spec->filter, &enum_filters[i]);
        if ((enum_filters[i].split_sorts & SORT_BIT(spec->sort)) && (m & (m - 1)))
            return (int)i;
    }
    return -1;
}

size_t browse_filter_split_alts(struct browse_query *q, const struct browse_spec *spec, int split,
                                char **alts, size_t max)
{
    const struct enum_filter *ef = &enum_filters[split];
    size_t nl, n = 0;
    const char *const *labels = legacy_enum_labels(ef->enum_type, &nl);
    unsigned m = mask_get(&spec->filter, ef);
    for (size_t l = 0; l < nl && n < max; l++)
        if (m & (1u << l))
            alts[n++] = xasprintf("%s = $%d::\"%s\"", ef->expr, browse_add_param(q, labels[l]),
                                  ef->enum_type);
    return n;
}
