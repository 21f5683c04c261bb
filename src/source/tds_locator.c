/* tds_locator.c - what it takes to log in to SQL Server: the mssql:
 * locator and its options, a private freetds.conf for TLS settings, and the
 * password (environment, file or terminal; never the locator).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tds_private.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_ENV "PANTRYCRM_MSSQL_PASSWORD"
#define PASSWORD_FILE_ENV "PANTRYCRM_MSSQL_PASSWORD_FILE"
#define USER_ENV "PANTRYCRM_MSSQL_USER"

/* ---- the locator ----------------------------------------------------- */

void tds_params_free(struct tds_params *p)
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

int tds_parse_locator(const char *loc, struct tds_params *p, char **err)
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

char *tds_conf_section(const struct tds_params *p, char **err)
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

char *tds_get_password(const struct tds_params *p, const char *who, char **err)
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

