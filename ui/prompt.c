/* prompt.c - the console's command line: GNU readline inside ncurses.
 *
 * Readline runs through its callback interface (console-field-notes §4):
 * prompt_feed() turns one getch() key into the bytes a terminal would have
 * sent, queues them, and calls rl_callback_read_char() once per queued byte;
 * rl_getc_function hands readline the queue.  Readline is cut off from the
 * terminal entirely (no termios, no signals, no environment, output to
 * /dev/null, and no tgetent(), which readline skips when the application
 * supplies its own redisplay), so ncurses stays the only owner of the
 * screen, and prompt_draw() paints rl_line_buffer itself.
 *
 * Readline's state is global, so there is one prompt per process; the
 * hooks below find it through the_prompt.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "prompt.h"

#include "paths.h"
#include "sanitize.h"
#include "util.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <readline/readline.h>
#include <readline/history.h>

#define HISTORY_MAX 1000
#define QUEUE_MAX 32
/* The only key of the private keymap used to abandon a line. */
#define CANCEL_KEY 'x'
/* Markers for hidden text need room around them to be of any use. */
#define MARKS_MIN_WIDTH 8

struct prompt {
    char *history_path;
    bool open;
    bool utf8;                  /* the locale is UTF-8: group bytes, keep non-ASCII */
    bool cancelling;            /* the line readline hands over is an abandoned one */
    bool quoting;               /* quoted-insert (^V) waits for the next key */
    enum prompt_status result;  /* what the line handler decided */
    char *line;                 /* the accepted line */
    unsigned char queue[QUEUE_MAX];
    size_t qhead, qlen;
    unsigned char mb[4];        /* a UTF-8 character arriving one byte per key */
    size_t mb_len, mb_need;
    prompt_completer completer;
    void *completer_ctx;
    char **comp_list;           /* the completer's answer while readline walks it */
    size_t comp_next;
    char **candidates;          /* what readline asked to list */
    int hscroll;                /* first text column shown by prompt_draw */
    FILE *null_in, *null_out;
    Keymap cancel_map;
};

static struct prompt *the_prompt;
static bool readline_configured; /* ~/.inputrc is read once per process */

/* ---- small helpers ------------------------------------------------------ */

static void free_strv(char **v)
{
    if (!v)
        return;
    for (char **s = v; *s; s++)
        free(*s);
    free(v);
}

static void forget_candidates(struct prompt *p)
{
    free_strv(p->candidates);
    p->candidates = NULL;
}

static void enqueue(struct prompt *p, const unsigned char *bytes, size_t n)
{
    /* The queue is drained after every key, so it only ever holds one key's
     * bytes (at most 8); anything beyond QUEUE_MAX would be a bug upstream,
     * and dropping it is safer than overflowing. */
    for (size_t i = 0; i < n && p->qlen < QUEUE_MAX; i++)
        p->queue[(p->qhead + p->qlen++) % QUEUE_MAX] = bytes[i];
}

static void flush_mb(struct prompt *p)
{
    enqueue(p, p->mb, p->mb_len);
    p->mb_len = p->mb_need = 0;
}

/* ---- readline hooks ------------------------------------------------------- */

static int hook_getc(FILE *f)
{
    (void)f;
    struct prompt *p = the_prompt;
    /* We only run readline while bytes are queued, so the queue is never
     * empty here.  Should readline ever read ahead anyway, EOF would accept
     * the line; C-@ (set-mark) is the most harmless byte to give it. */
    if (!p || p->qlen == 0)
        return 0;
    int c = p->queue[p->qhead];
    p->qhead = (p->qhead + 1) % QUEUE_MAX;
    p->qlen--;
    return c;
}

/* Readline asks this before waiting for the rest of a key sequence: a lone
 * Esc in a search must end the search, not wait for "[A". */
static int hook_input_available(void)
{
    return the_prompt && the_prompt->qlen > 0;
}

/* prompt_draw() paints from rl_line_buffer when the console redraws, so
 * readline's own redisplay has nothing to do. */
static void hook_redisplay(void)
{
}

/* Readline's default listing writes to rl_outstream behind ncurses' back
 * (§4 pitfall 2): keep the list for the console to draw instead. */
