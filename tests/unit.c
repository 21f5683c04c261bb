/* tests/unit.c - unit tests of the core that need no database.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "digest.h"
#include "paths.h"
#include "pg.h"
#include "proc.h"
#include "schema.h"
#include "state.h"
#include "userconf.h"
#include "export.h"
#include "browse.h"
#include "numfmt.h"
#include "keyset.h"
#include "copybin.h"
#include "progress.h"
#include "sqlite_exec.h"

#include <sqlite3.h>
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_strbuf(void)
{
    struct strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < 1000; i++)
        sb_addf(&sb, "%d,", i % 10);
    is_int(sb.len, 2000, "strbuf grows across many appends");
    ok(sb.buf[sb.len] == '\0', "strbuf stays NUL-terminated");
    sb_reset(&sb);
    sb_addn(&sb, "a\0b", 3);
    is_int(sb.len, 3, "strbuf keeps embedded NUL bytes");
    char *s = sb_detach(&sb);
    ok(sb.buf == NULL && sb.len == 0, "detach empties the buffer");
    free(s);
    char *empty = sb_detach(&sb);
    is_str(empty, "", "detaching an empty buffer gives an empty string, not NULL");
    free(empty);
}

static void test_strings(void)
{
    ok(str_starts_with("0001_x.sql", "0001"), "starts_with true");
    ok(!str_starts_with("0001", "0001_x"), "starts_with false when prefix is longer");
    ok(str_ends_with("a.sql", ".sql"), "ends_with true");
    ok(!str_ends_with("sql", ".sql"), "ends_with false when suffix is longer");
    char t[] = "message\r\n \n";
    is_str(str_rtrim(t), "message", "rtrim strips CR, LF and blanks");
    ok(!str_eq(NULL, "x") && str_eq("x", "x"), "str_eq handles NULL");
    char *p = xasprintf("%s-%03d", "v", 7);
    is_str(p, "v-007", "xasprintf formats");
    free(p);
    char *n = xstrndup("abcdef", 3);
    is_str(n, "abc", "xstrndup cuts");
    free(n);
}

static void test_digest(void)
{
    char hex[DIGEST_SHA256_HEX_LEN + 1];
    digest_sha256_hex("abc", 3, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "SHA-256 of 'abc' matches FIPS 180-2");
    digest_sha256_hex("", 0, hex);
    is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "SHA-256 of the empty string");
}

static void test_paths(const char *tmp)
{
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    setenv("HOME", tmp, 1);
    char *d = paths_data_home();
    char *want = xasprintf("%s/.local/share/pantrycrm", tmp);
    is_str(d, want, "a relative XDG_DATA_HOME is ignored as the spec says");
    free(d);
    free(want);
    setenv("XDG_STATE_HOME", tmp, 1);
    char *s = paths_state_home();
    want = xasprintf("%s/pantrycrm", tmp);
    is_str(s, want, "XDG_STATE_HOME is honoured");
    free(s);
    free(want);

    char *deep = xasprintf("%s/a/b/c", tmp);
    is_int(paths_mkdir_p(deep, 0700), 0, "mkdir_p creates nested directories");
    is_int(paths_mkdir_p(deep, 0700), 0, "mkdir_p on an existing directory succeeds");
    struct stat st;
    ok(stat(deep, &st) == 0 && (st.st_mode & 0777) == 0700, "mkdir_p applies the mode");
    chmod(deep, 0700);
    char *inner = xasprintf("%s/a/b", tmp);
    chmod(inner, 0700);
    ok(!paths_world_traversable(deep), "a 0700 ancestor makes a path not traversable");
    chmod(inner, 0755);
    free(inner);
    free(deep);

    setenv("PANTRYCRM_DATADIR", "/nonexistent/override", 1);
    char *pd = paths_pkgdata();
    is_str(pd, "/nonexistent/override", "PANTRYCRM_DATADIR overrides the data directory");
    free(pd);
    unsetenv("PANTRYCRM_DATADIR");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_schema_load(const char *tmp)
{
    char *dir = xasprintf("%s/sql", tmp);
    paths_mkdir_p(dir, 0700);
    char *p2 = xasprintf("%s/0002_b.sql", dir), *p1 = xasprintf("%s/0001_a.sql", dir),
         *px = xasprintf("%s/notes.txt", dir);
    write_file(p2, "SELECT 2;\n");
    write_file(p1, "SELECT 1;\n");
    write_file(px, "not sql");
    struct schema_set set;
    char *err = NULL;
    is_int(schema_load(dir, &set, &err), 0, "schema_load reads a directory");
    is_int(set.n, 2, "only *.sql files count");
    is_str(set.files[0].name, "0001_a.sql", "files are ordered by name");
    is_str(set.files[1].sql, "SELECT 2;\n", "file content is kept verbatim");
    char hex[DIGEST_SHA256_HEX_LEN + 1];
    digest_sha256_hex("SELECT 1;\n", 10, hex);
    is_str(set.files[0].checksum, hex, "checksum is the SHA-256 of the bytes");
    schema_set_free(&set);

    char *missing = xasprintf("%s/none", tmp);
    ok(schema_load(missing, &set, &err) == -1 && err && strstr(err, "PANTRYCRM_DATADIR"),
       "a missing directory explains how to point at the SQL files");
    free(err);
    free(missing);
    free(p1);
    free(p2);
    free(px);
    free(dir);
}

static void test_conninfo(void)
{
    ok(pg_conninfo_check(NULL) == NULL, "no connection string is fine (PG* defaults)");
    ok(pg_conninfo_check("host=/tmp dbname=x") == NULL, "key=value string accepted");
    ok(pg_conninfo_check("postgresql://u@h:5432/db?sslmode=require") == NULL, "URI accepted");
    char *e = pg_conninfo_check("host=/tmp dbname");
    ok(e && strstr(e, "invalid connection string") && strstr(e, "dbname"),
       "a key without '=' is rejected with libpq's reason");
    free(e);
    e = pg_conninfo_check("bogus_option=1");
    ok(e && strstr(e, "bogus_option"), "an unknown keyword is named");
    free(e);
    e = pg_conninfo_check("postgresql://h/db?nosuchparam=1");
    ok(e && strstr(e, "nosuchparam"), "a URI with an unknown parameter is rejected");
    free(e);
    char *err = NULL;
    ok(pg_connect("host=/tmp dbname", "test", &err) == NULL && err
           && str_starts_with(err, "cannot test: invalid connection string"),
       "pg_connect refuses a bad string before any network use, saying what it was doing");
    free(err);
}

static void test_proc(void)
{
    struct strbuf out;
    sb_init(&out);
    const char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    is_int(proc_run(argv, NULL, &out), 3, "proc_run returns the exit status");
    is_str(out.buf, "out\nerr\n", "proc_run captures stdout and stderr");
    sb_free(&out);
    const char *nope[] = {"/nonexistent/program", NULL};
    is_int(proc_run(nope, NULL, &out), 127, "a missing program gives 127");
    sb_free(&out);
}

static void test_state(const char *tmp)
{
    char *path = xasprintf("%s/st/deeper/state.db", tmp);
    char *err = NULL;
    mode_t old = umask(0);
    struct state *st = state_open(path, &err);
    umask(old);
    ok(st != NULL, "state_open creates the file and its directories");
    struct stat sb;
    ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the state file is 0600 even with umask 0");
    char *dir = xasprintf("%s/st/deeper", tmp);
    ok(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "its directory is 0700");
    free(dir);
    ok(state_session_get(st, "pane") == NULL, "an unset session key reads as NULL");
    is_int(state_session_put(st, "pane", "contacts", &err), 0, "a session value is stored");
    is_int(state_session_put(st, "pane", "migration", &err), 0, "and replaced");
    char *v = state_session_get(st, "pane");
    is_str(v, "migration", "the latest value is read back");
    free(v);
    int64_t run = state_run_begin(st, 7, "sqlite:x.db", "database \"t\"", &err);
    ok(run > 0, "a run is recorded");
    struct progress_sample p = {"Organization", 100, 50, 45, 5, 3, 1234, 0.5, "copying"};
    is_int(state_progress(st, run, &p, &err), 0, "a progress sample is recorded");
    state_close(st);

    st = state_open(path, &err);
    ok(st != NULL, "reopening an existing state file works (the upgrade is idempotent)");
    v = state_session_get(st, "pane");
    is_str(v, "migration", "the session survives a reopen");
    free(v);
    state_close(st);

    struct state *ro = state_open_readonly(path);
    ok(ro != NULL, "a watcher opens it read-only");
    struct state_run r;
    struct state_table_progress t[4];
    size_t n, ns;
    double spark[4];
    bool found;
    is_int(state_read_latest(ro, &r, &found, t, 4, &n, spark, 4, &ns, &err), 0, "the latest run is read");
    ok(found && r.id == run && n == 1 && t[0].rows_read == 50 && strcmp(t[0].phase, "copying") == 0,
       "with its latest sample per table");
    state_close(ro);
    char *none = xasprintf("%s/none.db", tmp);
    ok(state_open_readonly(none) == NULL, "no state file yet is no error for a watcher");
    free(none);

    /* A file from a newer pantrycrm is refused, not downgraded. */
    char *cmd = xasprintf("sqlite3 '%s' 'PRAGMA user_version = 99'", path);
    if (system(cmd) == 0) {
        st = state_open(path, &err);
        ok(st == NULL && err && strstr(err, "newer pantrycrm"), "a newer state file is refused");
        free(err);
        err = NULL;
        state_close(st);
    } else {
        ok(1, "# SKIP sqlite3 is not installed");
    }
    free(cmd);
    free(path);
}

