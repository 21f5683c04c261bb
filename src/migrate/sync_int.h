/* sync_int.h - what the parts of the Change Tracking sync share (sync.c:
 * the rounds and the target's bookkeeping; sync_apply.c: one table's
 * changes, and the children of rows that left or came back). Not for other
 * modules: sync.h is the interface.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_SYNC_INT_H
#define PANTRY_SYNC_INT_H

#include "sync.h"
#include "engine.h"
#include "source.h"
#include "state.h"
#include "util.h"

/* rows an applier holds before it writes them, and bytes: a round's memory
 * must not follow the size of its rows (NVARCHAR(MAX) values) */
#define FLUSH_ROWS 2000
#define FLUSH_BYTES (4u << 20)

struct table_sync {
    const struct legacy_table *t;
    const struct source_table *src;
    bool tracked;
    bool in_sync;                       /* has a row in migration.sync */
    int64_t applied, min_valid;
    double applied_at;                  /* epoch seconds */
    bool reinit;                        /* re-copy it in this round */
    struct engine_apply_stats st;
    long changes;
    long rechecked;                     /* children re-applied after a parent moved */
    struct engine_key_list moved;       /* target keys that left or came back, sorted */
};

struct sync_ctx {
    const struct sync_opts *o;
    struct synonyms *synonyms;
    struct convert_opts copts;
    struct source *src;
    struct source_table *src_tables;
    size_t nsrc_tables;
    PGconn *conn;
    struct runlock *lock;       /* held during a round */
    int64_t run_id;
    struct table_sync tables[MIGRATE_MAX_TABLES];
    size_t ntables;
    struct state *state;
    int64_t retention_s;
    bool retention_warned;
    int64_t *echo;                      /* versions of the fallback's transactions, sorted */
    size_t necho, capecho;
    long echoes;                        /* changes of the round skipped as the fallback's */
};

struct apply_ctx {
    struct engine_applier *a;
    struct table_sync *ts;
    struct engine_apply_stats *st;
    char *err;
    int64_t max_version;
    struct strbuf keys;                 /* reinit: source keys not yet shipped (text[]) */
    size_t nkeys;
    struct strbuf dkeys;                /* reinit: their display keys (quarantine) */
    size_t ndkeys;
    char *ship_keys, *ship_dkeys;       /* reinit: the statements shipping them */
    struct strbuf last_key;             /* reinit: resume point of the stream */
    bool reinit;
    struct sync_ctx *x;
};

/* qsort and bsearch orders: versions (int64_t) and target keys (char *) */
int sync_cmp_version(const void *a, const void *b);
int sync_cmp_key(const void *a, const void *b);
/* The source's changes callback: one change applied (or skipped as the
 * fallback's echo); ctx is a struct apply_ctx. */
int sync_on_change(void *ctx, int64_t version, char op, const struct cell *key,
                   const struct cell *row, size_t ncells);
/* A table copied again from the source in this round (--reinit). */
int sync_reinit_table(struct sync_ctx *x, struct apply_ctx *c, char **err);
/* Children of the rows that left or came back, applied again. */
int sync_recheck_children(struct sync_ctx *x, struct apply_ctx *c, char **err);

#endif
