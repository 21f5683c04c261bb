/* list_pane.c - the Organizations and Contacts panes (see list_pane.h):
 * the model, keyset paging on the shared connection, the keys, the
 * session.
 *
 * Lists hold one page: a key press that leaves the page asks the database
 * for the next one by keyset (WHERE (sort, id) > (last row's sort, id)),
 * asynchronously, so a table of a million rows costs one page of memory
 * and one indexed query per page.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "list_pane.h"
#include "export_job.h"
#include "fault.h"
#include "form.h"
#include "state.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pane_ops list_pane_ops;

struct list_view *list_pane_view(struct pane *p)
{
    return p && p->ops == &list_pane_ops ? &((struct list_pane *)p)->l : NULL;
}

bool list_shown(const struct list_pane *lp)
{
    return lp->base.app->current == &lp->base;
}

static bool is_orgs(const struct list_pane *lp)
{
    return lp->l.spec.entity == BROWSE_ORGS;
}

/* ---- the queries ------------------------------------------------------------- */

static void send(struct list_pane *lp, enum list_query what, enum browse_move move)
{
    if (app_send(lp->base.app, &lp->base, what))
        lp->pending_move = move;
}

/* The first query of a page or a search asks for what the screen shows
 * and a margin; the rest comes in the background (fill). */
static size_t screen_rows(const struct list_pane *lp)
{
    size_t n = lp->page_rows > 0 ? (size_t)lp->page_rows + BROWSE_SCREEN_MARGIN : BROWSE_SCREEN_ROWS;
    return n < BROWSE_PAGE_ROWS ? n : BROWSE_PAGE_ROWS;
}

/* The fill of this list pane in flight, if the query slot holds one. */
static struct list_pane *fill_owner(struct app *app)
{
    if (!app->busy || !app->q_owner || !list_pane_view(app->q_owner))
        return NULL;
    enum list_query k = LQ_KIND(app->q_tag);
    return k == LQ_FILL || k == LQ_HITS || k == LQ_WARM ? (struct list_pane *)app->q_owner : NULL;
}

bool list_preempt_fill(struct app *app)
{
    struct list_pane *owner = fill_owner(app);
    if (!owner)
        return false;
    if (!owner->fill_dropped) {
        owner->fill_dropped = true;
        /* The answer is dropped whatever it is; cancelling spares the
         * wait when the database is slow (a lock) and is harmless when
         * the fill is done already: an idle session ignores it. Should it
         * reach the query sent next, whichever pane's, app_on_readable
         * sends that again. */
        app_cancel_query(app);
    }
    return true;
}

/* A key asked for a query while a fill ran: it is sent as soon as the
 * cancelled fill has answered (retry). */
static void pend(struct list_pane *lp, int kind, enum browse_move move, const struct browse_key *key,
                 const char *text)
{
    struct list_pend *pd = &lp->pend;
    /* A search or the details typed after a page that is still to be
     * asked (a sort, Home, End, a jump such as n) come after it:
     * replacing it would leave the header on the new sort over the old
     * rows, or open the details of the row the jump was to leave. The
     * last such key typed wins; a later page or jump keeps it for after
     * itself. */
    if ((kind == PEND_SEARCH || kind == PEND_DETAIL)
        && (pd->kind == PEND_FETCH || pd->kind == PEND_GOTO))
        pd = &lp->pend_then;
    browse_key_free(&pd->key);
    memset(pd, 0, sizeof *pd);
    pd->kind = kind;
    pd->move = move;
    if (key) {
        pd->has_key = true;
        pd->key.n = key->n;
        for (size_t i = 0; i < key->n; i++)
            pd->key.v[i] = key->v[i] ? xstrdup(key->v[i]) : NULL;
    }
    if (text)
        snprintf(pd->text, sizeof pd->text, "%s", text);
    pd->goto_pending = lp->l.goto_pending;
    lp->l.loading = kind == PEND_FETCH || kind == PEND_GOTO || lp->l.loading;
}

/* A new search is on its way (sent, or waiting for the connection): its
 * first match comes by itself, and n or N would move among the old
 * search's matches. */
static bool search_coming(const struct list_pane *lp)
{
    const struct app *app = lp->base.app;
    return lp->pend.kind == PEND_SEARCH || lp->pend_then.kind == PEND_SEARCH
           || (app->busy && app->q_owner == &lp->base && LQ_KIND(app->q_tag) == LQ_SEARCH);
}

/* Asks for a page: FIRST/LAST from an end, NEXT/PREV after the last or
 * before the first row shown, AROUND the row of key (goto, sort change). */
