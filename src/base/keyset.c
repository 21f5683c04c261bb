/* keyset.c - a bounded, insert-only hash set of 16-byte keys.
 *
 * Open addressing with linear probing; UUIDs are already uniformly
 * distributed (v4 random, v5 SHA-1), so their bytes are the hash.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "keyset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void keyset_init(struct keyset *ks, size_t max_keys)
{
    memset(ks, 0, sizeof *ks);
    pthread_mutex_init(&ks->mu, NULL);
    ks->max_keys = max_keys;
}

void keyset_destroy(struct keyset *ks)
{
    free(ks->slots);
    free(ks->used);
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

static size_t slot_of(const struct keyset *ks, const unsigned char key[16])
{
    uint64_t h;
    memcpy(&h, key + 8, sizeof h); /* random bits in both v4 and v5 UUIDs */
    return (size_t)(h ^ (h >> 29)) & (ks->cap - 1);
}

static void insert_slot(struct keyset *ks, const unsigned char key[16])
{
    size_t i = slot_of(ks, key);
    while (ks->used[i]) {
        if (memcmp(ks->slots[i], key, 16) == 0)
            return;
        i = (i + 1) & (ks->cap - 1);
    }
    memcpy(ks->slots[i], key, 16);
    ks->used[i] = 1;
    ks->n++;
}

static bool grow(struct keyset *ks)
{
    size_t cap = ks->cap ? ks->cap * 2 : 4096;
    unsigned char (*old)[16] = ks->slots;
    unsigned char *old_used = ks->used;
    size_t old_cap = ks->cap;
    ks->slots = malloc(cap * sizeof *ks->slots);
    ks->used = calloc(cap, 1);
    if (!ks->slots || !ks->used) {
        /* Memory is a budget here, not a requirement: degrade to probing. */
        free(ks->slots);
        free(ks->used);
        ks->slots = old;
        ks->used = old_used;
        return false;
    }
    ks->cap = cap;
    ks->n = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old_used[i])
            insert_slot(ks, old[i]);
    free(old);
    free(old_used);
    return true;
}

void keyset_add(struct keyset *ks, const unsigned char key[16])
{
    pthread_mutex_lock(&ks->mu);
    if (ks->n < ks->max_keys && ((ks->n + 1) * 4 <= ks->cap * 3 || grow(ks)))
        insert_slot(ks, key);
    pthread_mutex_unlock(&ks->mu);
}

bool keyset_contains(struct keyset *ks, const unsigned char key[16])
{
    pthread_mutex_lock(&ks->mu);
    bool found = false;
    if (ks->cap) {
        size_t i = slot_of(ks, key);
        while (ks->used[i]) {
            if (memcmp(ks->slots[i], key, 16) == 0) {
                found = true;
                break;
            }
            i = (i + 1) & (ks->cap - 1);
        }
    }
    pthread_mutex_unlock(&ks->mu);
    return found;
}
