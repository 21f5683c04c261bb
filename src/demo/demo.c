/* demo.c - the private demo PostgreSQL cluster.
 *
 * The demo must work with no setup: no port (a unix socket in a private
 * directory), no password (trust is safe because only the owner can reach
 * the socket directory), no system service. initdb and postgres refuse to
 * run as root, so as root the server runs as the postgres system user; root's
 * home is usually closed to other users, so the cluster then lives in a
 * directory that user can reach.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "demo.h"
#include "source_sqlite.h"
#include "gen.h"
#include "paths.h"
#include "pg.h"
#include "proc.h"
#include "progress.h"
#include "schema.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_CLUSTER_DIR "/var/lib/pantrycrm/demo-cluster"

static bool has_initdb(const char *dir)
{
    char *p = xasprintf("%s/initdb", dir);
    bool ok = proc_is_executable(p);
    free(p);
    return ok;
}

char *demo_find_bindir(void)
{
    const char *env = getenv("PANTRYCRM_PG_BINDIR");
    if (env && *env && has_initdb(env))
        return xstrdup(env);

    struct strbuf out;
    sb_init(&out);
    const char *argv[] = {"pg_config", "--bindir", NULL};
    if (proc_run(argv, NULL, &out) == 0 && out.buf) {
        str_rtrim(out.buf);
        if (has_initdb(out.buf))
            return sb_detach(&out);
    }
    sb_free(&out);

    /* Debian keeps server programs out of PATH, one directory per major version. */
    DIR *dir = opendir("/usr/lib/postgresql");
    if (!dir)
        return NULL;
    long best = -1;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        char *end;
        long v = strtol(de->d_name, &end, 10);
        if (*end || end == de->d_name || v <= best)
            continue;
        char *bin = xasprintf("/usr/lib/postgresql/%s/bin", de->d_name);
        if (has_initdb(bin))
            best = v;
        free(bin);
    }
    closedir(dir);
    return best < 0 ? NULL : xasprintf("/usr/lib/postgresql/%ld/bin", best);
}

void demo_init(struct demo *d)
{
    memset(d, 0, sizeof *d);
    char *data = paths_data_home();
    d->home = xasprintf("%s/demo", data);
    d->runas = geteuid() == 0 ? "postgres" : NULL;
    if (d->runas && !paths_world_traversable(data))
        d->cluster = xstrdup(ROOT_CLUSTER_DIR);
    else
        d->cluster = xasprintf("%s/cluster", d->home);
    free(data);
    d->datadir = xasprintf("%s/data", d->cluster);
    d->sockdir = xasprintf("%s/sock", d->cluster);
    d->logfile = xasprintf("%s/server.log", d->cluster);
    d->conninfo = xasprintf("host=%s port=" DEMO_PORT " dbname=" DEMO_DBNAME " user=postgres",
                            d->sockdir);
    d->bindir = demo_find_bindir();
    d->legacy = xasprintf("%s/legacy.db", d->home);
}

void demo_free(struct demo *d)
{
    free(d->home);
    free(d->cluster);
    free(d->datadir);
    free(d->sockdir);
    free(d->logfile);
    free(d->conninfo);
    free(d->bindir);
    free(d->legacy);
    memset(d, 0, sizeof *d);
}

