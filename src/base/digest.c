/* digest.c - content checksums.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void digest_sha256_hex(const void *data, size_t len, char out[DIGEST_SHA256_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL)) {
        /* A diagnostic before abort, not output: a libcrypto without
         * SHA-256 is a broken installation, and there is no caller to tell. */
        fprintf(stderr, "pantrycrm: SHA-256 unavailable in libcrypto\n");
        abort();
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[DIGEST_SHA256_HEX_LEN] = '\0';
}
