#!/bin/sh
# Behind PgBouncer in transaction mode (Debian's 1.18, which keeps no
# prepared statements), with other clients writing through the same pool
# all along: db migrate, migrate, rollback, export, stats, the console
# (read-write and read-only) work, and leave nothing behind on a pooled
# server connection: the next client can still write, no advisory lock
# and no lock row remain, no "prepared statement does not exist".
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
. "$abs_top_srcdir/tests/pgbouncer.sh"
pg_start
pgb_start 2
export XDG_STATE_HOME=$TEST_TMP/state
pg_createdb p
P="$POOL dbname=p"
pool_psql() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGB_SOCK" -p "$PGB_PORT" -d p "$@"; }

# Advisory locks held by any server process of the cluster (the pooled
# ones included: this connection is direct).
advisory() { psql_val "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'" p; }

# A writer through the pool must never meet a read-only or otherwise
# changed server connection: four inserts, which round robin spreads over
# both server connections.
writes_ok() { # desc
    local i fail=0 out
    for i in 1 2 3 4; do
        out=$(pool_psql -c "INSERT INTO bg (who) VALUES ('check')" 2>&1) || { fail=1; diag "$out"; }
    done
    ok $fail "$1"
    # (PgBouncer was once seen gone here in CI: what it said last, and
    # whether it still runs)
    if [ $fail -ne 0 ]; then
        diag "pgbouncer.log, last lines:" "$(tail -n 30 "$PGB_DIR/pgbouncer.log" 2>&1)"
        diag "pgbouncer processes:" "$(pgrep -a pgbouncer 2>&1)"
    fi
}

run_ok "db migrate through the pool" "$PANTRYCRM" -d "$P" db migrate
is "$(advisory)" "0" "db migrate leaves no advisory lock on a pooled server connection"
psql -X -q -d p -c "CREATE TABLE bg (n bigserial PRIMARY KEY, who text NOT NULL)"

# Background clients on the same pool, writing until told to stop; every
# failure goes to bg.err.
: >"$TEST_TMP/bg.err"
bg_writer() {
    while [ ! -f "$TEST_TMP/bg.stop" ]; do
        if [ -f "$TEST_TMP/bg.pause" ]; then touch "$TEST_TMP/bg.paused.$1"; sleep 0.05; continue; fi
        rm -f "$TEST_TMP/bg.paused.$1"
        pool_psql -c "BEGIN; INSERT INTO bg (who) VALUES ('$1'); SELECT count(*) FROM bg; COMMIT" \
            >/dev/null 2>>"$TEST_TMP/bg.err"
    done
}
bg_writer one & BG1=$!
bg_writer two & BG2=$!
at_exit "touch '$TEST_TMP/bg.stop'; kill $BG1 $BG2 2>/dev/null"
i=0
until [ "$(psql_val "SELECT count(DISTINCT who) FROM bg" p)" = 2 ] || [ $i -ge 400 ]; do
    i=$((i + 1)); sleep 0.05
done
is "$(psql_val "SELECT count(DISTINCT who) FROM bg" p)" "2" "both background writers are writing through the pool"

"$PANTRYCRM" demo generate --scale 300 --seed 7 --out "$TEST_TMP/l.db" >/dev/null || bail_out "generate failed"
run_ok "migrate through the pool (index and foreign key builds included)" \
    "$PANTRYCRM" -d "$P" migrate --source "$TEST_TMP/l.db" --progress none
orgs=$(psql_val 'SELECT count(*) FROM "Organization"' p)
ok $([ "$orgs" -gt 0 ] && echo 0 || echo 1) "the organizations arrived ($orgs)"
is "$(advisory)" "0" "migrate leaves no advisory lock behind on a pooled server connection"
is "$(psql_val 'SELECT count(*) FROM migration.run_lock' p)" "0" "and releases its lock row"
writes_ok "after migrate, writes through the pool succeed"
run_ok "a rollback connecting directly is not refused by a stranded lock" \
    "$PANTRYCRM" -d dbname=p migrate --rollback --yes
run_ok "migrate through the pool again" \
    "$PANTRYCRM" -d "$P" migrate --source "$TEST_TMP/l.db" --progress none
is "$(advisory)" "0" "no advisory lock after the second run either"

# A lock row whose holder died on this host is taken over at once.
psql -X -q -d p -c "INSERT INTO migration.run_lock (id, holder, host, pid, purpose, lease_until)
    VALUES (1, 'gone', '$(hostname)', 2147483646, 'migrate', now() + interval '1 hour')"
run_ok "a lock row of a dead process on this host does not block a rollback" \
    "$PANTRYCRM" -d "$P" migrate --rollback --yes
psql -X -q -d p -c "INSERT INTO migration.run_lock (id, holder, host, pid, purpose, lease_until)
    VALUES (1, 'other', 'some-other-host', 4242, 'migrate', now() + interval '1 hour')"
run_fails "a live holder elsewhere makes migrate refuse" 1 \
    "$PANTRYCRM" -d "$P" migrate --source "$TEST_TMP/l.db" --progress none
