/* source_tds.c - the SQL Server / Azure SQL source through FreeTDS db-lib.
 *
 * What this adapter guarantees, and how:
 * - Values come out in the representation the SQLite source gives for the
 *   same data, so transform/verify work unchanged: integers and BIT as
 *   decimal text, FLOAT as %.17g, DECIMAL/NUMERIC from DBNUMERIC's integer
 *   magnitude to exact decimal text (never through a double), DATETIME2 as
 *   "YYYY-MM-DD hh:mm:ss.fffffff" with all 7 digits (the engine counts the
 *   rounding to microseconds), uniqueidentifier from its fields (so the
 *   byte order is right on any host) as upper-case text, binary as is.
 * - Text is never read as db-lib text: db-lib turns a lone surrogate into
 *   '?', drops a lone high surrogate at the end of NVARCHAR(n), and kills
 *   the DBPROCESS for one at the end of NVARCHAR(MAX). Every text column is
 *   selected as CAST(CAST(col AS NVARCHAR(MAX)) AS VARBINARY(MAX)), which a
 *   real SQL Server sends as UTF-16LE; we convert it ourselves, encoding a
 *   lone surrogate as the 3-byte ED A0..BF xx form and keeping NUL, so that
 *   the engine's repair and quarantine rules see exactly what the source
 *   held. The tds-standin sends the SQLite text's own UTF-8 bytes for that
 *   cast, with its test escapes \u0000 and \uD800-\uDFFF still in them: we
 *   detect which at connect time (CAST(N'a' AS VARBINARY(MAX)) is 2 bytes
 *   or 1) and, for the stand-in, decode those escapes the way it would have
 *   sent them as NVARCHAR.
 * - Reads are never dirty: the session runs at SNAPSHOT when the database
 *   allows it, otherwise READ COMMITTED (statement-level snapshot with
 *   READ_COMMITTED_SNAPSHOT on); never NOLOCK. Chunks are key-ordered and
 *   resume after a key given as a literal (the stand-in has no RPC), built
 *   from the key cell only; identifiers only from the catalog, bracketed.
 * - db-lib's error and message handlers are process-wide: they find the
 *   connection's diagnostics through dbsetuserdata (or, while dbopen runs,
 *   a thread-local pointer) and errors quote the server's number and text.
 *   A query timeout answers INT_TIMEOUT, so the query is cancelled and the
 *   connection kept.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "source_tds.h"
#include "fallback.h"
#include "sanitize.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef HAVE_FREETDS

struct source *source_tds_open(const char *locator, char **err)
{
    *err = xasprintf("source '%s': this pantrycrm was built without FreeTDS (configure "
                     "--without-freetds); SQL Server sources are not available", locator);
    return NULL;
}

int source_tds_exec(struct source *src, const char *sql, char **value, char **err)
{
    (void)src, (void)sql;
    *value = NULL;
    *err = xstrdup("built without FreeTDS");
    return -1;
}

const char *source_tds_text_encoding(struct source *src)
{
    (void)src;
    return "none";
}

#else /* HAVE_FREETDS */

#include <pthread.h>
#include <sybdb.h>
#include <sybfront.h>
#include <termios.h>
#include <unistd.h>

#define TDS_TYPE_UNIQUE 36 /* SYBUNIQUE: not in sybdb.h's enum */
#define PASSWORD_ENV "PANTRYCRM_MSSQL_PASSWORD"
#define PASSWORD_FILE_ENV "PANTRYCRM_MSSQL_PASSWORD_FILE"
#define USER_ENV "PANTRYCRM_MSSQL_USER"

/* ---- diagnostics from db-lib's global handlers ----------------------- */

struct tds_diag {
    int msgno, severity, state;     /* the first server error (severity > 10) */
    char msg[1024];
    int dberr;                      /* the first db-lib error */
    char dbmsg[512];
    char osmsg[256];
    bool timed_out;
};

static _Thread_local struct tds_diag *tls_diag; /* while dbopen runs */

static struct tds_diag *diag_of(DBPROCESS *db)
{
    struct tds_diag *g = db ? (struct tds_diag *)dbgetuserdata(db) : NULL;
    return g ? g : tls_diag;
}

static void diag_reset(struct tds_diag *g)
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

/* ---- the source ------------------------------------------------------ */

struct tds_source {
    struct source base;
    DBPROCESS *db;
    struct tds_diag diag;
    bool utf16;                     /* text casts arrive as UTF-16LE */
    bool no_partitions;             /* sys.partitions is not there (stand-in) */
    int snapshot_isolation, rcsi;   /* from sys.databases, -1 unknown */
    const char *isolation;          /* the session's level between snapshots */
    bool in_snapshot;               /* a snapshot transaction is (maybe) still open */
    int timeout;
    struct source_table *cat;       /* the catalog, loaded on first use */
    size_t ncat;
    bool have_cat;
    struct strbuf scratch;          /* converted values of the current row */
};

static char *diag_text_raw(const struct tds_source *s)
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
static char *diag_text(const struct tds_source *s)
{
    char *raw = diag_text_raw(s);
    struct strbuf b;
    sb_init(&b);
    sanitize_text(raw, strlen(raw), SANITIZE_UTF8, &b);
    free(raw);
    return sb_detach(&b);
}

static char *tds_error(const struct tds_source *s, const char *what)
{
    const struct tds_diag *g = &s->diag;
    bool dead = s->db && dbdead(s->db);
    /* db-lib marks the connection dead at an EOF from the server without
     * calling the error handler: say what happened, not "no message". */
    if (dead && !g->msgno && !g->timed_out && !g->dberr)
        return xasprintf("%s: the connection to SQL Server is lost (the server closed it or the "
                         "network failed)", what);
    char *d = diag_text(s);
    char *m = xasprintf("%s: %s%s", what, d, dead ? " (the connection is lost)" : "");
    free(d);
    return m;
}

/* ---- value decoding -------------------------------------------------- */

static void put_utf8(struct strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) { /* a lone surrogate lands here: ED A0..BF xx */
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_addn(out, b, n);
}

/* UTF-16LE to UTF-8 that cannot fail: pairs join, lone surrogates keep
 * their code unit in the 3-byte form the engine's repair recognises, NUL
 * stays a NUL byte, and an odd last byte is passed on as an invalid byte. */
static void utf16le_to_utf8(const unsigned char *p, size_t len, struct strbuf *out)
{
    size_t i = 0;
    while (i + 1 < len) {
        uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        i += 2;
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < len) {
            uint32_t lo = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
            if (lo >= 0xDC00 && lo < 0xE000) {
                put_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        put_utf8(out, u);
    }
    if (i < len)
        sb_addc(out, (char)p[i]);
}

/* The stand-in's escape at p (\u0000 or \uD800..\uDFFF, hex in any case),
 * as its code unit; -1 when p does not start with one. */
static long standin_escape(const unsigned char *p, size_t n)
{
    if (n < 6 || p[0] != '\\' || p[1] != 'u')
        return -1;
    unsigned v = 0;
    for (int k = 2; k < 6; k++) {
        if (!isxdigit(p[k]))
            return -1;
        v = v * 16 + (unsigned)(isdigit(p[k]) ? p[k] - '0' : (tolower(p[k]) - 'a' + 10));
    }
    if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
        return (long)v;
    return -1;
}

/* The stand-in's bytes: its escapes become the code units it would have
 * sent as NVARCHAR (an escaped pair joins into one character). */
static void standin_unescape(const unsigned char *p, size_t len, struct strbuf *out)
{
    size_t run = 0, i = 0;
    while (i < len) {
        const unsigned char *bs = memchr(p + i, '\\', len - i);
        if (!bs)
            break;
        i = (size_t)(bs - p);
        long u = standin_escape(p + i, len - i);
        if (u < 0) {
            i++;
            continue;
        }
        sb_addn(out, (const char *)p + run, i - run);
        i += 6;
        long lo = u >= 0xD800 && u < 0xDC00 ? standin_escape(p + i, len - i) : -1;
        if (lo >= 0xDC00) {
            put_utf8(out, 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00));
            i += 6;
        } else if (u == 0) {
            sb_addc(out, '\0');
        } else {
            put_utf8(out, (uint32_t)u);
        }
        run = i;
    }
    sb_addn(out, (const char *)p + run, len - run);
}