static void hook_show_matches(char **matches, int n, int max_length)
{
    (void)max_length;
    struct prompt *p = the_prompt;
    if (!p || n <= 0)
        return;
    forget_candidates(p);
    p->candidates = xcalloc((size_t)n + 1, sizeof *p->candidates);
    for (int i = 0; i < n; i++)
        p->candidates[i] = xstrdup(matches[i + 1]); /* matches[0] is the common prefix */
}

static bool completion_ignores_case(void)
{
    const char *v = rl_variable_value("completion-ignore-case");
    return v && strcmp(v, "on") == 0;
}

static char *next_candidate(const char *text, int state)
{
    struct prompt *p = the_prompt;
    if (state == 0)
        p->comp_next = 0;
    size_t n = strlen(text);
    bool fold = completion_ignores_case();
    while (p->comp_list && p->comp_list[p->comp_next]) {
        const char *c = p->comp_list[p->comp_next++];
        /* A candidate that does not extend the word would shorten the
         * common prefix and so delete what the user typed. */
        if ((fold ? strncasecmp(c, text, n) : strncmp(c, text, n)) == 0)
            return xstrdup(c);
    }
    return NULL;
}

static char **hook_complete(const char *text, int start, int end)
{
    struct prompt *p = the_prompt;
    /* Never fall back to completing file names, which mean nothing here. */
    rl_attempted_completion_over = 1;
    /* Readline resets this before every attempt; candidates carry their own
     * trailing space when they want one. */
    rl_completion_append_character = '\0';
    if (!p || !p->completer)
        return NULL;
    p->comp_list = p->completer(rl_line_buffer, start, end, p->completer_ctx);
    char **matches = rl_completion_matches(text, next_candidate);
    free_strv(p->comp_list);
    p->comp_list = NULL;
    return matches;
}

static bool worth_remembering(const char *line)
{
    /* The history file holds one line per entry: a newline typed with ^V^J
     * would come back as two commands. */
    if (!*line || strchr(line, '\n'))
        return false;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    return !(last && last->line && strcmp(last->line, line) == 0);
}

static void on_line(char *line)
{
    struct prompt *p = the_prompt;
    /* One line per open: without this readline re-arms itself and shows
     * the prompt again (§4 pitfall 9). */
    rl_callback_handler_remove();
    p->open = false;
    if (!line || p->cancelling) { /* ^D on an empty line, or abandoned */
        free(line);
        p->result = PROMPT_CANCELLED;
        return;
    }
    if (worth_remembering(line))
        add_history(line);
    free(p->line);
    p->line = line;
    p->result = PROMPT_ACCEPTED;
}

/* Bound in a private keymap only.  Ending the line through rl_newline lets
 * readline tear it down exactly as for Enter: it forgets the undo list and
 * the line saved while browsing the history, and it puts back a recalled
 * history entry the user had edited, which a bare rl_replace_line("") +
 * rl_callback_handler_remove() would leave edited for good. */
static int cancel_command(int count, int key)
{
    if (the_prompt)
        the_prompt->cancelling = true;
    return rl_newline(count, key);
}

/* ---- the module ----------------------------------------------------------- */

/* The keys a console gets from getch() with keypad on, as the bytes an
 * xterm sends for them, because these are what readline and ~/.inputrc
 * bind (a user's "\e[A": history-search-backward keeps working).  Each
 * sequence is also bound here when nothing binds it yet: readline skips
 * the terminfo key bindings when tgetent() is not called, and an unbound
 * sequence would be typed into the line as "3~". */
struct key_seq {
    int key;                    /* a KEY_* code, or 0 to match by name */
    const char *name;           /* keyname() of extended keys (ctrl/alt arrows) */
    const char *seq;
    rl_command_func_t *fn;
};

