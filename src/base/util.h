/* util.h - allocation, messages and small string helpers shared by every module.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_UTIL_H
#define PANTRY_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#if defined(__GNUC__)
#define PANTRY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PANTRY_NORETURN __attribute__((noreturn))
#else
#define PANTRY_PRINTF(f, a)
#define PANTRY_NORETURN
#endif

/* Allocation never returns NULL: running out of memory is not something a
 * CLI or console can recover from meaningfully, so we abort with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PANTRY_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PANTRY_PRINTF(1, 0);

/* Program name used as the prefix of every message ("pantrycrm: ..."). */
void util_set_progname(const char *argv0);
const char *util_progname(void);

/* Messages go to stderr, prefixed by the program name. */
void warnx_(const char *fmt, ...) PANTRY_PRINTF(1, 2);
PANTRY_NORETURN void diex(int status, const char *fmt, ...) PANTRY_PRINTF(2, 3);

/* A growable string. */
struct strbuf {
    char *buf;
    size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Makes room for extra more bytes and the terminating NUL. */
void sb_grow(struct strbuf *sb, size_t extra);
/* Inline: the loader and verify append millions of short values, and a
 * call per byte showed in their profiles. */
static inline void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap)
        sb_grow(sb, n);     /* also makes the buffer exist for n == 0 */
    if (n) {
        memcpy(sb->buf + sb->len, s, n);
        sb->len += n;
    }
    sb->buf[sb->len] = '\0';
}
static inline void sb_addc(struct strbuf *sb, char c)
{
    if (sb->len + 2 > sb->cap)
        sb_grow(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) PANTRY_PRINTF(2, 3);
void sb_reset(struct strbuf *sb);
/* Hands the buffer to the caller (never NULL) and leaves sb empty. */
char *sb_detach(struct strbuf *sb);

bool str_eq(const char *a, const char *b);
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Strip trailing newlines and blanks in place (libpq messages end in '\n'). */
char *str_rtrim(char *s);

/* Read a whole file; returns NULL and sets errno on failure. */
char *file_read_all(const char *path, size_t *len_out);

#endif