bool demo_exists(const struct demo *d)
{
    char *p = xasprintf("%s/PG_VERSION", d->datadir);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

static int run_server_prog(const struct demo *d, const char *prog, const char *const *args,
                           struct strbuf *out)
{
    const char *argv[16];
    size_t k = 0;
    char *path = xasprintf("%s/%s", d->bindir, prog);
    argv[k++] = path;
    for (size_t i = 0; args[i] && k < 15; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    int rc = proc_run(argv, d->runas, out);
    free(path);
    return rc;
}

bool demo_running(const struct demo *d)
{
    if (!d->bindir || !demo_exists(d))
        return false;
    struct strbuf out;
    sb_init(&out);
    const char *args[] = {"status", "-D", d->datadir, NULL};
    int rc = run_server_prog(d, "pg_ctl", args, &out);
    sb_free(&out);
    return rc == 0;
}

static int chown_to_runas(const struct demo *d, const char *path, char **err)
{
    if (!d->runas)
        return 0;
    struct passwd *pw = getpwnam(d->runas);
    if (!pw || chown(path, pw->pw_uid, pw->pw_gid) != 0) {
        *err = xasprintf("cannot hand %s to the %s user: %s", path, d->runas,
                         pw ? strerror(errno) : "no such user");
        return -1;
    }
    return 0;
}

/* As root the server runs as another user, who must be able to pass
 * through (not list) the directories above its own. */
static mode_t parent_mode(const struct demo *d)
{
    return d->runas ? 0711 : 0700;
}

static int create_cluster(struct demo *d, const struct progress *log, char **err)
{
    if (paths_mkdir_p(d->cluster, parent_mode(d)) != 0 || chmod(d->cluster, 0700) != 0) {
        *err = xasprintf("cannot create %s: %s", d->cluster, strerror(errno));
        return -1;
    }
    if (chown_to_runas(d, d->cluster, err) != 0)
        return -1;
    /* initdb into a scratch directory and rename it into place, so that an
     * interrupted first run never leaves a half-made cluster behind. */
    char *tmp = xasprintf("%s/data.initdb", d->cluster);
    struct strbuf out;
    sb_init(&out);
    const char *rm[] = {"rm", "-rf", tmp, NULL};
    proc_run(rm, NULL, NULL);
    if (log)
        progress_say(log, "creating the demo cluster in %s", d->datadir);
    const char *args[] = {"-D", tmp, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                          "--locale=C.UTF-8", NULL};
    int rc = run_server_prog(d, "initdb", args, &out);
    if (rc != 0) {
        *err = xasprintf("initdb failed (exit %d):\n%s", rc, out.buf ? str_rtrim(out.buf) : "");
        sb_free(&out);
        free(tmp);
        return -1;
    }
    sb_free(&out);
    char *conf = xasprintf("%s/postgresql.conf", tmp);
    FILE *f = fopen(conf, "a");
    if (!f) {
        *err = xasprintf("cannot append to %s: %s", conf, strerror(errno));
        free(conf);
        free(tmp);
        return -1;
    }
    fprintf(f, "\n# pantrycrm demo: unix socket only, in a directory only the owner can reach\n"
               "listen_addresses = ''\n"
               "port = " DEMO_PORT "\n"
               "unix_socket_directories = '%s'\n"
               "unix_socket_permissions = 0700\n", d->sockdir);
    fclose(f);
    free(conf);
    if (rename(tmp, d->datadir) != 0) {
        *err = xasprintf("cannot move the new cluster into %s: %s", d->datadir, strerror(errno));
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

static int ensure_database(struct demo *d, const struct progress *log, char **err)
{
    char *admin = xasprintf("host=%s port=" DEMO_PORT " dbname=postgres user=postgres", d->sockdir);
    PGconn *conn = pg_connect(admin, "create the demo database", err);
    free(admin);
    if (!conn)
        return -1;
    const char *params[1] = {DEMO_DBNAME};
    PGresult *res = pg_exec(conn, err, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params);
    if (!res) {
        PQfinish(conn);
        return -1;
    }
    bool have = PQntuples(res) > 0;
    PQclear(res);
    int rc = 0;
    if (!have) {
        if (log)
            progress_say(log, "creating database %s", DEMO_DBNAME);
        rc = pg_command(conn, err, "CREATE DATABASE " DEMO_DBNAME) ? 0 : -1;
    }
    PQfinish(conn);
    return rc;
}

int demo_up(struct demo *d, const struct progress *log, char **err)
{
    if (!d->bindir) {
        *err = xstrdup("PostgreSQL server programs (initdb, pg_ctl) not found: install the "
                       "Debian package postgresql, or set PANTRYCRM_PG_BINDIR");
        return -1;
    }
    if (d->runas && !getpwnam(d->runas)) {
        *err = xasprintf("running as root, the demo server runs as the '%s' user, which does "
                         "not exist: install the Debian package postgresql", d->runas);
        return -1;
    }
    if (paths_mkdir_p(d->home, parent_mode(d)) != 0) {
        *err = xasprintf("cannot create %s: %s", d->home, strerror(errno));
        return -1;
    }
    if (!demo_exists(d) && create_cluster(d, log, err) != 0)
        return -1;
    if (!demo_running(d)) {
        /* The socket directory is recreated at each start: a reboot may
         * have emptied it, and a stale socket file must not linger. */
        if (paths_mkdir_p(d->sockdir, 0700) != 0 || chown_to_runas(d, d->sockdir, err) != 0) {
            if (!*err)
                *err = xasprintf("cannot create %s: %s", d->sockdir, strerror(errno));
            return -1;
        }
        if (log)
            progress_say(log, "starting the demo server (log: %s)", d->logfile);
        struct strbuf out;
        sb_init(&out);
        const char *args[] = {"start", "-w", "-t", "60", "-D", d->datadir, "-l", d->logfile, NULL};
        int rc = run_server_prog(d, "pg_ctl", args, &out);
        if (rc != 0) {
            char *tail = file_read_all(d->logfile, NULL);
            *err = xasprintf("the demo server did not start (pg_ctl exit %d): %s\n%s", rc,
                             out.buf ? str_rtrim(out.buf) : "", tail ? str_rtrim(tail) : "");
            free(tail);
            sb_free(&out);
            return -1;
        }
        sb_free(&out);
    }
    if (ensure_database(d, log, err) != 0)
        return -1;

    struct schema_set set;
    if (schema_load_installed(&set, err) != 0)
        return -1;
    PGconn *conn = pg_connect(d->conninfo, "apply the schema to the demo database", err);
    if (!conn) {
        schema_set_free(&set);
        return -1;
    }
    int applied = schema_migrate(conn, &set, log, err);
    PQfinish(conn);
    schema_set_free(&set);
    if (applied < 0)
        return -1;
    /* A legacy source to migrate from, messy like the real one, made once. */
    struct stat st;
    if (stat(d->legacy, &st) != 0) {
        if (log)
            progress_say(log, "generating the demo legacy source %s", d->legacy);
        struct gen_opts g = {.scale = DEMO_LEGACY_SCALE, .messy = true, .seed = 1, .out = d->legacy};
        if (gen_legacy_sqlite(&g, NULL, err) != 0)
            return -1;
        /* Change capture from the start, so that the demo can show a live
         * sync (pantrycrm demo activity, then pantrycrm sync --follow). */
        if (source_sqlite_track(d->legacy, 0, NULL, err) != 0)
            return -1;
    }
    return 0;
}

int demo_down(struct demo *d, const struct progress *log, char **err)
{
    if (!demo_running(d)) {
        if (log)
            progress_say(log, "the demo server is not running");
        return 0;
    }
    struct strbuf out;
    sb_init(&out);
    const char *args[] = {"stop", "-w", "-m", "fast", "-D", d->datadir, NULL};
    int rc = run_server_prog(d, "pg_ctl", args, &out);
    if (rc != 0) {
        *err = xasprintf("pg_ctl stop failed (exit %d): %s", rc, out.buf ? str_rtrim(out.buf) : "");
        sb_free(&out);
        return -1;
    }
    sb_free(&out);
    if (log)
        progress_say(log, "the demo server is stopped");
    return 0;
}
