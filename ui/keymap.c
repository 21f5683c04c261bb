/* keymap.c - key names, codes and the action table.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "keymap.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A scope's name as the table shows it, by its bit. */
static const char *const scope_names[] = {
    [KEYS_GLOBAL] = "global", [KEYS_LIST] = "list", [KEYS_MIGRATION] = "migration",
    [KEYS_FORM] = "form", [KEYS_MERGE] = "merge", [KEYS_CONFIRM] = "confirm",
};

/* Mutable so that the user's bindings show in the help too. */
static struct action_info actions[ACT_COUNT] = {
#define ACTION_INFO(name, scope, keys, help) {#name, scope_names[KEYS_##scope], KEYS_##scope, keys, help},
    ACTION_TABLE(ACTION_INFO)
#undef ACTION_INFO
};

const struct action_info *action_info(enum action a)
{
    return a >= 0 && a < ACT_COUNT ? &actions[a] : NULL;
}

static const struct {
    const char *name;
    int code;
} named[] = {
    {"Up", KEY_UP},       {"Down", KEY_DOWN}, {"Left", KEY_LEFT},  {"Right", KEY_RIGHT},
    {"PgUp", KEY_PPAGE},  {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME},  {"End", KEY_END},
    {"Enter", '\r'},      {"Esc", 27},        {"Space", ' '},      {"Tab", '\t'},
    {"Backspace", KEY_BACKSPACE},
};

int keymap_key_code(const char *name)
{
    size_t n = strlen(name);
    if (n == 1)
        return (unsigned char)name[0];
    if (n == 2 && name[0] == '^' && name[1] >= '@' && name[1] <= '_')
        return name[1] - '@';
    if (name[0] == 'F' && n <= 3) {
        int f = atoi(name + 1);
        if (f >= 1 && f <= 12)
            return KEY_F(f);
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(named[i].name, name) == 0)
            return named[i].code;
    return -1;
}

const char *keymap_key_name(enum action a, char *buf, size_t size)
{
    const char *keys = a >= 0 && a < ACT_COUNT ? actions[a].keys : "";
    snprintf(buf, size, "%.*s", (int)strcspn(keys, " "), keys);
    return buf;
}

enum action keymap_lookup(unsigned scopes, int key)
{
    /* Enter arrives as CR (the console runs nonl()), LF or KEY_ENTER
     * depending on the terminal and its keypad mode: all mean Enter. */
    if (key == '\n' || key == KEY_ENTER)
        key = '\r';
    for (int a = 0; a < ACT_COUNT; a++) {
        if (!(actions[a].scopes & scopes))
            continue;
        char keys[64];
        strncpy(keys, actions[a].keys, sizeof keys - 1);
        keys[sizeof keys - 1] = '\0';
        for (char *save = NULL, *tok = strtok_r(keys, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
            if (keymap_key_code(tok) == key)
                return (enum action)a;
    }
    return ACT_NONE;
}

char *keymap_check(const char *action_name, const char *keys)
{
    int a = 0;
    while (a < ACT_COUNT && strcmp(actions[a].name, action_name) != 0)
        a++;
    if (a == ACT_COUNT)
        return xasprintf("unknown action '%s' (see 'pantrycrm keys' and pantrycrm(1))", action_name);
    char copy[128];
    snprintf(copy, sizeof copy, "%s", keys);
    for (char *save = NULL, *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save))
        if (keymap_key_code(k) < 0)
            return xasprintf("unknown key '%s' for %s", k, action_name);
    return NULL;
}

int keymap_bind(const char *action_name, const char *keys, char **err)
{
    if ((*err = keymap_check(action_name, keys)))
        return -1;
    int a = 0;
    while (strcmp(actions[a].name, action_name) != 0)
        a++;
    /* Leaked on purpose when rebound twice: bindings live as long as the
     * process and are set a handful of times at start-up. */
    actions[a].keys = a == ACT_QUIT && !strstr(keys, "F10") ? xasprintf("%s F10", keys) : xstrdup(keys);
    return 0;
}
