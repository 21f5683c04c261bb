/* tests/render.c - headless render snapshots: the console paints a fixed
 * model into a terminal that writes to /dev/null; the screen is read back
 * cell by cell and compared with tests/snap/NAME.txt. Covers the layouts
 * at 80x24, 120x40, 40x12 and 20x5, hostile strings, the help and the
 * migration pane. Run with --update to rewrite the snapshots.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "app.h"
#include "console.h"
#include "list_pane.h"
#include "migration_pane.h"
#include "util.h"
#include "dashboard.h"
#include "../ui/health.h"
#include "../src/ops/health.h"

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool update;

static char *dump_screen(void)
{
    struct strbuf sb;
    sb_init(&sb);
    for (int y = 0; y < LINES; y++) {
        size_t line_start = sb.len;
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            if (mvin_wch(y, x, &cc) == ERR)
                break;
            wchar_t wc[CCHARW_MAX + 1];
            attr_t a;
            short pair;
            if (getcchar(&cc, wc, &a, &pair, NULL) == ERR)
                continue;
            char mb[64];
            for (int k = 0; wc[k]; k++) {
                int n = wctomb(mb, wc[k]);
                if (n > 0)
                    sb_addn(&sb, mb, (size_t)n);
            }
            if (wc[0] && wcwidth(wc[0]) == 2)
                x++; /* the next cell is this character's right half */
        }
        /* trailing blanks carry no information and differ by terminfo */
        while (sb.len > line_start && sb.buf[sb.len - 1] == ' ')
            sb.len--;
        sb_addc(&sb, '\n');
    }
    if (sb.buf)
        sb.buf[sb.len] = '\0';
    return sb_detach(&sb);
}

static void snapshot(struct app *app, const char *name)
{
    console_render(app);
    char *got = dump_screen();
    char *path = xasprintf("%s/tests/snap/%s.txt", getenv("abs_top_srcdir"), name);
    if (update) {
        FILE *f = fopen(path, "w");
        fputs(got, f);
        fclose(f);
    }
    char *want = file_read_all(path, NULL);
    ok(want && strcmp(got, want) == 0, "snapshot %s", name);
    if (!want || strcmp(got, want) != 0)
        printf("# got:\n# %s\n", got);
    free(want);
    free(path);
    free(got);
}

/* One organization row in browse column order. */
static char **org_row(const char *name, const char *pri, const char *seg, const char *status,
                      const char *city, const char *state, const char *follow, const char *updated)
{
    char **r = NULL;
    const char *v[BROWSE_ORG_NCOLS] = {0};
    v[BROWSE_ORG_ID] = "00000000-0000-0000-0000-000000000000";
    v[BROWSE_ORG_NAME] = name;
    v[BROWSE_ORG_PRIORITY] = pri;
    v[BROWSE_ORG_SEGMENT] = seg;
    v[BROWSE_ORG_STATUS] = status;
    v[BROWSE_ORG_TYPE] = "CUSTOMER";
    v[BROWSE_ORG_CITY] = city;
    v[BROWSE_ORG_STATE] = state;
    v[BROWSE_ORG_NEXT_FOLLOW_UP] = follow;
    v[BROWSE_ORG_EST_REVENUE] = "1234567.5";
    v[BROWSE_ORG_UPDATED_AT] = updated;
    /* browse pages own each row as one allocation: pointers, then strings */
    size_t size = BROWSE_ORG_NCOLS * sizeof(char *);
    for (int i = 0; i < BROWSE_ORG_NCOLS; i++)
        size += v[i] ? strlen(v[i]) + 1 : 0;
    r = xmalloc(size);
    char *at = (char *)(r + BROWSE_ORG_NCOLS);
    for (int i = 0; i < BROWSE_ORG_NCOLS; i++) {
        r[i] = v[i] ? strcpy(at, v[i]) : NULL;
        at += v[i] ? strlen(v[i]) + 1 : 0;
    }
    return r;
}

