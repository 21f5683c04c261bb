/* screen.c - the console's frame around the pane on screen: the header,
 * the status line, the help, the completion candidates, the colour roles.
 * Painting reads only the model (never the database).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "console.h"
#include "app.h"
#include "form.h"
#include "keymap.h"
#include "list_pane.h"
#include "prompt.h"

#include "clock.h"
#include "sanitize.h"
#include "userconf.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_COLS 40
#define MIN_ROWS 10

/* ---- colours as roles ------------------------------------------------- */

/* color.ROLE settings of the configuration. Pairs 16 and up are theirs;
 * in monochrome only their attributes apply. config_roles lists the roles
 * in enum role order. */
static void apply_config_styles(struct app *app)
{
    const struct config *cfg = config_get();
    for (size_t i = 0; i < cfg->nstyles; i++) {
        const struct config_style *st = &cfg->styles[i];
        int role = -1;
        for (int r = 0; r < ROLE_COUNT && config_roles[r]; r++)
            if (strcmp(config_roles[r], st->role) == 0)
                role = r;
        if (role < 0)
            continue;
        int a = 0;
        if (st->attrs & CONFIG_ATTR_BOLD) a |= A_BOLD;
        if (st->attrs & CONFIG_ATTR_DIM) a |= A_DIM;
        if (st->attrs & CONFIG_ATTR_UNDERLINE) a |= A_UNDERLINE;
        if (st->attrs & CONFIG_ATTR_REVERSE) a |= A_REVERSE;
        bool has_color = st->fg != CONFIG_COLOR_UNSET || st->bg != CONFIG_COLOR_UNSET;
        if (app->color && has_color) {
            short pair = (short)(16 + role);
            if (pair < COLOR_PAIRS) {
                init_pair(pair, (short)(st->fg == CONFIG_COLOR_UNSET ? -1 : st->fg),
                          (short)(st->bg == CONFIG_COLOR_UNSET ? -1 : st->bg));
                a |= (int)COLOR_PAIR(pair);
            }
            app->attr[role] = a;
        } else if (st->attrs) {
            /* monochrome, or attributes alone: they replace the default */
            app->attr[role] = a;
        }
    }
}

void console_theme_init(struct app *app)
{
    app->attr[ROLE_HEADER] = A_REVERSE;
    app->attr[ROLE_STATUS] = A_REVERSE;
    app->attr[ROLE_SELECTED] = A_REVERSE | A_BOLD;
    app->attr[ROLE_TITLE] = A_BOLD;
    app->attr[ROLE_DIM] = A_DIM;
    app->attr[ROLE_ERROR] = A_BOLD;
    app->attr[ROLE_OK] = A_NORMAL;
    app->attr[ROLE_WARN] = A_BOLD;
    app->attr[ROLE_BAR] = A_REVERSE;
    const char *no_color = getenv("NO_COLOR");
    app->color = has_colors() && (app->color_pref == 2 || (app->color_pref == 0 && !(no_color && *no_color)));
    if (!app->color) {
        apply_config_styles(app);
        return; /* monochrome: attributes alone carry the meaning */
    }
    start_color();
    use_default_colors();
    init_pair(1, COLOR_WHITE, COLOR_BLUE);
    init_pair(2, COLOR_RED, -1);
    init_pair(3, COLOR_GREEN, -1);
    init_pair(4, COLOR_YELLOW, -1);
    init_pair(5, COLOR_BLACK, COLOR_CYAN);
    app->attr[ROLE_HEADER] = COLOR_PAIR(1) | A_BOLD;
    app->attr[ROLE_STATUS] = COLOR_PAIR(1);
    app->attr[ROLE_SELECTED] = COLOR_PAIR(5) | A_BOLD;
    app->attr[ROLE_ERROR] = COLOR_PAIR(2) | A_BOLD;
    app->attr[ROLE_OK] = COLOR_PAIR(3);
    app->attr[ROLE_WARN] = COLOR_PAIR(4) | A_BOLD;
    app->attr[ROLE_BAR] = COLOR_PAIR(5);
    apply_config_styles(app);
}

