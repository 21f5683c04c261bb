/* gen_plan.c - the plan of a table: each column's field, flags and the dirt
 * it may carry, and the check that the contract and the generator agree.
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
 * Plans: what each column of the contract gets.
 * ------------------------------------------------------------------------ */

static const struct field_map *field_of(const char *table, const char *column)
{
    const struct field_map *any = NULL;
    for (size_t i = 0; i < N_(field_map); i++) {
        if (strcmp(field_map[i].column, column) != 0)
            continue;
        if (field_map[i].table && strcmp(field_map[i].table, table) == 0)
            return &field_map[i];
        if (!field_map[i].table)
            any = &field_map[i];
    }
    return any;
}

static void add_kind(struct col_plan *p, enum dirt k)
{
    if (p->nkinds < N_(p->kinds))
        p->kinds[p->nkinds++] = k;
}

int gen_plan_table(struct gen *g, struct tstate *ts, const struct legacy_table *t)
{
    memset(ts, 0, sizeof *ts);
    ts->t = t;
    ts->tab = (enum tab)gen_tab_of(t->name);
    ts->rows = g->n[ts->tab];
    for (size_t c = 0; c < t->ncols; c++) {
        const struct legacy_column *col = &t->cols[c];
        struct col_plan *p = &ts->plan[c];
        const struct field_map *fm = field_of(t->name, col->name);
        p->col = col;
        p->f = fm ? fm->f : F_GENERIC;
        p->flags = fm ? fm->flags : 0;
        if (col->kind == COL_ENUM && !(p->en = gen_enum_info(g, col->enum_type)))
            return -1;
        if (col->kind == COL_FK_TEXT || col->kind == COL_FK_UUID) {
            p->ref = col->ref_table ? gen_tab_of(col->ref_table) : -1;
            if (p->ref < 0)
                return gen_fail(g, "%s.%s refers to %s, unknown to the generator", t->name,
                            col->name, col->ref_table ? col->ref_table : "(nothing)");
        }
        /* The dirt this column may carry. Auth tables only get orphans: the
         * engine copies them verbatim. */
        switch (col->kind) {
        case COL_ENUM:
            add_kind(p, D_ENUM_VARIANT);
            if (p->en->nsyn)
                add_kind(p, D_ENUM_SYNONYM);
            add_kind(p, D_ENUM_UNMATCHED);
            add_kind(p, D_ENUM_EMPTY);
            /* NULL is legal in a nullable enum column: not dirt there. */
            if (!col->nullable)
                add_kind(p, D_ENUM_NULL);
            break;
        case COL_FK_TEXT:
        case COL_FK_UUID:
            add_kind(p, D_ORPHAN);
            break;
        default:
            break;
        }
        if (!t->crm || (p->flags & FL_CLEAN))
            continue;
        switch (col->kind) {
        case COL_TEXT:
            if (p->flags & FL_EMAIL) {
                add_kind(p, D_BAD_EMAIL);
                if (ts->tab == T_CONTACT)
                    add_kind(p, D_EMAIL_CASE_DUP);
                add_kind(p, D_EMAIL_REPAIRABLE);
                break;
            }
            add_kind(p, D_NUL);
            add_kind(p, D_SURROGATE);
            if (p->flags & FL_NAME)
                add_kind(p, D_ESCAPE);
            break;
        case COL_TEXT_MAX:
            add_kind(p, D_NUL);
            add_kind(p, D_SURROGATE);
            break;
        case COL_DATETIME:
            add_kind(p, D_FAR_DATE);
            add_kind(p, D_ROUNDING);
            break;
        case COL_DECIMAL:
            add_kind(p, D_DECIMAL_SCALE);
            break;
        default:
            break;
        }
        for (size_t h = 0; h < N_(huge_targets); h++) {
            if (!str_eq(huge_targets[h].table, t->name) || !str_eq(huge_targets[h].column, col->name))
                continue;
            p->huge = g->o->messy && ts->rows > 0;
            if (!p->huge)
                continue;
            /* Spread 1 + S/per rows evenly, one per stripe. */
            long k = 1 + g->scale / huge_targets[h].per;
            if (k > (long)N_(ts->huge_rows))
                k = (long)N_(ts->huge_rows);
            if (k > ts->rows)
                k = ts->rows;
            long stripe = ts->rows / k;
            for (long j = 0; j < k; j++)
                ts->huge_rows[j] = j * stripe + (long)(hash3(g->seed, SALT(ts->tab, P_HUGE),
                                                             (uint64_t)j) % (uint64_t)stripe);
            ts->nhuge = (int)k;
        }
    }
    return 0;
}

/* Refuses to run when the contract and what the generator knows about it
 * have drifted apart: better than silently generating the wrong schema. */
