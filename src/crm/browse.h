/* browse.h - the data layer of the console's Organizations and Contacts
 * panes: sorted, filtered lists over tables far too big to load (keyset
 * paging both ways, top, bottom, "page around row X"), goto by UUID or
 * legacy id, name search, the organization detail view and row counts.
 * Core code: no ncurses.
 *
 * How it is used. Every operation is split into steps so that the console can
 * run it from its non-blocking poll loop:
 *   1. browse_build_*() fills a struct browse_query: SQL text and its
 *      parameters as strings (never values spliced into the text), plus
 *      what is needed to read the answer;
 *   2. the caller sends it, either plainly
 *          PQsendQueryParams(conn, q.sql, q.nparams, NULL,
 *                            browse_query_params(&q), NULL, NULL, 0);
 *      or, faster, as a prepared statement through a browse_session
 *      (browse_send, then browse_poll when the socket is readable: see
 *      there why it is worth it);
 *   3. it hands the PGresult to the matching browse_parse_*().
 * browse_fetch_*() do all three, blocking, for tests and headless use.
 * Values come back as text, NULL-aware (a NULL cell is a NULL pointer), in
 * the session's output format; run browse_session_sql() once per
 * connection (browse_session_new does) so that the text of a timestamp or
 * a double read back as a keyset parameter is exactly the stored value.
 *
 * Ordering. Every sort is a keyset: the sort column(s) then id, which makes
 * the order total, so a page is "the LIMIT rows after (or before) the
 * keyset of a row on screen", answered from an index at the same cost on
 * page 1 and page 27,000 (never OFFSET). Each sort is the order of one
 * index of data/sql/0003_indexes.sql, and its queries are the shapes
 * written above that index (see browse_sort_index()):
 *   ascending  = the index order, NULLs of every nullable column last;
 *   descending = the index read backward, except that rows whose leading
 *                sort column is NULL (no city, no follow-up date, no
 *                revenue estimate) still come last: "largest revenue
 *                first" must not open on a screen of unknowns. Ties inside
 *                the leading column keep the backward index order (so in
 *                the city sort, a city's rows without a state come first).
 * A row comparison (a, b) > ($1, $2) is false or NULL as soon as a NULL is
 * met. The city sort's index avoids that: it holds each nullable column c
 * as (c IS NULL), coalesce(c, '') (data/sql/0019), keys never NULL,
 * so the rows after any key are one range (two in the orders that put the
 * rows without a city last against the index's direction). Elsewhere a
 * keyset over nullable columns is cut into a few branches, each
 * an index range (a row comparison over the leading non-NULL part, "col IS
 * NULL" / "col IS NOT NULL" for the NULL parts), each LIMITed, merged by
 * UNION ALL and one small sort of at most branches x LIMIT rows. A sort on
 * NOT NULL columns is a single index range.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_BROWSE_H
#define PANTRY_BROWSE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sizes the console asks for, here so that bench/console.sh (through
 * tests/browse-cli) times the very statements the console sends:
 *   BROWSE_PAGE_ROWS   rows fetched per page: a few screens, so that most
 *                      cursor moves and PgDn need no query;
 *   BROWSE_SEARCH_HITS hits of one search, stepped through with n / N;
 *   BROWSE_DETAIL_ROWS rows of each list of the detail view. */
#define BROWSE_PAGE_ROWS 200
#define BROWSE_SEARCH_HITS 500
#define BROWSE_DETAIL_ROWS 20
/* Screenful first. Shipping 200 rows or 500 hits costs several primary-key
 * round trips by itself, so the console first asks for what the screen
 * shows, draws it, and fetches the rest of the page (or of the hits) in
 * the background (browse_fill_next, browse_build_fill, browse_page_merge):
 *   BROWSE_SCREEN_ROWS   rows (or hits) of the first query when the window's
 *                        height is not known yet, and what the bench times:
 *                        a 36-line terminal's list rows plus the margin;
 *   BROWSE_SCREEN_MARGIN rows asked beyond the visible ones, so that the
 *                        first cursor moves past the bottom need nothing. */
#define BROWSE_SCREEN_ROWS 40
#define BROWSE_SCREEN_MARGIN 8

enum browse_entity { BROWSE_ORGS, BROWSE_CONTACTS };

/* The columns of a page row, in this order (browse_column_names()). The
 * keyset of every sort is made of these columns, so the keyset of a row
 * under ANY sort can be taken from a row on screen (changing the sort
 * keeps the cursor on the same organization with one query). */
