/* drizzle.c - the Drizzle baseline: the migrated database's history handed
 * over to drizzle-kit (drizzle-kit 0.31 / drizzle-orm 0.45 layout).
 *
 * What drizzle-kit keeps: a folder with meta/_journal.json (entries with a
 * tag and a "when" in milliseconds), one NNNN_tag.sql per entry and the
 * schema snapshots; and in the database drizzle.__drizzle_migrations (id,
 * hash = sha256 hex of the SQL file, created_at = the entry's "when").
 * `drizzle-kit migrate` reads only the newest row and applies every journal
 * entry with a later "when", so one row with the baseline's "when" makes it
 * apply nothing now and exactly the team's later migrations afterwards.
 * The shipped folder (data/drizzle/migrations, written by
 * tools/drizzle-regen.sh) holds one entry: data/sql as one file, and the
 * snapshot of data/drizzle/schema.ts, so `drizzle-kit generate` starts from
 * the schema as it is.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "digest.h"
#include "drizzle.h"
#include "paths.h"
#include "pg.h"
#include "schema.h"
#include "progress.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct baseline {
    char *tag;                              /* 0000_pantrycrm_baseline */
    long long when;                         /* journal "when", ms */
    char hash[DIGEST_SHA256_HEX_LEN + 1];   /* of <tag>.sql */
};

/* The first entry of a journal. 1 found, 0 the journal has no entries,
 * -1 with *err. */
static int journal_first(const char *path, char **tag, long long *when, char **err)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        *err = xasprintf("%s: %s", path, je.text);
        return -1;
    }
    int rc = -1;
    json_t *entries = json_object_get(j, "entries");
    if (json_is_array(entries) && json_array_size(entries) == 0) {
        rc = 0;
    } else {
        json_t *e = json_array_get(entries, 0);
        json_t *t = json_object_get(e, "tag"), *w = json_object_get(e, "when");
        if (json_is_string(t) && json_is_integer(w)) {
            *tag = xstrdup(json_string_value(t));
            *when = (long long)json_integer_value(w);
            rc = 1;
        } else {
            *err = xasprintf("%s: not a drizzle-kit journal (no entry with a tag and a when)", path);
        }
    }
    json_decref(j);
    return rc;
}

static int baseline_load(const char *src, struct baseline *b, char **err)
{
    char *journal = xasprintf("%s/meta/_journal.json", src);
    int found = journal_first(journal, &b->tag, &b->when, err);
    if (found == 0)
        *err = xasprintf("%s has no entries", journal);
    free(journal);
    if (found != 1)
        return -1;
    char *sqlpath = xasprintf("%s/%s.sql", src, b->tag);
    size_t len;
    char *sql = file_read_all(sqlpath, &len);
    if (!sql) {
        *err = xasprintf("cannot read %s: %s", sqlpath, strerror(errno));
        free(sqlpath);
        return -1;
    }
    digest_sha256_hex(sql, len, b->hash);
    free(sql);
    free(sqlpath);
    return 0;
}

static int mkdir_p(const char *dir, char **err)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1;; s++) {
        bool end = *s == '\0';
        if (*s == '/' || end) {
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                *err = xasprintf("cannot create %s: %s", p, strerror(errno));
                free(p);
                return -1;
            }
            if (end)
                break;
            *s = '/';
        }
    }
    free(p);
    return 0;
}

/* Copies a file through a temporary name, so that a reader never sees half. */
static int copy_file(const char *from, const char *to, char **err)
{
    size_t len;
    char *data = file_read_all(from, &len);
    if (!data) {
        *err = xasprintf("cannot read %s: %s", from, strerror(errno));
        return -1;
    }
    char *tmp = xasprintf("%s.tmp", to);
    FILE *f = fopen(tmp, "wb");
    int rc = -1;
    if (!f) {
        *err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
    } else {
        bool ok = fwrite(data, 1, len, f) == len;
        ok = (fclose(f) == 0) && ok;
        if (!ok || rename(tmp, to) != 0) {
            *err = xasprintf("cannot write %s: %s", to, strerror(errno));
            unlink(tmp);
        } else {
            rc = 0;
        }
    }
    free(tmp);
    free(data);
    return rc;
}

/* drizzle-kit 1.0 keeps one folder per migration (<when>_<name>/migration.sql)
 * and no journal; its migrator matches history rows by name. The baseline
 * here is the 0.31 layout, so such a folder is refused rather than mixed. */
