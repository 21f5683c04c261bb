/* gen_private.h - what the parts of the demo data generator share: the
 * randomness, the tables' meaning (gen_schema.c), the word lists
 * (gen_words.c), the generator's state, and each part's entry points.
 * Only the gen_*.c files include it.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_GEN_PRIVATE_H
#define PANTRY_GEN_PRIVATE_H

#include "gen.h"
#include "legacy.h"
#include "util.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define N_(a) (sizeof(a) / sizeof((a)[0]))
#define MAXCOLS 32

/* ------------------------------------------------------------------------
 * Randomness: splitmix64 to hash and seed, xoshiro256** to draw. Our own,
 * so that the data does not change with the C library.
 * ------------------------------------------------------------------------ */

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A stateless hash of (seed, salt, index): what a row, an id or a parent
 * choice depends on, so any table can recompute another table's values. */
static inline uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t x = a;
    uint64_t h = splitmix64(&x);
    x = h ^ b;
    h = splitmix64(&x);
    x = h ^ c;
    return splitmix64(&x);
}

struct rng {
    uint64_t s[4];
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n < 2^32 (the bias of the multiply-shift is < 2^-32). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline long rng_range(struct rng *r, long lo, long hi)
{
    return lo + (long)rng_below(r, (uint32_t)(hi - lo + 1));
}

static inline bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)N_(a))])

/* ------------------------------------------------------------------------
 * The tables and what their columns mean (gen_schema.c).
 * ------------------------------------------------------------------------ */

enum tab { T_USER, T_ACCOUNT, T_SESSION, T_VTOKEN, T_ORG, T_CONTACT, T_INTERACTION, T_OPP,
           T_LEAD, T_CONTRACT, T_COUNT };

/* Purposes of the stateless hash, combined with the table: (t << 8) | p. */
enum { P_ROW = 1, P_DIRT, P_ID, P_ODD_ID, P_REF, P_NAME, P_HUGE, P_MIGRATION };
#define SALT(t, p) ((uint64_t)(t) << 8 | (uint64_t)(p))

/* What a column means. Columns absent from field_map get a value by kind. */
enum field {
    F_GENERIC, F_ID, F_CREATED, F_UPDATED, F_REF_ORG, F_REF_CONTACT, F_REF_USER, F_REF_OPP,
    F_FULL_NAME, F_FIRST_NAME, F_LAST_NAME, F_EMAIL, F_PHONE, F_POSITION, F_NOTES, F_ACTIVE,
    F_EXPIRES, F_E_MAIN, F_E_SEGMENT,
    F_USER_VERIFIED, F_USER_IMAGE, F_USER_PASSWORD, F_USER_ROLE, F_USER_LOGIN, F_USER_RESET,
    F_USER_RESET_EXPIRY,
    F_ACC_TYPE, F_ACC_PROVIDER, F_ACC_PID, F_ACC_REFRESH, F_ACC_ACCESS, F_ACC_EXPIRES_AT,
    F_ACC_TOKEN_TYPE, F_ACC_SCOPE, F_ACC_ID_TOKEN, F_ACC_STATE,
    F_SESSION_TOKEN, F_VT_IDENTIFIER, F_VT_TOKEN,
    F_ORG_NAME, F_ADDRESS, F_CITY, F_STATE, F_ZIP, F_WEBSITE, F_REVENUE, F_EMPLOYEES,
    F_PRIMARY_CONTACT, F_LAST_CONTACT, F_NEXT_FOLLOW_UP,
    F_IS_PRIMARY,
    F_SUBJECT, F_INT_DATE, F_DURATION, F_NEXT_ACTION,
    F_OPP_NAME, F_DEAL_VALUE, F_PROBABILITY, F_CLOSE_DATE,
    F_COMPANY_NAME, F_SCORE,
    F_CONTRACT_NUMBER, F_CONTRACT_TITLE, F_START_DATE, F_END_DATE, F_TERMS, F_SIGNED_AT,
};

#define FL_NAME 1u   /* a display name: may carry terminal escapes */
#define FL_EMAIL 2u  /* an email address: may be malformed */
#define FL_CLEAN 4u  /* unique or machine-read: never dirtied */

struct field_map {
    const char *table;   /* NULL: any table */
    const char *column;
    enum field f;
    unsigned flags;
};

struct unique_key {
    const char *table, *name, *cols[3];
};

struct enum_weight {
    const char *type, *label;
    unsigned w;
};

