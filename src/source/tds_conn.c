/* tds_conn.c - the SQL Server source's side of db-lib: the process-wide
 * error and message handlers, which find a connection's diagnostics through
 * dbsetuserdata (or, while dbopen runs, a thread-local pointer), and running
 * a batch with its rows decoded (see tds_private.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tds_private.h"
#include "sanitize.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics from db-lib's global handlers ----------------------- */


static _Thread_local struct tds_diag *tls_diag; /* while dbopen runs */

static struct tds_diag *diag_of(DBPROCESS *db)
{
    struct tds_diag *g = db ? (struct tds_diag *)dbgetuserdata(db) : NULL;
    return g ? g : tls_diag;
}

void tds_diag_reset(struct tds_diag *g)
{
    memset(g, 0, sizeof *g);
}

static int err_handler(DBPROCESS *db, int severity, int dberr, int oserr, char *dberrstr,
                       char *oserrstr)
{
    (void)severity;
    struct tds_diag *g = diag_of(db);
    if (dberr == SYBETIME) {
        /* INT_TIMEOUT: db-lib sends ATTENTION, the call fails, and the
         * DBPROCESS stays usable; INT_CANCEL would mark it dead. While
         * logging in (no user data yet) there is nothing to keep: give up. */
        if (g)
            g->timed_out = true;
        bool login = !db || !dbgetuserdata(db);
        return login ? INT_CANCEL : INT_TIMEOUT;
    }
    if (g && dberr != SYBESMSG && !g->dberr) {
        g->dberr = dberr;
        snprintf(g->dbmsg, sizeof g->dbmsg, "%s", dberrstr ? dberrstr : "");
        if (oserr != DBNOERR && oserr != 0 && oserrstr)
            snprintf(g->osmsg, sizeof g->osmsg, "%s", oserrstr);
    }
    return INT_CANCEL;
}

