#!/bin/sh
# The main paths under valgrind (memcheck), headless and a short console
# session: no invalid read or write, no use of uninitialised memory, no
# definite or indirect leak.
# A plain (non-sanitizer) build is needed: valgrind cannot run ASan code.
# tools/check.sh builds one just for this test.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd valgrind valgrind
require_cmd sqlite3 sqlite3
[ "${PANTRYCRM_SKIP_VALGRIND:-}" != 1 ] || skip_all "PANTRYCRM_SKIP_VALGRIND=1 (tools/check.sh already ran it)"
require_cmd nm binutils
if { nm "$PANTRYCRM"; nm -D "$PANTRYCRM"; } 2>/dev/null | grep -Eq '__(asan|ubsan|tsan)_'; then
    skip_all "this build uses sanitizers, which valgrind cannot run; tools/check.sh runs this test in a plain build"
fi
pg_start
export XDG_STATE_HOME=$TEST_TMP/state XDG_CONFIG_HOME=$TEST_TMP/config XDG_DATA_HOME=$TEST_TMP/data
SUPP=$abs_top_srcdir/tests/valgrind.supp
VGLOG=$TEST_TMP/vg

# vg DESC CMD…: runs CMD under memcheck; passes when it exits 0 and
# valgrind reported no error (exit 99 is valgrind's, with the report
# shown as diagnostics).
vg() {
    local desc=$1; shift
    mkdir -p "$VGLOG"
    rm -f "$VGLOG"/*.log
    run valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --error-exitcode=99 --track-fds=no --num-callers=30 --show-leak-kinds=definite,indirect \
        --suppressions="$SUPP" --log-file="$VGLOG/%p.log" "$@"
    if [ "$RC" -eq 0 ]; then _tap_result 0 "$desc"; else
        _tap_result 1 "$desc"
        diag "exit $RC: $*" "stderr: $ERR"
        cat "$VGLOG"/*.log 2>/dev/null | sed 's/^/# /'
    fi
}

SRC=$TEST_TMP/legacy.db
vg "demo generate --messy" "$PANTRYCRM" demo generate --scale 200 --messy --seed 7 --out "$SRC"
# A NUL in a User's name: repaired, its original kept in migration.repair.
sqlite3 "$SRC" "UPDATE \"User\" SET name = 'Ann' || char(0) || 'Lee'
    WHERE id = (SELECT min(id) FROM \"User\")" || bail_out "planting a NUL failed"
pg_createdb v
C=dbname=v
vg "db migrate" "$PANTRYCRM" -d $C db migrate
vg "migrate --source --jobs 2" "$PANTRYCRM" -d $C migrate --source "$SRC" --jobs 2 --progress json
like "$OUT" '"event":"progress"' "migrate reported progress"
# The messy data must reach the quarantine code too.
ok "$( [ "$(psql_val 'SELECT count(*) FROM migration.quarantine' v)" -gt 0 ]; echo $?)" \
    "the messy rows went through the quarantine"
is "$(psql_val "SELECT count(*) FROM migration.repair WHERE reason = 'text_nul'" v)" 1 \
    "and the planted NUL through migration.repair"
vg "verify" "$PANTRYCRM" -d $C verify --source "$SRC"
vg "report --json" "$PANTRYCRM" -d $C report --json
vg "quarantine list" "$PANTRYCRM" -d $C quarantine list
vg "assess --source" "$PANTRYCRM" assess --source "$SRC"
vg "export -f csv" "$PANTRYCRM" -d $C export -f csv -o "$TEST_TMP/o.csv"
vg "export -f jsonl" "$PANTRYCRM" -d $C export -f jsonl -e contacts -o "$TEST_TMP/c.jsonl"
vg "stats --refresh --json" "$PANTRYCRM" -d $C stats --refresh --json
vg "health --json" "$PANTRYCRM" -d $C health --json
vg "config --show" "$PANTRYCRM" -d $C config --show
# The console: the snapshot renderer (no terminal needed) ...
if [ -x "$abs_top_builddir/tests/render.t" ]; then
    vg "the console's renderer (tests/render.t)" "$abs_top_builddir/tests/render.t"
else
    skip "tests/render.t is not built (make check builds it)"
fi
# ... and a short session in a real terminal: page, search, details, quit.
if have_cmd tmux tmux; then
    T="tmux -L pantrycrm-vg-$$ -f /dev/null"
    at_exit "tmux_stop $T"
    screen() { $T capture-pane -p -t vg 2>/dev/null; }
    wait_for() { # regex: poll the screen (valgrind is slow: 60 s at most)
        local i=0
        while [ $i -lt 1200 ]; do
            if screen | grep -Eq -- "$1"; then return 0; fi
            i=$((i + 1)); sleep 0.05
        done
        diag "timed out waiting for /$1/; the screen was:"; diag "$(screen)"
        return 1
    }
    keys() { $T send-keys -t vg "$@"; }
    mkdir -p "$VGLOG"; rm -f "$VGLOG"/*.log
    $T new-session -d -s vg -x 100 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=1000 XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' PANTRYCRM_SYSCONFIG=/dev/null PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no --num-callers=30 --show-leak-kinds=definite,indirect --suppressions='$SUPP' --log-file='$VGLOG/%p.log' '$PANTRYCRM' -d $C; echo EXITED=\$?; sleep 60"
    wait_for "Organizations +sorted by name"; ok $? "the console opens under valgrind"
    # Keys typed while a query is in flight can be dropped by design, and
    # valgrind makes every query slow: wait for the idle hint each time.
    idle() { wait_for "1 Orgs  2 Contacts  3 Migration"; }
    plain="name ~ '^[A-Za-z ]+$'"
    last=$(psql_val "SELECT name FROM \"Organization\" WHERE $plain ORDER BY name DESC LIMIT 1" v)
    keys NPage; keys NPage; keys End
    wait_for "^$last "; ok $? "it pages to the end"
    idle
    keys Home
    first=$(psql_val "SELECT name FROM \"Organization\" WHERE $plain ORDER BY name LIMIT 1" v)
    wait_for "^$first "; ok $? "and back to the start"
    idle
    keys Down
    idle
    keys Enter
    wait_for "Contacts [0-9]+, interactions [0-9]+"; ok $? "it opens the details"
    keys BSpace
    i=0
    while screen | grep -Eq "Contacts [0-9]+, interactions" && [ $i -lt 1200 ]; do
        i=$((i + 1)); sleep 0.05
    done
    idle
    word=$(psql_val "SELECT split_part(name, ' ', 1) FROM \"Organization\" WHERE $plain ORDER BY name LIMIT 1 OFFSET 5" v)
    keys / ; keys -l "$word"; keys Enter
    wait_for "match 1 of [0-9]+ for '$word'"; ok $? "it searches"
    # A filter longer than the list keeps is refused whole, not cut short.
    keys : ; keys -l "filter city=$(printf '%0150d' 0)"; keys Enter
    wait_for "filter too long"; ok $? "an overlong :filter is refused"
    keys : ; keys -l "filter clear"; keys Enter
    idle
    # The jobs beside the screen: a form opened by a thread that borrows
    # the connection, and an export on a thread with its own.
    keys e
    wait_for "Edit organization"; ok $? "it opens an edit form (read by a job)"
    keys q
    idle
    keys : ; keys -l "export csv $TEST_TMP/vg.csv"; keys Enter
    wait_for "exported [0-9]+ rows"; ok $? "it exports the list beside the screen"
    keys 2
    wait_for "Contacts +sorted by"; ok $? "it switches to the contacts pane"
    idle
    # A command line left while ^] (character search) waits for its key,
    # twice: readline's block for that key must not be lost (issue 13).
    keys : C-] Escape : C-] Escape
    idle
    keys q
    wait_for "EXITED=[0-9]+"
    is "$(screen | sed -n 's/.*EXITED=\([0-9]*\).*/\1/p')" 0 "q quits with status 0 and valgrind reported nothing"
    cat "$VGLOG"/*.log 2>/dev/null | sed 's/^/# /'
else
    skip "tmux is not installed"
fi
done_testing