struct dirt_info {
    const char *name;
    unsigned bp;
    const char *meaning;
};

struct synonym {
    const char *type, *value, *label;
};

struct huge_target {
    const char *table, *column;
    long per;
};

enum dirt {
    D_ENUM_VARIANT, D_ENUM_SYNONYM, D_ENUM_UNMATCHED, D_ENUM_EMPTY, D_ENUM_NULL, D_ORPHAN,
    D_BAD_EMAIL, D_EMAIL_CASE_DUP, D_EMAIL_REPAIRABLE, D_NUL, D_SURROGATE, D_ESCAPE, D_FAR_DATE, D_ROUNDING,
    D_DECIMAL_SCALE, D_NON_UUID_ID, D_HUGE_TEXT, D_NON_UUID_REF, D_COUNT
};

#define HUGE_BYTES 1100000 /* > 1 MiB, in bytes and in characters (ASCII) */

/* The reference "now": fixed, so the same seed gives the same file on any
 * day. Dates spread over the 5 years before it. */
#define NOW_Y 2026
#define NOW_M 11
#define NOW_D 1
#define YEAR_S ((int64_t)365 * 86400)

struct city {
    const char *name, *state, *zip3, *area;
};

#define DT_LEN 27 /* YYYY-MM-DD HH:MM:SS.fffffff */

/* Word lists and tables (sizes are checked against the definitions). */
extern const char *const first_names[70];
extern const char *const last_names[90];
extern const char *const streets[35];
extern const char *const street_kinds[8];
extern const char *const adjectives[28];
extern const char *const nouns[25];
extern const char *const animals[11];
extern const char *const saints[10];
extern const char *const industries[10];
extern const char *const pat_fine[9];
extern const char *const pat_fast[9];
extern const char *const pat_casual[8];
extern const char *const pat_catering[5];
extern const char *const pat_institutional[6];
extern const char *const pat_health[6];
extern const char *const pat_edu[6];
extern const char *const pat_corp[5];
extern const char *const positions[24];
extern const char *const products[20];
extern const char *const product_lines[14];
extern const char *const subj_call[5];
extern const char *const subj_email[5];
extern const char *const subj_meeting[4];
extern const char *const subj_visit[3];
extern const char *const subj_sample[2];
extern const char *const subj_tasting[2];
extern const char *const subj_follow[3];
extern const char *const subj_other[3];
extern const char *const next_actions[10];
extern const char *const sentences[30];
extern const char *const terms_sentences[10];
extern const struct city cities[50];
extern const char hexdig_lo[17];
extern const char base36[37];
extern const char *const unmatched_values[8];
extern const char *const far_dates[3];
extern const char *const escapes_pre[4];
extern const char *const escapes_post[4];
extern const struct field_map field_map[73];
extern const struct unique_key unique_keys[6];
extern const struct enum_weight enum_weights[52];
extern const struct dirt_info dirt_info[D_COUNT];
extern const struct synonym synonyms[25];
extern const struct huge_target huge_targets[2];
extern const char *const gen_huge_sentence;

/* ------------------------------------------------------------------------
 * Generator state.
 * ------------------------------------------------------------------------ */

enum cell_type { CELL_NULL, CELL_TEXT, CELL_INT, CELL_REAL };

struct cell {
    enum cell_type type;
    const char *s;       /* CELL_TEXT: not NUL-terminated when it holds a NUL */
    size_t len;
    int64_t i;
    double d;
    bool odd_ref;        /* references a parent whose id is not a UUID */
};

struct enum_info {
    const char *type;
    const char *const *labels;
    size_t n;
    unsigned weights[16];
    unsigned total;
    const struct synonym *syn[8];
    size_t nsyn;
};

struct col_plan {
    const struct legacy_column *col;
    enum field f;
    unsigned flags;
    struct enum_info *en;   /* COL_ENUM */
    int ref;                /* COL_FK_*: the parent table (enum tab) */
    unsigned nkinds;
    enum dirt kinds[6];     /* the dirt this column may get */
    bool huge;              /* a huge_targets column */
};

struct tstate {
    const struct legacy_table *t;
    enum tab tab;
    long rows;
    struct col_plan plan[MAXCOLS];
    long huge_rows[64];
    int nhuge, huge_next;
    sqlite3_stmt *ins;
};

/* The parents and choices of the current row, made before its columns are
 * filled so that the columns agree with each other. */