/* FreeTDS keeps a DBNUMERIC's magnitude big-endian in array[1..n], n by
 * precision (its tds_numeric_bytes_per_prec, minus the sign byte). */
static const unsigned char numeric_bytes[39] = {
    1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 9, 9, 9,
    10, 10, 11, 11, 11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 16, 16, 16, 17, 17,
};

/* Exact decimal text of a big-endian magnitude with scale digits after the
 * point (integer arithmetic only). */
static void decimal_text(const unsigned char *mag, size_t n, int scale, bool negative,
                         struct strbuf *out)
{
    unsigned char m[33];
    memcpy(m, mag, n);
    char digits[100];
    size_t nd = 0;
    bool zero;
    do { /* divide by 10, collecting remainders */
        unsigned rem = 0;
        zero = true;
        for (size_t i = 0; i < n; i++) {
            unsigned cur = rem * 256 + m[i];
            m[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
            if (m[i])
                zero = false;
        }
        digits[nd++] = (char)('0' + rem);
    } while (!zero && nd < sizeof digits - 1);
    while (nd <= (size_t)scale)
        digits[nd++] = '0';
    bool all_zero = true;
    for (size_t i = 0; i < nd; i++)
        if (digits[i] != '0')
            all_zero = false;
    if (negative && !all_zero)
        sb_addc(out, '-');
    for (size_t i = nd; i-- > 0;) {
        sb_addc(out, digits[i]);
        if (i == (size_t)scale && scale > 0)
            sb_addc(out, '.');
    }
}

static void numeric_text(const DBNUMERIC *v, struct strbuf *out)
{
    int prec = v->precision < 1 ? 1 : v->precision > 38 ? 38 : v->precision;
    size_t n = numeric_bytes[prec] - 1u;
    decimal_text(v->array + 1, n, v->scale, v->array[0] == 1, out);
}

static void money_text(int64_t units, struct strbuf *out)
{
    /* 1/10000 of the currency unit */
    uint64_t a = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    sb_addf(out, "%s%" PRIu64 ".%04u", units < 0 ? "-" : "", a / 10000, (unsigned)(a % 10000));
}

/* Days since 1900-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days1900, int *y, unsigned *m, unsigned *d)
{
    int64_t z = days1900 - 25567 + 719468; /* 1900-01-01 is 25567 days before 1970 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static void put_date(struct strbuf *out, int64_t days1900)
{
    int y;
    unsigned m, d;
    civil(days1900, &y, &m, &d);
    sb_addf(out, "%04d-%02u-%02u", y, m, d);
}

static void put_time7(struct strbuf *out, uint64_t t100ns)
{
    uint64_t s = t100ns / 10000000u;
    sb_addf(out, "%02u:%02u:%02u.%07u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
            (unsigned)(s % 60), (unsigned)(t100ns % 10000000u));
}

static void datetimeall_text(int type, const DBDATETIMEALL *v, struct strbuf *out)
{
    int64_t days = v->date;
    uint64_t t = v->time;
    if (type == SYBMSDATETIMEOFFSET && v->has_offset) {
        /* TDS carries UTC and the offset; show the local time, as SQL
         * Server's own text form does. */
        int64_t local = (int64_t)t + (int64_t)v->offset * 60 * 10000000;
        int64_t day = (int64_t)86400 * 10000000;
        while (local < 0) {
            local += day;
            days--;
        }
        while (local >= day) {
            local -= day;
            days++;
        }
        t = (uint64_t)local;
    }
    if (type != SYBMSTIME)
        put_date(out, days);
    if (type == SYBMSDATE)
        return;
    if (type != SYBMSTIME)
        sb_addc(out, ' ');
    put_time7(out, t);
    if (type == SYBMSDATETIMEOFFSET) {
        int off = v->offset, a = off < 0 ? -off : off;
        sb_addf(out, "%c%02d:%02d", off < 0 ? '-' : '+', a / 60, a % 60);
    }
}

enum vk {
    VK_NATIVE, /* decode by the column's db-lib type */
    VK_TEXT,   /* a VARBINARY(MAX) cast of text: UTF-16LE or the stand-in's UTF-8 */
};

/* Appends column c's value to s->scratch (or points at db-lib's buffer);
 * returns the offset in scratch, or SIZE_MAX when *direct was set. */
static size_t decode_value(struct tds_source *s, int c, enum vk kind, const BYTE *p, size_t len,
                           const char **direct)
{
    struct strbuf *out = &s->scratch;
    size_t off = out->len;
    *direct = NULL;
    if (kind == VK_TEXT) {
        if (s->utf16)
            utf16le_to_utf8(p, len, out);
        else if (memchr(p, '\\', len))
            standin_unescape(p, len, out);
        else
            *direct = (const char *)p;
        return *direct ? SIZE_MAX : off;
    }
    int type = dbcoltype(s->db, c);
    switch (type) {
    case SYBCHAR: case SYBVARCHAR: case SYBTEXT: case SYBNTEXT: case SYBNVARCHAR:
    case SYBBINARY: case SYBVARBINARY: case SYBIMAGE:
        *direct = (const char *)p;
        return SIZE_MAX;
    case SYBINT1:
        sb_addf(out, "%u", (unsigned)*p);
        break;
    case SYBINT2: {
        int16_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%d", v);
        break;
    }
    case SYBINT4: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%" PRId32, v);
        break;
    }
    case SYBINT8: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%" PRId64, v);
        break;
    }
    case SYBBIT: case SYBBITN:
        sb_addc(out, *p ? '1' : '0');
        break;
    case SYBFLT8: {
        double v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%.17g", v); /* round-trips, as the SQLite source prints REAL */
        break;
    }
    case SYBREAL: {
        float v;
        memcpy(&v, p, sizeof v);
        sb_addf(out, "%.9g", (double)v);
        break;
    }
    case SYBDECIMAL: case SYBNUMERIC: {
        DBNUMERIC v;
        memcpy(&v, p, len < sizeof v ? len : sizeof v);
        numeric_text(&v, out);
        break;
    }
    case SYBMONEY: {
        DBMONEY v;
        memcpy(&v, p, sizeof v);
        money_text((int64_t)((uint64_t)(uint32_t)v.mnyhigh << 32 | v.mnylow), out);
        break;
    }
    case SYBMONEY4: {
        DBMONEY4 v;
        memcpy(&v, p, sizeof v);
        money_text(v.mny4, out);
        break;
    }
    case SYBDATETIME: {
        DBDATETIME v;
        memcpy(&v, p, sizeof v);
        /* 1/300 s ticks; SQL Server shows them rounded to milliseconds */
        int64_t ms = ((int64_t)v.dttime * 10 + 1) / 3;
        put_date(out, v.dtdays);
        sb_addf(out, " %02d:%02d:%02d.%03d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                (int)(ms / 1000 % 60), (int)(ms % 1000));
        break;
    }
    case SYBDATETIME4: {
        DBDATETIME4 v;
        memcpy(&v, p, sizeof v);
        put_date(out, v.days);
        sb_addf(out, " %02u:%02u:00", (unsigned)v.minutes / 60, (unsigned)v.minutes % 60);
        break;
    }
    case SYBMSDATE: case SYBMSTIME: case SYBMSDATETIME2: case SYBMSDATETIMEOFFSET: {
        DBDATETIMEALL v;
        memcpy(&v, p, sizeof v);
        datetimeall_text(type, &v, out);
        break;
    }
    case TDS_TYPE_UNIQUE: {
        /* FreeTDS holds it as {uint32 Data1; uint16 Data2, Data3; uchar
         * Data4[8]} in host order: format the fields, not the bytes. */
        uint32_t d1;
        uint16_t d2, d3;
        memcpy(&d1, p, 4);
        memcpy(&d2, p + 4, 2);
        memcpy(&d3, p + 6, 2);
        sb_addf(out, "%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", d1,
                (unsigned)d2, (unsigned)d3, p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
        break;
    }
    default: {
        /* Anything else: db-lib's own text form. */
        size_t cap = len * 4 + 64;
        sb_addn(out, "", 0);
        char *tmp = xmalloc(cap);
        DBINT n = dbconvert(s->db, type, p, (DBINT)len, SYBCHAR, (BYTE *)tmp, (DBINT)cap);
        if (n > 0)
            sb_addn(out, tmp, (size_t)n);
        free(tmp);
        break;
    }
    }
    return off;
}