enum browse_org_col {
    BROWSE_ORG_ID, BROWSE_ORG_NAME, BROWSE_ORG_PRIORITY, BROWSE_ORG_SEGMENT,
    BROWSE_ORG_STATUS, BROWSE_ORG_TYPE, BROWSE_ORG_CITY, BROWSE_ORG_STATE,
    BROWSE_ORG_ZIP, BROWSE_ORG_NEXT_FOLLOW_UP, BROWSE_ORG_EST_REVENUE,
    BROWSE_ORG_UPDATED_AT,
    BROWSE_ORG_NCOLS
};
enum browse_contact_col {
    BROWSE_CONTACT_ID, BROWSE_CONTACT_FIRST_NAME, BROWSE_CONTACT_LAST_NAME,
    BROWSE_CONTACT_EMAIL, BROWSE_CONTACT_PHONE, BROWSE_CONTACT_POSITION,
    BROWSE_CONTACT_IS_PRIMARY, BROWSE_CONTACT_ORG_ID, BROWSE_CONTACT_ORG_NAME,
    BROWSE_CONTACT_UPDATED_AT, BROWSE_CONTACT_CREATED_AT,
    BROWSE_CONTACT_NCOLS
};

/* Column headers ("id", "name", "nextFollowUpDate", "organizationName"...). */
const char *const *browse_column_names(enum browse_entity e, size_t *n);

enum browse_sort {
    /* Organizations. Keyset, then the index of 0003 that serves it. */
    BROWSE_SORT_NAME,           /* name, id: Organization_name_id_idx */
    BROWSE_SORT_PRIORITY,       /* priority, name, id: Organization_priority_name_id_idx */
    BROWSE_SORT_SEGMENT,        /* segment, name, id: Organization_segment_name_id_idx */
    BROWSE_SORT_STATUS,         /* status, priority, name, id:
                                 * Organization_status_priority_name_id_idx */
    BROWSE_SORT_CITY,           /* city, state, zipCode, id, NULLs last:
                                 * Organization_city_sort_idx (0019), which
                                 * holds each NULL-able column coalesced */
    BROWSE_SORT_UPDATED_AT,     /* updatedAt, id: Organization_updatedAt_id_idx */
    BROWSE_SORT_NEXT_FOLLOW_UP, /* nextFollowUpDate, id: Organization_nextFollowUpDate_id_idx */
    BROWSE_SORT_EST_REVENUE,    /* estimatedRevenue, id: Organization_estimatedRevenue_id_idx */
    /* Contacts. */
    BROWSE_SORT_LAST_NAME,      /* lastName, firstName, id: Contact_lastName_firstName_id_idx */
    BROWSE_SORT_CREATED_AT,     /* createdAt, id: indexed only with the organization
                                 * filter (Contact_organizationId_createdAt_id_idx) */
    BROWSE_SORT_EMAIL,          /* email, id: NO index yet */
    BROWSE_SORT_CONTACT_UPDATED_AT, /* updatedAt, id: NO index yet */
    BROWSE_NSORTS
};

/* The entity a sort belongs to, its name ("name", "city", "updatedAt",
 * "lastName"... as in browse_column_names), and the index that serves it
 * (NULL when none does: the console should not offer that sort on a big
 * table; the index it needs is named in browse.c). */
enum browse_entity browse_sort_entity(enum browse_sort s);
const char *browse_sort_name(enum browse_sort s);
const char *browse_sort_index(enum browse_sort s);
/* Finds a sort for an entity by its name or its column's header in the
 * console ("revenue", "Follow-up", "Last name"), in any case; false if
 * there is none. */
bool browse_sort_find(enum browse_entity e, const char *name, enum browse_sort *out);
/* The shortest name a user knows a sort by ("revenue" for
 * estimatedRevenue), for messages that list the sorts. */
const char *browse_sort_short_name(enum browse_sort s);
/* The entity's default sort: name, lastName. */
enum browse_sort browse_sort_default(enum browse_entity e);

enum browse_followup {
    BROWSE_FOLLOWUP_ANY,
    BROWSE_FOLLOWUP_DUE,        /* nextFollowUpDate before the end of today: due today or overdue */
    BROWSE_FOLLOWUP_TODAY,      /* during today */
    BROWSE_FOLLOWUP_OVERDUE     /* before the start of today */
};

/* The filters of a pane. All fields combine with AND; inside one enum
 * field the chosen labels combine with OR. Zero / NULL means "any". */
