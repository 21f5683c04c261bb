/* assess_spill.h - exact sets for the assessment in bounded memory.
 *
 * assess must count orphans and case-insensitive duplicates exactly, and a
 * source with ten million rows cannot keep every parent key or unique value
 * in memory within the 64 MB the commands are held to. These containers
 * keep as much as a shared byte budget allows in memory and the rest in a
 * private temporary SQLite file (deleted on close, its page cache bounded),
 * so the answers are the same at any budget; only the speed differs.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_ASSESS_SPILL_H
#define PANTRY_ASSESS_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyset.h"

/* The byte budget the in-memory parts share, and the spill file. */
struct spill;

/* budget: bytes of keys and hashes held in memory, across all containers
 * opened on it. The file is created on the first spill. */
struct spill *spill_new(size_t budget);
/* Bytes spilled to the file so far (rows written, not file size). */
int64_t spill_rows(const struct spill *sp);
/* The first error of the file (cannot create it, disk full), or NULL;
 * once set, the containers answer from memory only and the caller must not
 * trust them. */
const char *spill_error(const struct spill *sp);
void spill_free(struct spill *sp);

/* An insert-only set of 16-byte keys. */
struct bigset {
    struct keyset mem;
    struct spill *sp;
    int id;                 /* its rows in the spill file */
    int64_t spilled;        /* keys written to the file */
};

void bigset_init(struct bigset *s, struct spill *sp);
void bigset_destroy(struct bigset *s);
void bigset_add(struct bigset *s, const unsigned char key[16]);
bool bigset_contains(struct bigset *s, const unsigned char key[16]);

/* A map of 64-bit hashes to 64-bit values, first value kept (open
 * addressing in memory; 0 means empty, so a zero key is stored as 1). */
struct bigmap {
    uint64_t *keys, *vals;
    size_t cap, n;
    struct spill *sp;
    int id;
    int64_t spilled;
};

void bigmap_init(struct bigmap *m, struct spill *sp);
void bigmap_destroy(struct bigmap *m);
/* The value stored for key; when there is none, stores val and returns it.
 * val must not be 0. Returns 0 only when the spill file failed. */
uint64_t bigmap_get_or_put(struct bigmap *m, uint64_t key, uint64_t val);

#endif
