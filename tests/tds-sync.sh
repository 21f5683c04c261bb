#!/bin/sh
# pantrycrm sync through FreeTDS db-lib against the tds-standin's Change
# Tracking emulation: migrate records the baseline, the old application
# writes through TDS (inserts, updates, a dirty enum, deletes of a parent
# with children, a key change), rounds apply them (one, --follow, SIGINT),
# idempotently; retention cleanup past the applied version makes sync exit
# 3 and --reinit repairs it; then the cutover gate says go.
#
# PANTRYCRM_TEST_MSSQL=mssql://USER@HOST[:PORT]/DATABASE (password in
# PANTRYCRM_MSSQL_PASSWORD) runs it against a real SQL Server instead: the
# database must be a scratch one with Change Tracking and snapshot isolation
# on (ALTER DATABASE … SET CHANGE_TRACKING = ON, … SET
# ALLOW_SNAPSHOT_ISOLATION ON); the test loads the
# legacy tables with 'demo generate --format tsql', enables tracking on each
# table with a primary key, and simulates retention cleanup by disabling and
# re-enabling tracking on the table (SQL Server has no manual cleanup).
#
# Not run against a real server yet: that path is untested.
#
# Stand-in gaps (see its README): no foreign keys (the application's
# cascades are spelled out below), no time-based retention and no
# sys.change_tracking_databases, so the retention watchdog's warning is not
# exercised here (tests/sync.sh covers it on the SQLite source).
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
. "$abs_top_srcdir/tests/standin.sh"
tds_preamble

tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
# VerificationToken has no primary key: Change Tracking cannot track it.
tracked="User Account Session Organization Contact Interaction Opportunity Lead Contract"

tds_tracked_source 150 7
if [ -z "$REAL" ]; then
    ct=""
    for t in $tracked; do ct="$ct --ct-table dbo.$t"; done
    standin_start legacy "$SRC" $ct
    LOC=mssql://sa@127.0.0.1:$STANDIN_PORT/standin
fi

# val QUERY: the first value of a query's first row, through TDS.
val() {
    "$PROBE" "$LOC" exec "$1" | sed -n 's/^ok //p'
}
ver() { val "SELECT CHANGE_TRACKING_CURRENT_VERSION()"; }

pg_createdb s
C=dbname=s
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"

target_digest() {
    for t in $tables; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done
    psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(table_name || ':' || source_key || ':' || reason, ',' ORDER BY table_name, source_key), '')) FROM migration.quarantine WHERE resolved_at IS NULL"
}
# The target must equal a fresh migration of the source as it is now,
# read through FreeTDS too.
fresh_compare() { # desc
    n=$((n_fresh = ${n_fresh:-0} + 1))
    pg_createdb "fresh$n"
    "$PANTRYCRM" -d "dbname=fresh$n" db migrate >/dev/null
    "$PANTRYCRM" -d "dbname=fresh$n" migrate --source "$LOC" --progress none >/dev/null 2>&1 \
        || bail_out "the fresh migration failed"
    a=$(target_digest s | md5sum)
    b=$(target_digest "fresh$n" | md5sum)
    is "$a" "$b" "$1"
    if [ "$a" != "$b" ]; then
        target_digest s >"$TEST_TMP/d.s"; target_digest "fresh$n" >"$TEST_TMP/d.f"
        diff "$TEST_TMP/d.s" "$TEST_TMP/d.f" | sed 's/^/# /'
    fi
}
applied() { psql_val "SELECT min(applied_version) FROM migration.sync" s; }

v0=$(ver)
run_ok "migrate through FreeTDS records the change baseline" \
    "$PANTRYCRM" -d $C migrate --source "$LOC" --progress none
like "$OUT" "change tracking: version $v0 recorded before the load \(9 tables\)" \
     "before the load, for the 9 tables with a primary key"
is "$(psql_val "SELECT count(*) FROM migration.sync WHERE baseline_version = $v0 AND applied_version = $v0" s)" 9 \
   "every tracked table has its baseline in the target"

run_ok "a round with no changes" "$PANTRYCRM" -d $C sync
like "$OUT" "round 1: version $v0 -> $v0 .* 0 changes" "applies nothing"

