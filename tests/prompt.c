/* tests/prompt.c - the readline command line, driven key by key without a
 * terminal: ncurses writes to /dev/null and the screen is read back from
 * stdscr, readline gets its bytes from prompt_feed().
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "prompt.h"
#include "util.h"

#include <curses.h>
#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include <readline/readline.h> /* only to switch to vi mode */


#define K_CTRL(c) ((c) & 0x1f)
#define K_ESC 27
#define ROWS 24
#define NICHI "\xe6\x97\xa5" /* U+65E5, two columns wide */
#define NICHI3 NICHI NICHI NICHI

static enum prompt_status type(struct prompt *p, const char *s)
{
    enum prompt_status st = PROMPT_EDITING;
    for (; *s; s++)
        st = prompt_feed(p, (unsigned char)*s);
    return st;
}

static enum prompt_status press(struct prompt *p, int key, int times)
{
    enum prompt_status st = PROMPT_EDITING;
    for (int i = 0; i < times; i++)
        st = prompt_feed(p, key);
    return st;
}

/* Row y of stdscr as UTF-8, one character per cell, wide characters once. */
static void row_text(int y, int width, char *out, size_t size)
{
    size_t len = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int x = 0; x < width; x++) {
        cchar_t cc;
        wchar_t wch[CCHARW_MAX + 1];
        attr_t attrs;
        short pair;
        if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
            break;
        for (int i = 0; wch[i] && len + MB_CUR_MAX < size; i++) {
            size_t n = wcrtomb(out + len, wch[i], &st);
            if (n != (size_t)-1)
                len += n;
        }
        if (wcwidth(wch[0]) == 2)
            x++; /* the continuation cell */
    }
    out[len] = '\0';
}

/* Draws the prompt on the last row and reads it back; returns the cursor
 * column prompt_draw left (reading the row moves the cursor). */
static int draw_row(struct prompt *p, int width, char *row, size_t size)
{
    prompt_draw(p, ROWS - 1, width);
    int x = getcurx(stdscr);
    row_text(ROWS - 1, width, row, size);
    return x;
}

struct comp_ctx {
    const char *const *words;
    int calls, start, end;
    char line[128];
};

static char **complete_words(const char *line, int start, int end, void *ctx)
{
    struct comp_ctx *c = ctx;
    c->calls++;
    c->start = start;
    c->end = end;
    snprintf(c->line, sizeof c->line, "%s", line);
    size_t n = 0;
    while (c->words[n])
        n++;
    char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(c->words[i]);
    return v;
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static void test_completion(struct prompt *p)
{
    static const char *const segments[] = {"FINE_DINING", "FINE_WINE", "CASUAL", "sort ", NULL};
    struct comp_ctx ctx = {segments, 0, 0, 0, ""};
    prompt_set_completer(p, complete_words, &ctx);

    prompt_open(p, ":");
    type(p, "filter segment=FINE");
    is_str(prompt_buffer(p), "filter segment=FINE", "typed text is in the buffer");
    is_int(press(p, '\t', 1), PROMPT_EDITING, "TAB keeps the prompt open");
    is_str(prompt_buffer(p), "filter segment=FINE_", "TAB inserts the common prefix of FINE_*");
    ok(prompt_candidates(p) == NULL, "the first TAB lists nothing");
    is_int(ctx.start, 15, "the completer is told where the word starts (after '=')");
    is_int(ctx.end, 19, "... and where it ends");
    is_str(ctx.line, "filter segment=FINE", "... and gets the line");
    press(p, '\t', 1);
    const char *const *cands = prompt_candidates(p);
    ok(cands && cands[0] && cands[1] && !cands[2], "the second TAB lists two candidates");
    if (cands && cands[0] && cands[1]) {
        is_str(cands[0], "FINE_DINING", "first candidate");
        is_str(cands[1], "FINE_WINE", "second candidate");
    }
    type(p, "D");
    ok(prompt_candidates(p) == NULL, "the list is forgotten at the next key");
    press(p, '\t', 1);
    is_str(prompt_buffer(p), "filter segment=FINE_DINING",
           "a unique match completes, with nothing appended");
    is_int(prompt_point(p), 26, "the cursor follows the completion");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "Enter accepts");
    is_str(prompt_line(p), "filter segment=FINE_DINING", "the accepted line is exact");

    prompt_open(p, ":");
    type(p, "so");
    press(p, '\t', 1);
    is_str(prompt_buffer(p), "sort ", "a candidate's own trailing space is inserted");
    type(p, "zz");
    press(p, '\t', 1);
    is_str(prompt_buffer(p), "sort zz", "no candidate: the line is unchanged");
    press(p, K_CTRL('u'), 1);
    type(p, "filter segment=");
    press(p, '\t', 1);
    cands = prompt_candidates(p);
    ok(cands && cands[0] && cands[1] && cands[2] && cands[3] && !cands[4],
       "a TAB that cannot add to the word lists at once (all 4 candidates)");
    if (cands && cands[0])
        is_str(cands[0], "CASUAL", "the list is sorted");
    prompt_cancel(p);
    prompt_set_completer(p, NULL, NULL);
    prompt_open(p, ":");
    type(p, "fil");
    press(p, '\t', 1);
    is_str(prompt_buffer(p), "fil", "without a completer TAB does not complete file names");
    prompt_cancel(p);
}

