#!/bin/sh
# assess: the pre-flight assessment predicts what migrate then does, and
# names the planted trouble (orphans, non-UUID ids, case-colliding unique
# values, long MAX values, hostile enum spellings), against a real
# PostgreSQL run of the same source.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
require_cmd python3 python3
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --messy --seed 11 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"

run_fails "assess without --source is a usage error" 2 "$PANTRYCRM" assess
run_fails "a missing source is an error" 1 "$PANTRYCRM" assess --source "$TEST_TMP/none.db"
like "$ERR" "none.db" "naming it"
run_fails "a bad --load-rate is a usage error" 2 "$PANTRYCRM" assess --source "$SRC" --load-rate x

# Planted trouble on top of the generator's dirt.
sqlite3 "$SRC" <<'SQL' || bail_out "planting failed"
UPDATE "User" SET email = 'Chef@Example.com' WHERE id = (SELECT id FROM "User" ORDER BY id LIMIT 1);
UPDATE "User" SET email = 'chef@example.com ' WHERE id = (SELECT id FROM "User" ORDER BY id LIMIT 1 OFFSET 1);
UPDATE "Organization" SET notes = printf('%.7000c', 'x') || 'END'
    WHERE id = (SELECT id FROM "Organization" ORDER BY id LIMIT 1 OFFSET 5);
UPDATE "Organization" SET segment = 'Evil' || char(27) || '[2J' || char(7)
    WHERE id = (SELECT id FROM "Organization" ORDER BY id LIMIT 1 OFFSET 6);
SQL

run_ok "assess --json succeeds" "$PANTRYCRM" assess --source "$SRC" --json
printf '%s\n' "$OUT" >"$TEST_TMP/a.json"
ok "$(python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TEST_TMP/a.json" >/dev/null 2>&1; echo $?)" \
   "the output is one JSON document"
aq() { python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print($1)" "$TEST_TMP/a.json"; }
tab() { printf '{t["table"]: t for t in a["tables"]}["%s"]' "$1"; }

for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
    is "$(aq "$(tab $t)['rows']")" "$(sqlite3 "$SRC" "SELECT count(*) FROM \"$t\"")" "rows of $t as in the source"
done
is "$(aq "a['facts']['kind']")" "sqlite" "the source kind is reported"
like "$(aq "a['expected_run']['seconds'] > 0 and a['expected_run']['basis']")" "rate" \
     "an expected run time with its basis"

# Planted findings, precisely.
is "$(aq "[c['longest_chars'] for c in $(tab Organization)['columns'] if c['column']=='notes'][0] >= 7003")" \
   "True" "the longest notes value is measured in characters"
is "$(aq "[u['case_insensitive_duplicates'] for u in $(tab User)['unique_keys']][0]")" "1" \
   "two e-mails equal but for case and a trailing blank are one collision"
like "$(aq "[u['examples'] for u in $(tab User)['unique_keys']][0]")" "[Cc]hef@" "with an example"
is "$(aq "[d['maps_to'] for c in $(tab Organization)['columns'] if c['column']=='segment' for d in c['distinct'] if d['value'].startswith('Evil')][0]")" \
   "None" "the hostile segment spelling is listed as mapping to no label"
unmatched=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["unmatched_values"]))' "$SRC.dirt.json" 2>/dev/null | head -n 3)
ok "$([ -n "$unmatched" ] && echo 0 || echo 1)" "the generator reports the unmatched enum values it planted"
printf '%s\n' "$unmatched" | while IFS= read -r v; do
    python3 - "$TEST_TMP/a.json" "$v" <<'PY' || echo "missing $v"
import json, sys
a = json.load(open(sys.argv[1]))
vals = [d for t in a["tables"] for c in t["columns"] for d in c.get("distinct", []) if d["value"] == sys.argv[2]]
sys.exit(0 if vals and all(d["maps_to"] is None for d in vals) else 1)
PY
done >"$TEST_TMP/unmatched.out"
is "$(cat "$TEST_TMP/unmatched.out")" "" "the generator's unmatched enum values are listed as unmatched"

# Human output: findings named, and no raw control character reaches the terminal.
run_ok "assess prints a report" "$PANTRYCRM" assess --source "$SRC"
like "$OUT" "predicted quarantine: [0-9,]+ rows" "the headline predicts the quarantine"
like "$OUT" "unique \(email\): [0-9]+ values differ .*; 1 are duplicates" "the collation finding"
like "$OUT" "consider a unique index on lower" "with advice"
like "$OUT" "enum segment -> OrganizationSegment" "enum domains are listed"
like "$OUT" 'Evil\\u001[bB]\[2J\\u0007' "a hostile value is shown escaped"
ok "$(printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '\033')"; [ $? -eq 1 ]; echo $?)" \
   "no escape byte in the output"

# Text the report quotes from outside its JSON-escaped values (the source
# name here, server facts and messages elsewhere) is sanitized as well.
EVIL=$TEST_TMP/ev$(printf '\033')[2Jx$(printf '\007')il.db
cp "$SRC" "$EVIL"
run_ok "assess a source whose name holds an escape" "$PANTRYCRM" assess --source "$EVIL"
like "$OUT" "^Source: .*ev␛\\[2Jx␇il.db" "the name is shown, made visible"
ok "$(printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '\033')"; [ $? -eq 1 ]; echo $?)" \
   "and no escape byte reaches the terminal"

# The prediction is what migrate does.
pg_start
pg_createdb m
"$PANTRYCRM" -d dbname=m db migrate >/dev/null || bail_out "db migrate failed"
run_ok "migrate the same source" "$PANTRYCRM" -d dbname=m migrate --source "$SRC" --progress none
psql -X -At -d m -c "SELECT table_name || ' ' || reason || ' ' || count(*) FROM migration.quarantine
                     GROUP BY table_name, reason ORDER BY 1" >"$TEST_TMP/actual"
python3 - "$TEST_TMP/a.json" >"$TEST_TMP/predicted" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
rows = sorted(f"{t['table']} {r} {n}" for t in a["tables"] for r, n in t["quarantine_reasons"].items())
print("\n".join(rows))
PY
ok "$([ -s "$TEST_TMP/actual" ] && echo 0 || echo 1)" "the messy source does quarantine rows"
is "$(cat "$TEST_TMP/predicted")" "$(cat "$TEST_TMP/actual")" \
   "predicted quarantine per table and reason = migrate's"
is "$(aq "a['predicted_quarantined']")" "$(psql -X -At -d m -c 'SELECT count(*) FROM migration.quarantine')" \
   "the predicted total = the quarantine's"
psql -X -At -d m -c "SELECT table_name || ' ' || rows_migrated FROM migration.checkpoint ORDER BY 1" \
    >"$TEST_TMP/migrated" 2>/dev/null
python3 - "$TEST_TMP/a.json" >"$TEST_TMP/pmigrated" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
print("\n".join(sorted(f"{t['table']} {t['predicted_migrated']}" for t in a["tables"])))
PY
is "$(cat "$TEST_TMP/pmigrated")" "$(cat "$TEST_TMP/migrated")" "predicted migrated rows per table = migrate's"
psql -X -At -d m -c "SELECT json_object_agg(table_name, repairs) FROM migration.checkpoint" \
    >"$TEST_TMP/repairs"
is "$(python3 - "$TEST_TMP/a.json" "$TEST_TMP/repairs" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
actual = json.load(open(sys.argv[2]))
bad = [t["table"] for t in a["tables"] if t["repairs"] != actual.get(t["table"], {})]
print(" ".join(bad) or "same")
PY
)" "same" "predicted repairs per table and kind = migrate's"
done_testing
