/* gen_dirt.c - the messy-data injection (--messy): which dirt a cell gets
 * at the documented rates, applied to the clean value, and counted.
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
 * Dirt.
 * ------------------------------------------------------------------------ */

void gen_tally(struct gen *g, const struct tstate *ts, int c, enum dirt k)
{
    g->dirt[ts->tab][c][k]++;
    g->totals[k]++;
}

/* Back off to the start of a UTF-8 character, so that an insertion leaves
 * the rest of the value valid. */
static size_t char_start(const char *s, size_t len, size_t pos)
{
    while (pos > 0 && pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
        pos--;
    return pos;
}

static void insert_at(struct strbuf *d, const struct cell *cl, size_t pos, const char *ins,
                      size_t n)
{
    sb_addn(d, cl->s, pos);
    sb_addn(d, ins, n);
    sb_addn(d, cl->s + pos, cl->len - pos);
}

static void bad_email(struct rng *r, const char *s, size_t len, struct strbuf *d)
{
    const char *at = memchr(s, '@', len);
    if (!at) { /* not an email to begin with: make it 'bob@' */
        sb_addn(d, s, len);
        sb_addc(d, '@');
        return;
    }
    size_t local = at ? (size_t)(at - s) : len;
    const char *dom = at + 1;
    size_t dlen = len - local - 1;
    switch (rng_below(r, 5)) {
    case 0: /* bob@ */
        sb_addn(d, s, local);
        sb_addc(d, '@');
        break;
    case 1: /* no-at-sign.com */
        sb_addn(d, s, local);
        sb_addc(d, '.');
        sb_addn(d, dom, dlen);
        break;
    case 2: { /* a b@c.com */
        const char *dot = memchr(s, '.', local);
        if (dot) {
            sb_addn(d, s, (size_t)(dot - s));
            sb_addc(d, ' ');
            sb_addn(d, dot + 1, len - (size_t)(dot - s) - 1);
        } else {
            sb_addn(d, s, local);
            sb_adds(d, " @");
            sb_addn(d, dom, dlen);
        }
        break;
    }
    case 3: /* two at signs */
        sb_addn(d, s, local);
        sb_adds(d, "@@");
        sb_addn(d, dom, dlen);
        break;
    default: { /* no dot in the domain */
        const char *dot = memchr(dom, '.', dlen);
        sb_addn(d, s, local + 1);
        sb_addn(d, dom, dot ? (size_t)(dot - dom) : dlen);
        if (!dot)
            sb_adds(d, "@"); /* keep it malformed: two at signs */
        break;
    }
    }
}

/* Applies one kind of dirt to cell c; false when it does not apply here. */
static bool apply_dirt(struct gen *g, struct tstate *ts, int c, enum dirt k)
{
    const struct col_plan *p = &ts->plan[c];
    struct cell *cl = &g->cells[c];
    struct strbuf *d = &g->db[c];
    struct rng *r = &g->dr;
    sb_reset(d);
    switch (k) {
    case D_ENUM_VARIANT:
        gen_enum_variant(r, cl->s, d);
        gen_cell_sb(cl, d);
        return true;
    case D_ENUM_SYNONYM:
        if (!p->en->nsyn)
            return false;
        gen_cell_static(cl, p->en->syn[rng_below(r, (uint32_t)p->en->nsyn)]->value);
        return true;
    case D_ENUM_UNMATCHED:
        gen_cell_static(cl, PICK(r, unmatched_values));
        return true;
    case D_ENUM_EMPTY:
        gen_cell_static(cl, "");
        return true;
    case D_ENUM_NULL:
        cl->type = CELL_NULL;
        return true;
    case D_ORPHAN: {
        char id[48];
        uint64_t h1 = rng_next(r), h2 = rng_next(r);
        if (p->col->kind == COL_FK_UUID)
            gen_fmt_uuid(id, h1, h2, rng_pct(r, 40));
        else
            gen_fmt_cuid(id, gen_cuid_ms(g, h1), h1, h2);
        sb_adds(d, id);
        gen_cell_sb(cl, d);
        cl->odd_ref = false;
        return true;
    }
    case D_BAD_EMAIL:
        bad_email(r, cl->s, cl->len, d);
        gen_cell_sb(cl, d);
        return true;
    case D_EMAIL_CASE_DUP: {
        /* The same person typed in again: an earlier contact's email with
         * capitals. SQL Server's case-insensitive collation sees one. */
        if (!g->last_email.len)
            return false;
        bool all = rng_pct(r, 30), cap = true;
        for (size_t i = 0; i < g->last_email.len; i++) {
            char ch = g->last_email.buf[i];
            if (ch >= 'a' && ch <= 'z' && (all || cap))
                ch = (char)(ch - 'a' + 'A');
            cap = ch == '.' || ch == '@';
            sb_addc(d, ch);
        }
        gen_cell_sb(cl, d);
        return true;
    }
    case D_EMAIL_REPAIRABLE:
        /* Pasted from a web page or a link: migrate repairs these. Lower
         * case only, so that email_case_dup stays the only capitals. */
        if (!memchr(cl->s, '@', cl->len))
            return false;
        switch (rng_below(r, 4)) {
        case 0: sb_addc(d, ' '); sb_addn(d, cl->s, cl->len); sb_addc(d, ' '); break;
        case 1: sb_addn(d, cl->s, cl->len); sb_adds(d, "\xC2\xA0"); break;
        case 2: sb_adds(d, "mailto:"); sb_addn(d, cl->s, cl->len); break;
        default: sb_adds(d, " mailto:"); sb_addn(d, cl->s, cl->len); break;
        }
        gen_cell_sb(cl, d);
        return true;
    case D_NUL:
        insert_at(d, cl, char_start(cl->s, cl->len, cl->len / 2), "", 1);
        gen_cell_sb(cl, d);
        return true;
    case D_SURROGATE: {
        /* Half of them a truncated emoji (high surrogate D83D at the end),
         * the rest any surrogate anywhere. */
        bool tail = rng_pct(r, 50);
        unsigned cu = tail ? 0xD83D : 0xD800 + rng_below(r, 0x800);
        size_t pos = tail ? cl->len : char_start(cl->s, cl->len, rng_below(r, (uint32_t)cl->len + 1));
        char buf[8];
        size_t n;
        if (g->o->escape_surrogates) {
            n = (size_t)snprintf(buf, sizeof buf, "\\u%04X", cu);
        } else {
            buf[0] = (char)0xED;
            buf[1] = (char)(0x80 | ((cu >> 6) & 0x3F));
            buf[2] = (char)(0x80 | (cu & 0x3F));
            n = 3;
        }
        insert_at(d, cl, pos, buf, n);
        gen_cell_sb(cl, d);
        return true;
    }
    case D_ESCAPE: {
        unsigned v = rng_below(r, (uint32_t)N_(escapes_pre));
        sb_adds(d, escapes_pre[v]);
        sb_addn(d, cl->s, cl->len);
        sb_adds(d, escapes_post[v]);
        gen_cell_sb(cl, d);
        return true;
    }
    case D_FAR_DATE:
        gen_cell_static(cl, PICK(r, far_dates));
        return true;
    case D_ROUNDING:
        if (cl->len != DT_LEN)
            return false;
        sb_addn(d, cl->s, cl->len);
        for (int i = 23; i < 26; i++)
            d->buf[i] = (char)('0' + rng_below(r, 10));
        d->buf[26] = (char)('1' + rng_below(r, 9));
        gen_cell_sb(cl, d);
        return true;
    case D_DECIMAL_SCALE:
        sb_addn(d, cl->s, cl->len);
        sb_addc(d, (char)('1' + rng_below(r, 9)));
        gen_cell_sb(cl, d);
        return true;
    default:
        return false;
    }
}

static void make_huge(struct gen *g)
{
    if (g->huge)
        return;
    struct strbuf sb;
    sb_init(&sb);
    sb_adds(&sb, "[imported from the AS/400 order system]\n");
    size_t n = strlen(gen_huge_sentence);
    while (sb.len < HUGE_BYTES)
        sb_addn(&sb, gen_huge_sentence, n);
    g->huge_len = sb.len;
    g->huge = sb_detach(&sb);
}

void gen_dirty_row(struct gen *g, struct tstate *ts, long i)
{
    rng_seed(&g->dr, hash3(g->seed, SALT(ts->tab, P_DIRT), (uint64_t)i));
    for (size_t c = 0; c < ts->t->ncols; c++) {
        const struct col_plan *p = &ts->plan[c];
        struct cell *cl = &g->cells[c];
        if (p->huge && ts->huge_next < ts->nhuge && ts->huge_rows[ts->huge_next] == i) {
            make_huge(g);
            gen_cell_text(cl, g->huge, g->huge_len);
            gen_tally(g, ts, (int)c, D_HUGE_TEXT);
            g->dirty[c] = true;
            ts->huge_next++;
            continue;
        }
        if (p->nkinds == 0 || cl->type == CELL_NULL)
            continue;
        unsigned roll = rng_below(&g->dr, 10000), acc = 0;
        for (unsigned k = 0; k < p->nkinds; k++) {
            acc += dirt_info[p->kinds[k]].bp;
            if (roll < acc) {
                if (apply_dirt(g, ts, (int)c, p->kinds[k])) {
                    gen_tally(g, ts, (int)c, p->kinds[k]);
                    g->dirty[c] = true;
                }
                break;
            }
        }
    }
}

