#!/bin/sh
# Restarts and lost connections: migrate survives losing its connections in
# the build phase (an index worker's and the main one adding foreign keys);
# the console, open in a real terminal (tmux), survives the server going
# down and coming back: it says it is reconnecting, keeps the form being
# edited with what was typed, reconnects on its own and reads its page
# again; the save then goes through. sync --follow reconnects and goes on
# applying changes. Polls; never sleeps blindly.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
server_stop() { _pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -m fast -w stop >/dev/null; }
server_start() { _pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -l "$TEST_TMP/server.log" -w start >/dev/null; }
"$PANTRYCRM" demo generate --scale 300 --seed 11 --out "$TEST_TMP/l.db" >/dev/null || bail_out "generate failed"
for db in ref f; do
    pg_createdb $db
    "$PANTRYCRM" -d dbname=$db db migrate >/dev/null || bail_out "db migrate failed"
done
run_ok "a reference migrate" "$PANTRYCRM" -d dbname=ref migrate --source "$TEST_TMP/l.db" --progress none
indexes() { psql_val "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'" "$1"; }
fks() { psql_val "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace" "$1"; }

# --- the build phase loses its connections ---------------------------------
# Two deferred statements of our own join the real ones: each waits for an
# advisory lock this test holds, so the test knows when the build phase is
# running them, and ends their connections right there.
psql -X -q -d f -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_test_index_wait', 'Organization', 'index', 'SELECT pg_advisory_xact_lock(4242)'),
    ('zz_test_fk_wait', 'Organization', 'fk', 'SELECT pg_advisory_xact_lock(4243)')"
mkfifo "$TEST_TMP/hold"
psql -X -q -d f <"$TEST_TMP/hold" >/dev/null 2>&1 &
HOLD=$!
exec 3>"$TEST_TMP/hold"
at_exit "exec 3>&-; kill $HOLD 2>/dev/null"
echo "SELECT pg_advisory_lock(4242), pg_advisory_lock(4243);" >&3
waiter() { # lock key: the pid of the backend waiting for it, if any
    psql_val "SELECT pid FROM pg_stat_activity WHERE datname = 'f' AND wait_event_type = 'Lock'
              AND query LIKE '%pg_advisory_xact_lock($1)%' LIMIT 1" f
}
wait_waiter() { # lock key
    local i=0 p
    while [ $i -lt 1200 ]; do
        p=$(waiter "$1")
        if [ -n "$p" ]; then echo "$p"; return 0; fi
        i=$((i + 1)); sleep 0.05
    done
    return 1
}
i=0
until [ "$(psql_val "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" f)" = 2 ] || [ $i -ge 200 ]; do
    i=$((i + 1)); sleep 0.05
done
"$PANTRYCRM" -d dbname=f migrate --source "$TEST_TMP/l.db" --progress none >"$TEST_TMP/m.out" 2>&1 &
MPID=$!
at_exit "kill $MPID 2>/dev/null"
p=$(wait_waiter 4242); ok $? "the build phase reaches an index statement"
psql_val "SELECT pg_terminate_backend($p)" f >/dev/null
p2=$(wait_waiter 4242); ok $? "after its connection is killed, an index worker runs it again on a new one"
[ -n "$p2" ] && [ "$p2" != "$p" ]; ok $? "on another server process ($p, then $p2)"
psql_val "SELECT pg_terminate_backend($p2)" f >/dev/null
echo "SELECT pg_advisory_unlock(4242);" >&3
p=$(wait_waiter 4243); ok $? "the build phase reaches the foreign keys"
psql_val "SELECT pg_terminate_backend($p)" f >/dev/null
echo "SELECT pg_advisory_unlock(4243);" >&3
wait $MPID
rc=$?
is "$rc" 0 "migrate completes although the build phase lost three connections"
[ $rc -eq 0 ] || diag "$(cat "$TEST_TMP/m.out")"
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' f)" 0 "every deferred statement ran once and is forgotten"
is "$(indexes f)" "$(indexes ref)" "the indexes are those of an undisturbed run"
is "$(fks f)" "$(fks ref)" "and so are the foreign keys"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" f)" done "the run is recorded as done"

