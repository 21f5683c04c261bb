/* keyset.h - a bounded set of UUID keys: the parent ids a load committed,
 * so that children's foreign keys can be checked without a round trip.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_KEYSET_H
#define PANTRY_KEYSET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key as two integers: bytes 8-15 then 0-7, each read big-endian. */
struct keyset_key {
    uint64_t hi, lo;
};

struct keyset {
    pthread_mutex_t mu;
    struct keyset_key *keys;    /* [0, nsorted) sorted, then additions */
    size_t n, nsorted, cap;
    size_t max_keys;            /* the budget: never hold more than this */
    uint32_t *first;            /* where each leading 16 bits begin, once sorted */
};

/* Membership means "committed"; absence means only "not known here".
 * 16 bytes a key, and a 256 kB table once searched. Meant for keys that
 * arrive before they are asked about: the first question after additions
 * sorts them in (a few additions at a time are searched one by one). */
void keyset_init(struct keyset *ks, size_t max_keys);
void keyset_destroy(struct keyset *ks);

/* Parses a 36-character UUID text into 16 bytes; false if it is not one. */
bool keyset_parse_uuid(const char *text, size_t len, unsigned char out[16]);
/* Where the 32 hex digits of a 36-character UUID text are (8-4-4-4-12). */
extern const unsigned char uuid_digit_at[32];

/* Adds a key; past the budget (or without memory) it is dropped. */
void keyset_add(struct keyset *ks, const unsigned char key[16]);
bool keyset_contains(struct keyset *ks, const unsigned char key[16]);

/* Many questions under one lock (a batch's foreign keys): between
 * keyset_lock and keyset_unlock, keyset_contains_locked only. */
void keyset_lock(struct keyset *ks);
void keyset_unlock(struct keyset *ks);
bool keyset_contains_locked(struct keyset *ks, const unsigned char key[16]);
/* The same for n keys at once (found[i] for keys[i]), faster than one by
 * one for a batch's foreign keys: their memory reads overlap. */
void keyset_contains_many_locked(struct keyset *ks, const unsigned char (*keys)[16], size_t n, bool *found);

#endif
