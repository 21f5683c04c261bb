/* edit_fields.c - the fields the console edits and what each accepts:
 * validation with a message a person can act on, and normalisation to the
 * text the database stores (see edit.h; the decisions on timestamps and
 * money are at the top of edit.c).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "edit.h"
#include "legacy.h"
#include "transform.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------ */

static const struct edit_field org_fields[] = {
    {"name", "Name", EDIT_TEXT, true, NULL},
    {"priority", "Priority", EDIT_ENUM, true, "OrganizationPriority"},
    {"segment", "Segment", EDIT_ENUM, true, "OrganizationSegment"},
    {"type", "Type", EDIT_ENUM, true, "OrganizationType"},
    {"status", "Status", EDIT_ENUM, true, "OrganizationStatus"},
    {"address", "Address", EDIT_TEXT, false, NULL},
    {"city", "City", EDIT_TEXT, false, NULL},
    {"state", "State", EDIT_TEXT, false, NULL},
    {"zipCode", "ZIP code", EDIT_TEXT, false, NULL},
    {"phone", "Phone", EDIT_TEXT, false, NULL},
    {"email", "Email", EDIT_EMAIL, false, NULL},
    {"website", "Website", EDIT_URL, false, NULL},
    {"notes", "Notes", EDIT_TEXT, false, NULL},
    {"estimatedRevenue", "Estimated revenue", EDIT_MONEY, false, NULL},
    {"employeeCount", "Employees", EDIT_INT, false, NULL},
    {"primaryContact", "Primary contact", EDIT_TEXT, false, NULL},
    {"lastContactDate", "Last contact", EDIT_TIMESTAMP, false, NULL},
    {"nextFollowUpDate", "Next follow-up", EDIT_TIMESTAMP, false, NULL},
};

static const struct edit_field interaction_fields[] = {
    {"type", "Type", EDIT_ENUM, true, "InteractionType"},
    {"subject", "Subject", EDIT_TEXT, true, NULL},
    {"date", "Date", EDIT_TIMESTAMP, true, NULL},
    {"duration", "Duration (minutes)", EDIT_INT, false, NULL},
    {"outcome", "Outcome", EDIT_ENUM, false, "InteractionOutcome"},
    {"description", "Description", EDIT_TEXT, false, NULL},
    {"nextAction", "Next action", EDIT_TEXT, false, NULL},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct edit_field *edit_org_fields(size_t *n)
{
    *n = NELEM(org_fields);
    return org_fields;
}

const struct edit_field *edit_interaction_fields(size_t *n)
{
    *n = NELEM(interaction_fields);
    return interaction_fields;
}

/* The one double precision money column (see the top of edit.c). */
bool edit_money_is_float(const struct edit_field *f)
{
    return str_eq(f->column, "estimatedRevenue");
}

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The value without blanks at either end, as [*start, *start + *len). */
static void trim(const char *v, const char **start, size_t *len)
{
    size_t b = 0, e = v ? strlen(v) : 0;
    while (b < e && is_blank((unsigned char)v[b]))
        b++;
    while (e > b && is_blank((unsigned char)v[e - 1]))
        e--;
    *start = v ? v + b : "";
    *len = e - b;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

enum ts_status { TS_OK, TS_SHAPE, TS_CALENDAR, TS_RANGE };

/* YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,6}]]]; on TS_OK appends the canonical form
 * to out (if not NULL): the date alone, or "YYYY-MM-DD HH:MM:SS[.f]". */
static enum ts_status ts_parse(const char *s, size_t n, struct strbuf *out)
{
    static const char shape[] = "dddd-dd-dd";
    if (n < 10)
        return TS_SHAPE;
    for (size_t i = 0; i < 10; i++)
        if (shape[i] == 'd' ? !is_digit((unsigned char)s[i]) : s[i] != shape[i])
            return TS_SHAPE;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int hh = 0, mi = 0, ss = 0;
    size_t frac = 0, fraclen = 0;
    if (n > 10) {
        if ((s[10] != ' ' && s[10] != 'T') || n < 16)
            return TS_SHAPE;
        const char *t = s + 11;
        size_t tn = n - 11;
        if (tn < 5 || !is_digit((unsigned char)t[0]) || !is_digit((unsigned char)t[1]) ||
            t[2] != ':' || !is_digit((unsigned char)t[3]) || !is_digit((unsigned char)t[4]))
            return TS_SHAPE;
        hh = digits(t, 2);
        mi = digits(t + 3, 2);
        if (tn > 5) {
            if (tn < 8 || t[5] != ':' || !is_digit((unsigned char)t[6]) ||
                !is_digit((unsigned char)t[7]))
                return TS_SHAPE;
            ss = digits(t + 6, 2);
            if (tn > 8) {
                if (t[8] != '.' || tn == 9 || tn > 15)
                    return TS_SHAPE;
                for (size_t i = 9; i < tn; i++)
                    if (!is_digit((unsigned char)t[i]))
                        return TS_SHAPE;
                frac = 11 + 9;
                fraclen = tn - 9;
            }
        }
    }
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || hh > 23 ||
        mi > 59 || ss > 59)
        return TS_CALENDAR;
    if (y < DT_DEFAULT_MIN_YEAR || y > DT_DEFAULT_MAX_YEAR)
        return TS_RANGE;
    if (out) {
        if (n == 10)
            sb_addf(out, "%04d-%02d-%02d", y, mo, d);
        else
            sb_addf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, hh, mi, ss);
        if (fraclen) {
            sb_addc(out, '.');
            sb_addn(out, s + frac, fraclen);
        }
    }
    return TS_OK;
}