static void draw_header(struct app *app)
{
    char line[512];
    /* The read-only, standby and reconnecting marks come first: they must
     * survive any truncation. */
    snprintf(line, sizeof line, " pantrycrm %s%s%s%s %s  %s%s%s",
             app->read_only ? " [READ-ONLY] " : "", app->standby ? "[STANDBY] " : "",
             app->reconnect, app->reconnect[0] ? " " : "", app->current->title, app->who,
             app->tls[0] ? "  " : "", app->tls);
    attrset(app->attr[ROLE_HEADER]);
    mvhline(0, 0, ' ', COLS);
    attrset(A_NORMAL);
    ui_put(app, 0, 0, COLS, ROLE_HEADER, line);
}

static void draw_status(struct app *app)
{
    attrset(app->attr[ROLE_STATUS]);
    mvhline(LINES - 1, 0, ' ', COLS);
    attrset(A_NORMAL);
    /* The keys of the pane on screen, each as the key map has it: a pane
     * without its own says the lists' (search, command, details, edit). */
    char own[160] = "", hint[320];
    if (app->current->ops->keys_hint)
        app->current->ops->keys_hint(app->current, own, sizeof own);
    if (COLS >= 100)
        snprintf(hint, sizeof hint, "1 Orgs  2 Contacts  3 Migration  4 Dashboard  5 Health  %s%s? Help  q Quit",
                 own[0] ? own : "/ Search  : Command  Enter Details  e Edit", "  ");
    else if (COLS >= 72 && own[0] && !list_pane_view(app->current))
        snprintf(hint, sizeof hint, "1-5 panes  %s  ? Help  q Quit", own);
    else if (COLS >= 72)
        snprintf(hint, sizeof hint, "1 Orgs  2 Contacts  3 Migration  4 Dashboard  5 Health  ? Help  q Quit");
    else /* narrow: the keys that matter must not be cut */
        snprintf(hint, sizeof hint, "1-5 panes  / Search  ? Help  q Quit");
    if (app->status[0] && app->confirm != ACT_NONE && strstr(app->status, "y/n")
        && text_width(app->status, strlen(app->status)) > COLS) {
        /* A question cut short by the width keeps its y/n in sight. */
        ui_put(app, LINES - 1, 0, COLS - 5, ROLE_STATUS, app->status);
        ui_put(app, LINES - 1, COLS - 5, 5, ROLE_STATUS, " y/n ");
    } else if (app->status[0] && (app->confirm != ACT_NONE || clock_mono_s() - app->status_at < 8))
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, app->status);
    else if (app->busy)
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, " working… (Esc cancels)");
    else if (app->locale_note)
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, app->locale_note);
    else
        ui_put(app, LINES - 1, 0, COLS, ROLE_STATUS, hint);
}

/* The commands of the ':' line, listed in the help after the keys. */
static const char *const help_commands[] = {
    "",
    "\x01" "Commands (after :)",
    ":sort [-]COLUMN   sort (name, priority, segment, status, city, updatedAt,",
    "                  nextFollowUpDate, estimatedRevenue, lastName, or a header)",
    ":filter F=V[,V]   keep the rows whose F is one of the values (clear: all)",
    ":goto ID          jump to a row by its UUID or legacy id",
    ":search WORDS     as /",
    ":export csv|jsonl FILE   write the list as filtered and sorted",
    ":orgs :contacts :migration :quit",
};
#define HELP_COMMANDS ((int)(sizeof help_commands / sizeof help_commands[0]))