/* ---- running a batch ------------------------------------------------- */

typedef int (*rows_fn)(struct tds_source *s, void *ctx, const struct cell *cells, size_t n);

/* Runs sql; rows of every result set go to fn (when given) with columns
 * decoded by kinds (NULL or shorter: native). fn's non-zero return stops
 * (the rest is cancelled, the connection kept) and is returned; -1 with
 * *err when the server or db-lib reported an error. */
static int run_sql(struct tds_source *s, const char *sql, const enum vk *kinds, size_t nkinds,
                   rows_fn fn, void *ctx, const char *what, char **err)
{
    diag_reset(&s->diag);
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
                size_t off = decode_value(s, c, i < nkinds && kinds ? kinds[i] : VK_NATIVE, p,
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

/* First row's columns as strings (NULL for SQL NULL); *found false when no
 * row came. */
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

static int query_first(struct tds_source *s, const char *sql, char **vals, size_t n, bool *found,
                       const char *what, char **err)
{
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    struct first_row f = {vals, n, false};
    int rc = run_sql(s, sql, NULL, 0, first_row_fn, &f, what, err);
    if (found)
        *found = f.found;
    if (rc != 0)
        for (size_t i = 0; i < n; i++) {
            free(vals[i]);
            vals[i] = NULL;
        }
    return rc;
}

static void free_vals(char **vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(vals[i]);
}

/* ---- SQL text -------------------------------------------------------- */

static void add_bracketed(struct strbuf *sb, const char *name)
{
    sb_addc(sb, '[');
    for (const char *p = name; *p; p++) {
        if (*p == ']')
            sb_addc(sb, ']');
        sb_addc(sb, *p);
    }
    sb_addc(sb, ']');
}

/* N'...' with quotes doubled. */
static void add_nliteral(struct strbuf *sb, const char *s, size_t n)
{
    sb_adds(sb, "N'");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            sb_addc(sb, '\'');
        sb_addc(sb, s[i]);
    }
    sb_addc(sb, '\'');
}

static void add_table(struct strbuf *sb, const char *table)
{
    sb_adds(sb, "[dbo].");
    add_bracketed(sb, table);
}

static bool is_text_type(const char *type)
{
    static const char *const prefixes[] = {"NVARCHAR", "VARCHAR", "NCHAR", "CHAR", "NTEXT",
                                           "TEXT", "XML", "SYSNAME"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(type, prefixes[i], n) == 0 && (type[n] == '\0' || type[n] == '('))
            return true;
    }
    return false;
}

static bool is_integer_type(const char *type)
{
    return strcmp(type, "INT") == 0 || strcmp(type, "BIGINT") == 0 ||
           strcmp(type, "SMALLINT") == 0 || strcmp(type, "TINYINT") == 0;
}

/* Adds the select expression of a column: text through VARBINARY(MAX). */
static void add_column_expr(struct strbuf *sb, const char *alias, const struct source_column *c)
{
    if (is_text_type(c->type)) {
        sb_adds(sb, "CAST(CAST(");
        if (alias)
            sb_addf(sb, "%s.", alias);
        add_bracketed(sb, c->name);
        sb_adds(sb, " AS NVARCHAR(MAX)) AS VARBINARY(MAX))");
    } else {
        if (alias)
            sb_addf(sb, "%s.", alias);
        add_bracketed(sb, c->name);
    }
}

/* Whether text holds a byte sequence N'...' cannot carry: NUL, or an
 * encoded surrogate (ED A0..BF). */
static bool needs_binary_literal(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c == 0xED && i + 1 < n && (unsigned char)s[i + 1] >= 0xA0))
            return true;
    }
    return false;
}

/* UTF-8 (with encoded surrogates) back to UTF-16LE bytes, or, for the
 * stand-in, to its stored form (code units as \uXXXX escapes). */
static void add_binary_text_literal(struct tds_source *s, struct strbuf *sb, const char *in,
                                    size_t n)
{
    struct strbuf b;
    sb_init(&b);
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k;
        if (p[i] < 0x80) {
            cp = p[i];
            k = 1;
        } else if ((p[i] & 0xE0) == 0xC0 && i + 1 < n) {
            cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
            k = 2;
        } else if ((p[i] & 0xF0) == 0xE0 && i + 2 < n) {
            cp = (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
            k = 3;
        } else if ((p[i] & 0xF8) == 0xF0 && i + 3 < n) {
            cp = (uint32_t)(p[i] & 0x07) << 18 | (uint32_t)(p[i + 1] & 0x3F) << 12 |
                 (uint32_t)(p[i + 2] & 0x3F) << 6 | (p[i + 3] & 0x3F);
            k = 4;
        } else {
            cp = 0xFFFD;
            k = 1;
        }
        i += k;
        if (!s->utf16) {
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                sb_addf(&b, "\\u%04" PRIX32, cp);
            else
                sb_addn(&b, (const char *)p + i - k, k);
            continue;
        }
        uint16_t units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (int u = 0; u < nu; u++) {
            sb_addc(&b, (char)(units[u] & 0xFF));
            sb_addc(&b, (char)(units[u] >> 8));
        }
    }
    sb_adds(sb, "CAST(0x");
    for (size_t i = 0; i < b.len; i++)
        sb_addf(sb, "%02X", (unsigned char)b.buf[i]);
    if (b.len == 0)
        sb_adds(sb, "00"); /* never reached for real keys: "" has no NUL */
    sb_adds(sb, " AS NVARCHAR(MAX))");
    sb_free(&b);
}

/* The key cell as a T-SQL literal of the key column's type. */
static int add_key_literal(struct tds_source *s, struct strbuf *sb, const struct source_column *k,
                           const struct cell *v, char **err)
{
    if (is_integer_type(k->type)) {
        size_t i = v->len && v->data[0] == '-' ? 1 : 0;
        if (i == v->len || v->len > 20) {
            *err = xasprintf("resume key for %s is not an integer", k->name);
            return -1;
        }
        for (; i < v->len; i++)
            if (!isdigit((unsigned char)v->data[i])) {
                *err = xasprintf("resume key for %s is not an integer", k->name);
                return -1;
            }
        sb_addn(sb, v->data, v->len);
        return 0;
    }
    if (needs_binary_literal(v->data, v->len))
        add_binary_text_literal(s, sb, v->data, v->len);
    else
        add_nliteral(sb, v->data, v->len);
    return 0;
}

/* ---- catalog --------------------------------------------------------- */

struct cat_build {
    struct source_table *t;
    size_t n, cap;
};

