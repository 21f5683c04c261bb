/* keymap.h - every console action, its keys and its help line, in ONE
 * table: the dispatcher, the help screen and the tests all read it, so a
 * key cannot exist without help, nor help without a key.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_KEYMAP_H
#define PANTRY_KEYMAP_H

#include <stddef.h>

/* ACTION(name, scope, keys, help). keys is a space-separated list of key
 * names as the help shows them: "q", "^L", "F1", "Down", "PgDn" … */
#define ACTION_TABLE(ACTION)                                                       \
    ACTION(QUIT, "global", "q F10", "Quit (asks first while a migration runs here)")   \
    ACTION(HELP, "global", "? F1", "Show this help")                                \
    ACTION(PANE_ORGS, "global", "1 F2", "Organizations pane")                       \
    ACTION(PANE_CONTACTS, "global", "2 F3", "Contacts pane")                        \
    ACTION(PANE_MIGRATION, "global", "3 F4", "Migration pane")                      \
    ACTION(PANE_DASHBOARD, "global", "4 F6", "Dashboard pane")                      \
    ACTION(PANE_HEALTH, "global", "5 F7", "Health pane")                            \
    ACTION(REDRAW, "global", "^L", "Redraw the screen")                             \
    ACTION(UP, "list", "Up k", "Previous row")                                      \
    ACTION(DOWN, "list", "Down j", "Next row")                                      \
    ACTION(PAGE_UP, "list", "PgUp ^B", "Previous page")                             \
    ACTION(PAGE_DOWN, "list", "PgDn ^F Space", "Next page")                         \
    ACTION(TOP, "list", "Home g", "First row")                                      \
    ACTION(BOTTOM, "list", "End G", "Last row")                                     \
    ACTION(SCROLL_RIGHT, "list", "Right >", "Show the columns further right (Name stays)") \
    ACTION(SCROLL_LEFT, "list", "Left <", "Show the columns further left")          \
    ACTION(SORT_NEXT, "list", "s", "Sort by the next column")                       \
    ACTION(SORT_REVERSE, "list", "S", "Reverse the sort order")                     \
    ACTION(REFRESH, "list", "r F5", "Reload from the database")                     \
    ACTION(OPEN, "list", "Enter", "Organization: details; contact: its organization") \
    ACTION(BACK, "list", "Backspace h", "Close the details")                        \
    ACTION(SEARCH, "list", "/", "Search names (full text, then partial)")           \
    ACTION(NEXT_HIT, "list", "n", "Next search match")                              \
    ACTION(PREV_HIT, "list", "N", "Previous search match")                          \
    ACTION(COMMAND, "global", ":", "Command line: sort, filter, goto, search")      \
    ACTION(EDIT, "list", "e", "Edit the organization")                              \
    ACTION(NEW, "list", "+", "New organization")                                    \
    ACTION(DELETE, "list", "D", "Delete the organization (shows what goes with it)") \
    ACTION(LOG, "list", "i", "Log an interaction with the organization")            \
    ACTION(MIG_START, "migration", "m", "Start or resume a migration") \
    ACTION(MIG_PAUSE, "migration", "p", "Pause or resume the running migration")     \
    ACTION(MIG_ABORT, "migration", "a", "Stop the migration at a batch boundary") \
    ACTION(MIG_ASSESS, "migration", "A", "Assess the source in the background (pre-flight)") \
    ACTION(CANCEL, "global", "Esc ^C", "Cancel the running query")

enum action {
#define ACTION_ENUM(name, scope, keys, help) ACT_##name,
    ACTION_TABLE(ACTION_ENUM)
#undef ACTION_ENUM
    ACT_COUNT,
    ACT_NONE = -1
};

struct action_info {
    const char *name;      /* "PAGE_DOWN" */
    const char *scope;     /* "global", "list" */
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

/* The action bound to a key code (curses key or character), or ACT_NONE. */
enum action keymap_lookup(int key);

/* The key code for a key name as the table writes it ("^L", "F1", "PgDn",
 * "Space", "j"), or -1 for an unknown name. */
int keymap_key_code(const char *name);

#endif