like "$ERR" "some-other-host.*4242|4242.*some-other-host" "and the refusal names the holder"
psql -X -q -d p -c "UPDATE migration.run_lock SET lease_until = now() - interval '1 second'"
run_ok "once its lease has lapsed, migrate takes the lock" \
    "$PANTRYCRM" -d "$P" migrate --source "$TEST_TMP/l.db" --progress none
orgs=$(psql_val 'SELECT count(*) FROM "Organization"' p)

run_ok "export of a list through the pool" "$PANTRYCRM" -d "$P" export -o "$TEST_TMP/o.csv"
is "$(($(wc -l <"$TEST_TMP/o.csv") - 1))" "$orgs" "every organization is exported"
run_ok "export of a query through the pool" \
    sh -c "echo 'SELECT name FROM \"Organization\"' | '$PANTRYCRM' -d '$P' export -q - -f jsonl >'$TEST_TMP/o.jsonl'"
is "$(wc -l <"$TEST_TMP/o.jsonl" | tr -d ' ')" "$orgs" "the query's rows are exported"
writes_ok "after export, writes through the pool succeed (no read-only session left behind)"
unlike "$(cat "$TEST_TMP/bg.err")" "." "the background writers met no error so far"

run_ok "stats --refresh through the pool" "$PANTRYCRM" -d "$P" stats --refresh --json
run_ok "stats through the pool" "$PANTRYCRM" -d "$P" stats --json
writes_ok "after stats, writes through the pool succeed"

if have_cmd tmux tmux; then
    . "$abs_top_srcdir/tests/tui.sh"
    tui_init pool
    S=rw
    $T new-session -d -s $S -x 110 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' '$PANTRYCRM' -d '$P'; echo EXITED=\$?; sleep 30"
    wait_for "Organizations +sorted by name"; ok $? "the console opens through the pool"
    # Same query shapes again and again (paging, sorting back and forth):
    # a prepared statement would be looked for on the other server
    # connection the next time.
    row250=$(psql_val 'SELECT name FROM "Organization" ORDER BY name, id OFFSET 249 LIMIT 1' p | cut -c1-24)
    found=1
    for i in $(seq 1 30); do
        keys NPage
        # each page is given up to a second to show before the next key,
        # so a slow page cannot make the keys run past row 250
        for j in $(seq 1 20); do
            if screen | grep -Fq -- "$row250"; then found=0; break 2; fi
            sleep 0.05
        done
    done
    wait_for "$row250"; ok $? "paging reaches row 250 (keyset pages through the pool)"
    keys Home; keys s; wait_for "sorted by priority"
    keys : ; keys -l "sort city"; keys Enter; wait_for "sorted by city"
    keys Home; keys NPage NPage NPage End Home
    keys : ; keys -l "sort name"; keys Enter; wait_for "sorted by name"
    keys End; keys Home
    last=$(psql_val 'SELECT name FROM "Organization" ORDER BY name DESC, id DESC LIMIT 1' p | cut -c1-24)
    keys End; wait_for "$last"; ok $? "End shows the last organization"
    status_unlike "prepared statement|does not exist|already exists" "no prepared-statement error on the screen"
    # The pooler restarts under the open console: it says so, reconnects
    # through the new pooler and reads its page again. (The background
    # writers pause meanwhile: their errors would be the outage's.)
    touch "$TEST_TMP/bg.pause"
    i=0
    until [ -f "$TEST_TMP/bg.paused.one" ] && [ -f "$TEST_TMP/bg.paused.two" ] || [ $i -ge 600 ]; do
        i=$((i + 1)); sleep 0.05
    done
    pgb_outage
    keys Home
    wait_for "RECONNECTING"; ok $? "the console notices the pooler is gone and says it is reconnecting"
    pgb_launch
    wait_for "reconnected"; ok $? "and reconnects once the pooler is back"
    keys End; wait_for "$last"; ok $? "pages come through the new pooler"
    rm -f "$TEST_TMP/bg.pause"
    keys q; wait_for "EXITED=0"; ok $? "the console quits cleanly"
    writes_ok "after the console, writes through the pool succeed"

    S=ro
    $T new-session -d -s $S -x 110 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' '$PANTRYCRM' -r -d '$P'; echo EXITED=\$?; sleep 30"
    wait_for "READ-ONLY.*Organizations"; ok $? "a read-only console opens through the pool"
    keys NPage NPage Home
    keys q; wait_for "EXITED=0"
    writes_ok "after a read-only console, writes through the pool succeed"
else
    skip "tmux is not installed: the console part"
fi

touch "$TEST_TMP/bg.stop"
wait $BG1 $BG2 2>/dev/null
is "$(cat "$TEST_TMP/bg.err")" "" "the background writers met no error through the whole run"