static char *upper_dup(const char *s)
{
    char *u = xstrdup(s ? s : "");
    for (char *p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

static int cat_row(struct tds_source *s, void *ctx, const struct cell *c, size_t n)
{
    (void)s;
    struct cat_build *b = ctx;
    if (n < 6 || c[0].is_null || c[1].is_null)
        return 0;
    char *tname = xstrndup(c[0].data, c[0].len);
    struct source_table *t = NULL;
    for (size_t i = 0; i < b->n && !t; i++)
        if (strcmp(b->t[i].name, tname) == 0)
            t = &b->t[i];
    if (!t) {
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->t = xrealloc(b->t, b->cap * sizeof *b->t);
        }
        t = &b->t[b->n++];
        t->name = tname;
        t->cols = NULL;
        t->ncols = 0;
    } else {
        free(tname);
    }
    char *dt = c[2].is_null ? xstrdup("") : xstrndup(c[2].data, c[2].len);
    char *type = upper_dup(dt);
    free(dt);
    long maxlen = 0;
    if (!c[3].is_null) {
        char *ml = xstrndup(c[3].data, c[3].len);
        maxlen = strtol(ml, NULL, 10);
        free(ml);
    }
    struct strbuf ty;
    sb_init(&ty);
    sb_adds(&ty, type);
    if (strstr(type, "CHAR") || strstr(type, "BINARY")) {
        if (maxlen == -1)
            sb_adds(&ty, "(MAX)");
        else if (maxlen > 0)
            sb_addf(&ty, "(%ld)", maxlen);
    } else if ((strcmp(type, "DECIMAL") == 0 || strcmp(type, "NUMERIC") == 0) && !c[4].is_null) {
        char *p = xstrndup(c[4].data, c[4].len), *sc = c[5].is_null ? xstrdup("0")
                                                                    : xstrndup(c[5].data, c[5].len);
        sb_addf(&ty, "(%s,%s)", p, sc);
        free(p);
        free(sc);
    }
    free(type);
    t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
    t->cols[t->ncols].name = xstrndup(c[1].data, c[1].len);
    t->cols[t->ncols].type = sb_detach(&ty);
    t->ncols++;
    return 0;
}

static int load_catalog(struct tds_source *s, char **err)
{
    if (s->have_cat)
        return 0;
    struct cat_build b = {0};
    int rc = run_sql(s,
        "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, "
        "c.NUMERIC_PRECISION, c.NUMERIC_SCALE FROM INFORMATION_SCHEMA.COLUMNS AS c "
        "JOIN INFORMATION_SCHEMA.TABLES AS t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
        "AND t.TABLE_NAME = c.TABLE_NAME "
        "WHERE t.TABLE_SCHEMA = 'dbo' AND t.TABLE_TYPE = 'BASE TABLE' "
        "ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        NULL, 0, cat_row, &b, "cannot read the source catalog", err);
    if (rc != 0) {
        source_tables_free(b.t, b.n);
        return -1;
    }
    s->cat = b.t;
    s->ncat = b.n;
    s->have_cat = true;
    return 0;
}

static const struct source_table *cat_table(struct tds_source *s, const char *table, char **err)
{
    if (load_catalog(s, err) != 0)
        return NULL;
    for (size_t i = 0; i < s->ncat; i++)
        if (strcmp(s->cat[i].name, table) == 0)
            return &s->cat[i];
    *err = xasprintf("table dbo.%s is not in the source catalog", table);
    return NULL;
}

static const struct source_column *cat_column(const struct source_table *t, const char *col,
                                              char **err)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, col) == 0)
            return &t->cols[i];
    *err = xasprintf("column %s.%s is not in the source catalog", t->name, col);
    return NULL;
}

/* ---- the operations -------------------------------------------------- */

static int tds_describe(struct source *src, struct source_table **out, size_t *n, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    *out = NULL;
    *n = 0;
    if (load_catalog(s, err) != 0)
        return -1;
    /* A deep copy: the caller frees it, we keep ours for the whitelist. */
    struct source_table *t = xcalloc(s->ncat ? s->ncat : 1, sizeof *t);
    for (size_t i = 0; i < s->ncat; i++) {
        t[i].name = xstrdup(s->cat[i].name);
        t[i].ncols = s->cat[i].ncols;
        t[i].cols = xcalloc(t[i].ncols ? t[i].ncols : 1, sizeof *t[i].cols);
        for (size_t j = 0; j < t[i].ncols; j++) {
            t[i].cols[j].name = xstrdup(s->cat[i].cols[j].name);
            t[i].cols[j].type = xstrdup(s->cat[i].cols[j].type);
        }
    }
    *out = t;
    *n = s->ncat;
    return 0;
}

static int int64_of(const char *v, int64_t *out)
{
    if (!v)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v)
        return -1;
    *out = x;
    return 0;
}

static int tds_count(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT COUNT_BIG(*) FROM ");
    add_table(&sql, table);
    char *v = NULL;
    int rc = query_first(s, sql.buf, &v, 1, NULL, "cannot count rows", err);
    sb_free(&sql);
    if (rc == 0 && int64_of(v, rows) != 0) {
        *err = xstrdup("cannot count rows: no count came back");
        rc = -1;
    }
    free(v);
    return rc;
}

static int tds_estimate(struct source *src, const char *table, int64_t *rows, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    if (!s->no_partitions) {
        /* The row count the server keeps per partition: instant. */
        struct strbuf sql, name;
        sb_init(&sql);
        sb_init(&name);
        add_table(&name, table);
        sb_adds(&sql, "SELECT SUM(p.rows) FROM sys.partitions AS p WHERE p.object_id = "
                      "OBJECT_ID(");
        add_nliteral(&sql, name.buf, name.len);
        sb_adds(&sql, ") AND p.index_id IN (0, 1)");
        char *v = NULL, *e = NULL;
        int rc = query_first(s, sql.buf, &v, 1, NULL, "estimate", &e);
        sb_free(&sql);
        sb_free(&name);
        free(e);
        if (rc == 0 && int64_of(v, rows) == 0) {
            free(v);
            return 0;
        }
        free(v);
        s->no_partitions = true;
    }
    return tds_count(src, table, rows, err);
}

struct stream_ctx {
    source_row_fn fn;
    void *ctx;
};

static int stream_row(struct tds_source *s, void *ctx, const struct cell *cells, size_t n)
{
    (void)s;
    struct stream_ctx *sc = ctx;
    return sc->fn(sc->ctx, cells, n);
}

/* Builds the select list for cols of t (kinds filled in), alias optional. */
static int add_select_list(struct strbuf *sql, const struct source_table *t, const char *alias,
                           const char *const *cols, size_t ncols, enum vk *kinds, char **err)
{
    for (size_t i = 0; i < ncols; i++) {
        const struct source_column *c = cat_column(t, cols[i], err);
        if (!c)
            return -1;
        if (i)
            sb_adds(sql, ", ");
        add_column_expr(sql, alias, c);
        kinds[i] = is_text_type(c->type) ? VK_TEXT : VK_NATIVE;
    }
    return 0;
}

static int tds_stream(struct source *src, const char *table, const char *key,
                      const char *const *cols, size_t ncols, const struct cell *after,
                      size_t limit, source_row_fn fn, void *ctx, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    const struct source_table *t = cat_table(s, table, err);
    if (!t)
        return -1;
    const struct source_column *k = cat_column(t, key, err);
    if (!k)
        return -1;
    enum vk *kinds = xcalloc(ncols ? ncols : 1, sizeof *kinds);
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT ");
    if (limit)
        sb_addf(&sql, "TOP (%zu) ", limit);
    int rc = add_select_list(&sql, t, NULL, cols, ncols, kinds, err);
    if (rc == 0) {
        sb_adds(&sql, " FROM ");
        add_table(&sql, table);
        if (after) {
            sb_adds(&sql, " WHERE ");
            add_bracketed(&sql, k->name);
            sb_adds(&sql, " > ");
            rc = add_key_literal(s, &sql, k, after, err);
        }
    }
    if (rc == 0) {
        sb_adds(&sql, " ORDER BY ");
        add_bracketed(&sql, k->name);
        struct stream_ctx sc = {fn, ctx};
        char *what = xasprintf("reading dbo.%s failed", table);
        rc = run_sql(s, sql.buf, kinds, ncols, stream_row, &sc, what, err);
        free(what);
    }
    sb_free(&sql);
    free(kinds);
    return rc;
}

