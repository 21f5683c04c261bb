#!/bin/sh
# The deferred build (src/migrate/build.c) runs while the load goes on, and
# stays correct:
# - with the last table's load frozen (its COPY waits for a lock this test
#   holds), the indexes, foreign keys, search-word tables and ANALYZE of
#   every other table are built meanwhile, and nothing of the frozen table
#   is; let go, the run completes with the target of an undisturbed run;
# - a deferred statement that fails makes migrate fail naming it, leaves
#   nothing of it behind, and once it is removed a rerun finishes the build.
# Polls for states; never depends on how fast the machine is.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 600 --messy --seed 3 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
opts="--progress none --batch-size 50 --jobs 2"
pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || bail_out "db migrate failed"
fresh_db() { psql -X -q -d postgres -c "CREATE DATABASE \"$1\" TEMPLATE tmpl" >/dev/null || bail_out "createdb $1"; }
# Indexes and foreign keys of the tables other than Contract, and Contract's.
others() { psql_val "SELECT (SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> 'Contract') || ' ' || (SELECT string_agg(conname, ','
    ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND conrelid <> '\"Contract\"'::regclass
    AND connamespace = 'public'::regnamespace)" "$1"; }
contract() { psql_val "SELECT coalesce((SELECT string_agg(i.relname, ',' ORDER BY i.relname) FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = '\"Contract\"'::regclass AND NOT x.indisunique), '')
    || ' ' || coalesce((SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f'
    AND conrelid = '\"Contract\"'::regclass), '')" "$1"; }
poll() { # SQL DB: waits (up to two minutes) until SQL gives t
    local n=0
    until [ "$(psql_val "$1" "$2")" = t ]; do
        [ $n -ge 2400 ] && return 1
        n=$((n + 1)); sleep 0.05
    done
}

fresh_db ref
run_ok "an undisturbed reference run" "$PANTRYCRM" -d dbname=ref migrate --source "$SRC" $opts
ref=$(target_digest ref)
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' ref)" 0 "it leaves nothing to build"

# --- the overlap -------------------------------------------------------------
# The run waits at 'run-started' (its indexes are dropped, no load has
# begun) while this test takes a SHARE lock on "Contract" in a session of
# its own (fd 3): Contract's COPY then waits for it, whatever the machine's
# speed.
start_frozen() { # db: the run in the background ($MPID), Contract's COPY waiting
    local db=$1 hold=$TEST_TMP/hold-$1
    : >"$hold"
    PANTRYCRM_FAULT="run-started:HOLD=$hold" "$PANTRYCRM" -d dbname=$db migrate --source "$SRC" $opts \
        >"$TEST_TMP/$db.out" 2>&1 &
    MPID=$!
    at_exit "kill $MPID 2>/dev/null"
    poll "SELECT count(*) = 1 FROM migration.run" $db
    ok $? "the run reaches its start and waits there"
    mkfifo "$TEST_TMP/lock-$db"
    psql -X -q -d $db <"$TEST_TMP/lock-$db" >/dev/null 2>&1 &
    at_exit "kill $! 2>/dev/null"
    exec 3>"$TEST_TMP/lock-$db"
    echo 'BEGIN; LOCK TABLE "Contract" IN SHARE MODE;' >&3
    poll "SELECT count(*) = 1 FROM pg_locks WHERE relation = '\"Contract\"'::regclass AND mode = 'ShareLock' AND granted" $db
    ok $? "this test holds a SHARE lock on Contract"
    deferred_contract=$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE table_name = 'Contract'" $db)
    [ "$deferred_contract" -gt 0 ]; ok $? "Contract has deferred statements ($deferred_contract)"
    rm -f "$hold"
    poll "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '$db' AND wait_event_type = 'Lock'
          AND query LIKE 'COPY \"Contract\"%')" $db
    ok $? "Contract's load is frozen: its COPY waits for the lock"
}
fresh_db o
start_frozen o
# Meanwhile everything else is built and analysed.
poll "SELECT NOT EXISTS (SELECT 1 FROM migration.deferred_ddl WHERE table_name <> 'Contract')
      AND NOT EXISTS (SELECT 1 FROM pg_stat_user_tables WHERE schemaname = 'public'
                      AND relname <> 'Contract' AND last_analyze IS NULL)" o
