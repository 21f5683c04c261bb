/* browse_int.h - what the parts of the browse module share (browse.c:
 * the entities, sorts and page queries; browse_filter.c; browse_search.c;
 * browse_detail.c: counts and the organization detail; browse_session.c:
 * prepared statements, sending and receiving). Not for other modules:
 * browse.h is the interface.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_BROWSE_INT_H
#define PANTRY_BROWSE_INT_H

#include "browse.h"
#include "util.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* A column of a page; its header is in org_names / contact_names. */
struct col_def {
    const char *expr;           /* in the SELECT list, conditions and ORDER BY */
    const char *type;           /* cast of a parameter compared with it */
    bool nullable;
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

/* A sort is the order of one index: its keyset columns are the index's
 * columns, ending in id. */
struct sort_def {
    enum browse_entity entity;
    const char *name;
    size_t nkey;
    unsigned char key[BROWSE_MAX_KEY];  /* column numbers of the entity */
    const char *index;
    /* The index holds each NULL-able key column c as two keys that are
     * never NULL, (c IS NULL) then coalesce(c, ''), which sort as c with
     * its NULLs last: the keyset after any row is one range of it
     * (browse.c, "Coalesced keysets"). */
    bool coalesced;
};

/* browse.c */
/* Adds a parameter to q; its $ number. */
int browse_add_param(struct browse_query *q, const char *v);
void browse_query_start(struct browse_query *q, enum browse_qkind kind, enum browse_entity e);
/* Rows of a result, copied; and freed. */
char **browse_copy_row(const PGresult *res, int r, size_t ncols);
void browse_free_rows(char ***rows, size_t n);
/* False with *err when res is not a successful result. */
bool browse_result_ok(const PGresult *res, char **err);

/* browse_filter.c */
/* The filter conditions, ANDed, with their parameters added to q ("" when
 * there is none); the enum field numbered skip is left out. */
bool browse_filter_sql(struct browse_query *q, const struct browse_spec *spec, struct strbuf *w,
                       int skip, char **err);
/* The enum field whose several labels a page reads one range each (the
 * index leads with it), or -1. */
int browse_filter_split(const struct browse_spec *spec);
/* One condition per chosen label of that field ("o.segment = $n::…"),
 * at most max, with their parameters added to q; how many. */
size_t browse_filter_split_alts(struct browse_query *q, const struct browse_spec *spec, int split,
                                char **alts, size_t max);

extern const struct entity_def browse_entity_defs[];
extern const struct sort_def browse_sort_defs[BROWSE_NSORTS];

#endif
