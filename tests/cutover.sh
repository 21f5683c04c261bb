#!/bin/sh
# pantrycrm cutover: the go/no-go gate lists every reason, goes once they
# are fixed, and --commit records the switch and writes the reports.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
require_cmd python3 python3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 60 --messy --seed 8 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
"$PANTRYCRM" demo track --source "$SRC" >/dev/null || bail_out "demo track failed"
pg_createdb c
C=dbname=c
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d $C migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate failed"

run_ok "cutover --help" "$PANTRYCRM" cutover --help
like "$OUT" "--quiet-for" "documents its options"
run_fails "--check and --commit exclude each other" 2 "$PANTRYCRM" -d $C cutover --check --commit
run_fails "--commit without --yes off a terminal is refused" 2 "$PANTRYCRM" -d $C cutover --commit </dev/null
run_fails "a bad --quiet-for is a usage error" 2 "$PANTRYCRM" -d $C cutover --quiet-for soon
run_fails "--commit and --rollback exclude each other" 2 "$PANTRYCRM" -d $C cutover --commit --rollback
run_fails "--rollback without --yes off a terminal is refused" 2 "$PANTRYCRM" -d $C cutover --rollback </dev/null
run_fails "the rollback gate before any cutover: no-go" 1 "$PANTRYCRM" -d $C cutover --rollback-check --quiet-for 0
like "$OUT" "FAIL +cut_over +no cutover is in effect" "there is nothing to roll back"

# The old application writes; nothing synced yet; a target row was damaged.
"$PANTRYCRM" demo activity --source "$SRC" --rate 1000 --changes 50 --seed 2 >/dev/null
victim=$(psql_val "SELECT id FROM \"Lead\" ORDER BY id LIMIT 1" c)
psql_val "UPDATE \"Lead\" SET \"companyName\" = 'tampered' WHERE id = '$victim'" c >/dev/null
run_fails "the gate says no-go" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "^cutover check: NO-GO" "in its first line"
like "$OUT" "FAIL +sync +lag [0-9]+ versions: every table applied 0, the source is at [0-9]+; run 'pantrycrm sync'" "reason: the sync lag, with what to do"
like "$OUT" "FAIL +quiet " "reason: the source is not quiet"
like "$OUT" "FAIL +verify +source and target differ: .*Lead" "reason: a content mismatch, naming the table"
like "$OUT" "FAIL +quarantine +[0-9]+ open quarantine rows not accepted" "reason: open quarantine"
like "$OUT" "ok +foreign_keys" "while the foreign keys are fine"

# A foreign key left NOT VALID is a reason too.
fk=$(psql_val "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = '\"Contact\"'::regclass LIMIT 1" c)
def=$(psql_val "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$fk'" c)
psql_val "ALTER TABLE \"Contact\" DROP CONSTRAINT \"$fk\"; ALTER TABLE \"Contact\" ADD CONSTRAINT \"$fk\" $def NOT VALID" c >/dev/null
run_fails "a NOT VALID foreign key" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "FAIL +foreign_keys +1 foreign keys are not validated: \"?Contact\"?\.$fk" "is named"
psql_val "ALTER TABLE \"Contact\" VALIDATE CONSTRAINT \"$fk\"" c >/dev/null

# Fix: sync (a re-copy also repairs the damaged row), accept the quarantine, wait.
run_ok "sync --reinit-all catches up and repairs" "$PANTRYCRM" -d $C sync --reinit-all
run_fails "still no-go" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "ok +sync +lag 0" "the lag is gone"
like "$OUT" "ok +verify" "the content matches"
like "$OUT" "FAIL +quarantine" "but the quarantine is open"
run_ok "the operator accepts the quarantine" "$PANTRYCRM" -d $C quarantine accept --table Organization
for t in User Account Session VerificationToken Contact Interaction Opportunity Lead Contract; do
    "$PANTRYCRM" -d $C quarantine accept --table $t >/dev/null 2>&1
done
sleep 1.2
run_ok "then the gate says go" "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "^cutover check: GO" "GO"
unlike "$OUT" "FAIL" "with no failing check"

