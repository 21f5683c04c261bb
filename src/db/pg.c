/* pg.c - PostgreSQL connections the libpq way.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "pg.h"
#include "userconf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

char *pg_conninfo_check(const char *conninfo)
{
    if (!conninfo)
        return NULL;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        char *msg = xasprintf("invalid connection string: %s",
                              err ? str_rtrim(err) : "out of memory");
        PQfreemem(err);
        return msg;
    }
    PQconninfoFree(opts);
    return NULL;
}

/* Reads a password from the controlling terminal with echo off, as psql
 * does; NULL when there is no terminal to ask. */
static char *prompt_password(const char *user)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    /* from the start of a clean line: the console's "connecting..." may
     * be on it */
    char *prompt = xasprintf("\r\033[KPassword for user %s: ", user ? user : "(default)");
    if (write(fd, prompt, strlen(prompt)) < 0) {
        free(prompt);
        close(fd);
        return NULL;
    }
    free(prompt);
    struct termios old, quiet;
    bool have_termios = tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    struct strbuf sb;
    sb_init(&sb);
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
        sb_addc(&sb, c);
    if (have_termios)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* nothing useful to do: the prompt is cosmetic */
    }
    close(fd);
    return sb_detach(&sb);
}

const char *pg_password_command(void)
{
    const char *cmd = getenv("PANTRYCRM_PASSWORD_COMMAND");
    if (cmd && *cmd)
        return cmd;
    const struct config *cfg = config_get();
    return cfg && cfg->password_command && *cfg->password_command ? cfg->password_command : NULL;
}

/* Runs the password command through the shell and returns the first line
 * of its output (an Entra ID access token, say). It is run afresh for
 * every connection because tokens expire within the hour; the value lives
 * only in this buffer and libpq's connection, never in a file or argv. */