void list_fetch(struct list_pane *lp, enum browse_move move, const struct browse_key *key)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    if (app->busy) {
        struct list_pane *filler = fill_owner(app);
        if (filler == lp && LQ_KIND(app->q_tag) == LQ_FILL && !lp->fill_dropped
            && move == app->q.move && !key) {
            /* scrolled into rows the fill in flight brings: wait for them
             * (the carry says how far), the header saying loading */
            l->loading = true;
            return;
        }
        if (filler) {
            list_preempt_fill(app);
            pend(lp, PEND_FETCH, move, key, NULL);
            return;
        }
        /* One query at a time. Paging keys are carried (see carry); a
         * reload, re-sort or jump is redone once the current query ends,
         * so the rows never disagree with the header. */
        if (move == BROWSE_FIRST || move == BROWSE_LAST || (move == BROWSE_AROUND && key)) {
            /* Home, End or a jump typed while a sort's page was on its
             * way: asked for as soon as that page is in (the last one
             * typed wins), not lost to a reload of the old position */
            pend(lp, PEND_FETCH, move, key, NULL);
        } else if (move != BROWSE_NEXT && move != BROWSE_PREV) {
            l->stale = true;
            l->loading = true;
        }
        return;
    }
    struct browse_key edge = {0};
    if (!key && (move == BROWSE_NEXT || move == BROWSE_PREV)) {
        if (l->page.nrows == 0)
            move = BROWSE_FIRST;
        else
            browse_key_from_row(l->spec.sort, l->page.rows[move == BROWSE_NEXT ? l->page.nrows - 1 : 0],
                                &edge);
        key = &edge;
    }
    char *err = NULL;
    if (!browse_build_screen(&app->q, &l->spec, move, key, screen_rows(lp), &err)) {
        ui_status(app, " %s", err);
        free(err);
    } else {
        send(lp, LQ_PAGE, move);
        l->loading = move != BROWSE_NEXT && move != BROWSE_PREV;
    }
    browse_key_free(&edge);
}

static void list_count(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    char *err = NULL;
    if (app->busy || !browse_build_count(&app->q, &lp->l.spec, false, &err)) {
        free(err);
        return;
    }
    send(lp, LQ_COUNT, BROWSE_FIRST);
}

void list_reload(struct list_pane *lp)
{
    lp->l.estimate = -1;
    list_fetch(lp, BROWSE_FIRST, NULL);
}

/* Re-sorts keeping the cursor on the same row: the row's key under the new
 * sort comes from its own cells, so one page-around query does it. */
void list_resort(struct list_pane *lp, enum browse_sort sort, bool desc)
{
    struct list_view *l = &lp->l;
    l->spec.sort = sort;
    l->spec.desc = desc;
    if (l->page.nrows == 0) {
        list_reload(lp);
        return;
    }
    struct browse_key key = {0};
    browse_key_from_row(sort, l->page.rows[l->selected], &key);
    list_fetch(lp, BROWSE_AROUND, &key);
    browse_key_free(&key);
}

/* Jumps to a row by id or legacy id: a lookup, then the page around it. */
void list_goto(struct list_pane *lp, const char *text)
{
    struct app *app = lp->base.app;
    char *err = NULL;
    if (app->busy) {
        /* one query at a time: a fill in flight is cancelled, anything
         * else ends first, and the jump waits for it (n, N, Enter on a
         * contact: typed on purpose, never lost) */
        list_preempt_fill(app);
        lp->l.goto_pending = true;
        pend(lp, PEND_GOTO, BROWSE_AROUND, NULL, text);
        return;
    }
    /* where the sort's keyset is never NULL, one round trip: the page
     * around the row, its keyset read from the row inside the query; else
     * the row first, then the page around its keyset */
    bool one = browse_sort_not_null(lp->l.spec.sort);
    if (!(one ? browse_build_around_id(&app->q, &lp->l.spec, text, screen_rows(lp), true, &err)
              : browse_build_lookup(&app->q, lp->l.spec.entity, text, &err))) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    send(lp, one ? LQ_GOTO : LQ_LOOKUP, BROWSE_AROUND);
    lp->l.loading = true;
    lp->l.goto_pending = true;
}

/* What the match line adds about how the hits were found: a search of
 * several words that no name holds all of fell back to one of them. */
static const char *match_note(const struct list_view *l, char *buf, size_t size)
{
    char word[128];
    size_t nw = browse_search_drive_word(l->search, word, sizeof word);
    if (l->hits.how == BROWSE_MATCH_SIMILAR)
        snprintf(buf, size, "; no name has these words: near spellings");
    else if (l->hits.how == BROWSE_MATCH_SUBSTRING && nw > 1)
        snprintf(buf, size, "; no name has every word: names with a word containing '%s'", word);
    else if (l->hits.how == BROWSE_MATCH_SUBSTRING)
        snprintf(buf, size, "; inside words");
    else
        buf[0] = '\0';
    return buf;
}

static void goto_hit(struct list_pane *lp)
{
    struct list_view *l = &lp->l;
    if (l->hits.n == 0 || search_coming(lp))
        return;
    char note[200];
    ui_status(lp->base.app, " match %zu of %zu%s for '%s' (%s)%s", l->hit + 1, l->hits.n,
              lp->hits_want ? "+" : "", l->search,
              l->hits.labels && l->hits.labels[l->hit] ? l->hits.labels[l->hit] : "",
              match_note(l, note, sizeof note));
    list_goto(lp, l->hits.ids[l->hit]);
    l->goto_pending = false; /* the match line already says where we are */
    lp->pend.goto_pending = false;
}