struct browse_filter {
    /* Organizations. Bit i set = the i-th label of the PostgreSQL enum
     * (browse_filter_labels()): the console's pick list. */
    unsigned priority, segment, status, type;
    const char *state, *city;           /* equality; not copied */
    enum browse_followup followup;
    /* "today" is the day (in the session's TimeZone) of this timestamptz
     * text; NULL means now(). Tests pass a fixed instant. */
    const char *now;
    /* Contacts. */
    const char *organization_id;        /* uuid text */
    bool primary_only;
    /* Both: the rows whose malformed e-mail migrate kept and flagged
     * (metadata.flags.email) and nobody has changed since ("email=flagged"). */
    bool email_flagged;
};

/* The labels of the enum behind a filter field ("priority", "segment",
 * "status", "type"), in the enum's order; NULL for another field. */
const char *const *browse_filter_labels(const char *field, size_t *n);

/* Parses one "field=value[,value…]" into f, adding to what is there (a
 * console command or a test's --filter): priority=, segment=, status=,
 * type= (labels, any case), state=, city= (the string, kept by pointer into
 * spec), followup=due|today|overdue|any, now=TIMESTAMPTZ, organization=UUID,
 * primary=yes|no, email=flagged|any. False with *err (caller frees) for a bad field or label. */
bool browse_filter_parse(struct browse_filter *f, const char *spec, char **err);

/* A short description of the active filters for the pane header, e.g.
 * "priority A,B · segment CATERING · follow-up due"; "" when none. Caller frees. */
char *browse_filter_describe(enum browse_entity e, const struct browse_filter *f);

/* What a pane shows: entity, order and filters. */
struct browse_spec {
    enum browse_entity entity;
    enum browse_sort sort;
    bool desc;
    struct browse_filter filter;
};

/* Fills spec with the entity's defaults: default sort, ascending, no filter. */
void browse_spec_init(struct browse_spec *spec, enum browse_entity e);

#define BROWSE_MAX_KEY 4

/* A row's position in an order: the values of its sort's keyset columns as
 * text (NULL = SQL NULL), owned. */
struct browse_key {
    size_t n;
    char *v[BROWSE_MAX_KEY];
};

/* The keyset of a row (cells of a page row, or of a lookup) under sort s. */
void browse_key_from_row(enum browse_sort s, char *const *cells, struct browse_key *out);
void browse_key_free(struct browse_key *k);

enum browse_move {
    BROWSE_FIRST,   /* top of the list */
    BROWSE_LAST,    /* bottom of the list */
    BROWSE_NEXT,    /* the page after key (the last row shown) */
    BROWSE_PREV,    /* the page before key (the first row shown) */
    BROWSE_AROUND   /* a page holding the row of key, about in the middle */
};

enum browse_qkind { BROWSE_Q_PAGE, BROWSE_Q_LOOKUP, BROWSE_Q_SEARCH, BROWSE_Q_COUNT,
                    BROWSE_Q_ESTIMATE, BROWSE_Q_DETAIL };

/* A query ready to send, and how to read its answer. */
struct browse_query {
    char *sql;
    int nparams;
    char **params;              /* nparams strings, NULL = SQL NULL */
    /* for the parse functions */
    enum browse_qkind kind;
    enum browse_entity entity;
    enum browse_sort sort;
    enum browse_move move;
    size_t limit;
    char *focus_id;             /* BROWSE_AROUND: id of the key's row */
    size_t side_before, side_after; /* BROWSE_AROUND: rows asked each side */
    /* Never prepared, even by a preparing session: a search, whose best
     * plan depends on the words (a generic plan cannot see that a LIKE
     * pattern is selective and walks the name index instead of the
     * trigram index: 100 ms instead of 2), and EXPLAIN, which plans anyway. */
    bool unprepared;
};

/* The parameters as libpq wants them. */
const char *const *browse_query_params(const struct browse_query *q);
void browse_query_free(struct browse_query *q);

/* One page of a list. */
struct browse_page {
    enum browse_entity entity;
    enum browse_sort sort;
    size_t ncols;               /* BROWSE_ORG_NCOLS or BROWSE_CONTACT_NCOLS */
    size_t nrows;
    char ***rows;               /* rows[i][col], NULL = SQL NULL */
    /* BROWSE_AROUND: index of the key's row, -1 when it is not in the list
     * (it does not pass the filters: the page is where it would be). */
    ptrdiff_t focus;
    /* BROWSE_AROUND: index of the first row at or after the key's place
     * (the focus when the row passes the filters): where the page was
     * asked around, the anchor of its fills. */
    size_t pivot;
    /* Nothing before the first row / after the last row (within the
     * filters, as of this query). */
    bool at_start, at_end;
};

