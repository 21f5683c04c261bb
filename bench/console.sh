#!/bin/bash
# bench/console.sh - the console's speed and memory on a large CRM.
#
# Loads a generated legacy source at scale S into a throwaway cluster, then
#   1. times every browse step (first page, next/prev, page-around, goto,
#      sort change, search, detail view) as a ratio to a primary-key round
#      trip measured in the same run (tests/browse-cli bench);
#   2. drives the real console in tmux through paging, sorting, searching
#      and details, and reads its peak RSS (VmHWM) from /proc.
# Usage: bench/console.sh [SCALE]   (default 100000; the target is stated
# at 1000000). Needs an optimised build: PANTRYCRM and BROWSE_CLI (default
# ./_build/pantrycrm and ./_build/tests/browse-cli).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-100000}
: "${PANTRYCRM:=$here/_build/pantrycrm}"
: "${BROWSE_CLI:=$(dirname "$PANTRYCRM")/tests/browse-cli}"
abs_top_srcdir=$here
export PANTRYCRM_DATADIR=$here/data
. "$here/tests/lib.sh"
. "$here/tests/pgcluster.sh"
trap - INT
[ -x "$BROWSE_CLI" ] || bail_out "build tests/browse-cli first (make tests/browse-cli)"
# BENCH_CONNINFO: measure an existing database instead (generating and
# migrating S=1,000,000 takes a quarter of an hour).
if [ -n "${BENCH_CONNINFO:-}" ]; then
    conn=$BENCH_CONNINFO
    echo "# an existing database: $(psql -X -At -d "$conn" -c 'SELECT count(*) FROM "Organization"') organizations"
else
    pg_start
    conn=dbname=b
    echo "# generating and migrating S=$scale"
    "$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$TEST_TMP/l.db" | tail -n 1
    pg_createdb b
    "$PANTRYCRM" -d "$conn" db migrate >/dev/null
    "$PANTRYCRM" -d "$conn" migrate --source "$TEST_TMP/l.db" --progress none --jobs 2 >/dev/null \
        || bail_out "migrate failed"
fi

echo "# browse steps, as ratios to a primary-key round trip (medians of 100)"
"$BROWSE_CLI" "$conn" orgs bench 100

echo "# console peak memory while paging, sorting, searching and opening details"
T="tmux -L pantrycrm-bench-$$ -f /dev/null"
$T new-session -d -x 160 -y 50 "env TERM=screen LC_ALL=C.UTF-8 XDG_STATE_HOME='$TEST_TMP/st' PGHOST='${PGHOST:-}' PGPORT=${PGPORT:-5432} PGUSER=postgres '$PANTRYCRM' -d '$conn'; sleep 30"
pid=
for i in $(seq 1 100); do
    pid=$(pgrep -f "pantrycrm -d $conn\$" | head -n 1)
    [ -n "$pid" ] && $T capture-pane -p | grep -q "rows" && break
    sleep 0.1
done
[ -n "$pid" ] || bail_out "the console did not start"
keys() { $T send-keys "$@"; sleep 0.05; }
for i in $(seq 1 200); do keys NPage; done
keys End; keys Home
for s in 1 2 3 4 5 6 7 8; do keys s; sleep 0.2; done
keys / ; $T send-keys -l "Hospital"; keys Enter; sleep 0.5
for i in $(seq 1 20); do keys n; done
keys Enter; sleep 0.5; keys BSpace
keys 2; for i in $(seq 1 100); do keys NPage; done
keys 3; sleep 1
echo "console peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/"$pid"/status) (target <= 20 MB)"
keys q
$T kill-server 2>/dev/null