void list_search(struct list_pane *lp, const char *term)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    if (!*term)
        return;
    if (app->busy) {
        list_preempt_fill(app);
        pend(lp, PEND_SEARCH, BROWSE_FIRST, NULL, term);
        return;
    }
    snprintf(l->search, sizeof l->search, "%s", term);
    char *err = NULL;
    /* the first screenful of hits: the first is shown at once, the rest
     * (up to BROWSE_SEARCH_HITS, for n / N) comes in the background */
    if (!browse_build_search(&app->q, &l->spec, term, screen_rows(lp), &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    send(lp, LQ_SEARCH, BROWSE_FIRST);
}

static void search_op(struct pane *p, const char *term)
{
    list_search((struct list_pane *)p, term);
}

static void open_detail(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    if (l->page.nrows == 0)
        return;
    if (app->busy) {
        /* Enter while a query runs (a count, a page, another pane's):
         * the details open once it ends, a fill being cancelled first */
        list_preempt_fill(app);
        pend(lp, PEND_DETAIL, BROWSE_FIRST, NULL, NULL);
        return;
    }
    char **row = l->page.rows[l->selected];
    char *err = NULL;
    if (!is_orgs(lp)) {
        /* A contact's Enter jumps to its organization; 1 comes back. */
        struct pane *orgs = app_pane(app, "orgs");
        if (!orgs || orgs->ops != &list_pane_ops)
            return;
        struct list_pane *olp = (struct list_pane *)orgs;
        olp->detail_open = false;
        app->current = orgs;
        list_goto(olp, row[BROWSE_CONTACT_ORG_ID]);
        return;
    }
    if (!browse_build_org_detail(&app->q, row[BROWSE_ORG_ID], BROWSE_DETAIL_ROWS, &err)) {
        ui_status(app, " %s", err);
        free(err);
        return;
    }
    send(lp, LQ_DETAIL, BROWSE_FIRST);
}

/* ---- the answers ------------------------------------------------------------- */

static void on_page(struct list_pane *lp, const struct browse_query *q, PGresult *res)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    l->loading = l->stale;
    struct browse_page page = {0};
    char *err = NULL;
    if (!browse_parse_page(q, res, &page, &err)) {
        ui_status(app, " %s", err);
        free(err);
        l->carry = 0;
        return;
    }
    enum browse_move move = lp->pending_move;
    if (page.nrows == 0 && (move == BROWSE_NEXT || move == BROWSE_PREV)) {
        /* Nothing further that way: stay on this page. */
        if (move == BROWSE_NEXT)
            l->page.at_end = true;
        else
            l->page.at_start = true;
        l->carry = 0;
        browse_page_free(&page);
        return;
    }
    /* Where the new page sits in the whole list, when paging from a known
     * place tells (keyset pages have no OFFSET to ask). */
    if (move == BROWSE_FIRST)
        l->offset = 0;
    else if (move == BROWSE_NEXT && l->offset >= 0)
        l->offset += (int64_t)l->page.nrows;
    else if (move == BROWSE_PREV && l->offset >= 0)
        l->offset = l->offset >= (int64_t)page.nrows ? l->offset - (int64_t)page.nrows : -1;
    else
        l->offset = page.at_start ? 0 : -1;
    size_t kept = 0, view_top = l->top;
    if (move == BROWSE_NEXT && l->page.nrows) {
        /* The rows of the old page from the view's top on stay above the
         * new ones, so that the view goes on from where it was: a PgDn
         * past the page's end would otherwise skip the rows below it. */
        size_t k = l->top < l->page.nrows ? l->top : l->page.nrows;
        struct browse_page tail = {.ncols = l->page.ncols, .nrows = l->page.nrows - k, .focus = -1};
        tail.rows = xcalloc(tail.nrows + 1, sizeof *tail.rows);
        memcpy(tail.rows, l->page.rows + k, tail.nrows * sizeof *tail.rows);
        tail.at_start = k == 0 && l->page.at_start;
        l->page.nrows = k; /* the head alone is freed below */
        kept = browse_page_merge(&page, &tail, BROWSE_PREV);
        if (l->offset >= 0)
            l->offset = l->offset >= (int64_t)kept ? l->offset - (int64_t)kept : -1;
        view_top -= k;
    }
    browse_page_free(&l->page);
    l->page = page;
    l->loaded = true;
    lp->gen++;
    lp->fill_origin = move;
    lp->fill_want = q->limit < BROWSE_PAGE_ROWS;
    size_t n = page.nrows, rows = (size_t)lp->page_rows;
    switch (move) {
    case BROWSE_NEXT: {
        long at = (long)kept + (l->carry > 0 ? l->carry - 1 : 0);
        l->selected = at < (long)n ? (size_t)at : (n ? n - 1 : 0);
        l->top = view_top;
        break;
    }
    case BROWSE_PREV: {
        long back = l->carry < 0 ? -l->carry - 1 : 0;
        l->selected = n > (size_t)back ? n - 1 - (size_t)back : 0;
        l->top = n > rows ? n - rows : 0;
        break;
    }
    case BROWSE_LAST:
        l->selected = n ? n - 1 : 0;
        l->top = n > rows ? n - rows : 0;
        break;
    case BROWSE_AROUND:
        if (page.focus >= 0) {
            l->selected = (size_t)page.focus;
            if (l->goto_pending) {
                /* say where a goto landed: the row may already have been
                 * on screen, and the cursor move alone is easy to miss */
                char **row = page.rows[page.focus];
                if (is_orgs(lp))
                    ui_status(app, " at %s", row[BROWSE_ORG_NAME] ? row[BROWSE_ORG_NAME] : "");
                else
                    ui_status(app, " at %s %s", row[BROWSE_CONTACT_FIRST_NAME] ? row[BROWSE_CONTACT_FIRST_NAME] : "",
                              row[BROWSE_CONTACT_LAST_NAME] ? row[BROWSE_CONTACT_LAST_NAME] : "");
            }
        } else {
            /* After a delete the row is simply gone; only a goto the user
             * asked for deserves an explanation. */
            l->selected = 0;
            if (l->goto_pending)
                ui_status(app, " that row is hidden by the filters");
        }
        l->goto_pending = false;
        l->top = l->selected > rows / 2 ? l->selected - rows / 2 : 0;
        lp->fill_anchor = page.pivot;
        break;
    case BROWSE_FIRST:
    default:
        l->selected = 0;
        l->top = 0;
        break;
    }
    l->carry = 0;
}

