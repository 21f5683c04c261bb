/* tests/browse-cli.c - drives src/crm/browse.c from the command line for
 * tests/browse.sh (and for measuring it). Not installed.
 *
 *   browse-cli CONNINFO orgs|contacts [--sort NAME] [--desc] [--limit N]
 *              [--filter FIELD=VALUE]... COMMAND [ARG]
 *
 * Commands (rows are printed as TSV, NULL as \N, tab/newline/backslash
 * escaped; "# " lines are status):
 *   walk           FIRST, then NEXT after the last row until the end: one id per line
 *   walkback       LAST, then PREV before the first row until the top: ids bottom-up
 *   first | last   one page
 *   next ID | prev ID | around ID
 *                  the page after / before / around the row ID (looked up
 *                  first, for its keyset under the sort)
 *   goto TEXT      lookup by UUID or legacy id, then around
 *   aroundid TEXT  the page around that id in one statement (browse_build_around_id)
 *   search TERM    hits: "# how N" then id<TAB>label lines
 *   count          "estimate N" and "exact N"
 *   detail ID      the organization detail view as name=value lines
 *   sql MOVE [ID]  the SQL of a page query and its parameters
 *   sql search TERM    the same for a search (BROWSE_SEARCH_HITS hits)
 *   explain MOVE [ID] | explain search TERM
 *                  EXPLAIN (ANALYZE, BUFFERS) of that query with its parameters
 *   sizes          the console's page, search and detail sizes (browse.h)
 *   bench N [WHAT] median time of every query kind over N runs, against a
 *                  primary-key lookup (organizations only), with the
 *                  console's sizes (BROWSE_PAGE_ROWS unless --limit; other
 *                  commands page 37 rows unless --limit,
 *                  BROWSE_SEARCH_HITS, BROWSE_DETAIL_ROWS); "step" lines
 *                  are what the console sends for one keypress, and end
 *                  with a summary of them
 * --screen N asks each page of walk, walkback, first, last, next, prev and
 * around the console's way: a screenful of N rows, then the fills that
 * complete it to the page size (--between SQL runs that statement before
 * each fill, to change rows between the two queries).
 * Queries go through a browse_session that prepares them, unless
 * --noprepare; with --async, walk sends them the console's way
 * (browse_send and browse_poll in a select loop).
 * walk and walkback also check the page invariants (full pages except at
 * the end, at_start / at_end flags) and exit 1 when one fails.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "browse.h"
#include "pg.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static PGconn *conn;
static struct browse_session *sess;
static bool async_mode;

/* A page the way the console gets one: browse_send, then browse_poll
 * whenever the socket is readable (--async); else the blocking
 * browse_fetch_page. */
static bool fetch_page(const struct browse_spec *spec, enum browse_move move,
                       const struct browse_key *key, size_t limit, struct browse_page *out,
                       char **err)
{
    if (!async_mode)
        return browse_fetch_page(sess, spec, move, key, limit, out, err);
    struct browse_query q;
    if (!browse_build_page(&q, spec, move, key, limit, err))
        return false;
    if (!browse_send(sess, &q, err)) {
        browse_query_free(&q);
        return false;
    }
    PGresult *res = NULL;
    enum browse_poll st;
    while ((st = browse_poll(sess, &res, err)) == BROWSE_POLL_BUSY) {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(PQsocket(conn), &rd);
        if (select(PQsocket(conn) + 1, &rd, NULL, NULL, NULL) < 0) {
            *err = xasprintf("select: %s", strerror(errno));
            browse_query_free(&q);
            return false;
        }
    }
    bool ok = st == BROWSE_POLL_DONE && browse_parse_page(&q, res, out, err);
    PQclear(res);
    browse_query_free(&q);
    return ok;
}

PANTRY_NORETURN static void usage(void)
{
    fprintf(stderr, "usage: browse-cli CONNINFO orgs|contacts [--sort NAME] [--desc] "
                    "[--limit N] [--screen N] [--between SQL] [--noprepare] [--async] [--filter F=V]... "
                    "COMMAND [ARG]\n");
    exit(2);
}

static void print_cell(const char *s)
{
    if (!s) {
        fputs("\\N", stdout);
        return;
    }
    for (; *s; s++) {
        if (*s == '\t')
            fputs("\\t", stdout);
        else if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '\\')
            fputs("\\\\", stdout);
        else
            putchar(*s);
    }
}

static void print_page(const struct browse_page *p)
{
    printf("# rows=%zu focus=%td at_start=%d at_end=%d\n", p->nrows, p->focus, p->at_start,
           p->at_end);
    for (size_t r = 0; r < p->nrows; r++) {
        for (size_t c = 0; c < p->ncols; c++) {
            if (c)
                putchar('\t');
            print_cell(p->rows[r][c]);
        }
        putchar('\n');
    }
}

PANTRY_NORETURN static void fail(char *err)
{
    fprintf(stderr, "browse-cli: %s\n", err ? err : "failed");
    free(err);
    exit(1);
}