static void test_userconf(const char *tmp)
{
    struct config cfg;
    char *err = NULL;
    char *none = xasprintf("%s/no-config", tmp);
    is_int(config_load(none, &cfg, &err), 0, "a missing config file is no error");
    ok(!cfg.read_only && cfg.color == CONFIG_COLOR_AUTO, "and gives the defaults");
    config_free(&cfg);
    free(none);
    char *path = xasprintf("%s/config", tmp);
    write_file(path, "# comment\n\nread-only = yes   # support staff\ncolor = never\n"
                     "key.PAGE_DOWN = x Space\n");
    is_int(config_load(path, &cfg, &err), 0, "a good config file loads");
    ok(cfg.read_only && cfg.color == CONFIG_COLOR_NEVER, "read-only and color are read");
    ok(cfg.nbindings == 1 && str_eq(cfg.bindings[0].action, "PAGE_DOWN")
           && str_eq(cfg.bindings[0].keys, "x Space") && cfg.bindings[0].line == 5,
       "a key binding is read with its line");
    config_free(&cfg);
    write_file(path, "read-only = true\nreadonly = false\n");
    ok(config_load(path, &cfg, &err) == -1 && err && strstr(err, "config:2: unknown setting 'readonly'"),
       "an unknown setting is reported with file and line");
    free(err);
    err = NULL;
    config_free(&cfg);
    write_file(path, "color = sometimes\n");
    ok(config_load(path, &cfg, &err) == -1 && err && strstr(err, ":1: color takes auto, never or always"),
       "a bad value is reported with file and line");
    free(err);
    err = NULL;
    config_free(&cfg);
    write_file(path, "just words\n");
    ok(config_load(path, &cfg, &err) == -1 && err && strstr(err, ":1: expected 'key = value'"),
       "a line without '=' is reported");
    free(err);
    config_free(&cfg);
    free(path);
}

