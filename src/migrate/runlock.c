/* runlock.c - the migrate/replay/sync lock of a target as a leased row.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "runlock.h"
#include "lockkeys.h"
#include "pg.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LEASE_S 60

struct runlock {
    char holder[320];
    char host[256];
    int lease_s;
    PGconn *hb;                 /* the heartbeat's own connection */
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool lost;
};

static int lease_seconds(void)
{
    /* Tests shorten it to watch a lease lapse; nobody else needs to. */
    const char *v = getenv("PANTRYCRM_LOCK_LEASE");
    int n = v ? atoi(v) : 0;
    return n >= 2 && n <= 3600 ? n : DEFAULT_LEASE_S;
}

/* A holder on this host whose process is gone will never release its row:
 * no need to wait for the lease. */
static bool holder_dead_here(const struct runlock *l, const char *host, const char *pid)
{
    if (strcmp(host, l->host) != 0)
        return false;
    long p = atol(pid);
    return p > 0 && kill((pid_t)p, 0) != 0 && errno == ESRCH;
}

/* One attempt in one transaction: 1 taken, 0 busy (*busy describes the
 * holder), -1 on failure. */
static int try_take(struct runlock *l, PGconn *conn, const char *purpose, char **busy, char **err)
{
    if (!pg_command(conn, err, "BEGIN"))
        return -1;
    PGresult *res = pg_exec(conn, err,
        "SELECT pg_advisory_xact_lock(" LOCK_KEY_RUN "), to_regclass('migration.run_lock') IS NOT NULL",
        0, NULL);
    if (!res)
        goto fail;
    bool have_schema = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!have_schema) {
        /* A schema older than 0013 (or none): nothing to lock yet, and the
         * caller's schema check says to run 'pantrycrm db migrate'. */
        PQclear(PQexec(conn, "ROLLBACK"));
        return 1;
    }
    res = pg_exec(conn, err,
        "SELECT holder, host, pid::text, purpose, lease_until > clock_timestamp(),"
        " to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),"
        " to_char(lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')"
        " FROM migration.run_lock WHERE id = 1 FOR UPDATE", 0, NULL);
    if (!res)
        goto fail;
    if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), l->holder) != 0
        && PQgetvalue(res, 0, 4)[0] == 't'
        && !holder_dead_here(l, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2))) {
        free(*busy);
        *busy = xasprintf("a 'pantrycrm %s' (host %s, process %s, since %s) holds the lock of "
                          "this database; its lease runs to %s and is renewed while it runs: wait "
                          "for it to finish, or stop it first",
                          PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
                          PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 6));
        PQclear(res);
        PQclear(PQexec(conn, "ROLLBACK"));
        return 0;
    }
    PQclear(res);
    char pid[24], lease[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    snprintf(lease, sizeof lease, "%d", l->lease_s);
    const char *params[5] = {l->holder, l->host, pid, purpose, lease};
    res = pg_exec(conn, err,
        "INSERT INTO migration.run_lock (id, holder, host, pid, purpose, lease_until)"
        " VALUES (1, $1, $2, $3::int, $4, clock_timestamp() + $5::int * interval '1 second')"
        " ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, host = EXCLUDED.host,"
        " pid = EXCLUDED.pid, purpose = EXCLUDED.purpose, taken_at = now(),"
        " lease_until = EXCLUDED.lease_until", 5, params);
    if (!res)
        goto fail;
    PQclear(res);
    return pg_command(conn, err, "COMMIT") ? 1 : -1;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

static void *heartbeat(void *arg)
{
    struct runlock *l = arg;
    char lease[24];
    snprintf(lease, sizeof lease, "%d", l->lease_s);
    pthread_mutex_lock(&l->mu);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += l->lease_s / 3 > 0 ? l->lease_s / 3 : 1;
        while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) == 0) {
        }
        if (l->stop)
            break;
        pthread_mutex_unlock(&l->mu);
        char *err = NULL;
        if (PQstatus(l->hb) != CONNECTION_OK) {
            /* the server or pooler restarted: a fresh connection (and a
             * fresh token, when a password command gives them) */
            PGconn *c = pg_connect_like(l->hb, "renew the migrate lock", &err);
            if (c) {
                PQfinish(l->hb);
                l->hb = c;
            }
        }
        const char *params[2] = {l->holder, lease};
        PGresult *res = PQstatus(l->hb) == CONNECTION_OK
            ? pg_exec(l->hb, &err,
                      "UPDATE migration.run_lock SET lease_until = clock_timestamp() +"
                      " $2::int * interval '1 second' WHERE id = 1 AND holder = $1", 2, params)
            : NULL;
        bool lost = res && strcmp(PQcmdTuples(res), "0") == 0;
        PQclear(res);
        free(err);
        pthread_mutex_lock(&l->mu);
        if (lost)
            l->lost = true;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

