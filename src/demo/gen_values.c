/* gen_values.c - the value of each column of a row: the cell writers, and
 * fill_cell with one function per family of fields.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Column values.
 * ------------------------------------------------------------------------ */

void gen_cell_text(struct cell *cl, const char *s, size_t len)
{
    cl->type = CELL_TEXT;
    cl->s = s;
    cl->len = len;
}

void gen_cell_sb(struct cell *cl, struct strbuf *sb)
{
    gen_cell_text(cl, sb->buf ? sb->buf : "", sb->len);
}

void gen_cell_static(struct cell *cl, const char *s)
{
    gen_cell_text(cl, s, strlen(s));
}

static void cell_int(struct cell *cl, int64_t v)
{
    cl->type = CELL_INT;
    cl->i = v;
}

static void put_dt(struct gen *g, struct cell *cl, struct strbuf *sb, int64_t secs)
{
    char buf[40];
    /* Prisma writes JavaScript Dates: millisecond precision, so the last
     * four of the seven digits are zero in clean data. */
    gen_fmt_datetime2(buf, secs, rng_below(&g->r, 1000) * 10000);
    sb_addn(sb, buf, DT_LEN);
    gen_cell_sb(cl, sb);
}

static void put_hex(struct gen *g, struct strbuf *sb, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_addc(sb, hexdig_lo[rng_below(&g->r, 16)]);
}

