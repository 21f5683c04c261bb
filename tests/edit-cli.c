/* tests/edit-cli.c - drives src/crm/edit.c from the command line for
 * tests/edit.sh. Not installed.
 *
 *   edit-cli CONNINFO COMMAND [ARG]...
 *
 * Commands:
 *   load ID [COLUMN]         the row as key=value lines (id, token, then one
 *                            line per field); with COLUMN only that value,
 *                            raw (for byte-exact comparisons)
 *   save ID TOKEN [COL=VALUE]...
 *                            the form as it is now in the database (all NULL
 *                            when the row is gone), with COL=VALUE applied,
 *                            saved against TOKEN ("COL=" is an empty field)
 *   create [COL=VALUE]...    a new organization from those fields
 *   cascade ID               contacts= interactions= opportunities=
 *                            contracts= leads=
 *   delete ID TOKEN
 *   log ORG [COL=VALUE]...   logs an interaction (fields of
 *                            edit_interaction_fields)
 * Every command prints result=OK|CONFLICT|GONE|INVALID|ERROR (load and
 * cascade: OK|GONE|ERROR) and error=MESSAGE when there is one; a conflict
 * also prints the current row with "current." before each key. Values are
 * printed with \ \n \t escaped and NULL as \N. The exit status is the
 * edit_result (0 OK, 1 CONFLICT, 2 GONE, 3 INVALID, 4 ERROR), 64 on usage
 * errors.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "edit.h"
#include "pg.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const result_names[] = {"OK", "CONFLICT", "GONE", "INVALID", "ERROR"};

static void put_escaped(const char *v)
{
    if (!v) {
        fputs("\\N", stdout);
        return;
    }
    for (; *v; v++) {
        if (*v == '\\')
            fputs("\\\\", stdout);
        else if (*v == '\n')
            fputs("\\n", stdout);
        else if (*v == '\t')
            fputs("\\t", stdout);
        else
            putchar(*v);
    }
}

static void put_kv(const char *prefix, const char *key, const char *v)
{
    printf("%s%s=", prefix, key);
    put_escaped(v);
    putchar('\n');
}

static void print_org(const char *prefix, const struct edit_org *o)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    put_kv(prefix, "id", o->id);
    put_kv(prefix, "token", o->updated_at);
    for (size_t i = 0; i < n && i < o->nvalues; i++)
        put_kv(prefix, f[i].column, o->values[i]);
}

static int finish(enum edit_result r, char *err)
{
    printf("result=%s\n", result_names[r]);
    if (err)
        put_kv("", "error", err);
    free(err);
    fflush(stdout);   /* before LeakSanitizer's report, which _exits */
    return (int)r;
}

/* Applies COL=VALUE arguments to values (one per field). */
static bool apply(const struct edit_field *f, size_t n, char **values, int argc, char **argv)
{
    for (int a = 0; a < argc; a++) {
        const char *eq = strchr(argv[a], '=');
        if (!eq) {
            fprintf(stderr, "edit-cli: '%s' is not COLUMN=VALUE\n", argv[a]);
            return false;
        }
        size_t i;
        for (i = 0; i < n; i++)
            if (strlen(f[i].column) == (size_t)(eq - argv[a]) &&
                strncmp(f[i].column, argv[a], (size_t)(eq - argv[a])) == 0)
                break;
        if (i == n) {
            fprintf(stderr, "edit-cli: no field '%.*s'\n", (int)(eq - argv[a]), argv[a]);
            return false;
        }
        free(values[i]);
        values[i] = xstrdup(eq + 1);
    }
    return true;
}

static int usage(void)
{
    fputs("usage: edit-cli CONNINFO load|save|create|cascade|delete|log ARG...\n", stderr);
    return 64;
}

