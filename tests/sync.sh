#!/bin/sh
# pantrycrm sync: Change Tracking on a SQLite legacy source (demo track),
# live writes (demo activity and direct SQL), rounds applied to a real
# PostgreSQL, idempotence, kill -9, cleanup past our version and --reinit.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 150 --messy --seed 5 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
pg_createdb s
C=dbname=s
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"

tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
# A digest of every table's content and of the open quarantine, to compare targets.
target_digest() {
    for t in $tables; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done
    psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(table_name || ':' || source_key || ':' || reason, ',' ORDER BY table_name, source_key), '')) FROM migration.quarantine WHERE resolved_at IS NULL"
}
# The target must equal a fresh migration of the source as it is now.
fresh_compare() { # desc
    n=$((n_fresh = ${n_fresh:-0} + 1))
    cp "$SRC" "$TEST_TMP/fresh$n.db"
    pg_createdb "fresh$n"
    "$PANTRYCRM" -d "dbname=fresh$n" db migrate >/dev/null
    "$PANTRYCRM" -d "dbname=fresh$n" migrate --source "$TEST_TMP/fresh$n.db" --progress none >/dev/null 2>&1
    a=$(target_digest s | md5sum)
    b=$(target_digest "fresh$n" | md5sum)
    is "$a" "$b" "$1"
    if [ "$a" != "$b" ]; then
        target_digest s >"$TEST_TMP/d.s"; target_digest "fresh$n" >"$TEST_TMP/d.f"
        diff "$TEST_TMP/d.s" "$TEST_TMP/d.f" | sed 's/^/# /'
    fi
}
ver() { sqlite3 "$SRC" 'SELECT version FROM __ct_state'; }
applied() { psql_val "SELECT min(applied_version) FROM migration.sync" s; }

# --- usage -------------------------------------------------------------------
run_ok "sync --help" "$PANTRYCRM" sync --help
like "$OUT" "--reinit-all" "documents its options"
run_fails "an unknown table for --reinit is a usage error" 2 "$PANTRYCRM" -d $C sync --reinit Nope
run_fails "--reinit and --reinit-all exclude each other" 2 "$PANTRYCRM" -d $C sync --reinit Lead --reinit-all
run_fails "sync before any migration is refused" 1 "$PANTRYCRM" -d $C sync --source "$SRC"
like "$ERR" "run 'pantrycrm migrate'" "saying what to do"

# --- change capture ----------------------------------------------------------
run_ok "demo track installs change capture" "$PANTRYCRM" demo track --source "$SRC" --retention 3600
like "$OUT" "tracking changes of Organization" "on the legacy tables"
is "$(sqlite3 "$SRC" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '__ct_trg_%'")" 30 \
   "three triggers on each table with a primary key (VerificationToken has none)"
run_ok "demo track is idempotent" "$PANTRYCRM" demo track --source "$SRC"
is "$(ver)" 0 "the version starts at 0"

run_ok "migrate records the version before the load" "$PANTRYCRM" -d $C migrate --source "$SRC" --progress none
like "$OUT" "change tracking: version 0 recorded before the load \(9 tables\)" "and says so (VerificationToken has no primary key)"
is "$(psql_val "SELECT count(*) FROM migration.sync WHERE baseline_version = 0 AND applied_version = 0" s)" 9 \
   "every tracked table has its baseline in the target"
is "$(psql_val "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '\\_\\_ct%'" s)" 0 \
   "the change-log tables were not migrated (describe hides them)"

run_ok "a round with no changes" "$PANTRYCRM" -d $C sync
like "$OUT" "round 1: version 0 -> 0 .* 0 changes" "applies nothing"

# --- direct SQL changes: the sqlite3 shell writes, the next round seals them ---
org=$(sqlite3 "$SRC" 'SELECT id FROM Organization WHERE id LIKE "%-%" AND lower(id) = id ORDER BY id LIMIT 1')
org2=$(sqlite3 "$SRC" "SELECT id FROM Organization WHERE lower(id) = id AND priority IN ('A', 'C') ORDER BY id LIMIT 1 OFFSET 3")
sqlite3 "$SRC" "
INSERT INTO Organization (id, name, priority, segment, type, status, createdAt, updatedAt)
  VALUES ('0b0e5c2a-1111-4c1a-9a1a-000000000001', 'Sync Test Diner', 'A', 'FINE_DINING', 'PROSPECT', 'ACTIVE',
          '2026-01-01 10:00:00.0000000', '2026-01-01 10:00:00.0000000');