/* The rest of the page came: in its place, the cursor and the view where
 * they were (on the same rows), or as far as the user scrolled into it
 * meanwhile (carry). */
static void on_fill(struct list_pane *lp, const struct browse_query *q, PGresult *res)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    struct browse_page f;
    char *err = NULL;
    if (!browse_parse_page(q, res, &f, &err)) {
        /* Esc, or an error: the page stays as it is; a key past its
         * rows asks for the next one as before the fill existed */
        lp->fill_want = false;
        l->loading = l->stale;
        l->carry = 0;
        ui_status(app, " the rest of the page was not read: %s", err);
        free(err);
        return;
    }
    size_t added = browse_page_merge(&l->page, &f, q->move);
    if (q->move == BROWSE_PREV) {
        l->selected += added;
        l->top += added;
        lp->fill_anchor += added;
        if (l->offset >= 0)
            l->offset = l->offset >= (int64_t)added ? l->offset - (int64_t)added : -1;
        if (l->page.at_start)
            l->offset = 0;
    }
    if (l->carry) {
        long at = (long)l->selected + l->carry, n = (long)l->page.nrows;
        l->carry = at < 0 ? at : at >= n ? at - (n - 1) : 0;
        l->selected = at < 0 ? 0 : at >= n ? (size_t)(n ? n - 1 : 0) : (size_t)at;
    }
    l->loading = l->stale || l->carry != 0;
}

/* What the background reads when the connection is free, the pane on
 * screen first: the rest of its page, then the rest of its hits, then
 * the estimate of the header. A carry the page cannot take asks for the
 * next page the ordinary way. */
static void background(struct list_pane *lp)
{
    struct app *app = lp->base.app;
    struct list_view *l = &lp->l;
    if (app->busy || worker_active(app) || app->reconnect[0] || lp->pend.kind != PEND_NONE)
        return;
    char *err = NULL;
    enum browse_move dir;
    size_t want;
    if (lp->fill_want && list_shown(lp)) {
        lp->fill_want = browse_fill_next(&l->page, lp->fill_origin, lp->fill_anchor,
                                         BROWSE_PAGE_ROWS, &dir, &want);
        if (lp->fill_want) {
            if (!browse_build_fill(&app->q, &l->spec, &l->page, dir, want, &err)) {
                lp->fill_want = false;
                free(err);
                return;
            }
            lp->fill_dropped = false;
            /* tests/console-async.sh stops here to hold a fill at the server */
            fault_point("console-fill");
            app_send(app, &lp->base, (int)(LQ_FILL | (lp->gen & 0x7ffffffu) << 4));
            return;
        }
    }
    if (l->carry && list_shown(lp)) {
        /* past the page's edge, and no fill brings the rows: the next page */
        bool down = l->carry > 0;
        if (down ? l->page.at_end : l->page.at_start)
            l->carry = 0;
        else
            list_fetch(lp, down ? BROWSE_NEXT : BROWSE_PREV, NULL);
        if (app->busy)
            return;
    }
    if (lp->hits_want && list_shown(lp)) {
        lp->hits_want = false;
        if (browse_build_search(&app->q, &l->spec, l->search, BROWSE_SEARCH_HITS, &err)) {
            lp->fill_dropped = false;
            app_send(app, &lp->base, (int)(LQ_HITS | (lp->gen & 0x7ffffffu) << 4));
            return;
        }
        free(err);
    }
    if (lp->want_count) {
        lp->want_count = false;
        list_count(lp);
        if (app->busy)
            return;
    }
    if (!lp->warm_done && list_shown(lp) && l->loaded && !l->loading) {
        /* idle, the page drawn: the next statement of the warm-up */
        if (!browse_build_warmup(&app->q, &l->spec, &l->page, screen_rows(lp), &lp->warm_step,
                                 &err)) {
            lp->warm_done = true;
            free(err);
            return;
        }
        lp->fill_dropped = false;
        app_send(app, &lp->base, LQ_WARM);
    }
}

