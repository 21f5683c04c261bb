#!/bin/sh
# Exactly once across crashes: a run interrupted at every phase boundary
# (kill -9 and Ctrl-C alike), twenty kill -9 at pseudo-random batches, and
# dropped connections, each followed by a resume, give the same target as
# an uninterrupted run, with no row lost or duplicated.
#
# Interruptions are placed with PANTRYCRM_FAULT (src/base/fault.h): the process
# signals itself when it passes a named point, so where it stops does not
# depend on how fast this machine is.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 2000 --messy --seed 5 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
opts="--progress none --batch-size 97 --jobs 3"
# In the background, $! must be pantrycrm itself, not a subshell around it,
# or the signals would miss it: start the binary directly.
migrate() { # db [fault]
    # shellcheck disable=SC2086
    PANTRYCRM_FAULT=${2:-} "$PANTRYCRM" -d "dbname=$1" migrate --source "$SRC" $opts
}
frozen() { # pid: waits (up to a minute) until it stopped itself with SIGSTOP
    local n=0
    until [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = T ]; do
        [ $n -ge 1200 ] && return 1
        n=$((n + 1)); sleep 0.05
    done
}
pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || bail_out "db migrate failed"
fresh_db() { psql -X -q -d postgres -c "CREATE DATABASE \"$1\" TEMPLATE tmpl" >/dev/null || bail_out "createdb $1"; }

fresh_db ref
run_ok "an uninterrupted reference run" migrate ref
ref=$(target_digest ref)
# The rows travel in COPY's binary format (src/migrate/copybin.c); text,
# the format PostgreSQL reads itself, must give the very same target.
fresh_db bin
export PANTRYCRM_PROFILE=1
run_ok "a run that reports how it copied" migrate bin
is "$(printf '%s\n' "$ERR" | grep -c 'COPY (binary)')" 10 "every table went in binary"
export PANTRYCRM_COPY_FORMAT=text
fresh_db txt
run_ok "the same run with a text COPY" migrate txt
unset PANTRYCRM_COPY_FORMAT PANTRYCRM_PROFILE
is "$(printf '%s\n' "$ERR" | grep -c 'COPY (text)')" 10 "every table went as text"
is "$(target_digest txt)" "$ref" "and gives the same target as the binary COPY, quarantine and repairs included"
run_fails "a malformed PANTRYCRM_FAULT is refused, not ignored" 2 migrate ref "batch@x:KILL"
like "$ERR" "PANTRYCRM_FAULT=batch@x:KILL: expected" "saying what it expects"
run_fails "a hold without its file is refused too" 2 migrate ref "batch:HOLD="
like "$ERR" "HOLD=FILE" "saying what it expects"
batches=$(psql_val "SELECT sum(ceil(rows_read / 97.0))::int FROM migration.checkpoint" ref)
deferred=$(psql_val "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexdef NOT LIKE 'CREATE UNIQUE%'" tmpl)
diag "the reference run commits at least $batches batches; $deferred indexes are deferred"

# Every phase boundary, with kill -9 and with Ctrl-C: while the dropped
# indexes are being recorded, before the first batch, after the first
# batch, between tables, after the last batch, between index builds, and
# after the build before the run is recorded as done.
i=0
for point in deferred run-started batch@1 table-done@1 table-done@4 loaded built@1 built@20 build-done; do
    for sig in KILL INT; do
        i=$((i + 1))
        db=p$i
        fresh_db $db
        run migrate $db "$point:$sig"
        want=137
        [ $sig = INT ] && want=130
        [ $sig = INT ] && [ $point = build-done ] && want=0  # nothing was left to stop
        is "$RC" "$want" "interrupted by SIG$sig at '$point': exit status $want"
        if [ $sig = INT ] && [ "$want" = 130 ]; then
            like "$ERR$OUT" "run 'pantrycrm migrate' again to resume" "and says how to resume"
            is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" $db)" interrupted \
                "the run is recorded as interrupted"
        fi
        run_ok "the resumed run completes after SIG$sig at '$point'" migrate $db
        [ "$RC" -eq 0 ] || diag "$ERR"
        is "$(target_digest $db)" "$ref" "and gives the same target as the uninterrupted run"
        is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' $db)" 0 "with nothing left to build"
    done
done
run_ok "verify passes after an interruption between index builds" "$PANTRYCRM" -d dbname=p14 verify

# Twenty kill -9 in a row at pseudo-random batches (the same ones every
# time), each run resuming the one before.
fresh_db k
seed=7
kills=0
for i in $(seq 1 20); do
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    migrate k "batch@$(( seed % (batches / 40 + 1) + 1 )):KILL" >/dev/null 2>&1
    [ $? -eq 137 ] && kills=$((kills + 1))
done
is "$kills" 20 "twenty runs in a row were killed mid-load"
run_ok "the run after twenty kill -9 completes" migrate k
is "$(target_digest k)" "$ref" "the target equals the uninterrupted run's: nothing lost, nothing doubled"
run_ok "verify passes after the kills" "$PANTRYCRM" -d dbname=k verify
is "$(psql_val "SELECT count(*) FROM (SELECT table_name, source_key FROM migration.quarantine GROUP BY 1, 2 HAVING count(*) > 1) d" k)" 0 \
   "no row is quarantined twice"

# A dropped connection is retried; the run completes. The run freezes
# itself after its third batch (SIGSTOP), its connections are terminated
# while it is frozen, and it is let go.
fresh_db d
PANTRYCRM_FAULT=batch@3:STOP "$PANTRYCRM" -d dbname=d migrate --source "$SRC" $opts >"$TEST_TMP/d.out" 2>&1 &
pid=$!
frozen "$pid"
ok $? "the run froze itself after its third batch"
is "$(psql_val "SELECT count(*) > 0 FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'd' AND application_name = 'pantrycrm') x")" t \
    "its connections are terminated"
kill -CONT "$pid"
wait "$pid"
rc=$?
is "$rc" 0 "a run whose connections were terminated still completes"
[ "$rc" -eq 0 ] || diag "$(cat "$TEST_TMP/d.out")"
is "$(target_digest d)" "$ref" "and gives the same target"

# The same during the index build: frozen after its first deferred step.
fresh_db e
PANTRYCRM_FAULT=built@1:STOP "$PANTRYCRM" -d dbname=e migrate --source "$SRC" $opts >"$TEST_TMP/e.out" 2>&1 &
pid=$!
frozen "$pid"
ok $? "a run froze itself after its first index build"
psql_val "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'e' AND application_name = 'pantrycrm'" >/dev/null
kill -CONT "$pid"
wait "$pid"
rc=$?
is "$rc" 0 "a run whose connections were lost during the index build retries and completes"
[ "$rc" -eq 0 ] || diag "$(cat "$TEST_TMP/e.out")"
is "$(target_digest e)" "$ref" "a connection lost during the build loses nothing"

done_testing