INSERT INTO Contact (id, firstName, lastName, isPrimary, organizationId, createdAt, updatedAt)
  VALUES ('0b0e5c2a-2222-4c1a-9a1a-000000000002', 'Ada', 'Sync', 1, '0b0e5c2a-1111-4c1a-9a1a-000000000001',
          '2026-01-01 10:00:00.0000000', '2026-01-01 10:00:00.0000000');
UPDATE Organization SET name = 'Renamed by sync test', updatedAt = '2026-02-02 00:00:00.0000000' WHERE id = '$org';
UPDATE Organization SET priority = 'NOT_A_PRIORITY' WHERE id = '$org2';
"
run_ok "a round applies direct inserts and updates" "$PANTRYCRM" -d $C sync
like "$OUT" "round 1: version 0 -> 1 .* 4 changes" "sealed as one version, four changes"
is "$(psql_val "SELECT name FROM \"Organization\" WHERE id = '0b0e5c2a-1111-4c1a-9a1a-000000000001'" s)" "Sync Test Diner" "the insert arrived"
is "$(psql_val "SELECT \"organizationId\" FROM \"Contact\" WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002'" s)" \
   "0b0e5c2a-1111-4c1a-9a1a-000000000001" "with its child, in parent order"
is "$(psql_val "SELECT name FROM \"Organization\" WHERE id = '$org'" s)" "Renamed by sync test" "the update arrived"
is "$(psql_val "SELECT reason FROM migration.quarantine WHERE table_name = 'Organization' AND source_key = '$org2' AND resolved_at IS NULL" s)" \
   "enum_unmatched" "a dirty value goes to the quarantine with its reason"
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE id = '$org2'" s)" 0 "and leaves the target, as a fresh load would have it"
ok $([ "$(psql_val "SELECT count(*) FROM migration.quarantine WHERE reason = 'fk_parent_quarantined' AND resolved_at IS NULL AND original->>'organizationId' = '$org2'" s)" -gt 0 ]; echo $?) \
   "its children are re-applied from the source and quarantined for it"
is "$(psql_val "SELECT count(*) FROM migration.quarantine WHERE resolved_at IS NULL AND original->>'organizationId' = '$org2'" s)" \
   "$(sqlite3 "$SRC" "SELECT (SELECT count(*) FROM Contact WHERE organizationId = '$org2') + (SELECT count(*) FROM Interaction WHERE organizationId = '$org2') + (SELECT count(*) FROM Opportunity WHERE organizationId = '$org2') + (SELECT count(*) FROM Contract WHERE organizationId = '$org2')")" \
   "all of them are in the quarantine, none in the target"
is "$(applied)" 1 "the applied version is stored in the target"

# delete of a parent with children (as the application's cascade does on SQL Server,
# whose collation also matches the messy upper-case references), a key change, a fix
sqlite3 "$SRC" "
BEGIN;
DELETE FROM Interaction WHERE lower(organizationId) = lower('$org');
DELETE FROM Contract WHERE lower(organizationId) = lower('$org');
UPDATE Interaction SET contactId = NULL WHERE lower(contactId) IN (SELECT lower(id) FROM Contact WHERE lower(organizationId) = lower('$org'));
UPDATE Opportunity SET contactId = NULL WHERE lower(contactId) IN (SELECT lower(id) FROM Contact WHERE lower(organizationId) = lower('$org'));
UPDATE Contract SET contactId = NULL WHERE lower(contactId) IN (SELECT lower(id) FROM Contact WHERE lower(organizationId) = lower('$org'));
UPDATE Contract SET opportunityId = NULL WHERE lower(opportunityId) IN (SELECT lower(id) FROM Opportunity WHERE lower(organizationId) = lower('$org'));
DELETE FROM Opportunity WHERE lower(organizationId) = lower('$org');
DELETE FROM Contact WHERE lower(organizationId) = lower('$org');
UPDATE Lead SET organizationId = NULL WHERE lower(organizationId) = lower('$org');
DELETE FROM Organization WHERE lower(id) = lower('$org');
COMMIT;
UPDATE Contact SET id = '0b0e5c2a-3333-4c1a-9a1a-000000000003' WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002';
UPDATE Organization SET priority = 'B' WHERE id = '$org2';
"
run_ok "a round applies deletes, a key change and a fixed row" "$PANTRYCRM" -d $C sync
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE id = '$org'" s)" 0 "the deleted parent is gone"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE \"organizationId\" = '$org'" s)" 0 "with its children"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002'" s)" 0 "a changed key: the old key is deleted"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE id = '0b0e5c2a-3333-4c1a-9a1a-000000000003'" s)" 1 "and the new one inserted"
is "$(psql_val "SELECT priority FROM \"Organization\" WHERE id = '$org2'" s)" "B" "the fixed row is back in the target"
is "$(psql_val "SELECT resolved_at IS NOT NULL FROM migration.quarantine WHERE table_name = 'Organization' AND source_key = '$org2'" s)" \
   "t" "and its quarantine entry is resolved"
