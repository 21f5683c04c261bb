/* keymap.h - every console action, its keys and its help line, in ONE
 * table: the dispatcher, the help screen and the tests all read it, so a
 * key cannot exist without help, nor help without a key.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_KEYMAP_H
#define PANTRY_KEYMAP_H

#include <stddef.h>

/* Where a key is looked up. A key means one action per scope; the code
 * that reads a key names the scopes it looks in, in order of precedence
 * (a form looks in FORM before LIST and GLOBAL, so its q leaves the form
 * rather than the console). */
enum key_scope {
    KEYS_GLOBAL = 1 << 0,     /* anywhere outside a form or a question */
    KEYS_LIST = 1 << 1,       /* a list, the details, the help, a form's fields */
    KEYS_MIGRATION = 1 << 2,  /* steering a migration (from any pane) */
    KEYS_FORM = 1 << 3,       /* an open edit form */
    KEYS_MERGE = 1 << 4,      /* a form's conflict view, field by field */
    KEYS_CONFIRM = 1 << 5,    /* a y/n question on the status line */
};
/* The scopes the panes read keys in (no form, no question open). */
#define KEYS_BROWSE (KEYS_GLOBAL | KEYS_LIST | KEYS_MIGRATION)

/* ACTION(name, scope, keys, help). scope is a key_scope without its
 * KEYS_ prefix; keys is a space-separated list of key names as the help
 * shows them: "q", "^L", "F1", "Down", "PgDn" … */
#define ACTION_TABLE(ACTION)                                                       \
    ACTION(QUIT, GLOBAL, "q F10", "Quit (asks first while a migration runs here)")   \
    ACTION(HELP, GLOBAL, "? F1", "Show this help")                                \
    ACTION(PANE_ORGS, GLOBAL, "1 F2", "Organizations pane")                       \
    ACTION(PANE_CONTACTS, GLOBAL, "2 F3", "Contacts pane")                        \
    ACTION(PANE_MIGRATION, GLOBAL, "3 F4", "Migration pane")                      \
    ACTION(PANE_DASHBOARD, GLOBAL, "4 F6", "Dashboard pane")                      \
    ACTION(PANE_HEALTH, GLOBAL, "5 F7", "Health pane")                            \
    ACTION(REDRAW, GLOBAL, "^L", "Redraw the screen")                             \
    ACTION(UP, LIST, "Up k", "Previous row")                                      \
    ACTION(DOWN, LIST, "Down j", "Next row")                                      \
    ACTION(PAGE_UP, LIST, "PgUp ^B", "Previous page")                             \
    ACTION(PAGE_DOWN, LIST, "PgDn ^F Space", "Next page")                         \
    ACTION(TOP, LIST, "Home g", "First row")                                      \
    ACTION(BOTTOM, LIST, "End G", "Last row")                                     \
    ACTION(SCROLL_RIGHT, LIST, "Right >", "Show the columns further right (Name stays)") \
    ACTION(SCROLL_LEFT, LIST, "Left <", "Show the columns further left")          \
    ACTION(SORT_NEXT, LIST, "s", "Sort by the next column")                       \
    ACTION(SORT_REVERSE, LIST, "S", "Reverse the sort order")                     \
    ACTION(REFRESH, LIST, "r F5", "Reload from the database")                     \
    ACTION(OPEN, LIST, "Enter", "Organization: details; contact: its organization") \
    ACTION(BACK, LIST, "Backspace h", "Close the details")                        \
    ACTION(SEARCH, LIST, "/", "Search names (full text, then partial)")           \
    ACTION(NEXT_HIT, LIST, "n", "Next search match")                              \
    ACTION(PREV_HIT, LIST, "N", "Previous search match")                          \
    ACTION(COMMAND, GLOBAL, ":", "Command line: sort, filter, goto, search")      \
    ACTION(EDIT, LIST, "e", "Edit the organization")                              \
    ACTION(NEW, LIST, "+", "New organization")                                    \
    ACTION(DELETE, LIST, "D", "Delete the organization (shows what goes with it)") \
    ACTION(LOG, LIST, "i", "Log an interaction with the organization")            \
    ACTION(MIG_START, MIGRATION, "m", "Start or resume a migration") \
    ACTION(MIG_PAUSE, MIGRATION, "p", "Pause or resume the running migration")     \
    ACTION(MIG_ABORT, MIGRATION, "a", "Stop the migration at a batch boundary") \
    ACTION(MIG_ASSESS, MIGRATION, "A", "Assess the source in the background (pre-flight)") \
    ACTION(CANCEL, GLOBAL, "Esc ^C", "Cancel the running query")                    \
    ACTION(FORM_SAVE, FORM, "w", "Form: save (every field is checked first)")      \
    ACTION(FORM_LEAVE, FORM, "q", "Form: leave (asks first when something changed)") \
    ACTION(MERGE_MINE, MERGE, "o", "Conflict: keep your value of the field")         \
    ACTION(MERGE_THEIRS, MERGE, "t", "Conflict: take their value of the field")      \
    ACTION(CONFIRM_YES, CONFIRM, "y Y", "Question: yes (any other key is no)")

enum action {
#define ACTION_ENUM(name, scope, keys, help) ACT_##name,
    ACTION_TABLE(ACTION_ENUM)
#undef ACTION_ENUM
    ACT_COUNT,
    ACT_NONE = -1
};

struct action_info {
    const char *name;      /* "PAGE_DOWN" */
    const char *scope;     /* "global", "list", "form" … */
    enum key_scope scopes; /* the scope as a KEYS_ bit */
    const char *keys;      /* "PgDn ^F Space" */
    const char *help;
};

const struct action_info *action_info(enum action a);

/* Rebinds an action by name ("PAGE_DOWN") to a space-separated key list
 * from the user's config; 0, or -1 with *err. QUIT always keeps F10, so
 * that no configuration can lock a user in. */
int keymap_bind(const char *action_name, const char *keys, char **err);

/* The same checks as keymap_bind without binding: NULL when action_name
 * and every key exist, else a message (caller frees). For config --check. */
char *keymap_check(const char *action_name, const char *keys);

/* The action bound to a key code (curses key or character) in one of the
 * scopes (KEYS_ bits), or ACT_NONE. */
enum action keymap_lookup(unsigned scopes, int key);

/* The first key bound to an action, as the table writes it ("w"), for
 * texts that name a key: a rebinding shows there too. */
const char *keymap_key_name(enum action a, char *buf, size_t size);

/* The key code for a key name as the table writes it ("^L", "F1", "PgDn",
 * "Space", "j"), or -1 for an unknown name. */
int keymap_key_code(const char *name);

#endif
