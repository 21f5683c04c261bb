/* browse_detail.c - row counts of a list and the organization detail
 * (see browse.h).
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
 * Counts
 * ------------------------------------------------------------------------ */

bool browse_build_count(struct browse_query *q, const struct browse_spec *spec, bool exact,
                        char **err)
{
    browse_query_start(q, exact ? BROWSE_Q_COUNT : BROWSE_Q_ESTIMATE, spec->entity);
    struct strbuf w;
    sb_init(&w);
    if (!browse_filter_sql(q, spec, &w, -1, err)) {
        sb_free(&w);
        browse_query_free(q);
        return false;
    }
    q->sql = xasprintf("%s FROM %s%s%s",
                       exact ? "SELECT count(*)" : "EXPLAIN (FORMAT JSON) SELECT 1",
                       browse_entity_defs[spec->entity].count_from, w.len ? " WHERE " : "",
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
    if (!browse_result_ok(res, err))
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
    browse_query_start(q, BROWSE_Q_DETAIL, BROWSE_ORGS);
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
    browse_add_param(q, uuid);
    browse_add_param(q, lim);
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
    if (!browse_result_ok(res, err))
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