static void test_editing(struct prompt *p)
{
    prompt_open(p, ":");
    type(p, "abcdef");
    press(p, KEY_LEFT, 2);
    is_int(prompt_point(p), 4, "KEY_LEFT moves back one character each");
    press(p, KEY_BACKSPACE, 1);
    is_str(prompt_buffer(p), "abcef", "KEY_BACKSPACE deletes before the cursor");
    press(p, K_CTRL('a'), 1);
    is_int(prompt_point(p), 0, "^A goes to the start");
    type(p, "X");
    is_str(prompt_buffer(p), "Xabcef", "typing inserts at the cursor");
    press(p, K_CTRL('e'), 1);
    is_int(prompt_point(p), 6, "^E goes to the end");
    press(p, KEY_HOME, 1);
    is_int(prompt_point(p), 0, "KEY_HOME goes to the start");
    press(p, KEY_END, 1);
    is_int(prompt_point(p), 6, "KEY_END goes to the end");
    press(p, KEY_HOME, 1);
    press(p, KEY_RIGHT, 2);
    press(p, KEY_DC, 1);
    is_str(prompt_buffer(p), "Xacef", "KEY_DC deletes under the cursor");
    press(p, K_CTRL('k'), 1);
    is_str(prompt_buffer(p), "Xa", "^K kills to the end");
    type(p, " one two");
    press(p, K_CTRL('w'), 1);
    is_str(prompt_buffer(p), "Xa one ", "^W kills the word before the cursor");
    press(p, K_CTRL('y'), 1);
    is_str(prompt_buffer(p), "Xa one two", "^Y yanks it back");
    press(p, KEY_F(5), 1);
    press(p, KEY_PPAGE, 1);
    press(p, KEY_RESIZE, 1);
    is_str(prompt_buffer(p), "Xa one two", "unbound keys type nothing (no '~' garbage)");
    int ctrl_left = key_defined("\033[1;5D");
    if (ctrl_left > 0) {
        press(p, ctrl_left, 1);
        is_int(prompt_point(p), 7, "ctrl-Left moves back a word");
    } else {
        ok(1, "# SKIP the terminal has no ctrl-Left");
    }
    press(p, KEY_LEFT, 3);
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "Enter in the middle of the line accepts");
    is_str(prompt_line(p), "Xa one two", "... the whole line");
    ok(!prompt_is_open(p), "the prompt is closed after Enter");
    is_int(prompt_feed(p, 'x'), PROMPT_CANCELLED, "a closed prompt ignores keys");
    is_str(prompt_buffer(p), "", "a closed prompt has no buffer");
}