/* The export writers on values PostgreSQL cannot send (so tests/export.sh
 * cannot reach them): invalid UTF-8, DEL, every control character. */
static char *written(void (*fn)(FILE *, const char *), const char *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, v);
    fclose(f);
    return buf;
}

static void test_export_writers(void)
{
    char *s;
    s = written(export_csv_field, NULL);
    is_str(s, "", "CSV: NULL is an empty field");
    free(s);
    s = written(export_csv_field, "");
    is_str(s, "\"\"", "CSV: the empty string is a quoted empty field");
    free(s);
    s = written(export_csv_field, "a \"b\", c\r\nd");
    is_str(s, "\"a \"\"b\"\", c\r\nd\"", "CSV: quotes doubled, comma and CRLF inside quotes");
    free(s);
    s = written(export_csv_field, " pad");
    is_str(s, "\" pad\"", "CSV: a leading space is quoted");
    free(s);
    s = written(export_json_string, NULL);
    is_str(s, "null", "JSON: NULL is null");
    free(s);
    s = written(export_json_string, "q\"b\\\x01\x1b\x7f\n\t\u00e9\U0001F600");
    is_str(s, "\"q\\\"b\\\\\\u0001\\u001b\\u007f\\n\\t\u00e9\U0001F600\"",
           "JSON: quotes, backslashes and control characters escaped, UTF-8 kept");
    free(s);
    s = written(export_json_string, "a\xff\xed\xa0\x80" "b\xc3");
    is_str(s, "\"a\\ufffd\\ufffd\\ufffd\\ufffdb\\ufffd\"",
           "JSON: bytes that are not UTF-8 (a surrogate's WTF-8 included) become U+FFFD");
    free(s);
    enum export_format f;
    ok(export_format_parse("jsonl", &f) && f == EXPORT_JSONL && export_format_parse("json", &f)
           && f == EXPORT_JSONL && export_format_parse("csv", &f) && f == EXPORT_CSV
           && !export_format_parse("xml", &f), "format names");
}