static void tds_close(struct source *src)
{
    struct tds_source *s = (struct tds_source *)src;
    if (s->db)
        dbclose(s->db);
    source_tables_free(s->cat, s->ncat);
    sb_free(&s->scratch);
    free(s->base.description);
    free(s);
}

/* ---- facts ----------------------------------------------------------- */

static int tds_facts(struct source *src, struct source_facts *f, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    memset(f, 0, sizeof *f);
    char *v[3];
    if (query_first(s, "SELECT CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)), "
                       "CAST(SERVERPROPERTY('Edition') AS NVARCHAR(128)), DB_NAME()",
                    v, 3, NULL, "cannot read the server's version", err) != 0)
        return -1;
    f->server = v[1] ? xasprintf("SQL Server %s (%s)", v[0] ? v[0] : "?", v[1])
                     : xasprintf("SQL Server %s", v[0] ? v[0] : "?");
    f->database = v[2] ? xstrdup(v[2]) : NULL;
    free_vals(v, 3);
    f->snapshot_isolation = s->snapshot_isolation;
    f->read_committed_snapshot = s->rcsi;
    f->change_tracking = -1;
    f->ct_retention_s = -1;
    f->ct_auto_cleanup = false;
    char *e = NULL;
    bool found = false;
    if (query_first(s, "SELECT retention_period, retention_period_units, is_auto_cleanup_on "
                       "FROM sys.change_tracking_databases WHERE database_id = DB_ID()",
                    v, 3, &found, "change tracking", &e) == 0) {
        f->change_tracking = found ? 1 : 0;
        int64_t period, units;
        if (found && int64_of(v[0], &period) == 0 && int64_of(v[1], &units) == 0)
            f->ct_retention_s = period * (units == 1 ? 60 : units == 2 ? 3600 : 86400);
        f->ct_auto_cleanup = found && v[2] && v[2][0] == '1';
        free_vals(v, 3);
    } else {
        /* No catalog view (the stand-in): the current version says whether
         * tracking is on. */
        free(e);
        e = NULL;
        if (query_first(s, "SELECT CHANGE_TRACKING_CURRENT_VERSION()", v, 1, NULL, "ct", &e) == 0)
            f->change_tracking = v[0] ? 1 : 0;
        free_vals(v, 1);
    }
    free(e);
    return 0;
}

/* ---- change capture -------------------------------------------------- */

static int tds_snapshot_begin(struct source *src, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    /* A snapshot that did not end would make this BEGIN a nested one inside
     * it: every later round would read the same old snapshot and see no
     * new changes. End it first (an error here means it was gone). */
    if (s->in_snapshot) {
        char *e = NULL;
        run_sql(s, "ROLLBACK TRANSACTION", NULL, 0, NULL, NULL, "", &e);
        free(e);
        s->in_snapshot = false;
    }
    /* the hint only when the server refused, not when the connection broke */
    int rc = run_sql(s, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION", NULL, 0,
                     NULL, NULL, "cannot start a snapshot transaction", err);
    if (rc == 0)
        s->in_snapshot = true;
    if (rc != 0 && s->diag.msgno) {
        char *m = xasprintf("%s (is ALLOW_SNAPSHOT_ISOLATION on?)", *err);
        free(*err);
        *err = m;
    }
    return rc;
}

static int tds_snapshot_end(struct source *src, bool commit, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    /* The snapshot only read, so a rollback ends it as well as a commit
     * would, and cannot fail: the tds-standin's COMMIT writes its version
     * counter and fails ("database is locked") when the snapshot is older
     * than another connection's commit. */
    (void)commit;
    char sql[160];
    snprintf(sql, sizeof sql, "ROLLBACK TRANSACTION; SET TRANSACTION ISOLATION LEVEL %s",
             s->isolation);
    int rc = run_sql(s, sql, NULL, 0, NULL, NULL, "cannot end the snapshot transaction", err);
    if (rc == 0)
        s->in_snapshot = false;
    return rc;
}

static int tds_change_version(struct source *src, int64_t *current, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    char *v = NULL;
    if (query_first(s, "SELECT CHANGE_TRACKING_CURRENT_VERSION()", &v, 1, NULL,
                    "cannot read the change tracking version", err) != 0)
        return -1;
    int rc = int64_of(v, current);
    if (rc != 0)
        *err = xstrdup("Change Tracking is not enabled on the source database "
                       "(CHANGE_TRACKING_CURRENT_VERSION() is NULL)");
    free(v);
    return rc;
}

