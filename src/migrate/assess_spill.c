/* assess_spill.c - exact sets for the assessment in bounded memory (see
 * assess_spill.h).
 *
 * The spill file is one private temporary SQLite database (an empty file
 * name: SQLite creates it in the temporary directory and deletes it on
 * close) with two WITHOUT ROWID tables, so a lookup is one B-tree descent
 * and the pages in memory are bounded by the cache size set here. It is
 * written inside one transaction that is never committed: nothing in it has
 * to survive the process, and a commit per insert would write pages to disk
 * again and again. Without a journal, SQLite spills dirty pages into the
 * file itself when the cache is full.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "assess_spill.h"
#include "util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The spill file's page cache, in KiB: enough for the inner pages of the
 * B-trees of a few million keys, so a lookup reads about one leaf page. */
#define SPILL_CACHE_KIB 8192

struct spill {
    size_t budget, used;
    int next_id;
    int64_t rows;
    sqlite3 *db;
    sqlite3_stmt *key_put, *key_get, *map_put, *map_get;
    char *err;
    bool tried;
};

struct spill *spill_new(size_t budget)
{
    struct spill *sp = xcalloc(1, sizeof *sp);
    sp->budget = budget;
    return sp;
}

int64_t spill_rows(const struct spill *sp) { return sp->rows; }

const char *spill_error(const struct spill *sp) { return sp->err; }

static void spill_fail(struct spill *sp, const char *what)
{
    if (!sp->err)
        sp->err = xasprintf("the assessment's temporary file: %s: %s", what,
                            sp->db ? sqlite3_errmsg(sp->db) : "cannot open it");
}