is "$(psql_val "SELECT count(*) FROM migration.quarantine WHERE reason = 'fk_parent_quarantined' AND resolved_at IS NULL AND original->>'organizationId' = '$org2'" s)" \
   0 "with its children"
run_ok "verify passes after the sync" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration of the changed source"

# --- the old application keeps writing: demo activity ------------------------
run_fails "demo activity: a bad rate is a usage error" 2 "$PANTRYCRM" demo activity --source "$SRC" --rate 0
v_before=$(ver)
run_ok "demo activity writes at a rate" "$PANTRYCRM" demo activity --source "$SRC" --rate 400 --changes 300 --seed 3
like "$OUT" "^300 changes in [0-9]+ transactions .* inserts, .* updates, .* deletes .* dirty values; change version $v_before -> [0-9]+" \
     "and prints a summary with the versions"
v_after=$(ver)
ok $([ "$v_after" -gt "$v_before" ]; echo $?) "each transaction is a new version ($v_before -> $v_after)"
run_ok "sync --json applies them" "$PANTRYCRM" -d $C sync --json
printf '%s\n' "$OUT" >"$TEST_TMP/round.json"
run_ok "one JSON object per round" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
for k in ("round", "source_version", "from_version", "applied_version", "lag_versions", "lag_seconds",
          "changes", "seconds", "changes_per_second", "tables"):
    assert k in o, k
assert o["applied_version"] == o["source_version"] == int(sys.argv[2]), o
assert o["lag_versions"] == int(sys.argv[2]) - int(sys.argv[3]), o
assert o["changes"] > 0 and o["changes"] == sum(t["changes"] for t in o["tables"].values()), o
t = o["tables"]["Interaction"]
for k in ("changes", "upserts", "deletes", "quarantined", "reinit"):
    assert k in t, k
' "$TEST_TMP/round.json" "$v_after" "$v_before"
is "$(applied)" "$v_after" "the applied version follows the source"
run_ok "verify passes after live activity" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after live activity"

# --- idempotence --------------------------------------------------------------
d1=$(target_digest s | md5sum)
psql_val "UPDATE migration.sync SET applied_version = $v_before" s >/dev/null
run_ok "replaying the same changes again (as after a crash before the commit)" "$PANTRYCRM" -d $C sync
is "$(target_digest s | md5sum)" "$d1" "gives the same target"
run_ok "a round with nothing new" "$PANTRYCRM" -d $C sync
is "$(target_digest s | md5sum)" "$d1" "changes nothing"

# --- kill -9 during --follow, then again -------------------------------------
"$PANTRYCRM" demo activity --source "$SRC" --rate 300 --duration 4 --seed 4 >/dev/null 2>&1 &
act=$!
"$PANTRYCRM" -d $C sync --follow --interval 0.2 >"$TEST_TMP/follow.out" 2>&1 &
fol=$!
# kill it in the middle of its work, once it has done a few rounds
for i in $(seq 1 150); do
    grep -q "^round 2:" "$TEST_TMP/follow.out" 2>/dev/null && break
    sleep 0.2
done
kill -9 $fol
wait $fol 2>/dev/null
wait $act
like "$(cat "$TEST_TMP/follow.out")" "round 2:" "--follow ran rounds before it was killed"
run_ok "after kill -9 a new sync catches up" "$PANTRYCRM" -d $C sync
is "$(applied)" "$(ver)" "to the source's version"
run_ok "verify passes after kill -9 and catch-up" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after kill -9"

