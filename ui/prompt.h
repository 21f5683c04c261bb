/* prompt.h - the console's command line: GNU readline inside ncurses.
 *
 * The console owns the terminal and a poll loop that must keep the other
 * panes live while the user types, so readline runs through its callback
 * interface (console-field-notes §4): the console hands every key it gets
 * from getch() to prompt_feed(), readline edits its line buffer, and
 * prompt_draw() paints that buffer on one row.  Readline never touches the
 * terminal: it reads bytes we queue and writes to /dev/null.
 *
 * Readline keeps its line, keymaps and history in globals, so only ONE
 * prompt may exist per process: prompt_new() returns NULL while another is
 * alive.  Emacs and vi bindings and ~/.inputrc ($if pantrycrm) apply, except
 * that Esc, ^G and ^C abandon the line (so Meta-key bindings, which reach
 * us as Esc followed by a key, are not available).
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_PROMPT_H
#define PANTRY_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

struct prompt;

enum prompt_status {
    PROMPT_EDITING,     /* still open: keep feeding keys */
    PROMPT_ACCEPTED,    /* Enter: the line is in prompt_line(), the prompt closed */
    PROMPT_CANCELLED,   /* Esc, ^G, ^C or ^D on an empty line: the prompt closed */
};

/* Candidates for the word being completed: line is the whole line, the word
 * is line[start, end) and end is the cursor.  Returns a NULL-terminated,
 * malloc'd array of malloc'd strings (the prompt frees them), or NULL for
 * none.  Candidates that do not begin with the word are ignored.  Nothing is
 * appended after a unique match, so a candidate that should be followed by
 * a space ("sort ") carries it. */
typedef char **(*prompt_completer)(const char *line, int start, int end, void *ctx);

/* Loads the history from history_path (NULL: no history file; a missing
 * file is an empty history).  Returns NULL if a prompt already exists. */
struct prompt *prompt_new(const char *history_path);

/* Saves the history (prompt_save) and frees everything; a NULL p is fine. */
void prompt_free(struct prompt *p);

/* Writes the last 1000 history lines to the history file, creating its
 * directory with mode 0700 and the file with mode 0600.  0, or -1 with errno
 * set.  Without a history path this does nothing and returns 0. */
int prompt_save(struct prompt *p);

/* Opens an empty line after the given prefix (":" or "/"); an open line is
 * abandoned first. */
void prompt_open(struct prompt *p, const char *prefix);
/* As prompt_open, with the line pre-filled (a form field being edited). */
void prompt_open_with(struct prompt *p, const char *prefix, const char *initial);
bool prompt_is_open(const struct prompt *p);

/* Abandons the open line, as Esc does (for SIGINT, a pane switch ...). */
void prompt_cancel(struct prompt *p);

/* Feeds one key as getch() returned it with keypad on: bytes (UTF-8 arrives
 * one byte per call), KEY_LEFT, KEY_BACKSPACE, KEY_UP ...  Keys the prompt
 * has no use for are ignored.  On a closed prompt every key is ignored and
 * PROMPT_CANCELLED is returned. */
enum prompt_status prompt_feed(struct prompt *p, int key);

/* The accepted line: valid until the next prompt_open() or prompt_free();
 * "" before any line was accepted. */
const char *prompt_line(const struct prompt *p);

/* The line being edited and the cursor's byte offset in it, e.g. for a
 * search that follows the typing; "" and 0 when the prompt is closed. */
const char *prompt_buffer(const struct prompt *p);
size_t prompt_point(const struct prompt *p);

/* The completion candidates readline asked to list (second TAB), sorted and
 * NULL-terminated, for the console to show above the prompt; NULL when there
 * is nothing to show.  Forgotten at the next key. */
const char *const *prompt_candidates(const struct prompt *p);

/* Paints the open prompt on row y of stdscr, columns 0 to width - 1, and
 * leaves the terminal cursor on the editing point (curs_set(1)), so call it
 * last, just before refresh().  Control characters in the line are shown as
 * visible placeholders.  A line wider than width scrolls sideways to keep the
 * cursor in view; '<' and '>' mark the hidden parts.  Does nothing when the
 * prompt is closed. */
void prompt_draw(struct prompt *p, int y, int width);

/* Sets (or with NULL, removes) the completion callback for TAB. */
void prompt_set_completer(struct prompt *p, prompt_completer fn, void *ctx);

#endif