/* All the hits came: they replace the screenful, the current hit kept. */
static void on_hits(struct list_pane *lp, const struct browse_query *q, PGresult *res)
{
    struct list_view *l = &lp->l;
    struct browse_hits h;
    char *err = NULL;
    if (!browse_parse_hits(q, res, &h, &err)) {
        free(err);
        return;
    }
    const char *cur = l->hits.n ? l->hits.ids[l->hit] : NULL;
    size_t at = l->hit < h.n ? l->hit : 0;
    for (size_t i = 0; cur && i < h.n; i++)
        if (strcmp(h.ids[i], cur) == 0) {
            at = i;
            break;
        }
    browse_hits_free(&l->hits);
    l->hits = h;
    l->hit = at;
    char note[200];
    if (strncmp(lp->base.app->status, " match ", 7) == 0 && h.n)
        ui_status(lp->base.app, " match %zu of %zu for '%s' (%s)%s", l->hit + 1, l->hits.n,
                  l->search, l->hits.labels[l->hit] ? l->hits.labels[l->hit] : "",
                  match_note(l, note, sizeof note));
}

static void on_result(struct pane *p, int tag, const struct browse_query *q, PGresult *res,
                      const char *error)
{
    struct list_pane *lp = (struct list_pane *)p;
    struct app *app = p->app;
    struct list_view *l = &lp->l;
    char *err = NULL;
    enum list_query kind = LQ_KIND(tag);
    if (kind == LQ_WARM) {
        /* its answer is of no use; an error other than our cancel (a
         * key's) ends the warm-up, which is only a saving */
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (!res || (PQresultStatus(res) != PGRES_TUPLES_OK && !(state && strcmp(state, "57014") == 0)))
            lp->warm_done = true;
        lp->fill_dropped = false;
        return;
    }
    if (kind == LQ_FILL || kind == LQ_HITS) {
        /* a fill cancelled by a key, or of a page since replaced, never shows */
        bool dropped = lp->fill_dropped || (unsigned)tag >> 4 != (lp->gen & 0x7ffffffu);
        lp->fill_dropped = false;
        if (dropped)
            return;
        if (!res) {
            lp->fill_want = false;
            ui_status(app, " %s", error);
        } else if (kind == LQ_FILL) {
            on_fill(lp, q, res);
        } else {
            on_hits(lp, q, res);
        }
        return;
    }
    if (!res) {
        ui_status(app, " %s", error);
        return;
    }
    switch (kind) {
    case LQ_FILL:
    case LQ_HITS:
    case LQ_WARM:
        break;
    case LQ_GOTO:
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
            /* no row around: there is no such row (or nothing passes the
             * filters): the list stays as it is */
            l->loading = l->stale;
            l->goto_pending = false;
            ui_status(app, " no such row");
            break;
        }
        /* fall through */
    case LQ_PAGE:
        on_page(lp, q, res);
        lp->want_count = l->estimate < 0;
        break;
    case LQ_COUNT: {
        int64_t n;
        if (browse_parse_count(q, res, &n, &err))
            l->estimate = n;
        free(err);
        break;
    }
    case LQ_SEARCH:
        browse_hits_free(&l->hits);
        lp->hits_want = false;
        if (!browse_parse_hits(q, res, &l->hits, &err)) {
            ui_status(app, " %s", err);
            free(err);
        } else if (l->hits.n == 0) {
            ui_status(app, " no match for '%s'", l->search);
        } else {
            l->hit = 0;
            lp->gen++;
            /* as many answers as asked (before a name met twice was
             * dropped): there may be more */
            lp->hits_want = q->limit < BROWSE_SEARCH_HITS && (size_t)PQntuples(res) >= q->limit;
            ui_status(app, " %zu%s %s match%s for '%s' (n/N to move)", l->hits.n,
                      lp->hits_want ? "+" : "", browse_match_name(l->hits.how),
                      l->hits.n == 1 ? "" : "es", l->search);
            goto_hit(lp);
        }
        break;
    case LQ_LOOKUP: {
        struct browse_page found = {0};
        if (!browse_parse_page(q, res, &found, &err) || found.nrows == 0) {
            l->loading = false;
            ui_status(app, " %s", err ? err : "no such row");
            free(err);
            browse_page_free(&found);
            break;
        }
        struct browse_key key = {0};
        browse_key_from_row(l->spec.sort, found.rows[0], &key);
        browse_page_free(&found);
        list_fetch(lp, BROWSE_AROUND, &key);
        browse_key_free(&key);
        break;
    }
    case LQ_DETAIL: {
        bool again = lp->detail_open; /* a refresh keeps the scroll */
        browse_org_detail_free(&lp->detail);
        if (!browse_parse_org_detail(q, res, &lp->detail, &err) || !lp->detail.found) {
            lp->detail_open = false;
            ui_status(app, " %s", err ? err : "the organization is gone");
            free(err);
        } else {
            lp->detail_open = true;
            if (!again)
                lp->detail_top = 0;
        }
        break;
    }
    }
}

