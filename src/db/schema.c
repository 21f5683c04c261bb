/* schema.c - forward-only, versioned SQL migrations of the target schema.
 *
 * Each file in data/sql is applied once, in name order, inside its own
 * subtransaction (a savepoint) that also records (name, checksum,
 * applied_at) in pantrycrm.schema_migration; a failing file is rolled back
 * alone and the ones before it are committed. The whole run is one
 * transaction holding a transaction-level advisory lock, which serialises
 * concurrent runs and, unlike a session lock, cannot stay behind on a
 * pooled server connection. (So a file may not use an enum value that an
 * earlier file of the same run adds with ALTER TYPE ... ADD VALUE: put such
 * a use in a later release's file.) Files are never edited once applied: a changed checksum stops the
 * run, because silently diverging schemas are worse than a refusal. The
 * one exception is a file whose first text failed on some targets (it
 * dropped an index that an interrupted data migration had already turned
 * into deferred DDL) and was mended so that it leaves every target where
 * the first text left those it ran on: it names each earlier checksum it
 * stands for on a line "-- supersedes <sha256>", and a database that
 * recorded one of those has it applied.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "lockkeys.h"
#include "pg.h"
#include "schema.h"
#include "paths.h"
#include "progress.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>


static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct schema_file *)a)->name, ((const struct schema_file *)b)->name);
}

int schema_load(const char *dir, struct schema_set *set, char **err)
{
    set->files = NULL;
    set->n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        *err = xasprintf("cannot read schema files in %s: %s (set PANTRYCRM_DATADIR to the "
                         "directory holding sql/)", dir, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !str_ends_with(de->d_name, ".sql"))
            continue;
        char *path = xasprintf("%s/%s", dir, de->d_name);
        size_t len;
        char *sql = file_read_all(path, &len);
        if (!sql) {
            *err = xasprintf("cannot read %s: %s", path, strerror(errno));
            free(path);
            closedir(d);
            schema_set_free(set);
            return -1;
        }
        free(path);
        if (set->n == cap) {
            cap = cap ? cap * 2 : 8;
            set->files = xrealloc(set->files, cap * sizeof *set->files);
        }
        struct schema_file *f = &set->files[set->n++];
        f->name = xstrdup(de->d_name);
        f->sql = sql;
        digest_sha256_hex(sql, len, f->checksum);
    }
    closedir(d);
    if (set->n == 0) {
        *err = xasprintf("no schema files (*.sql) in %s", dir);
        return -1;
    }
    qsort(set->files, set->n, sizeof *set->files, cmp_file);
    return 0;
}

int schema_load_installed(struct schema_set *set, char **err)
{
    char *data = paths_pkgdata();
    char *dir = xasprintf("%s/sql", data);
    free(data);
    int rc = schema_load(dir, set, err);
    free(dir);
    return rc;
}

void schema_set_free(struct schema_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->files[i].name);
        free(set->files[i].sql);
    }
    free(set->files);
    set->files = NULL;
    set->n = 0;
}

const char *schema_state_name(enum schema_state st)
{
    switch (st) {
    case SCHEMA_PENDING: return "pending";
    case SCHEMA_APPLIED: return "applied";
    case SCHEMA_CHANGED: return "CHANGED";
    case SCHEMA_UNKNOWN: return "UNKNOWN";
    }
    return "?";
}

void schema_report_free(struct schema_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->entries[i].name);
        free(rep->entries[i].applied_at);
        free(rep->entries[i].checksum);
    }
    free(rep->entries);
    rep->entries = NULL;
    rep->n = 0;
}

static const struct schema_file *find_file(const struct schema_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->files[i].name, name) == 0)
            return &set->files[i];
    return NULL;
}

/* Whether sql says "-- supersedes <checksum>" at the start of a line. */
static bool file_supersedes(const char *sql, const char *checksum)
{
    static const char mark[] = "-- supersedes ";
    size_t n = strlen(checksum);
    for (const char *p = sql; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, mark, sizeof mark - 1) == 0 && strncmp(p + sizeof mark - 1, checksum, n) == 0
            && !isxdigit((unsigned char)p[sizeof mark - 1 + n]))
            return true;
    return false;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct schema_entry *)a)->name, ((const struct schema_entry *)b)->name);
}