static int tds_change_min_valid(struct source *src, const char *table, bool *tracked,
                                int64_t *min_valid, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    if (!cat_table(s, table, err))
        return -1;
    struct strbuf sql, name;
    sb_init(&sql);
    sb_init(&name);
    sb_adds(&name, "dbo.");
    add_bracketed(&name, table);
    sb_adds(&sql, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(");
    add_nliteral(&sql, name.buf, name.len);
    sb_adds(&sql, "))");
    char *v = NULL;
    int rc = query_first(s, sql.buf, &v, 1, NULL, "cannot read the minimum valid version", err);
    sb_free(&sql);
    sb_free(&name);
    if (rc == 0) {
        *tracked = v != NULL;
        *min_valid = 0;
        if (v && int64_of(v, min_valid) != 0) {
            *err = xasprintf("minimum valid version of %s is not a number", table);
            rc = -1;
        }
    }
    free(v);
    return rc;
}

struct changes_ctx {
    source_change_fn fn;
    void *ctx;
    size_t ncols;
    char **err;
};

static int change_row(struct tds_source *s, void *ctx, const struct cell *c, size_t n)
{
    (void)s;
    struct changes_ctx *cc = ctx;
    int64_t version = 0;
    char vbuf[32], op = 0;
    if (n != cc->ncols + 4 || c[0].is_null || c[0].len >= sizeof vbuf || c[1].is_null ||
        c[1].len < 1) {
        *cc->err = xstrdup("CHANGETABLE gave an unexpected row");
        return -1;
    }
    memcpy(vbuf, c[0].data, c[0].len);
    vbuf[c[0].len] = '\0';
    if (int64_of(vbuf, &version) != 0) {
        *cc->err = xstrdup("CHANGETABLE gave a version that is not a number");
        return -1;
    }
    op = c[1].data[0];
    bool exists = !c[3].is_null && c[3].len == 1 && c[3].data[0] == '1';
    return cc->fn(cc->ctx, version, op, &c[2], exists && op != 'D' ? c + 4 : NULL, cc->ncols);
}

static int tds_changes(struct source *src, const char *table, const char *key,
                       const char *const *cols, size_t ncols, int64_t since,
                       source_change_fn fn, void *ctx, char **err)
{
    struct tds_source *s = (struct tds_source *)src;
    const struct source_table *t = cat_table(s, table, err);
    if (!t)
        return -1;
    const struct source_column *k = cat_column(t, key, err);
    if (!k)
        return -1;
    enum vk *kinds = xcalloc(ncols + 4, sizeof *kinds);
    struct strbuf sql;
    sb_init(&sql);
    sb_adds(&sql, "SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_OPERATION, ");
    add_column_expr(&sql, "CT", k);
    kinds[2] = is_text_type(k->type) ? VK_TEXT : VK_NATIVE;
    sb_adds(&sql, ", CASE WHEN T.");
    add_bracketed(&sql, k->name);
    sb_adds(&sql, " IS NULL THEN 0 ELSE 1 END");
    int rc = 0;
    if (ncols) {
        sb_adds(&sql, ", ");
        rc = add_select_list(&sql, t, "T", cols, ncols, kinds + 4, err);
    }
    if (rc == 0) {
        sb_adds(&sql, " FROM CHANGETABLE(CHANGES ");
        add_table(&sql, table);
        if (since < 0)
            sb_adds(&sql, ", NULL) AS CT LEFT JOIN ");
        else
            sb_addf(&sql, ", %" PRId64 ") AS CT LEFT JOIN ", since);
        add_table(&sql, table);
        sb_adds(&sql, " AS T ON T.");
        add_bracketed(&sql, k->name);
        sb_adds(&sql, " = CT.");
        add_bracketed(&sql, k->name);
        /* not the pantrycrm fallback's own writes (fallback.h) */
        sb_adds(&sql, " WHERE CT.SYS_CHANGE_CONTEXT IS NULL OR CT.SYS_CHANGE_CONTEXT <> " FALLBACK_CT_CONTEXT);
        sb_adds(&sql, " ORDER BY CT.");
        add_bracketed(&sql, k->name);
        struct changes_ctx cc = {fn, ctx, ncols, err};
        char *what = xasprintf("reading the changes of dbo.%s failed", table);
        rc = run_sql(s, sql.buf, kinds, ncols + 4, change_row, &cc, what, err);
        free(what);
    }
    sb_free(&sql);
    free(kinds);
    return rc;
}

static const struct source_ops tds_ops = {
    .kind = "mssql",
    .describe = tds_describe,
    .count = tds_count,
    .estimate = tds_estimate,
    .stream = tds_stream,
    .close = tds_close,
    .facts = tds_facts,
    .snapshot_begin = tds_snapshot_begin,
    .snapshot_end = tds_snapshot_end,
    .change_version = tds_change_version,
    .change_min_valid = tds_change_min_valid,
    .changes = tds_changes,
};

/* ---- the locator ----------------------------------------------------- */

struct tds_params {
    char *user, *host, *port, *server, *database;
    char *encrypt, *ca_file, *check_hostname, *password_file, *app;
    int timeout, login_timeout;
};

static void params_free(struct tds_params *p)
{
    free(p->user);
    free(p->host);
    free(p->port);
    free(p->server);
    free(p->database);
    free(p->encrypt);
    free(p->ca_file);
    free(p->check_hostname);
    free(p->password_file);
    free(p->app);
}

/* %XX decoding; NULL when a %-escape is broken or decodes to a control
 * character (nothing here may hold one). */
static char *pct_decode(const char *s, size_t n)
{
    struct strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
                !isxdigit((unsigned char)s[i + 2])) {
                sb_free(&b);
                return NULL;
            }
            char hex[3] = {s[i + 1], s[i + 2], 0};
            c = (unsigned char)strtoul(hex, NULL, 16);
            i += 2;
        }
        if (c < 0x20 || c == 0x7F) {
            sb_free(&b);
            return NULL;
        }
        sb_addc(&b, (char)c);
    }
    return sb_detach(&b);
}

static const char password_hint[] =
    "set " PASSWORD_ENV ", name a file with password_file=PATH or " PASSWORD_FILE_ENV
    ", or type it at the prompt";