void browse_page_free(struct browse_page *p);

/* Screenful first, the rest in the background. A page asked for with
 * fewer rows than page_rows (a screenful) is completed by fills: keyset
 * ranges after its last row (BROWSE_NEXT) or before its first
 * (BROWSE_PREV), so the seam is exact under every sort (ties broken by
 * id), whatever rows changed between the two queries.
 * browse_fill_next: the next fill the page needs, given the move that
 * asked for it (FIRST and NEXT grow downward, LAST and PREV upward,
 * AROUND downward to about half a page below anchor, the row it was
 * asked around, then upward, then downward again if the top is reached);
 * false when the page is complete (page_rows rows, or both ends reached
 * the way it grows). browse_build_fill builds it (want rows, keyset of the
 * edge row of p under spec's sort). browse_page_merge moves fill's rows
 * into p, after or before its rows (dir), leaving out any row p already
 * holds (a row updated between the queries may have moved across the
 * seam), takes the end flag of that side from fill and frees fill; it
 * returns how many rows went in (before p's rows for BROWSE_PREV: indexes
 * into p shift by that). */
/* browse_build_screen: the first query of a page the console fills: as
 * browse_build_page, except that BROWSE_AROUND reads about limit / 2 rows
 * each side (not limit + 1), half the work for the first screen; near an
 * end the page is then short on that side and the fills complete it.
 * (browse_build_around_id's screen does the same.) */
bool browse_build_screen(struct browse_query *q, const struct browse_spec *spec,
                         enum browse_move move, const struct browse_key *key, size_t limit,
                         char **err);
bool browse_fill_next(const struct browse_page *p, enum browse_move origin, size_t anchor,
                      size_t page_rows, enum browse_move *dir, size_t *want);
bool browse_build_fill(struct browse_query *q, const struct browse_spec *spec,
                       const struct browse_page *p, enum browse_move dir, size_t want,
                       char **err);
size_t browse_page_merge(struct browse_page *p, struct browse_page *fill, enum browse_move dir);

/* Builds a page query. key is required for NEXT, PREV and AROUND (and
 * must be the keyset of spec->sort), ignored otherwise; limit is the page
 * size (1..10000). Each asks for limit+1 rows to know whether more exist.
 * PREV and LAST read the order backward and the parse puts the rows back
 * in display order. NEXT at the end gives 0 rows (keep the page shown);
 * PREV near the top gives fewer than limit rows with at_start: ask FIRST
 * for a full page. AROUND reads up to limit+1 rows each side of the key
 * and keeps limit of them, the key's row near the middle (or as near as
 * the ends allow). When several labels of one filter field are chosen and
 * an index leads with that field then the sort's keyset (priority with
 * name, updatedAt or estimatedRevenue; segment or type with name), the
 * page is one index range per label, merged, instead of a walk of the
 * sort index that skips the other labels' rows. False with *err on a bad
 * argument. */
bool browse_build_page(struct browse_query *q, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       char **err);

/* Builds the lookup of one row by id, for `:goto`, a search hit or "jump to
 * the contact's organization": text is a target UUID or a legacy id. The
 * migration maps a legacy id to its target id with a pure function
 * (id_map_uuid: a canonical UUID is kept, lower-cased; anything else
 * becomes uuid5("<Table>:<legacy id>")), so a legacy id is found through
 * the primary key like a UUID (the target's SQL function legacy_uuid(),
 * data/sql/0011, computes the same for the application; tests/drizzle.sh
 * checks that :goto and it agree), without searching metadata->'legacy'->>'id'
 * (which holds the original only when it changed, and has no index: it
 * would need CREATE INDEX ON "Organization" ((metadata->'legacy'->>'id'))).
 * The lookup ignores the filters; parse it with browse_parse_page (0 or 1
 * row), take browse_key_from_row and ask for BROWSE_AROUND. */
bool browse_build_lookup(struct browse_query *q, enum browse_entity e, const char *text,
                         char **err);