static void fill_orgs(struct app *app)
{
    struct list_view *l = list_pane_view(app_pane(app, "orgs"));
    struct browse_page *p = &l->page;
    p->entity = BROWSE_ORGS;
    p->ncols = BROWSE_ORG_NCOLS;
    p->nrows = 5;
    p->rows = xcalloc(p->nrows, sizeof *p->rows);
    p->rows[0] = org_row("Bianchi Memorial Hospital", "A", "HEALTHCARE", "ACTIVE", "Milwaukee", "WI",
                         NULL, "2026-01-02 10:00:00+00");
    p->rows[1] = org_row("\x1b]2;PWNED\x07 evil \x1b[31mred", "B", "CATERING", "LEAD", "Tucson", "AZ",
                         "2026-12-01 09:30:00+00", "2026-03-04 11:11:00+00");
    p->rows[2] = org_row("\xe2\x80\xae" "reversed", "C", "FAST_FOOD", "ACTIVE", NULL, NULL, NULL,
                         "2025-05-06 07:07:00+00");
    p->rows[3] = org_row("\xe6\xbc\xa2\xe5\xad\x97 Sushi \xe5\xba\x97", "A", "FINE_DINING", "ACTIVE",
                         "San Jos\xc3\xa9", "CA", NULL, "2024-07-08 08:08:00+00");
    p->rows[4] = org_row("Invalid \xff\xfe bytes and a very long name that never ends in any column",
                         "D", "CORPORATE", "INACTIVE", "Dallas", "TX", NULL, "2023-09-10 12:12:00+00");
    l->loaded = true;
    l->selected = 1;
    l->estimate = 5;
}

/* Dashboard numbers as the summary would give them (a demo at S=1000). */
static void fill_dashboard(struct app *app, bool negative)
{
    struct stats s;
    memset(&s, 0, sizeof s);
    s.refreshed = true;
    snprintf(s.as_of, sizeof s.as_of, "2026-11-01T12:00:00Z");
    snprintf(s.refreshed_at, sizeof s.refreshed_at, "2026-11-01T12:00:01Z");
    s.age_s = 200;
    s.refresh_ms = 342;
    s.orgs = 1000000, s.orgs_active = 712345, s.contacts = 3000000, s.interactions = 10000000;
    s.priority_a = 141000, s.revenue_n = 900000, s.due_today = 1234, s.overdue = 56789;
    snprintf(s.avg_revenue, sizeof s.avg_revenue, "1234567.89");
    static const char *const stages[] = {"PROSPECTING", "QUALIFICATION", "PROPOSAL", "NEGOTIATION",
                                         "CLOSED_WON", "CLOSED_LOST"};
    static const char *const segs[] = {"FINE_DINING", "FAST_FOOD", "CASUAL_DINING", "CATERING",
                                       "INSTITUTIONAL", "HEALTHCARE", "EDUCATION", "CORPORATE"};
    for (int i = 0; i < 6; i++) {
        snprintf(s.stage[i].label, sizeof s.stage[i].label, "%s", stages[i]);
        s.stage[i].n = 200000 - i * 30000;
        snprintf(s.stage[i].amount, sizeof s.stage[i].amount, "%d.50", (6 - i) * 150000000);
    }
    s.nstage = 6;
    if (negative) /* a credit note as big as a third of the largest stage */
        snprintf(s.stage[1].amount, sizeof s.stage[1].amount, "-300000000.00");
    for (int i = 0; i < 8; i++) {
        snprintf(s.segment[i].label, sizeof s.segment[i].label, "%s", segs[i]);
        s.segment[i].n = 50000 + i * 20000;
    }
    s.segment[3].label[0] = '\x1b'; /* hostile: a label is data too */
    s.nsegment = 8;
    for (int i = 0; i < 4; i++) {
        snprintf(s.priority[i].label, sizeof s.priority[i].label, "%c", 'A' + i);
        s.priority[i].n = 100000 * (i + 1);
    }
    s.npriority = 4;
    for (int i = 0; i < 26; i++) {
        snprintf(s.week[i].label, sizeof s.week[i].label, "2026-%02d-%02d", 5 + i / 4, 1 + (i % 4) * 7);
        s.week[i].n = (i * 37) % 23 * 1000 + (i == 25 ? 0 : 500);
    }
    s.nweek = 26;
    for (int i = 0; i < 3; i++) {
        snprintf(s.expiring[i].label, sizeof s.expiring[i].label, "%d", 30 * (i + 1));
        s.expiring[i].n = 2500 * (i + 1);
        snprintf(s.expiring[i].amount, sizeof s.expiring[i].amount, "%d", 12000000 * (i + 1));
    }
    s.nexpiring = 3;
    dashboard_set(app_pane(app, "dashboard"), &s);
}