/* Runs a built page query through the session and parses it; frees q. */
static bool run_page(struct browse_query *q, struct browse_page *p, char **err)
{
    PGresult *res = browse_exec(sess, q, err);
    bool ok = res && browse_parse_page(q, res, p, err);
    PQclear(res);
    browse_query_free(q);
    return ok;
}

/* The keyset under spec's sort of the row with this id. */
static void key_of(const struct browse_spec *spec, const char *id, struct browse_key *key)
{
    struct browse_query q;
    struct browse_page p;
    char *err = NULL;
    if (!browse_build_lookup(&q, spec->entity, id, &err) || !run_page(&q, &p, &err))
        fail(err);
    if (p.nrows != 1)
        fail(xasprintf("no row with id %s", id));
    browse_key_from_row(spec->sort, p.rows[0], key);
    browse_page_free(&p);
}

static bool parse_move(const char *s, enum browse_move *m)
{
    static const char *const names[] = {"first", "last", "next", "prev", "around"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *m = (enum browse_move)i;
            return true;
        }
    return false;
}

/* A page the console's way: a screenful (screen rows), then the fills
 * that complete it to page_rows (browse_fill_next, browse_build_fill,
 * browse_page_merge: the console's code path). between, when set, is run
 * before each fill: rows changed between the screenful and the fill. */
static const char *between_sql;
static void fill_page(const struct browse_spec *spec, enum browse_move move, size_t anchor,
                      size_t page_rows, struct browse_page *p)
{
    char *err = NULL;
    enum browse_move dir;
    size_t want;
    while (browse_fill_next(p, move, anchor, page_rows, &dir, &want)) {
        if (between_sql) {
            PGresult *res = pg_exec(conn, &err, between_sql, 0, NULL);
            if (!res)
                fail(err);
            PQclear(res);
        }
        struct browse_query q;
        struct browse_page f;
        if (!browse_build_fill(&q, spec, p, dir, want, &err) || !run_page(&q, &f, &err))
            fail(err);
        size_t added = browse_page_merge(p, &f, dir);
        if (dir == BROWSE_PREV)
            anchor += added;
        if (added == 0 && !(dir == BROWSE_NEXT ? p->at_end : p->at_start))
            fail(xstrdup("a fill added nothing and did not reach the end"));
    }
}

/* The console's first screen: browse_build_screen, run and parsed. */
static bool fetch_screen(const struct browse_spec *spec, enum browse_move move,
                         const struct browse_key *key, size_t screen, struct browse_page *p,
                         char **err)
{
    struct browse_query q;
    return browse_build_screen(&q, spec, move, key, screen, err) && run_page(&q, p, err);
}

static void screen_page(const struct browse_spec *spec, enum browse_move move,
                        const struct browse_key *key, size_t screen, size_t page_rows,
                        struct browse_page *p)
{
    char *err = NULL;
    if (!fetch_screen(spec, move, key, screen, p, &err))
        fail(err);
    fill_page(spec, move, p->pivot, page_rows, p);
}

/* FIRST then NEXT (or LAST then PREV) to the end, printing ids; checks the
 * flags and that every page but the last is full. */
static size_t screen_rows;  /* --screen N: pages come as a screenful of N, then fills */

