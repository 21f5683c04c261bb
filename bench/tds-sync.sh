#!/bin/bash
# bench/tds-sync.sh - pantrycrm sync through FreeTDS: changes applied per
# second in one round over a backlog, and CPU time per applied change.
#
# A generated legacy file is served by the tds-standin with Change Tracking
# emulation on every table with a primary key, migrated, then changed
# through TDS (every Interaction and Contact updated, a tenth of the
# interactions deleted: some thousands of changes), and one `pantrycrm
# sync` round applies the backlog. Reported: the round's wall time and
# changes/s, pantrycrm's CPU (user + sys from `time`) and the stand-in's
# (from /proc/PID/stat) per change; verify must pass afterwards.
#
# Measured on the 2-core dev machine (-O2, S=2000: 26,000 changes, 1,300 of
# them deletes): 1.3-1.4 s, 18-20k changes/s; pantrycrm 7-8 µs CPU per
# change, the stand-in 19-27 µs. Before schema 0009 the same round took
# 7.3 s (3.6k/s), in the search word triggers.
#
# Usage: bench/tds-sync.sh [SCALE]          (default 500: 6,500 changes)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm), the test program tests/source-probe next to it
# (PROBE=…), python3 and the stand-in (PANTRYCRM_SHARED or ../shared next
# to the source tree).
. "$(dirname "$0")/lib.sh"
scale=${1:-500}
: "${PROBE:=$(dirname "$PANTRYCRM")/tests/source-probe}"
. "$here/tests/standin.sh"
[ -x "$PROBE" ] || bail_out "no $PROBE: make tests/source-probe (or set PROBE)"
standin_find
pg_start
chmod 711 "$TEST_TMP"
export XDG_STATE_HOME=$TEST_TMP/state PANTRYCRM_MSSQL_PASSWORD=$STANDIN_PASSWORD
SRC=$TEST_TMP/legacy.db
hz=$(getconf CLK_TCK)
proc_cpu() { awk -v hz="$hz" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

echo "# generating S=$scale"
"$PANTRYCRM" demo generate --scale "$scale" --seed 1 --surrogates=escape --out "$SRC" | tail -n 1
ct=""
for t in User Account Session Organization Contact Interaction Opportunity Lead Contract; do
    ct="$ct --ct-table dbo.$t"
done
standin_start bench "$SRC" $ct
spid=$(cat "$TEST_TMP/bench.pid")
LOC=mssql://sa@127.0.0.1:$STANDIN_PORT/standin
pg_createdb b
"$PANTRYCRM" -d dbname=b db migrate >/dev/null
"$PANTRYCRM" -d dbname=b migrate --source "$LOC" --progress none >/dev/null || bail_out "migrate failed"

echo "# the backlog, written through TDS"
"$PROBE" "$LOC" exec \
    "UPDATE dbo.Interaction SET duration = COALESCE(duration, 0) + 1, nextAction = N'bench'" \
    "UPDATE dbo.Contact SET position = N'bench position'" \
    "DELETE FROM dbo.Interaction WHERE id LIKE '%0'" >/dev/null || bail_out "writing the backlog failed"

s0=$(proc_cpu "$spid")
TIMEFORMAT='%R %U %S'
{ time "$PANTRYCRM" -d dbname=b sync --json >"$TEST_TMP/round.json" 2>"$TEST_TMP/sync.err"; } 2>"$TEST_TMP/sync.time" \
    || { cat "$TEST_TMP/sync.err" >&2; bail_out "sync failed"; }
s1=$(proc_cpu "$spid")
read -r w u s <"$TEST_TMP/sync.time"
changes=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["changes"])' "$TEST_TMP/round.json")
"$PANTRYCRM" -d dbname=b verify >/dev/null 2>&1 && v=passes || v=FAILS

awk -v n="$changes" -v w="$w" -v u="$u" -v s="$s" -v s0="$s0" -v s1="$s1" -v v="$v" 'BEGIN {
    printf "changes   wall s   changes/s   pantrycrm CPU s   µs/change   stand-in CPU s   µs/change\n"
    printf "%7d   %6.2f   %9.0f   %15.2f   %9.1f   %14.2f   %9.1f\n", n, w, n / w, u + s, (u + s) * 1e6 / n,
        s1 - s0, (s1 - s0) * 1e6 / n
    printf "# verify after the round %s\n", v
}'
