/* tests/keymap.c - the key table, the dispatcher and the help agree:
 * every action has keys and help, every key it names resolves back to
 * that action in the action's scope, and no key means two things where
 * it is read. Form keys and the confirmation are entries of the table.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "keymap.h"

#include <stdlib.h>
#include <string.h>

/* The scopes that are read together: a key must mean one action in each
 * group (a form reads FORM before the others: its q is meant to win). */
static const unsigned groups[] = {KEYS_BROWSE, KEYS_FORM | KEYS_MERGE, KEYS_CONFIRM};

int main(void)
{
    int codes[256];
    int owners[256];
    size_t ncodes = 0;
    for (int a = 0; a < ACT_COUNT; a++) {
        const struct action_info *ai = action_info((enum action)a);
        ok(ai && ai->help && strlen(ai->help) > 3, "%s has a help line", ai ? ai->name : "?");
        ok(ai && ai->keys && *ai->keys, "%s has at least one key", ai ? ai->name : "?");
        ok(ai && ai->scope && ai->scopes, "%s has a scope (%s)", ai ? ai->name : "?", ai ? ai->scope : "");
        char keys[64];
        snprintf(keys, sizeof keys, "%s", ai->keys);
        for (char *save = NULL, *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
            int code = keymap_key_code(k);
            ok(code >= 0, "%s: key name '%s' is known", ai->name, k);
            is_int(keymap_lookup(ai->scopes, code), a, "pressing it dispatches the action its help names");
            for (size_t i = 0; i < ncodes; i++) {
                if (codes[i] != code)
                    continue;
                unsigned other = action_info((enum action)owners[i])->scopes;
                for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
                    if ((groups[g] & other) && (groups[g] & ai->scopes))
                        ok(0, "key '%s' of %s is also bound to %s", k, ai->name,
                           action_info((enum action)owners[i])->name);
            }
            if (ncodes < 256) {
                codes[ncodes] = code;
                owners[ncodes++] = a;
            }
        }
    }
    is_int(keymap_lookup(KEYS_BROWSE, '%'), ACT_NONE, "an unbound key dispatches nothing");
    is_int(keymap_key_code("NoSuchKey"), -1, "an unknown key name is refused");
    is_int(keymap_key_code("^L"), 12, "^L is control-L");

    /* Scopes are honoured: the same key, another meaning, or none. */
    is_int(keymap_lookup(KEYS_BROWSE, 'q'), ACT_QUIT, "q quits from a pane");
    is_int(keymap_lookup(KEYS_FORM, 'q'), ACT_FORM_LEAVE, "q leaves a form");
    is_int(keymap_lookup(KEYS_BROWSE, 'w'), ACT_NONE, "w means nothing outside a form");
    is_int(keymap_lookup(KEYS_FORM, 'w'), ACT_FORM_SAVE, "w saves a form");
    is_int(keymap_lookup(KEYS_MERGE, 'o'), ACT_MERGE_MINE, "o keeps yours in a conflict");
    is_int(keymap_lookup(KEYS_MERGE, 't'), ACT_MERGE_THEIRS, "t takes theirs in a conflict");
    is_int(keymap_lookup(KEYS_CONFIRM, 'y'), ACT_CONFIRM_YES, "y answers a question");
    is_int(keymap_lookup(KEYS_CONFIRM, 'Y'), ACT_CONFIRM_YES, "so does Y");
    is_int(keymap_lookup(KEYS_CONFIRM, 'q'), ACT_NONE, "a question reads no other key");

    /* Form and confirmation keys are rebindable and checked like the rest
     * (the configuration's key.ACTION settings go through these). */
    char *err = NULL, name[16];
    is_str(keymap_key_name(ACT_CONFIRM_YES, name, sizeof name), "y", "a question names its first yes key");
    ok(keymap_check("CONFIRM_YES", "y") == NULL, "the config check knows CONFIRM_YES");
    is_int(keymap_bind("FORM_SAVE", "^S", &err), 0, "FORM_SAVE can be rebound to ^S");
    free(err);
    is_int(keymap_lookup(KEYS_FORM, 19), ACT_FORM_SAVE, "^S then saves a form");
    is_int(keymap_lookup(KEYS_FORM, 'w'), ACT_NONE, "and w no longer does");
    is_str(action_info(ACT_FORM_SAVE)->keys, "^S", "the table (help, pantrycrm keys) shows the binding");
    is_str(keymap_key_name(ACT_FORM_SAVE, name, sizeof name), "^S", "and so does the form's title");
    err = keymap_check("MERGE_MINE", "NoSuchKey");
    ok(err && strstr(err, "unknown key"), "a wrong key for a form action is refused");
    free(err);
    return done_testing();
}