/* The throughput line: two tables copied at once, sampled in alternate
 * half-second steps, read 1000 rows/s each: the run reads 2000 rows/s at
 * every step (summing only each step's samples gave 1000 and 3000). */
static void test_spark(const char *tmp)
{
    char *path = xasprintf("%s/spark/state.db", tmp);
    char *err = NULL;
    struct state *st = state_open(path, &err);
    int64_t run = state_run_begin(st, 1, "sqlite:x.db", "t", &err);
    state_close(st);
    sqlite3 *db;
    sqlite3_open(path, &db);
    for (int i = 0; i < 8; i++) {
        char *sql = sqlite3_mprintf("INSERT INTO progress (run_id, table_name, at, rows_read, phase)"
                                    " VALUES (%lld, '%s', %f, %d, 'copying')", (long long)run,
                                    i % 2 ? "A" : "B", 1000.0 + i * 0.5 + 0.1, 500 * (i + 1));
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
    sqlite3_close(db);
    struct state *ro = state_open_readonly(path);
    struct state_run r;
    struct state_table_progress t[4];
    bool found;
    size_t n, ns;
    double spark[16];
    state_read_latest(ro, &r, &found, t, 4, &n, spark, 16, &ns, &err);
    state_close(ro);
    bool steady = ns >= 4;
    for (size_t i = 0; i < ns; i++)
        if (spark[i] < 1999 || spark[i] > 2001)
            steady = false;
    ok(steady, "the run's throughput counts every table at every step (%zu steps)", ns);
    free(err);
    free(path);
}

static void test_keyset_against_reference(void);

/* A key from a counter, spread like a v4 UUID's random bytes or not. */
static void make_key(unsigned char k[16], uint64_t i, bool spread)
{
    uint64_t x = spread ? i * 0x9E3779B97F4A7C15ULL : i;
    memset(k, 0, 16);
    for (int b = 0; b < 8; b++) {
        k[b] = (unsigned char)(i >> (8 * b));
        k[8 + b] = (unsigned char)(x >> (56 - 8 * b));
    }
}

/* The binary field copybin_field writes for one value, as hex ("" when it
 * refuses the value). */
static const char *bin_hex(enum copybin_kind k, const char *v)
{
    static char hex[128];
    struct strbuf sb;
    sb_init(&sb);
    hex[0] = '\0';
    if (copybin_field(&sb, k, v, strlen(v)))
        for (size_t i = 0; i < sb.len && 2 * i + 2 < sizeof hex; i++)
            snprintf(hex + 2 * i, 3, "%02x", (unsigned char)sb.buf[i]);
    sb_free(&sb);
    return hex;
}

static void test_copybin(void)
{
    /* numeric: length, ndigits, weight, sign, dscale, base-10000 digits */
    is_str(bin_hex(COPYBIN_NUMERIC, "0.00"), "00000008" "0000" "0000" "0000" "0002", "copybin: zero keeps its scale");
    is_str(bin_hex(COPYBIN_NUMERIC, "-0.05"), "0000000a" "0001" "ffff" "4000" "0002" "01f4",
           "copybin: -0.05 is 500 x 10000^-1, negative");
    is_str(bin_hex(COPYBIN_NUMERIC, "123456789012.34"), "00000010" "0004" "0002" "0000" "0002" "04d2" "162e" "2334" "0d48",
           "copybin: 12 integer digits and 2 of fraction");
    is_str(bin_hex(COPYBIN_NUMERIC, "10000.00"), "0000000a" "0001" "0001" "0000" "0002" "0001",
           "copybin: trailing zero groups are dropped");
    is_str(bin_hex(COPYBIN_NUMERIC, "1e5"), "", "copybin: a numeric not in canonical form is refused");
    /* timestamps: microseconds from 2000-01-01 */
    is_str(bin_hex(COPYBIN_TIMESTAMP, "2000-01-01 00:00:00"), "00000008" "0000000000000000", "copybin: the epoch is 0");
    is_str(bin_hex(COPYBIN_TIMESTAMP, "1999-12-31 23:59:59.5"), "00000008" "fffffffffff85ee0",
           "copybin: half a second before it");
    is_str(bin_hex(COPYBIN_TIMESTAMP, "2024-02-29 12:00:00.000001"), "00000008" "0002b582c4781001",
           "copybin: a leap day, to the microsecond");
    is_str(bin_hex(COPYBIN_TIMESTAMP, "2023-02-29 12:00:00"), "", "copybin: not a date, refused");
    is_str(bin_hex(COPYBIN_TIMESTAMP, "2024-01-01T00:00:00"), "", "copybin: not the canonical form, refused");
    is_str(bin_hex(COPYBIN_INT4, "-2147483648"), "00000004" "80000000", "copybin: the least int4");
    is_str(bin_hex(COPYBIN_INT4, "2147483648"), "", "copybin: past int4, refused");
    is_str(bin_hex(COPYBIN_FLOAT8, "1.5"), "00000008" "3ff8000000000000", "copybin: a float8");
    is_str(bin_hex(COPYBIN_FLOAT8, "Infinity"), "", "copybin: Infinity is left to PostgreSQL");
    is_str(bin_hex(COPYBIN_FLOAT8, "1e400"), "", "copybin: so is an overflow");
    is_str(bin_hex(COPYBIN_UUID, "0B5E2A4C-8F1D-4E7A-9C3B-2D6F8A1E0C47"), "00000010" "0b5e2a4c8f1d4e7a9c3b2d6f8a1e0c47",
           "copybin: a uuid");
    is_str(bin_hex(COPYBIN_JSONB, "{}"), "00000003" "017b7d", "copybin: jsonb is version 1, then the text");
    is_str(bin_hex(COPYBIN_BOOL, "t"), "00000001" "01", "copybin: true");
    ok(copybin_kind_of("timestamptz", 'b', false) == COPYBIN_NONE,
       "copybin: timestamptz outside UTC goes as text (the text has no offset)");
    ok(copybin_kind_of("OrganizationType", 'e', true) == COPYBIN_BYTES, "copybin: an enum goes as its label");
}

static void test_keyset(void)
{
    unsigned char k[16], u[16];
    ok(keyset_parse_uuid("0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c47", 36, u), "keyset: a UUID parses");
    ok(!keyset_parse_uuid("0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c4", 35, u), "keyset: a short one does not");
    ok(!keyset_parse_uuid("0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0cx7", 36, u), "keyset: nor one with a non-hex digit");
    ok(!keyset_parse_uuid("0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c4g", 36, u), "keyset: nor one ending in a non-hex digit");
    ok(!keyset_parse_uuid("0b5e2a4c+8f1d-4e7a-9c3b-2d6f8a1e0c47", 36, u), "keyset: nor one without its hyphens");
    ok(!keyset_parse_uuid("xb5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c47", 36, u), "keyset: nor one starting with a non-hex digit");
    ok(!keyset_parse_uuid("0b5e2a4c-8f1d--e7a-9c3b-2d6f8a1e0c47", 36, u), "keyset: nor one with a hyphen for a digit");
    ok(keyset_parse_uuid("0B5E2A4C-8F1D-4E7A-9C3B-2D6F8A1E0C47", 36, u) && u[0] == 0x0b && u[3] == 0x4c
       && u[4] == 0x8f && u[7] == 0x7a && u[8] == 0x9c && u[10] == 0x2d && u[15] == 0x47,
       "keyset: the bytes are read in order, in either case");
    char d[96];
    for (int spread = 1; spread >= 0; spread--) {
        const char *mode = spread ? "spread" : "sequential";
#define KS(what) (snprintf(d, sizeof d, "keyset (%s): %s", mode, what), d)
        struct keyset ks;
        keyset_init(&ks, 100000);
        ok(!keyset_contains(&ks, u), "%s", KS("empty"));
        for (uint64_t i = 0; i < 50000; i++) {
            make_key(k, 2 * i, spread);      /* the even ones */
            keyset_add(&ks, k);
        }
        make_key(k, 2 * 777, spread);
        keyset_add(&ks, k);                  /* a key added twice */
        int hits = 0, false_hits = 0;
        for (uint64_t i = 0; i < 100000; i++) {
            make_key(k, i, spread);
            bool in = keyset_contains(&ks, k);
            if (i % 2 == 0)
                hits += in;
            else
                false_hits += in;
        }
        is_int(hits, 50000, KS("every key added is found"));
        is_int(false_hits, 0, KS("no other key is"));
        is_int(ks.n, 50000, KS("a key added twice is kept once"));
        /* additions after the first question: a few are scanned, more are
         * sorted in, and the old keys stay found */
        make_key(k, 1, spread);
        keyset_add(&ks, k);
        ok(keyset_contains(&ks, k), "%s", KS("a key added after a question is found"));
        for (uint64_t i = 0; i < 1000; i++) {
            make_key(k, 2 * i + 3, spread);
            keyset_add(&ks, k);
        }
        make_key(k, 1999, spread);
        ok(keyset_contains(&ks, k), "%s", KS("and so are many"));
        make_key(k, 4, spread);
        ok(keyset_contains(&ks, k), "%s", KS("with the first ones"));
        /* many at once answer as one at a time do: a long batch (past the
         * prefetch distance), a short one, and with additions not yet
         * sorted in */
        for (uint64_t extra = 0; extra < 3; extra++) {
            make_key(k, 300000 + extra, spread);
            keyset_add(&ks, k);
        }
        static unsigned char batch[3000][16];
        bool many[3000];
        for (uint64_t i = 0; i < 3000; i++)
            make_key(batch[i], i * 37 % 4000 + (i % 500 == 0 ? 300000 + i % 3 : 0), spread);
        int agree = 0;
        for (size_t len = 3000; len > 0; len = len > 5 ? 5 : 0) {
            keyset_lock(&ks);
            keyset_contains_many_locked(&ks, (const unsigned char (*)[16])batch, len, many);
            keyset_unlock(&ks);
            for (size_t i = 0; i < len; i++)
                agree += many[i] == keyset_contains(&ks, batch[i]);
        }
        is_int(agree, 3005, KS("many keys asked at once get the answers of one at a time"));
        int found = 0;
        keyset_lock(&ks);
        keyset_contains_many_locked(&ks, (const unsigned char (*)[16])batch, 3000, many);
        keyset_unlock(&ks);
        for (size_t i = 0; i < 3000; i++)
            found += many[i];
        ok(found > 1000 && found < 3000, "%s", KS("some are there and some are not"));
        keyset_destroy(&ks);
#undef KS
    }
    struct keyset small;
    keyset_init(&small, 10);
    for (uint64_t i = 0; i < 20; i++) {
        make_key(k, i, true);
        keyset_add(&small, k);
    }
    make_key(k, 9, true);
    ok(keyset_contains(&small, k), "keyset: within the budget, a key is kept");
    make_key(k, 10, true);
    ok(!keyset_contains(&small, k), "keyset: past it, a key is only not known (the caller probes)");
    ok(small.cap * 16 <= 10 * 16, "keyset: the array never outgrows the budget");
    keyset_destroy(&small);
    test_keyset_against_reference();
}

static int cmp16(const void *a, const void *b) { return memcmp(a, b, 16); }

/* The in-place bucket sort and the search, against a plain sorted array:
 * keys crowded into few buckets (some past the insertion-sort size, some
 * under it, one with a single key), keys that differ only in their first
 * eight bytes, keys added twice, and additions after questions, settled
 * again and again. */
static void test_keyset_against_reference(void)
{
    enum { N = 20000 };
    static unsigned char ref[N][16], probe[16];
    struct keyset ks;
    keyset_init(&ks, N);
    uint64_t seed = 42;
    size_t n = 0;
    int wrong = 0, asked = 0;
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < N / 40; i++) {
            unsigned char *k = ref[n++];
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint64_t r = seed >> 11;
            /* bytes 8-9 (the bucket): one of a few values, unevenly; bytes
             * 10-15 often equal too, so that bytes 0-7 decide */
            unsigned bucket = (unsigned)(r % 7 == 0 ? 0xBEEF : r % 3 == 0 ? 0x0001 + (r >> 8) % 40 : 0x8000);
            memset(k, 0, 16);
            for (int b = 0; b < 8; b++)
                k[b] = (unsigned char)(r >> (b * 5));
            k[8] = (unsigned char)(bucket >> 8);
            k[9] = (unsigned char)bucket;
            k[15] = (unsigned char)(r % 5 == 0 ? r >> 40 : 0);
            if (i % 97 == 0 && n > 1)
                memcpy(k, ref[n - 2], 16);   /* a key added twice */
            keyset_add(&ks, k);
        }
        /* a question settles the additions; ask about some of each kind */
        for (size_t i = 0; i < n; i += 7) {
            asked++;
            wrong += !keyset_contains(&ks, ref[i]);
        }
        memcpy(probe, ref[n / 2], 16);
        probe[3] ^= 0x40;        /* a neighbour in the same bucket */
        qsort(ref, n, 16, cmp16);
        bool there = bsearch(probe, ref, n, 16, cmp16) != NULL;
        asked++;
        wrong += keyset_contains(&ks, probe) != there;
    }
    size_t distinct = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        distinct += memcmp(ref[i - 1], ref[i], 16) != 0;
    for (size_t i = 0; i < n; i++) {
        asked++;
        wrong += !keyset_contains(&ks, ref[i]);
    }
    ok(wrong == 0, "keyset: %d questions about crowded buckets answered as a sorted array would (%d wrong)",
       asked, wrong);
    is_int((long)ks.n, (long)distinct, "keyset: each key held once");
    keyset_destroy(&ks);
}

