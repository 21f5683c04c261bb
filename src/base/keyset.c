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
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "keyset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Additions not yet sorted in are searched one by one up to this many. */
#define KEYSET_TAIL_SCAN 64
#define KEYSET_BUCKETS 65536

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

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool keyset_parse_uuid(const char *text, size_t len, unsigned char out[16])
{
    if (len != 36)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
            continue;
        }
        int hi = hexval(text[i]), lo = hexval(text[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[k++] = (unsigned char)(hi << 4 | lo);
        i++;
    }
    return k == 16;
}

static void stored_form(const unsigned char key[16], unsigned char out[16])
{
    memcpy(out, key + 8, 8);
    memcpy(out + 8, key, 8);
}

static int cmp_key(const void *a, const void *b) { return memcmp(a, b, 16); }

static unsigned bucket_of(const unsigned char k[16]) { return (unsigned)k[0] << 8 | k[1]; }

/* Sorts the additions in and rebuilds the offsets. */
static void settle(struct keyset *ks)
{
    qsort(ks->keys, ks->n, sizeof *ks->keys, cmp_key);
    /* duplicates (a key added twice) are harmless to the search; drop them
     * so that the array holds what the budget says */
    size_t w = 0;
    for (size_t r = 0; r < ks->n; r++)
        if (w == 0 || memcmp(ks->keys[w - 1], ks->keys[r], 16) != 0)
            memmove(ks->keys[w++], ks->keys[r], 16);
    ks->n = ks->nsorted = w;
    if (!ks->first)
        ks->first = xcalloc(KEYSET_BUCKETS + 1, sizeof *ks->first);
    size_t i = 0;
    for (unsigned b = 0; b < KEYSET_BUCKETS; b++) {
        ks->first[b] = (uint32_t)i;
        while (i < w && bucket_of(ks->keys[i]) == b)
            i++;
    }
    ks->first[KEYSET_BUCKETS] = (uint32_t)w;
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
            stored_form(key, ks->keys[ks->n++]);
    }
    pthread_mutex_unlock(&ks->mu);
}

bool keyset_contains(struct keyset *ks, const unsigned char key[16])
{
    unsigned char k[16];
    stored_form(key, k);
    pthread_mutex_lock(&ks->mu);
    if (ks->n - ks->nsorted > KEYSET_TAIL_SCAN)
        settle(ks);
    bool found = false;
    for (size_t i = ks->nsorted; i < ks->n && !found; i++)
        found = memcmp(ks->keys[i], k, 16) == 0;
    if (!found && ks->nsorted) {
        size_t lo = ks->first[bucket_of(k)], hi = ks->first[bucket_of(k) + 1];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = memcmp(ks->keys[mid], k, 16);
            if (c == 0) {
                found = true;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    pthread_mutex_unlock(&ks->mu);
    return found;
}
