/* keyset.c - a bounded, insert-only set of 16-byte keys (see keyset.h).
 *
 * The keys are kept in one array, 16 bytes each and nothing else: a hash
 * table would need a third to a half of its slots empty, and these sets
 * are the largest thing a migration keeps (a million parents is 16 MB
 * here, 23 to 45 MB as a table). A parent table's keys all arrive before
 * its children ask about them, so the array is sorted once, at the first
 * question after additions, and then searched: a table of 65,537 offsets
 * by the leading 16 bits narrows the search to a few dozen keys.
 * UUIDs carry random bits in bytes 8-15 (v4 random, v5 SHA-1), so the keys
 * are stored with those bytes first, which spreads them over the table.
 *
 * Each key is held as two integers, so that comparing two keys is two
 * integer comparisons rather than a call to memcmp: a load asks about
 * every foreign key of every row, and the comparisons were a tenth of its
 * CPU. Sorting is in place, by the leading 16 bits first (the offsets
 * table's buckets), then within each bucket.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "keyset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Additions not yet sorted in are searched one by one up to this many. */
#define KEYSET_TAIL_SCAN 64
#define KEYSET_BUCKETS 65536
/* A bucket this small is sorted by insertion; larger ones (keys that share
 * their leading bits: sequential ids) by qsort. */
#define KEYSET_INSERTION_MAX 48

void keyset_init(struct keyset *ks, size_t max_keys)
{
    memset(ks, 0, sizeof *ks);
    pthread_mutex_init(&ks->mu, NULL);
    ks->max_keys = max_keys < UINT32_MAX ? max_keys : UINT32_MAX;
}

void keyset_destroy(struct keyset *ks)
{
    free(ks->keys);
    free(ks->first);
    pthread_mutex_destroy(&ks->mu);
}

/* The value of each hex digit, 16 for anything else. */
static const unsigned char hex_value[256] = {
    ['0'] = 0 + 1, ['1'] = 1 + 1, ['2'] = 2 + 1, ['3'] = 3 + 1, ['4'] = 4 + 1,
    ['5'] = 5 + 1, ['6'] = 6 + 1, ['7'] = 7 + 1, ['8'] = 8 + 1, ['9'] = 9 + 1,
    ['a'] = 10 + 1, ['b'] = 11 + 1, ['c'] = 12 + 1, ['d'] = 13 + 1, ['e'] = 14 + 1, ['f'] = 15 + 1,
    ['A'] = 10 + 1, ['B'] = 11 + 1, ['C'] = 12 + 1, ['D'] = 13 + 1, ['E'] = 14 + 1, ['F'] = 15 + 1,
};

const unsigned char uuid_digit_at[32] = {
    0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17,
    19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
};

