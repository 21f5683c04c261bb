/* tds-exec.c - a small db-lib client for the tests: runs a T-SQL script
 * (batches separated by lines "GO", as sqlcmd and tsql read them) from
 * standard input, or one query given with -q whose first column it prints,
 * one value a line. The server is HOST:PORT; the login comes from
 * TDS_USER and TDS_PASSWORD. Exits 1 on any server error (printed with its
 * number and the batch it came from).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sybfront.h>
#include <sybdb.h>

static int failed;
static long batch_no;

static int on_error(DBPROCESS *dbp, int severity, int dberr, int oserr, char *dberrstr,
                    char *oserrstr)
{
    (void)dbp;
    (void)oserr;
    (void)oserrstr;
    if (severity > 4) {
        fprintf(stderr, "tds-exec: db-lib %d: %s (batch %ld)\n", dberr, dberrstr, batch_no);
        failed = 1;
    }
    return INT_CANCEL;
}

static int on_message(DBPROCESS *dbp, DBINT no, int state, int severity, char *text, char *server,
                      char *proc, int line)
{
    (void)dbp;
    (void)state;
    (void)server;
    (void)proc;
    (void)line;
    if (severity > 10) {
        fprintf(stderr, "tds-exec: server error %d: %s (batch %ld)\n", (int)no, text, batch_no);
        failed = 1;
    }
    return 0;
}

static int run(DBPROCESS *dbp, const char *sql, bool print)
{
    batch_no++;
    if (dbcmd(dbp, sql) == FAIL || dbsqlexec(dbp) == FAIL) {
        failed = 1;
        return -1;
    }
    RETCODE rc;
    while ((rc = dbresults(dbp)) != NO_MORE_RESULTS) {
        if (rc == FAIL) {
            failed = 1;
            return -1;
        }
        while (dbnextrow(dbp) != NO_MORE_ROWS) {
            if (!print || dbnumcols(dbp) < 1)
                continue;
            BYTE *data = dbdata(dbp, 1);
            if (!data) {
                printf("NULL\n");
                continue;
            }
            char buf[256];
            DBINT n = dbconvert(dbp, dbcoltype(dbp, 1), data, dbdatlen(dbp, 1), SYBCHAR,
                                (BYTE *)buf, (DBINT)sizeof buf - 1);
            if (n < 0)
                n = 0;
            buf[n < (DBINT)sizeof buf ? n : (DBINT)sizeof buf - 1] = '\0';
            printf("%s\n", buf);
        }
    }
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tds-exec HOST:PORT [-q QUERY] < SCRIPT\n");
        return 2;
    }
    const char *user = getenv("TDS_USER"), *pw = getenv("TDS_PASSWORD");
    if (dbinit() == FAIL)
        return 1;
    dberrhandle(on_error);
    dbmsghandle(on_message);
    LOGINREC *login = dblogin();
    DBSETLUSER(login, user ? user : "sa");
    DBSETLPWD(login, pw ? pw : "");
    DBSETLAPP(login, "pantrycrm-tests");
    DBSETLCHARSET(login, "UTF-8");
    dbsetlversion(login, DBVERSION_74);
    DBPROCESS *dbp = dbopen(login, argv[1]);
    if (!dbp) {
        fprintf(stderr, "tds-exec: cannot connect to %s\n", argv[1]);
        return 1;
    }
    if (argc >= 4 && strcmp(argv[2], "-q") == 0) {
        run(dbp, argv[3], true);
    } else {
        /* Batches end at a line "GO"; the script's literals never span
         * lines, so a line is never inside a string. */
        char *line = NULL, *batch = NULL;
        size_t cap = 0, blen = 0, bcap = 0;
        ssize_t n;
        while (!failed && (n = getline(&line, &cap, stdin)) != -1) {
            if (strcmp(line, "GO\n") == 0 || strcmp(line, "GO") == 0) {
                if (blen)
                    run(dbp, batch, false);
                blen = 0;
                continue;
            }
            if (blen + (size_t)n + 1 > bcap) {
                bcap = (blen + (size_t)n + 1) * 2;
                batch = realloc(batch, bcap);
                if (!batch)
                    return 1;
            }
            memcpy(batch + blen, line, (size_t)n);
            blen += (size_t)n;
            batch[blen] = '\0';
        }
        if (!failed && blen)
            run(dbp, batch, false);
        free(line);
        free(batch);
    }
    dbclose(dbp);
    dbloginfree(login);
    dbexit();
    return failed ? 1 : 0;
}