ok $? "while Contract loads, every other table's deferred statements are built and the tables analysed"
kill -0 "$MPID" 2>/dev/null; ok $? "and the run is still going"
is "$(others o)" "$(others tmpl)" "the other tables have all their indexes and foreign keys already"
is "$(contract o)" " " "Contract has none of its secondary indexes or foreign keys yet"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE table_name = 'Contract'" o)" "$deferred_contract" \
    "and all its deferred statements are still recorded"
is "$(psql_val "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM migration.checkpoint WHERE NOT done" o)" \
    Contract "only Contract's load is not done"
is "$(psql_val "SELECT count(*) FROM \"Contract\"" o)" 0 "and it has no row yet"
is "$(psql_val "SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgname LIKE '%search_words%'" o)" \
    "$(psql_val "SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgname LIKE '%search_words%'" ref)" \
    "the search-word tables are rebuilt, their triggers on again"
is "$(psql_val "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM search.organization_word x" o)" \
    "$(psql_val "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM search.organization_word x" ref)" \
    "with the rows of the reference run"
# Its load loses its connection while it waits: it starts again from
# its checkpoint, on new ones, and waits again.
copier() { psql_val "SELECT pid FROM pg_stat_activity WHERE datname = 'o' AND wait_event_type = 'Lock'
    AND query LIKE 'COPY \"Contract\"%'" o; }
p1=$(copier)
psql_val "SELECT pg_terminate_backend($p1)" o >/dev/null
poll "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = 'o' AND wait_event_type = 'Lock'
      AND query LIKE 'COPY \"Contract\"%' AND pid <> $p1)" o
ok $? "after its connection is terminated, Contract's load waits again on a new one"
echo 'COMMIT;' >&3
exec 3>&-
wait "$MPID"
rc=$?
is "$rc" 0 "let go, the run completes"
[ "$rc" -eq 0 ] || diag "$(cat "$TEST_TMP/o.out")"
is "$(target_digest o)" "$ref" "with the target of the undisturbed run"
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' o)" 0 "and nothing left to build"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" o)" done "the run is recorded as done"

# --- Ctrl-C during the overlap ------------------------------------------------
# Stopped while Contract's COPY waits: once let go, that batch commits and the
# run stops there with 130, saying how to resume; the resumed run builds the
# rest and gives the reference target.
fresh_db i
start_frozen i
poll "SELECT NOT EXISTS (SELECT 1 FROM migration.deferred_ddl WHERE table_name <> 'Contract')" i
ok $? "the other tables are built while Contract waits"
kill -INT "$MPID"
echo 'COMMIT;' >&3
exec 3>&-
wait "$MPID"
is "$?" 130 "Ctrl-C during the overlap: exit status 130"
like "$(cat "$TEST_TMP/i.out")" "run 'pantrycrm migrate' again to resume" "and it says how to resume"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" i)" interrupted "the run is recorded as interrupted"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE table_name = 'Contract'" i)" "$deferred_contract" \
    "Contract's statements are left for the resumed run"
run_ok "the resumed run completes" "$PANTRYCRM" -d dbname=i migrate --source "$SRC" $opts
is "$(target_digest i)" "$ref" "with the target of the undisturbed run"

# --- a load that fails --------------------------------------------------------
# Contract's checkpoint refuses to advance (a trigger of this test): its load
# fails for good. migrate exits 1 with that error once the build of what did
# load is over; Contract's statements stay recorded; without the trigger a
# rerun completes.
fresh_db l
psql -X -q -d l -c "CREATE FUNCTION public.zz_refuse() RETURNS trigger LANGUAGE plpgsql AS
    \$\$BEGIN IF NEW.table_name = 'Contract' AND NEW.rows_read > 0 THEN
      RAISE EXCEPTION 'zz: Contract may not advance'; END IF; RETURN NEW; END\$\$" \
    -c "CREATE TRIGGER zz_refuse BEFORE INSERT OR UPDATE ON migration.checkpoint
        FOR EACH ROW EXECUTE FUNCTION public.zz_refuse()"
run_fails "a load that fails makes migrate fail" 1 "$PANTRYCRM" -d dbname=l migrate --source "$SRC" $opts
like "$ERR" "Contract.*zz: Contract may not advance" "with the load's error"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" l)" failed "the run is recorded as failed"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE table_name <> 'Contract'" l)" 0 \
    "the tables that did load were built"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE table_name = 'Contract'" l)" "$deferred_contract" \
    "Contract's statements are left"