/* A target that is down, with libpq's long message: the pane wraps it
 * whole, its last word included. */
static void fill_health_down(struct app *app)
{
    struct health *h = xcalloc(1, sizeof *h);
    health_init(h, NULL, 4LL << 30);
    health_target_down(h, "could not connect to PostgreSQL: connection to server on socket "
                          "\"/a/rather/long/directory/of/sockets/for/this/host/.s.PGSQL.5432\" failed: "
                          "No such file or directory  Is the server running locally and accepting "
                          "connections on that socket? hint: pass a connection string with -d "
                          "(URI or key=value), or set PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE; "
                          "passwords come from ~/.pgpass or PGPASSWORD, or password-command");
    health_finish(h, NULL);
    health_pane_set(app_pane(app, "health"), h);
    free(h);
}

static void fill_health(struct app *app)
{
    struct health *h = xcalloc(1, sizeof *h);
    health_init(h, "sqlite:legacy.db", 4LL << 30);
    h->target_ok = true;
    h->ping_ms = 0.4;
    snprintf(h->target, sizeof h->target, "db=crm user=sales host=/run/postgresql");
    snprintf(h->version, sizeof h->version, "PostgreSQL 15.8 (Debian 15.8-0+deb12u1)");
    snprintf(h->database, sizeof h->database, "crm");
    h->db_bytes = 5LL << 30, h->conns_used = 7, h->conns_max = 100, h->conns_app = 2;
    h->hit_ratio = 0.987;
    h->ntables = 2;
    h->tables[0] = (struct health_table){"public.Interaction", 3LL << 30, 10000000, 120, 40, 9, 900, "2026-11-23 04:00"};
    h->tables[1] = (struct health_table){"public.Contact", 1LL << 30, 3000000, 900000, 3, 3000000, 10, ""};
    h->nindexes = 47;
    h->nunused = 1;
    h->unused[0] = (struct health_index){"public.Organization_email_idx", "public.Organization", 30 << 20};
    h->nmissing = 1;
    snprintf(h->missing[0], sizeof h->missing[0], "public.Contact: 3 sequential scans (1000000 rows each on average) vs 10 index scans");
    h->pgss = 1;
    snprintf(h->pgss_hint, sizeof h->pgss_hint, "pg_stat_statements is not enabled: add it to shared_preload_libraries");
    h->source_ok = true;
    h->source_ms = 1.5;
    snprintf(h->source_server, sizeof h->source_server, "SQLite 3.40.1");
    static const struct { const char *name; double v; const char *text; } raw[] = {
        {"shared_buffers", 128.0 * 1024 * 1024, "128MB"},
        {"effective_cache_size", 4096.0 * 1024 * 1024, "4GB"},
        {"work_mem", 4.0 * 1024 * 1024, "4MB"},
        {"max_connections", 100, "100"},
        {"random_page_cost", 4, "4"},
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        snprintf(h->raw[i].name, sizeof h->raw[i].name, "%s", raw[i].name);
        h->raw[i].value = raw[i].v;
        snprintf(h->raw[i].text, sizeof h->raw[i].text, "%s", raw[i].text);
    }
    h->nraw = sizeof raw / sizeof raw[0];
    health_finish(h, NULL);
    health_pane_set(app_pane(app, "health"), h);
    free(h);
}

static attr_t cell_attr(int y, int x, short *pair)
{
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1];
    attr_t a = 0;
    *pair = 0;
    if (mvin_wch(y, x, &cc) != ERR)
        getcchar(&cc, wc, &a, pair, NULL);
    return a;
}

/* Meaning must survive without colour: under NO_COLOR the header, the
 * selected row and the status line are set apart by attributes alone; on
 * an 8-colour terminal colours are used and the selection stays bold. */
