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
# screen_like REGEX DESC [FILTER...]: a check that the screen (or what the
# command FILTER, e.g. sed -n 3p, keeps of it) comes to match REGEX within
# 30 s. A screen reaches tmux in more than one write, so when wait_for has
# seen one line, a line further down may still be on its way: a check of
# another part of the screen must wait for it too, never read it once.
# screen_unlike: the same for what must not be there: old text that a
# screen on its way is about to overwrite is waited out, text that stays
# is a failure.
# status_unlike: screen_unlike for a message of the status line, which
# goes by itself 8 s after it was set (ui/screen.c): it waits 2 s at most,
# so that a message that outstays what should have removed it still fails.
screen_like() { _screen_check 0 600 "$@"; }
screen_unlike() { _screen_check 1 600 "$@"; }
status_unlike() { _screen_check 1 40 "$@"; }
_screen_check() { # want(0 match, 1 no match) polls(of 0.05 s) regex desc [filter...]
    local want=$1 polls=$2 re=$3 desc=$4 i=0 s hit
    shift 4
    while :; do
        if [ $# -gt 0 ]; then s=$(screen | "$@"); else s=$(screen); fi
        if printf '%s' "$s" | grep -Eq -- "$re"; then hit=0; else hit=1; fi
        [ $hit -eq "$want" ] && break
        i=$((i + 1))
        [ $i -lt "$polls" ] || break
        sleep 0.05
    done
    if [ "$want" -eq 0 ]; then like "$s" "$re" "$desc"; else unlike "$s" "$re" "$desc"; fi
}