/* Opens the file on first use; false when it cannot be had. */
static bool spill_ready(struct spill *sp)
{
    if (sp->db)
        return true;
    if (sp->tried)
        return false;
    sp->tried = true;
    if (sqlite3_open_v2("", &sp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        spill_fail(sp, "open");
        return false;
    }
    char *setup = xasprintf("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                            " PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -%d;"
                            " CREATE TABLE k (s INTEGER, k BLOB, PRIMARY KEY (s, k)) WITHOUT ROWID;"
                            " CREATE TABLE m (s INTEGER, h INTEGER, v INTEGER, PRIMARY KEY (s, h))"
                            " WITHOUT ROWID; BEGIN",
                            SPILL_CACHE_KIB);
    int rc = sqlite3_exec(sp->db, setup, NULL, NULL, NULL);
    free(setup);
    if (rc != SQLITE_OK
        || sqlite3_prepare_v2(sp->db, "INSERT OR IGNORE INTO k VALUES (?1, ?2)", -1, &sp->key_put, NULL)
        || sqlite3_prepare_v2(sp->db, "SELECT 1 FROM k WHERE s = ?1 AND k = ?2", -1, &sp->key_get, NULL)
        || sqlite3_prepare_v2(sp->db, "INSERT INTO m VALUES (?1, ?2, ?3)", -1, &sp->map_put, NULL)
        || sqlite3_prepare_v2(sp->db, "SELECT v FROM m WHERE s = ?1 AND h = ?2", -1, &sp->map_get, NULL)) {
        spill_fail(sp, "setup");
        return false;
    }
    return true;
}

void spill_free(struct spill *sp)
{
    if (!sp)
        return;
    sqlite3_finalize(sp->key_put);
    sqlite3_finalize(sp->key_get);
    sqlite3_finalize(sp->map_put);
    sqlite3_finalize(sp->map_get);
    sqlite3_close(sp->db);
    free(sp->err);
    free(sp);
}

/* Takes n bytes of the budget if they are there. */
static bool budget_take(struct spill *sp, size_t n)
{
    if (sp->used + n > sp->budget)
        return false;
    sp->used += n;
    return true;
}

static void budget_give(struct spill *sp, size_t n) { sp->used -= n < sp->used ? n : sp->used; }

/* Runs a prepared lookup or insert; SQLITE_ROW, SQLITE_DONE, or an error
 * noted on sp. */
static int step_once(struct spill *sp, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        spill_fail(sp, what);
    return rc;
}

/* ---- keys ---------------------------------------------------------------- */

void bigset_init(struct bigset *s, struct spill *sp)
{
    memset(s, 0, sizeof *s);
    keyset_init(&s->mem, sp->budget / 16);
    s->sp = sp;
    s->id = sp->next_id++;
}

void bigset_destroy(struct bigset *s)
{
    budget_give(s->sp, s->mem.n * 16);
    keyset_destroy(&s->mem);
}

void bigset_add(struct bigset *s, const unsigned char key[16])
{
    struct spill *sp = s->sp;
    if (budget_take(sp, 16)) {
        size_t before = s->mem.n;
        keyset_add(&s->mem, key);
        if (s->mem.n > before)
            return;
        budget_give(sp, 16);   /* the set is full or out of memory: spill it */
    }
    if (!spill_ready(sp))
        return;
    sqlite3_stmt *st = sp->key_put;
    sqlite3_bind_int(st, 1, s->id);
    sqlite3_bind_blob(st, 2, key, 16, SQLITE_STATIC);
    if (step_once(sp, st, "insert") == SQLITE_DONE) {
        s->spilled++;
        sp->rows++;
    }
    sqlite3_reset(st);
}

bool bigset_contains(struct bigset *s, const unsigned char key[16])
{
    if (keyset_contains(&s->mem, key))
        return true;
    if (!s->spilled || !s->sp->db)
        return false;
    sqlite3_stmt *st = s->sp->key_get;
    sqlite3_bind_int(st, 1, s->id);
    sqlite3_bind_blob(st, 2, key, 16, SQLITE_STATIC);
    bool found = step_once(s->sp, st, "lookup") == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

/* ---- hashes -------------------------------------------------------------- */

void bigmap_init(struct bigmap *m, struct spill *sp)
{
    memset(m, 0, sizeof *m);
    m->sp = sp;
    m->id = sp->next_id++;
}

void bigmap_destroy(struct bigmap *m)
{
    budget_give(m->sp, m->cap * 2 * sizeof *m->keys);
    free(m->keys);
    free(m->vals);
}

/* Doubles the table if the budget has room; false when it has not. */
static bool bigmap_grow(struct bigmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    if (!budget_take(m->sp, (ncap - m->cap) * 2 * sizeof *m->keys))
        return false;
    uint64_t *nk = calloc(ncap, sizeof *nk), *nv = calloc(ncap, sizeof *nv);
    if (!nk || !nv) {
        free(nk);
        free(nv);
        budget_give(m->sp, (ncap - m->cap) * 2 * sizeof *m->keys);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = m->keys[i] & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return true;
}

uint64_t bigmap_get_or_put(struct bigmap *m, uint64_t key, uint64_t val)
{
    struct spill *sp = m->sp;
    key = key ? key : 1;
    size_t j = 0;
    if (m->cap) {
        j = key & (m->cap - 1);
        while (m->keys[j]) {
            if (m->keys[j] == key)
                return m->vals[j];
            j = (j + 1) & (m->cap - 1);
        }
    }
    /* Not in memory: it may be in the file. Keys are stored as signed
     * 64-bit integers there, the same bits. */
    if (m->spilled && sp->db) {
        sqlite3_stmt *st = sp->map_get;
        sqlite3_bind_int(st, 1, m->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)key);
        uint64_t found = 0;
        if (step_once(sp, st, "lookup") == SQLITE_ROW)
            found = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (found)
            return found;
    }
    bool room = m->n * 2 < m->cap;
    if (!room && bigmap_grow(m)) {
        room = true;
        j = key & (m->cap - 1);         /* the table grew: its slot moved */
        while (m->keys[j])
            j = (j + 1) & (m->cap - 1);
    }
    if (room) {
        m->keys[j] = key;
        m->vals[j] = val;
        m->n++;
        return val;
    }
    if (!spill_ready(sp))
        return 0;
    sqlite3_stmt *st = sp->map_put;
    sqlite3_bind_int(st, 1, m->id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)key);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)val);
    int rc = step_once(sp, st, "insert");
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return 0;
    m->spilled++;
    sp->rows++;
    return val;
}
