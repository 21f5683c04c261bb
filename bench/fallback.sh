#!/bin/bash
# bench/fallback.sh - pantrycrm fallback through FreeTDS, beside the forward
# sync: changes applied per second in one round over a backlog, and CPU time
# per applied change, in each direction.
#
# A generated legacy file is served by the tds-standin (Change Tracking on
# every table with a primary key and on the fallback's ledger table),
# migrated, and then:
#   forward:  the backlog written through TDS (every Contact updated, every
#             Interaction updated, a tenth of the interactions deleted), one
#             `pantrycrm sync` round applies it to PostgreSQL;
#   fallback: after `cutover --commit`, the same kind of backlog written in
#             PostgreSQL, one `pantrycrm fallback` round applies it to the
#             stand-in.
# Reported per direction: the round's wall time and changes/s, pantrycrm's CPU
# (user + sys from `time`) and the stand-in's (from /proc/PID/stat) per
# change; the capture trigger's cost to an application UPDATE; the rollback
# gate (verify in the other direction) must say go.
#
# Measured on the 2-core dev machine (-O2 -g; other agents busy):
#   S=300   sync      3,900 changes  0.24 s  16.0k/s  pantrycrm  7.7 µs/change  stand-in  26 µs/change
#           fallback  3,697 changes  1.05 s   3.5k/s  pantrycrm 11.9 µs/change  stand-in 262 µs/change
#   S=1000  sync     13,000 changes  1.44 s   9.0k/s  pantrycrm  6.2 µs/change  stand-in  19 µs/change
#           fallback 12,372 changes 10.58 s   1.2k/s  pantrycrm 11.2 µs/change  stand-in 285 µs/change
#   capture cost to the application: +28 µs per updated row (9,372 interactions:
#   651 ms with the trigger, 391 ms without). Of that, about 10 µs is the
#   SECURITY DEFINER function's fixed search_path (the per-table function
#   without it: +18 µs); a generic trigger reading rows through to_jsonb()
#   cost +23 µs without it. Against an application's round trip per write
#   (about a millisecond) this is noise, and it needs no right for the
#   application's role. Wall times vary twofold with the other work on the
#   machine; the CPU figures are stable.
# The fallback's own CPU per change is of the same order as the sync's; its
# wall time is the stand-in's (one Python process parsing an UPDATE and an
# INSERT ... WHERE NOT EXISTS of full literal rows per change, where the
# forward direction reads compact CHANGETABLE rows).
#
# Usage: bench/fallback.sh [SCALE]          (default 300: about 3,900 changes)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm), tests/source-probe next to it (PROBE=…), python3 and
# the stand-in (PANTRYCRM_SHARED or ../shared next to the source tree).
. "$(dirname "$0")/lib.sh"
scale=${1:-300}
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
# The stand-in chooses its tracked tables at start-up: the ledger exists first.
sqlite3 "$SRC" 'CREATE TABLE "_pantrycrm_fallback" ("round" BIGINT NOT NULL PRIMARY KEY,
    "changes" INT NOT NULL, "applied_at" DATETIME2 NOT NULL)'
ct="--ct-table dbo._pantrycrm_fallback"
for t in User Account Session Organization Contact Interaction Opportunity Lead Contract; do
    ct="$ct --ct-table dbo.$t"
done
standin_start bench "$SRC" $ct
spid=$(cat "$TEST_TMP/bench.pid")
LOC=mssql://sa@127.0.0.1:$STANDIN_PORT/standin
pg_createdb b
C=dbname=b
"$PANTRYCRM" -d $C db migrate >/dev/null
"$PANTRYCRM" -d $C migrate --source "$LOC" --progress none >/dev/null || bail_out "migrate failed"