static int msg_handler(DBPROCESS *db, DBINT msgno, int state, int severity, char *text,
                       char *server, char *proc, int line)
{
    (void)server, (void)proc, (void)line;
    if (severity <= 10) /* 5701 "changed database context" and other notes */
        return 0;
    struct tds_diag *g = diag_of(db);
    if (g && !g->msgno) {
        g->msgno = (int)msgno;
        g->severity = severity;
        g->state = state;
        snprintf(g->msg, sizeof g->msg, "%s", text ? text : "");
    }
    return 0;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;

static void tds_init(void)
{
    init_ok = dbinit() == SUCCEED;
    if (init_ok) {
        dberrhandle(err_handler);
        dbmsghandle(msg_handler);
    }
}

bool tds_dblib_init(void)
{
    pthread_once(&init_once, tds_init);
    return init_ok;
}

DBPROCESS *tds_dbopen(LOGINREC *login, const char *server, struct tds_diag *diag)
{
    tds_diag_reset(diag);
    tls_diag = diag;
    DBPROCESS *db = dbopen(login, server);
    tls_diag = NULL;
    return db;
}


static char *tds_diag_text_raw(const struct tds_source *s)
{
    const struct tds_diag *g = &s->diag;
    if (g->msgno)
        return xasprintf("SQL Server error %d (severity %d, state %d): %s", g->msgno,
                         g->severity, g->state, g->msg);
    if (g->timed_out)
        return xasprintf("the query timed out after %d s and was cancelled (timeout=SECONDS in "
                         "the locator changes the limit)", s->timeout);
    if (g->dberr)
        return xasprintf("db-lib error %d: %s%s%s", g->dberr, g->dbmsg,
                         g->osmsg[0] ? ": " : "", g->osmsg);
    return xstrdup("db-lib call failed without a message");
}

/* The server's messages quote names and values of the source ("Conversion
 * failed when converting the nvarchar value '...'"), and they end up on a
 * terminal: made safe here, once, with the sanitizer's visible forms. */
char *tds_diag_text(const struct tds_source *s)
{
    char *raw = tds_diag_text_raw(s);
    struct strbuf b;
    sb_init(&b);
    sanitize_text(raw, strlen(raw), SANITIZE_UTF8, &b);
    free(raw);
    return sb_detach(&b);
}

char *tds_error(const struct tds_source *s, const char *what)
{
    const struct tds_diag *g = &s->diag;
    bool dead = s->db && dbdead(s->db);
    /* db-lib marks the connection dead at an EOF from the server without
     * calling the error handler: say what happened, not "no message". */
    if (dead && !g->msgno && !g->timed_out && !g->dberr)
        return xasprintf("%s: the connection to SQL Server is lost (the server closed it or the "
                         "network failed)", what);
    char *d = tds_diag_text(s);
    char *m = xasprintf("%s: %s%s", what, d, dead ? " (the connection is lost)" : "");
    free(d);
    return m;
}


/* ---- running a batch ------------------------------------------------- */

int tds_run_sql(struct tds_source *s, const char *sql, const enum vk *kinds, size_t nkinds,
                   tds_rows_fn fn, void *ctx, const char *what, char **err)
{
    tds_diag_reset(&s->diag);
    if (dbdead(s->db)) {
        *err = xasprintf("%s: the connection to SQL Server is lost", what);
        return -1;
    }
    if (dbcmd(s->db, sql) == FAIL || dbsqlexec(s->db) == FAIL) {
        *err = tds_error(s, what);
        dbcancel(s->db);
        return -1;
    }
    struct cell *cells = NULL;
    size_t *offs = NULL;
    size_t cap = 0;
    int stop = 0;
    RETCODE rc;
    while ((rc = dbresults(s->db)) != NO_MORE_RESULTS) {
        if (rc == FAIL)
            break;
        size_t ncols = (size_t)dbnumcols(s->db);
        if (ncols == 0)
            continue;
        if (ncols > cap) {
            cap = ncols;
            cells = xrealloc(cells, cap * sizeof *cells);
            offs = xrealloc(offs, cap * sizeof *offs);
        }
        STATUS r;
        while ((r = dbnextrow(s->db)) != NO_MORE_ROWS) {
            if (r == FAIL)
                break;
            if (r != REG_ROW || !fn)
                continue;
            sb_reset(&s->scratch);
            for (size_t i = 0; i < ncols; i++) {
                int c = (int)i + 1;
                BYTE *p = dbdata(s->db, c);
                struct cell *cl = &cells[i];
                offs[i] = SIZE_MAX;
                if (!p) {
                    cl->is_null = true;
                    cl->data = "";
                    cl->len = 0;
                    continue;
                }
                cl->is_null = false;
                size_t len = (size_t)dbdatlen(s->db, c);
                const char *direct;
                size_t before = s->scratch.len;
                size_t off = tds_decode_value(s, c, i < nkinds && kinds ? kinds[i] : VK_NATIVE, p,
                                          len, &direct);
                if (direct) {
                    cl->data = len ? direct : "";
                    cl->len = len;
                } else {
                    offs[i] = off;
                    cl->len = s->scratch.len - before;
                }
            }
            /* scratch may have moved while it grew: point into it now */
            for (size_t i = 0; i < ncols; i++)
                if (offs[i] != SIZE_MAX)
                    cells[i].data = s->scratch.buf ? s->scratch.buf + offs[i] : "";
            stop = fn(s, ctx, cells, ncols);
            if (stop)
                break;
        }
        if (stop) {
            dbcancel(s->db);
            break;
        }
        if (r == FAIL)
            break;
    }
    free(cells);
    free(offs);
    if (stop)
        return stop;
    if (rc == FAIL || s->diag.msgno || s->diag.timed_out || s->diag.dberr || dbdead(s->db)) {
        *err = tds_error(s, what);
        if (!dbdead(s->db))
            dbcancel(s->db);
        return -1;
    }
    return 0;
}

struct first_row {
    char **vals;
    size_t n;
    bool found;
};

static int first_row_fn(struct tds_source *s, void *ctx, const struct cell *cells, size_t n)
{
    (void)s;
    struct first_row *f = ctx;
    if (f->found)
        return 0;
    f->found = true;
    for (size_t i = 0; i < f->n && i < n; i++)
        f->vals[i] = cells[i].is_null ? NULL : xstrndup(cells[i].data, cells[i].len);
    return 0;
}

int tds_query_first(struct tds_source *s, const char *sql, char **vals, size_t n, bool *found,
                       const char *what, char **err)
{
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    struct first_row f = {vals, n, false};
    int rc = tds_run_sql(s, sql, NULL, 0, first_row_fn, &f, what, err);
    if (found)
        *found = f.found;
    if (rc != 0)
        for (size_t i = 0; i < n; i++) {
            free(vals[i]);
            vals[i] = NULL;
        }
    return rc;
}

void tds_free_vals(char **vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(vals[i]);
}

