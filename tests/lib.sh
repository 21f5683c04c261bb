# tests/lib.sh - TAP helpers for the shell tests. Source it first.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
#
# Every test prints TAP (counted by Automake's tap-driver). Assertions:
#   ok COND_EXIT_STATUS DESC   is GOT WANT DESC   like GOT ERE DESC
#   unlike GOT ERE DESC        run_ok DESC CMD…   run_fails DESC CMD…
# Finish with done_testing. skip_all REASON skips the whole file.

set -u
export LC_ALL=C.UTF-8 TZ=UTC
# A developer's own connection settings must not leak into the tests.
unset PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGHOSTADDR PGOPTIONS PGSSLMODE 2>/dev/null || true
# Nor the machine's pantrycrm configuration (tests that want one set these).
PANTRYCRM_SYSCONFIG=/dev/null; export PANTRYCRM_SYSCONFIG; unset PANTRYCRM_CONFIG 2>/dev/null || true
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
: "${PANTRYCRM:=$abs_top_builddir/pantrycrm}"
export abs_top_srcdir abs_top_builddir PANTRYCRM

_tap_n=0
_tap_failed=0

_tap_result() { # status desc
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then
        printf 'ok %d - %s\n' "$_tap_n" "$2"
    else
        printf 'not ok %d - %s\n' "$_tap_n" "$2"
        _tap_failed=$((_tap_failed + 1))
    fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

ok() { _tap_result "$1" "$2"; }

is() {
    if [ "$1" = "$2" ]; then _tap_result 0 "$3"; else
        _tap_result 1 "$3"; diag "got:  '$1'" "want: '$2'"; fi
}

like() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then _tap_result 0 "$3"; else
        _tap_result 1 "$3"; diag "no match for /$2/ in:" "$1"; fi
}

unlike() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then
        _tap_result 1 "$3"; diag "unexpected match for /$2/ in:" "$1"; else _tap_result 0 "$3"; fi
}

# run CMD…: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
    local o e
    o=$(mktemp) e=$(mktemp)
    "$@" >"$o" 2>"$e"
    RC=$?
    OUT=$(cat "$o") ERR=$(cat "$e")
    rm -f "$o" "$e"
    return 0
}

run_ok() {
    local desc=$1; shift
    run "$@"
    if [ "$RC" -eq 0 ]; then _tap_result 0 "$desc"; else
        _tap_result 1 "$desc"; diag "exit $RC: $*" "stdout: $OUT" "stderr: $ERR"; fi
}

run_fails() { # desc status cmd…
    local desc=$1 want=$2; shift 2
    run "$@"
    if [ "$RC" -eq "$want" ]; then _tap_result 0 "$desc"; else
        _tap_result 1 "$desc"; diag "exit $RC (want $want): $*" "stdout: $OUT" "stderr: $ERR"; fi
}

skip() { _tap_n=$((_tap_n + 1)); printf 'ok %d # SKIP %s\n' "$_tap_n" "$1"; }

skip_all() { printf '1..0 # SKIP %s\n' "$1"; exit 0; }

# A tool the suite needs. tools/check.sh installs every one (tools/deps.sh)
# and sets PANTRYCRM_STRICT=1: there a missing tool fails the test loudly,
# since a skip would let a check pass without checking. Run by hand on a
# bare machine, the test is skipped with the reason instead.
tool_missing() { # what package: in strict mode, a failure
    [ "${PANTRYCRM_STRICT:-}" = 1 ] || return 0
    bail_out "$1 is missing (Debian package $2), though tools/deps.sh installs it"
}
require_cmd() { # command package: skip the whole file without it
    command -v "$1" >/dev/null 2>&1 && return 0
    tool_missing "$1" "$2"
    skip_all "$1 is not installed (Debian package $2)"
}
have_cmd() { # command package: false without it (a failed test in strict mode)
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "${PANTRYCRM_STRICT:-}" = 1 ] && _tap_result 1 "$1 is installed (Debian package $2)"
    return 1
}

bail_out() { printf 'Bail out! %s\n' "$1"; exit 1; }

done_testing() {
    printf '1..%d\n' "$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}

# Ends a test's tmux server, and first whatever its panes still run: a
# console that loses its terminal while built with LeakSanitizer can hang
# for ever in the leak check at exit, spinning, so it is killed outright:
# everything in the pane's terminal session (the pane's shell leads it), the
# leak checker's own tracer task included. A migration the console started
# runs in a session of its own by design and is left to the test.
tmux_stop() { # the tmux command words, e.g. tmux_stop $T
    local p
    for p in $("$@" list-panes -a -F '#{pane_pid}' 2>/dev/null); do
        pkill -KILL -s "$p" 2>/dev/null
    done
    "$@" kill-server 2>/dev/null
}
# The same for one session of that server.
tmux_retire() { # session, then the tmux command words
    local s=$1 p
    shift
    for p in $("$@" list-panes -s -t "$s" -F '#{pane_pid}' 2>/dev/null); do
        pkill -KILL -s "$p" 2>/dev/null
    done
    "$@" kill-session -t "$s" 2>/dev/null
}

# A private scratch directory, removed at exit (with the cluster, if any).
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pantrycrm-test.XXXXXX")
_cleanup_hooks=""
at_exit() { _cleanup_hooks="$1;$_cleanup_hooks"; }
_run_cleanup() {
    eval "$_cleanup_hooks"
    rm -rf "$TEST_TMP"
}
trap _run_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# A reader that goes away (… | head) must not skip the cleanup either.
trap 'exit 141' PIPE