# --- inserts, updates, a dirty enum, through TDS -----------------------------
org=$(val "SELECT TOP 1 id FROM dbo.Organization WHERE id LIKE '%-%' AND LOWER(id) = id ORDER BY id")
org2=$(val "SELECT id FROM dbo.Organization WHERE LOWER(id) = id AND priority IN ('A', 'C') ORDER BY id OFFSET 3 ROWS FETCH NEXT 1 ROWS ONLY")
ok $([ -n "$org" ] && [ -n "$org2" ] && [ "$org" != "$org2" ]; echo $?) "two organizations to change ($org, $org2)"
sql "BEGIN TRAN;
INSERT INTO dbo.Organization (id, name, priority, segment, type, status, createdAt, updatedAt)
  VALUES ('0b0e5c2a-1111-4c1a-9a1a-000000000001', N'Sync Test Diner é', 'A', 'FINE_DINING', 'PROSPECT', 'ACTIVE',
          '2026-01-01 10:00:00.0000000', '2026-01-01 10:00:00.0000000');
INSERT INTO dbo.Contact (id, firstName, lastName, isPrimary, organizationId, createdAt, updatedAt)
  VALUES ('0b0e5c2a-2222-4c1a-9a1a-000000000002', N'Ada', N'Sync', 1, '0b0e5c2a-1111-4c1a-9a1a-000000000001',
          '2026-01-01 10:00:00.0000000', '2026-01-01 10:00:00.0000000');
COMMIT" \
    "UPDATE dbo.Organization SET name = N'Renamed by sync test', updatedAt = '2026-02-02 00:00:00.0000000' WHERE id = '$org'" \
    "UPDATE dbo.Organization SET priority = 'NOT_A_PRIORITY' WHERE id = '$org2'" \
    || bail_out "writing through TDS failed"
v1=$(ver)
is "$v1" "$((v0 + 3))" "three transactions, three versions"
run_ok "a round applies the inserts and updates (--source given)" "$PANTRYCRM" -d $C sync --source "$LOC"
like "$OUT" "round 1: version $v0 -> $v1 .* 4 changes" "four changes up to the source's version"
is "$(psql_val "SELECT name FROM \"Organization\" WHERE id = '0b0e5c2a-1111-4c1a-9a1a-000000000001'" s)" \
   "Sync Test Diner é" "the insert arrived, its text intact"
is "$(psql_val "SELECT \"organizationId\" FROM \"Contact\" WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002'" s)" \
   "0b0e5c2a-1111-4c1a-9a1a-000000000001" "with its child"
is "$(psql_val "SELECT name FROM \"Organization\" WHERE id = '$org'" s)" "Renamed by sync test" "the update arrived"
is "$(psql_val "SELECT reason FROM migration.quarantine WHERE table_name = 'Organization' AND source_key = '$org2' AND resolved_at IS NULL" s)" \
   "enum_unmatched" "the dirty enum value goes to the quarantine"
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE id = '$org2'" s)" 0 "and leaves the target"
ok $([ "$(psql_val "SELECT count(*) FROM migration.quarantine WHERE reason = 'fk_parent_quarantined' AND resolved_at IS NULL AND lower(original->>'organizationId') = '$org2'" s)" -gt 0 ]; echo $?) \
   "its children are re-read through FreeTDS and quarantined for it"
is "$(applied)" "$v1" "the applied version is stored in the target"