static void test_numfmt(void)
{
    char b[64];
    numfmt_decimal("4019005", 2, ",", b, sizeof b);
    is_str(b, "4,019,005.00", "numfmt: an integer gets two places and separators");
    numfmt_decimal("1630221.415", 2, ",", b, sizeof b);
    is_str(b, "1,630,221.42", "numfmt: rounds half up");
    numfmt_decimal("999.995", 2, "", b, sizeof b);
    is_str(b, "1000.00", "numfmt: a carry adds a digit; no separator in C");
    numfmt_decimal("-12345.5", 2, ".", b, sizeof b);
    is_str(b, "-12.345.50", "numfmt: negative, another separator");
    numfmt_decimal("0.1", 2, ",", b, sizeof b);
    is_str(b, "0.10", "numfmt: small");
    numfmt_decimal("1e10", 2, ",", b, sizeof b);
    is_str(b, "1e10", "numfmt: what is not a plain decimal is kept");
    numfmt_decimal("123", 2, "\xe2\x80\xaf", b, sizeof b);
    is_str(b, "123.00", "numfmt: three digits need no separator");
    numfmt_count(1234567, ",", b, sizeof b);
    is_str(b, "1,234,567", "numfmt: a count gets separators");
    numfmt_count(-1000, ",", b, sizeof b);
    is_str(b, "-1,000", "numfmt: a negative count");
    numfmt_count(999, ",", b, sizeof b);
    is_str(b, "999", "numfmt: a small count has none");
    numfmt_bytes_compact(256.0 * 1024 * 1024, b, sizeof b);
    is_str(b, "256MB", "numfmt: compact bytes, near whole: no decimal");
    numfmt_bytes_compact(1.5 * 1024 * 1024 * 1024, b, sizeof b);
    is_str(b, "1.5GB", "numfmt: compact bytes with one decimal");
    numfmt_bytes_compact(512, b, sizeof b);
    is_str(b, "512B", "numfmt: compact bytes under 1 kB");
    numfmt_bytes_fixed(300, b, sizeof b);
    is_str(b, "0.3 kB", "numfmt: fixed bytes start at kB");
    numfmt_bytes_fixed(INT64_C(3) * 1024 * 1024 * 1024 / 2, b, sizeof b);
    is_str(b, "1.5 GB", "numfmt: fixed bytes, always one decimal");
}