/* Something shaped like a JWT: three base64url parts. */
static void put_jwt(struct gen *g, struct strbuf *sb, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    sb_adds(sb, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ");
    for (size_t i = 0; i < len; i++) {
        if (i == len * 2 / 3)
            sb_addc(sb, '.');
        sb_addc(sb, b64[rng_below(&g->r, 64)]);
    }
}

static void put_sentences(struct gen *g, struct strbuf *sb, const char *const *list, size_t n,
                          long count)
{
    for (long k = 0; k < count; k++) {
        if (k > 0)
            sb_adds(sb, k % 7 == 0 ? "\n\n" : " ");
        sb_adds(sb, list[rng_below(&g->r, (uint32_t)n)]);
    }
}

/* Notes: NULL, a line, a paragraph, or (rarely) a few KB. */
static void put_notes(struct gen *g, struct cell *cl, struct strbuf *sb, unsigned null_pct,
                      unsigned long_pct)
{
    struct rng *r = &g->r;
    if (rng_pct(r, null_pct))
        return;
    long count = rng_pct(r, long_pct) ? rng_range(r, 15, 60)
                 : rng_pct(r, 25)     ? rng_range(r, 3, 8)
                                      : rng_range(r, 1, 2);
    put_sentences(g, sb, sentences, N_(sentences), count);
    gen_cell_sb(cl, sb);
}

static void put_phone(struct gen *g, struct cell *cl, struct strbuf *sb, int city)
{
    struct rng *r = &g->r;
    const char *area = cities[city >= 0 ? city : (int)rng_below(r, (uint32_t)N_(cities))].area;
    unsigned line = 100 + rng_below(r, 100); /* 555-0100..0199: reserved for fiction */
    switch (rng_below(r, 10)) {
    case 0: sb_addf(sb, "%s-555-%04u", area, line); break;
    case 1: sb_addf(sb, "+1 %s 555 %04u", area, line); break;
    case 2: sb_addf(sb, "(%s) 555-%04u x%u", area, line, 10 + rng_below(r, 90)); break;
    default: sb_addf(sb, "(%s) 555-%04u", area, line); break;
    }
    gen_cell_sb(cl, sb);
}

static void put_ref(struct gen *g, struct cell *cl, struct strbuf *sb, const struct col_plan *p,
                    long idx)
{
    if (idx < 0 && !p->col->nullable)
        idx = gen_pick_row(g, (enum tab)p->ref);
    if (idx < 0)
        return;
    char id[48];
    bool odd;
    size_t n = gen_row_id(g, (enum tab)p->ref, idx, id, &odd);
    sb_addn(sb, id, n);
    gen_cell_sb(cl, sb);
    cl->odd_ref = odd;
}

static void put_cents(struct cell *cl, struct strbuf *sb, int64_t cents)
{
    char buf[32];
    sb_addn(sb, buf, gen_fmt_cents(buf, cents));
    gen_cell_sb(cl, sb);
}

/* An amount in cents from lo_cents up to lo_cents * 10^decades, each decade
 * as likely as the next: deal sizes span orders of magnitude. */
static int64_t log_cents(struct gen *g, int64_t lo_cents, int decades)
{
    int64_t v = lo_cents;
    int d = (int)rng_below(&g->r, (uint32_t)decades);
    for (int k = 0; k < d; k++)
        v *= 10;
    return v + (int64_t)rng_below(&g->r, (uint32_t)(v * 9 > 4000000000 ? 4000000000 : v * 9));
}

static void put_generic(struct gen *g, const struct col_plan *p, struct cell *cl,
                        struct strbuf *sb)
{
    struct rng *r = &g->r;
    const struct legacy_column *c = p->col;
    if (c->nullable && rng_pct(r, 20))
        return;
    switch (c->kind) {
    case COL_ENUM:
        gen_cell_static(cl, p->en->labels[gen_pick_enum(r, p->en)]);
        break;
    case COL_DATETIME:
        put_dt(g, cl, sb, gen_after(g, g->e.created));
        break;
    case COL_BIT:
        cell_int(cl, rng_pct(r, 50));
        break;
    case COL_INT:
        cell_int(cl, rng_range(r, 0, 1000));
        break;
    case COL_FLOAT:
        cl->type = CELL_REAL;
        cl->d = (double)rng_below(r, 100000000) / 100.0;
        break;
    case COL_DECIMAL:
        put_cents(cl, sb, log_cents(g, 100000, 3));
        break;
    case COL_FK_TEXT:
    case COL_FK_UUID:
        put_ref(g, cl, sb, p, -1);
        break;
    case COL_TEXT_MAX:
        put_notes(g, cl, sb, 0, 2);
        break;
    default:
        sb_adds(sb, PICK(r, nouns));
        gen_cell_sb(cl, sb);
        break;
    }
}

static const char *const *subjects_for(const char *type, size_t *n)
{
    static const struct {
        const char *type;
        const char *const *list;
        size_t n;
    } map[] = {
        {"CALL", subj_call, N_(subj_call)}, {"EMAIL", subj_email, N_(subj_email)},
        {"MEETING", subj_meeting, N_(subj_meeting)}, {"VISIT", subj_visit, N_(subj_visit)},
        {"SAMPLE_DELIVERY", subj_sample, N_(subj_sample)},
        {"TASTING", subj_tasting, N_(subj_tasting)}, {"FOLLOW_UP", subj_follow, N_(subj_follow)},
    };
    for (size_t i = 0; i < N_(map); i++)
        if (str_eq(map[i].type, type)) {
            *n = map[i].n;
            return map[i].list;
        }
    *n = N_(subj_other);
    return subj_other;
}


/* One cell of the row being made, and what its value depends on. Each
 * fill_* function below fills the fields of its family and returns false
 * for any other field. */
struct fill {
    struct gen *g;
    struct tstate *ts;
    int c;
    const struct col_plan *p;
    struct cell *cl;
    struct strbuf *sb;
    struct ent *e;
    struct rng *r;
    const char *main_label;
};

/* Fields every table has: the id, timestamps, references, notes, flags and
 * the row's main enum. */
static bool fill_common(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    switch (fc->p->f) {
    case F_ID: {
        char id[48];
        bool odd;
        size_t n = gen_row_id(fc->g, fc->ts->tab, fc->g->row, id, &odd);
        sb_addn(sb, id, n);
        gen_cell_sb(cl, sb);
        if (odd) {
            fc->g->dirt[fc->ts->tab][fc->c][D_NON_UUID_ID]++;
            fc->g->totals[D_NON_UUID_ID]++;
        }
        break;
    }
    case F_CREATED: put_dt(fc->g, cl, sb, e->created); break;
    case F_UPDATED: put_dt(fc->g, cl, sb, e->updated); break;
    case F_REF_ORG: put_ref(fc->g, cl, sb, fc->p, e->org); break;
    case F_REF_CONTACT: put_ref(fc->g, cl, sb, fc->p, e->contact); break;
    case F_REF_USER: put_ref(fc->g, cl, sb, fc->p, e->user); break;
    case F_REF_OPP: put_ref(fc->g, cl, sb, fc->p, e->opp); break;
    case F_NOTES:
        switch (fc->ts->tab) {
        case T_ORG: put_notes(fc->g, cl, sb, 35, 5); break;
        case T_CONTACT: put_notes(fc->g, cl, sb, 70, 1); break;
        case T_INTERACTION: put_notes(fc->g, cl, sb, 45, 1); break;
        case T_OPP: put_notes(fc->g, cl, sb, 50, 3); break;
        default: put_notes(fc->g, cl, sb, 60, 2); break;
        }
        break;
    case F_ACTIVE: cell_int(cl, e->active); break;
    case F_E_MAIN:
        if (e->e_main >= 0 && fc->p->en && str_eq(fc->p->en->type, e->e_main_type))
            gen_cell_static(cl, fc->p->en->labels[e->e_main]);
        else
            put_generic(fc->g, fc->p, cl, sb);
        break;
    case F_E_SEGMENT:
        if (fc->p->en == fc->g->seg_enum && e->seg >= 0)
            gen_cell_static(cl, fc->p->en->labels[e->seg]);
        else
            put_generic(fc->g, fc->p, cl, sb);
        break;
    default:
        return false;
    }
    return true;
}

/* A person: names, email, phone, position. */
static bool fill_person(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_FULL_NAME:
        if (fc->p->col->nullable && rng_pct(r, fc->ts->tab == T_USER ? 3 : 15))
            break;
        if (e->first < 0) {
            e->first = (int)rng_below(r, (uint32_t)N_(first_names));
            e->last = (int)rng_below(r, (uint32_t)N_(last_names));
        }
        sb_addf(sb, "%s %s", first_names[e->first], last_names[e->last]);
        gen_cell_sb(cl, sb);
        break;
    case F_FIRST_NAME: sb_adds(sb, first_names[e->first]); gen_cell_sb(cl, sb); break;
    case F_LAST_NAME: sb_adds(sb, last_names[e->last]); gen_cell_sb(cl, sb); break;
    case F_EMAIL:
        if (e->email[0]) {
            sb_adds(sb, e->email);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_PHONE:
        if (!(fc->p->col->nullable && rng_pct(r, 20)))
            put_phone(fc->g, cl, sb, e->city);
        break;
    case F_POSITION:
        if (!rng_pct(r, 10))
            gen_cell_static(cl, PICK(r, positions));
        break;
    case F_IS_PRIMARY: cell_int(cl, rng_pct(r, 30)); break;
    default:
        return false;
    }
    return true;
}

/* The User table's own columns (NextAuth). */
static bool fill_user(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_USER_VERIFIED:
        if (rng_pct(r, 70))
            put_dt(fc->g, cl, sb, e->created + (int64_t)rng_below(r, 7 * 86400));
        break;
    case F_USER_IMAGE:
        if (rng_pct(r, 30)) {
            sb_adds(sb, "https://avatars.kitchenpantry.example/u/");
            put_hex(fc->g, sb, 16);
            sb_adds(sb, ".png");
            gen_cell_sb(cl, sb);
        }
        break;
    case F_USER_PASSWORD:
        if (rng_pct(r, 85)) {
            static const char bc[] =
                "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            sb_adds(sb, "$2b$10$");
            for (int k = 0; k < 53; k++)
                sb_addc(sb, bc[rng_below(r, 64)]);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_USER_ROLE: {
        unsigned x = rng_below(r, 100);
        gen_cell_static(cl, x < 5 ? "admin" : x < 20 ? "manager" : "user");
        break;
    }
    case F_USER_LOGIN:
        if (rng_pct(r, 85))
            put_dt(fc->g, cl, sb, gen_past(fc->g, 90 * 86400));
        break;
    case F_USER_RESET:
        if (e->t2) {
            put_hex(fc->g, sb, 64);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_USER_RESET_EXPIRY:
        if (e->t2)
            put_dt(fc->g, cl, sb, e->t2);
        break;
    default:
        return false;
    }
    return true;
}

/* Accounts, sessions and verification tokens (NextAuth); tokens that are
 * UNIQUE come from the row's own hash. */
static bool fill_auth(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_EXPIRES: put_dt(fc->g, cl, sb, e->t1); break;
    case F_ACC_TYPE: gen_cell_static(cl, "oauth"); break;
    case F_ACC_PROVIDER: gen_cell_static(cl, e->t3 ? "google" : "azure-ad"); break;
    case F_ACC_PID: {
        /* From the row's own hash: (provider, providerAccountId) is UNIQUE. */
        uint64_t h1 = hash3(fc->g->seed, SALT(T_ACCOUNT, P_NAME), (uint64_t)fc->g->row);
        uint64_t h2 = hash3(h1, SALT(T_ACCOUNT, P_NAME), (uint64_t)fc->g->row);
        char buf[48];
        if (e->t3) {
            snprintf(buf, sizeof buf, "1%010" PRIu64 "%010" PRIu64, h1 % UINT64_C(10000000000),
                     h2 % UINT64_C(10000000000));
        } else {
            gen_fmt_uuid(buf, h1, h2, false);
        }
        sb_adds(sb, buf);
        gen_cell_sb(cl, sb);
        break;
    }
    case F_ACC_REFRESH:
        if (rng_pct(r, 80)) {
            put_jwt(fc->g, sb, 300 + rng_below(r, 200));
            gen_cell_sb(cl, sb);
        }
        break;
    case F_ACC_ACCESS:
        put_jwt(fc->g, sb, 900 + rng_below(r, 500));
        gen_cell_sb(cl, sb);
        break;
    case F_ACC_EXPIRES_AT:
        cell_int(cl, fc->g->now - 30 * 86400 + (int64_t)rng_below(r, 31 * 86400));
        break;
    case F_ACC_TOKEN_TYPE: gen_cell_static(cl, e->t3 ? "Bearer" : "bearer"); break;
    case F_ACC_SCOPE:
        gen_cell_static(cl, e->t3 ? "openid https://www.googleapis.com/auth/userinfo.email "
                                "https://www.googleapis.com/auth/userinfo.profile"
                              : "openid profile email offline_access User.Read");
        break;
    case F_ACC_ID_TOKEN:
        put_jwt(fc->g, sb, 600 + rng_below(r, 300));
        gen_cell_sb(cl, sb);
        break;
    case F_ACC_STATE:
        if (!e->t3) {
            char buf[40];
            gen_fmt_uuid(buf, rng_next(r), rng_next(r), false);
            sb_adds(sb, buf);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_SESSION_TOKEN:
    case F_VT_TOKEN: {
        /* From the row's own hash: the column is UNIQUE. */
        uint64_t h = hash3(fc->g->seed, SALT(fc->ts->tab, P_NAME), (uint64_t)fc->g->row);
        char buf[40];
        if (fc->p->f == F_SESSION_TOKEN) {
            gen_fmt_uuid(buf, h, hash3(h, 1, (uint64_t)fc->g->row), false);
            sb_adds(sb, buf);
        } else {
            for (int k = 0; k < 4; k++) {
                snprintf(buf, sizeof buf, "%016" PRIx64, h);
                sb_adds(sb, buf);
                h = hash3(h, 2, (uint64_t)fc->g->row);
            }
        }
        gen_cell_sb(cl, sb);
        break;
    }
    case F_VT_IDENTIFIER: sb_adds(sb, e->email); gen_cell_sb(cl, sb); break;
    default:
        return false;
    }
    return true;
}

/* An organization (or a lead's company, an opportunity's name): address,
 * web site, size and follow-ups. */
static bool fill_org(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_ORG_NAME:
    case F_COMPANY_NAME:
    case F_OPP_NAME:
        sb_adds(sb, e->name);
        gen_cell_sb(cl, sb);
        break;
    case F_ADDRESS:
        if (!e->t3) {
            sb_addf(sb, "%u %s %s", 1 + rng_below(r, 9899), PICK(r, streets),
                    PICK(r, street_kinds));
            if (rng_pct(r, 15))
                sb_addf(sb, ", Suite %u", 100 + 10 * rng_below(r, 80));
            gen_cell_sb(cl, sb);
        }
        break;
    case F_CITY:
        if (!e->t3)
            gen_cell_static(cl, cities[e->city].name);
        break;
    case F_STATE:
        if (!e->t3)
            gen_cell_static(cl, cities[e->city].state);
        break;
    case F_ZIP:
        if (!e->t3) {
            sb_addf(sb, "%s%02u", cities[e->city].zip3, rng_below(r, 100));
            gen_cell_sb(cl, sb);
        }
        break;
    case F_WEBSITE:
        if (!rng_pct(r, 20)) {
            sb_addf(sb, rng_pct(r, 80) ? "https://www.%s" : "http://%s/", e->domain);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_REVENUE:
        if (!rng_pct(r, 15)) {
            cl->type = CELL_REAL;
            cl->d = (double)log_cents(fc->g, 5000000, 3) / 100.0; /* $50k .. $50M */
        }
        break;
    case F_EMPLOYEES:
        if (!rng_pct(r, 20))
            cell_int(cl, rng_range(r, 5, 40) * (1 + (long)rng_below(r, 3) * 10));
        break;
    case F_PRIMARY_CONTACT:
        if (!rng_pct(r, 40)) {
            sb_addf(sb, "%s %s", PICK(r, first_names), PICK(r, last_names));
            gen_cell_sb(cl, sb);
        }
        break;
    case F_LAST_CONTACT:
        if (!rng_pct(r, 30))
            put_dt(fc->g, cl, sb, gen_after(fc->g, e->created));
        break;
    case F_NEXT_FOLLOW_UP:
        if (!rng_pct(r, 50))
            put_dt(fc->g, cl, sb, fc->g->now + (int64_t)rng_below(r, 60 * 86400));
        break;
    default:
        return false;
    }
    return true;
}

/* An interaction: subject by type, date, duration, next action. */
static bool fill_interaction(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_SUBJECT: {
        size_t n;
        const char *const *list = subjects_for(fc->main_label ? fc->main_label : "", &n);
        char buf[200];
        gen_expand(r, list[rng_below(r, (uint32_t)n)], "", buf, sizeof buf);
        sb_adds(sb, buf);
        gen_cell_sb(cl, sb);
        break;
    }
    case F_INT_DATE: put_dt(fc->g, cl, sb, e->t1); break;
    case F_DURATION:
        if (fc->main_label && (str_eq(fc->main_label, "EMAIL") || str_eq(fc->main_label, "OTHER")))
            break;
        if (fc->main_label &&
            (str_eq(fc->main_label, "MEETING") || str_eq(fc->main_label, "VISIT")))
            cell_int(cl, 15 * rng_range(r, 2, 10));
        else
            cell_int(cl, rng_range(r, 3, 45));
        break;
    case F_NEXT_ACTION:
        if (rng_pct(r, 50))
            gen_cell_static(cl, PICK(r, next_actions));
        break;
    default:
        return false;
    }
    return true;
}

/* Opportunities and leads: value, probability by stage, close date, score. */
static bool fill_deal(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_DEAL_VALUE:
        if (!fc->p->col->nullable)
            put_cents(cl, sb, log_cents(fc->g, 1000000, 3)); /* contracts: $10k .. $10M */
        else if (!rng_pct(r, 10))
            put_cents(cl, sb, log_cents(fc->g, 500000, 3)); /* deals: $5k .. $5M */
        break;
    case F_PROBABILITY:
        if (!rng_pct(r, 10) && fc->main_label) {
            static const struct {
                const char *stage;
                int p;
            } probs[] = {{"PROSPECTING", 10}, {"QUALIFICATION", 25}, {"PROPOSAL", 50},
                         {"NEGOTIATION", 75}, {"CLOSED_WON", 100}, {"CLOSED_LOST", 0}};
            for (size_t k = 0; k < N_(probs); k++)
                if (str_eq(probs[k].stage, fc->main_label))
                    cell_int(cl, probs[k].p);
        }
        break;
    case F_CLOSE_DATE:
        if (!rng_pct(r, 15))
            put_dt(fc->g, cl, sb, e->t1);
        break;
    case F_SCORE:
        if (!rng_pct(r, 15))
            cell_int(cl, rng_range(r, 0, 100));
        break;
    default:
        return false;
    }
    return true;
}

