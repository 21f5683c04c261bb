#!/bin/sh
# Every dirty row of a messy source ends migrated (original kept) or
# quarantined for its dirt, judged by an independent oracle (reconcile.py),
# with malformed e-mails kept and flagged (the default), then nulled.
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
out=$(RECONCILE_PLAN=no python3 "$abs_top_srcdir/tests/reconcile.py" "$TEST_TMP/legacy.db" "dbname=r" \
    "$abs_top_srcdir/data/synonyms.conf" keep)
printf '%s\n' "$out"
done_n=$(printf '%s\n' "$out" | grep -c -E '^(not )?ok ')
# The same source with --bad-email null: malformed addresses become NULL.
pg_createdb rn
"$PANTRYCRM" -d dbname=rn db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d dbname=rn migrate --source "$TEST_TMP/legacy.db" --progress none --bad-email null >/dev/null \
    || bail_out "migrate --bad-email null failed"
# Not exec: the shell must stay to run its exit trap (stop the cluster).
RECONCILE_DONE=$done_n python3 "$abs_top_srcdir/tests/reconcile.py" "$TEST_TMP/legacy.db" "dbname=rn" \
    "$abs_top_srcdir/data/synonyms.conf" null