psql -X -q -d l -c "DROP TRIGGER zz_refuse ON migration.checkpoint" -c "DROP FUNCTION public.zz_refuse()"
run_ok "without the trigger, a rerun completes" "$PANTRYCRM" -d dbname=l migrate --source "$SRC" $opts
is "$(target_digest l)" "$ref" "with the target of the undisturbed run"

# --- a console's pause holds the build too -----------------------------------
# One slot (--jobs 1), so the build runs after the loads. A statement of our
# own waits for an advisory lock this test holds; the run is paused through
# the state file as the console does it, then the statement let go: it
# finishes, and no other starts until the run is resumed.
if have_cmd sqlite3 sqlite3; then
    fresh_db p
    mkfifo "$TEST_TMP/adv"
    psql -X -q -d p <"$TEST_TMP/adv" >/dev/null 2>&1 &
    ADV=$!
    exec 4>"$TEST_TMP/adv"
    at_exit "exec 4>&-; kill $ADV 2>/dev/null"
    echo "SELECT pg_advisory_lock(4242);" >&4
    poll "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND granted" p
    psql -X -q -d p -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
        ('zz_gate', 'Lead', 'index', 'SELECT pg_advisory_xact_lock(4242)')"
    export XDG_STATE_HOME=$TEST_TMP/state-p
    "$PANTRYCRM" -d dbname=p migrate --source "$SRC" --progress json --batch-size 50 --jobs 1 \
        >"$TEST_TMP/p.out" 2>"$TEST_TMP/p.err" &
    PPID_=$!
    at_exit "kill $PPID_ 2>/dev/null"
    poll "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = 'p' AND wait_event_type = 'Lock'
          AND query LIKE '%pg_advisory_xact_lock(4242)%')" p
    ok $? "the build reaches the statement that waits"
    left=$(psql_val "SELECT count(*) FROM migration.deferred_ddl" p)
    sqlite3 "$XDG_STATE_HOME/pantrycrm/state.db" "INSERT INTO control (run_id, command, at)
        SELECT max(id), 'pause', datetime('now') FROM run WHERE true ON CONFLICT (run_id) DO UPDATE SET command = 'pause'"
    n=0
    until grep -q "paused by a console" "$TEST_TMP/p.err" || [ $n -ge 2400 ]; do n=$((n + 1)); sleep 0.05; done
    like "$(cat "$TEST_TMP/p.err")" "paused by a console" "the run takes the pause"
    echo "SELECT pg_advisory_unlock(4242);" >&4
    poll "SELECT NOT EXISTS (SELECT 1 FROM migration.deferred_ddl WHERE name = 'zz_gate')" p
    ok $? "the statement under way finishes"
    sleep 1.5          # a pause is a span of time: nothing may start in it
    is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl" p)" $((left - 1)) \
        "while paused, no other deferred statement is built"
    sqlite3 "$XDG_STATE_HOME/pantrycrm/state.db" "UPDATE control SET command = 'run'"
    wait "$PPID_"
    rc=$?
    is "$rc" 0 "resumed, the run completes"
    [ "$rc" -eq 0 ] || diag "$(cat "$TEST_TMP/p.err")"
    is "$(target_digest p)" "$ref" "with the target of the undisturbed run"
    export XDG_STATE_HOME=$TEST_TMP/state
fi

# --- Ctrl-C, then the build's connection is lost -----------------------------
# The build (after the loads: --jobs 1) runs a statement of our own that
# waits for an advisory lock; Ctrl-C comes, then its connection is
# terminated. The statement did not fail: migrate exits 130, the run is
# interrupted, not failed, and the resumed run builds it.
fresh_db c
mkfifo "$TEST_TMP/adv-c"
psql -X -q -d c <"$TEST_TMP/adv-c" >/dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
exec 5>"$TEST_TMP/adv-c"
echo "SELECT pg_advisory_lock(4343);" >&5
poll "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND granted" c
psql -X -q -d c -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_gate', 'Lead', 'index', 'SELECT pg_advisory_xact_lock(4343)')"
"$PANTRYCRM" -d dbname=c migrate --source "$SRC" --progress none --batch-size 50 --jobs 1 \
    >"$TEST_TMP/c.out" 2>&1 &
CPID=$!
at_exit "kill $CPID 2>/dev/null"
gate="SELECT pid FROM pg_stat_activity WHERE datname = 'c' AND wait_event_type = 'Lock'
      AND query LIKE '%pg_advisory_xact_lock(4343)%'"
