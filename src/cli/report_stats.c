/* report_stats.c - `pantrycrm stats` as text (see report.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "report.h"
#include "stats.h"

#include <stdio.h>

void stats_print_text(const struct stats *s, FILE *out)
{
    if (!s->refreshed) {
        fprintf(out, "The dashboard summary was never computed: run 'pantrycrm stats --refresh'.\n");
        return;
    }
    fprintf(out, "Dashboard as of %s (computed %s, %.0f s ago, in %.0f ms)\n\n", s->as_of,
            s->refreshed_at, s->age_s, s->refresh_ms);
    fprintf(out, "%-28s %12lld\n", "organizations", (long long)s->orgs);
    fprintf(out, "%-28s %12lld\n", "active organizations", (long long)s->orgs_active);
    fprintf(out, "%-28s %12lld\n", "priority A", (long long)s->priority_a);
    fprintf(out, "%-28s %12lld\n", "contacts", (long long)s->contacts);
    fprintf(out, "%-28s %12lld\n", "interactions", (long long)s->interactions);
    fprintf(out, "%-28s %12s\n", "average estimated revenue", s->avg_revenue[0] ? s->avg_revenue : "-");
    fprintf(out, "%-28s %12lld\n", "follow-ups due today", (long long)s->due_today);
    fprintf(out, "%-28s %12lld\n", "follow-ups overdue", (long long)s->overdue);
    fprintf(out, "\nActive opportunities by stage    count          value\n");
    for (size_t i = 0; i < s->nstage; i++)
        fprintf(out, "  %-28s %7lld %14s\n", s->stage[i].label, (long long)s->stage[i].n,
                s->stage[i].amount);
    fprintf(out, "\nOrganizations by segment\n");
    for (size_t i = 0; i < s->nsegment; i++)
        fprintf(out, "  %-28s %7lld\n", s->segment[i].label, (long long)s->segment[i].n);
    fprintf(out, "\nOrganizations by priority\n");
    for (size_t i = 0; i < s->npriority; i++)
        fprintf(out, "  %-28s %7lld\n", s->priority[i].label, (long long)s->priority[i].n);
    fprintf(out, "\nInteractions per week (week starting)\n");
    for (size_t i = 0; i < s->nweek; i++)
        fprintf(out, "  %-28s %7lld\n", s->week[i].label, (long long)s->week[i].n);
    fprintf(out, "\nActive contracts ending within   count          value\n");
    for (size_t i = 0; i < s->nexpiring; i++) {
        char l[64];
        snprintf(l, sizeof l, "%s days", s->expiring[i].label);
        fprintf(out, "  %-28s %7lld %14s\n", l, (long long)s->expiring[i].n, s->expiring[i].amount);
    }
}