# --- deletes of a parent with children, a key change, a fixed row -----------
# The stand-in enforces no foreign keys (a documented gap: SQLite
# underneath), so SQL Server's ON DELETE CASCADE / SET NULL is spelled out
# here, in one transaction, as the server would log it. Deleting a parent
# alone would leave orphans in the stand-in that SQL Server cannot have;
# sync relies on the server's cascades (their deletes are in the change
# log) and does not re-read the children of a deleted parent.
sql "BEGIN TRAN;
DELETE FROM dbo.Interaction WHERE LOWER(organizationId) = LOWER('$org');
DELETE FROM dbo.Contract WHERE LOWER(organizationId) = LOWER('$org');
UPDATE dbo.Interaction SET contactId = NULL WHERE LOWER(contactId) IN (SELECT LOWER(id) FROM dbo.Contact WHERE LOWER(organizationId) = LOWER('$org'));
UPDATE dbo.Opportunity SET contactId = NULL WHERE LOWER(contactId) IN (SELECT LOWER(id) FROM dbo.Contact WHERE LOWER(organizationId) = LOWER('$org'));
UPDATE dbo.Contract SET contactId = NULL WHERE LOWER(contactId) IN (SELECT LOWER(id) FROM dbo.Contact WHERE LOWER(organizationId) = LOWER('$org'));
UPDATE dbo.Contract SET opportunityId = NULL WHERE LOWER(opportunityId) IN (SELECT LOWER(id) FROM dbo.Opportunity WHERE LOWER(organizationId) = LOWER('$org'));
DELETE FROM dbo.Opportunity WHERE LOWER(organizationId) = LOWER('$org');
DELETE FROM dbo.Contact WHERE LOWER(organizationId) = LOWER('$org');
UPDATE dbo.Lead SET organizationId = NULL WHERE LOWER(organizationId) = LOWER('$org');
DELETE FROM dbo.Organization WHERE LOWER(id) = LOWER('$org');
COMMIT" \
    "UPDATE dbo.Contact SET id = '0b0e5c2a-3333-4c1a-9a1a-000000000003' WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002'" \
    "UPDATE dbo.Organization SET priority = 'B' WHERE id = '$org2'" \
    || bail_out "writing through TDS failed"
# Messy keys in upper case (the target holds them in lower case), and text
# ending in a lone high surrogate (which kills a db-lib text read).
upper_in_target() { # table: a key in upper case in the source whose row is in the target
    for k in $("$PROBE" "$LOC" dump "$1" id | cut -d' ' -f1 | grep '[A-F]' | head -40); do
        lk=$(printf '%s' "$k" | tr 'A-F' 'a-f')
        [ "$(psql_val "SELECT count(*) FROM \"$1\" WHERE id = '$lk'" s)" = 1 ] && { echo "$k"; return; }
    done
}
ulead=$(upper_in_target Lead)
uint=$(upper_in_target Interaction)
ok $([ -n "$ulead" ] && [ -n "$uint" ]; echo $?) "rows with upper-case keys to change ($ulead, $uint)"
sql "UPDATE dbo.Lead SET companyName = N'upper key updated' WHERE id = '$ulead'" \
    "DELETE FROM dbo.Interaction WHERE id = '$uint'" \
    "UPDATE dbo.Organization SET notes = N'ends in half a pair \\uD83D' WHERE id = '0b0e5c2a-1111-4c1a-9a1a-000000000001'" \
    "UPDATE dbo.Lead SET notes = N'nul\\u0000inside' WHERE id = '$ulead'" \
    || bail_out "writing through TDS failed"
ulead=$(printf '%s' "$ulead" | tr 'A-F' 'a-f')
uint=$(printf '%s' "$uint" | tr 'A-F' 'a-f')
v2=$(ver)
run_ok "a round applies deletes, a key change and a fixed row" "$PANTRYCRM" -d $C sync
like "$OUT" "round 1: version $v1 -> $v2 " "up to the source's version"
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE id = '$org'" s)" 0 "the deleted parent is gone"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE \"organizationId\" = '$org'" s)" 0 "with its children"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE id = '0b0e5c2a-2222-4c1a-9a1a-000000000002'" s)" 0 "a changed key: the old key is deleted"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE id = '0b0e5c2a-3333-4c1a-9a1a-000000000003'" s)" 1 "and the new one inserted"
is "$(psql_val "SELECT priority FROM \"Organization\" WHERE id = '$org2'" s)" "B" "the fixed row is back in the target"
is "$(psql_val "SELECT resolved_at IS NOT NULL FROM migration.quarantine WHERE table_name = 'Organization' AND source_key = '$org2'" s)" \
   "t" "and its quarantine entry is resolved"
is "$(psql_val "SELECT \"companyName\" FROM \"Lead\" WHERE id = '$ulead'" s)" "upper key updated" \
   "an update under an upper-case key reaches the lower-case target row"
# (\uD83D and \u0000 in a literal are the stand-in's spelling of a lone
# surrogate and of NUL; a real SQL Server stores the six characters.)
[ -n "$REAL" ] || \
is "$(psql_val "SELECT notes || '|' || (metadata->'legacy' ? 'notes')::text FROM \"Lead\" WHERE id = '$ulead'" s)" "nul"$(printf '\357\277\275')"inside|true" \
   "a NUL inside NVARCHAR(MAX) arrives as U+FFFD, its original kept"
