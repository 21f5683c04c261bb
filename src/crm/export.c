/* export.c - lists and query results to CSV or JSON Lines, streaming by
 * keyset pages (lists) or cursor FETCHes (queries). See export.h for the
 * exact formats.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "export.h"
#include "pg.h"
#include "sanitize.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT_PAGE 1000

bool export_format_parse(const char *name, enum export_format *out)
{
    if (!strcmp(name, "csv"))
        *out = EXPORT_CSV;
    else if (!strcmp(name, "jsonl") || !strcmp(name, "json") || !strcmp(name, "ndjson"))
        *out = EXPORT_JSONL;
    else
        return false;
    return true;
}

const char *export_format_name(enum export_format f)
{
    return f == EXPORT_CSV ? "csv" : "jsonl";
}

void export_csv_field(FILE *out, const char *v)
{
    if (!v)
        return; /* NULL: an empty field */
    size_t len = strlen(v);
    /* The empty string is quoted so that it differs from NULL; leading or
     * trailing spaces are quoted because many readers trim them. */
    bool quote = len == 0 || v[strcspn(v, ",\"\r\n")] || v[0] == ' ' || v[len - 1] == ' ';
    if (!quote) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void export_json_string(FILE *out, const char *v)
{
    if (!v) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)v;
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            p++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            fputc((int)c, out);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", out);
                p++;
            } else {
                fwrite(p, 1, n, out);
                p += n;
            }
        }
    }
    fputc('"', out);
}

void export_header(FILE *out, enum export_format fmt, const char *const *names, size_t n)
{
    if (fmt != EXPORT_CSV)
        return; /* JSON Lines names the columns in every object */
    for (size_t c = 0; c < n; c++) {
        if (c)
            fputc(',', out);
        export_csv_field(out, names[c]);
    }
    fputs("\r\n", out);
}

void export_record(FILE *out, enum export_format fmt, const char *const *names,
                   const char *const *cells, size_t n)
{
    if (fmt == EXPORT_CSV) {
        for (size_t c = 0; c < n; c++) {
            if (c)
                fputc(',', out);
            export_csv_field(out, cells[c]);
        }
        fputs("\r\n", out);
        return;
    }
    fputc('{', out);
    for (size_t c = 0; c < n; c++) {
        if (c)
            fputc(',', out);
        export_json_string(out, names[c]);
        fputc(':', out);
        export_json_string(out, cells[c]);
    }
    fputs("}\n", out);
}

int64_t export_list(struct browse_session *s, const struct browse_spec *spec,
                    enum export_format fmt, FILE *out, export_progress progress, void *ctx,
                    char **err)
{
    size_t ncols;
    const char *const *names = browse_column_names(spec->entity, &ncols);
    export_header(out, fmt, names, ncols);
    int64_t rows = 0;
    struct browse_key key = {0};
    enum browse_move move = BROWSE_FIRST;
    for (;;) {
        struct browse_page page = {0};
        if (!browse_fetch_page(s, spec, move, move == BROWSE_FIRST ? NULL : &key, EXPORT_PAGE,
                               &page, err)) {
            browse_key_free(&key);
            return -1;
        }
        for (size_t r = 0; r < page.nrows; r++)
            export_record(out, fmt, names, (const char *const *)page.rows[r], ncols);
        rows += (int64_t)page.nrows;
        bool end = page.at_end || page.nrows == 0;
        browse_key_free(&key);
        if (page.nrows > 0)
            browse_key_from_row(spec->sort, page.rows[page.nrows - 1], &key);
        browse_page_free(&page);
        if (ferror(out)) {
            int e = errno;
            *err = xasprintf("writing the export failed: %s", strerror(e));
            browse_key_free(&key);
            return e == EPIPE ? EXPORT_READER_GONE : -1;
        }
        if (progress && progress(ctx, rows)) {
            browse_key_free(&key);
            return -2;
        }
        if (end)
            break;
        move = BROWSE_NEXT;
    }
    browse_key_free(&key);
    return rows;
}

int64_t export_csv(struct browse_session *s, const struct browse_spec *spec, FILE *out,
                   export_progress progress, void *ctx, char **err)
{
    return export_list(s, spec, EXPORT_CSV, out, progress, ctx, err);
}

