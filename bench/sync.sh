#!/bin/bash
# bench/sync.sh - Change Tracking sync throughput: changes applied per
# second while `pantrycrm demo activity` keeps writing to the source.
#
#   live     activity at RATE changes/s for SECONDS while `sync --follow`
#            applies rounds every 0.5 s; reports the rounds' changes/s and
#            the largest lag seen (the source's own rate limits this one);
#   backlog  activity writes BACKLOG changes as fast as it can with no sync
#            running, then ONE round applies them all: the sync's own limit.
# Then verify must pass. A throwaway PostgreSQL cluster (unix socket).
#
# Usage: bench/sync.sh [SCALE] [RATE] [SECONDS] [BACKLOG]
#        (default 10000 organizations, 500 changes/s, 20 s, 20000 changes)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm).
. "$(dirname "$0")/lib.sh"
scale=${1:-10000}
rate=${2:-500}
secs=${3:-20}
backlog=${4:-20000}
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
C=dbname=b

echo "# generating S=$scale (messy), tracking, migrating"
"$PANTRYCRM" demo generate --scale "$scale" --messy --seed 1 --out "$SRC" | tail -n 1
"$PANTRYCRM" demo track --source "$SRC" | tail -n 1
pg_createdb b
"$PANTRYCRM" -d $C db migrate >/dev/null
"$PANTRYCRM" -d $C migrate --source "$SRC" --progress none | tail -n 1

echo "# live: activity at $rate changes/s for $secs s, sync --follow --interval 0.5"
"$PANTRYCRM" -d $C sync --follow --interval 0.5 --json >"$TEST_TMP/live.json" &
fol=$!
"$PANTRYCRM" demo activity --source "$SRC" --rate "$rate" --duration "$secs" --seed 2 | tail -n 1
sleep 1.5
kill -INT $fol
wait $fol
python3 - "$TEST_TMP/live.json" <<'PY'
import json, sys
rounds = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
busy = [r for r in rounds if r["changes"] > 0]
ch = sum(r["changes"] for r in busy)
sec = sum(r["seconds"] for r in busy)
print("live: %d rounds, %d changes applied in %.2f s of round time: %.0f changes/s while applying;"
      " largest lag %d versions / %.2f s" % (len(rounds), ch, sec, ch / sec if sec else 0,
      max(r["lag_versions"] for r in rounds), max(r["lag_seconds"] for r in rounds)))
PY

echo "# backlog: $backlog changes with no sync running, then one round"
"$PANTRYCRM" demo activity --source "$SRC" --rate 1000000 --changes "$backlog" --seed 3 | tail -n 1
"$PANTRYCRM" -d $C sync --json >"$TEST_TMP/one.json"
python3 - "$TEST_TMP/one.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
print("backlog: %d changes (%d versions) applied in one round in %.2f s: %.0f changes/s"
      % (r["changes"], r["lag_versions"], r["seconds"], r["changes_per_second"]))
PY
"$PANTRYCRM" -d $C verify >"$TEST_TMP/verify.out" && echo "verify: ok" || { echo "verify: MISMATCH"; grep -v " ok$" "$TEST_TMP/verify.out"; }