/* http(s)://host[:port][/…] or host.tld[:port][/…]: a shape check that
 * catches typing accidents ("ht!tp://", "bob@x.com", "n/a"), not RFC 3986. */
static bool url_plausible(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
            return false;
    const char *rest = s;
    size_t rn = n;
    bool schemed = false;
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            if (!((i == 4 && strncasecmp(s, "http", 4) == 0) ||
                  (i == 5 && strncasecmp(s, "https", 5) == 0)))
                return false;
            rest = s + i + 3;
            rn = n - i - 3;
            schemed = true;
            break;
        }
    }
    size_t an = 0;   /* the authority: up to the path, query or fragment */
    while (an < rn && rest[an] != '/' && rest[an] != '?' && rest[an] != '#')
        an++;
    size_t hn = an;
    for (size_t i = an; i-- > 0;) {
        if (rest[i] == ':') {
            size_t pn = an - i - 1;
            if (pn == 0 || pn > 5)
                return false;
            for (size_t k = i + 1; k < an; k++)
                if (!is_digit((unsigned char)rest[k]))
                    return false;
            hn = i;
            break;
        }
    }
    if (hn == 0)
        return false;
    size_t labels = 0, lstart = 0;
    bool tld_alpha = false;
    for (size_t i = 0; i <= hn; i++) {
        if (i == hn || rest[i] == '.') {
            size_t ln = i - lstart;
            if (ln == 0 || rest[lstart] == '-' || rest[i - 1] == '-')
                return false;
            labels++;
            tld_alpha = false;
            for (size_t k = lstart; k < i; k++)
                if (!is_digit((unsigned char)rest[k]) && rest[k] != '-')
                    tld_alpha = true;
            lstart = i + 1;
            continue;
        }
        unsigned char c = (unsigned char)rest[i];
        if (!(c >= 0x80 || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-'))
            return false;
    }
    /* Without a scheme only a dotted name with a real TLD passes, so that
     * "1.5" or "tbd" is not taken for a website. */
    return schemed || (labels >= 2 && tld_alpha);
}

static char *enum_list(const char *enum_type)
{
    size_t n = 0;
    const char *const *labels = legacy_enum_labels(enum_type, &n);
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; labels && i < n; i++) {
        if (i)
            sb_adds(&sb, ", ");
        sb_adds(&sb, labels[i]);
    }
    return sb_detach(&sb);
}