static void collect_line(void *arg, const char *text)
{
    sb_addf(arg, "[%s]", text);
}

/* The core's small shared helpers: progress lines, SQLite statements,
 * directory names. */
/* now= takes a timestamp, checked before it reaches the server. */
static void test_filter_now(void)
{
    static const char *const good[] = {"2026-12-01", "2026-12-01 12:00", "2026-12-01T12:00:00Z",
                                       "2026-12-01 12:00:00+00", "2026-12-01 12:00:00.123-05:30",
                                       "2026-12-01T12:00+0100", "2026-12-01 12:00:00 UTC",
                                       "2026-12-01 12:00:00 +00", "2026-12-01t12:00z", "today", "NOW"};
    static const char *const bad[] = {"garbage", "", "2026-12", "2026-12-01 12", "2026-12-01 12:00:00+",
                                      "2026-12-01x", "12:00", "2026-12-01 12:00:00.+00", "2026-13-45",
                                      "2026-12-01 25:99", "2026-12-01 12:00+05:", "2026-12-01 ", "todays"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct browse_filter f;
        memset(&f, 0, sizeof f);
        char *spec = xasprintf("now=%s", good[i]), *err = NULL;
        ok(browse_filter_parse(&f, spec, &err) && f.now && strcmp(f.now, good[i]) == 0,
           "now=%s is taken", good[i]);
        free(err);
        free(spec);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct browse_filter f;
        memset(&f, 0, sizeof f);
        char *spec = xasprintf("now=%s", bad[i]), *err = NULL;
        ok(!browse_filter_parse(&f, spec, &err) && err && strstr(err, "date and time") && !f.now,
           "now=%s is refused, saying what it takes", bad[i]);
        free(err);
        free(spec);
    }
}

