# tests/tui.sh - a real terminal for the console tests: a private tmux
# server whose screen is polled, never read after a blind sleep.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
#
# Source after lib.sh, then tui_init NAME: T is the tmux command of a
# server of this test's own (stopped at exit, with whatever its panes still
# run), and S the session the helpers below look at.

tui_init() { # name
    T="tmux -L pantrycrm-$1-$$ -f /dev/null"
    # shellcheck disable=SC2086
    at_exit "tmux_stop $T"
    S=${S:-$1}
}
screen() { $T capture-pane -p -t "$S" 2>/dev/null; }
# The screen as one line of words, frame characters dropped: for phrases
# that may wrap anywhere at the terminal's width.
screen_words() { screen | tr -s ' \n│|' '    '; }
_tui_poll() { # want(0 match, 1 gone) regex seconds
    local limit=$(( $3 * 20 )) i=0 hit
    while [ $i -lt $limit ]; do
        if screen | grep -Eq -- "$2"; then hit=0; else hit=1; fi
        [ $hit -eq "$1" ] && return 0
        i=$((i + 1)); sleep 0.05
    done
    return 1
}
wait_for() { # regex [seconds, default 30]: until the screen matches
    _tui_poll 0 "$1" "${2:-30}" && return 0
    diag "timed out waiting for /$1/; the screen was:"; diag "$(screen)"
    return 1
}
wait_for_quiet() { _tui_poll 0 "$1" "${2:-30}"; }  # the same, without diagnostics
wait_for_gone() { # regex [seconds, default 30]: until the screen no longer matches
    _tui_poll 1 "$1" "${2:-30}" && return 0
    diag "timed out waiting for /$1/ to go; the screen was:"; diag "$(screen)"
    return 1
}
keys() { $T send-keys -t "$S" "$@"; }