is "$(psql_val "SELECT count(*) FROM \"Interaction\" WHERE id = '$uint'" s)" 0 "a delete under an upper-case key removes it"
[ -n "$REAL" ] || \
is "$(psql_val "SELECT notes = 'ends in half a pair ' || U&'\\FFFD' AND metadata->'legacy' ? 'notes' FROM \"Organization\" WHERE id = '0b0e5c2a-1111-4c1a-9a1a-000000000001'" s)" \
   t "a lone surrogate at the end of NVARCHAR(MAX) arrives repaired, its original kept"
run_ok "verify passes after the sync" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration of the changed source"

# --- --json, lag, idempotence -------------------------------------------------
lead=$(val "SELECT TOP 1 id FROM dbo.Lead WHERE LOWER(id) = id ORDER BY id")
sql "UPDATE dbo.Lead SET companyName = N'lead renamed' WHERE id = '$lead'" \
    "INSERT INTO dbo.Organization (id, name, priority, segment, type, status, createdAt, updatedAt)
       VALUES ('0b0e5c2a-4444-4c1a-9a1a-000000000004', N'Second Diner', 'C', 'FINE_DINING', 'PROSPECT', 'ACTIVE',
               '2026-01-03 10:00:00.0000000', '2026-01-03 10:00:00.0000000')" \
    || bail_out "writing through TDS failed"
v3=$(ver)
run_ok "sync --json" "$PANTRYCRM" -d $C sync --json
printf '%s\n' "$OUT" >"$TEST_TMP/round.json"
run_ok "one JSON round line with versions and lag" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
for k in ("round", "source_version", "from_version", "applied_version", "lag_versions", "lag_seconds",
          "changes", "seconds", "changes_per_second", "tables"):
    assert k in o, k
assert o["applied_version"] == o["source_version"] == int(sys.argv[2]), o
assert o["from_version"] == int(sys.argv[3]), o
assert o["lag_versions"] == int(sys.argv[2]) - int(sys.argv[3]), o
assert o["lag_seconds"] > 0 and o["changes_per_second"] > 0, o
assert o["changes"] == 2 == sum(t["changes"] for t in o["tables"].values()), o
assert o["tables"]["Lead"]["upserts"] == 1 and o["tables"]["Organization"]["upserts"] == 1, o
' "$TEST_TMP/round.json" "$v3" "$v2"
d1=$(target_digest s | md5sum)
run_ok "a round with nothing new" "$PANTRYCRM" -d $C sync --json
like "$OUT" "\"changes\": ?0[,}]" "applies nothing"
is "$(target_digest s | md5sum)" "$d1" "and changes nothing"
psql_val "UPDATE migration.sync SET applied_version = $v0" s >/dev/null
run_ok "replaying every change since the baseline (as after a crash before the commit)" "$PANTRYCRM" -d $C sync
is "$(target_digest s | md5sum)" "$d1" "gives the same target"
is "$(applied)" "$v3" "at the source's version"

# --- --follow, then SIGINT --------------------------------------------------
"$PANTRYCRM" -d $C sync --follow --interval 0.3 --json >"$TEST_TMP/follow.json" 2>"$TEST_TMP/follow.err" &
fol=$!
for i in $(seq 1 100); do
    [ -s "$TEST_TMP/follow.json" ] && break
    sleep 0.1
done
sql "UPDATE dbo.Lead SET companyName = N'followed' WHERE id = '$lead'" \
    || bail_out "writing through TDS failed"
v4=$(ver)
for i in $(seq 1 100); do
    grep -q "\"applied_version\": \?$v4[,}]" "$TEST_TMP/follow.json" && break
    sleep 0.1
done
kill -INT $fol
wait $fol
is "$?" 130 "--follow ends with 130 on SIGINT"
run_ok "its rounds are JSON lines, the last at the source's version" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 2, lines
objs = [json.loads(l) for l in lines]
assert objs[-1]["applied_version"] == int(sys.argv[2]), objs[-1]
assert sum(o["changes"] for o in objs) == 1, objs
' "$TEST_TMP/follow.json" "$v4"
is "$(psql_val "SELECT \"companyName\" FROM \"Lead\" WHERE id = '$lead'" s)" "followed" "the change made while following arrived"
run_ok "verify passes after --follow" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after --follow"

