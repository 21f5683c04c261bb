/* tests/edit-unit.c - the pure half of src/crm/edit.c: the field tables,
 * edit_validate's verdicts and messages, edit_normalise's canonical forms.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "edit.h"
#include "legacy.h"
#include "util.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const struct edit_field *org(const char *column)
{
    size_t n;
    const struct edit_field *f = edit_org_fields(&n);
    for (size_t i = 0; i < n; i++)
        if (str_eq(f[i].column, column))
            return &f[i];
    printf("Bail out! no organization field %s\n", column);
    exit(1);
}

static const struct edit_field *inter(const char *column)
{
    size_t n;
    const struct edit_field *f = edit_interaction_fields(&n);
    for (size_t i = 0; i < n; i++)
        if (str_eq(f[i].column, column))
            return &f[i];
    printf("Bail out! no interaction field %s\n", column);
    exit(1);
}

static void valid(const struct edit_field *f, const char *v)
{
    char *m = edit_validate(f, v);
    ok(m == NULL, "%s: '%s' accepted", f->column, v ? v : "(null)");
    if (m)
        printf("#   message: %s\n", m);
    free(m);
}

/* Rejected, and the message contains want (the label and the value). */
static void invalid(const struct edit_field *f, const char *v, const char *want)
{
    char *m = edit_validate(f, v);
    ok(m != NULL && strstr(m, want) != NULL, "%s: '%s' rejected: %s", f->column,
       v ? v : "(null)", want);
    if (m && !strstr(m, want))
        printf("#   message: %s\n", m);
    free(m);
}

static void norm(const struct edit_field *f, const char *v, const char *want)
{
    char *got = edit_normalise(f, v);
    char *desc = xasprintf("normalise %s '%s'", f->column, v ? v : "(null)");
    is_str(got, want, desc);
    free(desc);
    free(got);
}

static void test_tables(void)
{
    size_t n, ni;
    const struct edit_field *f = edit_org_fields(&n);
    const struct edit_field *fi = edit_interaction_fields(&ni);
    is_int(n, 18, "18 organization fields");
    is_int(ni, 7, "7 interaction fields");
    is_str(f[0].column, "name", "the form starts with the name");
    ok(f[0].required && f[0].kind == EDIT_TEXT, "name is required text");
    is_str(org("zipCode")->label, "ZIP code", "a human label for zipCode");
    is_str(org("nextFollowUpDate")->label, "Next follow-up", "a human label for nextFollowUpDate");
    int required = 0, enums_ok = 1;
    for (size_t i = 0; i < n; i++) {
        required += f[i].required;
        if (f[i].kind == EDIT_ENUM) {
            size_t nl = 0;
            enums_ok &= legacy_enum_labels(f[i].enum_type, &nl) != NULL && nl > 0;
        }
    }
    is_int(required, 5, "name, priority, segment, type, status are required");
    ok(enums_ok, "every organization enum type is known to legacy.h");
    ok(org("email")->kind == EDIT_EMAIL && org("website")->kind == EDIT_URL &&
           org("estimatedRevenue")->kind == EDIT_MONEY && org("employeeCount")->kind == EDIT_INT &&
           org("lastContactDate")->kind == EDIT_TIMESTAMP,
       "organization kinds");
    ok(fi[0].kind == EDIT_ENUM && str_eq(fi[0].enum_type, "InteractionType") && fi[0].required,
       "interaction type is a required InteractionType");
    ok(inter("subject")->required && inter("date")->required && !inter("outcome")->required &&
           !inter("duration")->required,
       "subject and date required, outcome and duration not");
    ok(inter("date")->kind == EDIT_TIMESTAMP && inter("duration")->kind == EDIT_INT,
       "interaction kinds");
}