static void draw_help(struct app *app)
{
    int y = 1, avail = LINES - 5, total = ACT_COUNT + HELP_COMMANDS;
    ui_put(app, y++, 1, COLS - 2, ROLE_TITLE, "Keys (every action of the console)");
    y++;
    if (app->help_top > total - avail)
        app->help_top = total - avail > 0 ? total - avail : 0;
    if (app->help_top < 0)
        app->help_top = 0;
    for (int a = app->help_top; a < total && y < LINES - 2; a++) {
        char line[256];
        if (a >= ACT_COUNT) {
            const char *c = help_commands[a - ACT_COUNT];
            bool title = c[0] == '\x01';
            ui_put(app, y++, title ? 1 : 2, COLS - 3, title ? ROLE_TITLE : ROLE_OK, title ? c + 1 : c);
            continue;
        }
        const struct action_info *ai = action_info((enum action)a);
        snprintf(line, sizeof line, "%-16s %s", ai->keys, ai->help);
        ui_put(app, y++, 2, COLS - 3, ROLE_OK, line);
    }
    bool more = app->help_top + avail < total;
    ui_put(app, LINES - 2, 2, COLS - 3, ROLE_DIM,
           more ? "Down/PgDn for more; any other key closes the help."
                : "Any key closes the help.");
}

/* What a Tab could complete to, listed over the lines above the prompt
 * (readline would print them behind ncurses' back). */
static void draw_candidates(struct app *app)
{
    const char *const *c = prompt_candidates(app->prompt);
    if (!c || !c[0])
        return;
    int maxw = 0, n = 0;
    for (; c[n]; n++) {
        int w = text_width(c[n], strlen(c[n]));
        maxw = w > maxw ? w : maxw;
    }
    int colw = maxw + 2 < COLS ? maxw + 2 : COLS;
    int per = COLS / colw > 0 ? COLS / colw : 1;
    int rows = (n + per - 1) / per, maxrows = LINES / 3 > 1 ? LINES / 3 : 1;
    bool cut = rows > maxrows;
    if (cut)
        rows = maxrows;
    int top = LINES - 1 - rows;
    for (int r = 0; r < rows; r++) {
        attrset(app->attr[ROLE_STATUS]);
        mvhline(top + r, 0, ' ', COLS);
        attrset(A_NORMAL);
        for (int k = 0; k < per; k++) {
            int i = r * per + k;
            if (i >= n)
                break;
            bool last = cut && r == rows - 1 && k == per - 1;
            char more[32];
            snprintf(more, sizeof more, "(%d more)", n - i);
            ui_put(app, top + r, k * colw, colw - 1, ROLE_STATUS, last ? more : c[i]);
        }
    }
}

static void draw_too_small(struct app *app)
{
    erase();
    char line[64];
    snprintf(line, sizeof line, "terminal %dx%d is too small; needs %dx%d", COLS, LINES, MIN_COLS,
             MIN_ROWS);
    /* Even this must fit: a 20x5 terminal gets it over several lines,
     * broken between words (cut with an ellipsis or inside a word, the
     * size it needs would not read). */
    int y = 0;
    for (const char *p = line; *p && y < LINES; y++) {
        int n = (int)strlen(p);
        if (n > COLS) {
            n = COLS;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = COLS; /* one word wider than the terminal */
        }
        char slice[64];
        snprintf(slice, sizeof slice, "%.*s", n, p);
        ui_put(app, y, 0, COLS, ROLE_WARN, slice);
        p += n;
        while (*p == ' ')
            p++;
    }
}

void console_render(struct app *app)
{
    if (COLS < MIN_COLS || LINES < MIN_ROWS) {
        draw_too_small(app);
        refresh();
        return;
    }
    erase();
    draw_header(app);
    if (app->help)
        draw_help(app);
    else if (app->form)
        form_draw(app, 1, 0, LINES - 2, COLS);
    else
        app->current->ops->draw(app->current, 1, 0, LINES - 2, COLS);
    draw_status(app);
    if (app->prompt && prompt_is_open(app->prompt)) {
        draw_candidates(app);
        prompt_draw(app->prompt, LINES - 1, COLS); /* last: it places the cursor */
    }
    refresh();
    app->frames++;
}