/* A contract: number, title, dates, terms, signature. */
static bool fill_contract(const struct fill *fc)
{
    struct cell *cl = fc->cl;
    struct strbuf *sb = fc->sb;
    struct ent *e = fc->e;
    struct rng *r = fc->r;
    switch (fc->p->f) {
    case F_CONTRACT_NUMBER: {
        char buf[40];
        gen_fmt_datetime2(buf, e->t1, 0);
        /* The row number makes it unique; the year is the start's. */
        sb_addf(sb, "KP-%.4s-%06ld", buf, fc->g->row + 1);
        gen_cell_sb(cl, sb);
        break;
    }
    case F_CONTRACT_TITLE:
        if (!rng_pct(r, 15)) {
            char buf[40];
            gen_fmt_datetime2(buf, e->t1, 0);
            sb_addf(sb, "%s Agreement %.4s", PICK(r, product_lines), buf);
            gen_cell_sb(cl, sb);
        }
        break;
    case F_START_DATE: put_dt(fc->g, cl, sb, e->t1); break;
    case F_END_DATE:
        if (!rng_pct(r, 10))
            put_dt(fc->g, cl, sb, e->t2);
        break;
    case F_TERMS:
        if (!rng_pct(r, 30)) {
            put_sentences(fc->g, sb, terms_sentences, N_(terms_sentences),
                          rng_pct(r, 20) ? rng_range(r, 8, 20) : rng_range(r, 2, 5));
            gen_cell_sb(cl, sb);
        }
        break;
    case F_SIGNED_AT:
        if (fc->main_label && !str_eq(fc->main_label, "DRAFT") &&
            !str_eq(fc->main_label, "PENDING"))
            put_dt(fc->g, cl, sb, e->t3);
        break;
    default:
        return false;
    }
    return true;
}

void gen_fill_cell(struct gen *g, struct tstate *ts, int c)
{
    struct fill x = {g, ts, c, &ts->plan[c], &g->cells[c], &g->cb[c], &g->e, &g->r,
                     g->e.e_main_label};
    sb_reset(x.sb);
    x.cl->type = CELL_NULL;
    x.cl->odd_ref = false;
    /* Exactly one family knows a field (so the draws happen as before);
     * F_GENERIC and columns no family knows get a value by their kind. */
    if (!(fill_common(&x) || fill_person(&x) || fill_user(&x) || fill_auth(&x) || fill_org(&x) ||
          fill_interaction(&x) || fill_deal(&x) || fill_contract(&x)))
        put_generic(g, x.p, x.cl, x.sb);
}