/* goto in one round trip: the page around the row with this id (as for
 * browse_build_lookup), its keyset read from the row itself inside the
 * query, for a sort whose keyset columns are never NULL
 * (browse_sort_not_null: name, priority, segment, status, city, updatedAt;
 * lastName, createdAt), where the shape of the query does not depend on
 * the row. Parse with browse_parse_page: focus < 0 and no rows when there
 * is no such row; focus < 0 and rows when the filters hide it. The city
 * sort counts as never NULL: its index's keys are not (0019). Other sorts
 * take browse_build_lookup then BROWSE_AROUND. */
bool browse_sort_not_null(enum browse_sort s);
bool browse_build_around_id(struct browse_query *q, const struct browse_spec *spec,
                            const char *text, size_t limit, bool screen, char **err);

/* Name search. One query does, each stage only when the one before found
 * nothing: the words of the names (the word tables of the search schema,
 * data/sql/0008; "simple" full-text words); words of the vocabulary that
 * contain the longest word typed (a fragment); the vocabulary words most
 * similar to it (pg_trgm %). Every word typed must match (AND); a word of
 * 3 characters or more also matches as a prefix ("pollo" finds "Pollos").
 * Hits by matched word, then name; with several words organizations are
 * answered from the word-pair index (data/sql/0014), by the matched words
 * of the two longest typed words, then name. Each stage reads its index
 * in order and stops at max_hits. The current filters apply. At most
 * max_hits hits (1..10000; the console asks for BROWSE_SEARCH_HITS).
 *
 * Hits are returned as an ordered list of ids: n / N step through it and
 * each step is a browse_build_lookup + BROWSE_AROUND in the current sort, so
 * the list around a hit is the ordinary list. */
bool browse_build_search(struct browse_query *q, const struct browse_spec *spec,
                         const char *term, size_t max_hits, char **err);

/* Warm-up. A session's first search pays for preparing its statement
 * (parse and analysis of a large query, one more round trip) and for
 * planning it anew on each of its first executions, until PostgreSQL keeps
 * a generic plan: about a millisecond more than every later search. So the
 * console runs the statements a search will need while it is idle after
 * the first page is drawn, one at a time (a key that needs the connection
 * cancels the one in flight, as it does a fill): the search of one word
 * and of two words with the screenful of hits (rows) and with all of them
 * (BROWSE_SEARCH_HITS), each run as often as the server needs to settle
 * its plan, then the goto of the first hit in spec's sort, and last, for
 * organizations, the detail view of that row (Enter). The words and
 * the id are those of a row of p (a real name, found as a real search
 * finds it); the filters are spec's. *step starts at 0; each call builds
 * the statement of that step and moves *step past it; false when there is
 * none left (or p holds no usable name). */
bool browse_build_warmup(struct browse_query *q, const struct browse_spec *spec,
                         const struct browse_page *p, size_t rows, unsigned *step, char **err);

enum browse_match { BROWSE_MATCH_NONE, BROWSE_MATCH_FULLTEXT, BROWSE_MATCH_SUBSTRING,
                    BROWSE_MATCH_SIMILAR };
const char *browse_match_name(enum browse_match m);
/* The word of term that the fragment and misspelling stages look for
 * (the longest), in out; returns how many words term has. */
size_t browse_search_drive_word(const char *term, char *out, size_t size);

struct browse_hits {
    enum browse_match how;      /* which stage found them */
    size_t n;
    char **ids;
    char **labels;              /* name, or "firstName lastName" */
};
void browse_hits_free(struct browse_hits *h);

/* Row counts for the pane header. Counting a million rows on every
 * keystroke is out of the question, so the header shows the planner's
 * estimate for the current filters: EXPLAIN (FORMAT JSON) of
 * SELECT 1 FROM … WHERE <filters>, its "Plan Rows" (from pg_class.reltuples
 * and the column statistics; exact enough to say "~120,000", and it costs
 * a plan, not a scan). When the estimate is small (say under 10,000) the
 * console may ask for the exact count, which is then cheap. */
bool browse_build_count(struct browse_query *q, const struct browse_spec *spec, bool exact,
                        char **err);

/* A sub-list of the detail view. */
struct browse_table {
    size_t ncols;
    const char *const *colnames;
    size_t nrows;
    char **cells;               /* nrows * ncols, row-major, NULL = SQL NULL */
};

