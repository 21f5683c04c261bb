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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct strbuf sb;

static const char *text(const char *s, size_t n, bool no_nchar)
{
    sb_reset(&sb);
    reverse_add_text(&sb, s, n, no_nchar);
    return sb.buf ? sb.buf : "";
}

/* The legacy form of an e-mail column whose PostgreSQL value is pg (NULL:
 * SQL NULL) and whose metadata.legacy original is orig (NULL: none):
 * "(null)" for NULL. A real libpq result, built without a server. */
static const char *email_back(const struct reverse_opts *ro, const struct legacy_table *t,
                              const struct legacy_column *c, const char *pg, const char *orig)
{
    static char buf[256];
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc att = {.name = (char *)"email", .format = 0, .typid = 25, .typlen = -1, .atttypmod = -1};
    PQsetResultAttrs(res, 1, &att);
    PQsetvalue(res, 0, 0, (char *)pg, pg ? (int)strlen(pg) : -1);
    json_t *legacy = orig ? json_pack("{s:s}", "email", orig) : json_object();
    struct reverse_value v = {0};
    sb_init(&v.v);
    const char *reason = NULL;
    char *detail = NULL;
    if (!reverse_value(ro, t, c, res, 0, 0, legacy, NULL, &v, &reason, &detail))
        snprintf(buf, sizeof buf, "refused: %s", reason);
    else if (v.is_null)
        snprintf(buf, sizeof buf, "(null)");
    else
        snprintf(buf, sizeof buf, "%.*s", (int)v.v.len, v.v.buf ? v.v.buf : "");
    free(detail);
    sb_free(&v.v);
    json_decref(legacy);
    PQclear(res);
    return buf;
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

    /* E-mail: what goes back to the legacy database is the original
     * whenever migrate's rule gives the current value from it, so a repair
     * is undone and a kept malformed address goes back as it was. */
    const struct legacy_table *contact = legacy_table("Contact");
    const struct legacy_column *email = legacy_column(contact, "email");
    is_str(email_back(&ro, contact, email, "bob@", NULL), "bob@",
           "a malformed address migrate kept goes back unchanged");
    is_str(email_back(&ro, contact, email, "chef@bistro.example", " MAILTO:chef@Bistro.Example\xc2\xa0"),
           " MAILTO:chef@Bistro.Example\xc2\xa0",
           "a repaired address (blanks, mailto:, domain case) goes back as the legacy database held it");
    is_str(email_back(&ro, contact, email, "Ann@bistro.example", "Ann@BISTRO.example"),
           "Ann@BISTRO.example", "the domain's case comes back too");
    is_str(email_back(&ro, contact, email, "new@bistro.example", " MAILTO:chef@Bistro.Example"),
           "new@bistro.example", "an address the application changed since goes back as it is now");
    is_str(email_back(&ro, contact, email, NULL, ""), "", "an empty address set to NULL goes back empty");
    is_str(email_back(&ro, contact, email, NULL, "bob@"), "(null)",
           "a malformed address kept and later cleared by the application stays NULL");
    ro.null_bad_email = true;
    is_str(email_back(&ro, contact, email, NULL, "bob@"), "bob@",
           "under --bad-email null, a malformed address set to NULL goes back as it was");
    ro.null_bad_email = false;

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
