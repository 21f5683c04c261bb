/* lockkeys.h - the PostgreSQL advisory lock keys pantrycrm takes, in one
 * place so that no two purposes share a key by accident. Any constants
 * work; they only have to be the same for every pantrycrm.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_LOCKKEYS_H
#define PANTRY_LOCKKEYS_H

/* db migrate: one schema change at a time (transaction lock). */
#define LOCK_KEY_SCHEMA "7091375331"
/* runlock.h: held while a taker changes the run lock row, and by cutover
 * for its whole (one) transaction. */
#define LOCK_KEY_RUN "7091375332"
/* One `pantrycrm fallback` per target (session lock). */
#define LOCK_KEY_FALLBACK "7091375333"

#endif