/* What a key asked while a fill ran, now that the fill is gone. */
static void run_pend(struct list_pane *lp)
{
    struct list_pend pd = lp->pend;
    lp->pend = lp->pend_then;   /* the next turn's */
    memset(&lp->pend_then, 0, sizeof lp->pend_then);
    switch (pd.kind) {
    case PEND_FETCH:
        list_fetch(lp, pd.move, pd.has_key ? &pd.key : NULL);
        break;
    case PEND_GOTO:
        list_goto(lp, pd.text);
        lp->l.goto_pending = pd.goto_pending;
        break;
    case PEND_SEARCH:
        list_search(lp, pd.text);
        break;
    case PEND_DETAIL:
        open_detail(lp);
        break;
    case PEND_NONE:
        break;
    }
    browse_key_free(&pd.key);
}

/* A reload, re-sort or jump asked for while the connection was busy. */
static void retry(struct pane *p)
{
    struct list_pane *lp = (struct list_pane *)p;
    if (lp->pend.kind != PEND_NONE && !p->app->busy) {
        run_pend(lp);
        return;
    }
    if (lp->l.stale) {
        lp->l.stale = false;
        list_resort(lp, lp->l.spec.sort, lp->l.spec.desc);
    }
}

static void follow_up(struct pane *p)
{
    struct list_pane *lp = (struct list_pane *)p;
    struct app *app = p->app;
    /* Details open over a list that was just reloaded (a save, r): read
     * them again for the row the list now shows. */
    if (lp->detail_reload && !app->busy && !lp->l.loading) {
        lp->detail_reload = false;
        if (lp->detail_open && list_shown(lp))
            open_detail(lp);
    }
    background(lp);
}

/* ---- keys ------------------------------------------------------------------ */

void list_refresh(struct list_pane *lp, const char *id)
{
    struct list_view *l = &lp->l;
    l->estimate = -1;
    if (id) {
        /* after a save the row may have moved in the sort: follow it */
        list_goto(lp, id);
        l->goto_pending = false; /* a row we just saved is no news */
        lp->pend.goto_pending = false;
    } else {
        list_resort(lp, l->spec.sort, l->spec.desc);
    }
    lp->detail_reload = lp->detail_open;
}

static void reload_op(struct pane *p, const char *id)
{
    list_refresh((struct list_pane *)p, id);
}

static void enter(struct pane *p)
{
    struct list_pane *lp = (struct list_pane *)p;
    lp->detail_open = false;
    if (lp->l.loaded)
        return;
    if (lp->restore_id && *lp->restore_id) {
        /* The saved session's row comes back through a goto; coming back
         * where we were is no news (and must not cover the answer to a
         * key typed while the page loads). */
        list_goto(lp, lp->restore_id);
        lp->l.goto_pending = false;
        lp->pend.goto_pending = false;
    } else {
        list_reload(lp);
    }
    free(lp->restore_id);
    lp->restore_id = NULL;
}

static void list_move(struct list_pane *lp, long delta)
{
    struct list_view *l = &lp->l;
    long target = (long)l->selected + delta;
    if (target < 0) {
        /* Keep the motion: the fetched page is entered as far as the user
         * went past the edge, also when keys arrive while it loads. */
        if (!l->page.at_start) {
            l->carry += target;
            list_fetch(lp, BROWSE_PREV, NULL);
        }
        target = 0;
    } else if (target >= (long)l->page.nrows) {
        if (!l->page.at_end) {
            l->carry += target - (long)l->page.nrows + 1;
            list_fetch(lp, BROWSE_NEXT, NULL);
        }
        target = l->page.nrows ? (long)l->page.nrows - 1 : 0;
    }
    l->selected = (size_t)target;
}

static const char *writes(struct pane *p, enum action a, bool shown)
{
    (void)p;
    if (shown && (a == ACT_EDIT || a == ACT_NEW || a == ACT_DELETE || a == ACT_LOG))
        return "editing";
    return NULL;
}

/* The details' keys: scrolling, closing, reading again. */
static void detail_action(struct list_pane *lp, enum action a)
{
    size_t page = (size_t)lp->page_rows;
    if (a == ACT_UP && lp->detail_top > 0)
        lp->detail_top--;
    else if (a == ACT_DOWN)
        lp->detail_top++;
    else if (a == ACT_PAGE_DOWN)
        lp->detail_top += page;
    else if (a == ACT_PAGE_UP)
        lp->detail_top = lp->detail_top > page ? lp->detail_top - page : 0;
    else if (a == ACT_TOP)
        lp->detail_top = 0;
    else if (a == ACT_BOTTOM)
        lp->detail_top = SIZE_MAX / 2; /* the drawing stops it at the last screenful */
    else if (a == ACT_BACK || a == ACT_OPEN)
        lp->detail_open = false;
    else if (a == ACT_REFRESH) {
        /* the list under it too: a name or a sort key may have changed */
        list_refresh(lp, NULL);
        ui_status(lp->base.app, " reloading the details");
    }
}