# --- the old application writes while --follow runs --------------------------
# Each writer call is one connection running its batches back to back; a
# round's snapshot must never see half a transaction, and whatever a round
# missed the next one applies.
writer() {
    local i=0 b
    while [ $i -lt 12 ]; do
        b=$(printf '0b0e5c2a-5555-4c1a-9a1a-%012d' $i)
        "$PROBE" "$LOC" exec "BEGIN TRAN;
INSERT INTO dbo.Interaction (id, type, subject, date, organizationId, createdAt, updatedAt)
  VALUES ('$b', 'CALL', N'live $i', '2026-03-01 10:00:00.0000000', '0b0e5c2a-1111-4c1a-9a1a-000000000001',
          '2026-03-01 10:00:00.0000000', '2026-03-01 10:00:00.0000000');
UPDATE dbo.Organization SET employeeCount = $i WHERE id = '0b0e5c2a-1111-4c1a-9a1a-000000000001';
COMMIT" \
            "UPDATE dbo.Interaction SET subject = N'live $i updated' WHERE id = '$b'" \
            "DELETE FROM dbo.Interaction WHERE id = '$(printf '0b0e5c2a-5555-4c1a-9a1a-%012d' $((i - 2)))'" \
            >/dev/null || return 1
        i=$((i + 1))
        sleep 0.1
    done
}
"$PANTRYCRM" -d $C sync --follow --interval 0.1 >"$TEST_TMP/live.out" 2>&1 &
fol=$!
writer
wrc=$?
vlive=$(ver)
for i in $(seq 1 100); do
    grep -q "^round [0-9]*: version [0-9]* -> $vlive " "$TEST_TMP/live.out" && break
    sleep 0.1
done
kill -INT $fol
wait $fol
is "$?:$wrc" "130:0" "--follow ran while the writer wrote through TDS"
like "$(cat "$TEST_TMP/live.out")" "round [0-9]+: version [0-9]+ -> $vlive " \
     "and caught up with the source on its own (each round a new snapshot, none left open)"
live_rounds=$(grep -c '^round' "$TEST_TMP/live.out")
ok $([ "$(grep -c '^round .* [1-9][0-9]* changes' "$TEST_TMP/live.out")" -ge 2 ]; echo $?) \
   "several rounds applied changes while the writes went on ($live_rounds rounds)"
[ "$(grep -c '^round .* [1-9][0-9]* changes' "$TEST_TMP/live.out")" -ge 2 ] || diag "$(cat "$TEST_TMP/live.out")"
run_ok "a last round" "$PANTRYCRM" -d $C sync
is "$(applied)" "$(ver)" "at the source's version"
is "$(psql_val "SELECT string_agg(subject, ',' ORDER BY id) FROM \"Interaction\" WHERE id::text LIKE '0b0e5c2a-5555-%'" s)" \
   "live 10 updated,live 11 updated" "the live inserts, updates and deletes arrived"
run_ok "verify passes after live writes" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after live writes"

# --- retention cleanup past the applied version, --reinit -------------------
# two interactions that are in the target (not quarantined)
ia=$(psql_val "SELECT id FROM \"Interaction\" ORDER BY id LIMIT 1" s)
ib=$(psql_val "SELECT id FROM \"Interaction\" ORDER BY id DESC LIMIT 1" s)
sql "UPDATE dbo.Interaction SET subject = N'after cleanup' WHERE LOWER(id) = '$ia'" \
    "UPDATE dbo.Interaction SET subject = N'after cleanup 2' WHERE LOWER(id) = '$ib'" \
    || bail_out "writing through TDS failed"
v5=$(ver)
if [ -n "$REAL" ]; then
    # SQL Server has no manual cleanup: re-enabling tracking raises the
    # table's minimum valid version past ours.
    sql "ALTER TABLE dbo.Interaction DISABLE CHANGE_TRACKING" "ALTER TABLE dbo.Interaction ENABLE CHANGE_TRACKING"
else
    sql "EXEC sp_standin_ct_cleanup 'dbo.Interaction', $v5" || bail_out "sp_standin_ct_cleanup failed"