static void test_cancel(struct prompt *p)
{
    static const int keys[] = {K_ESC, K_CTRL('g'), K_CTRL('c')};
    static const char *const names[] = {"Esc", "^G", "^C"};
    for (int i = 0; i < 3; i++) {
        prompt_open(p, ":");
        type(p, "junk");
        char desc[64];
        snprintf(desc, sizeof desc, "%s cancels", names[i]);
        is_int(prompt_feed(p, keys[i]), PROMPT_CANCELLED, desc);
        ok(!prompt_is_open(p), "the prompt is closed");
        prompt_open(p, ":");
        is_str(prompt_buffer(p), "", "the next open starts empty");
        prompt_cancel(p);
    }
    prompt_open(p, ":");
    is_int(press(p, K_CTRL('d'), 1), PROMPT_CANCELLED, "^D on an empty line cancels");
    prompt_open(p, ":");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "an empty line can be accepted");
    is_str(prompt_line(p), "", "... as the empty string");
}

static void test_history(struct prompt *p)
{
    prompt_open(p, ":");
    type(p, "sort -updatedAt");
    is_int(press(p, KEY_ENTER, 1), PROMPT_ACCEPTED, "KEY_ENTER accepts");
    prompt_open(p, ":");
    press(p, KEY_UP, 1);
    is_str(prompt_buffer(p), "sort -updatedAt", "KEY_UP recalls the last line");
    press(p, KEY_UP, 1);
    is_str(prompt_buffer(p), "Xa one two",
           "KEY_UP again: the one before (the empty line was not kept)");
    press(p, KEY_DOWN, 1);
    is_str(prompt_buffer(p), "sort -updatedAt", "KEY_DOWN comes back");
    press(p, '\r', 1);
    prompt_open(p, ":");
    press(p, KEY_UP, 2);
    is_str(prompt_buffer(p), "Xa one two", "accepting the same line twice keeps one entry");
    prompt_cancel(p);

    prompt_open(p, ":");
    press(p, KEY_UP, 1);
    type(p, "XYZ");
    press(p, K_ESC, 1);
    prompt_open(p, ":");
    press(p, KEY_UP, 1);
    is_str(prompt_buffer(p), "sort -updatedAt",
           "an edited entry is put back when the line is abandoned");
    prompt_cancel(p);

    prompt_open(p, ":");
    type(p, "fil");
    press(p, KEY_PPAGE, 1);
    is_str(prompt_buffer(p), "filter segment=FINE_DINING",
           "PgUp searches the history for the typed prefix");
    prompt_cancel(p);

    prompt_open(p, ":");
    press(p, K_CTRL('r'), 1);
    type(p, "upd");
    is_str(prompt_buffer(p), "sort -updatedAt", "^R finds a line as you type");
    prompt_draw(p, ROWS - 1, 40);
    char row[256];
    row_text(ROWS - 1, 40, row, sizeof row);
    ok(strncmp(row, "(reverse-i-search)`upd': sort -upd", 34) == 0,
       "the search prompt is drawn: '%s'", row);
    is_int(press(p, K_ESC, 1), PROMPT_EDITING, "Esc ends the search, not the prompt");
    is_str(prompt_buffer(p), "sort -updatedAt", "... keeping the match");
    press(p, K_CTRL('r'), 1);
    type(p, "zzz");
    is_int(press(p, K_CTRL('g'), 1), PROMPT_EDITING, "^G aborts the search, not the prompt");
    is_str(prompt_buffer(p), "sort -updatedAt", "... back to the line before the search");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "the line found can be accepted");

    prompt_open(p, ":");
    press(p, K_CTRL('r'), 1);
    type(p, "sort");
    is_int(press(p, K_CTRL('c'), 1), PROMPT_CANCELLED, "^C in a search cancels the prompt");
    prompt_open(p, ":");
    is_str(prompt_buffer(p), "", "... and the next open is a fresh line");
    type(p, "first");
    prompt_open(p, "/");
    ok(prompt_is_open(p), "opening an open prompt starts over");
    is_str(prompt_buffer(p), "", "... with an empty line");
    draw_row(p, 20, row, sizeof row);
    is_str(row, "/                   ", "... after the new prefix");
    prompt_cancel(p);
}