struct ent {
    long org, contact, user, opp;
    int first, last, city, seg;
    int e_main;                     /* index of the row's main enum label */
    const char *e_main_type, *e_main_label;
    int64_t created, updated;
    /* Per table (see prep()): t1 the row's main date (expires, interaction
     * date, expected close, contract start), t2 a second one (reset token
     * expiry, contract end), t3 a third or a flag (contract signed; the
     * organization has no address; the account is Google's). */
    int64_t t1, t2, t3;
    bool active;
    char name[256];                 /* org / company / opportunity name */
    char email[256];
    char domain[96];
};

struct gen {
    const struct gen_opts *o;
    uint64_t seed;
    long scale;
    long n[T_COUNT];
    int64_t now;                    /* seconds since 1970 */
    struct rng r;                   /* the row's values */
    struct rng dr;                  /* the row's dirt */
    struct ent e;
    struct cell cells[MAXCOLS];
    bool dirty[MAXCOLS];
    struct strbuf cb[MAXCOLS];      /* the row's text values */
    struct strbuf db[MAXCOLS];      /* the same after dirt */
    struct strbuf last_email;       /* the last clean Contact email */
    char *huge;                     /* the huge text, made once */
    size_t huge_len;
    struct enum_info enums[16];
    size_t nenums;
    long dirt[T_COUNT][MAXCOLS][D_COUNT];
    long totals[D_COUNT];
    long row;                       /* the row being made */
    sqlite3 *sql;
    char **err;
    struct enum_info *seg_enum;
    const char *const *seg_pats[16];
    size_t seg_npats[16];
};

/* gen.c */
int gen_fail(struct gen *g, const char *fmt, ...) PANTRY_PRINTF(2, 3);

/* gen_format.c */
int64_t gen_days_from_civil(int64_t y, unsigned m, unsigned d);
void gen_fmt_datetime2(char *out, int64_t secs, uint32_t frac7);
void gen_fmt_uuid(char *out, uint64_t hi, uint64_t lo, bool upper);
void gen_fmt_cuid(char *out, int64_t ms, uint64_t h1, uint64_t h2);
size_t gen_fmt_cents(char *out, int64_t cents);

/* gen_schema.c */
long gen_rows_of(enum tab t, long s);
int gen_tab_of(const char *name);

/* gen_entity.c */
void gen_enum_norm(const char *s, size_t len, char *out, size_t cap);
int gen_label_index(const struct enum_info *e, const char *label);
struct enum_info *gen_enum_info(struct gen *g, const char *type);
int gen_pick_enum(struct rng *r, const struct enum_info *e);
void gen_enum_variant(struct rng *r, const char *label, struct strbuf *out);
int64_t gen_cuid_ms(const struct gen *g, uint64_t h);
size_t gen_row_id(const struct gen *g, enum tab t, long idx, char *out, bool *odd);
size_t gen_slugify(char *out, size_t n, size_t cap, const char *s, size_t max);
size_t gen_expand(struct rng *r, const char *pat, const char *city, char *out, size_t cap);
void gen_user_names(long u, int *first, int *last, long *suffix);
int64_t gen_past(struct gen *g, int64_t span);
int64_t gen_after(struct gen *g, int64_t t);
long gen_pick_row(struct gen *g, enum tab t);
void gen_prep(struct gen *g, enum tab t, long i);
void gen_prep_main_enum(struct gen *g, struct tstate *ts, long i);

/* gen_values.c */
void gen_cell_text(struct cell *cl, const char *s, size_t len);
void gen_cell_sb(struct cell *cl, struct strbuf *sb);
void gen_cell_static(struct cell *cl, const char *s);
void gen_fill_cell(struct gen *g, struct tstate *ts, int c);

/* gen_dirt.c */
void gen_tally(struct gen *g, const struct tstate *ts, int c, enum dirt k);
void gen_dirty_row(struct gen *g, struct tstate *ts, long i);

/* gen_plan.c */
int gen_plan_table(struct gen *g, struct tstate *ts, const struct legacy_table *t);
int gen_check_contract(struct gen *g);

/* gen_write.c */
int gen_exec_sql(struct gen *g, const char *sql);
void gen_ddl_table(struct strbuf *sb, const struct legacy_table *t);
int gen_table(struct gen *g, struct tstate *ts);
int gen_prisma_migrations(struct gen *g);
int gen_create_unique_keys(struct gen *g);
json_t *gen_dirt_json(struct gen *g, int migrations);
void gen_report_dirt(struct gen *g, const struct progress *log);

#endif