static void test_core_helpers(void)
{
    struct strbuf got;
    sb_init(&got);
    struct progress p = {collect_line, &got};
    progress_say(&p, "applied %s", "0001_init.sql");
    progress_say(&p, "%d tables", 3);
    progress_say(NULL, "nobody listens");
    is_str(got.buf, "[applied 0001_init.sql][3 tables]",
           "progress: each line goes to the sink, formatted, without a newline");
    sb_free(&got);

    sqlite3 *db = NULL;
    ok(sqlite3_open(":memory:", &db) == SQLITE_OK, "sqlite: an in-memory database");
    char *err = NULL;
    is_int(sqlite_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", "setup", &err), 0,
           "sqlite_exec runs several statements");
    is_int(sqlite_exec(db, "CREATE TABLE t (x)", "state file", &err), -1,
           "sqlite_exec fails on an error");
    is_str(err, "state file: table t already exists",
           "with the caller's context and SQLite's message");
    free(err);
    err = NULL;
    is_int(sqlite_exec(db, "SELECT nosuch FROM t", NULL, &err), -1, "and without a context");
    is_str(err, "no such column: nosuch", "SQLite's message alone");
    free(err);
    char *e2 = sqlite_error(db, "reading");
    is_str(e2, "reading: no such column: nosuch", "sqlite_error quotes the last error");
    free(e2);
    sqlite3_close(db);

    static const char *const dirs[][2] = {
        {"/var/lib/x/state.db", "/var/lib/x"}, {"state.db", "."}, {"/state.db", "/"},
        {"a/b", "a"},
    };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char *d = paths_dirname(dirs[i][0]);
        is_str(d, dirs[i][1], dirs[i][0]);
        free(d);
    }
}

int main(void)
{
    test_numfmt();
    test_keyset();
    test_copybin();
    char tmpl[] = "/tmp/pantrycrm-unit.XXXXXX";
    char *tmp = mkdtemp(tmpl);
    if (!tmp) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    test_strbuf();
    test_strings();
    test_digest();
    test_paths(tmp);
    test_schema_load(tmp);
    test_conninfo();
    test_proc();
    test_state(tmp);
    test_spark(tmp);
    test_userconf(tmp);
    test_export_writers();
    test_core_helpers();
    test_filter_now();
    char *rm = xasprintf("rm -rf '%s'", tmp);
    if (system(rm) != 0)
        printf("# could not remove %s\n", tmp);
    free(rm);
    return done_testing();
}