static void test_text(void)
{
    const struct edit_field *name = org("name"), *city = org("city");
    invalid(name, NULL, "Name is required");
    invalid(name, "", "Name is required");
    invalid(name, "   \t ", "Name is required");
    valid(name, "  a  ");
    norm(name, "  a  ", "a");
    valid(name, "O'Brien's \"Bistro\" \\ ; DROP TABLE x; --");
    valid(city, NULL);
    valid(city, "");
    norm(city, "", NULL);
    norm(city, "   ", NULL);
    norm(city, NULL, NULL);
    valid(city, "Zürich");
    invalid(city, "bad \xff byte", "City: 'bad \xff byte'");
    valid(inter("subject"), "Tasting");
    invalid(inter("subject"), " ", "Subject is required");
}

static void test_enum(void)
{
    const struct edit_field *seg = org("segment"), *pri = org("priority");
    valid(seg, "FINE_DINING");
    valid(seg, "fine_dining");
    valid(seg, "  fine dining ");
    valid(seg, "Fine-Dining");
    norm(seg, "fine_dining", "FINE_DINING");
    norm(seg, "  fine dining ", "FINE_DINING");
    norm(seg, "Fine-Dining", "FINE_DINING");
    invalid(seg, "bistro", "Segment: 'bistro' is not one of FINE_DINING, FAST_FOOD");
    invalid(seg, "", "Segment is required");
    valid(pri, "a");
    norm(pri, " b ", "B");
    invalid(pri, "E", "Priority: 'E' is not one of A, B, C, D");
    valid(org("status"), "lead");
    norm(org("type"), "customer", "CUSTOMER");
    valid(inter("outcome"), "");
    valid(inter("outcome"), "follow up needed");
    norm(inter("outcome"), "follow up needed", "FOLLOW_UP_NEEDED");
    invalid(inter("outcome"), "great", "Outcome: 'great'");
    norm(inter("type"), "sample delivery", "SAMPLE_DELIVERY");
}

static void test_email_url(void)
{
    const struct edit_field *em = org("email"), *web = org("website");
    valid(em, "a@b.co");
    valid(em, "  a@b.co ");
    norm(em, "  a@b.co ", "a@b.co");
    invalid(em, "bob@", "Email: 'bob@' is not an address");
    invalid(em, "a b@c.com", "Email: 'a b@c.com' is not an address");
    invalid(em, "n/a", "Email: 'n/a'");
    valid(em, "");
    valid(web, "https://x.com/p");
    valid(web, "http://x.com");
    valid(web, "HTTPS://example.org:8443/a?b=c#d");
    valid(web, "x.com");
    valid(web, "www.bistro-nord.de/menu");
    valid(web, "http://localhost");
    norm(web, " x.com ", "x.com");
    invalid(web, "ht!tp://", "Website: 'ht!tp://' is not a web address");
    invalid(web, "ftp://x.com", "Website: 'ftp://x.com'");
    invalid(web, "https://", "Website: 'https://'");
    invalid(web, "tbd", "Website: 'tbd'");
    invalid(web, "1.5", "Website: '1.5'");
    invalid(web, "bob@x.com", "Website: 'bob@x.com'");
    invalid(web, "x .com", "Website: 'x .com'");
    invalid(web, "-x.com", "Website: '-x.com'");
    invalid(web, "x..com", "Website: 'x..com'");
    invalid(web, "x.com:port", "Website: 'x.com:port'");
}