int schema_status(PGconn *conn, const struct schema_set *set, struct schema_report *rep, char **err)
{
    rep->entries = xcalloc(set->n + 1, sizeof *rep->entries);
    rep->n = 0;
    /* A database that never saw pantrycrm has no bookkeeping table yet. */
    PGresult *res = pg_exec(conn, err,
        "SELECT to_regclass('pantrycrm.schema_migration') IS NOT NULL", 0, NULL);
    if (!res) {
        schema_report_free(rep);
        return -1;
    }
    bool present = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    res = NULL;
    if (present) {
        res = pg_exec(conn, err,
            "SELECT name, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS') || ' UTC' FROM pantrycrm.schema_migration ORDER BY name",
            0, NULL);
        if (!res) {
            schema_report_free(rep);
            return -1;
        }
    }
    size_t cap = set->n + 1;
    int rows = res ? PQntuples(res) : 0;
    for (int r = 0; r < rows; r++) {
        if (rep->n == cap) {
            cap *= 2;
            rep->entries = xrealloc(rep->entries, cap * sizeof *rep->entries);
        }
        struct schema_entry *e = &rep->entries[rep->n++];
        e->name = xstrdup(PQgetvalue(res, r, 0));
        e->checksum = xstrdup(PQgetvalue(res, r, 1));
        e->applied_at = xstrdup(PQgetvalue(res, r, 2));
        const struct schema_file *f = find_file(set, e->name);
        e->state = !f ? SCHEMA_UNKNOWN
                 : strcmp(f->checksum, e->checksum) == 0 || file_supersedes(f->sql, e->checksum)
                     ? SCHEMA_APPLIED
                     : SCHEMA_CHANGED;
    }
    PQclear(res);
    for (size_t i = 0; i < set->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < rep->n && !seen; j++)
            seen = strcmp(rep->entries[j].name, set->files[i].name) == 0;
        if (seen)
            continue;
        if (rep->n == cap) {
            cap *= 2;
            rep->entries = xrealloc(rep->entries, cap * sizeof *rep->entries);
        }
        struct schema_entry *e = &rep->entries[rep->n++];
        e->name = xstrdup(set->files[i].name);
        e->state = SCHEMA_PENDING;
        e->applied_at = NULL;
        e->checksum = NULL;
    }
    qsort(rep->entries, rep->n, sizeof *rep->entries, cmp_entry);
    return 0;
}

/* Names of the extensions a file creates ("CREATE EXTENSION IF NOT EXISTS x"). */
static void extensions_in(const char *sql, char names[][64], size_t *n, size_t max)
{
    const char *p = sql;
    const char *needle = "CREATE EXTENSION IF NOT EXISTS ";
    while ((p = strstr(p, needle)) != NULL && *n < max) {
        /* A mention inside a "--" comment is not a statement. */
        const char *bol = p;
        while (bol > sql && bol[-1] != '\n')
            bol--;
        const char *dash = strstr(bol, "--");
        bool in_comment = dash && dash < p;
        p += strlen(needle);
        if (in_comment)
            continue;
        while (*p == ' ' || *p == '"')
            p++;
        size_t k = 0;
        while ((isalnum((unsigned char)*p) || *p == '_' || *p == '-') && k < 63)
            names[*n][k++] = *p++;
        names[*n][k] = '\0';
        if (k)
            (*n)++;
    }
}

/* Before touching anything, make sure every extension the pending files
 * need can be created here, and say exactly what to do when it cannot. */
static int check_extensions(PGconn *conn, const struct schema_set *set,
                            const struct schema_report *rep, char **err)
{
    char names[32][64];
    size_t n = 0;
    for (size_t i = 0; i < rep->n; i++) {
        if (rep->entries[i].state != SCHEMA_PENDING)
            continue;
        const struct schema_file *f = find_file(set, rep->entries[i].name);
        if (f)
            extensions_in(f->sql, names, &n, 32);
    }
    for (size_t i = 0; i < n; i++) {
        const char *params[1] = {names[i]};
        PGresult *res = pg_exec(conn, err,
            "SELECT (SELECT count(*) FROM pg_available_extensions WHERE name = $1), "
            "(SELECT count(*) FROM pg_extension WHERE extname = $1), "
            "current_setting('azure.extensions', true)", 1, params);
        if (!res)
            return -1;
        bool available = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
        bool installed = strcmp(PQgetvalue(res, 0, 1), "0") != 0;
        char *azure = PQgetisnull(res, 0, 2) ? NULL : xstrdup(PQgetvalue(res, 0, 2));
        PQclear(res);
        if (installed) {
            free(azure);
            continue;
        }
        if (azure) {
            /* Azure Database for PostgreSQL only creates allow-listed extensions. */
            bool listed = false;
            char *list = xstrdup(azure);
            for (char *tok = strtok(list, ", "); tok; tok = strtok(NULL, ", "))
                if (strcasecmp(tok, names[i]) == 0)
                    listed = true;
            free(list);
            if (!listed) {
                *err = xasprintf("the extension \"%s\" is not allow-listed on this Azure server "
                                 "(azure.extensions = '%s'): add %s to the server parameter "
                                 "azure.extensions (portal: Server parameters, or az postgres "
                                 "flexible-server parameter set --name azure.extensions), save, "
                                 "then run 'pantrycrm db migrate' again",
                                 names[i], azure, names[i]);
                free(azure);
                return -1;
            }
        }
        free(azure);
        if (!available) {
            *err = xasprintf("the extension \"%s\" is not available on this PostgreSQL server: "
                             "install the server's contrib modules (Debian: postgresql-contrib) "
                             "or ask the server's administrator, then run 'pantrycrm db migrate' "
                             "again", names[i]);
            return -1;
        }
    }
    return 0;
}

/* Turns a 1-based character offset in sql into a line number. */
static int line_of(const char *sql, long pos)
{
    int line = 1;
    for (long i = 0; sql[i] && i < pos - 1; i++)
        if (sql[i] == '\n')
            line++;
    return line;
}

