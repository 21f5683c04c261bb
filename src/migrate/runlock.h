/* runlock.h - the "one migrate, replay or sync at a time" lock of a
 * target, as a row with a lease (migration.run_lock) rather than a session
 * advisory lock.
 *
 * Why a row: behind a transaction-mode pooler (PgBouncer, Azure's built-in
 * one) a session advisory lock stays with whichever server connection ran
 * the statement, outlives the client, and cannot be released from another
 * server connection. A row is seen by every connection; its lease ends a
 * holder that died without releasing it, and a holder on the same host
 * whose process is gone is taken over at once. A heartbeat thread with its
 * own connection renews the lease, so a long index build or a blocked
 * main connection does not let it lapse.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_RUNLOCK_H
#define PANTRY_RUNLOCK_H

#include <libpq-fe.h>
#include <stdbool.h>

struct runlock;

/* Takes the lock for purpose ("migrate", "sync" ...) over conn, waiting up
 * to wait_s seconds for a live holder; the heartbeat connects like conn.
 * NULL with *err when another holder is live (the message names it) or on
 * failure. */
struct runlock *runlock_take(PGconn *conn, const char *purpose, double wait_s, char **err);

/* Stops the heartbeat and deletes the row (over conn if it is usable, else
 * over a fresh connection). NULL is fine. */
void runlock_release(struct runlock *l, PGconn *conn);

/* True while the heartbeat has not lost the row to someone else. */
bool runlock_held(struct runlock *l);

/* For cutover, inside its transaction: takes the advisory transaction lock
 * and checks that no live holder exists. 0 free, 1 busy (*err says who),
 * -1 on failure. */
int runlock_check_free_xact(PGconn *conn, char **err);

#endif
