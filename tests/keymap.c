/* tests/keymap.c - the key table, the dispatcher and the help agree:
 * every action has keys and help, every key it names resolves back to
 * that action, and no key is bound twice.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "tap.h"

#include "keymap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    int codes[256];
    int owners[256];
    size_t ncodes = 0;
    for (int a = 0; a < ACT_COUNT; a++) {
        const struct action_info *ai = action_info((enum action)a);
        ok(ai && ai->help && strlen(ai->help) > 3, "%s has a help line", ai ? ai->name : "?");
        ok(ai && ai->keys && *ai->keys, "%s has at least one key", ai ? ai->name : "?");
        char keys[64];
        snprintf(keys, sizeof keys, "%s", ai->keys);
        for (char *save = NULL, *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
            int code = keymap_key_code(k);
            ok(code >= 0, "%s: key name '%s' is known", ai->name, k);
            is_int(keymap_lookup(code), a, "pressing it dispatches the action its help names");
            for (size_t i = 0; i < ncodes; i++)
                if (codes[i] == code)
                    ok(0, "key '%s' of %s is also bound to action %d", k, ai->name, owners[i]);
            if (ncodes < 256) {
                codes[ncodes] = code;
                owners[ncodes++] = a;
            }
        }
    }
    is_int(keymap_lookup('%'), ACT_NONE, "an unbound key dispatches nothing");
    is_int(keymap_key_code("NoSuchKey"), -1, "an unknown key name is refused");
    is_int(keymap_key_code("^L"), 12, "^L is control-L");
    return done_testing();
}
