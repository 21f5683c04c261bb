#!/bin/sh
# Exactly once across crashes: kill -9 at random moments, Ctrl-C, and a
# dropped connection, each followed by a resume, give the same target as an
# uninterrupted run, with no row lost or duplicated.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 2000 --messy --seed 5 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
digest() { # everything a run leaves behind that must not depend on interruptions
    for t in $tables; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done
    psql -X -At -d "$1" -c "SELECT md5(string_agg(table_name || source_key || reason || original::text, ',' ORDER BY table_name, source_key)) FROM migration.quarantine"
    psql -X -At -d "$1" -c "SELECT string_agg(table_name || ':' || rows_read || ':' || rows_migrated || ':' || rows_quarantined || ':' || repairs::text, ',' ORDER BY table_name) FROM migration.checkpoint"
}
migrate() { "$PANTRYCRM" -d "dbname=$1" migrate --source "$SRC" --progress none --batch-size 97 --jobs 3; }
# In the background, $! must be pantrycrm itself, not a subshell around it,
# or the signals would miss it: start the binary directly.
migrate_bg() { # db outfile
    "$PANTRYCRM" -d "dbname=$1" migrate --source "$SRC" --progress none --batch-size 97 --jobs 3 \
        >"$2" 2>&1 &
    pid=$!
}
for db in ref k c d; do
    pg_createdb $db
    "$PANTRYCRM" -d dbname=$db db migrate >/dev/null || bail_out "db migrate failed"
done

run_ok "an uninterrupted reference run" migrate ref
ref=$(digest ref)

# Twenty kill -9 at pseudo-random moments (deterministic per run of the test),
# within the first half second: the whole load takes about a second here, and
# a killed run no longer delays the next one (its lock row is taken over).
seed=7
kills=0
for i in $(seq 1 20); do
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    delay=$(printf '0.%03d' $(( seed % 450 + 20 )))
    migrate_bg k /dev/null
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null
done
diag "$kills of 20 runs were killed before they finished"
ok "$([ "$kills" -ge 10 ]; echo $?)" "most runs were really killed mid-way ($kills)"
run_ok "the run after twenty kill -9 completes" migrate k
is "$(digest k)" "$ref" "the target equals the uninterrupted run's: nothing lost, nothing doubled"
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' k)" 0 "every deferred index and key was rebuilt"
run_ok "verify passes after the kills" "$PANTRYCRM" -d dbname=k verify
is "$(psql_val "SELECT count(*) FROM (SELECT table_name, source_key FROM migration.quarantine GROUP BY 1, 2 HAVING count(*) > 1) d" k)" 0 \
   "no row is quarantined twice"

# Ctrl-C stops at a batch boundary with 130; running again finishes.
migrate_bg c "$TEST_TMP/c.out"
sleep 0.4
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT ends the run with exit status 130"
like "$(cat "$TEST_TMP/c.out")" "run 'pantrycrm migrate' again to resume" "and says how to resume"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" c)" interrupted "the run is recorded as interrupted"
run_ok "the resumed run completes" migrate c
is "$(digest c)" "$ref" "and gives the same target"

# A dropped connection is retried; the run completes.
migrate_bg d "$TEST_TMP/d.out"
sleep 0.5
psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'd' AND application_name = 'pantrycrm'" >/dev/null
wait "$pid"
rc=$?
is "$rc" 0 "a run whose connections were terminated still completes"
[ "$rc" -eq 0 ] || diag "$(cat "$TEST_TMP/d.out")"
is "$(digest d)" "$ref" "and gives the same target"

done_testing