char *edit_validate(const struct edit_field *f, const char *value)
{
    const char *t;
    size_t n;
    trim(value, &t, &n);
    if (n == 0)
        return f->required ? xasprintf("%s is required", f->label) : NULL;
    const char *v = value;
    struct strbuf scratch;
    sb_init(&scratch);
    char *msg = NULL;
    switch (f->kind) {
    case EDIT_TEXT:
        if (text_repair(t, n, &scratch) & TEXT_LOSSY)
            msg = xasprintf("%s: '%s' is not valid UTF-8 text", f->label, v);
        break;
    case EDIT_ENUM: {
        const char *label = NULL;
        enum enum_match m = enum_normalise(NULL, f->enum_type, t, n, &label);
        if (m != ENUM_EXACT && m != ENUM_NORMALISED) {
            char *list = enum_list(f->enum_type);
            msg = xasprintf("%s: '%s' is not one of %s", f->label, v, list);
            free(list);
        }
        break;
    }
    case EDIT_EMAIL:
        /* What the migration repairs (a mailto: prefix, blanks pasted
         * around it, the domain's case) is accepted and repaired the same
         * way by edit_normalise; what it would flag is refused. */
        if (email_repair(t, n, &scratch) & (EMAIL_EMPTY | EMAIL_MALFORMED))
            msg = xasprintf("%s: '%s' is not an address", f->label, v);
        break;
    case EDIT_URL:
        if (!url_plausible(t, n))
            msg = xasprintf("%s: '%s' is not a web address", f->label, v);
        break;
    case EDIT_INT:
        if (t[0] == '-')
            msg = xasprintf("%s: '%s' is negative", f->label, v);
        else {
            enum num_status st = int_parse(t, n, &scratch);
            if (st == NUM_OVERFLOW)
                msg = xasprintf("%s: '%s' is too large", f->label, v);
            else if (st != NUM_OK)
                msg = xasprintf("%s: '%s' is not a whole number", f->label, v);
        }
        break;
    case EDIT_MONEY:
        if (t[0] == '-')
            msg = xasprintf("%s: '%s' is negative", f->label, v);
        else {
            enum num_status st = edit_money_is_float(f) ? float_parse(t, n, &scratch)
                                                   : decimal_parse(t, n, 14, 2, &scratch);
            if (st == NUM_OVERFLOW)
                msg = xasprintf("%s: '%s' is out of range", f->label, v);
            else if (st == NUM_PRECISION_LOSS)
                msg = xasprintf("%s: '%s' has more than 2 decimals", f->label, v);
            else if (st != NUM_OK)
                msg = xasprintf("%s: '%s' is not an amount", f->label, v);
        }
        break;
    case EDIT_TIMESTAMP:
        switch (ts_parse(t, n, NULL)) {
        case TS_OK:
            break;
        case TS_SHAPE:
            msg = xasprintf("%s: '%s' is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM)",
                            f->label, v);
            break;
        case TS_CALENDAR:
            msg = xasprintf("%s: '%s' is not a calendar date and time", f->label, v);
            break;
        case TS_RANGE:
            msg = xasprintf("%s: '%s' is not between %d and %d", f->label, v,
                            DT_DEFAULT_MIN_YEAR, DT_DEFAULT_MAX_YEAR);
            break;
        }
        break;
    }
    sb_free(&scratch);
    return msg;
}

char *edit_normalise(const struct edit_field *f, const char *value)
{
    const char *t;
    size_t n;
    trim(value, &t, &n);
    if (n == 0)
        return NULL;
    struct strbuf sb;
    sb_init(&sb);
    bool done = false;
    switch (f->kind) {
    case EDIT_ENUM: {
        const char *label = NULL;
        enum enum_match m = enum_normalise(NULL, f->enum_type, t, n, &label);
        if ((m == ENUM_EXACT || m == ENUM_NORMALISED) && label) {
            sb_adds(&sb, label);
            done = true;
        }
        break;
    }
    case EDIT_INT:
        done = t[0] != '-' && int_parse(t, n, &sb) == NUM_OK;
        break;
    case EDIT_MONEY:
        /* A double keeps the digits as typed: float8in rounds them best. */
        if (!edit_money_is_float(f))
            done = t[0] != '-' && decimal_parse(t, n, 14, 2, &sb) == NUM_OK;
        break;
    case EDIT_TIMESTAMP:
        done = ts_parse(t, n, &sb) == TS_OK;
        break;
    case EDIT_EMAIL:
        done = !(email_repair(t, n, &sb) & (EMAIL_EMPTY | EMAIL_MALFORMED));
        break;
    case EDIT_TEXT:
    case EDIT_URL:
        break;
    }
    if (!done) {
        sb_reset(&sb);
        sb_addn(&sb, t, n);
    }
    return sb_detach(&sb);
}