static char *explain_failure(const struct schema_file *f, PGresult *res, PGconn *conn)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    char *m = str_rtrim(xstrdup(msg && *msg ? msg : PQerrorMessage(conn)));
    const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char *where = pos ? xasprintf(" (line %d)", line_of(f->sql, atol(pos))) : xstrdup("");
    const char *hint = "";
    if (strstr(m, "allow-listed") || strstr(m, "allowlisted"))
        hint = "\nhint: add the extension to the Azure server parameter azure.extensions, then retry";
    else if (state && strcmp(state, "42501") == 0)
        hint = "\nhint: the role lacks a privilege this migration needs; run it as the database "
               "owner, or have an administrator grant CREATE on the database";
    char *out = xasprintf("migration %s failed%s, nothing of it was applied: %s%s",
                          f->name, where, m, hint);
    free(m);
    free(where);
    return out;
}

int schema_migrate(PGconn *conn, const struct schema_set *set, const struct progress *log,
                   char **err)
{
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    int applied = -1;
    struct schema_report rep = {0};

    /* The bookkeeping table itself is not a migration: it must exist
     * before we can tell which migrations ran. */
    if (!pg_command(conn, err, "SELECT pg_advisory_xact_lock(" LOCK_KEY_SCHEMA ")")
        || !pg_command(conn, err, "SET LOCAL client_min_messages = warning")
        || !pg_command(conn, err, "CREATE SCHEMA IF NOT EXISTS pantrycrm")
        || !pg_command(conn, err,
            "CREATE TABLE IF NOT EXISTS pantrycrm.schema_migration ("
            " name text PRIMARY KEY,"
            " checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
            " applied_at timestamptz NOT NULL DEFAULT now())"))
        goto out;
    if (schema_status(conn, set, &rep, err) != 0)
        goto out;
    for (size_t i = 0; i < rep.n; i++) {
        const struct schema_entry *e = &rep.entries[i];
        if (e->state == SCHEMA_CHANGED) {
            const struct schema_file *f = find_file(set, e->name);
            *err = xasprintf("refusing to migrate: %s was applied on %s with checksum %.12s…, "
                             "but the file now has %.12s…; applied migrations are never edited: "
                             "restore the original file and put the change in a new one",
                             e->name, e->applied_at, e->checksum, f->checksum);
            goto out;
        }
        if (e->state == SCHEMA_UNKNOWN) {
            *err = xasprintf("refusing to migrate: the database has migration %s, which this "
                             "pantrycrm does not know; it was set up by a newer pantrycrm, "
                             "so upgrade pantrycrm", e->name);
            goto out;
        }
    }
    if (check_extensions(conn, set, &rep, err) != 0)
        goto out;

    applied = 0;
    for (size_t i = 0; i < rep.n; i++) {
        if (rep.entries[i].state != SCHEMA_PENDING)
            continue;
        const struct schema_file *f = find_file(set, rep.entries[i].name);
        if (!pg_command(conn, err, "SAVEPOINT pantrycrm_migration")) {
            applied = -1;
            goto out;
        }
        /* The file holds several statements, so it goes through the simple
         * query protocol; it is our own shipped SQL, never user input. */
        PGresult *res = PQexec(conn, f->sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
            *err = explain_failure(f, res, conn);
            PQclear(res);
            PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT pantrycrm_migration"));
            applied = -1;
            goto out;
        }
        PQclear(res);
        const char *params[2] = {f->name, f->checksum};
        char *e2 = NULL;
        res = pg_exec(conn, &e2,
                      "INSERT INTO pantrycrm.schema_migration (name, checksum) VALUES ($1, $2)",
                      2, params);
        PQclear(res);
        if (!res || !pg_command(conn, &e2, "RELEASE SAVEPOINT pantrycrm_migration")) {
            *err = xasprintf("migration %s could not be recorded: %s", f->name, e2 ? e2 : "?");
            free(e2);
            PQclear(PQexec(conn, "ROLLBACK TO SAVEPOINT pantrycrm_migration"));
            applied = -1;
            goto out;
        }
        if (log)
            progress_say(log, "applied %s", f->name);
        applied++;
    }
out:
    schema_report_free(&rep);
    /* The files applied before a failure stay applied, as they would with
     * a transaction each; the lock ends here. */
    char *cerr = NULL;
    if (!pg_command(conn, &cerr, "COMMIT") && applied >= 0) {
        *err = xasprintf("the migrations could not be committed: %s", cerr);
        applied = -1;
    }
    free(cerr);
    return applied;
}

char *schema_missing(PGconn *conn)
{
    PGresult *res = PQexecParams(conn,
        "SELECT to_regclass('public.\"Organization\"') IS NOT NULL AND"
        " to_regclass('migration.run') IS NOT NULL", 0, NULL, NULL, NULL, NULL, 0);
    bool missing = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                   && PQgetvalue(res, 0, 0)[0] == 'f';
    PQclear(res);
    if (!missing)
        return NULL;
    return xasprintf("database \"%s\" has no CRM schema yet: run 'pantrycrm db migrate' first "
                     "(as a role that may create tables)", PQdb(conn));
}