# The source moves again: no-go until synced and quiet again.
"$PANTRYCRM" demo activity --source "$SRC" --rate 1000 --changes 5 --seed 9 >/dev/null
run_fails "a new write makes it no-go again" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "FAIL +quiet +the source moved to version" "because the source moved"
"$PANTRYCRM" -d $C sync >/dev/null
psql_val "UPDATE migration.quarantine SET accepted_at = now() WHERE accepted_at IS NULL" c >/dev/null
run_fails "right after the sync the source is not quiet long enough" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 30
like "$OUT" "FAIL +quiet +the source has been quiet for [0-9.]+ s, less than the 30 s required" "says how long"
sleep 1.2
run_ok "--json" "$PANTRYCRM" -d $C cutover --check --quiet-for 1 --json
printf '%s\n' "$OUT" >"$TEST_TMP/check.json"
run_ok "the JSON has the verdict and every check" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["go"] is True, o
names = [c["name"] for c in o["checks"]]
assert names == ["sync", "quiet", "verify", "quarantine", "foreign_keys"], names
assert all(c["ok"] for c in o["checks"]), o["checks"]
assert o["source_version"] == o["applied_version"] > 0, o
assert o["quiet_seconds"] >= 1 and o["quiet_since"], o
' "$TEST_TMP/check.json"

# Commit.
mkdir "$TEST_TMP/reports"
run_ok "--commit --yes records the cutover" "$PANTRYCRM" -d $C cutover --commit --yes --quiet-for 1 --report-dir "$TEST_TMP/reports"
like "$OUT" "cutover recorded at .* \(downtime window [0-9.]+ s\); reports: .*cutover-1.json, .*cutover-1.md" "and names the reports"
like "$OUT" "recorded the baseline 0000_pantrycrm_baseline" "and writes the Drizzle baseline"
is "$(psql_val "SELECT count(*) FROM migration.cutover" c)" 1 "migration.cutover has it"
run_ok "the JSON report has the timings and the downtime window" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
for k in ("committed_at", "downtime_seconds", "quiet_since", "source_version", "checks", "verify",
          "check_seconds", "verify_seconds", "load_started_at", "load_finished_at", "sync_rounds"):
    assert k in o, k
assert 1 <= o["downtime_seconds"] < 60, o["downtime_seconds"]
assert o["go"] is True
' "$TEST_TMP/reports/cutover-1.json"
like "$(cat "$TEST_TMP/reports/cutover-1.md")" "downtime window \(quiet → commit\) \| [0-9.]+ s" "so has the Markdown report"
like "$(cat "$TEST_TMP/reports/cutover-1.md")" "\| Interaction \| [0-9]+ \|" "with the tables"
is "$(psql_val "SELECT report->>'go' FROM migration.cutover" c)" "true" "the target keeps the report too"
# The application's migration history: the Drizzle baseline (tests/drizzle.sh
# runs drizzle-kit against it).
is "$(cd "$TEST_TMP/reports/drizzle" 2>/dev/null && find . -type f | sort | tr '\n' ' ')" \
   "./0000_pantrycrm_baseline.sql ./meta/0000_snapshot.json ./meta/_journal.json " \
   "the migrations folder is in REPORT-DIR/drizzle"
is "$(psql_val "SELECT hash FROM drizzle.__drizzle_migrations" c)" \
   "$(sha256sum <"$TEST_TMP/reports/drizzle/0000_pantrycrm_baseline.sql" | cut -d' ' -f1)" \
   "and drizzle.__drizzle_migrations holds its row"

run_fails "after the cutover, rollback refuses" 1 "$PANTRYCRM" -d $C migrate --rollback --yes
like "$ERR" "cutover has been recorded" "saying why"
run_fails "sync refuses too" 1 "$PANTRYCRM" -d $C sync
like "$ERR" "cutover has been recorded" "saying why"
run_fails "and the gate says it is done already" 1 "$PANTRYCRM" -d $C cutover --check --quiet-for 1
like "$OUT" "FAIL +not_cut_over +a cutover is already recorded" "with that reason"

# The switch back (tests/fallback.sh covers the fallback itself, through
# FreeTDS): with no application change since the cutover the gate goes.
run_fails "the rollback gate with PostgreSQL not quiet long enough: no-go" 1 \
    "$PANTRYCRM" -d $C cutover --rollback-check --quiet-for 86400
like "$OUT" "FAIL +quiet +PostgreSQL has had no application change" "saying so"
run_ok "--rollback --yes records the switch back" "$PANTRYCRM" -d $C cutover --rollback --yes --quiet-for 0 --report-dir "$TEST_TMP/reports"
like "$OUT" "rollback recorded at .*reports: .*rollback-1.json, .*rollback-1.md" "and names the reports"
like "$(cat "$TEST_TMP/reports/rollback-1.md")" "downtime window \(quiet → rollback\) \| [0-9.]+ s" "the Markdown report has the downtime window"
run_ok "sync runs again after the rollback" "$PANTRYCRM" -d $C sync
run_ok "and a new cutover can be committed" "$PANTRYCRM" -d $C cutover --commit --yes --quiet-for 0 --report-dir "$TEST_TMP/reports"
like "$OUT" "cutover-2.json" "as the second one"

done_testing