static bool v1_layout(const char *outdir)
{
    DIR *d = opendir(outdir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *m = xasprintf("%s/%s/migration.sql", outdir, de->d_name);
        found = access(m, F_OK) == 0;
        free(m);
    }
    closedir(d);
    return found;
}

/* The folder part. */
static int write_folder(const char *src, const struct baseline *b, const char *outdir,
                        const struct progress *out, char **err)
{
    char *journal = xasprintf("%s/meta/_journal.json", outdir);
    int rc = -1;
    if (v1_layout(outdir)) {
        *err = xasprintf("%s holds drizzle-kit 1.0 migrations (one folder per migration); this "
                         "baseline is drizzle-kit 0.31's journal layout: baseline an empty folder, "
                         "then convert it with `drizzle-kit up`", outdir);
        goto out;
    }
    if (access(journal, F_OK) == 0) {
        char *tag = NULL;
        long long when = 0;
        int found = journal_first(journal, &tag, &when, err);
        if (found == 1 && (strcmp(tag, b->tag) != 0 || when != b->when)) {
            *err = xasprintf("%s already holds another migration history (its first entry is %s); "
                             "give an empty or new directory", outdir, tag);
            found = -1;
        }
        free(tag);
        if (found == 1) {
            progress_say(out, "%s already starts with the baseline %s: left as it is", outdir,
                         b->tag);
            free(journal);
            return 0;
        }
        if (found < 0)
            goto out;
    }
    if (mkdir_p(outdir, err) != 0)
        goto out;
    char *meta = xasprintf("%s/meta", outdir);
    int mk = mkdir_p(meta, err);
    free(meta);
    if (mk != 0)
        goto out;
    /* The SQL and the snapshot first, the journal last: a folder with a
     * journal is complete. */
    const char *names[3];
    char *snap = xasprintf("meta/%.4s_snapshot.json", b->tag);
    char *sqlname = xasprintf("%s.sql", b->tag);
    names[0] = sqlname;
    names[1] = snap;
    names[2] = "meta/_journal.json";
    rc = 0;
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        char *from = xasprintf("%s/%s", src, names[i]);
        char *to = xasprintf("%s/%s", outdir, names[i]);
        rc = copy_file(from, to, err);
        free(from);
        free(to);
    }
    free(snap);
    free(sqlname);
    if (rc == 0)
        progress_say(out, "wrote the Drizzle migrations folder %s (baseline %s)", outdir, b->tag);
out:
    free(journal);
    return rc;
}

/* The target must be exactly what the baseline describes: every pantrycrm
 * schema file applied, none pending or changed. */
static int check_schema(PGconn *conn, char **err)
{
    struct schema_set set;
    if (schema_load_installed(&set, err) != 0)
        return -1;
    struct schema_report rep;
    int rc = schema_status(conn, &set, &rep, err);
    if (rc == 0) {
        size_t bad = 0;
        for (size_t i = 0; i < rep.n; i++)
            bad += rep.entries[i].state != SCHEMA_APPLIED;
        if (bad) {
            *err = xasprintf("the target's schema is not up to date (%zu migration%s pending or "
                             "changed): run `pantrycrm db migrate` first", bad, bad == 1 ? "" : "s");
            rc = -1;
        }
        schema_report_free(&rep);
    }
    schema_set_free(&set);
    return rc;
}

/* Where drizzle-orm's migrator keeps its history (its migrationsSchema and
 * migrationsTable settings), quoted for SQL and as written for messages. */
struct history {
    char *qualified;                        /* "drizzle"."__drizzle_migrations" */
    char *qschema;                          /* "drizzle" */
    char *name;                             /* drizzle.__drizzle_migrations */
};

static int history_init(PGconn *conn, const char *schema, const char *table, struct history *h,
                        char **err)
{
    char *qs = PQescapeIdentifier(conn, schema, strlen(schema));
    char *qt = PQescapeIdentifier(conn, table, strlen(table));
    if (!qs || !qt) {
        *err = xasprintf("cannot quote the history table's name: %s", PQerrorMessage(conn));
        PQfreemem(qs);
        PQfreemem(qt);
        return -1;
    }
    h->qschema = xstrdup(qs);
    h->qualified = xasprintf("%s.%s", qs, qt);
    h->name = xasprintf("%s.%s", schema, table);
    PQfreemem(qs);
    PQfreemem(qt);
    return 0;
}