int main(int argc, char **argv)
{
    util_set_progname("edit-cli");
    if (argc < 3)
        return usage();
    char *err = NULL;
    PGconn *conn = pg_connect(argv[1], "test the edit module", &err);
    if (!conn) {
        fprintf(stderr, "edit-cli: %s\n", err);
        free(err);
        return 4;
    }
    const char *cmd = argv[2];
    int rc;
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    if (str_eq(cmd, "load") && (argc == 4 || argc == 5)) {
        struct edit_org o;
        int lr = edit_org_load(conn, argv[3], &o, &err);
        if (lr == 0 && argc == 5) {
            size_t i;
            for (i = 0; i < n && !str_eq(f[i].column, argv[4]); i++)
                ;
            if (i == n) {
                edit_org_free(&o);
                PQfinish(conn);
                return usage();
            }
            fputs(o.values[i] ? o.values[i] : "\\N", stdout);
            edit_org_free(&o);
            PQfinish(conn);
            return 0;
        }
        if (lr == 0)
            print_org("", &o);
        edit_org_free(&o);
        rc = finish(lr == 0 ? EDIT_OK : lr == 1 ? EDIT_GONE : EDIT_ERROR, err);
    } else if (str_eq(cmd, "save") && argc >= 5) {
        struct edit_org o, cur;
        int lr = edit_org_load(conn, argv[3], &o, &err);
        if (lr < 0) {
            rc = finish(EDIT_ERROR, err);
        } else {
            if (lr == 1) {
                o.values = xcalloc(n, sizeof *o.values);
                o.nvalues = n;
            }
            free(o.id);
            o.id = xstrdup(argv[3]);
            free(o.updated_at);
            o.updated_at = xstrdup(argv[4]);
            if (!apply(f, n, o.values, argc - 5, argv + 5)) {
                edit_org_free(&o);
                PQfinish(conn);
                return usage();
            }
            enum edit_result r = edit_org_save(conn, &o, &cur, &err);
            if (r == EDIT_OK)
                print_org("", &o);
            if (r == EDIT_CONFLICT)
                print_org("current.", &cur);
            edit_org_free(&cur);
            rc = finish(r, err);
        }
        edit_org_free(&o);
    } else if (str_eq(cmd, "create")) {
        struct edit_org o = {0}, cur;
        o.values = xcalloc(n, sizeof *o.values);
        o.nvalues = n;
        if (!apply(f, n, o.values, argc - 3, argv + 3)) {
            edit_org_free(&o);
            PQfinish(conn);
            return usage();
        }
        enum edit_result r = edit_org_save(conn, &o, &cur, &err);
        if (r == EDIT_OK)
            print_org("", &o);
        edit_org_free(&cur);
        edit_org_free(&o);
        rc = finish(r, err);
    } else if (str_eq(cmd, "cascade") && argc == 4) {
        struct edit_cascade c;
        int cr = edit_org_cascade(conn, argv[3], &c, &err);
        if (cr == 0)
            printf("contacts=%" PRId64 "\ninteractions=%" PRId64 "\nopportunities=%" PRId64
                   "\ncontracts=%" PRId64 "\nleads=%" PRId64 "\n",
                   c.contacts, c.interactions, c.opportunities, c.contracts, c.leads);
        rc = finish(cr == 0 ? EDIT_OK : cr == 1 ? EDIT_GONE : EDIT_ERROR, err);
    } else if (str_eq(cmd, "delete") && argc == 5) {
        enum edit_result r = edit_org_delete(conn, argv[3], argv[4], &err);
        rc = finish(r, err);
    } else if (str_eq(cmd, "log") && argc >= 4) {
        size_t ni;
        const struct edit_field *fi = edit_interaction_fields(&ni);
        char **values = xcalloc(ni, sizeof *values);
        char *id = NULL;
        if (!apply(fi, ni, values, argc - 4, argv + 4)) {
            for (size_t i = 0; i < ni; i++)
                free(values[i]);
            free(values);
            PQfinish(conn);
            return usage();
        }
        enum edit_result r = edit_log_interaction(conn, argv[3], values, &id, &err);
        if (r == EDIT_OK)
            put_kv("", "id", id);
        free(id);
        for (size_t i = 0; i < ni; i++)
            free(values[i]);
        free(values);
        rc = finish(r, err);
    } else {
        PQfinish(conn);
        return usage();
    }
    PQfinish(conn);
    return rc;
}