static int parse_int_opt(const char *name, const char *v, int min, int max, int *out, char **err)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < min || x > max) {
        *err = xasprintf("source option %s=%s: want a number from %d to %d", name, v, min, max);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int parse_locator(const char *loc, struct tds_params *p, char **err)
{
    memset(p, 0, sizeof *p);
    p->timeout = 300;
    p->login_timeout = 15;
    if (!str_starts_with(loc, "mssql:")) {
        *err = xasprintf("source '%s': not an mssql: locator", loc);
        return -1;
    }
    const char *rest = loc + strlen("mssql:");
    bool hostform = str_starts_with(rest, "//");
    if (hostform)
        rest += 2;
    const char *q = strchr(rest, '?');
    size_t mainlen = q ? (size_t)(q - rest) : strlen(rest);
    const char *slash = memchr(rest, '/', mainlen);
    if (!slash || slash == rest + mainlen - 1) {
        *err = xasprintf("source locator needs a database: mssql://[USER@]HOST[:PORT]/DATABASE "
                         "or mssql:[USER@]SERVERNAME/DATABASE");
        return -1;
    }
    const char *auth = rest;
    size_t authlen = (size_t)(slash - rest);
    const char *at = NULL;
    for (size_t i = 0; i < authlen; i++)
        if (auth[i] == '@')
            at = auth + i;
    if (at) {
        if (memchr(auth, ':', (size_t)(at - auth))) {
            *err = xasprintf("the source locator must not contain a password (USER:PASSWORD@): "
                             "it would be stored in the run record; %s", password_hint);
            return -1;
        }
        p->user = pct_decode(auth, (size_t)(at - auth));
        authlen -= (size_t)(at - auth) + 1;
        auth = at + 1;
    }
    p->database = pct_decode(slash + 1, mainlen - authlen - (size_t)(auth - rest) - 1);
    if (!p->database || !*p->database || strchr(p->database, '/')) {
        *err = xstrdup("source locator: bad database name");
        return -1;
    }
    if (hostform) {
        const char *colon = NULL;
        size_t hostlen = authlen;
        if (authlen && auth[0] == '[') { /* [IPv6] */
            const char *close = memchr(auth, ']', authlen);
            if (!close) {
                *err = xstrdup("source locator: unclosed [ in the host");
                return -1;
            }
            if ((size_t)(close - auth) + 1 < authlen && close[1] == ':')
                colon = close + 1;
        } else {
            colon = memchr(auth, ':', authlen);
        }
        if (colon) {
            hostlen = (size_t)(colon - auth);
            p->port = xstrndup(colon + 1, authlen - hostlen - 1);
            int port;
            if (parse_int_opt("port", p->port, 1, 65535, &port, err) != 0)
                return -1;
        }
        p->host = pct_decode(auth, hostlen);
        if (!p->host || !*p->host) {
            *err = xstrdup("source locator: no host (mssql://[USER@]HOST[:PORT]/DATABASE)");
            return -1;
        }
    } else {
        p->server = pct_decode(auth, authlen);
        if (!p->server || !*p->server) {
            *err = xstrdup("source locator: no server name (mssql:[USER@]SERVERNAME/DATABASE)");
            return -1;
        }
    }
    if (!p->user) {
        const char *u = getenv(USER_ENV);
        if (u && *u)
            p->user = xstrdup(u);
    }
    if (!p->user || !*p->user) {
        *err = xstrdup("no SQL Server user: give USER@ in the source locator or set "
                       USER_ENV);
        return -1;
    }
    /* options */
    const char *o = q ? q + 1 : NULL;
    while (o && *o) {
        const char *amp = strchr(o, '&');
        size_t len = amp ? (size_t)(amp - o) : strlen(o);
        const char *eq = memchr(o, '=', len);
        if (!eq) {
            *err = xasprintf("source option '%.*s': want NAME=VALUE", (int)len, o);
            return -1;
        }
        char *name = xstrndup(o, (size_t)(eq - o));
        char *val = pct_decode(eq + 1, len - (size_t)(eq - o) - 1);
        int rc = 0;
        if (!val) {
            *err = xasprintf("source option %s: bad value", name);
            rc = -1;
        } else if (strcmp(name, "password") == 0 || strcmp(name, "pwd") == 0) {
            *err = xasprintf("the source locator must not contain a password: it would be "
                             "stored in the run record; %s", password_hint);
            rc = -1;
        } else if (strcmp(name, "encrypt") == 0) {
            if (strcmp(val, "off") && strcmp(val, "request") && strcmp(val, "require") &&
                strcmp(val, "strict")) {
                *err = xasprintf("source option encrypt=%s: want off, request, require or strict",
                                 val);
                rc = -1;
            } else {
                free(p->encrypt);
                p->encrypt = xstrdup(val);
            }
        } else if (strcmp(name, "ca_file") == 0) {
            free(p->ca_file);
            p->ca_file = xstrdup(val);
        } else if (strcmp(name, "check_hostname") == 0) {
            if (strcmp(val, "yes") && strcmp(val, "no")) {
                *err = xasprintf("source option check_hostname=%s: want yes or no", val);
                rc = -1;
            } else {
                free(p->check_hostname);
                p->check_hostname = xstrdup(val);
            }
        } else if (strcmp(name, "password_file") == 0) {
            free(p->password_file);
            p->password_file = xstrdup(val);
        } else if (strcmp(name, "app") == 0) {
            free(p->app);
            p->app = xstrdup(val);
        } else if (strcmp(name, "timeout") == 0) {
            rc = parse_int_opt(name, val, 0, 86400, &p->timeout, err);
        } else if (strcmp(name, "login_timeout") == 0) {
            rc = parse_int_opt(name, val, 1, 3600, &p->login_timeout, err);
        } else {
            *err = xasprintf("unknown source option '%s' (known: encrypt, ca_file, "
                             "check_hostname, password_file, timeout, login_timeout, app)", name);
            rc = -1;
        }
        free(name);
        free(val);
        if (rc != 0)
            return -1;
        o = amp ? amp + 1 : NULL;
    }
    if (p->server && (p->encrypt || p->ca_file || p->check_hostname)) {
        *err = xasprintf("source options encrypt, ca_file and check_hostname go with "
                         "mssql://HOST[:PORT]/DATABASE; for the freetds.conf server '%s' set "
                         "them in its section of freetds.conf", p->server);
        return -1;
    }
    return 0;
}

/* ---- TLS settings: a private freetds.conf ----------------------------
 * db-lib has no call for encryption or certificate checks (dbsetlbool's
 * DBSETENCRYPT is unimplemented in FreeTDS): they live in freetds.conf.
 * So a host with such options gets a section of its own in a private file
 * (0600, no secrets) that FREETDSCONF points at, set once before the first
 * connection that needs it. FreeTDS reads that file first and stops at the
 * first file that has the requested section, so other servers still come
 * from the user's and the system's freetds.conf. */

static pthread_mutex_t conf_mu = PTHREAD_MUTEX_INITIALIZER;
static char *conf_path;
static struct strbuf conf_text;
static int conf_sections;

static void conf_cleanup(void)
{
    if (conf_path)
        unlink(conf_path);
}

static char *conf_section(const struct tds_params *p, char **err)
{
    struct strbuf body;
    sb_init(&body);
    sb_addf(&body, "\thost = %s\n\tport = %s\n\ttds version = 7.4\n\tclient charset = UTF-8\n",
            p->host, p->port ? p->port : "1433");
    if (p->encrypt)
        sb_addf(&body, "\tencryption = %s\n", p->encrypt);
    if (p->ca_file)
        sb_addf(&body, "\tca file = %s\n", p->ca_file);
    if (p->check_hostname)
        sb_addf(&body, "\tcheck certificate hostname = %s\n", p->check_hostname);
    /* ends the body, so that reuse below matches whole sections only */
    sb_adds(&body, "\t# pantrycrm\n");
    char *name = NULL;
    pthread_mutex_lock(&conf_mu);
    /* The same settings reuse their section. */
    const char *found = conf_text.buf ? strstr(conf_text.buf, body.buf) : NULL;
    if (found) {
        const char *h = found;
        while (h > conf_text.buf && h[-1] != '[')
            h--;
        const char *e = strchr(h, ']');
        name = xstrndup(h, (size_t)(e - h));
    } else {
        char *file = NULL;
        if (!conf_path) {
            const char *tmp = getenv("TMPDIR");
            file = xasprintf("%s/pantrycrm-freetds-XXXXXX", tmp && *tmp ? tmp : "/tmp");
            int fd = mkstemp(file);
            if (fd < 0) {
                *err = xasprintf("cannot create a private freetds.conf: %s", strerror(errno));
                free(file);
                pthread_mutex_unlock(&conf_mu);
                sb_free(&body);
                return NULL;
            }
            close(fd);
            conf_path = file;
            atexit(conf_cleanup);
        }
        name = xasprintf("pantrycrm_%d", ++conf_sections);
        sb_addf(&conf_text, "[%s]\n%s", name, body.buf);
        /* write a new file and rename it over: a reader sees old or new */
        char *tmpf = xasprintf("%s.new", conf_path);
        /* O_EXCL and O_NOFOLLOW: the name is guessable from conf_path, and
         * the directory may be shared (/tmp) */
        int fd = open(tmpf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !f)
            close(fd);
        bool ok = f && fwrite(conf_text.buf, 1, conf_text.len, f) == conf_text.len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok || rename(tmpf, conf_path) != 0) {
            *err = xasprintf("cannot write the private freetds.conf %s: %s", conf_path,
                             strerror(errno));
            unlink(tmpf);
            free(tmpf);
            free(name);
            pthread_mutex_unlock(&conf_mu);
            sb_free(&body);
            return NULL;
        }
        free(tmpf);
        const char *cur = getenv("FREETDSCONF");
        if (!cur || strcmp(cur, conf_path) != 0)
            setenv("FREETDSCONF", conf_path, 1);
    }
    pthread_mutex_unlock(&conf_mu);
    sb_free(&body);
    return name;
}

/* ---- the password ---------------------------------------------------- */

static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static char *pw_prompted;       /* what the user typed, for the other threads */
static char *pw_prompted_for;

static char *read_password_file(const char *path, char **err)
{
    size_t len;
    char *s = file_read_all(path, &len);
    if (!s) {
        *err = xasprintf("cannot read the SQL Server password file %s: %s", path, strerror(errno));
        return NULL;
    }
    if (memchr(s, '\0', len)) {
        free(s);
        *err = xasprintf("the SQL Server password file %s holds a NUL byte", path);
        return NULL;
    }
    /* the first line, without its end */
    s[strcspn(s, "\r\n")] = '\0';
    return s;
}

static char *prompt_password(const char *who, char **err)
{
    /* Inside the console the terminal belongs to ncurses: asking there
     * would write over the screen and block its loop. */
    if (!source_may_prompt) {
        *err = xasprintf("no SQL Server password for %s: %s", who, password_hint);
        return NULL;
    }
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *err = xasprintf("no SQL Server password for %s: %s", who, password_hint);
        return NULL;
    }
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSANOW, &quiet);
    }
    char *prompt = xasprintf("SQL Server password for %s: ", who);
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* the prompt is a courtesy; reading still works */
    }
    free(prompt);
    struct strbuf b;
    sb_init(&b);
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) == 1 && c != '\n' && c != '\r')
        sb_addc(&b, c);
    if (restore)
        tcsetattr(fd, TCSANOW, &old);
    if (write(fd, "\n", 1) < 0) {
        /* nothing to do */
    }
    close(fd);
    if (r < 0) {
        sb_free(&b);
        *err = xstrdup("cannot read the SQL Server password from the terminal");
        return NULL;
    }
    return sb_detach(&b);
}

