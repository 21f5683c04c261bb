#!/bin/sh
# Read-only means read-only everywhere: with --read-only (or read-only =
# true in the configuration) every headless command that writes refuses
# before it writes, every console key that writes refuses, the reading
# commands still work, and the database is left exactly as it was. The
# lists below are every writer there is; a new one belongs here.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --messy --seed 6 --out "$SRC" >/dev/null || bail_out "generate failed"
pg_createdb ro
"$PANTRYCRM" -d dbname=ro db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d dbname=ro migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate failed"
"$PANTRYCRM" -d dbname=ro stats --refresh >/dev/null || bail_out "stats failed"
qid=$(psql_val "SELECT min(id) FROM migration.quarantine WHERE resolved_at IS NULL" ro)
[ -n "$qid" ] || bail_out "the messy source left nothing in the quarantine"
qtable=$(psql_val "SELECT table_name FROM migration.quarantine WHERE id = $qid" ro)

# Everything a writer could change, in one line.
fingerprint() {
    psql -X -At -d ro -c "SELECT
        (SELECT count(*) FROM pantrycrm.schema_migration) || ' ' ||
        (SELECT count(*) || ':' || coalesce(max(id), 0) FROM migration.run) || ' ' ||
        (SELECT count(*) FILTER (WHERE accepted_at IS NOT NULL) || ':' || count(*) FILTER (WHERE resolved_at IS NOT NULL) FROM migration.quarantine) || ' ' ||
        (SELECT coalesce(max(refreshed_at)::text, '-') FROM dashboard.refresh) || ' ' ||
        (SELECT count(*) || ':' || coalesce(max(\"updatedAt\")::text, '-') FROM \"Organization\") || ' ' ||
        (SELECT count(*) FROM \"Interaction\") || ' ' ||
        (SELECT count(*) FROM migration.cutover)"
}
before=$(fingerprint)

# --- headless: every command that writes ------------------------------------
refused() { # how-reason desc command…
    why=$1 desc=$2; shift 2
    run "$PANTRYCRM" "$@"
    if [ "$RC" -eq 1 ] && printf '%s' "$ERR" | grep -q "read-only ($why): .* is refused"; then
        ok 0 "$desc is refused"
    else
        ok 1 "$desc is refused"; diag "exit $RC" "stdout: $OUT" "stderr: $ERR"
    fi
}
R="-r -d dbname=ro"
refused --read-only "db migrate" $R db migrate
refused --read-only "migrate" $R migrate --source "$SRC" --progress none
refused --read-only "migrate without --source" $R migrate --progress none
refused --read-only "migrate --rollback" $R migrate --rollback --yes
refused --read-only "quarantine accept ID" $R quarantine accept "$qid"
refused --read-only "quarantine accept --table" $R quarantine accept --table "$qtable"
refused --read-only "quarantine replay" $R quarantine replay
refused --read-only "stats --refresh" $R stats --refresh
refused --read-only "sync" $R sync --source "$SRC"
refused --read-only "cutover --commit" $R cutover --commit --yes
# The configuration's read-only = true is the same guard.
printf 'read-only = true\n' >"$TEST_TMP/config"
PANTRYCRM_CONFIG=$TEST_TMP/config refused "read-only = true in the configuration" \
    "quarantine accept under read-only = true in the configuration" -d dbname=ro quarantine accept "$qid"
PANTRYCRM_CONFIG=$TEST_TMP/config refused "read-only = true in the configuration" \
    "stats --refresh under the configuration's read-only" -d dbname=ro stats --refresh
is "$(fingerprint)" "$before" "the database is exactly as it was"

# Reading still works read-only.
run_ok "report" "$PANTRYCRM" $R report
run_ok "verify" "$PANTRYCRM" $R verify
run_ok "quarantine list" "$PANTRYCRM" $R quarantine list
run_ok "quarantine show" "$PANTRYCRM" $R quarantine show "$qid"
run_ok "stats" "$PANTRYCRM" $R stats
run_ok "export" "$PANTRYCRM" $R export -o "$TEST_TMP/o.csv"
run_ok "cutover --check runs (its verdict aside)" sh -c "'$PANTRYCRM' $R cutover --check >/dev/null; [ \$? -ne 2 ]"

# --- the console: every key that writes --------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
    skip "tmux is not installed: the console's keys are not walked"
    done_testing
    exit
fi
# A migration runs (started elsewhere, same state file) so that p and a
# have something they could steer.
pg_createdb ro2
"$PANTRYCRM" -d dbname=ro2 db migrate >/dev/null
"$PANTRYCRM" demo generate --scale 3000 --seed 2 --out "$TEST_TMP/big.db" >/dev/null
"$PANTRYCRM" -d dbname=ro2 migrate --source "$TEST_TMP/big.db" --progress none --batch-size 20 --jobs 1 \
    >/dev/null 2>&1 &
mpid=$!
at_exit "kill -CONT $mpid 2>/dev/null; kill $mpid 2>/dev/null"
# Stopped (SIGSTOP) once it has committed a batch: it stays a running
# migration for as long as the test needs, however fast the machine.
i=0
while [ "$(psql_val 'SELECT coalesce(sum(rows_read), 0) FROM migration.checkpoint' ro2 2>/dev/null)" = 0 ] \
      && [ $i -lt 400 ]; do
    i=$((i + 1)); sleep 0.05
done
kill -STOP $mpid
. "$abs_top_srcdir/tests/tui.sh"
tui_init ro
S=ro
$T new-session -d -s $S -x 120 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -r -d dbname=ro; echo EXITED=\$?; sleep 30"
wait_for "READ-ONLY"
wait_for "Organizations +sorted by"
for k in e + D i; do
    keys 1; keys "$k"
    wait_for "read-only \\(--read-only\\): editing is refused"; ok $? "key $k is refused"
    keys C-l
    $T send-keys -t $S Escape
done
keys 3
wait_for "Run [0-9]+ +running" 30; ok $? "the read-only console sees the running migration"
for k in p a m; do
    keys "$k"
    wait_for "read-only \\(--read-only\\): [a-z ]+ a migration is refused"; ok $? "key $k is refused"
    screen_unlike "y/n" "and asks nothing"
done
keys 4 r
wait_for "read-only: re-reading the summary"; ok $? "r on the dashboard only re-reads"
keys q
wait_for "quit\? y/n"
keys y
wait_for "EXITED=0"; ok $? "the console quits cleanly"
is "$(fingerprint)" "$before" "the database is exactly as it was after the console"
is "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM control").fetchone()[0])' \
      "$XDG_STATE_HOME/pantrycrm/state.db")" 0 "no pause or resume was sent to the running migration"
kill -0 $mpid 2>/dev/null; ok $? "and it was not stopped"
kill -CONT $mpid; kill -INT $mpid; wait $mpid
done_testing