static void check_attributes(const char *term, bool no_color)
{
    setenv("COLUMNS", "80", 1);
    setenv("LINES", "24", 1);
    if (no_color)
        setenv("NO_COLOR", "1", 1);
    else
        unsetenv("NO_COLOR");
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm(term, out, in);
    if (!scr) {
        ok(1, "# SKIP no terminfo entry for %s", term);
        fclose(out);
        fclose(in);
        return;
    }
    set_term(scr);
    struct app app;
    memset(&app, 0, sizeof app);
    app.utf8 = true;
    snprintf(app.who, sizeof app.who, "database \"crm\"");
    console_theme_init(&app);
    console_panes_new(&app);
    fill_orgs(&app);
    console_render(&app);
    short pair;
    attr_t header = cell_attr(0, 1, &pair);
    short header_pair = pair;
    attr_t selected = cell_attr(4, 1, &pair); /* row 1 of the list is selected */
    short selected_pair = pair;
    attr_t plain = cell_attr(3, 1, &pair);
    attr_t status = cell_attr(LINES - 1, 1, &pair);
    if (no_color) {
        ok(!app.color, "%s, NO_COLOR: the monochrome scheme is chosen", term);
        ok(header & A_REVERSE, "%s, NO_COLOR: the header is in reverse video", term);
        ok(selected & A_REVERSE, "%s, NO_COLOR: the selected row is in reverse video", term);
        ok(!(plain & A_REVERSE), "%s, NO_COLOR: other rows are not", term);
        ok(status & A_REVERSE, "%s, NO_COLOR: the status line is in reverse video", term);
        ok(header_pair == 0 && selected_pair == 0, "%s, NO_COLOR: no colour pair is used", term);
    } else {
        ok(app.color, "%s: colours are used", term);
        ok(selected_pair != 0 && (selected & A_BOLD), "%s: the selected row has its colour and bold", term);
        ok(header_pair != 0, "%s: the header has its colour", term);
    }
    console_panes_free(&app);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    unsetenv("NO_COLOR");
}