static bool action(struct pane *p, enum action a, bool shown)
{
    struct list_pane *lp = (struct list_pane *)p;
    struct list_view *l = &lp->l;
    struct app *app = p->app;
    if (!shown || a == ACT_MIG_START || a == ACT_MIG_PAUSE || a == ACT_MIG_ABORT || a == ACT_MIG_ASSESS)
        return false;
    char **org = is_orgs(lp) && l->page.nrows ? l->page.rows[l->selected] : NULL;
    if (!is_orgs(lp) && (a == ACT_EDIT || a == ACT_NEW || a == ACT_DELETE || a == ACT_LOG)) {
        /* said, not silently ignored: the forms are the organizations' */
        ui_status(app, " contacts are changed through their organization: Enter goes to it");
        return true;
    }
    switch (a) {
    case ACT_EDIT:
        if (org)
            form_open_edit(app, org[BROWSE_ORG_ID]);
        return true;
    case ACT_NEW:
        if (is_orgs(lp))
            form_open_new(app);
        return true;
    case ACT_DELETE:
        if (app->confirm == ACT_DELETE) /* the y of the question */
            list_do_delete(lp);
        else
            list_ask_delete(lp);
        return true;
    case ACT_LOG:
        if (org)
            form_open_log(app, org[BROWSE_ORG_ID], org[BROWSE_ORG_NAME]);
        return true;
    default:
        break;
    }
    if (lp->detail_open) {
        detail_action(lp, a);
        return true;
    }
    long page = lp->page_rows > 1 ? lp->page_rows - 1 : 1;
    switch (a) {
    case ACT_UP: list_move(lp, -1); break;
    case ACT_DOWN: list_move(lp, 1); break;
    /* A page key scrolls the view by a page and the cursor with it, from
     * the first press (as less, pspg and htop do), not just the cursor to
     * the edge of the screen; drawing clamps the view to the rows there. */
    case ACT_PAGE_UP:
        l->top = l->top > (size_t)page ? l->top - (size_t)page : 0;
        list_move(lp, -page);
        break;
    case ACT_PAGE_DOWN:
        l->top += (size_t)page;
        list_move(lp, page);
        break;
    case ACT_TOP: list_fetch(lp, BROWSE_FIRST, NULL); break;
    case ACT_BOTTOM: list_fetch(lp, BROWSE_LAST, NULL); break;
    case ACT_REFRESH: list_reload(lp); break;
    case ACT_OPEN: open_detail(lp); break;
    case ACT_SORT_NEXT: {
        enum browse_sort next = l->spec.sort;
        do
            next = (enum browse_sort)((next + 1) % BROWSE_NSORTS);
        while (browse_sort_entity(next) != l->spec.entity);
        list_resort(lp, next, l->spec.desc);
        break;
    }
    case ACT_SORT_REVERSE:
        list_resort(lp, l->spec.sort, !l->spec.desc);
        break;
    case ACT_SCROLL_RIGHT: {
        size_t n;
        list_columns(lp, &n);
        if (l->hscroll + 2 < n)
            l->hscroll++;
        break;
    }
    case ACT_SCROLL_LEFT:
        if (l->hscroll > 0)
            l->hscroll--;
        break;
    case ACT_NEXT_HIT:
    case ACT_PREV_HIT:
        if (search_coming(lp)) {
            ui_status(app, " a new search is on its way");
            break;
        }
        if (l->hits.n == 0) {
            ui_status(app, " no search: press / to search");
            break;
        }
        l->hit = a == ACT_NEXT_HIT ? (l->hit + 1) % l->hits.n : (l->hit + l->hits.n - 1) % l->hits.n;
        goto_hit(lp);
        break;
    default:
        break;
    }
    return true;
}

/* ---- session ----------------------------------------------------------------- */

static void save_session(struct pane *p, struct state *st)
{
    struct list_view *l = &((struct list_pane *)p)->l;
    char *err = NULL;
    char nk[400], val[LIST_MAX_FILTERS * 130];
    snprintf(val, sizeof val, "%s%s", l->spec.desc ? "-" : "", browse_sort_name(l->spec.sort));
    state_session_put(st, app_session_key(p, "sort", nk, sizeof nk), val, &err);
    val[0] = '\0';
    for (size_t k = 0; k < l->nfilters; k++) {
        strncat(val, l->filters[k], sizeof val - strlen(val) - 2);
        strncat(val, "\n", sizeof val - strlen(val) - 1);
    }
    state_session_put(st, app_session_key(p, "filters", nk, sizeof nk), val, &err);
    const char *id = l->page.nrows ? l->page.rows[l->selected][0] : "";
    state_session_put(st, app_session_key(p, "selected", nk, sizeof nk), id ? id : "", &err);
    state_session_put(st, app_session_key(p, "search", nk, sizeof nk), l->search, &err);
    free(err);
}

