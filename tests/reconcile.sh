#!/bin/sh
# Every dirty row of a messy source ends migrated (original kept) or
# quarantined for its dirt, judged by an independent oracle (reconcile.py).
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd python3 python3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
"$PANTRYCRM" demo generate --scale 1500 --messy --seed 21 --out "$TEST_TMP/legacy.db" >/dev/null \
    || bail_out "demo generate failed"
pg_createdb r
"$PANTRYCRM" -d dbname=r db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d dbname=r migrate --source "$TEST_TMP/legacy.db" --progress none >/dev/null \
    || bail_out "migrate failed"
# Not exec: the shell must stay to run its exit trap (stop the cluster).
python3 "$abs_top_srcdir/tests/reconcile.py" "$TEST_TMP/legacy.db" "dbname=r" \
    "$abs_top_srcdir/data/synonyms.conf"