# --- sync --follow across a server restart ------------------------------------------
if have_cmd sqlite3 sqlite3; then
    SRC=$TEST_TMP/track.db
    cp "$TEST_TMP/l.db" "$SRC"
    pg_createdb s
    "$PANTRYCRM" -d dbname=s db migrate >/dev/null || bail_out "db migrate s failed"
    "$PANTRYCRM" demo track --source "$SRC" >/dev/null || bail_out "demo track failed"
    "$PANTRYCRM" -d dbname=s migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate s failed"
    "$PANTRYCRM" -d dbname=s sync --source "$SRC" --follow --interval 0.2 >"$TEST_TMP/follow.out" 2>&1 &
    FOL=$!
    at_exit "kill $FOL 2>/dev/null"
    i=0
    until grep -q "^round 2:" "$TEST_TMP/follow.out" 2>/dev/null || [ $i -ge 600 ]; do i=$((i + 1)); sleep 0.05; done
    server_stop
    i=0
    until grep -q "reconnecting" "$TEST_TMP/follow.out" 2>/dev/null || [ $i -ge 600 ]; do i=$((i + 1)); sleep 0.05; done
    like "$(cat "$TEST_TMP/follow.out")" "sync: lost the connection to the target .*; reconnecting" \
        "sync --follow says it lost the connection and reconnects"
    server_start
    sqlite3 "$SRC" "UPDATE Organization SET name = 'Synced After Restart', updatedAt = '2026-03-03 00:00:00.0000000'
                    WHERE id = (SELECT id FROM Organization ORDER BY id LIMIT 1)"
    i=0
    until [ "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE name = 'Synced After Restart'" s)" = 1 ] \
          || [ $i -ge 1200 ]; do i=$((i + 1)); sleep 0.05; done
    is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE name = 'Synced After Restart'" s)" 1 \
       "after the restart sync --follow applies the source's next change"
    kill -INT $FOL
    wait $FOL
    is "$?" 130 "and still stops at a round boundary on Ctrl-C"
else
    skip "sqlite3 is not installed: the sync part"
fi

# --- the console across a server restart ----------------------------------------
command -v tmux >/dev/null 2>&1 || { skip "tmux is not installed: the console part"; done_testing; exit $?; }
psql -X -q -d f -c "INSERT INTO \"Organization\" (name, priority, segment, city)
    VALUES ('AAA Failover Diner', 'A', 'CATERING', 'Before')"
. "$abs_top_srcdir/tests/tui.sh"
tui_init failover
S=fo
$T new-session -d -s $S -x 110 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=f; echo EXITED=\$?; sleep 30"
wait_for "AAA Failover Diner"; ok $? "the console shows the first organization"
keys e
wait_for "Edit organization"; ok $? "e opens the edit form"
for i in 1 2 3 4 5 6; do keys j; done      # name priority segment type status address -> city
keys Enter C-u; keys -l "Restart City"; keys Enter
wait_for "Restart City"
server_stop
keys w
wait_for "RECONNECTING"; ok $? "with the server down, the header says the console is reconnecting"
screen_like "Edit organization" "the form is still open"
screen_like "Restart City" "with the value typed"
keys w
wait_for "form is kept"; ok $? "a save meanwhile says the form is kept"
server_start
wait_for_gone "RECONNECTING"; ok $? "once the server is back, the console reconnects on its own"
screen_like "Restart City" "the typed value survived the reconnect"
keys w
wait_for " saved"; ok $? "the save goes through on the new connection"
is "$(psql_val "SELECT city FROM \"Organization\" WHERE name = 'AAA Failover Diner'" f)" "Restart City" \
   "and reached the database"

# A restart while the console idles on its list: the next page it needs
# finds the old connection gone, reconnects and reads that page.
server_stop
server_start
row250=$(psql_val 'SELECT name FROM "Organization" ORDER BY name, id OFFSET 249 LIMIT 1' f | cut -c1-24)
found=1
# The first key finds the connection gone: let the reconnect finish, then
# give each page up to a second, so the keys cannot run past row 250.
keys NPage
wait_for_quiet "RECONNECTING" 5
wait_for_gone "RECONNECTING" 20
for i in $(seq 1 40); do
    if wait_for_quiet "$row250" 1; then found=0; break; fi
    keys NPage
done
wait_for "$row250" 20; ok $? "after a restart the console pages on (row 250, fetched on the new connection)"
wait_for_gone "RECONNECTING"
keys q
wait_for "EXITED=0"; ok $? "and quits cleanly"
done_testing