static const struct key_seq key_seqs[] = {
    {KEY_UP, NULL, "\033[A", rl_get_previous_history},
    {KEY_DOWN, NULL, "\033[B", rl_get_next_history},
    {KEY_RIGHT, NULL, "\033[C", rl_forward_char},
    {KEY_LEFT, NULL, "\033[D", rl_backward_char},
    {KEY_HOME, NULL, "\033[H", rl_beg_of_line},
    {KEY_END, NULL, "\033[F", rl_end_of_line},
    {KEY_DC, NULL, "\033[3~", rl_delete},
    {KEY_IC, NULL, "\033[2~", rl_overwrite_mode},
    {KEY_PPAGE, NULL, "\033[5~", rl_history_search_backward},
    {KEY_NPAGE, NULL, "\033[6~", rl_history_search_forward},
    {0, "kLFT5", "\033[1;5D", rl_backward_word},
    {0, "kRIT5", "\033[1;5C", rl_forward_word},
    {0, "kLFT3", "\033[1;3D", rl_backward_word},
    {0, "kRIT3", "\033[1;3C", rl_forward_word},
    {0, "kDC5", "\033[3;5~", rl_kill_word},
};

static void bind_keys(void)
{
    Keymap maps[] = {emacs_standard_keymap, vi_insertion_keymap, vi_movement_keymap};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++)
        for (size_t i = 0; i < sizeof key_seqs / sizeof key_seqs[0]; i++)
            rl_bind_keyseq_if_unbound_in_map(key_seqs[i].seq, key_seqs[i].fn, maps[m]);
}

static const char *translate(int key)
{
    if (key == KEY_BACKSPACE)
        return "\177";
    if (key == KEY_ENTER)
        return "\r";
    const char *name = NULL;
    for (size_t i = 0; i < sizeof key_seqs / sizeof key_seqs[0]; i++) {
        if (key_seqs[i].key == key && key != 0)
            return key_seqs[i].seq;
        if (!key_seqs[i].name)
            continue;
        /* Extended keys have no fixed code: ncurses numbers them per
         * terminal, so they are recognised by their terminfo name. */
        if (!name && !(name = keyname(key)))
            return NULL;
        if (strcmp(name, key_seqs[i].name) == 0)
            return key_seqs[i].seq;
    }
    return NULL;
}

struct prompt *prompt_new(const char *history_path)
{
    if (the_prompt)
        return NULL;
    FILE *in = fopen("/dev/null", "r");
    FILE *out = fopen("/dev/null", "w");
    if (!in || !out) {
        int e = errno;
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        errno = e;
        return NULL;
    }
    struct prompt *p = xcalloc(1, sizeof *p);
    p->history_path = history_path ? xstrdup(history_path) : NULL;
    p->line = xstrdup("");
    p->null_in = in;
    p->null_out = out;
    const char *codeset = nl_langinfo(CODESET);
    p->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    the_prompt = p;

    rl_readline_name = "pantrycrm"; /* "$if pantrycrm" in ~/.inputrc */
    /* ncurses owns termios, the signals, LINES/COLUMNS and the screen. */
    rl_prep_term_function = NULL;
    rl_deprep_term_function = NULL;
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_instream = in;
    rl_outstream = out;
    rl_getc_function = hook_getc;
    rl_input_available_hook = hook_input_available;
    rl_redisplay_function = hook_redisplay; /* before the first rl_initialize: no tgetent() */
    rl_completion_display_matches_hook = hook_show_matches;
    rl_attempted_completion_function = hook_complete;
    if (!readline_configured) {
        /* Our defaults, set before ~/.inputrc is read so that it can change
         * them: rl_ding() writes BEL straight to stderr, behind ncurses'
         * back; and with no bell to hint at more matches, a TAB that cannot
         * add to the word lists the candidates at once. */
        rl_variable_bind("bell-style", "none");
        rl_variable_bind("show-all-if-unmodified", "on");
        /* Reads ~/.inputrc now, so that bind_keys() only fills what the
         * user's file leaves unbound. */
        rl_initialize();
        bind_keys();
        readline_configured = true;
    }
    p->cancel_map = rl_make_bare_keymap();
    rl_bind_key_in_map(CANCEL_KEY, cancel_command, p->cancel_map);

    using_history();
    stifle_history(HISTORY_MAX);
    if (p->history_path)
        read_history(p->history_path); /* a missing file is an empty history */
    using_history();
    return p;
}

/* Abandons the open line through readline's own accept path (see
 * cancel_command), with the private keymap in force for one byte. */