static void test_vi(struct prompt *p)
{
    rl_variable_bind("editing-mode", "vi");
    prompt_open(p, ":");
    type(p, "abc");
    is_int(press(p, K_ESC, 1), PROMPT_EDITING, "vi: Esc in insert mode goes to command mode");
    type(p, "0x");
    is_str(prompt_buffer(p), "bc", "vi: 0x deletes the first character");
    is_int(press(p, K_ESC, 1), PROMPT_CANCELLED, "vi: Esc in command mode cancels");
    prompt_open(p, ":");
    type(p, "ab");
    press(p, K_ESC, 1);
    type(p, "i");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "vi: Enter accepts from insert mode");
    is_str(prompt_line(p), "ab", "vi: the line");
    rl_variable_bind("editing-mode", "emacs");
    prompt_open(p, ":");
    type(p, "ok");
    is_int(press(p, K_ESC, 1), PROMPT_CANCELLED, "back in emacs mode Esc cancels at once");
}

static void test_utf8(struct prompt *p)
{
    prompt_open(p, ":");
    type(p, "caf\xc3\xa9");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "UTF-8 line accepted");
    is_str(prompt_line(p), "caf\xc3\xa9", "\"caf\xc3\xa9\" is intact");
    prompt_open(p, ":");
    type(p, "caf\xc3\xa9");
    press(p, KEY_LEFT, 1);
    is_int(prompt_point(p), 3, "KEY_LEFT steps over the whole of \xc3\xa9");
    press(p, KEY_BACKSPACE, 1);
    is_str(prompt_buffer(p), "ca\xc3\xa9", "backspace before \xc3\xa9 deletes the f");
    press(p, K_CTRL('e'), 1);
    press(p, KEY_BACKSPACE, 1);
    is_str(prompt_buffer(p), "ca", "backspace deletes both bytes of \xc3\xa9");
    prompt_cancel(p);
}

static void test_draw(struct prompt *p)
{
    char row[1024];
    int x;
    prompt_open(p, ":");
    type(p, "abc");
    x = draw_row(p, 20, row, sizeof row);
    is_str(row, ":abc                ", "a short line is drawn as is");
    is_int(x, 4, "the cursor is after the last character");
    is_int(getcury(stdscr), ROWS - 1, "... on the prompt's row");
    prompt_cancel(p);

    char long_line[301];
    for (int i = 0; i < 300; i++)
        long_line[i] = (char)('a' + i % 26);
    long_line[300] = '\0';
    prompt_open(p, ":");
    type(p, long_line);
    x = draw_row(p, 20, row, sizeof row);
    char want[64];
    snprintf(want, sizeof want, "<%s ", long_line + 300 - 18);
    is_str(row, want, "width 20 shows the tail, with '<' for the hidden head");
    is_int(x, 19, "the cursor is in the last column");
    press(p, KEY_HOME, 1);
    x = draw_row(p, 20, row, sizeof row);
    snprintf(want, sizeof want, ":%.18s>", long_line);
    is_str(row, want, "Home shows the head, with '>' for the hidden tail");
    is_int(x, 1, "the cursor is after the prefix");
    press(p, KEY_END, 1);
    press(p, KEY_LEFT, 30);
    x = draw_row(p, 20, row, sizeof row);
    is_int(x, 18, "moving left 30 from the end scrolls back to keep the cursor in view");
    snprintf(want, sizeof want, "<%.18s>", long_line + 253);
    is_str(row, want, "... with both markers");
    is_int(press(p, '\r', 1), PROMPT_ACCEPTED, "a 300-character line is accepted");
    is_str(prompt_line(p), long_line, "... intact");

    /* Wide characters: 12 CJK characters take 24 columns. */
    prompt_open(p, ":");
    for (int i = 0; i < 12; i++)
        type(p, NICHI);
    x = draw_row(p, 20, row, sizeof row);
    is_str(row, "<" NICHI3 NICHI3 NICHI3 " ", "wide characters are measured as two columns");
    is_int(x, 19, "the cursor column counts two per wide character");
    press(p, KEY_HOME, 1);
    x = draw_row(p, 20, row, sizeof row);
    is_int(x, 1, "Home scrolls back to the prefix");
    press(p, KEY_RIGHT, 1);
    x = draw_row(p, 20, row, sizeof row);
    is_str(row, ":" NICHI3 NICHI3 NICHI3 ">", "no wide character is split at the right edge");
    is_int(x, 3, "the cursor is after the first wide character");
    prompt_cancel(p);

    /* Without a prefix the characters sit on even columns, so scrolling to
     * the cursor can cut one in half at the left edge. */
    prompt_open(p, "");
    for (int i = 0; i < 12; i++)
        type(p, NICHI);
    press(p, KEY_HOME, 1);
    prompt_draw(p, ROWS - 1, 20);
    press(p, KEY_END, 1);
    press(p, KEY_LEFT, 1);
    x = draw_row(p, 20, row, sizeof row);
    is_str(row, "< " NICHI3 NICHI3 NICHI3, "half a wide character at the left edge is a blank");
    is_int(x, 18, "the wide character under the cursor is wholly visible");
    prompt_cancel(p);

    /* A control character typed with ^V is drawn as a one-column picture. */
    prompt_open(p, ":");
    press(p, K_CTRL('v'), 1);
    press(p, K_ESC, 1);
    type(p, "[2J");
    is_str(prompt_buffer(p), "\033[2J", "^V Esc inserts a literal escape");
    x = draw_row(p, 20, row, sizeof row);
    is_str(row, ":\xe2\x90\x9b[2J               ", "... drawn as U+241B, not sent to the terminal");
    is_int(x, 5, "... and measured as one column");
    prompt_cancel(p);
}