static char *run_password_command(const char *cmd, char **err)
{
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (!p) {
        *err = xasprintf("cannot run the password command: %s", strerror(errno));
        return NULL;
    }
    struct strbuf sb;
    sb_init(&sb);
    int c;
    while ((c = fgetc(p)) != EOF && c != '\n')
        if (c != '\r')
            sb_addc(&sb, (char)c);
    while (c != EOF)    /* drain: a command killed by SIGPIPE is not a failure of ours */
        c = fgetc(p);
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || sb.len == 0) {
        *err = sb.len == 0 && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0
                   ? xstrdup("the password command printed nothing")
                   : xasprintf("the password command failed (%s %d)",
                               st != -1 && WIFEXITED(st) ? "exit status" : "signal",
                               st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        if (sb.buf)
            memset(sb.buf, 0, sb.len);
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static PGconn *connect_once(const char *conninfo, const char *password)
{
    const char *keys[5];
    const char *vals[5];
    int k = 0;
    /* expand_dbname lets "dbname" carry a whole URI or key=value string;
     * libpq skips entries whose value is NULL, so no conninfo means "PG*
     * environment and defaults". Later keywords override the string. */
    keys[k] = "dbname";
    vals[k++] = conninfo && *conninfo ? conninfo : NULL;
    keys[k] = "fallback_application_name";
    vals[k++] = "pantrycrm";
    keys[k] = "client_encoding";
    vals[k++] = "UTF8";
    if (password) {
        keys[k] = "password";
        vals[k++] = password;
    }
    keys[k] = NULL;
    vals[k] = NULL;
    return PQconnectdbParams(keys, vals, 1);
}

const char *pg_connect_hint(const char *libpq_msg)
{
    /* A certificate problem is not cured by another -d: say which knobs
     * decide it, without suggesting to weaken the check. */
    if (strstr(libpq_msg, "certificate") || strstr(libpq_msg, "SSL") || strstr(libpq_msg, "sslmode")
        || strstr(libpq_msg, "root.crt") || strstr(libpq_msg, "TLS"))
        return "hint: this is a TLS problem: check sslmode (verify-full checks the server's "
               "certificate and name) and sslrootcert (the CA that signed the server's "
               "certificate, e.g. the one your cloud provider publishes)";
    if (strstr(libpq_msg, "password authentication failed") && pg_password_command())
        return "hint: the password command's token was refused: has it expired, or is it for "
               "another resource (Azure: --resource-type oss-rdbms) or user?";
    return "hint: pass a connection string with -d (URI or key=value), or set "
           "PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE; passwords come from "
           "~/.pgpass or PGPASSWORD, or password-command";
}

PGconn *pg_connect(const char *conninfo, const char *purpose, char **errmsg)
{
    *errmsg = NULL;
    /* A named connection of the configuration (-d @prod), or its
     * default-connection when no conninfo was given. */
    char *cerr = NULL;
    const char *named = config_resolve_conninfo(conninfo, &cerr);
    if (cerr) {
        *errmsg = xasprintf("cannot %s: %s", purpose, cerr);
        free(cerr);
        return NULL;
    }
    conninfo = named;
    char *bad = pg_conninfo_check(conninfo);
    if (bad) {
        *errmsg = xasprintf("cannot %s: %s", purpose, bad);
        free(bad);
        return NULL;
    }
    char *token = NULL;
    const char *pwcmd = pg_password_command();
    if (pwcmd) {
        char *perr = NULL;
        if (!(token = run_password_command(pwcmd, &perr))) {
            *errmsg = xasprintf("cannot %s: %s\nhint: password-command (or "
                                "PANTRYCRM_PASSWORD_COMMAND) must print the password or access "
                                "token on its first line", purpose, perr);
            free(perr);
            return NULL;
        }
    }
    PGconn *conn = connect_once(conninfo, token);
    wipe_free(token);
    if (conn && !pwcmd && PQstatus(conn) == CONNECTION_BAD && PQconnectionNeedsPassword(conn)
        && !getenv("PGPASSWORD") && isatty(STDIN_FILENO)) {
        char *pw = prompt_password(PQuser(conn));
        if (pw) {
            PQfinish(conn);
            conn = connect_once(conninfo, pw);
            memset(pw, 0, strlen(pw));
            free(pw);
        }
    }
    if (!conn) {
        *errmsg = xasprintf("cannot %s: out of memory while connecting to PostgreSQL", purpose);
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        char *libpq_msg = xstrdup(PQerrorMessage(conn));
        str_rtrim(libpq_msg);
        *errmsg = xasprintf("cannot %s: could not connect to PostgreSQL: %s\n%s",
                            purpose, libpq_msg, pg_connect_hint(libpq_msg));
        free(libpq_msg);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

PGresult *pg_exec(PGconn *conn, char **errmsg, const char *sql, int nparams,
                  const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    /* A caller may meet several failures in a row (a COPY, then its
     * ROLLBACK TO SAVEPOINT on a dead connection): the latest message
     * replaces the earlier one, which is freed. */
    free(*errmsg);
    *errmsg = str_rtrim(xstrdup(msg && *msg ? msg : PQerrorMessage(conn)));
    PQclear(res);
    return NULL;
}

bool pg_command(PGconn *conn, char **errmsg, const char *sql)
{
    PGresult *res = pg_exec(conn, errmsg, sql, 0, NULL);
    PQclear(res);
    return res != NULL;
}

char *pg_describe(PGconn *conn)
{
    const char *host = PQhost(conn);
    return xasprintf("database \"%s\" as \"%s\" on %s%s", PQdb(conn), PQuser(conn),
                     host && *host == '/' ? "socket in " : "", host ? host : "default host");
}

PGconn *pg_connect_like(PGconn *model, const char *purpose, char **errmsg)
{
    *errmsg = NULL;
    /* PQreset would reuse the password the model connected with: an access
     * token from a password command may have expired since. */
    PQconninfoOption *opts = PQconninfo(model);
    if (!opts) {
        *errmsg = xasprintf("cannot %s: out of memory", purpose);
        return NULL;
    }
    const char *pwcmd = pg_password_command();
    char *token = NULL;
    if (pwcmd) {
        char *perr = NULL;
        if (!(token = run_password_command(pwcmd, &perr))) {
            *errmsg = xasprintf("cannot %s: %s", purpose, perr);
            free(perr);
            PQconninfoFree(opts);
            return NULL;
        }
    }
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **keys = xcalloc(n + 3, sizeof *keys);
    const char **vals = xcalloc(n + 3, sizeof *vals);
    size_t k = 0;
    bool have_timeout = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (token && !strcmp(o->keyword, "password"))
            continue;
        have_timeout = have_timeout || !strcmp(o->keyword, "connect_timeout");
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    /* A reconnect must not hang for minutes on a host that went silent. */
    if (!have_timeout) {
        keys[k] = "connect_timeout";
        vals[k++] = "10";
    }
    if (token) {
        keys[k] = "password";
        vals[k++] = token;
    }
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    free(keys);
    free(vals);
    wipe_free(token);
    PQconninfoFree(opts);
    if (!conn) {
        *errmsg = xasprintf("cannot %s: out of memory while connecting to PostgreSQL", purpose);
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        char *libpq_msg = str_rtrim(xstrdup(PQerrorMessage(conn)));
        *errmsg = xasprintf("cannot %s: could not connect to PostgreSQL: %s", purpose, libpq_msg);
        free(libpq_msg);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

bool pg_pooled(PGconn *conn)
{
    /* A pooler answers the client with its own cancel key, so the process
     * id libpq was told at login is not the server process that runs our
     * statements; a direct connection reports the same pid both ways. */
    const char *force = getenv("PANTRYCRM_POOLER");
    if (!force) {
        const struct config *cfg = config_get();
        force = cfg ? cfg->pooler : NULL;
    }
    if (force && !strcmp(force, "yes"))
        return true;
    if (force && !strcmp(force, "no"))
        return false;
    PGresult *res = PQexecParams(conn, "SELECT pg_backend_pid()", 0, NULL, NULL, NULL, NULL, 0);
    bool pooled = PQresultStatus(res) == PGRES_TUPLES_OK
                  && atoi(PQgetvalue(res, 0, 0)) != PQbackendPID(conn);
    PQclear(res);
    return pooled;
}

char *pg_tls_summary(PGconn *conn)
{
    if (!PQsslInUse(conn)) {
        const char *host = PQhost(conn);
        return xstrdup(host && *host == '/' ? "local socket, no TLS" : "not encrypted");
    }
    const char *ver = PQsslAttribute(conn, "protocol");
    const char *mode = NULL;
    PQconninfoOption *opts = PQconninfo(conn);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "sslmode"))
            mode = o->val;
    /* libpq checks the chain for verify-ca and verify-full, and the name
     * only for verify-full; the weaker modes may encrypt without knowing
     * who answers. */
    const char *verified = mode && !strcmp(mode, "verify-full") ? "server certificate and name verified"
                         : mode && !strcmp(mode, "verify-ca") ? "server certificate verified, name not checked"
                         : "server certificate NOT verified";
    char *s = xasprintf("%s, %s (sslmode=%s)", ver ? ver : "TLS", verified, mode ? mode : "?");
    PQconninfoFree(opts);
    return s;
}

int pg_standby(PGconn *conn, char **lag, char **errmsg)
{
    *lag = NULL;
    PGresult *res = pg_exec(conn, errmsg,
        "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN"
        " coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1)"
        " || ' s since the last replayed transaction', 'nothing replayed yet') END", 0, NULL);
    if (!res)
        return -1;
    int standby = PQgetvalue(res, 0, 0)[0] == 't';
    if (standby && !PQgetisnull(res, 0, 1))
        *lag = xstrdup(PQgetvalue(res, 0, 1));
    PQclear(res);
    return standby;
}