static void abandon(struct prompt *p)
{
    if (!p->open)
        return;
    /* A command that reads one more key (^V, ^], vi's r, m, `) keeps a
     * small block for it that only that key frees: rl_callback_sigcleanup
     * forgets the command but not the block, and the next such command
     * loses it for good (LeakSanitizer: 12 bytes at quit). Give it its key
     * (a space, into a line about to be dropped) so that it ends by itself. */
    if (rl_last_func == rl_quoted_insert || rl_last_func == rl_char_search ||
        rl_last_func == rl_backward_char_search || rl_last_func == rl_vi_char_search ||
        rl_last_func == rl_vi_change_char || rl_last_func == rl_vi_set_mark ||
        rl_last_func == rl_vi_goto_mark) {
        const unsigned char space = ' ';
        p->qhead = p->qlen = 0;
        enqueue(p, &space, 1);
        rl_callback_read_char();
    }
    /* Leave any search, numeric argument or half-read key sequence, so the
     * next byte is read at the top level of the keymap. */
    rl_callback_sigcleanup();
    p->qhead = p->qlen = 0;
    p->mb_len = p->mb_need = 0;
    Keymap saved = rl_get_keymap();
    rl_set_keymap(p->cancel_map);
    p->cancelling = true;
    const unsigned char key = CANCEL_KEY;
    enqueue(p, &key, 1);
    rl_callback_read_char();
    rl_set_keymap(saved);
    p->cancelling = false;
    p->qhead = p->qlen = 0;
    if (p->open) { /* cannot happen; if it does, close the blunt way */
        rl_replace_line("", 1);
        rl_callback_handler_remove();
        p->open = false;
    }
    p->result = PROMPT_CANCELLED;
    forget_candidates(p);
}

/* Closing hides the cursor prompt_draw showed.  Never after endwin(): the
 * escape would go straight to the shell's terminal. */
static void hide_cursor(void)
{
    if (!isendwin())
        curs_set(0);
}

int prompt_save(struct prompt *p)
{
    if (!p || !p->history_path)
        return 0;
    char *dir = xstrdup(p->history_path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = paths_mkdir_p(dir, 0700);
    }
    free(dir);
    if (rc != 0)
        return -1;
    /* write_history() and history_truncate_file() return an errno value. */
    int e = write_history(p->history_path);
    if (e == 0)
        e = history_truncate_file(p->history_path, HISTORY_MAX);
    /* readline creates the file 0600, but an older file keeps its mode:
     * commands can name customers, so the history is private. */
    if (e == 0 && chmod(p->history_path, 0600) != 0)
        e = errno;
    if (e != 0) {
        errno = e;
        return -1;
    }
    return 0;
}

void prompt_free(struct prompt *p)
{
    if (!p)
        return;
    abandon(p);
    prompt_save(p); /* a history that cannot be saved must not stop the exit */
    /* Unlike clear_history(), this also frees the undo lists readline keeps
     * in history entries the user edited. */
    rl_clear_history();
    rl_free_keymap(p->cancel_map);
    rl_instream = stdin;
    rl_outstream = stdout;
    fclose(p->null_in);
    fclose(p->null_out);
    forget_candidates(p);
    free(p->line);
    free(p->history_path);
    free(p);
    the_prompt = NULL;
}

void prompt_open(struct prompt *p, const char *prefix)
{
    abandon(p);
    free(p->line);
    p->line = xstrdup("");
    forget_candidates(p);
    p->hscroll = 0;
    p->qhead = p->qlen = 0;
    p->mb_len = p->mb_need = 0;
    p->quoting = false;
    p->result = PROMPT_EDITING;
    p->open = true;
    /* Up starts from the newest entry, wherever the last line left off. */
    using_history();
    rl_callback_handler_install(prefix ? prefix : "", on_line);
}

void prompt_open_with(struct prompt *p, const char *prefix, const char *initial)
{
    prompt_open(p, prefix);
    if (initial && *initial) {
        /* Editing a value starts from the value, cursor at its end. */
        rl_insert_text(initial);
        rl_point = rl_end;
    }
}

bool prompt_is_open(const struct prompt *p)
{
    return p && p->open;
}

