/* tests/transform.c - unit tests of the value transforms (src/migrate/transform.c).
 * Expected ids and repaired byte strings were computed independently with
 * Python (uuid.uuid5, bytes.decode("utf-8", "replace")) and pasted here.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "legacy.h"
#include "transform.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

/* Every writer must append after what the buffer already holds and leave it
 * untouched on a rejected value: each check starts from this prefix. */
#define PREFIX "row|"

static struct strbuf out;

static void out_start(void)
{
    sb_reset(&out);
    sb_adds(&out, PREFIX);
}

/* What the function appended, or NULL if the buffer was left as it was. */
static const char *out_added(void)
{
    if (strncmp(out.buf, PREFIX, strlen(PREFIX)) != 0)
        return "(prefix clobbered)";
    return out.len == strlen(PREFIX) ? NULL : out.buf + strlen(PREFIX);
}

/* A test description with control bytes shown as \xNN, so that TAP lines
 * stay one line each. */
static const char *printable(const char *s, size_t len)
{
    static char buf[256];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 5 < sizeof buf; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '#')
            n += (size_t)snprintf(buf + n, sizeof buf - n, "\\x%02X", c);
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- enums */

static void check_enum(const struct synonyms *syn, const char *type, const char *raw,
                       size_t len, enum enum_match want, const char *want_label)
{
    const char *label = "garbage";
    enum enum_match m = enum_normalise(syn, type, raw, len, &label);
    char desc[200];
    snprintf(desc, sizeof desc, "%s '%s' -> %s %s", type, raw ? printable(raw, len) : "",
             enum_match_name(want), want_label ? want_label : "(none)");
    if (m != want || (label == NULL) != (want_label == NULL) ||
        (label && strcmp(label, want_label) != 0)) {
        ok(0, "%s", desc);
        printf("#   got: %s %s\n", enum_match_name(m), label ? label : "(none)");
    } else {
        ok(1, "%s", desc);
    }
}
#define ENUM(syn, type, raw, want, label) check_enum(syn, type, raw, strlen(raw), want, label)