int64_t export_query(PGconn *conn, const char *sql, enum export_format fmt, FILE *out,
                     export_progress progress, void *ctx, char **err)
{
    /* A trailing ';' (as a .sql file ends) cannot follow DECLARE's query. */
    char *q = xstrdup(sql);
    size_t len = strlen(q);
    while (len && (q[len - 1] == ';' || q[len - 1] == ' ' || q[len - 1] == '\n'
                   || q[len - 1] == '\r' || q[len - 1] == '\t'))
        q[--len] = '\0';
    if (!len) {
        free(q);
        *err = xstrdup("the query is empty");
        return -1;
    }
    if (!pg_command(conn, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")) {
        free(q);
        return -1;
    }
    char *declare = xasprintf("DECLARE pantrycrm_export NO SCROLL CURSOR FOR %s", q);
    free(q);
    bool declared = pg_command(conn, err, declare);
    free(declare);
    int64_t rows = 0;
    char **names = NULL;
    const char **cells = NULL;
    int ncols = -1;
    if (!declared) {
        char *msg = *err;
        *err = xasprintf("the query failed: %s", msg);
        free(msg);
        rows = -1;
    }
    while (rows >= 0) {
        PGresult *res = pg_exec(conn, err, "FETCH FORWARD 1000 FROM pantrycrm_export", 0, NULL);
        if (!res) {
            rows = -1;
            break;
        }
        if (ncols < 0) {
            ncols = PQnfields(res);
            names = xcalloc((size_t)ncols + 1, sizeof *names);
            cells = xcalloc((size_t)ncols + 1, sizeof *cells);
            for (int c = 0; c < ncols; c++)
                names[c] = xstrdup(PQfname(res, c));
            export_header(out, fmt, (const char *const *)names, (size_t)ncols);
        }
        int n = PQntuples(res);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < ncols; c++)
                cells[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
            export_record(out, fmt, (const char *const *)names, cells, (size_t)ncols);
        }
        PQclear(res);
        rows += n;
        if (ferror(out)) {
            int e = errno;
            *err = xasprintf("writing the export failed: %s", strerror(e));
            rows = e == EPIPE ? EXPORT_READER_GONE : -1;
            break;
        }
        if (progress && progress(ctx, rows)) {
            rows = -2;
            break;
        }
        if (n < 1000)
            break;
    }
    char *rerr = NULL;
    pg_command(conn, &rerr, "ROLLBACK"); /* read only: nothing to keep */
    free(rerr);
    for (int c = 0; c < ncols; c++)
        free(names[c]);
    free(names);
    free(cells);
    return rows;
}

/* ---- a terminal as the output ---------------------------------------- */

/* Lines are held until complete, then each is sanitized on its own (a
 * CRLF's CR dropped), so an escape sequence in a record is shown as a
 * placeholder and a multibyte character is never split. */
struct tty_sink {
    FILE *tty;
    enum sanitize_mode mode;
    struct strbuf pending, clean;
};

static void tty_emit(struct tty_sink *t, const char *line, size_t len, bool newline)
{
    if (len && line[len - 1] == '\r')
        len--;
    sb_reset(&t->clean);
    sanitize_text(line, len, t->mode, &t->clean);
    if (t->clean.len)
        fwrite(t->clean.buf, 1, t->clean.len, t->tty);
    if (newline)
        fputc('\n', t->tty);
}

static ssize_t tty_write(void *cookie, const char *buf, size_t size)
{
    struct tty_sink *t = cookie;
    sb_addn(&t->pending, buf, size);
    size_t start = 0;
    for (size_t i = 0; i < t->pending.len; i++)
        if (t->pending.buf[i] == '\n') {
            tty_emit(t, t->pending.buf + start, i - start, true);
            start = i + 1;
        }
    if (start) {
        memmove(t->pending.buf, t->pending.buf + start, t->pending.len - start);
        t->pending.len -= start;
    }
    return ferror(t->tty) ? -1 : (ssize_t)size;
}

static int tty_close(void *cookie)
{
    struct tty_sink *t = cookie;
    if (t->pending.len)
        tty_emit(t, t->pending.buf, t->pending.len, false);
    int rc = fflush(t->tty) == 0 && !ferror(t->tty) ? 0 : -1;
    sb_free(&t->pending);
    sb_free(&t->clean);
    free(t);
    return rc;
}

FILE *export_terminal(FILE *tty, bool utf8)
{
    struct tty_sink *t = xcalloc(1, sizeof *t);
    t->tty = tty;
    t->mode = utf8 ? SANITIZE_UTF8 : SANITIZE_ASCII;
    sb_init(&t->pending);
    sb_init(&t->clean);
    cookie_io_functions_t io = {.write = tty_write, .close = tty_close};
    FILE *f = fopencookie(t, "w", io);
    if (!f) {
        sb_free(&t->pending);
        sb_free(&t->clean);
        free(t);
    }
    return f;
}

FILE *export_open(const char *path, char **tmp_path, char **err)
{
    *tmp_path = NULL;
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* Never rename over something that is not a plain file: a device
         * (/dev/null) or a FIFO is written directly; anything else is
         * a surprise the user should resolve. */
        if (S_ISLNK(st.st_mode)) {
            *err = xasprintf("%s is a symbolic link: give the file it points to, or another name", path);
            return NULL;
        }
        if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
            *err = xasprintf("%s is %s, not a file: give another name", path,
                             S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ? "a block device"
                             : S_ISSOCK(st.st_mode) ? "a socket" : "not a regular file");
            return NULL;
        }
        int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !f)
            close(fd);
        if (!f)
            *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        return f;
    }
    char *tmp = xasprintf("%s.part", path);
    /* The rows are customers' personal data: readable by the owner only,
     * whatever the umask (the rename keeps this mode). */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f)
        close(fd);
    if (f && fchmod(fd, 0600) != 0) { /* an old .part may have kept another mode */
        fclose(f);
        f = NULL;
    }
    if (!f) {
        *err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return NULL;
    }
    *tmp_path = tmp;
    return f;
}

bool export_finish(FILE *f, const char *path, char *tmp_path, bool ok, char **err)
{
    bool closed = fclose(f) == 0;
    if (!tmp_path) { /* a device or FIFO, written directly */
        if (ok && !closed && err && !*err)
            *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        return ok && closed;
    }
    if (ok && !closed && err && !*err)
        *err = xasprintf("cannot write %s: %s", tmp_path, strerror(errno));
    if (ok && closed && rename(tmp_path, path) != 0) {
        if (err && !*err)
            *err = xasprintf("cannot rename %s to %s: %s", tmp_path, path, strerror(errno));
        closed = false;
    }
    if (!ok || !closed)
        unlink(tmp_path);
    free(tmp_path);
    return ok && closed;
}