# --follow stops at a round boundary on SIGINT with 130
"$PANTRYCRM" -d $C sync --follow --interval 0.2 --json >"$TEST_TMP/follow.json" 2>&1 &
fol=$!
sleep 1
kill -INT $fol
wait $fol
is "$?" 130 "--follow ends with 130 on Ctrl-C"
run_ok "its output is JSON lines" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 2, lines
for l in lines:
    json.loads(l)
' "$TEST_TMP/follow.json"
state=$XDG_STATE_HOME/pantrycrm/state.db
like "$(sqlite3 "$state" "SELECT value FROM session WHERE key = 'sync.last_round'")" "^[0-9.]+ $(ver) $(ver) 0 " \
     "the state file holds the last round's versions, lag and rate for the console"

# --- retention cleanup past our version -------------------------------------
"$PANTRYCRM" demo activity --source "$SRC" --rate 1000 --changes 40 --seed 6 >/dev/null
run_ok "demo track --cleanup forgets the history (as retention would)" \
    "$PANTRYCRM" demo track --source "$SRC" --cleanup --table Interaction
run_fails "sync then refuses with status 3" 3 "$PANTRYCRM" -d $C sync
like "$ERR" "cleaned up past the applied version .* for: Interaction;" "naming the table to re-copy"
unlike "$ERR" "Contact" "and only that one"
is "$(psql_val "SELECT count(*) FROM migration.sync WHERE reinit_needed_at IS NOT NULL" s)" 1 "the target records it"
run_ok "--reinit Interaction re-copies it" "$PANTRYCRM" -d $C sync --reinit Interaction
like "$OUT" "Interaction +re-copied" "and says so"
is "$(applied)" "$(ver)" "every table is at the source's version again"
run_ok "verify passes after the re-copy" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after the re-copy"
run_ok "--reinit-all re-copies everything, VerificationToken too" "$PANTRYCRM" -d $C sync --reinit-all
like "$OUT" "VerificationToken +re-copied" "including the table the source cannot track"

# --- the retention watchdog ---------------------------------------------------
run_ok "demo track --retention records a (short) retention" "$PANTRYCRM" demo track --source "$SRC" --retention 1
sleep 1.2
run_ok "a sync after most of the retention passed" "$PANTRYCRM" -d $C sync
like "$ERR" "warning: the applied version is [0-9]+ s old and the source keeps changes for 1 s" \
     "warns before the retention runs out"

# --- demo activity stops cleanly on Ctrl-C -----------------------------------
"$PANTRYCRM" demo activity --source "$SRC" --rate 50 --seed 12 >"$TEST_TMP/act.out" 2>&1 &
act=$!
sleep 1
kill -INT $act
wait $act
is "$?" 0 "demo activity exits 0 on Ctrl-C"
like "$(cat "$TEST_TMP/act.out")" "^[0-9]+ changes in [0-9]+ transactions" "after its summary"
is "$(sqlite3 "$SRC" 'PRAGMA integrity_check')" "ok" "and the source is intact"
run_ok "which the next round applies" "$PANTRYCRM" -d $C sync
run_ok "verify passes at the end" "$PANTRYCRM" -d $C verify

# --- the console's migration pane shows the sync ------------------------------
if have_cmd tmux tmux; then
    T="tmux -L pantrycrm-sync-$$ -f /dev/null"
    at_exit "tmux_stop $T"
    $T new-session -d -s s1 -x 140 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d $C; sleep 30"
    sleep 1
    $T send-keys -t s1 3
    v=$(ver)
    found=1
    for i in $(seq 1 300); do
        if $T capture-pane -p -t s1 | grep -Eq "Sync: source version $v, applied $v; the last round started [0-9]+ versions \([0-9.]+ s\) behind, applied [0-9]+ changes/s"; then
            found=0; break
        fi
        sleep 0.1
    done
    ok $found "the migration pane shows the last sync round's versions, lag and rate"
    [ $found -eq 0 ] || diag "$($T capture-pane -p -t s1)"
    tmux_stop $T
else
    skip "tmux is not installed: the console's sync line is not checked"
fi

done_testing