static void test_enum_plain(void)
{
    const char *const N = NULL;
    ENUM(NULL, "OrganizationSegment", "FINE_DINING", ENUM_EXACT, "FINE_DINING");
    ENUM(NULL, "OrganizationSegment", "Fine Dining", ENUM_NORMALISED, "FINE_DINING");
    ENUM(NULL, "OrganizationSegment", "fine_dining", ENUM_NORMALISED, "FINE_DINING");
    ENUM(NULL, "OrganizationSegment", " FAST FOOD ", ENUM_NORMALISED, "FAST_FOOD");
    ENUM(NULL, "OrganizationSegment", "fast-food", ENUM_NORMALISED, "FAST_FOOD");
    ENUM(NULL, "OrganizationSegment", "Fast - \t Food", ENUM_NORMALISED, "FAST_FOOD");
    ENUM(NULL, "OrganizationSegment", "FAST__FOOD", ENUM_NORMALISED, "FAST_FOOD");
    ENUM(NULL, "OrganizationSegment", "\xC2\xA0" "Casual dining\xC2\xA0\r\n", ENUM_NORMALISED,
         "CASUAL_DINING");
    ENUM(NULL, "InteractionType", "\xEF\xBB\xBF" "call", ENUM_NORMALISED, "CALL");
    ENUM(NULL, "InteractionType", "Follow\xE2\x80\x93up", ENUM_NORMALISED, "FOLLOW_UP");
    ENUM(NULL, "InteractionType", "sample\xE2\x80\xAF" "delivery", ENUM_NORMALISED,
         "SAMPLE_DELIVERY");
    ENUM(NULL, "InteractionOutcome", "Follow-up needed", ENUM_NORMALISED, "FOLLOW_UP_NEEDED");
    ENUM(NULL, "OrganizationPriority", "a", ENUM_NORMALISED, "A");
    ENUM(NULL, "OrganizationPriority", "B", ENUM_EXACT, "B");
    ENUM(NULL, "OrganizationSegment", "", ENUM_EMPTY, N);
    ENUM(NULL, "OrganizationSegment", " \t ", ENUM_EMPTY, N);
    ENUM(NULL, "OrganizationSegment", "\xC2\xA0\xC2\xA0", ENUM_EMPTY, N);
    check_enum(NULL, "OrganizationSegment", NULL, 0, ENUM_EMPTY, N);
    ENUM(NULL, "OrganizationSegment", "QSR", ENUM_UNMATCHED, N);
    ENUM(NULL, "OrganizationSegment", "Fine dining!", ENUM_UNMATCHED, N);
    ENUM(NULL, "OrganizationSegment", "_FINE_DINING", ENUM_UNMATCHED, N);
    ENUM(NULL, "OrganizationSegment", "FINE DINING ÉTOILÉ", ENUM_UNMATCHED, N);
    check_enum(NULL, "OrganizationSegment", "FINE_DINING\0", 12, ENUM_UNMATCHED, N);
    ENUM(NULL, "NoSuchType", "FINE_DINING", ENUM_UNMATCHED, N);

    char lng[300];
    memset(lng, 'A', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    ENUM(NULL, "OrganizationSegment", lng, ENUM_UNMATCHED, N);

    /* The label is the static string of legacy.h, not a copy. */
    size_t n;
    const char *const *labels = legacy_enum_labels("OrganizationSegment", &n);
    const char *label;
    enum_normalise(NULL, "OrganizationSegment", "fast food", 9, &label);
    ok(label == labels[1], "the label points at legacy_enum_labels' string");

    is_str(enum_match_name(ENUM_SYNONYM), "synonym", "enum_match_name");
}

static char tmpdir[64];

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        printf("Bail out! cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text as a synonym file and checks the error message (after the
 * path, which is the temp file's). */
static void check_syn_error(const char *text, const char *want)
{
    char *path = write_file("bad.conf", text);
    char *err = NULL;
    struct synonyms *syn = synonyms_load(path, &err);
    char *full = xasprintf("%s%s", path, want);
    ok(syn == NULL, "broken synonyms rejected: %s", want);
    is_str(err, full, "  ... with file and line");
    synonyms_free(syn);
    free(err);
    free(full);
    free(path);
}

static void test_synonym_file(void)
{
    char *err = (char *)"untouched";
    struct synonyms *empty = synonyms_load(NULL, &err);
    ok(empty != NULL && err == NULL, "a NULL path gives an empty table");
    is_int(synonyms_count(empty), 0, "empty table has no synonyms");
    ENUM(empty, "OrganizationSegment", "QSR", ENUM_UNMATCHED, NULL);
    ENUM(empty, "OrganizationSegment", "Fine dining", ENUM_NORMALISED, "FINE_DINING");
    synonyms_free(empty);
    synonyms_free(NULL);
    is_int(synonyms_count(NULL), 0, "synonyms_count(NULL) is 0");

    check_syn_error("# segments\n"
                    "[OrganizationSegment]\n"
                    "QSR = FAST_FOOD\n"
                    "Fast food = FASTFOOD\n",
                    ":4: unknown label \"FASTFOOD\" for OrganizationSegment");
    check_syn_error("\n[Segment]\nQSR = FAST_FOOD\n", ":2: unknown enum type \"Segment\"");
    check_syn_error("QSR = FAST_FOOD\n", ":1: synonym outside any [EnumType] section");
    check_syn_error("[OrganizationSegment]\n\nQSR FAST_FOOD\n",
                    ":3: expected \"source value = LABEL\"");
    check_syn_error("[OrganizationSegment]\nQSR = FAST_FOOD\nqsr = CATERING\n",
                    ":3: \"QSR\" already means FAST_FOOD (line 2)");
    check_syn_error("[OrganizationSegment]\nCatering = FAST_FOOD\n",
                    ":2: \"CATERING\" is itself a label of OrganizationSegment and cannot "
                    "mean FAST_FOOD");
    check_syn_error("[OrganizationSegment]\n"
                    "A very long legacy value that nobody would ever type "
                    "into a CRM field = CATERING\n",
                    ":2: source value longer than 64 bytes once normalised");
    check_syn_error("[OrganizationSegment]\n = FAST_FOOD\n", ":2: empty source value before '='");
    check_syn_error("[OrganizationSegment]\nQSR =   # nothing\n", ":2: missing label after '='");
    check_syn_error("[OrganizationSegment\n", ":1: malformed section header, expected [EnumType]");
    check_syn_error("[OrganizationSegment]\nQSR = fast_food\n",
                    ":2: unknown label \"fast_food\" for OrganizationSegment");
    check_syn_error("[OpportunityStage]\nWon = CLOSED_WON\n[LeadStatus]\nWon = CLOSED_WON\n",
                    ":4: unknown label \"CLOSED_WON\" for LeadStatus");

    char *missing = xasprintf("%s/does-not-exist.conf", tmpdir);
    struct synonyms *none = synonyms_load(missing, &err);
    char *want = xasprintf("%s: %s", missing, strerror(ENOENT));
    ok(none == NULL, "a missing file is an error");
    is_str(err, want, "  ... naming the file and the reason");
    free(want);
    free(err);
    free(missing);

    /* The forgiving parts: BOM, CRLF, comments, repeats, split sections. */
    char *path = write_file("good.conf",
                            "\xEF\xBB\xBF# a comment\r\n"
                            "[OrganizationSegment]\r\n"
                            "  QSR = FAST_FOOD   # trailing comment\r\n"
                            "\r\n"
                            "Quick-Service=FAST_FOOD\r\n"
                            "qsr = FAST_FOOD\r\n"
                            "Fine dining = FINE_DINING\r\n"
                            "[ OrganizationPriority ]\n"
                            "1 = A\n"
                            "[OrganizationSegment]\n"
                            "Hospital = HEALTHCARE\n");
    struct synonyms *syn = synonyms_load(path, &err);
    ok(syn != NULL && err == NULL, "a file with BOM, CRLF, comments and repeats loads");
    is_int(synonyms_count(syn), 4, "repeats and label-identities are not stored twice");
    ENUM(syn, "OrganizationSegment", "quick service", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(syn, "OrganizationSegment", "HOSPITAL", ENUM_SYNONYM, "HEALTHCARE");
    ENUM(syn, "OrganizationPriority", " 1 ", ENUM_SYNONYM, "A");
    ENUM(syn, "OrganizationPriority", "QSR", ENUM_UNMATCHED, NULL);
    synonyms_free(syn);
    free(path);
}

static struct synonyms *shipped;

static void test_shipped_synonyms(void)
{
    const char *top = getenv("abs_top_srcdir");
    char *path = xasprintf("%s/data/synonyms.conf", top ? top : ABS_TOP_SRCDIR);
    char *err = NULL;
    shipped = synonyms_load(path, &err);
    ok(shipped != NULL, "the shipped data/synonyms.conf loads");
    if (err)
        printf("#   %s\n", err);
    free(err);
    free(path);
    ok(synonyms_count(shipped) >= 150, "it ships a generous table (%zu synonyms)",
       synonyms_count(shipped));

    const struct synonyms *s = shipped;
    ENUM(s, "OrganizationSegment", "QSR", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(s, "OrganizationSegment", "qsr", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(s, "OrganizationSegment", "Quick Service", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(s, "OrganizationSegment", "FASTFOOD", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(s, "OrganizationSegment", "Fast casual", ENUM_SYNONYM, "FAST_FOOD");
    ENUM(s, "OrganizationSegment", "Hospital", ENUM_SYNONYM, "HEALTHCARE");
    ENUM(s, "OrganizationSegment", "HOSPITALS", ENUM_SYNONYM, "HEALTHCARE");
    ENUM(s, "OrganizationSegment", "medical", ENUM_SYNONYM, "HEALTHCARE");
    ENUM(s, "OrganizationSegment", "K-12", ENUM_SYNONYM, "EDUCATION");
    ENUM(s, "OrganizationSegment", "k12", ENUM_SYNONYM, "EDUCATION");
    ENUM(s, "OrganizationSegment", "University", ENUM_SYNONYM, "EDUCATION");
    ENUM(s, "OrganizationSegment", "COLLEGE", ENUM_SYNONYM, "EDUCATION");
    ENUM(s, "OrganizationSegment", "school", ENUM_SYNONYM, "EDUCATION");
    ENUM(s, "OrganizationSegment", "FineDining", ENUM_SYNONYM, "FINE_DINING");
    ENUM(s, "OrganizationSegment", "Casual", ENUM_SYNONYM, "CASUAL_DINING");
    ENUM(s, "OrganizationSegment", "Caterer", ENUM_SYNONYM, "CATERING");
    ENUM(s, "OrganizationSegment", "office", ENUM_SYNONYM, "CORPORATE");
    ENUM(s, "OrganizationSegment", "Corporate Dining", ENUM_SYNONYM, "CORPORATE");
    ENUM(s, "OrganizationSegment", "Fine Dining", ENUM_NORMALISED, "FINE_DINING");
    ENUM(s, "OrganizationSegment", "Bistro", ENUM_UNMATCHED, NULL);
    ENUM(s, "OrganizationPriority", "1", ENUM_SYNONYM, "A");
    ENUM(s, "OrganizationPriority", "4", ENUM_SYNONYM, "D");
    ENUM(s, "OrganizationPriority", "High", ENUM_UNMATCHED, NULL);
    ENUM(s, "OpportunityStage", "Won", ENUM_SYNONYM, "CLOSED_WON");
    ENUM(s, "OpportunityStage", "LOST", ENUM_SYNONYM, "CLOSED_LOST");
    ENUM(s, "OpportunityStage", "qualifying", ENUM_SYNONYM, "QUALIFICATION");
    ENUM(s, "OpportunityStage", "Negotiating", ENUM_SYNONYM, "NEGOTIATION");
    ENUM(s, "OpportunityStage", "closed won", ENUM_NORMALISED, "CLOSED_WON");
    ENUM(s, "LeadStatus", "won", ENUM_SYNONYM, "CONVERTED");
    ENUM(s, "InteractionType", "Phone", ENUM_SYNONYM, "CALL");
    ENUM(s, "InteractionType", "Phone Call", ENUM_SYNONYM, "CALL");
    ENUM(s, "InteractionType", "E-mail", ENUM_SYNONYM, "EMAIL");
    ENUM(s, "InteractionType", "Site visit", ENUM_SYNONYM, "VISIT");
    ENUM(s, "InteractionType", "SAMPLE", ENUM_SYNONYM, "SAMPLE_DELIVERY");
    ENUM(s, "InteractionType", "followup", ENUM_SYNONYM, "FOLLOW_UP");
    ENUM(s, "InteractionType", "Follow up", ENUM_NORMALISED, "FOLLOW_UP");
    ENUM(s, "LeadSource", "Web", ENUM_SYNONYM, "WEBSITE");
    ENUM(s, "LeadSource", "Tradeshow", ENUM_SYNONYM, "TRADE_SHOW");
    ENUM(s, "LeadSource", "Trade show", ENUM_NORMALISED, "TRADE_SHOW");
    ENUM(s, "LeadSource", "COLDCALL", ENUM_SYNONYM, "COLD_CALL");
    ENUM(s, "LeadSource", "social", ENUM_SYNONYM, "SOCIAL_MEDIA");
    ENUM(s, "ContractStatus", "Cancelled", ENUM_SYNONYM, "TERMINATED");
    ENUM(s, "OrganizationStatus", "Closed", ENUM_SYNONYM, "INACTIVE");
}

/* ------------------------------------------------------------------ ids */

static void check_id(const char *table, const char *src, size_t len, enum id_kind want,
                     const char *want_id)
{
    char id[UUID_TEXT_LEN + 1];
    memset(id, 'Z', sizeof id);
    enum id_kind k = id_map_uuid(table, src, len, id);
    char desc[160];
    snprintf(desc, sizeof desc, "id %s:%.40s -> %s", table, src, id_kind_name(want));
    is_int(k, want, desc);
    is_str(id, want_id, "  ... the value");
}
#define ID(t, s, want, id) check_id(t, s, strlen(s), want, id)

static void test_ids(void)
{
    ID("Organization", "0F8FAD5B-D9CB-469F-A165-70867728950E", ID_UUID_KEPT,
       "0f8fad5b-d9cb-469f-a165-70867728950e");
    ID("Contact", "0f8fad5b-d9cb-469f-a165-70867728950e", ID_UUID_KEPT,
       "0f8fad5b-d9cb-469f-a165-70867728950e");
    /* Independently computed: uuid.uuid5(uuid.UUID(ns), "Organization:12345"). */
    ID("Organization", "12345", ID_UUID_V5, "3e197343-e6ae-5b81-a067-edae398cd56c");
    ID("Opportunity", "12345", ID_UUID_V5, "cab168d3-b056-595f-9b94-beb427015223");
    ID("Contact", "clh3x9k0a0000qz8r4f1b2c3d", ID_UUID_V5,
       "30cc4deb-754b-56a9-815f-43588bc800e1");
    ID("Organization", "{0F8FAD5B-D9CB-469F-A165-70867728950E}", ID_UUID_V5,
       "3ee06385-b6cd-5e66-af64-a7cec6552fd6");
    ID("Organization", "0F8FAD5BD9CB469FA16570867728950E", ID_UUID_V5,
       "5223fe8c-3c57-5f19-a9f0-87c82df80026");
    ID("Lead", "\xC3\xA9", ID_UUID_V5, "ca0aee26-be29-58e2-859f-b1b8f473546c");
    char lng[301];
    memset(lng, 'x', 300);
    lng[300] = '\0';
    ID("Contract", lng, ID_UUID_V5, "6f18729b-0b79-59dd-bd2a-3857c3de66a8");
    ID("Organization", "", ID_INVALID, "");

    char a[UUID_TEXT_LEN + 1], b[UUID_TEXT_LEN + 1];
    enum id_kind k = id_map_uuid("Organization", "0F8FAD5B-D9CB-469F-A165-70867728950G", 36, a);
    ok(k == ID_UUID_V5 && a[14] == '5' && strchr("89ab", a[19]),
       "a non-hex 36-char id gets a version-5, RFC 4122 variant uuid");
    id_map_uuid("Organization", "0F8FAD5B-D9CB-469F-A165_70867728950E", 36, a);
    id_map_uuid("Organization", "0F8FAD5B-D9CB-469F-A165_70867728950E", 36, b);
    ok(strcmp(a, b) == 0 && a[14] == '5', "a misplaced separator gives v5, deterministically");
    id_map_uuid("Contact", "0F8FAD5B-D9CB-469F-A165_70867728950E", 36, b);
    ok(strcmp(a, b) != 0, "the table is part of the name");
    k = id_map_uuid("Organization", "0F8FAD5B-D9CB-469F-A165-7086772895-E", 36, a);
    ok(k == ID_UUID_V5 && a[14] == '5', "a hyphen in a digit's place is not a uuid either");
    k = id_map_uuid("Organization", "g0F8FAD5-D9CB-469F-A165-70867728950E", 36, a);
    ok(k == ID_UUID_V5, "nor a non-hex first digit");

    /* The header's namespace text and the bytes the code uses agree. */
    uuid_t ns, u;
    ok(uuid_parse(PANTRYCRM_ID_NAMESPACE, ns) == 0, "PANTRYCRM_ID_NAMESPACE parses");
    uuid_generate_sha1(u, ns, "Lead:abc", 8);
    char want[UUID_STR_LEN];
    uuid_unparse_lower(u, want);
    id_map_uuid("Lead", "abc", 3, a);
    is_str(a, want, "id_map_uuid uses PANTRYCRM_ID_NAMESPACE");
    is_str(id_kind_name(ID_UUID_KEPT), "kept", "id_kind_name");
}

/* ----------------------------------------------------------------- text */

#define FFFD "\xEF\xBF\xBD"

static void check_text(const char *in, size_t len, unsigned want_flags, const char *want,
                       const char *desc)
{
    out_start();
    unsigned f = text_repair(in, len, &out);
    is_int(f, want_flags, desc);
    is_str(out_added(), want, "  ... the repaired text");
}
#define TEXT(lit, flags, want, desc) check_text(lit, sizeof lit - 1, flags, want, desc)

static void test_text(void)
{
    TEXT("Kitchen Pantry", TEXT_OK, "Kitchen Pantry", "ASCII passes");
    TEXT("Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e \xF0\x9F\x8D\xAE \xE2\x82\xAC", TEXT_OK,
         "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e \xF0\x9F\x8D\xAE \xE2\x82\xAC",
         "valid UTF-8 (2, 3 and 4 bytes) passes");
    TEXT("\xED\x9F\xBF\xEE\x80\x80\xF4\x8F\xBF\xBF", TEXT_OK,
         "\xED\x9F\xBF\xEE\x80\x80\xF4\x8F\xBF\xBF", "U+D7FF, U+E000, U+10FFFF are valid");
    TEXT("a\0b", TEXT_NUL, "a" FFFD "b", "NUL becomes U+FFFD");
    TEXT("\0\0", TEXT_NUL, FFFD FFFD, "each NUL is replaced");
    TEXT("x\xED\xA0\x80y", TEXT_LONE_SURROGATE, "x" FFFD "y", "lone high surrogate");
    TEXT("\xED\xBF\xBF", TEXT_LONE_SURROGATE, FFFD, "lone low surrogate");
    TEXT("\xED\xA0\xBD\xED\xB8\x80!", TEXT_SURROGATE_PAIR_JOINED, "\xF0\x9F\x98\x80!",
         "CESU-8 pair D83D DE00 is joined into U+1F600");
    TEXT("\xED\xB8\x80\xED\xA0\xBD", TEXT_LONE_SURROGATE, FFFD FFFD,
         "low then high is not a pair");
    TEXT("\xED\xA0\xBD\xED\xA0\xBD\xED\xB8\x80", TEXT_LONE_SURROGATE | TEXT_SURROGATE_PAIR_JOINED,
         FFFD "\xF0\x9F\x98\x80", "high, high, low: one lone, one pair");
    TEXT("\xED\xA0\xBD" "a\xED\xB8\x80", TEXT_LONE_SURROGATE, FFFD "a" FFFD,
         "a pair interrupted is two lone surrogates");
    TEXT("\xC0\xAF", TEXT_INVALID_UTF8, FFFD FFFD, "overlong 2-byte form");
    TEXT("\xE0\x80\x80", TEXT_INVALID_UTF8, FFFD FFFD FFFD, "overlong 3-byte form");
    TEXT("\xF4\x90\x80\x80", TEXT_INVALID_UTF8, FFFD FFFD FFFD FFFD, "above U+10FFFF");
    TEXT("\xE2\x82", TEXT_INVALID_UTF8, FFFD, "truncated at the end");
    TEXT("\xE2\x82" "A", TEXT_INVALID_UTF8, FFFD "A", "truncated before ASCII");
    TEXT("\xED\xA0", TEXT_INVALID_UTF8, FFFD FFFD, "a truncated surrogate is invalid UTF-8");
    TEXT("\xFF\x80", TEXT_INVALID_UTF8, FFFD FFFD, "0xFF and a stray continuation byte");
    TEXT("\xF0\x9F\x98" "A\xE2\x82\xAC" "B\xC3", TEXT_INVALID_UTF8, FFFD "A\xE2\x82\xAC" "B" FFFD,
         "maximal subparts, as Python's errors='replace'");
    TEXT("a\xF1\x80\x80\xE1\x80\xC2" "b", TEXT_INVALID_UTF8, "a" FFFD FFFD FFFD "b",
         "three maximal subparts in a row");
    TEXT("\0\xED\xA0\x80\xFF\xED\xA0\xBD\xED\xB8\x80",
         TEXT_NUL | TEXT_LONE_SURROGATE | TEXT_INVALID_UTF8 | TEXT_SURROGATE_PAIR_JOINED,
         FFFD FFFD FFFD "\xF0\x9F\x98\x80", "all four flags at once");
    ok((TEXT_SURROGATE_PAIR_JOINED & TEXT_LOSSY) == 0 && (TEXT_NUL & TEXT_LOSSY),
       "a joined pair is not lossy, a NUL is");

    out_start();
    is_int(text_repair(NULL, 0, &out), TEXT_OK, "empty input is OK");
    ok(out.len == strlen(PREFIX), "  ... and appends nothing");

    /* The 8-byte ASCII scan must find a NUL or a high byte at any offset. */
    char buf[64];
    int bad_nul = 0, bad_high = 0;
    for (size_t pos = 0; pos < 40; pos++) {
        memset(buf, 'q', 40);
        buf[pos] = '\0';
        out_start();
        if (text_repair(buf, 40, &out) != TEXT_NUL || out.len != strlen(PREFIX) + 42 ||
            memcmp(out.buf + strlen(PREFIX) + pos, FFFD, 3) != 0)
            bad_nul++;
        buf[pos] = '\x80';
        out_start();
        if (text_repair(buf, 40, &out) != TEXT_INVALID_UTF8 || out.len != strlen(PREFIX) + 42)
            bad_high++;
    }
    is_int(bad_nul, 0, "a NUL is found at every offset of a 40-byte string");
    is_int(bad_high, 0, "a stray high byte is found at every offset");
}

/* ------------------------------------------------------------- datetime */

static void check_dt(const char *in, int min_year, int max_year, enum dt_status want,
                     const char *want_out)
{
    out_start();
    enum dt_status st = datetime_parse(in, strlen(in), min_year, max_year, &out);
    char desc[160];
    snprintf(desc, sizeof desc, "datetime '%s' -> %s", in, dt_status_name(want));
    is_int(st, want, desc);
    is_str(out_added(), want_out, "  ... output");
}
#define DT(in, want, o) check_dt(in, DT_DEFAULT_MIN_YEAR, DT_DEFAULT_MAX_YEAR, want, o)

static void test_datetime(void)
{
    DT("2024-03-05 14:07:09", DT_OK, "2024-03-05 14:07:09");
    DT("2024-03-05T14:07:09Z", DT_OK, "2024-03-05 14:07:09");
    DT("2024-03-05T14:07:09", DT_OK, "2024-03-05 14:07:09");
    DT("2024-03-05", DT_OK, "2024-03-05 00:00:00");
    DT("2024-03-05 14:07:09.5", DT_OK, "2024-03-05 14:07:09.500000");
    DT("2024-03-05 14:07:09.123456", DT_OK, "2024-03-05 14:07:09.123456");
    DT("2024-03-05 14:07:09.1234567Z", DT_ROUNDED, "2024-03-05 14:07:09.123457");
    DT("2024-03-05 14:07:09.1234564", DT_ROUNDED, "2024-03-05 14:07:09.123456");
    DT("2024-03-05 14:07:09.1234560", DT_OK, "2024-03-05 14:07:09.123456");
    DT("2024-03-05 14:07:09.0000000", DT_OK, "2024-03-05 14:07:09");
    DT("2024-03-05 14:07:09.0000004", DT_ROUNDED, "2024-03-05 14:07:09");
    DT("2024-03-05 14:07:09.0000005", DT_ROUNDED, "2024-03-05 14:07:09.000001");
    DT("2024-12-31 23:59:59.9999995", DT_ROUNDED, "2025-01-01 00:00:00");
    DT("2024-02-28 23:59:59.9999999", DT_ROUNDED, "2024-02-29 00:00:00");
    DT("2023-02-28 23:59:59.9999999", DT_ROUNDED, "2023-03-01 00:00:00");
    DT("2024-04-30 23:59:59.9999995", DT_ROUNDED, "2024-05-01 00:00:00");
    DT("2024-06-15 10:59:59.9999996", DT_ROUNDED, "2024-06-15 11:00:00");
    DT("2024-06-15 10:59:59.9999994", DT_ROUNDED, "2024-06-15 10:59:59.999999");
    DT("2024-02-29", DT_OK, "2024-02-29 00:00:00");
    DT("2000-02-29", DT_OK, "2000-02-29 00:00:00");
    DT("2023-02-29", DT_INVALID, NULL);
    DT("1900-02-29", DT_INVALID, NULL);
    DT("2024-04-31", DT_INVALID, NULL);
    DT("2024-13-01", DT_INVALID, NULL);
    DT("2024-00-10", DT_INVALID, NULL);
    DT("2024-01-00", DT_INVALID, NULL);
    DT("0000-01-01", DT_INVALID, NULL);
    DT("2024-01-01 24:00:00", DT_INVALID, NULL);
    DT("2024-01-01 12:60:00", DT_INVALID, NULL);
    DT("2024-01-01 12:00:60", DT_INVALID, NULL);
    DT("2024-01-01 12:00", DT_INVALID, NULL);
    DT("2024-01-01 12:00:00.", DT_INVALID, NULL);
    DT("2024-01-01 12:00:00.12345678", DT_INVALID, NULL);
    DT("2024-01-01 12:00:00ZZ", DT_INVALID, NULL);
    DT("2024-01-01 12:00:00+02:00", DT_INVALID, NULL);
    DT("2024-01-01t12:00:00", DT_INVALID, NULL);
    DT("2024-01-01Z", DT_INVALID, NULL);
    DT("2024-1-01", DT_INVALID, NULL);
    DT("2024/01/01", DT_INVALID, NULL);
    DT(" 2024-01-01", DT_INVALID, NULL);
    DT("Jun  3 2019 11:27:09:0700000AM", DT_INVALID, NULL);
    DT("", DT_INVALID, NULL);
    DT("1899-12-31 23:59:59", DT_OUT_OF_RANGE, NULL);
    DT("1900-01-01", DT_OK, "1900-01-01 00:00:00");
    DT("2099-12-31 23:59:59.999999", DT_OK, "2099-12-31 23:59:59.999999");
    DT("2099-12-31 23:59:59.9999995", DT_OUT_OF_RANGE, NULL);
    DT("2100-01-01", DT_OUT_OF_RANGE, NULL);
    DT("0001-01-01", DT_OUT_OF_RANGE, NULL);
    DT("9999-12-31 23:59:59.9999999", DT_OUT_OF_RANGE, NULL);
    check_dt("0001-01-01", 1, 9999, DT_OK, "0001-01-01 00:00:00");
    check_dt("9999-12-31 23:59:59.9999999", 1, 9999, DT_OUT_OF_RANGE, NULL);
    is_str(dt_status_name(DT_OUT_OF_RANGE), "out of range", "dt_status_name");
}

/* -------------------------------------------------------------- numbers */

static void check_num(const char *what, enum num_status st, const char *in, enum num_status want,
                      const char *want_out)
{
    char desc[200];
    snprintf(desc, sizeof desc, "%s '%s' -> %s", what, in, num_status_name(want));
    is_int(st, want, desc);
    is_str(out_added(), want_out, "  ... output");
}

static void dec(const char *in, enum num_status want, const char *want_out)
{
    out_start();
    check_num("decimal(14,2)", decimal_parse(in, strlen(in), 14, 2, &out), in, want, want_out);
}

static void test_decimal(void)
{
    dec("7082761.69", NUM_OK, "7082761.69");
    dec("296685.43", NUM_OK, "296685.43");
    dec("9999999999.99", NUM_OK, "9999999999.99");
    dec("999999999999.99", NUM_OK, "999999999999.99");
    dec("-0.5", NUM_OK, "-0.50");
    dec("1e2", NUM_OK, "100.00");
    dec("1.5e+3", NUM_OK, "1500.00");
    dec("2.5E-1", NUM_OK, "0.25");
    dec("12345e-2", NUM_OK, "123.45");
    dec("0.125", NUM_PRECISION_LOSS, "0.13");
    dec("-0.125", NUM_PRECISION_LOSS, "-0.13");
    dec("0.124", NUM_PRECISION_LOSS, "0.12");
    dec("123.456e-1", NUM_PRECISION_LOSS, "12.35");
    dec("0.995", NUM_PRECISION_LOSS, "1.00");
    dec("99.995", NUM_PRECISION_LOSS, "100.00");
    dec("-0.001", NUM_PRECISION_LOSS, "0.00");
    dec("1e-400", NUM_PRECISION_LOSS, "0.00");
    dec("12345678901234", NUM_OVERFLOW, NULL);
    dec("1000000000000", NUM_OVERFLOW, NULL);
    dec("999999999999.995", NUM_OVERFLOW, NULL);
    dec("1e12", NUM_OVERFLOW, NULL);
    dec("1e400", NUM_OVERFLOW, NULL);
    dec("-12345678901234.5", NUM_OVERFLOW, NULL);
    dec("0", NUM_OK, "0.00");
    dec("-0", NUM_OK, "0.00");
    dec("0e400", NUM_OK, "0.00");
    dec("000123.4500", NUM_OK, "123.45");
    dec("+.5", NUM_OK, "0.50");
    dec("5.", NUM_OK, "5.00");
    dec("1.10000000000000000000000000001e1", NUM_PRECISION_LOSS, "11.00");
    dec("", NUM_INVALID, NULL);
    dec("-", NUM_INVALID, NULL);
    dec(".", NUM_INVALID, NULL);
    dec("e5", NUM_INVALID, NULL);
    dec("1e", NUM_INVALID, NULL);
    dec("1e+", NUM_INVALID, NULL);
    dec("1..2", NUM_INVALID, NULL);
    dec("1,5", NUM_INVALID, NULL);
    dec(" 1", NUM_INVALID, NULL);
    dec("1 ", NUM_INVALID, NULL);
    dec("NaN", NUM_INVALID, NULL);
    dec("Infinity", NUM_INVALID, NULL);
    dec("0x10", NUM_INVALID, NULL);
    dec("--1", NUM_INVALID, NULL);

    out_start();
    check_num("decimal(38,0)", decimal_parse("12345678901234567890123456789012345678", 38, 38, 0,
                                             &out),
              "38 digits", NUM_OK, "12345678901234567890123456789012345678");
    out_start();
    check_num("decimal(5,5)", decimal_parse("0.123456", 8, 5, 5, &out), "0.123456",
              NUM_PRECISION_LOSS, "0.12346");
    out_start();
    check_num("decimal(3,0)", decimal_parse("999.5", 5, 3, 0, &out), "999.5", NUM_OVERFLOW, NULL);
    out_start();
    check_num("decimal(39,2)", decimal_parse("1", 1, 39, 2, &out), "bad precision", NUM_INVALID,
              NULL);
    out_start();
    check_num("decimal(2,3)", decimal_parse("1", 1, 2, 3, &out), "bad scale", NUM_INVALID, NULL);
}

static void flt(const char *in, enum num_status want)
{
    out_start();
    check_num("float", float_parse(in, strlen(in), &out), in, want, want == NUM_OK ? in : NULL);
}

/* What PostgreSQL's float8in would say: out of range iff strtod reports
 * ERANGE with a zero or infinite result (subnormals are accepted). */
static bool pg_float_out_of_range(const char *s)
{
    errno = 0;
    double v = strtod(s, NULL);
    return errno == ERANGE && (v == 0.0 || isinf(v));
}

static void test_float(void)
{
    flt("1.5", NUM_OK);
    flt("-2.5e-3", NUM_OK);
    flt("+7082761.69", NUM_OK);
    flt("1.2345678901234567E+20", NUM_OK);
    flt("0", NUM_OK);
    flt("-0.0", NUM_OK);
    flt(".5", NUM_OK);
    flt("0e-99999", NUM_OK);
    flt("1.7976931348623157e308", NUM_OK);
    flt("1.79769313486232e+308", NUM_OVERFLOW);
    flt("1e309", NUM_OVERFLOW);
    flt("-1e99999999999999999999", NUM_OVERFLOW);
    flt("4.9406564584124654e-324", NUM_OK);
    flt("1e-400", NUM_OVERFLOW);
    flt("NaN", NUM_INVALID);
    flt("nan", NUM_INVALID);
    flt("Inf", NUM_INVALID);
    flt("-Infinity", NUM_INVALID);
    flt("1.#INF", NUM_INVALID);
    flt("0x1p3", NUM_INVALID);
    flt("", NUM_INVALID);
    flt("1e", NUM_INVALID);
    flt(" 1.5", NUM_INVALID);

    /* The exact limits, cross-checked against the C library's strtod. */
    static const char *const edge[] = {
        "1.7976931348623158e308",
        "1.797693134862315807e308",
        "1.797693134862315808e308",
        "1797693134862315807937289714053034150799341327100378269361737789804449682927647509466490"
        "1797758720709633028641669288791094655554785194040263065748867150582068190890200070838367"
        "6273854845817711531764475730270069855571366959622842914819860834936475292719074168444365"
        "510704342711559699508093042880177904174497792",
        "1797693134862315807937289714053034150799341327100378269361737789804449682927647509466490"
        "1797758720709633028641669288791094655554785194040263065748867150582068190890200070838367"
        "6273854845817711531764475730270069855571366959622842914819860834936475292719074168444365"
        "510704342711559699508093042880177904174497791.999",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649"
        "9181808179961898982823477228588654633283551779698981993873980053909390631503565951557022"
        "6392290858392449105184435931802849936536152500319370457678249219365623669863658480757001"
        "5857692699037063119282795585513329278343384093519780155312465972635795746227664652728272"
        "2005637400648549997709659947045402082816622623785739345073633900796776193057750674017632"
        "4673600968951340535537458516661134223766678604162159680461914467291840300530057530849048"
        "7653917113865916462395249126236538818796362393732804238910186723484976682350898633885879"
        "2562830275599565752445550725518931369083625477918694866799496832404970582102851318545139"
        "6213837722826145437693412532098591327667236328125e-324",
        "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649"
        "9181808179961898982823477228588654633283551779698981993873980053909390631503565951557022"
        "6392290858392449105184435931802849936536152500319370457678249219365623669863658480757001"
        "5857692699037063119282795585513329278343384093519780155312465972635795746227664652728272"
        "2005637400648549997709659947045402082816622623785739345073633900796776193057750674017632"
        "4673600968951340535537458516661134223766678604162159680461914467291840300530057530849048"
        "7653917113865916462395249126236538818796362393732804238910186723484976682350898633885879"
        "2562830275599565752445550725518931369083625477918694866799496832404970582102851318545139"
        "62138377228261454376934125320985913276672363281250001e-324",
        "0.000000000000000000000000000000000001e-288",
        "-3e-324",
        "2e-324",
    };
    int agree = 0;
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        out_start();
        enum num_status st = float_parse(edge[i], strlen(edge[i]), &out);
        bool want = pg_float_out_of_range(edge[i]);
        if ((st == NUM_OVERFLOW) == want && (st == NUM_OK || st == NUM_OVERFLOW))
            agree++;
        else
            printf("#   disagrees with strtod: %.40s... (%s)\n", edge[i], num_status_name(st));
    }
    is_int(agree, sizeof edge / sizeof edge[0],
           "range limits agree with strtod on every edge case");
    out_start();
    float_parse(edge[2], strlen(edge[2]), &out);
    ok(out.len == strlen(PREFIX), "just above DBL_MAX's rounding limit is rejected (%s)", edge[2]);
}

static void intp(const char *in, enum num_status want, const char *want_out)
{
    out_start();
    check_num("int", int_parse(in, strlen(in), &out), in, want, want_out);
}

static void bitp(const char *in, enum num_status want, const char *want_out)
{
    out_start();
    check_num("bit", bit_parse(in, strlen(in), &out), in, want, want_out);
}

static void test_int_bit(void)
{
    intp("0", NUM_OK, "0");
    intp("-0", NUM_OK, "0");
    intp("+42", NUM_OK, "42");
    intp("007", NUM_OK, "7");
    intp("-15", NUM_OK, "-15");
    intp("2147483647", NUM_OK, "2147483647");
    intp("-2147483648", NUM_OK, "-2147483648");
    intp("2147483648", NUM_OVERFLOW, NULL);
    intp("-2147483649", NUM_OVERFLOW, NULL);
    intp("99999999999999999999999", NUM_OVERFLOW, NULL);
    intp("00000000000000000000042", NUM_OK, "42");
    intp("", NUM_INVALID, NULL);
    intp("-", NUM_INVALID, NULL);
    intp("1.0", NUM_INVALID, NULL);
    intp("1e3", NUM_INVALID, NULL);
    intp(" 1", NUM_INVALID, NULL);
    intp("12a", NUM_INVALID, NULL);

    bitp("1", NUM_OK, "t");
    bitp("0", NUM_OK, "f");
    bitp("true", NUM_OK, "t");
    bitp("TRUE", NUM_OK, "t");
    bitp("False", NUM_OK, "f");
    bitp("2", NUM_INVALID, NULL);
    bitp("yes", NUM_INVALID, NULL);
    bitp("tru", NUM_INVALID, NULL);
    bitp("truex", NUM_INVALID, NULL);
    bitp("", NUM_INVALID, NULL);
    bitp("01", NUM_INVALID, NULL);
    is_str(num_status_name(NUM_PRECISION_LOSS), "precision loss", "num_status_name");
}

/* ---------------------------------------------------------------- email */

static void test_email(void)
{
    static const struct {
        const char *s;
        bool want;
    } cases[] = {
        {"chef@bistro.com", true},
        {"first.last+orders@mail.example.co.uk", true},
        {"j\xC3\xBCrgen@k\xC3\xBC" "che.de", true},
        {"a@b.c", true},
        {"", false},
        {"n/a", false},
        {"call first", false},
        {"bob@", false},
        {"@bistro.com", false},
        {"bob@localhost", false},
        {"a@@b.com", false},
        {"a@b@c.com", false},
        {"a@.b.com", false},
        {"a@b.com.", false},
        {"a@b..com", false},
        {"a b@c.com", false},
        {"ab@c.com ", false},
        {"ab@c.com\n", false},
        {"ab\t@c.com", false},
        {"ab\x7F@c.com", false},
        {"ab@c\xC2\xA0.com", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok(email_plausible(cases[i].s, strlen(cases[i].s)) == cases[i].want, "email '%s' %s",
           printable(cases[i].s, strlen(cases[i].s)), cases[i].want ? "plausible" : "rejected");

    char addr[300];
    memset(addr, 'a', sizeof addr);
    memcpy(addr + 242, "@example.com", 12); /* 254 bytes */
    ok(email_plausible(addr, 254), "254 bytes is allowed");
    memcpy(addr + 243, "@example.com", 12);
    ok(!email_plausible(addr, 255), "255 bytes is too long");
}

/* email_repair: each unambiguous repair, alone and together; what is left
 * malformed or empty is reported, never guessed at. */
static void test_email_repair(void)
{
    static const struct {
        const char *in, *want;          /* want: NULL when EMPTY or MALFORMED */
        unsigned flags;
    } cases[] = {
        {"chef@bistro.com", "chef@bistro.com", 0},
        {"Chef.Ann@bistro.com", "Chef.Ann@bistro.com", 0},             /* local part kept */
        {"  chef@bistro.com\t", "chef@bistro.com", EMAIL_TRIMMED},
        {"\xC2\xA0" "chef@bistro.com\xC2\xA0", "chef@bistro.com", EMAIL_TRIMMED}, /* U+00A0 */
        {"\xEF\xBB\xBF" "chef@bistro.com\xE2\x80\x8B", "chef@bistro.com", EMAIL_TRIMMED},
        {"\xE2\x80\xAF" "chef@bistro.com\xE2\x80\x87", "chef@bistro.com", EMAIL_TRIMMED},
        {"mailto:chef@bistro.com", "chef@bistro.com", EMAIL_MAILTO},
        {"MailTo:chef@bistro.com", "chef@bistro.com", EMAIL_MAILTO},
        {" MAILTO: chef@bistro.com ", "chef@bistro.com", EMAIL_MAILTO | EMAIL_TRIMMED},
        {"Chef@Bistro.COM", "Chef@bistro.com", EMAIL_DOMAIN_CASE},
        {" mailto:Ann@K\xC3\xBC" "CHE.De", "Ann@k\xC3\xBC" "che.de",
         EMAIL_TRIMMED | EMAIL_MAILTO | EMAIL_DOMAIN_CASE},
        {"", NULL, EMAIL_EMPTY},
        {" \xC2\xA0 ", NULL, EMAIL_TRIMMED | EMAIL_EMPTY},
        {"mailto:", NULL, EMAIL_MAILTO | EMAIL_EMPTY},
        {"bob@", NULL, EMAIL_MALFORMED},
        {" bob@@Bistro.com", NULL, EMAIL_TRIMMED | EMAIL_MALFORMED},
        {"a b@c.com", NULL, EMAIL_MALFORMED},
        {"chef@bistro.com\xC2\xA0x", NULL, EMAIL_MALFORMED},      /* inside: not trimmed */
        {"mailtochef@bistro.com", "mailtochef@bistro.com", 0},
        {"\xC2", NULL, EMAIL_MALFORMED},                           /* a lone lead byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf rb;
        sb_init(&rb);
        unsigned f = email_repair(cases[i].in, strlen(cases[i].in), &rb);
        bool good = f == cases[i].flags
                    && (cases[i].want ? rb.len == strlen(cases[i].want)
                                            && memcmp(rb.buf, cases[i].want, rb.len) == 0
                                      : true);
        ok(good, "email_repair '%s' gives flags %u (got %u) and its expected value",
           printable(cases[i].in, strlen(cases[i].in)), cases[i].flags, f);
        if (cases[i].want)
            ok(email_plausible(rb.buf, rb.len), "its repair is plausible");
        sb_free(&rb);
    }
}

/* ----------------------------------------------------------------- COPY */

static void check_copy(const char *in, size_t len, const char *want, const char *desc)
{
    out_start();
    copy_append_text(&out, in, len);
    is_str(out_added(), want, desc);
}

static void test_copy(void)
{
    check_copy("plain text", 10, "plain text", "COPY: plain text is copied");
    check_copy("a\tb\nc\rd\\e", 9, "a\\tb\\nc\\rd\\\\e", "COPY: tab, newline, CR, backslash");
    check_copy("\\.", 2, "\\\\.", "COPY: an end-of-data marker cannot appear");
    check_copy("\\N", 2, "\\\\N", "COPY: the text \\N is not NULL");
    check_copy("\t\t", 2, "\\t\\t", "COPY: adjacent specials");
    check_copy("tail\\", 5, "tail\\\\", "COPY: special at the end");
    check_copy("caf\xC3\xA9\x01", 6, "caf\xC3\xA9\x01", "COPY: other bytes pass unchanged");
    check_copy(NULL, 0, NULL, "COPY: an empty string appends nothing");
    out_start();
    copy_append_null(&out);
    is_str(out_added(), "\\N", "COPY: NULL is \\N");
}

/* --------------------------------------------------------------- threads */

struct worker {
    int mismatches;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 20000; i++) {
        const char *label;
        if (enum_normalise(shipped, "OrganizationSegment", " qsr ", 5, &label) != ENUM_SYNONYM ||
            strcmp(label, "FAST_FOOD") != 0)
            w->mismatches++;
        char id[UUID_TEXT_LEN + 1];
        id_map_uuid("Organization", "12345", 5, id);
        if (strcmp(id, "3e197343-e6ae-5b81-a067-edae398cd56c") != 0)
            w->mismatches++;
        sb_reset(&sb);
        if (decimal_parse("7082761.69", 10, 14, 2, &sb) != NUM_OK ||
            strcmp(sb.buf, "7082761.69") != 0)
            w->mismatches++;
    }
    sb_free(&sb);
    return NULL;
}

static void test_threads(void)
{
    enum { NT = 4 };
    pthread_t th[NT];
    struct worker w[NT];
    memset(w, 0, sizeof w);
    int started = 0;
    for (int i = 0; i < NT; i++)
        if (pthread_create(&th[i], NULL, worker_run, &w[i]) == 0)
            started++;
    int bad = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        bad += w[i].mismatches;
    }
    ok(started == NT && bad == 0, "4 threads share one synonym table (%d mismatches)", bad);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/transform.XXXXXX", t && strlen(t) < 40 ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    sb_init(&out);

    test_enum_plain();
    test_synonym_file();
    test_shipped_synonyms();
    test_ids();
    test_text();
    test_datetime();
    test_decimal();
    test_float();
    test_int_bit();
    test_email();
    test_email_repair();
    test_copy();
    test_threads();

    synonyms_free(shipped);
    sb_free(&out);
    char *p = xasprintf("%s/bad.conf", tmpdir);
    unlink(p);
    free(p);
    p = xasprintf("%s/good.conf", tmpdir);
    unlink(p);
    free(p);
    rmdir(tmpdir);
    return done_testing();
}