TIMEFORMAT='%R %U %S'
# timed NAME CMD…: one round, its wall/user/sys and the stand-in's CPU.
timed() {
    local name=$1
    shift
    local s0 s1
    s0=$(proc_cpu "$spid")
    { time "$@" >"$TEST_TMP/$name.json" 2>"$TEST_TMP/$name.err"; } 2>"$TEST_TMP/$name.time"
    local rc=$?
    s1=$(proc_cpu "$spid")
    echo "$s0 $s1" >"$TEST_TMP/$name.standin"
    return $rc
}

echo "# forward: the backlog written through TDS, one sync round"
"$PROBE" "$LOC" exec \
    "UPDATE dbo.Interaction SET duration = COALESCE(duration, 0) + 1, nextAction = N'bench'" \
    "UPDATE dbo.Contact SET position = N'bench position'" \
    "DELETE FROM dbo.Interaction WHERE id LIKE '%0'" >/dev/null || bail_out "writing the backlog failed"
timed sync "$PANTRYCRM" -d $C sync --json || { cat "$TEST_TMP/sync.err" >&2; bail_out "sync failed"; }

for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
    "$PANTRYCRM" -d $C quarantine accept --table $t >/dev/null 2>&1
done
"$PANTRYCRM" -d $C cutover --commit --yes --quiet-for 0 --report-dir "$TEST_TMP" >/dev/null \
    || bail_out "cutover --commit failed"

# The capture's cost to the application: one UPDATE of every interaction with
# the trigger and without it (the latter rolled back), best of three each.
ms() { # SQL...: the time in ms of the next-to-last statement (the last is ROLLBACK)
    psql -X -q -d b -c '\timing on' "$@" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 2 | head -n 1
}
best() { sort -n | head -n 1; }
with=$(for i in 1 2 3; do ms -c "BEGIN" -c "UPDATE \"Interaction\" SET duration = duration" -c "ROLLBACK"; done | best)
without=$(for i in 1 2 3; do ms -c "BEGIN" -c "ALTER TABLE \"Interaction\" DISABLE TRIGGER pantrycrm_fallback" \
    -c "UPDATE \"Interaction\" SET duration = duration" -c "ROLLBACK"; done | best)
ncontacts=$(psql -X -At -d b -c 'SELECT count(*) FROM "Interaction"')

echo "# fallback: the backlog written in PostgreSQL, one fallback round"
psql -X -q -d b -c "UPDATE \"Interaction\" SET duration = coalesce(duration, 0) + 1, \"nextAction\" = 'bench ↩'" \
     -c "UPDATE \"Contact\" SET position = 'bench position ↩'" \
     -c "DELETE FROM \"Interaction\" WHERE id::text LIKE '%1'" || bail_out "writing the backlog failed"
timed fallback "$PANTRYCRM" -d $C fallback --json || { cat "$TEST_TMP/fallback.err" >&2; bail_out "fallback failed"; }
"$PANTRYCRM" -d $C cutover --rollback-check --quiet-for 0 >/dev/null 2>&1 && v=go || v=NO-GO

echo "direction   changes   wall s   changes/s   pantrycrm CPU s   µs/change   stand-in CPU s   µs/change"
for name in sync fallback; do
    read -r w u s <"$TEST_TMP/$name.time"
    read -r s0 s1 <"$TEST_TMP/$name.standin"
    n=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["changes"])' "$TEST_TMP/$name.json")
    awk -v name="$name" -v n="$n" -v w="$w" -v u="$u" -v s="$s" -v s0="$s0" -v s1="$s1" 'BEGIN {
        printf "%-9s %9d   %6.2f   %9.0f   %15.2f   %9.1f   %14.2f   %9.1f\n", name, n, w, n / w, u + s,
            (u + s) * 1e6 / n, s1 - s0, (s1 - s0) * 1e6 / n
    }'
done
awk -v n="$ncontacts" -v a="$with" -v b="$without" 'BEGIN {
    printf "# capture cost: UPDATE of %d interactions %.1f ms with the trigger, %.1f ms without (+%.1f µs per row)\n",
        n, a, b, (a - b) * 1000 / n }'
echo "# the rollback gate after the fallback round: $v"