static void history_free(struct history *h)
{
    free(h->qschema);
    free(h->qualified);
    free(h->name);
}

/* Runs one parameterless statement built around the history table's name. */
static bool history_command(PGconn *conn, char **err, const char *fmt, const char *name)
{
    char *sql = xasprintf(fmt, name);
    bool ok = pg_command(conn, err, sql);
    free(sql);
    return ok;
}

static int record_row(PGconn *conn, const struct baseline *b, const struct history *h,
                      const struct progress *out, char **err)
{
    if (!pg_command(conn, err, "BEGIN")
        /* "already exists, skipping" is no news on a second run. */
        || !pg_command(conn, err, "SET LOCAL client_min_messages = warning")
        /* The table as drizzle-orm's migrator creates it, so either can go first. */
        || !history_command(conn, err, "CREATE SCHEMA IF NOT EXISTS %s", h->qschema)
        || !history_command(conn, err,
                            "CREATE TABLE IF NOT EXISTS %s ("
                            " id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)",
                            h->qualified)
        /* Two baselines at once must not both insert. */
        || !history_command(conn, err, "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", h->qualified))
        goto fail;
    /* drizzle-kit 1.0's history has a name per row and is matched by it: a
     * row without one would be no baseline there. */
    const char *tparam[1] = {h->qualified};
    PGresult *v = pg_exec(conn, err,
                          "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass"
                          " AND attname = 'name' AND NOT attisdropped", 1, tparam);
    if (!v)
        goto fail;
    bool v1 = strcmp(PQgetvalue(v, 0, 0), "0") != 0;
    PQclear(v);
    if (v1) {
        *err = xasprintf("%s is drizzle-kit 1.0's history (it has a name column); this baseline "
                         "is for drizzle-kit 0.31", h->name);
        goto fail;
    }
    char when[32];
    snprintf(when, sizeof when, "%lld", b->when);
    const char *params[2] = {b->hash, when};
    char *sql = xasprintf("SELECT coalesce(max(created_at) >= $1::bigint, false),"
                          " count(*) FILTER (WHERE created_at = $1::bigint) FROM %s", h->qualified);
    PGresult *r = pg_exec(conn, err, sql, 1, params + 1);
    free(sql);
    if (!r)
        goto fail;
    bool past = PQgetvalue(r, 0, 0)[0] == 't';
    bool here = strcmp(PQgetvalue(r, 0, 1), "0") != 0;
    PQclear(r);
    char *where = pg_describe(conn);
    if (past) {
        progress_say(out, "%s in %s %s: nothing recorded", h->name, where,
                     here ? "already holds the baseline" : "already holds later migrations");
    } else {
        sql = xasprintf("INSERT INTO %s (hash, created_at) VALUES ($1, $2::bigint)", h->qualified);
        r = pg_exec(conn, err, sql, 2, params);
        free(sql);
        if (!r) {
            free(where);
            goto fail;
        }
        PQclear(r);
        progress_say(out, "recorded the baseline %s in %s in %s", b->tag, h->name, where);
    }
    free(where);
    if (!pg_command(conn, err, "COMMIT"))
        goto fail;
    return 0;
fail:
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PGresult *rb = PQexec(conn, "ROLLBACK");
        PQclear(rb);
    }
    return -1;
}

int drizzle_baseline(const char *conninfo, const char *outdir, const char *mschema,
                     const char *mtable, const struct progress *out, char **err)
{
    struct history h = {0};
    char *data = paths_pkgdata();
    char *src = xasprintf("%s/drizzle/migrations", data);
    struct baseline b = {0};
    PGconn *conn = NULL;
    int rc = -1;
    if (baseline_load(src, &b, err) != 0)
        goto out;
    conn = pg_connect(conninfo, "record the Drizzle baseline", err);
    if (!conn || check_schema(conn, err) != 0)
        goto out;
    if (history_init(conn, mschema && *mschema ? mschema : "drizzle",
                     mtable && *mtable ? mtable : "__drizzle_migrations", &h, err) != 0)
        goto out;
    if (write_folder(src, &b, outdir, out, err) != 0)
        goto out;
    rc = record_row(conn, &b, &h, out, err);
out:
    history_free(&h);
    if (conn)
        PQfinish(conn);
    free(b.tag);
    free(src);
    free(data);
    return rc;
}
