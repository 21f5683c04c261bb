/* tests/copybin-cli.c - prints what src/migrate/copybin.c encodes, for
 * tests/copybin.sh to compare with PostgreSQL's own send functions.
 * Not installed.
 *
 *   copybin-cli KIND < values
 *
 * KIND: numeric, timestamp, float8, int4, int8, uuid, bool, jsonb, bytes.
 * One value a line in; one line out for each: the field's bytes as hex,
 * without its length word (which must match them, or "badlength" is
 * printed), or "-" when the encoder refuses the value (a text COPY then).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "copybin.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        enum copybin_kind kind;
    } kinds[] = {
        {"numeric", COPYBIN_NUMERIC}, {"timestamp", COPYBIN_TIMESTAMP}, {"float8", COPYBIN_FLOAT8},
        {"int4", COPYBIN_INT4},       {"int8", COPYBIN_INT8},           {"uuid", COPYBIN_UUID},
        {"bool", COPYBIN_BOOL},       {"jsonb", COPYBIN_JSONB},         {"bytes", COPYBIN_BYTES},
    };
    enum copybin_kind kind = COPYBIN_NONE;
    for (size_t i = 0; argc == 2 && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(argv[1], kinds[i].name) == 0)
            kind = kinds[i].kind;
    if (kind == COPYBIN_NONE) {
        fprintf(stderr, "usage: copybin-cli numeric|timestamp|float8|int4|int8|uuid|bool|jsonb|bytes\n");
        return 2;
    }
    char line[4096];
    struct strbuf out;
    sb_init(&out);
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\n");
        sb_reset(&out);
        if (!copybin_field(&out, kind, line, len)) {
            puts("-");
            continue;
        }
        const unsigned char *p = (const unsigned char *)out.buf;
        unsigned long n = (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16
                          | (unsigned long)p[2] << 8 | p[3];
        if (out.len < 4 || n != out.len - 4) {
            puts("badlength");
            continue;
        }
        for (size_t i = 4; i < out.len; i++)
            printf("%02x", p[i]);
        putchar('\n');
    }
    sb_free(&out);
    return 0;
}