struct runlock *runlock_take(PGconn *conn, const char *purpose, double wait_s, char **err)
{
    struct runlock *l = xcalloc(1, sizeof *l);
    if (gethostname(l->host, sizeof l->host - 1) != 0)
        snprintf(l->host, sizeof l->host, "unknown");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(l->holder, sizeof l->holder, "%s:%ld:%lx", l->host, (long)getpid(),
             (unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec);
    l->lease_s = lease_seconds();
    /* Everything that takes this lock writes: on a standby say where to go
     * instead of failing on the first write. */
    char *lag = NULL;
    int standby = pg_standby(conn, &lag, err);
    free(lag);
    if (standby != 0) {
        if (standby == 1)
            *err = xasprintf("this server is a standby (read replica), which takes no writes: "
                             "run %s against the primary (e.g. -d with "
                             "target_session_attrs=read-write)", purpose);
        free(l);
        return NULL;
    }
    char *busy = NULL;
    int rc;
    for (double waited = 0;; waited += 0.25) {
        rc = try_take(l, conn, purpose, &busy, err);
        if (rc != 0 || waited >= wait_s)
            break;
        struct timespec d = {0, 250000000L};
        nanosleep(&d, NULL);
    }
    if (rc != 1) {
        if (rc == 0) {
            free(*err);
            *err = busy;
            busy = NULL;
        }
        free(busy);
        free(l);
        return NULL;
    }
    free(busy);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    char *cerr = NULL;
    l->hb = pg_connect_like(conn, "renew the migrate lock", &cerr);
    free(cerr);
    if (l->hb)
        l->running = pthread_create(&l->thread, NULL, heartbeat, l) == 0;
    return l;
}

bool runlock_held(struct runlock *l)
{
    if (!l)
        return false;
    pthread_mutex_lock(&l->mu);
    bool held = !l->lost;
    pthread_mutex_unlock(&l->mu);
    return held;
}

void runlock_release(struct runlock *l, PGconn *conn)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (l->running)
        pthread_join(l->thread, NULL);
    const char *params[1] = {l->holder};
    PGconn *c = conn && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
                    ? conn : l->hb;
    char *err = NULL;
    if (c && PQstatus(c) != CONNECTION_OK && l->hb) {
        PGconn *fresh = pg_connect_like(l->hb, "release the migrate lock", &err);
        if (fresh) {
            PQfinish(l->hb);
            l->hb = c = fresh;
        }
    }
    if (c)
        PQclear(pg_exec(c, &err, "DELETE FROM migration.run_lock WHERE id = 1 AND holder = $1",
                        1, params));
    free(err);
    if (l->hb)
        PQfinish(l->hb);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

int runlock_check_free_xact(PGconn *conn, char **err)
{
    PGresult *res = pg_exec(conn, err,
        "SELECT pg_try_advisory_xact_lock(" LOCK_KEY_RUN "),"
        " to_regclass('migration.run_lock') IS NOT NULL", 0, NULL);
    if (!res)
        return -1;
    bool locked = PQgetvalue(res, 0, 0)[0] == 't', table = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!locked) {
        *err = xstrdup("a migrate, replay or sync is taking the lock of this database right now");
        return 1;
    }
    if (!table)
        return 0;
    res = pg_exec(conn, err,
        "SELECT purpose, host, pid FROM migration.run_lock"
        " WHERE id = 1 AND lease_until > clock_timestamp() FOR UPDATE", 0, NULL);
    if (!res)
        return -1;
    int rc = 0;
    struct runlock me = {0};
    if (gethostname(me.host, sizeof me.host - 1) != 0)
        me.host[0] = '\0';
    if (PQntuples(res) == 1
        && !holder_dead_here(&me, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2))) {
        *err = xasprintf("a 'pantrycrm %s' (host %s, process %s) holds the lock of this database",
                         PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
        rc = 1;
    }
    PQclear(res);
    return rc;
}