# A pooler outage during migrate's build phase: a deferred statement of
# our own waits for an advisory lock this test holds, so the test knows
# the build phase is running when PgBouncer goes away.
pg_createdb p2
"$PANTRYCRM" -d "$POOL dbname=p2" db migrate >/dev/null || bail_out "db migrate p2 failed"
psql -X -q -d p2 -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_test_wait', 'Organization', 'index', 'SELECT pg_advisory_xact_lock(4242)')"
mkfifo "$TEST_TMP/hold"
psql -X -q -d p2 <"$TEST_TMP/hold" >/dev/null 2>&1 &
HOLD=$!
exec 3>"$TEST_TMP/hold"
at_exit "exec 3>&-; kill $HOLD 2>/dev/null"
echo "SELECT pg_advisory_lock(4242);" >&3
waiting() { psql_val "SELECT count(*) FROM pg_stat_activity WHERE datname = 'p2' AND wait_event_type = 'Lock'
                      AND query LIKE '%pg_advisory_xact_lock(4242)%'" p2; }
i=0
until [ "$(psql_val "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" p2)" = 1 ] || [ $i -ge 200 ]; do
    i=$((i + 1)); sleep 0.05
done
"$PANTRYCRM" -d "$POOL dbname=p2" migrate --source "$TEST_TMP/l.db" --progress none >"$TEST_TMP/m2.out" 2>&1 &
MPID=$!
at_exit "kill $MPID 2>/dev/null"
i=0
until [ "$(waiting)" = 1 ] || [ $i -ge 1200 ]; do i=$((i + 1)); sleep 0.05; done
is "$(waiting)" 1 "migrate through the pool reaches its build phase"
pgb_outage
echo "SELECT pg_advisory_unlock(4242);" >&3
pgb_launch
wait $MPID
rc=$?
is "$rc" 0 "migrate completes although the pooler went away during the build phase"
[ $rc -eq 0 ] || diag "$(cat "$TEST_TMP/m2.out")"
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' p2)" 0 "every deferred statement ran"
is "$(psql_val "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'" p2)" \
   "$(psql_val "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'bg'" p)" "the indexes are all there"
is "$(psql_val 'SELECT count(*) FROM migration.run_lock' p2)" 0 "the lock row is released"
exec 3>&-

# A pooler outage during the copy phase: a row of our own makes the target
# non-empty (so no index is deferred and nothing takes stronger locks
# first), and a SHARE lock this test holds on "Contract" makes the copy of
# that table wait, so the test knows the copy is under way when PgBouncer
# goes away.
pg_createdb p3
"$PANTRYCRM" -d "$POOL dbname=p3" db migrate >/dev/null || bail_out "db migrate p3 failed"
psql -X -q -d p3 -c "INSERT INTO \"User\" (id, email) VALUES ('test-only-user', 'only@test.invalid')"
mkfifo "$TEST_TMP/hold3"   # its own: the last holder may not have read its end yet
psql -X -q -d p3 <"$TEST_TMP/hold3" >/dev/null 2>&1 &
HOLD=$!
exec 3>"$TEST_TMP/hold3"
at_exit "exec 3>&-; kill $HOLD 2>/dev/null"
echo 'BEGIN; LOCK TABLE "Contract" IN SHARE MODE; SELECT pg_advisory_xact_lock(1);' >&3
i=0
until [ "$(psql_val "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" p3)" = 1 ] || [ $i -ge 200 ]; do
    i=$((i + 1)); sleep 0.05
done
"$PANTRYCRM" -d "$POOL dbname=p3" migrate --source "$TEST_TMP/l.db" --progress none >"$TEST_TMP/m3.out" 2>&1 &
MPID=$!
at_exit "kill $MPID 2>/dev/null"
copying() { psql_val "SELECT count(*) FROM pg_stat_activity WHERE datname = 'p3' AND wait_event_type = 'Lock'
                      AND backend_type = 'client backend'" p3; }
i=0
until [ "$(copying)" -ge 1 ] || [ $i -ge 1200 ]; do i=$((i + 1)); sleep 0.05; done
ok $([ "$(copying)" -ge 1 ]; echo $?) "migrate through the pool is copying (Contract waits for the test's lock)"
pgb_outage
echo 'COMMIT;' >&3
pgb_launch
wait $MPID
rc=$?
is "$rc" 0 "migrate completes although the pooler went away during the copy phase"
[ $rc -eq 0 ] || diag "$(cat "$TEST_TMP/m3.out")"
is "$(psql_val 'SELECT count(*) FROM "Contract"' p3)" "$(psql_val 'SELECT count(*) FROM "Contract"' p2)" \
   "every contract arrived"
is "$(psql_val 'SELECT count(*) FROM "Interaction"' p3)" "$(psql_val 'SELECT count(*) FROM "Interaction"' p2)" \
   "and every interaction"
exec 3>&-

is "$(advisory)" "0" "no advisory lock remains at the end"
is "$(psql_val "SELECT count(*) FROM pg_stat_activity WHERE datname = 'p' AND state LIKE 'idle in transaction%'" p)" "0" \
    "no server connection is left inside a transaction"
done_testing