static int walk(const struct browse_spec *spec, size_t limit, bool back)
{
    struct browse_page p;
    char *err = NULL;
    int bad = 0;
    size_t pages = 0, rows = 0;
    if (screen_rows)
        screen_page(spec, back ? BROWSE_LAST : BROWSE_FIRST, NULL, screen_rows, limit, &p);
    else if (!fetch_page(spec, back ? BROWSE_LAST : BROWSE_FIRST, NULL, limit, &p, &err))
        fail(err);
    for (;;) {
        pages++;
        rows += p.nrows;
        bool edge = back ? p.at_start : p.at_end;
        if (!edge && p.nrows != limit) {
            fprintf(stderr, "page %zu: %zu rows but not at the %s\n", pages, p.nrows,
                    back ? "top" : "end");
            bad = 1;
        }
        if (pages == 1 && !(back ? p.at_end : p.at_start)) {
            fprintf(stderr, "the %s page is not flagged as such\n", back ? "last" : "first");
            bad = 1;
        }
        for (size_t i = 0; i < p.nrows; i++)
            printf("%s\n", p.rows[back ? p.nrows - 1 - i : i][0]);
        if (edge || p.nrows == 0)
            break;
        struct browse_key key;
        browse_key_from_row(spec->sort, p.rows[back ? 0 : p.nrows - 1], &key);
        browse_page_free(&p);
        if (screen_rows)
            screen_page(spec, back ? BROWSE_PREV : BROWSE_NEXT, &key, screen_rows, limit, &p);
        else if (!fetch_page(spec, back ? BROWSE_PREV : BROWSE_NEXT, &key, limit, &p, &err))
            fail(err);
        browse_key_free(&key);
        if (pages > 10000000)
            fail(xstrdup("no end in sight"));
    }
    browse_page_free(&p);
    fprintf(stderr, "# %zu pages, %zu rows\n", pages, rows);
    return bad;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The benchmark. The machine it runs on is shared, so each sample of a
 * query is taken right after a sample of the unit (a primary-key lookup,
 * SELECT 1 FROM "Organization" WHERE id = $1, sent with PQexecParams) and
 * the ratio is of the medians: load that comes and goes hits both. */
enum item_kind { IT_PAGE, IT_GOTO, IT_LOOKUP, IT_SEARCH, IT_SEARCH_PAGE, IT_DETAIL,
                 IT_ESTIMATE };

struct item {
    enum item_kind kind;
    /* each sample on a fresh connection, as a console just opened: its
     * first screen, then (unless COLD_UNWARMED) the warm-up it runs while
     * idle (browse_build_warmup) before the user's keys */
    enum { WARM, COLD_WARMED, COLD_UNWARMED } cold;
    struct browse_spec spec;
    enum browse_move move;
    const char *term;
};

struct bench {
    int n;
    char **ids;
    size_t limit;
    double *pk, *qt;
    double *ft;                 /* the background fill after each sample, 0 if none */
    /* The unit's median at the start. A sample of the unit taken beside a
     * fresh session (a backend started and one ended) comes out at twice
     * that on a busy machine: the ratios of first searches are to this. */
    double unit;
};

/* The time of the fills that follow the last measured first screen. */
static double fill_us;

/* What the console sends after a first screen, in the background: the
 * fills of the page (fill_page, timed). */
static void time_fill(const struct browse_spec *spec, enum browse_move move, size_t anchor,
                      size_t page_rows, struct browse_page *p)
{
    double t0 = now_us();
    fill_page(spec, move, anchor, page_rows, p);
    fill_us += now_us() - t0;
}

/* The console's goto: the lookup, the screenful around the row (what the
 * user waits for: timed into *screen_t), then its fills (fill_us). */
static bool bench_goto(const struct browse_spec *spec, const char *id, size_t page_rows,
                       double *screen_t, char **err)
{
    struct browse_query q;
    struct browse_page found, p;
    double t0 = now_us();
    if (browse_sort_not_null(spec->sort)) {
        /* as the console: one statement, the page around the id */
        if (!browse_build_around_id(&q, spec, id, BROWSE_SCREEN_ROWS, true, err))
            return false;
        bool ok = run_page(&q, &p, err);
        *screen_t += now_us() - t0;
        if (!ok)
            return false;
        if (p.focus < 0) {
            browse_page_free(&p);
            *err = xasprintf("no row %s", id);
            return false;
        }
        time_fill(spec, BROWSE_AROUND, p.pivot, page_rows, &p);
        browse_page_free(&p);
        return true;
    }
    if (!browse_build_lookup(&q, spec->entity, id, err) || !run_page(&q, &found, err))
        return false;
    if (found.nrows != 1) {
        browse_page_free(&found);
        *err = xasprintf("no row %s", id);
        return false;
    }
    struct browse_key key;
    browse_key_from_row(spec->sort, found.rows[0], &key);
    browse_page_free(&found);
    bool ok = fetch_screen(spec, BROWSE_AROUND, &key, BROWSE_SCREEN_ROWS, &p, err);
    browse_key_free(&key);
    *screen_t += now_us() - t0;
    if (!ok)
        return false;
    time_fill(spec, BROWSE_AROUND, p.pivot, page_rows, &p);
    browse_page_free(&p);
    return true;
}

static double time_pk(const struct bench *b, int i)
{
    char *err = NULL;
    const char *p1[] = {b->ids[(i * 7 + 3) % b->n]};
    double t0 = now_us();
    PGresult *res = pg_exec(conn, &err, "SELECT 1 FROM \"Organization\" WHERE id = $1", 1, p1);
    double t = now_us() - t0;
    if (!res)
        fail(err);
    PQclear(res);
    return t;
}

/* One run of the item for sample i; the time of the round trips and the
 * parse, not of building the query or finding a key. */
static double time_item(const struct bench *b, const struct item *it, int i)
{
    char *err = NULL;
    struct browse_query q;
    struct browse_key key;
    struct browse_page p;
    bool ok = true, with_key = false;
    double t0, t;
    switch (it->kind) {
    case IT_PAGE:
        with_key = it->move == BROWSE_NEXT || it->move == BROWSE_PREV || it->move == BROWSE_AROUND;
        if (with_key)
            key_of(&it->spec, b->ids[i], &key);
        /* the first screen; its fills are timed after it */
        if (!browse_build_screen(&q, &it->spec, it->move, with_key ? &key : NULL,
                                 BROWSE_SCREEN_ROWS, &err))
            fail(err);
        break;
    case IT_GOTO:
        t = 0;
        if (!bench_goto(&it->spec, b->ids[i], b->limit, &t, &err))
            fail(err);
        return t;
    case IT_LOOKUP:
        ok = browse_build_lookup(&q, BROWSE_ORGS, b->ids[i], &err);
        break;
    case IT_SEARCH_PAGE: {
        /* What the console does on Enter after /term (ui/list_pane.c
         * goto_hit), through the same builders: the first screenful of
         * hits, then the page around the first (one statement in a sort
         * whose keyset is never NULL, else lookup + around); in the
         * background, the rest of that page and all the hits. */
        struct browse_hits h;
        t0 = now_us();
        ok = browse_fetch_search(sess, &it->spec, it->term, BROWSE_SCREEN_ROWS, &h, &err);
        if (ok && h.n == 0)
            ok = false, err = xasprintf("no hit for '%s'", it->term);
        t = now_us() - t0;
        if (ok)
            ok = bench_goto(&it->spec, h.ids[0], b->limit, &t, &err);
        if (!ok)
            fail(err);
        browse_hits_free(&h);
        t0 = now_us();
        if (!browse_fetch_search(sess, &it->spec, it->term, BROWSE_SEARCH_HITS, &h, &err))
            fail(err);
        fill_us += now_us() - t0;
        browse_hits_free(&h);
        return t;
    }
    case IT_SEARCH:
        ok = browse_build_search(&q, &it->spec, it->term, BROWSE_SEARCH_HITS, &err);
        break;
    case IT_DETAIL:
        ok = browse_build_org_detail(&q, b->ids[i], BROWSE_DETAIL_ROWS, &err);
        break;
    case IT_ESTIMATE:
        ok = browse_build_count(&q, &it->spec, false, &err);
        break;
    }
    if (!ok)
        fail(err);
    t0 = now_us();
    PGresult *res = browse_exec(sess, &q, &err);
    if (!res)
        fail(err);
    switch (it->kind) {
    case IT_PAGE:
    case IT_LOOKUP:
        ok = browse_parse_page(&q, res, &p, &err);
        if (ok && it->kind == IT_PAGE) {
            t = now_us() - t0;
            PQclear(res);
            res = NULL;
            time_fill(&it->spec, it->move, p.pivot, b->limit, &p);
            browse_page_free(&p);
            browse_query_free(&q);
            if (with_key)
                browse_key_free(&key);
            return t;
        }
        if (ok)
            browse_page_free(&p);
        break;
    case IT_SEARCH: {
        struct browse_hits h;
        ok = browse_parse_hits(&q, res, &h, &err);
        if (ok)
            browse_hits_free(&h);
        break;
    }
    case IT_DETAIL: {
        struct browse_org_detail d;
        ok = browse_parse_org_detail(&q, res, &d, &err);
        if (ok)
            browse_org_detail_free(&d);
        break;
    }
    case IT_ESTIMATE: {
        int64_t n;
        ok = browse_parse_count(&q, res, &n, &err);
        break;
    }
    case IT_GOTO:
    case IT_SEARCH_PAGE:
        break;
    }
    t = now_us() - t0;
    if (!ok)
        fail(err);
    PQclear(res);
    browse_query_free(&q);
    if (with_key)
        browse_key_free(&key);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *bench_only;     /* measure only what contains this */
static double last_fill;           /* measure's median fill, us */
static double last_pk;             /* and the unit it took, us */

/* The steps a user feels, collected for the summary at the end. */
struct step {
    char *what;
    double us, pk, fill;
};
static struct step steps[160];
static size_t nsteps;

/* A fresh session the console's way (see struct item): the connection,
 * the first screen of the item's list, then the warm-up unless unwarmed;
 * the warm-up's total time and its longest statement (what a key typed
 * meanwhile may wait, when the statement is not cancelled first) go to
 * warm_us and warm_max_us. The previous session is closed. */
static const char *bench_conninfo;
static double warm_us, warm_max_us;
/* The session of the bench's own connection, which times the unit (a
 * fresh backend's first statements cost more: its caches are empty, and
 * the unit must not be inflated by that), and the fresh one. */
static struct browse_session *main_sess, *fresh_sess;
static PGconn *fresh_conn;

static void fresh_session(const struct item *it)
{
    char *err = NULL;
    browse_session_free(fresh_sess);
    PQfinish(fresh_conn);
    fresh_conn = pg_connect(bench_conninfo, "browse", &err);
    if (!fresh_conn || !(fresh_sess = browse_session_new(fresh_conn, true, &err)))
        fail(err);
    sess = fresh_sess;
    struct browse_page p;
    if (!fetch_screen(&it->spec, BROWSE_FIRST, NULL, BROWSE_SCREEN_ROWS, &p, &err))
        fail(err);
    warm_us = warm_max_us = 0;
    struct browse_query q;
    unsigned step = 0;
    while (it->cold == COLD_WARMED
           && browse_build_warmup(&q, &it->spec, &p, BROWSE_SCREEN_ROWS, &step, &err)) {
        double t0 = now_us();
        PGresult *res = browse_exec(sess, &q, &err);
        double t = now_us() - t0;
        if (!res)
            fail(err);
        PQclear(res);
        browse_query_free(&q);
        warm_us += t;
        warm_max_us = t > warm_max_us ? t : warm_max_us;
    }
    free(err);
    browse_page_free(&p);
}

static double measure(struct bench *b, const struct item *it, const char *what)
{
    if (bench_only && !strstr(what, bench_only))
        return 0;
    if (it->cold == WARM)
        for (int i = 0; i < b->n; i++)     /* warm-up, and past the custom plans */
            time_item(b, it, b->n + i);
    double *wt = xcalloc((size_t)b->n, sizeof *wt), *wm = xcalloc((size_t)b->n, sizeof *wm);
    for (int i = 0; i < b->n; i++) {
        b->pk[i] = time_pk(b, i);
        if (it->cold != WARM)
            fresh_session(it);
        wt[i] = warm_us;
        wm[i] = warm_max_us;
        fill_us = 0;
        b->qt[i] = time_item(b, it, i);
        b->ft[i] = fill_us;
    }
    if (it->cold != WARM) {
        sess = main_sess;
        browse_session_free(fresh_sess);
        PQfinish(fresh_conn);
        fresh_sess = NULL;
        fresh_conn = NULL;
    }
    double pk = median(b->pk, b->n), qt = median(b->qt, b->n);
    if (it->cold != WARM && b->unit < pk)
        pk = b->unit;   /* the unit as measured at the start, unless it is less now */
    last_pk = pk;
    printf("%-62s %9.1f us  pk %6.1f us  %6.2fx\n", what, qt, pk, qt / pk);
    last_fill = median(b->ft, b->n);
    if (last_fill > 0)
        printf("%-62s %9.1f us  pk %6.1f us  %6.2fx  (background)\n", "  then the fill",
               last_fill, pk, last_fill / pk);
    if (it->cold == COLD_WARMED) {
        double w = median(wt, b->n), m = median(wm, b->n);
        printf("%-62s %9.1f us  pk %6.1f us  %6.2fx  (background, before the search)\n",
               "  the warm-up after the first screen", w, pk, w / pk);
        printf("%-62s %9.1f us  pk %6.1f us  %6.2fx  (what a key typed during it waits at most)\n",
               "  its longest statement", m, pk, m / pk);
    }
    free(wt);
    free(wm);
    fflush(stdout);
    return qt / pk;
}

/* measure, and keep the line for the summary of console steps */
static void measure_step(struct bench *b, const struct item *it, const char *what)
{
    if (bench_only && !strstr(what, bench_only))
        return;
    double ratio = measure(b, it, what);
    if (nsteps < sizeof steps / sizeof steps[0]) {
        steps[nsteps].what = xstrdup(what);
        steps[nsteps].pk = last_pk;
        steps[nsteps].us = ratio * steps[nsteps].pk;
        steps[nsteps].fill = last_fill;
        nsteps++;
    }
}

static int bench(const struct browse_spec *base, size_t limit, int n)
{
    char *err = NULL;
    struct bench b = {.n = n, .limit = limit};
    char nbuf[32];
    /* n ids to measure, n others to warm up with: a measured row was not
     * just read, as a row the user jumps to was not */
    snprintf(nbuf, sizeof nbuf, "%d", 2 * n);
    const char *np[] = {nbuf};
    PGresult *res = pg_exec(conn, &err,
                            "SELECT id FROM \"Organization\" ORDER BY random() LIMIT $1::int", 1,
                            np);
    if (!res || PQntuples(res) != 2 * n)
        fail(err ? err : xstrdup("too few organizations"));
    b.ids = xcalloc(2 * (size_t)n, sizeof *b.ids);
    b.pk = xcalloc((size_t)n, sizeof *b.pk);
    b.qt = xcalloc((size_t)n, sizeof *b.qt);
    b.ft = xcalloc((size_t)n, sizeof *b.ft);
    for (int i = 0; i < 2 * n; i++)
        b.ids[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    for (int i = 0; i < n; i++)
        time_pk(&b, i);
    {
        /* the unit against itself, and prepared, for scale */
        for (int i = 0; i < n; i++) {
            b.pk[i] = time_pk(&b, i);
            b.qt[i] = time_pk(&b, i + 1);
        }
        double pk = median(b.pk, n), again = median(b.qt, n);
        b.unit = pk;
        printf("%-58s %9.1f us  pk %6.1f us  %6.2fx\n", "primary-key lookup (the unit)", again,
               pk, again / pk);
        PQclear(PQprepare(conn, "bench_pk", "SELECT 1 FROM \"Organization\" WHERE id = $1", 1,
                          NULL));
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < n; i++) {
                const char *p1[] = {b.ids[i]};
                b.pk[i] = time_pk(&b, i);
                double t0 = now_us();
                PQclear(PQexecPrepared(conn, "bench_pk", 1, p1, NULL, NULL, 0));
                b.qt[i] = now_us() - t0;
            }
        pk = median(b.pk, n);
        double prep = median(b.qt, n);
        printf("%-58s %9.1f us  pk %6.1f us  %6.2fx\n", "primary-key lookup, prepared", prep, pk,
               prep / pk);
    }

    static const char *const moves[] = {"first", "last", "next", "prev", "around"};
    struct item it;
    for (int s = 0; s < BROWSE_NSORTS; s++) {
        if (browse_sort_entity((enum browse_sort)s) != BROWSE_ORGS)
            continue;
        for (int d = 0; d < 2; d++)
            for (int m = 0; m < 5; m++) {
                memset(&it, 0, sizeof it);
                it.kind = IT_PAGE;
                it.spec = *base;
                it.spec.sort = (enum browse_sort)s;
                it.spec.desc = d;
                it.move = (enum browse_move)m;
                /* around = a sort change (the row under the cursor,
                 * in the new order), next = PgDn past the fetched rows */
                char *what = xasprintf("page %s %s %s", browse_sort_name(it.spec.sort),
                                       d ? "desc" : "asc", moves[m]);
                measure_step(&b, &it, what);
                free(what);
            }
    }

    static const char *const filtered[][3] = {
        {"name", "segment=CATERING", ""},
        {"name", "segment=FINE_DINING,CATERING", "status=ACTIVE"},
        {"updatedAt", "priority=A", ""},
        {"estimatedRevenue", "priority=B,C", "type=CUSTOMER"},
        {"nextFollowUpDate", "followup=due", ""},
        {"name", "state=CA", ""},
        {"city", "state=CA", ""},
        {"name", "state=TX", "city=Houston"},
    };
    for (size_t i = 0; i < sizeof filtered / sizeof filtered[0]; i++)
        for (int m = 0; m < 3; m += 2) {
            memset(&it, 0, sizeof it);
            it.kind = IT_PAGE;
            browse_spec_init(&it.spec, BROWSE_ORGS);
            browse_sort_find(BROWSE_ORGS, filtered[i][0], &it.spec.sort);
            for (int k = 1; k < 3; k++)
                if (*filtered[i][k] && !browse_filter_parse(&it.spec.filter, filtered[i][k], &err))
                    fail(err);
            it.move = (enum browse_move)m;
            char *what = xasprintf("page %s %s %s%s%s", filtered[i][0], moves[m], filtered[i][1],
                                   *filtered[i][2] ? " " : "", filtered[i][2]);
            measure_step(&b, &it, what);
            free(what);
        }

    memset(&it, 0, sizeof it);
    browse_spec_init(&it.spec, BROWSE_ORGS);
    it.kind = IT_LOOKUP;
    measure(&b, &it, "lookup by id (first half of goto)");
    it.kind = IT_GOTO;
    measure_step(&b, &it, "step :goto, name sort (page around the id, one statement)");
    it.spec.sort = BROWSE_SORT_CITY;
    measure_step(&b, &it, "step :goto, city sort (page around the id, one statement)");
    it.spec.sort = BROWSE_SORT_NAME;
    it.kind = IT_DETAIL;
    measure_step(&b, &it, "step Enter: detail view (one query)");

    static const char *const terms[][2] = {
        {"common word", "grill"},
        {"two word prefixes", "blu hea"},
        {"two rare words", "Chophouse Portland"},
        {"fragment inside a word", "ophous"},
        {"misspelt word", "Chophuose"},
        {"misspelt words", "Portlnd Chophuose"},
    };
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
        it.term = terms[i][1];
        it.kind = IT_SEARCH;
        char *what = xasprintf("search %s '%s', all %d hits", terms[i][0], terms[i][1], BROWSE_SEARCH_HITS);
        measure(&b, &it, what);
        free(what);
        /* Enter after /term: search, lookup, page around the first hit */
        it.kind = IT_SEARCH_PAGE;
        what = xasprintf("step /%s: search + first hit's page", terms[i][1]);
        measure_step(&b, &it, what);
        free(what);
        /* a console just opened: the first search once the warm-up has
         * run (it takes less than typing /word Enter does), and, for the
         * record, the same search typed before it has */
        it.cold = COLD_WARMED;
        what = xasprintf("step /%s, first search of a session", terms[i][1]);
        measure_step(&b, &it, what);
        free(what);
        it.cold = COLD_UNWARMED;
        what = xasprintf("  /%s as the first key, before the warm-up", terms[i][1]);
        measure(&b, &it, what);
        free(what);
        it.cold = WARM;
    }

    static const char *const contact_terms[] = {"james smith", "jam smi", "jmaes smtih"};
    for (size_t i = 0; i < sizeof contact_terms / sizeof contact_terms[0]; i++) {
        memset(&it, 0, sizeof it);
        browse_spec_init(&it.spec, BROWSE_CONTACTS);
        it.term = contact_terms[i];
        it.kind = IT_SEARCH;
        char *what = xasprintf("search contacts '%s', all %d hits", it.term, BROWSE_SEARCH_HITS);
        measure(&b, &it, what);
        free(what);
        it.kind = IT_SEARCH_PAGE;
        what = xasprintf("step 2 /%s: search + first hit's page", it.term);
        measure_step(&b, &it, what);
        free(what);
    }

    static const char *const counted[] = {"", "segment=CATERING", "followup=due"};
    for (size_t i = 0; i < 3; i++) {
        memset(&it, 0, sizeof it);
        it.kind = IT_ESTIMATE;
        browse_spec_init(&it.spec, BROWSE_ORGS);
        if (*counted[i] && !browse_filter_parse(&it.spec.filter, counted[i], &err))
            fail(err);
        char *what = xasprintf("count estimate %s", *counted[i] ? counted[i] : "(all)");
        measure(&b, &it, what);
        free(what);
    }

    memset(&it, 0, sizeof it);
    it.kind = IT_PAGE;
    browse_spec_init(&it.spec, BROWSE_CONTACTS);
    it.move = BROWSE_FIRST;
    measure_step(&b, &it, "step 2: contacts pane, first page");

    printf("# console steps: the statements the user waits for (first screen: %d rows, %d hits),"
           " then, on its own line, the background fill (pages of %d rows, %d search hits);"
           " detail lists %d rows\n",
           BROWSE_SCREEN_ROWS, BROWSE_SCREEN_ROWS, BROWSE_PAGE_ROWS, BROWSE_SEARCH_HITS,
           BROWSE_DETAIL_ROWS);
    double worst = 0;
    const char *worst_what = "";
    for (size_t k = 0; k < nsteps; k++) {
        double r = steps[k].us / steps[k].pk;
        printf("%-62s %9.1f us  %6.2fx%s\n", steps[k].what, steps[k].us, r,
               r > 3 ? "  over 3x" : "");
        if (steps[k].fill > 0)
            printf("%-62s %9.1f us  %6.2fx  (background)\n", "  then the fill", steps[k].fill,
                   steps[k].fill / steps[k].pk);
        if (r > worst) {
            worst = r;
            worst_what = steps[k].what;
        }
    }
    printf("worst step %.2fx a primary-key round trip (%s)\n", worst, worst_what);
    for (size_t k = 0; k < nsteps; k++)
        free(steps[k].what);
    for (int i = 0; i < 2 * n; i++)
        free(b.ids[i]);
    free(b.ids);
    free(b.pk);
    free(b.qt);
    free(b.ft);
    return 0;
}

static void print_table(const char *name, const struct browse_table *t)
{
    printf("%s.rows=%zu\n", name, t->nrows);
    for (size_t r = 0; r < t->nrows; r++) {
        printf("%s.%zu=", name, r);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                putchar('\t');
            print_cell(t->cells[r * t->ncols + c]);
        }
        putchar('\n');
    }
}