void prompt_cancel(struct prompt *p)
{
    if (p && p->open) {
        abandon(p);
        hide_cursor();
    }
}

/* Runs readline over the queued bytes, one byte per call, as the callback
 * interface expects; whatever follows the end of the line is dropped. */
static enum prompt_status run(struct prompt *p)
{
    bool dispatched = false;
    while (p->open && p->qlen > 0) {
        rl_callback_read_char();
        dispatched = true;
    }
    /* A quoted key is inserted without a dispatch, so rl_last_func still
     * names quoted-insert after it. */
    if (dispatched)
        p->quoting = !p->quoting && p->open && rl_last_func == rl_quoted_insert;
    if (p->open)
        return PROMPT_EDITING;
    p->qhead = p->qlen = 0;
    hide_cursor();
    return p->result;
}

enum prompt_status prompt_feed(struct prompt *p, int key)
{
    if (!p || !p->open)
        return PROMPT_CANCELLED;
    forget_candidates(p);
    if (key < 0 || key == KEY_RESIZE)
        return PROMPT_EDITING;

    /* ^V Esc types an Esc.  Readline's wait for the quoted key is not
     * public state, but the command that starts it is: it was the last one
     * dispatched, by the previous key. */
    bool quoted = p->quoting;
    bool searching = RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) != 0;
    /* In vi insert mode Esc means command mode; Esc in command mode is
     * the one that abandons the line. */
    bool vi_inserting = rl_editing_mode == 0 /* vi; emacs is 1 */ &&
                        rl_get_keymap() == vi_insertion_keymap;
    if (!quoted &&
        (key == 3 || (key == 7 && !searching) || (key == 27 && !searching && !vi_inserting))) {
        abandon(p);
        hide_cursor();
        return PROMPT_CANCELLED;
    }
    if (key == 12) /* ^L: readline clears its (null) screen; we clear ours */
        clearok(curscr, TRUE);

    if (key > 0xff) {
        const char *seq = translate(key);
        if (!seq)
            return PROMPT_EDITING; /* never truncate a KEY_* code to a byte (§4 pitfall 1) */
        flush_mb(p);
        enqueue(p, (const unsigned char *)seq, strlen(seq));
        return run(p);
    }

    unsigned char c = (unsigned char)key;
    if (p->utf8 && c >= 0x80) {
        /* Hand readline a whole character at once, so that commands which
         * read one character (^V, ^]) get all of its bytes. */
        if (c <= 0xbf && p->mb_len > 0) {
            p->mb[p->mb_len++] = c;
            if (p->mb_len < p->mb_need)
                return PROMPT_EDITING;
            flush_mb(p);
            return run(p);
        }
        flush_mb(p); /* an unfinished character: readline will reject it */
        if (c >= 0xc2 && c <= 0xf4) {
            p->mb[0] = c;
            p->mb_len = 1;
            p->mb_need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
            return p->qlen ? run(p) : PROMPT_EDITING;
        }
        enqueue(p, &c, 1);
        return run(p);
    }
    flush_mb(p);
    enqueue(p, &c, 1);
    return run(p);
}

const char *prompt_line(const struct prompt *p)
{
    return p && p->line ? p->line : "";
}

const char *prompt_buffer(const struct prompt *p)
{
    return p && p->open && rl_line_buffer ? rl_line_buffer : "";
}

size_t prompt_point(const struct prompt *p)
{
    if (!p || !p->open || rl_point < 0)
        return 0;
    return (size_t)(rl_point <= rl_end ? rl_point : rl_end);
}

const char *const *prompt_candidates(const struct prompt *p)
{
    return p ? (const char *const *)p->candidates : NULL;
}

void prompt_set_completer(struct prompt *p, prompt_completer fn, void *ctx)
{
    if (!p)
        return;
    p->completer = fn;
    p->completer_ctx = ctx;
}

/* ---- drawing ---------------------------------------------------------------- */

/* Decodes one character of sanitized (so valid) UTF-8. */
static size_t utf8_next(const char *s, size_t len, uint32_t *cp)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n > len)
        n = len;
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
    for (size_t i = 1; i < n; i++)
        v = (v << 6) | ((unsigned char)s[i] & 0x3fu);
    *cp = v;
    return n;
}