int main(int argc, char **argv)
{
    update = argc > 1 && strcmp(argv[1], "--update") == 0;
    setlocale(LC_ALL, "C.UTF-8");
    if (!getenv("abs_top_srcdir"))
        setenv("abs_top_srcdir", ".", 1);
    static const int sizes[][2] = {{80, 24}, {120, 40}, {40, 12}, {20, 5}};
    for (size_t s = 0; s < 4; s++) {
        char cols[8], lines[8];
        snprintf(cols, sizeof cols, "%d", sizes[s][0]);
        snprintf(lines, sizeof lines, "%d", sizes[s][1]);
        setenv("COLUMNS", cols, 1);
        setenv("LINES", lines, 1);
        FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
        SCREEN *scr = newterm("xterm-256color", out, in);
        if (!scr) {
            printf("1..0 # SKIP no terminfo entry for xterm-256color\n");
            return 0;
        }
        set_term(scr);
        struct app app;
        memset(&app, 0, sizeof app);
        app.utf8 = true;
        snprintf(app.who, sizeof app.who, "database \"crm\" as \"sales\" on db.example");
        console_theme_init(&app);
        console_panes_new(&app);   /* no connection: nothing is fetched */
        fill_orgs(&app);
        char name[64];
        snprintf(name, sizeof name, "orgs-%dx%d", sizes[s][0], sizes[s][1]);
        snapshot(&app, name);
        if (s == 0 || s == 2) {
            app.current = app_pane(&app, "dashboard");
            fill_dashboard(&app, false);
            snprintf(name, sizeof name, "dashboard-%dx%d", sizes[s][0], sizes[s][1]);
            snapshot(&app, name);
            if (s == 0) {
                /* A negative value draws no bar (its length indexed the
                 * table of partial blocks from before its start). */
                fill_dashboard(&app, true);
                console_render(&app);
                char *dump = dump_screen();
                /* the left column only: the label up to its value */
                char *line = strstr(dump, "QUALIFICATION");
                char *end = line ? strstr(line, "-300.0M") : NULL;
                size_t len = line && end ? (size_t)(end - line) : 0;
                bool bar = false;
                for (size_t i = 0; i + 2 < len; i++)
                    bar |= line[i] == '\xe2' && line[i + 1] == '\x96'; /* U+2580..U+25BF blocks */
                ok(line && end && !bar, "a negative pipeline value draws no bar");
                if (!line || !end || bar)
                    printf("# got:\n# %s\n", dump);
                free(dump);
            }
            app.current = app_pane(&app, "health");
            fill_health(&app);
            snprintf(name, sizeof name, "health-%dx%d", sizes[s][0], sizes[s][1]);
            snapshot(&app, name);
            if (s == 0) {
                fill_health_down(&app);
                snapshot(&app, "health-down-80x24");
            }
            app.current = app_pane(&app, "orgs");
        }
        if (s == 0) {
            app.help = true;
            snapshot(&app, "help-80x24");
            app.help_top = 100; /* clamped to the last page */
            snapshot(&app, "help-end-80x24");
            app.help = false;
            app.read_only = true;
            snapshot(&app, "orgs-readonly-80x24");
            app.read_only = false;
            app.current = app_pane(&app, "migration");
            struct mig_view *mig = migration_pane_view(app.current);
            mig->found = true;
            mig->run = (struct state_run){3, 1, "sqlite:legacy.db", "running", "2026-11-24T06:00:00Z"};
            mig->ntables = 2;
            mig->tables[0] = (struct state_table_progress){"Organization", "done", 1000, 1000, 990, 10, 5, 0, 1.0, 0};
            mig->tables[1] = (struct state_table_progress){"Contact", "copying", 3000, 1500, 1480, 20, 7, 0, 1.5, 0};
            for (size_t i = 0; i < 20; i++)
                mig->spark[i] = (double)(i % 7) * 100;
            mig->nspark = 20;
            snapshot(&app, "migration-80x24");
            /* ten tables in 16 lines: the tables before the throughput,
             * and a line for those that do not fit */
            static const char *const names[] = {"User", "Account", "Session", "VerificationToken",
                                                "Organization", "Contact", "Interaction", "Opportunity",
                                                "Lead", "Contract"};
            mig->ntables = 10;
            for (size_t i = 0; i < 10; i++) {
                mig->tables[i] = (struct state_table_progress){"", "done", 100, 100, 100, 0, 0, 0, 1.0, 0};
                snprintf(mig->tables[i].table, sizeof mig->tables[i].table, "%s", names[i]);
            }
            resizeterm(16, 80);
            snapshot(&app, "migration-80x16");
            resizeterm(10, 80);
            snapshot(&app, "migration-80x10");
            resizeterm(24, 80);
            /* 8-colour and NO_COLOR terminals draw the same characters:
             * roles change attributes only. */
        }
        console_panes_free(&app);
        endwin();
        delscreen(scr);
        fclose(out);
        fclose(in);
    }
    /* The registry: every pane can be drawn, is named by one ':' word and
     * shown by its own key, and is found again by its name. */
    {
        struct app app;
        memset(&app, 0, sizeof app);
        console_panes_new(&app);
        ok(app.npanes >= 5 && app.current == app.panes[0], "the registry makes its panes; the first is shown");
        for (size_t i = 0; i < app.npanes; i++) {
            struct pane *p = app.panes[i];
            ok(p->ops && p->ops->draw && p->ops->free && p->id && p->title && p->app == &app,
               "pane %s has draw, free, an id and a title", p->id ? p->id : "?");
            ok(app_pane(&app, p->id) == p, "app_pane finds %s by its id", p->id);
            for (size_t k = 0; k < i; k++)
                if (app.panes[k]->key == p->key || strcmp(app.panes[k]->id, p->id) == 0)
                    ok(0, "panes %s and %s share a key or an id", app.panes[k]->id, p->id);
        }
        ok(app_pane(&app, "nosuchpane") == NULL, "an unknown pane name finds nothing");
        console_panes_free(&app);
    }
    check_attributes("xterm-256color", true);
    check_attributes("screen", true);
    check_attributes("screen", false);          /* 8 colours */
    check_attributes("xterm-256color", false);
    return done_testing();
}