static void restore_session(struct pane *p, struct state *st, bool shown)
{
    struct list_pane *lp = (struct list_pane *)p;
    struct list_view *l = &lp->l;
    char nk[400];
    char *v = state_session_get(st, app_session_key(p, "sort", nk, sizeof nk));
    enum browse_sort s;
    if (v && browse_sort_find(l->spec.entity, v + (*v == '-'), &s)) {
        l->spec.sort = s;
        l->spec.desc = *v == '-';
    }
    free(v);
    v = state_session_get(st, app_session_key(p, "filters", nk, sizeof nk));
    for (char *save = NULL, *f = v ? strtok_r(v, "\n", &save) : NULL; f; f = strtok_r(NULL, "\n", &save))
        list_filter_restore(l, f);
    free(v);
    v = state_session_get(st, app_session_key(p, "search", nk, sizeof nk));
    if (v)
        snprintf(l->search, sizeof l->search, "%s", v);
    free(v);
    /* Only the list on screen comes back to its row; the others load
     * from the top when first shown. */
    if (shown)
        lp->restore_id = state_session_get(st, app_session_key(p, "selected", nk, sizeof nk));
}

/* ---- the pane -------------------------------------------------------------------- */

/* An ':export' runs on its own thread: its count and its end are
 * shown from here. */
static void tick(struct pane *p, double now, bool shown)
{
    (void)now, (void)shown;
    struct list_pane *lp = (struct list_pane *)p;
    if (lp->export && export_job_tick(lp->export)) {
        export_job_free(lp->export);
        lp->export = NULL;
    }
    /* a pane shown again, a job that gave the connection back: the
     * background goes on */
    if (lp->pend.kind != PEND_NONE && !p->app->busy && !worker_active(p->app))
        run_pend(lp);
    background(lp);
}

static bool cancel_op(struct pane *p)
{
    struct list_pane *lp = (struct list_pane *)p;
    if (!lp->export)
        return false;
    export_job_cancel(lp->export);
    return true;
}

static const char *quit_question(struct pane *p)
{
    return ((struct list_pane *)p)->export
           ? " an export is running (quitting stops it and removes its partial file); quit? y/n" : NULL;
}

static void free_op(struct pane *p)
{
    struct list_pane *lp = (struct list_pane *)p;
    export_job_free(lp->export);
    browse_page_free(&lp->l.page);
    browse_hits_free(&lp->l.hits);
    browse_org_detail_free(&lp->detail);
    browse_key_free(&lp->pend.key);
    browse_key_free(&lp->pend_then.key);
    free(lp->delete_id);
    free(lp->delete_token);
    free(lp->restore_id);
    free(lp);
}

static void keys_hint(struct pane *p, char *buf, size_t size)
{
    struct list_pane *lp = (struct list_pane *)p;
    char search[16], cmd[16], open[16], edit[16];
    keymap_key_name(ACT_SEARCH, search, sizeof search);
    keymap_key_name(ACT_COMMAND, cmd, sizeof cmd);
    keymap_key_name(ACT_OPEN, open, sizeof open);
    keymap_key_name(ACT_EDIT, edit, sizeof edit);
    if (!is_orgs(lp))
        snprintf(buf, size, "%s Search  %s Command  %s Organization", search, cmd, open);
    else if (p->app->read_only)
        snprintf(buf, size, "%s Search  %s Command  %s Details", search, cmd, open);
    else
        snprintf(buf, size, "%s Search  %s Command  %s Details  %s Edit", search, cmd, open, edit);
}

static const struct pane_ops list_pane_ops = {
    .free = free_op,
    .enter = enter,
    .draw = list_draw,
    .action = action,
    .writes = writes,
    .on_result = on_result,
    .retry = retry,
    .follow_up = follow_up,
    .reload = reload_op,
    .command = list_command,
    .keys_hint = keys_hint,
    .search = search_op,
    .tick = tick,
    .cancel = cancel_op,
    .quit_question = quit_question,
    .save_session = save_session,
    .restore_session = restore_session,
};

static struct pane *list_new(struct app *app, enum browse_entity e, const char *id, const char *title,
                             enum action key)
{
    struct list_pane *lp = xcalloc(1, sizeof *lp);
    lp->base = (struct pane){&list_pane_ops, app, id, title, key};
    lp->l.title = title;
    browse_spec_init(&lp->l.spec, e);
    lp->l.estimate = -1;
    return &lp->base;
}

struct pane *list_pane_orgs_new(struct app *app)
{
    return list_new(app, BROWSE_ORGS, "orgs", "Organizations", ACT_PANE_ORGS);
}

struct pane *list_pane_contacts_new(struct app *app)
{
    return list_new(app, BROWSE_CONTACTS, "contacts", "Contacts", ACT_PANE_CONTACTS);
}