/* The first text column to show so that the cursor and the character under
 * it (cw columns) are visible, moving the view as little as possible from
 * where it was.  extent counts the cell the cursor takes after the last
 * character. */
static int scroll_for(int hs, int width, int extent, int cursor, int cw, bool marks)
{
    if (extent <= width)
        return 0;
    if (hs > extent - width)
        hs = extent - width; /* no blank run at the right while text is hidden at the left */
    if (hs < 0)
        hs = 0;
    int left = marks && hs > 0;
    int right = marks && extent > hs + width;
    if (cursor < hs + left) {
        hs = marks ? (cursor > 1 ? cursor - 1 : 0) : cursor;
    } else if (cursor + cw > hs + width - right) {
        hs = cursor + cw - width;
        if (marks && extent > hs + width)
            hs++; /* the '>' takes the last column */
    }
    return hs;
}

void prompt_draw(struct prompt *p, int y, int width)
{
    if (!p || !p->open || width <= 0)
        return;
    enum sanitize_mode mode = p->utf8 ? SANITIZE_UTF8 : SANITIZE_ASCII;
    const char *pr = rl_display_prompt ? rl_display_prompt : ""; /* shows "(reverse-i-search)" */
    const char *buf = rl_line_buffer ? rl_line_buffer : "";
    size_t end = rl_end > 0 ? (size_t)rl_end : 0;
    size_t point = prompt_point(p);

    /* Measure what will be drawn: controls typed with ^V become one-column
     * placeholders, so the cursor column comes from the sanitized prefix. */
    struct strbuf text, head;
    sb_init(&text);
    sb_init(&head);
    sanitize_text(pr, strlen(pr), mode, &text);
    size_t prompt_len = text.len;
    sanitize_text(buf, end, mode, &text);
    sanitize_text(buf, point, mode, &head);
    size_t cursor_off = prompt_len + head.len;
    sb_free(&head);
    const char *t = text.buf ? text.buf : "";

    int total = 0, cursor = -1, cw = 1;
    for (size_t off = 0; off < text.len;) {
        uint32_t cp;
        size_t n = utf8_next(t + off, text.len - off, &cp);
        int w = text_cp_width(cp);
        if (off >= cursor_off && cursor < 0) {
            cursor = total;
            cw = w > 0 ? w : 1;
        }
        off += n;
        total += w;
    }
    if (cursor < 0)
        cursor = total;
    int extent = total > cursor + cw ? total : cursor + cw;
    bool marks = width >= MARKS_MIN_WIDTH;
    int hs = p->hscroll = scroll_for(p->hscroll, width, extent, cursor, cw, marks);
    int left = marks && hs > 0;
    int right = marks && extent > hs + width;
    int lo = hs + left, hi = hs + width - right;

    struct strbuf out;
    sb_init(&out);
    if (left)
        sb_addc(&out, '<');
    int col = 0, screen = left;
    bool shown = false; /* whether the last spacing character was drawn */
    for (size_t off = 0; off < text.len;) {
        uint32_t cp;
        size_t n = utf8_next(t + off, text.len - off, &cp);
        int w = text_cp_width(cp);
        int start = col;
        col += w;
        if (w == 0) { /* a combining mark goes wherever its base went */
            if (shown)
                sb_addn(&out, t + off, n);
        } else if (col <= lo) {
            shown = false;
        } else if (start < lo) { /* a wide character cut by the left edge */
            for (; screen < col - hs; screen++)
                sb_addc(&out, ' ');
            shown = false;
        } else if (col > hi) {
            break;
        } else {
            sb_addn(&out, t + off, n);
            screen += w;
            shown = true;
        }
        off += n;
    }
    for (; screen < width - right; screen++)
        sb_addc(&out, ' ');
    if (right)
        sb_addc(&out, '>');

    attrset(A_NORMAL);
    /* On the bottom row the last cell makes addstr return ERR (the cursor
     * cannot advance), but the character is drawn. */
    mvaddstr(y, 0, out.buf ? out.buf : "");
    move(y, cursor - hs);
    curs_set(1);
    sb_free(&out);
    sb_free(&text);
}
