#!/bin/bash
# bench/tds.sh - pantrycrm's own CPU time per row on the FreeTDS path.
#
# Through the tds-standin the stand-in (one Python process, ~9 µs of CPU
# per row) is the bottleneck, so wall-clock rows/s measures the stand-in.
# What this reports instead is CPU time: `pantrycrm migrate` from the
# stand-in (user + sys of pantrycrm, all its threads) beside the
# stand-in's own (from /proc/PID/stat), and, for reference, pantrycrm's CPU
# for the same rows read from the SQLite file directly. The difference is
# what the FreeTDS source costs pantrycrm.
#
# Usage: bench/tds.sh [SCALE] [JOBS]        (default 5000 and 2)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm), python3 and the stand-in (PANTRYCRM_SHARED or
# ../shared next to the source tree).
. "$(dirname "$0")/lib.sh"
scale=${1:-5000}
jobs=${2:-2}
. "$here/tests/standin.sh"
standin_find
pg_start
chmod 711 "$TEST_TMP"
export XDG_STATE_HOME=$TEST_TMP/state PANTRYCRM_MSSQL_PASSWORD=$STANDIN_PASSWORD
SRC=$TEST_TMP/legacy.db
tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
hz=$(getconf CLK_TCK)

echo "# generating S=$scale"
"$PANTRYCRM" demo generate --scale "$scale" --seed 1 --surrogates=escape --out "$SRC" | tail -n 1
rows=$(for t in $tables; do sqlite3 "$SRC" "SELECT count(*) FROM \"$t\""; done | awk '{ s += $1 } END { print s }')
echo "# $rows source rows"
standin_start bench "$SRC"
spid=$(cat "$TEST_TMP/bench.pid")
proc_cpu() { awk -v hz="$hz" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# run NAME SOURCE: migrates into a fresh database; prints "wall user sys".
run() {
    pg_createdb "$1"
    "$PANTRYCRM" -d "dbname=$1" db migrate >/dev/null
    local TIMEFORMAT='%R %U %S'
    { time "$PANTRYCRM" -d "dbname=$1" migrate --source "$2" --progress none --jobs "$jobs" \
        >/dev/null 2>"$TEST_TMP/$1.err"; } 2>"$TEST_TMP/$1.time" \
        || { cat "$TEST_TMP/$1.err" >&2; bail_out "migrate $1 failed"; }
    cat "$TEST_TMP/$1.time"
}

s0=$(proc_cpu "$spid")
read -r tw tu ts < <(run tds "mssql://sa@127.0.0.1:$STANDIN_PORT/standin")
s1=$(proc_cpu "$spid")
read -r qw qu qs < <(run lite "sqlite:$SRC")
same=$(for db in tds lite; do
    for t in $tables; do
        psql -X -At -d "$db" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done | md5sum; done | uniq | wc -l)

awk -v rows="$rows" -v tw="$tw" -v tu="$tu" -v ts="$ts" -v qw="$qw" -v qu="$qu" -v qs="$qs" \
    -v s0="$s0" -v s1="$s1" -v same="$same" 'BEGIN {
    us = 1e6 / rows
    printf "source          wall s   rows/s   pantrycrm CPU s   µs/row   stand-in CPU s   µs/row\n"
    printf "FreeTDS         %6.2f %8.0f   %15.2f   %6.2f   %14.2f   %6.2f\n", tw, rows / tw, tu + ts, (tu + ts) * us, s1 - s0, (s1 - s0) * us
    printf "SQLite file     %6.2f %8.0f   %15.2f   %6.2f\n", qw, rows / qw, qu + qs, (qu + qs) * us
    printf "# FreeTDS path costs pantrycrm %.2f µs of CPU per row more than the SQLite file (%.0f%%)\n",
        (tu + ts - qu - qs) * us, 100 * (tu + ts - qu - qs) / (qu + qs)
    printf "# both targets identical: %s\n", same == 1 ? "yes" : "NO"
}'