fi
run_fails "sync after cleanup past the applied version exits 3" 3 "$PANTRYCRM" -d $C sync
like "$ERR" "cleaned up past the applied version .* for: Interaction;" "naming the table to re-copy"
unlike "$ERR" "Contact" "and only that one"
run_ok "--reinit Interaction re-copies it" "$PANTRYCRM" -d $C sync --reinit Interaction
like "$OUT" "Interaction +re-copied" "and says so"
is "$(applied)" "$(ver)" "every table is at the source's version again"
is "$(psql_val "SELECT subject FROM \"Interaction\" WHERE id = '$ib'" s)" "after cleanup 2" \
   "the changes that were cleaned up arrived by the re-copy"
run_ok "verify passes after the re-copy" "$PANTRYCRM" -d $C verify
fresh_compare "the target equals a fresh migration after the re-copy"

# --- updates that leave names alone do not churn the search words -----------
# (sync upserts list every column: the word triggers skip unchanged names,
# data/sql/0009; without that a round of contact updates got slower with
# every batch.)
words() { psql_val "SELECT word || ':' || xmin FROM search.contact_vocab ORDER BY word" s; }
words >"$TEST_TMP/words.before"
ren=$(psql_val "SELECT id FROM \"Contact\" ORDER BY id LIMIT 1" s)
sql "UPDATE dbo.Contact SET position = N'Head chef'" \
    "UPDATE dbo.Contact SET lastName = N'Zyxwvut' WHERE LOWER(id) = '$ren'" || bail_out "writing through TDS failed"
run_ok "a round of contact updates" "$PANTRYCRM" -d $C sync
words >"$TEST_TMP/words.after"
nchanged=$(diff "$TEST_TMP/words.before" "$TEST_TMP/words.after" | grep -c '^>')
ok $([ "$nchanged" -le 4 ]; echo $?) "only the renamed contact's words changed in the search vocabulary ($nchanged of $(wc -l <"$TEST_TMP/words.after"))"
is "$(psql_val "SELECT count(*) FROM search.contact_word WHERE id = '$ren' AND word = 'zyxwvut'" s)" 1 \
   "and the new name is searchable"
is "$(psql_val "SELECT count(*) FROM \"Contact\" WHERE position = 'Head chef'" s)" \
   "$(psql_val "SELECT count(*) FROM \"Contact\"" s)" "every contact was updated"

# --- the cutover gate -------------------------------------------------------
run_ok "--reinit-all re-copies everything, VerificationToken too" "$PANTRYCRM" -d $C sync --reinit-all
like "$OUT" "VerificationToken +re-copied" "including the table the source cannot track"
for t in $tables; do
    "$PANTRYCRM" -d $C quarantine accept --table $t >/dev/null 2>&1
done
sql "UPDATE dbo.Lead SET companyName = N'late write' WHERE id = '$lead'" || bail_out "writing through TDS failed"
run_fails "cutover --check after a write through TDS: no-go" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "^cutover check: NO-GO" "NO-GO"
like "$OUT" "FAIL +sync +lag 1 versions" "the sync lag is a reason"
like "$OUT" "FAIL +quiet " "and so is the source not being quiet"
run_ok "a round at zero lag" "$PANTRYCRM" -d $C sync
sleep 1.2
run_ok "cutover --check says go once the lag is zero and the source quiet" \
    "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "^cutover check: GO" "GO"
like "$OUT" "ok +sync +lag 0" "with no lag"
unlike "$OUT" "FAIL" "and no failing check"

# --- the server goes away under --follow ----------------------------------
if [ -z "$REAL" ]; then
    "$PANTRYCRM" -d $C sync --follow --interval 0.2 >"$TEST_TMP/gone.out" 2>"$TEST_TMP/gone.err" &
    fol=$!
    for i in $(seq 1 100); do
        grep -q "^round 1:" "$TEST_TMP/gone.out" && break
        sleep 0.1
    done
    standin_stop legacy
    wait $fol
    is "$?" 1 "--follow ends with status 1 when the server goes away"
    like "$(cat "$TEST_TMP/gone.err")" "connection (to SQL Server )?is lost" "saying the connection was lost"
    unlike "$(cat "$TEST_TMP/gone.err")" "without a message" "not that db-lib failed without a message"
    unlike "$(cat "$TEST_TMP/gone.err")" "ALLOW_SNAPSHOT_ISOLATION" "and without a hint about snapshot isolation"
fi

done_testing