bool keyset_parse_uuid(const char *text, size_t len, unsigned char out[16])
{
    if (len != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        return false;
    /* The table holds each digit's value plus one, so a non-digit makes
     * its "value minus one" wrap to a huge number: one test at the end
     * instead of a branch a digit (this runs for every key of every row). */
    const unsigned char *p = (const unsigned char *)text;
    unsigned bad = 0;
    for (size_t k = 0; k < 16; k++) {
        unsigned hi = hex_value[p[uuid_digit_at[2 * k]]] - 1u,
                 lo = hex_value[p[uuid_digit_at[2 * k + 1]]] - 1u;
        bad |= hi | lo;
        out[k] = (unsigned char)(hi << 4 | (lo & 15));
    }
    return bad < 16;
}

static uint64_t load_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The stored form: the random half first. */
static struct keyset_key stored_form(const unsigned char key[16])
{
    return (struct keyset_key){load_be64(key + 8), load_be64(key)};
}

static inline bool key_less(struct keyset_key a, struct keyset_key b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline bool key_equal(struct keyset_key a, struct keyset_key b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

static unsigned bucket_of(struct keyset_key k) { return (unsigned)(k.hi >> 48); }

static int cmp_key(const void *a, const void *b)
{
    const struct keyset_key *x = a, *y = b;
    return key_less(*x, *y) ? -1 : key_less(*y, *x) ? 1 : 0;
}

static void sort_bucket(struct keyset_key *k, size_t n)
{
    if (n > KEYSET_INSERTION_MAX) {
        qsort(k, n, sizeof *k, cmp_key);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct keyset_key v = k[i];
        size_t j = i;
        for (; j > 0 && key_less(v, k[j - 1]); j--)
            k[j] = k[j - 1];
        k[j] = v;
    }
}

/* Sorts the additions in and rebuilds the offsets: the keys are moved to
 * their buckets in place (each move puts one key where it belongs), then
 * each bucket is sorted on its own. */
static void settle(struct keyset *ks)
{
    if (!ks->first)
        ks->first = xcalloc(KEYSET_BUCKETS + 1, sizeof *ks->first);
    uint32_t *first = ks->first;
    memset(first, 0, (KEYSET_BUCKETS + 1) * sizeof *first);
    for (size_t i = 0; i < ks->n; i++)
        first[bucket_of(ks->keys[i]) + 1]++;
    for (unsigned b = 0; b < KEYSET_BUCKETS; b++)
        first[b + 1] += first[b];
    /* next[b]: the first place of bucket b not yet holding one of its own
     * keys; it is kept in the bucket's own first slot while it moves */
    uint32_t *next = xmalloc(KEYSET_BUCKETS * sizeof *next);
    memcpy(next, first, KEYSET_BUCKETS * sizeof *next);
    for (unsigned b = 0; b < KEYSET_BUCKETS; b++) {
        while (next[b] < first[b + 1]) {
            struct keyset_key v = ks->keys[next[b]];
            unsigned d = bucket_of(v);
            while (d != b) {
                /* v belongs to bucket d: put it there and carry on with
                 * what it displaces */
                struct keyset_key w = ks->keys[next[d]];
                ks->keys[next[d]++] = v;
                v = w;
                d = bucket_of(v);
            }
            ks->keys[next[b]++] = v;
        }
    }
    free(next);
    /* Sort each bucket, dropping duplicates (a key added twice is harmless
     * to the search, but the array should hold what the budget says). */
    size_t w = 0;
    for (unsigned b = 0; b < KEYSET_BUCKETS; b++) {
        size_t lo = first[b], hi = first[b + 1];
        sort_bucket(ks->keys + lo, hi - lo);
        first[b] = (uint32_t)w;
        for (size_t r = lo; r < hi; r++)
            if (r == lo || !key_equal(ks->keys[r - 1], ks->keys[r]))
                ks->keys[w++] = ks->keys[r];
    }
    first[KEYSET_BUCKETS] = (uint32_t)w;
    ks->n = ks->nsorted = w;
}

void keyset_add(struct keyset *ks, const unsigned char key[16])
{
    pthread_mutex_lock(&ks->mu);
    if (ks->n < ks->max_keys) {
        if (ks->n == ks->cap) {
            /* Memory is a budget here, not a requirement: without it the
             * key is only not known here, and the caller probes. */
            size_t cap = ks->cap ? ks->cap * 2 : 4096;
            if (cap > ks->max_keys)
                cap = ks->max_keys;
            void *grown = realloc(ks->keys, cap * sizeof *ks->keys);
            if (grown) {
                ks->keys = grown;
                ks->cap = cap;
            }
        }
        if (ks->n < ks->cap)
            ks->keys[ks->n++] = stored_form(key);
    }
    pthread_mutex_unlock(&ks->mu);
}

void keyset_lock(struct keyset *ks) { pthread_mutex_lock(&ks->mu); }
void keyset_unlock(struct keyset *ks) { pthread_mutex_unlock(&ks->mu); }

bool keyset_contains(struct keyset *ks, const unsigned char key[16])
{
    pthread_mutex_lock(&ks->mu);
    bool found = keyset_contains_locked(ks, key);
    pthread_mutex_unlock(&ks->mu);
    return found;
}

bool keyset_contains_locked(struct keyset *ks, const unsigned char key[16])
{
    struct keyset_key k = stored_form(key);
    if (ks->n - ks->nsorted > KEYSET_TAIL_SCAN)
        settle(ks);
    bool found = false;
    for (size_t i = ks->nsorted; i < ks->n && !found; i++)
        found = key_equal(ks->keys[i], k);
    if (!found && ks->nsorted) {
        size_t lo = ks->first[bucket_of(k)], hi = ks->first[bucket_of(k) + 1];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            struct keyset_key m = ks->keys[mid];
            if (key_equal(m, k)) {
                found = true;
                break;
            }
            if (key_less(m, k))
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return found;
}

/* Prefetch distances, in keys: the bucket's offsets are asked for this far
 * ahead, its first keys half as far (by then the offsets are in cache). */
#define KEYSET_AHEAD 16

void keyset_contains_many_locked(struct keyset *ks, const unsigned char (*keys)[16], size_t n, bool *found)
{
    if (ks->n - ks->nsorted > KEYSET_TAIL_SCAN)
        settle(ks);
    if (!ks->nsorted) {
        for (size_t i = 0; i < n; i++)
            found[i] = keyset_contains_locked(ks, keys[i]);
        return;
    }
    /* A key's search touches two cache lines no other key shares (its
     * bucket's offset, then the bucket's keys), so a batch of random keys
     * waits on memory twice a key; asking for both lines ahead lets the
     * waits overlap instead. */
    for (size_t i = 0; i < n; i++) {
        if (i + KEYSET_AHEAD < n)
            __builtin_prefetch(&ks->first[bucket_of(stored_form(keys[i + KEYSET_AHEAD]))]);
        if (i + KEYSET_AHEAD / 2 < n)
            __builtin_prefetch(&ks->keys[ks->first[bucket_of(stored_form(keys[i + KEYSET_AHEAD / 2]))]]);
        found[i] = keyset_contains_locked(ks, keys[i]);
    }
}