static char *get_password(const struct tds_params *p, const char *who, char **err)
{
    const char *env = getenv(PASSWORD_ENV);
    if (env)
        return xstrdup(env);
    const char *file = p->password_file ? p->password_file : getenv(PASSWORD_FILE_ENV);
    if (file && *file)
        return read_password_file(file, err);
    pthread_mutex_lock(&pw_mu);
    char *pw = NULL;
    if (pw_prompted && strcmp(pw_prompted_for, who) == 0) {
        pw = xstrdup(pw_prompted);
    } else {
        pw = prompt_password(who, err);
        if (pw) {
            free(pw_prompted);
            free(pw_prompted_for);
            pw_prompted = xstrdup(pw);
            pw_prompted_for = xstrdup(who);
        }
    }
    pthread_mutex_unlock(&pw_mu);
    return pw;
}

/* ---- opening ---------------------------------------------------------- */

static void wipe(char *s)
{
    if (s) {
        volatile char *v = s;
        while (*v)
            *v++ = '\0';
    }
}

/* Session setup: settings, the text encoding of VARBINARY casts, the
 * isolation level. */
static int first_len_fn(struct tds_source *s, void *ctx, const struct cell *cells, size_t n)
{
    (void)s;
    size_t *len = ctx;
    if (n >= 1 && !cells[0].is_null && *len == SIZE_MAX)
        *len = cells[0].len;
    return 0;
}

static int session_setup(struct tds_source *s, char **err)
{
    /* 61 00 from SQL Server; 61 from the stand-in (SQLite's UTF-8). The
     * length tells them apart: as a C string both read "a". */
    size_t alen = SIZE_MAX;
    if (run_sql(s, "SET TEXTSIZE 2147483647; SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON; "
                   "SET ANSI_WARNINGS ON; SET ANSI_PADDING ON; SET CONCAT_NULL_YIELDS_NULL ON; "
                   "SET ARITHABORT ON; SELECT CAST(N'a' AS VARBINARY(MAX))",
                NULL, 0, first_len_fn, &alen, "cannot set up the session", err) != 0)
        return -1;
    s->utf16 = alen != 1;
    s->snapshot_isolation = s->rcsi = -1;
    char *iv[2];
    char *e = NULL;
    bool found;
    if (query_first(s, "SELECT snapshot_isolation_state, is_read_committed_snapshot_on FROM "
                       "sys.databases WHERE name = DB_NAME()",
                    iv, 2, &found, "isolation", &e) == 0 && found) {
        s->snapshot_isolation = iv[0] ? strcmp(iv[0], "1") == 0 : -1;
        s->rcsi = iv[1] ? strcmp(iv[1], "1") == 0 : -1;
    }
    free(e);
    if (found)
        free_vals(iv, 2);
    /* SNAPSHOT when allowed: every statement reads one committed state.
     * Otherwise READ COMMITTED, which READ_COMMITTED_SNAPSHOT makes a
     * statement-level snapshot and which is never a dirty read. */
    s->isolation = s->snapshot_isolation == 1 ? "SNAPSHOT" : "READ COMMITTED";
    char sql[80];
    snprintf(sql, sizeof sql, "SET TRANSACTION ISOLATION LEVEL %s", s->isolation);
    return run_sql(s, sql, NULL, 0, NULL, NULL, "cannot set the isolation level", err);
}

struct source *source_tds_open(const char *locator, char **err)
{
    pthread_once(&init_once, tds_init);
    if (!init_ok) {
        *err = xstrdup("cannot initialise FreeTDS db-lib (dbinit failed)");
        return NULL;
    }
    struct tds_params p;
    if (parse_locator(locator, &p, err) != 0) {
        params_free(&p);
        return NULL;
    }
    char *server;
    if (p.server)
        server = xstrdup(p.server);
    else if (p.encrypt || p.ca_file || p.check_hostname) {
        server = conf_section(&p, err);
        if (!server) {
            params_free(&p);
            return NULL;
        }
    } else
        server = xasprintf("%s:%s", p.host, p.port ? p.port : "1433");
    char *desc = xstrdup(locator);
    char *who = p.server ? xasprintf("%s@%s", p.user, p.server)
                         : xasprintf("%s@%s:%s", p.user, p.host, p.port ? p.port : "1433");
    char *pw = get_password(&p, who, err);
    if (!pw) {
        free(who);
        free(desc);
        free(server);
        params_free(&p);
        return NULL;
    }
    struct tds_source *s = xcalloc(1, sizeof *s);
    s->base.ops = &tds_ops;
    s->base.description = desc;
    s->timeout = p.timeout;
    sb_init(&s->scratch);
    LOGINREC *login = dblogin();
    if (!login) {
        *err = xstrdup("cannot allocate a db-lib login");
        wipe(pw);
        free(pw);
        free(who);
        free(server);
        params_free(&p);
        tds_close(&s->base);
        return NULL;
    }
    DBSETLUSER(login, p.user);
    DBSETLPWD(login, pw);
    DBSETLAPP(login, p.app ? p.app : "pantrycrm");
    DBSETLCHARSET(login, "UTF-8");
    DBSETLDBNAME(login, p.database);
    dbsetlversion(login, DBVERSION_74);
    /* Process-wide in db-lib; every source of a run uses the same locator,
     * so they are set once per value, under a lock (threads open sources
     * at the same time). */
    static pthread_mutex_t time_mu = PTHREAD_MUTEX_INITIALIZER;
    static int cur_login = -1, cur_query = -1;
    pthread_mutex_lock(&time_mu);
    if (cur_login != p.login_timeout)
        dbsetlogintime(cur_login = p.login_timeout);
    if (cur_query != p.timeout)
        dbsettime(cur_query = p.timeout);
    pthread_mutex_unlock(&time_mu);
    diag_reset(&s->diag);
    tls_diag = &s->diag;
    s->db = dbopen(login, server);
    tls_diag = NULL;
    dbloginfree(login);
    wipe(pw);
    free(pw);
    if (!s->db) {
        char *d = diag_text(s);
        if (s->diag.timed_out && !s->diag.msgno)
            *err = xasprintf("SQL Server %s did not answer the login within %d s "
                             "(login_timeout=SECONDS in the locator changes the limit)",
                             p.server ? p.server : server, p.login_timeout);
        else if (s->diag.msgno == 18456)
            *err = xasprintf("SQL Server login as %s failed (wrong user or password?): %s", who, d);
        else if (s->diag.msgno)
            *err = xasprintf("cannot log in to SQL Server as %s: %s", who, d);
        else if (p.server)
            *err = xasprintf("cannot connect to SQL Server %s (a freetds.conf server): %s",
                             p.server, d);
        else
            *err = xasprintf("cannot connect to SQL Server at %s:%s: %s%s%s%s", p.host,
                             p.port ? p.port : "1433", d,
                             p.encrypt ? " (with encrypt=" : "", p.encrypt ? p.encrypt : "",
                             p.encrypt ? ": does the server offer TLS, and does its certificate "
                                         "pass the checks?)" : "");
        free(d);
        free(who);
        free(server);
        params_free(&p);
        tds_close(&s->base);
        return NULL;
    }
    dbsetuserdata(s->db, (BYTE *)&s->diag);
    free(who);
    free(server);
    params_free(&p);
    if (session_setup(s, err) != 0) {
        tds_close(&s->base);
        return NULL;
    }
    return &s->base;
}

int source_tds_exec(struct source *src, const char *sql, char **value, char **err)
{
    *value = NULL;
    if (strcmp(src->ops->kind, "mssql") != 0) {
        *err = xstrdup("not an mssql source");
        return -1;
    }
    return query_first((struct tds_source *)src, sql, value, 1, NULL, "query failed", err);
}

const char *source_tds_text_encoding(struct source *src)
{
    if (strcmp(src->ops->kind, "mssql") != 0)
        return "none";
    return ((struct tds_source *)src)->utf16 ? "utf-16le" : "utf-8";
}

#endif /* HAVE_FREETDS */
