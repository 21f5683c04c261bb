/* fallback.h - after the cutover, the application's changes in PostgreSQL
 * carried back to the legacy SQL Server, so that a rollback loses nothing.
 *
 * Capture: cutover --commit installs row triggers on the ten tables (in the
 * transaction that records the cutover) that log each changed key into
 * migration.fallback_log (data/sql/0012_fallback.sql says why triggers and
 * not logical decoding). A round reads the log and the current rows in one
 * PostgreSQL snapshot, writes them through the reverse transform in ONE SQL
 * Server transaction that also inserts a row into the ledger table
 * dbo._pantrycrm_fallback, commits, and only then deletes the applied log
 * entries. A crash between the two commits repeats the round, which writes
 * the same current images again: the legacy database ends the same, so each
 * change takes effect exactly once.
 *
 * No echo: the forward sync skips every change whose Change Tracking version
 * is the version of a ledger insert (a fallback transaction), and the
 * capture trigger ignores transactions the forward sync marks as its own.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_FALLBACK_H
#define PANTRY_FALLBACK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "convert.h"

/* The ledger table in the legacy database: one row per fallback
 * transaction. Change-track it (ALTER TABLE ... ENABLE CHANGE_TRACKING) so
 * that the forward sync can tell the fallback's writes from the old
 * application's. */
#define FALLBACK_LEDGER "_pantrycrm_fallback"
#define FALLBACK_LEDGER_KEY "round"
/* The CHANGE_TRACKING_CONTEXT of the fallback's writes ("pantrycrm-fallback"),
 * where the server supports it (the stand-in does not): the forward sync's
 * CHANGETABLE query leaves them out as well. */
#define FALLBACK_CT_CONTEXT "0x70616e74727963726d2d66616c6c6261636b"

/* Exit status of a round that left rows in the fallback quarantine. */
#define FALLBACK_EXIT_QUARANTINE 4

struct state;
struct policy_rule;

/* A row a round sent to the fallback quarantine; the strings are data
 * (keys, server messages): sanitise them before they reach a terminal. */
struct fallback_quarantined {
    const char *table, *key;
    const char *column;             /* NULL: the row as a whole */
    const char *reason, *detail;
};

/* What one round did. */
struct fallback_round {
    int n;                          /* the round's number, from 1 */
    bool nothing;                   /* the log held no change */
    size_t changes;                 /* keys applied to the legacy database */
    double seconds;
    const struct fallback_quarantined *quarantined;
    size_t nquarantined;
};

struct fallback_opts {
    const char *source;             /* mssql locator of the legacy database */
    const char *conninfo;
    struct transform_settings transform;    /* migrate's: enum spellings, policies, zone, years */
    bool follow;
    double interval;
    int max_rounds;
    const char *state_path;         /* the round's figures for the console; NULL: none */
    /* Called after each round with what it did (NULL: nothing is shown). */
    void (*on_round)(void *ctx, const struct fallback_round *r);
    void *ctx;
};

extern volatile sig_atomic_t fallback_stop_requested;

/* One round, or rounds every interval until stopped. 0 done, 130 stopped by
 * a signal, 1 error with *err. */
int fallback_run(const struct fallback_opts *o, char **err);

/* Installs the capture triggers and the fallback's row; run inside the
 * caller's transaction (cutover --commit). */
int fallback_install(PGconn *conn, const char *source, char **err);
/* Takes the capture off (rollback); inside the caller's transaction. */
int fallback_remove(PGconn *conn, char **err);

struct fallback_status {
    bool installed, removed;
    int64_t pending;                /* keys logged and not yet applied */
    double oldest_pending_s;        /* age of the oldest of them */
    int64_t quarantined;            /* open fallback quarantine rows */
    int64_t rounds, applied, errors, last_changes;
    double last_rate;
    double quiet_s;                 /* since the last application change seen */
    char quiet_since[40];
    char last_error[256];
};
int fallback_status_read(PGconn *conn, struct fallback_status *s, char **err);

/* The last round as the console's migration pane shows it (kept in the
 * local state file, like the forward sync's). */
struct fallback_round_state {
    double at;                      /* epoch seconds of the round */
    int64_t changes, pending, quarantined, errors;
    double rate, lag_s;             /* changes/s; age of the oldest pending change */
};
int fallback_state_put(struct state *st, const struct fallback_round_state *s, char **err);
/* false when no round was recorded. */
bool fallback_state_get(struct state *st, struct fallback_round_state *s);

#endif
