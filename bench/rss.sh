#!/bin/bash
# bench/rss.sh - what each long-running command costs in memory, at one
# scale: `migrate`, `verify`, `assess` and one `sync` round after a large
# change set, each measured by bench/measure.py (wall, the command's CPU,
# its peak RSS, PostgreSQL's CPU and everyone else's CPU meanwhile, so a
# busy machine shows). The goal (issue 15) is a peak RSS of at most 64 MB
# for every one of them at any scale.
#
# The source is generated (seed 1) unless BENCH_SOURCE names an existing
# one; that file is never written: the run works on a copy, turns change
# capture on in the copy, migrates it, then updates BENCH_SYNC_PERCENT
# (default 5) percent of Interaction's rows in it before the sync round, so
# that the round's memory can be seen to stay flat as its change set grows.
# Last, `sync --reinit BENCH_REINIT` (default Interaction) re-copies a whole
# table in one round: its memory must not follow the table either.
#
# Usage: bench/rss.sh [SCALE]                  (default 10000)
# Environment: PANTRYCRM (an optimised build; default ./_build/pantrycrm),
# BENCH_SOURCE, BENCH_SYNC_PERCENT, BENCH_REINIT (a table, or none), BENCH_TMP
# (where the copy goes; default the harness's scratch directory).
. "$(dirname "$0")/lib.sh"
scale=${1:-10000}
pct=${BENCH_SYNC_PERCENT:-5}
reinit=${BENCH_REINIT:-Interaction}
for tool in python3 sqlite3 psql; do
    command -v $tool >/dev/null 2>&1 || { echo "bench/rss.sh needs $tool"; exit 1; }
done
[ -x "$PANTRYCRM" ] || { echo "no pantrycrm at $PANTRYCRM: build one (CFLAGS='-O2 -g') and set PANTRYCRM"; exit 1; }
pg_start
chmod 711 "$TEST_TMP"
export XDG_STATE_HOME=$TEST_TMP/state
postmaster=$(head -n 1 "$PGT_DATA/postmaster.pid")
M=$TEST_TMP/measure.out
: >"$M"
measure() { # NAME COMMAND...: its output goes to $TEST_TMP/NAME.out
    local name=$1 rc
    shift
    rm -f "$TEST_TMP/last.measure"
    python3 "$here/bench/measure.py" --postmaster "$postmaster" --out "$TEST_TMP/last.measure" -- "$@" \
        >"$TEST_TMP/$name.out" 2>&1
    rc=$?
    echo "$name $(cat "$TEST_TMP/last.measure")" >>"$M"
    [ "$rc" -eq 0 ] || { echo "# $name exited $rc:"; tail -n 5 "$TEST_TMP/$name.out"; }
    return 0
}

work=${BENCH_TMP:-$TEST_TMP}
SRC=$work/rss-legacy-$scale.$$.db
trap 'rm -f "$SRC" "$SRC-journal" "$SRC-wal" "$SRC-shm"' EXIT
if [ -n "${BENCH_SOURCE:-}" ]; then
    echo "# copying $BENCH_SOURCE"
    cp "$BENCH_SOURCE" "$SRC" || bail_out "cannot copy the source"
else
    echo "# generating S=$scale"
    "$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" >/dev/null || bail_out "generate failed"
fi
"$PANTRYCRM" demo track --source "$SRC" >/dev/null || bail_out "demo track failed"
pg_createdb b
"$PANTRYCRM" -d dbname=b db migrate >/dev/null || bail_out "db migrate failed"
rows=$(sqlite3 "$SRC" 'SELECT (SELECT count(*) FROM "Interaction")')

echo "# migrate, verify, assess"
measure migrate "$PANTRYCRM" -d dbname=b migrate --source "$SRC" --progress none
measure verify "$PANTRYCRM" -d dbname=b verify
measure assess "$PANTRYCRM" assess --source "$SRC" --json

# The change set: every (100/pct)th Interaction row by key, a new subject
# and outcome, written by another program (the change log seals it).
every=$((100 / pct))
echo "# updating every ${every}th of $rows Interaction rows in the source"
sqlite3 "$SRC" "UPDATE \"Interaction\" SET subject = subject || ' (rss)', updatedAt = '2026-01-02 03:04:05'
    WHERE rowid % $every = 0" || bail_out "the update failed"
measure sync "$PANTRYCRM" -d dbname=b sync --json
changes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changes"])' "$TEST_TMP/sync.out" 2>/dev/null)
commands="migrate verify assess sync"
if [ "$reinit" != none ]; then
    echo "# sync --reinit $reinit"
    measure reinit "$PANTRYCRM" -d dbname=b sync --reinit "$reinit" --json
    commands="$commands reinit"
fi

field() { sed -n "s/^$1 .*$2=\([^ ]*\).*/\1/p" "$M"; }
echo
printf '# S=%s; sync applied %s changes (%s%% of Interaction); reinit: %s\n' "$scale" "${changes:-?}" "$pct" "$reinit"
printf '%-10s %9s %10s %8s %9s %10s %6s\n' command wall_s client_cpu rss_mb pg_cpu foreign status
for c in $commands; do
    printf '%-10s %9s %10s %8s %9s %10s %6s\n' "$c" "$(field $c wall)" "$(field $c client_cpu)" \
        "$(field $c rss_mb)" "$(field $c server_cpu)" "$(field $c foreign_cpu)" "$(field $c status)"
done
exit 0