int gen_check_contract(struct gen *g)
{
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    if (nt != T_COUNT)
        return gen_fail(g, "the contract has %zu tables, the generator knows %d", nt, T_COUNT);
    for (size_t i = 0; i < nt; i++) {
        if (gen_tab_of(tables[i].name) < 0)
            return gen_fail(g, "the generator does not know the table %s", tables[i].name);
        if (tables[i].ncols > MAXCOLS)
            return gen_fail(g, "%s has too many columns for the generator", tables[i].name);
    }
    for (size_t i = 0; i < N_(field_map); i++) {
        const struct legacy_table *t = field_map[i].table ? legacy_table(field_map[i].table) : NULL;
        if (field_map[i].table && (!t || !legacy_column(t, field_map[i].column)))
            return gen_fail(g, "the generator fills %s.%s, which is not in the contract",
                        field_map[i].table, field_map[i].column);
    }
    for (size_t i = 0; i < N_(unique_keys); i++) {
        const struct legacy_table *t = legacy_table(unique_keys[i].table);
        for (int k = 0; k < 3 && unique_keys[i].cols[k]; k++)
            if (!t || !legacy_column(t, unique_keys[i].cols[k]))
                return gen_fail(g, "unique key %s names a column not in the contract",
                            unique_keys[i].name);
    }
    for (size_t i = 0; i < N_(huge_targets); i++) {
        const struct legacy_table *t = legacy_table(huge_targets[i].table);
        const struct legacy_column *c = t ? legacy_column(t, huge_targets[i].column) : NULL;
        if (!c || c->kind != COL_TEXT_MAX)
            return gen_fail(g, "%s.%s is not an NVARCHAR(MAX) column of the contract",
                        huge_targets[i].table, huge_targets[i].column);
    }
    /* Each synonym maps to a label and is not itself a spelling of one;
     * unmatched values match nothing. Otherwise the counts would lie. */
    for (size_t i = 0; i < N_(synonyms); i++) {
        struct enum_info *e = gen_enum_info(g, synonyms[i].type);
        char norm[64];
        if (!e)
            return -1;
        gen_enum_norm(synonyms[i].value, strlen(synonyms[i].value), norm, sizeof norm);
        if (gen_label_index(e, synonyms[i].label) < 0 || gen_label_index(e, norm) >= 0)
            return gen_fail(g, "bad synonym %s for %s", synonyms[i].value, synonyms[i].type);
    }
    for (size_t i = 0; i < nt; i++)
        for (size_t c = 0; c < tables[i].ncols; c++) {
            if (tables[i].cols[c].kind != COL_ENUM)
                continue;
            struct enum_info *e = gen_enum_info(g, tables[i].cols[c].enum_type);
            if (!e)
                return -1;
            for (size_t u = 0; u < N_(unmatched_values); u++) {
                char norm[64], sn[64];
                gen_enum_norm(unmatched_values[u], strlen(unmatched_values[u]), norm, sizeof norm);
                if (gen_label_index(e, norm) >= 0)
                    return gen_fail(g, "'%s' matches a label of %s", unmatched_values[u], e->type);
                for (size_t s = 0; s < e->nsyn; s++) {
                    gen_enum_norm(e->syn[s]->value, strlen(e->syn[s]->value), sn, sizeof sn);
                    if (str_eq(sn, norm))
                        return gen_fail(g, "'%s' is a synonym of %s", unmatched_values[u], e->type);
                }
            }
        }
    /* Users' emails are unique only if names fold to distinct ASCII. */
    const char *const *lists[] = {first_names, last_names};
    size_t lens[] = {N_(first_names), N_(last_names)};
    for (int l = 0; l < 2; l++)
        for (size_t a = 0; a < lens[l]; a++)
            for (size_t b = a + 1; b < lens[l]; b++) {
                char sa[64], sbb[64];
                gen_slugify(sa, 0, sizeof sa, lists[l][a], 60);
                gen_slugify(sbb, 0, sizeof sbb, lists[l][b], 60);
                if (str_eq(sa, sbb))
                    return gen_fail(g, "names %s and %s fold to the same email", lists[l][a],
                                lists[l][b]);
            }
    if ((long)(N_(first_names) * N_(last_names)) % 7919 == 0)
        return gen_fail(g, "the name lists' sizes break gen_user_names()");
    /* Organization names follow the segment. */
    if (!(g->seg_enum = gen_enum_info(g, "OrganizationSegment")))
        return -1;
    static const struct {
        const char *label;
        const char *const *pats;
        size_t n;
    } seg_pats[] = {
        {"FINE_DINING", pat_fine, N_(pat_fine)}, {"FAST_FOOD", pat_fast, N_(pat_fast)},
        {"CASUAL_DINING", pat_casual, N_(pat_casual)},
        {"CATERING", pat_catering, N_(pat_catering)},
        {"INSTITUTIONAL", pat_institutional, N_(pat_institutional)},
        {"HEALTHCARE", pat_health, N_(pat_health)}, {"EDUCATION", pat_edu, N_(pat_edu)},
        {"CORPORATE", pat_corp, N_(pat_corp)},
    };
    for (size_t s = 0; s < g->seg_enum->n; s++) {
        g->seg_pats[s] = pat_casual;
        g->seg_npats[s] = N_(pat_casual);
        for (size_t k = 0; k < N_(seg_pats); k++)
            if (str_eq(seg_pats[k].label, g->seg_enum->labels[s])) {
                g->seg_pats[s] = seg_pats[k].pats;
                g->seg_npats[s] = seg_pats[k].n;
            }
    }
    return 0;
}