poll "SELECT EXISTS ($gate)" c
ok $? "the build reaches the statement that waits"
kill -INT "$CPID"
psql_val "SELECT pg_terminate_backend(pid) FROM ($gate) g" c >/dev/null
wait "$CPID"
rc=$?
is "$rc" 130 "Ctrl-C, then a lost connection in the build: exit status 130"
[ "$rc" -eq 130 ] || diag "$(cat "$TEST_TMP/c.out")"
like "$(cat "$TEST_TMP/c.out")" "run 'pantrycrm migrate' again to resume" "and it says how to resume"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" c)" interrupted "the run is recorded as interrupted"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE name = 'zz_gate'" c)" 1 "the statement is left for the resumed run"
echo "SELECT pg_advisory_unlock(4343);" >&5
exec 5>&-
run_ok "the resumed run completes" "$PANTRYCRM" -d dbname=c migrate --source "$SRC" $opts
is "$(target_digest c)" "$ref" "with the target of the undisturbed run"

# --- a deferred statement that fails -----------------------------------------
# It creates an index, then fails: nothing of it may stay.
fresh_db f
psql -X -q -d f -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_half_done', 'Organization', 'index',
     'DO \$\$BEGIN CREATE INDEX zz_half ON \"Organization\" (name); PERFORM 1 / 0; END\$\$')"
run_fails "a failing deferred statement makes migrate fail" 1 \
    "$PANTRYCRM" -d dbname=f migrate --source "$SRC" $opts
like "$ERR" "building zz_half_done: .*division by zero" "naming the statement and PostgreSQL's reason"
is "$(psql_val "SELECT count(*) FROM pg_class WHERE relname = 'zz_half'" f)" 0 "nothing it did is left behind"
is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE name = 'zz_half_done'" f)" 1 "it is still recorded"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" f)" failed "the run is recorded as failed"
is "$(psql_val "SELECT count(*) FROM migration.checkpoint WHERE done" f)" 10 "the loads went on to the end"
psql -X -q -d f -c "DELETE FROM migration.deferred_ddl WHERE name = 'zz_half_done'"
run_ok "without it, a rerun finishes" "$PANTRYCRM" -d dbname=f migrate --source "$SRC" $opts
is "$(target_digest f)" "$ref" "with the target of the undisturbed run"
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' f)" 0 "and nothing left to build"

# Said when it fails, not only at the end: with Contract's load frozen, the
# failure is on the screen while the run still waits for that load.
fresh_db h
psql -X -q -d h -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_fails_early', 'Organization', 'index', 'SELECT 1 / 0')"
start_frozen h
n=0
until grep -q "building zz_fails_early: .*division by zero; the loads go on" "$TEST_TMP/h.out"; do
    [ $n -ge 2400 ] && break
    n=$((n + 1)); sleep 0.05
done
grep -q "building zz_fails_early: .*division by zero; the loads go on" "$TEST_TMP/h.out"
ok $? "a failing statement is reported while a load still runs"
kill -0 "$MPID" 2>/dev/null; ok $? "and the run is still going (Contract waits)"
echo 'COMMIT;' >&3
exec 3>&-
wait "$MPID"
rc=$?
is "$rc" 1 "let go, the loads finish and the run fails"
is "$(psql_val "SELECT count(*) FROM migration.checkpoint WHERE done" h)" 10 "after every load"

# A foreign key that does not hold fails the same way, and names itself.
fresh_db k
psql -X -q -d k -c "INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl) VALUES
    ('zz_bad_fk', 'Contact', 'fk', 'ALTER TABLE public.\"Contact\" ADD CONSTRAINT zz_bad_fk
       FOREIGN KEY (\"organizationId\") REFERENCES \"Lead\"(id)')"
run_fails "a foreign key that does not hold makes migrate fail" 1 \
    "$PANTRYCRM" -d dbname=k migrate --source "$SRC" $opts
like "$ERR" "adding foreign key zz_bad_fk: .*zz_bad_fk" "naming it"
is "$(psql_val "SELECT count(*) FROM pg_constraint WHERE conname = 'zz_bad_fk'" k)" 0 "and it is not there"
psql -X -q -d k -c "DELETE FROM migration.deferred_ddl WHERE name = 'zz_bad_fk'"
run_ok "without it, a rerun finishes" "$PANTRYCRM" -d dbname=k migrate --source "$SRC" $opts
is "$(target_digest k)" "$ref" "with the target of the undisturbed run"

done_testing