int main(int argc, char **argv)
{
    util_set_progname("browse-cli");
    if (argc < 4)
        usage();
    const char *conninfo = argv[1];
    struct browse_spec spec;
    if (strcmp(argv[2], "orgs") == 0)
        browse_spec_init(&spec, BROWSE_ORGS);
    else if (strcmp(argv[2], "contacts") == 0)
        browse_spec_init(&spec, BROWSE_CONTACTS);
    else
        usage();
    size_t limit = 0;   /* bench: the console's page; otherwise 37, what tests expect */
    bool prepare = true;
    char *err = NULL;
    int i = 3;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--desc") == 0) {
            spec.desc = true;
        } else if (strcmp(argv[i], "--noprepare") == 0) {
            prepare = false;
        } else if (strcmp(argv[i], "--async") == 0) {
            async_mode = true;
        } else if (strcmp(argv[i], "--sort") == 0 && i + 1 < argc) {
            if (!browse_sort_find(spec.entity, argv[++i], &spec.sort))
                fail(xasprintf("no sort '%s'", argv[i]));
        } else if (strcmp(argv[i], "--screen") == 0 && i + 1 < argc) {
            screen_rows = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--between") == 0 && i + 1 < argc) {
            between_sql = argv[++i];
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            limit = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            if (!browse_filter_parse(&spec.filter, argv[++i], &err))
                fail(err);
        } else {
            usage();
        }
    }
    if (i >= argc)
        usage();
    const char *cmd = argv[i];
    const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
    if (limit == 0)
        limit = strcmp(cmd, "bench") == 0 ? BROWSE_PAGE_ROWS : 37;

    bench_conninfo = conninfo;
    conn = pg_connect(conninfo, "browse", &err);
    if (!conn)
        fail(err);
    sess = browse_session_new(conn, prepare, &err);
    if (!sess)
        fail(err);
    main_sess = sess;

    int rc = 0;
    struct browse_page p;
    enum browse_move move;
    if (strcmp(cmd, "walk") == 0 || strcmp(cmd, "walkback") == 0) {
        rc = walk(&spec, limit, cmd[4] == 'b');
    } else if ((strcmp(cmd, "first") == 0 || strcmp(cmd, "last") == 0)) {
        if (screen_rows)
            screen_page(&spec, cmd[0] == 'f' ? BROWSE_FIRST : BROWSE_LAST, NULL, screen_rows,
                        limit, &p);
        else if (!browse_fetch_page(sess, &spec, cmd[0] == 'f' ? BROWSE_FIRST : BROWSE_LAST,
                                    NULL, limit, &p, &err))
            fail(err);
        print_page(&p);
        browse_page_free(&p);
    } else if ((strcmp(cmd, "next") == 0 || strcmp(cmd, "prev") == 0
                || strcmp(cmd, "around") == 0) && arg) {
        struct browse_key key;
        parse_move(cmd, &move);
        key_of(&spec, arg, &key);
        if (screen_rows)
            screen_page(&spec, move, &key, screen_rows, limit, &p);
        else if (!browse_fetch_page(sess, &spec, move, &key, limit, &p, &err))
            fail(err);
        browse_key_free(&key);
        print_page(&p);
        browse_page_free(&p);
    } else if (strcmp(cmd, "aroundid") == 0 && arg) {
        struct browse_query q;
        if (!browse_build_around_id(&q, &spec, arg, screen_rows ? screen_rows : limit,
                                    screen_rows > 0, &err))
            fail(err);
        if (!run_page(&q, &p, &err))
            fail(err);
        if (screen_rows && p.nrows)
            fill_page(&spec, BROWSE_AROUND, p.pivot, limit, &p);
        print_page(&p);
        browse_page_free(&p);
    } else if (strcmp(cmd, "goto") == 0 && arg) {
        bool found;
        if (!browse_fetch_goto(sess, &spec, arg, limit, &p, &found, &err))
            fail(err);
        printf("# found=%d\n", found);
        print_page(&p);
        browse_page_free(&p);
    } else if (strcmp(cmd, "search") == 0 && arg) {
        struct browse_hits h;
        if (!browse_fetch_search(sess, &spec, arg, 10000, &h, &err))
            fail(err);
        printf("# %s %zu\n", browse_match_name(h.how), h.n);
        for (size_t k = 0; k < h.n; k++) {
            printf("%s\t", h.ids[k]);
            print_cell(h.labels[k]);
            putchar('\n');
        }
        browse_hits_free(&h);
    } else if (strcmp(cmd, "count") == 0) {
        int64_t est, exact;
        if (!browse_fetch_count(sess, &spec, false, &est, &err)
            || !browse_fetch_count(sess, &spec, true, &exact, &err))
            fail(err);
        printf("estimate %lld\nexact %lld\n", (long long)est, (long long)exact);
        char *d = browse_filter_describe(spec.entity, &spec.filter);
        printf("filters %s\n", d);
        free(d);
    } else if (strcmp(cmd, "detail") == 0 && arg) {
        struct browse_org_detail d;
        if (!browse_fetch_org_detail(sess, arg, limit, &d, &err))
            fail(err);
        printf("found=%d\n", d.found);
        for (size_t k = 0; k < d.nfields && d.found; k++) {
            printf("%s=", d.field_names[k]);
            print_cell(d.fields[k]);
            putchar('\n');
        }
        if (d.found) {
            print_table("contacts", &d.contacts);
            print_table("interactions", &d.interactions);
            print_table("opportunities", &d.opportunities);
            print_table("contracts", &d.contracts);
            print_table("leads", &d.leads);
            printf("contact_count=%lld\ninteraction_count=%lld\nopportunity_count=%lld\n"
                   "contract_count=%lld\nlead_count=%lld\n",
                   (long long)d.contact_count, (long long)d.interaction_count,
                   (long long)d.opportunity_count, (long long)d.contract_count,
                   (long long)d.lead_count);
            printf("last_interaction=");
            print_cell(d.last_interaction);
            printf("\npipeline_value=");
            print_cell(d.pipeline_value);
            putchar('\n');
        }
        browse_org_detail_free(&d);
    } else if ((strcmp(cmd, "sql") == 0 || strcmp(cmd, "explain") == 0) && arg
               && (parse_move(arg, &move) || (strcmp(arg, "search") == 0 && i + 2 < argc))) {
        struct browse_key key;
        bool search = strcmp(arg, "search") == 0;
        bool with_key = !search
                        && (move == BROWSE_NEXT || move == BROWSE_PREV || move == BROWSE_AROUND);
        if (with_key) {
            if (i + 2 >= argc)
                usage();
            key_of(&spec, argv[i + 2], &key);
        }
        struct browse_query q;
        if (search ? !browse_build_search(&q, &spec, argv[i + 2], BROWSE_SEARCH_HITS, &err)
                   : !browse_build_page(&q, &spec, move, with_key ? &key : NULL, limit, &err))
            fail(err);
        if (cmd[0] == 's') {
            printf("%s\n", q.sql);
            for (int k = 0; k < q.nparams; k++)
                printf("$%d = %s\n", k + 1, q.params[k] ? q.params[k] : "NULL");
        } else {
            char *sql = xasprintf("EXPLAIN (ANALYZE, BUFFERS) %s", q.sql);
            PGresult *res = pg_exec(conn, &err, sql, q.nparams, browse_query_params(&q));
            if (!res)
                fail(err);
            for (int r = 0; r < PQntuples(res); r++)
                printf("%s\n", PQgetvalue(res, r, 0));
            PQclear(res);
            free(sql);
        }
        browse_query_free(&q);
        if (with_key)
            browse_key_free(&key);
    } else if (strcmp(cmd, "sizes") == 0) {
        printf("page_rows %d\nsearch_hits %d\ndetail_rows %d\nscreen_rows %d\n",
               BROWSE_PAGE_ROWS, BROWSE_SEARCH_HITS, BROWSE_DETAIL_ROWS, BROWSE_SCREEN_ROWS);
    } else if (strcmp(cmd, "bench") == 0 && arg) {
        bench_only = i + 2 < argc ? argv[i + 2] : NULL;
        rc = bench(&spec, limit, atoi(arg));
    } else {
        usage();
    }
    browse_session_free(sess);
    PQfinish(conn);
    return rc;
}
