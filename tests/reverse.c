/* tests/reverse.c - unit tests of the reverse transform's T-SQL text
 * (src/migrate/reverse.c): N'' literals with quotes, NUL and lone surrogates for a
 * real SQL Server and for the tds-standin, UTF-16 lengths, originals kept in
 * metadata.legacy, and key matches.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "legacy.h"
#include "reverse.h"
#include "util.h"

#include <string.h>

static struct strbuf sb;

static const char *text(const char *s, size_t n, bool no_nchar)
{
    sb_reset(&sb);
    reverse_add_text(&sb, s, n, no_nchar);
    return sb.buf ? sb.buf : "";
}

int main(void)
{
    sb_init(&sb);
    is_str(text("", 0, false), "N''", "empty text is N''");
    is_str(text("it's", 4, false), "N'it''s'", "a quote is doubled");
    is_str(text("a\0b", 3, false), "N'a' + CHAR(0) + N'b'", "a NUL is CHAR(0) between literals");
    is_str(text("\0", 1, false), "CHAR(0)", "a NUL alone");
    is_str(text("x\0", 2, false), "N'x' + CHAR(0)", "a NUL at the end");
    is_str(text("caf\xc3\xa9 \xf0\x9f\x8d\x95", 10, false), "N'caf\xc3\xa9 \xf0\x9f\x8d\x95'",
           "non-ASCII and emoji stay UTF-8 inside N'' (db-lib sends the batch as UTF-16)");
    /* U+D800 as WTF-8: ED A0 80 */
    is_str(text("a\xed\xa0\x80" "b", 5, false), "N'a' + NCHAR(0xD800) + N'b'",
           "a lone surrogate is NCHAR() on a real server");
    is_str(text("a\xed\xbf\xbf", 4, true), "N'a\\uDFFF'", "and the stand-in's escape where there is no NCHAR()");
    is_str(text("\xed\xa0", 2, false), "N'\xed\xa0'", "a truncated sequence is not read past the end");

    is_int(reverse_utf16_units("", 0), 0, "no units");
    is_int(reverse_utf16_units("\xc3\xa9\xf0\x9f\x98\x80" "a", 7), 4, "é 1, emoji 2 (a surrogate pair), a 1");
    is_int(reverse_utf16_units("\xed\xa0\x80", 3), 1, "a lone surrogate is one unit");

    json_t *legacy = json_pack("{s:s, s:{s:s}, s:n}", "id", "cmpm3xr3", "zipCode", "hex", "300031",
                               "email");
    struct strbuf o;
    sb_init(&o);
    bool isnull = true;
    ok(reverse_legacy_orig(legacy, "id", &o, &isnull) && !isnull && o.len == 8
       && memcmp(o.buf, "cmpm3xr3", 8) == 0, "a legacy id kept as a string");
    ok(reverse_legacy_orig(legacy, "zipCode", &o, &isnull) && !isnull && o.len == 3
       && memcmp(o.buf, "0\0" "1", 3) == 0, "bytes JSON cannot hold come back from hex, the NUL included");
    ok(reverse_legacy_orig(legacy, "email", &o, &isnull) && isnull, "a kept NULL");
    ok(!reverse_legacy_orig(legacy, "city", &o, &isnull), "an absent column is no original");
    ok(!reverse_legacy_orig(NULL, "id", &o, &isnull), "nor is anything without metadata.legacy");
    json_decref(legacy);
    sb_free(&o);

    struct reverse_opts ro = {.min_year = 1900, .max_year = 2099};
    const struct legacy_table *org = legacy_table("Organization");
    sb_reset(&sb);
    reverse_add_key_match(&ro, &sb, org, "0ff9a772-24ba-48dc-bdf8-4d3b296cc679", 36, true);
    is_str(sb.buf, "[id] IN (N'0ff9a772-24ba-48dc-bdf8-4d3b296cc679', N'0FF9A772-24BA-48DC-BDF8-4D3B296CC679')",
           "a kept UUID matches in either case");
    sb_reset(&sb);
    reverse_add_key_match(&ro, &sb, org, "o'1", 3, false);
    is_str(sb.buf, "[id] = N'o''1'", "a legacy id matches as it is");

    char *q = reverse_image_query(legacy_table("Contact"));
    ok(strstr(q, "(SELECT (p.metadata #> '{legacy,id}')::text FROM \"Organization\" p WHERE p.id = t.\"organizationId\")")
       != NULL, "the image query reads a foreign key's parent legacy id");
    ok(strstr(q, "= ANY($1::uuid[])") != NULL, "and the rows by their uuid keys");
    free(q);
    q = reverse_image_query(legacy_table("User"));
    ok(strstr(q, "metadata") == NULL && strstr(q, "= ANY($1::text[])") != NULL,
       "an auth table has no metadata and text keys");
    free(q);
    sb_free(&sb);
    return done_testing();
}
