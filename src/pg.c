/* pg.c - PostgreSQL connections the libpq way.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "pg.h"
#include "userconf.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    char *prompt = xasprintf("Password for user %s: ", user ? user : "(default)");
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
    PGconn *conn = connect_once(conninfo, NULL);
    if (conn && PQstatus(conn) == CONNECTION_BAD && PQconnectionNeedsPassword(conn)
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
        *errmsg = xasprintf("cannot %s: could not connect to PostgreSQL: %s\n"
                            "hint: pass a connection string with -d (URI or key=value), or set "
                            "PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE; passwords come from "
                            "~/.pgpass or PGPASSWORD",
                            purpose, libpq_msg);
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