static void test_numbers(void)
{
    const struct edit_field *emp = org("employeeCount"), *rev = org("estimatedRevenue");
    valid(emp, "0");
    valid(emp, "12");
    valid(emp, " 12 ");
    valid(emp, "");
    norm(emp, "007", "7");
    norm(emp, " 12 ", "12");
    invalid(emp, "-1", "Employees: '-1' is negative");
    invalid(emp, "1.5", "Employees: '1.5' is not a whole number");
    invalid(emp, "x", "Employees: 'x' is not a whole number");
    invalid(emp, "1 000", "Employees: '1 000'");
    invalid(emp, "99999999999", "Employees: '99999999999' is too large");
    valid(emp, "2147483647");
    valid(inter("duration"), "45");
    invalid(inter("duration"), "-5", "Duration (minutes): '-5' is negative");
    valid(rev, "10");
    valid(rev, "10.25");
    valid(rev, "0");
    valid(rev, "1234.5678");
    valid(rev, "1e+20");
    norm(rev, " 10.25 ", "10.25");
    invalid(rev, "-5", "Estimated revenue: '-5' is negative");
    invalid(rev, "1e999", "Estimated revenue: '1e999' is out of range");
    invalid(rev, "ten", "Estimated revenue: 'ten' is not an amount");
    invalid(rev, "NaN", "Estimated revenue: 'NaN'");
    invalid(rev, "Infinity", "Estimated revenue: 'Infinity'");
    invalid(rev, "$10", "Estimated revenue: '$10'");
    /* A numeric(14,2) money field, as a caller could define one. */
    struct edit_field value = {"value", "Value", EDIT_MONEY, false, NULL};
    valid(&value, "10.25");
    norm(&value, "10.5", "10.50");
    invalid(&value, "10.255", "Value: '10.255' has more than 2 decimals");
    invalid(&value, "1000000000000", "Value: '1000000000000' is out of range");
}

static void test_timestamps(void)
{
    const struct edit_field *nf = org("nextFollowUpDate"), *d = inter("date");
    valid(nf, "2026-11-24");
    valid(nf, "2026-11-24 10:30");
    valid(nf, "2026-11-24 10:30:15");
    valid(nf, "2026-11-24T10:30:15.5");
    valid(nf, "2024-02-29");
    valid(nf, "");
    norm(nf, " 2026-11-24 ", "2026-11-24");
    norm(nf, "2026-11-24 10:30", "2026-11-24 10:30:00");
    norm(nf, "2026-11-24T10:30:15.120", "2026-11-24 10:30:15.120");
    invalid(nf, "2026-02-30", "Next follow-up: '2026-02-30' is not a calendar date");
    invalid(nf, "2025-02-29", "Next follow-up: '2025-02-29'");
    invalid(nf, "2026-11-24 24:00", "Next follow-up: '2026-11-24 24:00'");
    invalid(nf, "2026-11-24 10:60", "Next follow-up: '2026-11-24 10:60'");
    invalid(nf, "yesterday", "Next follow-up: 'yesterday' is not a date");
    invalid(nf, "24.11.2026", "Next follow-up: '24.11.2026'");
    invalid(nf, "2026-11-24 10", "Next follow-up: '2026-11-24 10'");
    invalid(nf, "2026-11-24 10:30+02", "Next follow-up: '2026-11-24 10:30+02'");
    invalid(nf, "2026-11-24 10:30:00.1234567", "Next follow-up");
    invalid(nf, "0026-11-24", "Next follow-up: '0026-11-24' is not between 1900 and 2099");
    invalid(d, "", "Date is required");
    valid(d, "2026-01-02 09:00");
}

static void test_merge3(void)
{
    /* fields: email, phone, city, notes */
    char *base[] = {"a@x.org", "111", "Paris", NULL};
    char *mine[] = {"a@x.org", "222", "Lyon", "mine"};
    char *theirs[] = {"b@x.org", "111", "Nice", "mine"};
    bool clash[4];
    char **m = NULL;
    size_t n = edit_merge3(base, mine, theirs, 4, &m, clash);
    is_int((long)n, 1, "merge3: one field changed by both, differently");
    is_str(m[0], "b@x.org", "merge3: a field only they changed keeps their value");
    is_str(m[1], "222", "merge3: a field only I changed keeps mine");
    ok(!clash[0] && !clash[1], "merge3: neither is a clash");
    ok(clash[2], "merge3: both changed the city: a clash");
    is_str(m[2], "Lyon", "merge3: a clash shows mine until decided");
    ok(!clash[3] && m[3] && strcmp(m[3], "mine") == 0, "merge3: the same change on both sides is no clash");
    for (size_t i = 0; i < 4; i++)
        free(m[i]);
    free(m);
}

int main(void)
{
    test_merge3();
    test_tables();
    test_text();
    test_enum();
    test_email_url();
    test_numbers();
    test_timestamps();
    return done_testing();
}
