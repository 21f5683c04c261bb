/* digest.h - content checksums (SHA-256 through OpenSSL).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_DIGEST_H
#define PANTRY_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_HEX_LEN 64

/* Writes 64 lower-case hex digits and a NUL into out. */
void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX_LEN + 1]);

#endif