static void test_history_file(struct prompt **pp, const char *path)
{
    prompt_free(*pp);
    struct stat st;
    ok(stat(path, &st) == 0, "the history file is written on free");
    is_int(st.st_mode & 0777, 0600, "... with mode 0600");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "its new directory has mode 0700");

    *pp = prompt_new(path);
    ok(*pp != NULL, "a new prompt can be made after the old one is freed");
    prompt_open(*pp, ":");
    press(*pp, KEY_UP, 2);
    is_str(prompt_buffer(*pp), "caf\xc3\xa9",
           "the history is reloaded from the file, UTF-8 intact");
    press(*pp, KEY_UP, 1);
    is_str(prompt_buffer(*pp), "ab", "... in order");
    press(*pp, KEY_UP, 1);
    is_str(prompt_buffer(*pp), "sort -updatedAt", "... all of it");
    prompt_cancel(*pp);

    for (int i = 0; i < 1005; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        prompt_open(*pp, ":");
        type(*pp, line);
        press(*pp, '\r', 1);
    }
    chmod(path, 0644);
    is_int(prompt_save(*pp), 0, "prompt_save succeeds");
    is_int(count_lines(path), 1000, "the history file keeps 1000 lines");
    ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
       "a file made readable is made private again");
}

int main(void)
{
    /* Readline takes LC_CTYPE from the environment, so set both. */
    setenv("LC_ALL", "C.UTF-8", 1);
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        printf("1..0 # SKIP no C.UTF-8 locale\n");
        return 0;
    }
    setenv("INPUTRC", "/dev/null", 1); /* the tester's ~/.inputrc must not count */
    setenv("TERM", "xterm", 1);

    char tmp[] = "/tmp/prompt-test.XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/state/pantrycrm/history", tmp);

    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *screen = newterm("xterm", out, in);
    ok(screen != NULL, "a terminal without a tty");
    if (!screen)
        return done_testing();
    set_term(screen);
    keypad(stdscr, TRUE);
    ok(LINES == ROWS, "the screen has %d rows", ROWS);

    struct prompt *p = prompt_new(path);
    ok(p != NULL, "prompt_new with a history file that does not exist yet");
    ok(prompt_new(NULL) == NULL, "only one prompt per process");
    ok(!prompt_is_open(p), "a new prompt is closed");
    is_str(prompt_line(p), "", "no line yet");

    test_completion(p);
    test_editing(p);
    test_cancel(p);
    test_history(p);
    test_vi(p);
    test_utf8(p);
    test_draw(p);
    test_history_file(&p, path);

    prompt_free(p);
    endwin();
    delscreen(screen);
    fclose(out);
    fclose(in);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    rmdir(tmp);
    return done_testing();
}
