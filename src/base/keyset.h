/* keyset.h - a bounded set of UUID keys: the parent ids a load committed,
 * so that children's foreign keys can be checked without a round trip.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_KEYSET_H
#define PANTRY_KEYSET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keyset {
    pthread_mutex_t mu;
    unsigned char (*slots)[16];
    unsigned char *used;
    size_t cap, n;              /* cap is a power of two, or 0 */
    size_t max_keys;            /* the budget: never hold more than this */
};

/* Membership means "committed"; absence means only "not known here". */
void keyset_init(struct keyset *ks, size_t max_keys);
void keyset_destroy(struct keyset *ks);

/* Parses a 36-character UUID text into 16 bytes; false if it is not one. */
bool keyset_parse_uuid(const char *text, size_t len, unsigned char out[16]);

/* Adds a key; past the budget (or without memory) it is dropped. */
void keyset_add(struct keyset *ks, const unsigned char key[16]);
bool keyset_contains(struct keyset *ks, const unsigned char key[16]);

#endif