struct browse_org_detail {
    bool found;
    size_t nfields;
    const char *const *field_names; /* every column of "Organization" */
    char **fields;
    struct browse_table contacts;       /* in the order they were added */
    struct browse_table interactions;   /* latest first */
    struct browse_table opportunities;  /* by stage */
    struct browse_table contracts;      /* latest start first */
    struct browse_table leads;          /* latest first */
    /* Analytics; the counts are of all rows, not just the ones listed. */
    int64_t contact_count, interaction_count, opportunity_count, contract_count, lead_count;
    char *last_interaction;     /* timestamptz text, NULL when none */
    char *pipeline_value;       /* sum of value of active, not CLOSED_* opportunities */
};

/* The detail view of one organization (id as for browse_build_lookup) in
 * one round trip: one row, the lists as JSON arrays of text values, each
 * sub-query an index range of its own. max_rows bounds each list (1..1000). */
bool browse_build_org_detail(struct browse_query *q, const char *id, size_t max_rows,
                             char **err);
void browse_org_detail_free(struct browse_org_detail *d);

/* Parsing a result of the matching kind. False with *err (caller frees)
 * when the result is an error or not of the expected shape. */
bool browse_parse_page(const struct browse_query *q, const PGresult *res,
                       struct browse_page *out, char **err);
bool browse_parse_hits(const struct browse_query *q, const PGresult *res,
                       struct browse_hits *out, char **err);
bool browse_parse_count(const struct browse_query *q, const PGresult *res, int64_t *out,
                        char **err);
bool browse_parse_org_detail(const struct browse_query *q, const PGresult *res,
                             struct browse_org_detail *out, char **err);

/* SQL to run once on a connection before browsing: ISO dates and
 * shortest-exact floats, so that keyset values read as text are parsed
 * back to the very same timestamp or double (a rounded revenue would skip
 * or repeat rows). Parameterless; browse_session_new runs it. */
const char *browse_session_sql(void);

/* A browsing connection. Sending a query with PQsendQueryParams works,
 * but then the server parses and plans it every time, and planning costs
 * more than running a page query (about 0.1 ms against 0.04 ms for a
 * single-range page, 0.4 ms for a page of four keyset branches). With
 * prepare, each distinct query text (a "shape": sort, direction, move,
 * NULL pattern of the key, filter fields in use; the values are parameters)
 * is prepared on first use as "pantrycrm_browse_<n>" and then only
 * executed; after five runs PostgreSQL keeps a generic plan when it is as
 * cheap as the custom ones, which these index ranges are.
 * Behind a transaction pooler (pg_pooled) the session never prepares: a
 * named statement would not follow it from one server connection to the
 * next. The session does not own conn. After PQreset, call browse_session_reset
 * (the server forgot the statements). */
struct browse_session;
struct browse_session *browse_session_new(PGconn *conn, bool prepare, char **err);
void browse_session_reset(struct browse_session *s);
void browse_session_free(struct browse_session *s);
PGconn *browse_session_conn(const struct browse_session *s);

/* Non-blocking use from a poll loop: browse_send starts q (the first use
 * of a shape sends its preparation, then the execution once that is done:
 * one more round trip, once per shape); call browse_poll when the socket
 * is readable. DONE hands over the result (caller PQclears; it may be an
 * error result, which the parse functions report); q must live until
 * then. One browse query at a time per session. */
enum browse_poll { BROWSE_POLL_BUSY, BROWSE_POLL_DONE, BROWSE_POLL_ERROR };
bool browse_send(struct browse_session *s, const struct browse_query *q, char **err);
enum browse_poll browse_poll(struct browse_session *s, PGresult **res, char **err);

/* Blocking conveniences: build, run (prepared when the session prepares),
 * parse. */
PGresult *browse_exec(struct browse_session *s, const struct browse_query *q, char **err);
bool browse_fetch_page(struct browse_session *s, const struct browse_spec *spec,
                       enum browse_move move, const struct browse_key *key, size_t limit,
                       struct browse_page *out, char **err);
/* Lookup then BROWSE_AROUND: two round trips. *found tells whether the id
 * exists at all; out->focus < 0 when it exists but the filters hide it. */
bool browse_fetch_goto(struct browse_session *s, const struct browse_spec *spec,
                       const char *text, size_t limit, struct browse_page *out, bool *found,
                       char **err);
bool browse_fetch_search(struct browse_session *s, const struct browse_spec *spec,
                         const char *term, size_t max_hits, struct browse_hits *out, char **err);
bool browse_fetch_count(struct browse_session *s, const struct browse_spec *spec, bool exact,
                        int64_t *out, char **err);
bool browse_fetch_org_detail(struct browse_session *s, const char *id, size_t max_rows,
                             struct browse_org_detail *out, char **err);

#endif
