#!/bin/sh
# migrate / report / verify / quarantine / rollback on a generated messy
# legacy database, against a real PostgreSQL.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --messy --seed 11 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
# Two e-mails that SQL Server's case-insensitive collation held as one:
# a copy of a plain user, the address upper-cased.
sqlite3 "$SRC" "CREATE TEMP TABLE u AS SELECT * FROM \"User\" WHERE email GLOB '[a-z]*@*'
    AND name NOT GLOB '*[^ -~]*' ORDER BY id LIMIT 1;
    UPDATE u SET id = 'dup-user-1', email = upper(email); INSERT INTO \"User\" SELECT * FROM u;" \
    || bail_out "planting a case-insensitive duplicate failed"
dup_email=$(sqlite3 "$SRC" "SELECT email FROM \"User\" WHERE id = 'dup-user-1'")
pg_createdb m
C=dbname=m
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"

tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
src_count() { sqlite3 "$SRC" "SELECT count(*) FROM \"$1\""; }
# A digest of every table's content, to compare targets.
target_digest() {
    for t in $tables; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done | md5sum
}

run_fails "migrate without --source is a usage error" 2 "$PANTRYCRM" -d $C migrate
for bad in "--jobs 17" "--jobs 0" "--jobs +2" "--batch-size 1e3" "--batch-size 5x"; do
    # shellcheck disable=SC2086
    run_fails "migrate $bad is a usage error" 2 "$PANTRYCRM" -d $C migrate --source "$SRC" $bad
    like "$ERR" "takes a number from 1 to" "and says which numbers it takes"
done
run_fails "a missing source file is refused" 1 "$PANTRYCRM" -d $C migrate --source "$TEST_TMP/none.db"
like "$ERR" "none.db: No such file" "and named"
printf 'not a database' >"$TEST_TMP/junk.db"
run_fails "a file that is not SQLite is refused" 1 "$PANTRYCRM" -d $C migrate --source "$TEST_TMP/junk.db"
like "$ERR" "not a readable SQLite database" "with a clear message"
run_fails "a bad policy is a usage error" 2 "$PANTRYCRM" -d $C migrate --source "$SRC" --policy Organization.nosuch=null
like "$ERR" 'no column "nosuch"' "naming the column"

# A source that lacks a contract column stops before anything moves.
cp "$SRC" "$TEST_TMP/broken.db"
sqlite3 "$TEST_TMP/broken.db" 'ALTER TABLE "Contact" DROP COLUMN "position"'
pg_createdb broken
"$PANTRYCRM" -d dbname=broken db migrate >/dev/null
run_fails "a missing source column stops the run" 1 "$PANTRYCRM" -d dbname=broken migrate \
    --source "$TEST_TMP/broken.db" --progress none
like "$ERR" 'column "Contact"."position" is missing \(NVARCHAR\(1000\)\)' "with a precise message"
is "$(psql_val 'SELECT count(*) FROM migration.run' broken)" 0 "and no run was started"

# The full load.
run_ok "migrate loads the messy source" "$PANTRYCRM" -d $C migrate --source "$SRC" --progress json --jobs 3
like "$OUT" '"event":"progress"' "not on a terminal, progress is JSON lines"
for t in $tables; do
    n=$(src_count "$t")
    got=$(psql_val "SELECT rows_read, rows_migrated + rows_quarantined, done FROM migration.checkpoint WHERE table_name = '$t'" m)
    is "$got" "$n|$n|t" "$t: read = migrated + quarantined = $n source rows"
    is "$(psql_val "SELECT (SELECT count(*) FROM \"$t\") + (SELECT count(*) FROM migration.quarantine WHERE table_name = '$t')" m)" \
       "$n" "$t: target rows + quarantine rows = source rows"
done
is "$(psql_val 'SELECT count(*) FROM migration.deferred_ddl' m)" 0 "every deferred index and foreign key was rebuilt"
is "$(psql_val "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace" m)" \
   "$(psql_val "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace" broken)" \
   "the target has all its foreign keys again"
is "$(psql_val "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'" m)" \
   "$(psql_val "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'" broken)" \
   "and all its indexes"
# ...each as it was defined, storage parameters included (the rebuilt
# keyset indexes keep deduplicate_items = off, data/sql/0022).
indexdefs="SELECT string_agg(indexdef, E'\n' ORDER BY schemaname, indexname) FROM pg_indexes
           WHERE schemaname IN ('public', 'search')"
is "$(psql_val "$indexdefs" m)" "$(psql_val "$indexdefs" broken)" \
   "every index of the tables and of the search words is rebuilt as it was defined"
like "$(psql_val "$indexdefs" m)" "Interaction_userId_date_id_idx.*WITH \\(deduplicate_items='?off'?\\)" \
   "a keyset index is rebuilt without deduplication"
is "$(stat -c %a "$XDG_STATE_HOME/pantrycrm/state.db")" 600 "the state file is mode 0600"
is "$(sqlite3 "$XDG_STATE_HOME/pantrycrm/state.db" "SELECT status FROM run ORDER BY id DESC LIMIT 1")" done \
   "the state file records the finished run"
unlike "$(sqlite3 "$XDG_STATE_HOME/pantrycrm/state.db" .dump)" "password" "the state file holds no password"

run_ok "report --json works" "$PANTRYCRM" -d $C report --json
like "$OUT" '"quarantined": [1-9]' "the report counts quarantined rows"
like "$OUT" '"enum_normalised"|"segment:enum_normalised"' "and repairs by reason"
run_ok "verify passes after the load" "$PANTRYCRM" -d $C verify
like "$OUT" "every migrated row matches" "verify says so"
like "$OUT" "case-insensitive duplicates: SQL Server held each of these as one value" \
     "and names the values SQL Server held as one"
like "$OUT" "  User \\(email\\): 1 value in 2 rows, e.g. '[^']*@" "the planted e-mail pair, with an example"
run_ok "report" "$PANTRYCRM" -d $C report
like "$OUT" "  User \\(email\\): 1 value in 2 rows" "migrate's report names them too"
run_ok "report --json" "$PANTRYCRM" -d $C report --json
like "$OUT" '"columns": "email"' "and its JSON"
is "$(psql_val "SELECT count(*) FROM \"User\" WHERE lower(email) = lower('$dup_email')" m)" 2 \
   "both rows are in the target"

# Reasons the messy data must produce.
for reason in enum_unmatched fk_orphan decimal_precision_loss datetime_out_of_range; do
    n=$(psql_val "SELECT count(*) FROM migration.quarantine WHERE reason = '$reason'" m)
    ok "$([ "$n" -gt 0 ]; echo $?)" "quarantine has rows for $reason ($n)"
done
for repair in enum_normalised enum_synonym text_nul text_lone_surrogate email_malformed_kept email_domain_case \
        email_trimmed email_mailto id_mapped_v5 datetime_rounded; do
    n=$(psql_val "SELECT coalesce(sum(v::bigint), 0) FROM migration.checkpoint, jsonb_each_text(repairs) e(k, v) WHERE k LIKE '%:$repair'" m)
    ok "$([ "$n" -gt 0 ]; echo $?)" "repairs counted for $repair ($n)"
done
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE metadata ? 'legacy' AND metadata->'legacy' ? 'id' AND id::text <> lower(metadata->'legacy'->>'id')" m)" \
   "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE metadata->'legacy' ? 'id'" m)" \
   "non-UUID ids keep their original in metadata.legacy.id"

# Running again changes nothing.
before=$(target_digest m)
run_ok "a second migrate succeeds" "$PANTRYCRM" -d $C migrate --source "$SRC" --progress none
is "$(target_digest m)" "$before" "and changes no row"
is "$(psql_val 'SELECT sum(rows_read) FROM migration.checkpoint' m)" \
   "$(($(for t in $tables; do src_count "$t"; done | paste -sd+)))" "nothing was read twice"

# Tampering is found and narrowed down to the row.
victim=$(psql_val 'SELECT id FROM "Contact" ORDER BY id LIMIT 1' m)
psql -X -q -d m -c "UPDATE \"Contact\" SET \"lastName\" = 'Tampered' WHERE id = '$victim'"
run_fails "verify finds a changed value" 1 "$PANTRYCRM" -d $C verify
like "$OUT" "differs in column lastName" "and names the column"
run_ok "verify --json works on a mismatch too" sh -c "'$PANTRYCRM' -d $C verify --json; true"
like "$OUT" '"rows_differing": 1' "the JSON counts the differing row"
psql -X -q -d m -c "DELETE FROM \"Contact\" WHERE id = '$victim'"
run_fails "verify finds a missing row" 1 "$PANTRYCRM" -d $C verify
like "$OUT" "neither in the target nor in the quarantine" "and says what is wrong"

# The quarantine: list, show (escaped), replay after a synonym change.
run_ok "quarantine list works" "$PANTRYCRM" -d $C quarantine list -n 5
like "$OUT" "enum_unmatched" "it summarises by reason"
qid=$(psql_val "SELECT id FROM migration.quarantine WHERE reason = 'enum_unmatched' ORDER BY id LIMIT 1" m)
run_ok "quarantine show works" "$PANTRYCRM" -d $C quarantine show "$qid"
like "$OUT" "original values:" "it shows the original values"
unlike "$OUT" '\\x0a' "with line breaks, not literal \\x0a"
ok "$([ "$(printf '%s\n' "$OUT" | sed -n '/^original values:/,$p' | grep -cE '^ +"[^"]+": ')" -ge 2 ]; echo $?)" \
   "one column per line"
esc=$(printf '\033')
unlike "$OUT$( "$PANTRYCRM" -d $C quarantine list -n 1000)" "$esc" "no raw escape character reaches the terminal"

# Teach the synonyms every unmatched label, then replay.
cp "$abs_top_srcdir/data/synonyms.conf" "$TEST_TMP/syn.conf"
chmod u+w "$TEST_TMP/syn.conf"
psql -X -At -d m -c "SELECT DISTINCT split_part(detail, ':', 1), substring(detail from '''(.*)''') FROM migration.quarantine WHERE reason = 'enum_unmatched' AND table_name = 'Organization' AND column_name = 'segment'" |
while IFS='|' read -r type value; do
    printf '[%s]\n%s = CORPORATE\n' "$type" "$value"
done >>"$TEST_TMP/syn.conf"
open_before=$(psql_val "SELECT count(*) FROM migration.quarantine WHERE resolved_at IS NULL" m)
run_ok "quarantine replay with the new synonyms" "$PANTRYCRM" -d $C quarantine replay --synonyms "$TEST_TMP/syn.conf"
like "$OUT" "left the quarantine" "replay reports what it did"
open_after=$(psql_val "SELECT count(*) FROM migration.quarantine WHERE resolved_at IS NULL" m)
ok "$([ "$open_after" -lt "$open_before" ]; echo $?)" "rows left the quarantine ($open_before -> $open_after)"
is "$(psql_val "SELECT sum(rows_read) - sum(rows_migrated) - sum(rows_quarantined) FROM migration.checkpoint" m)" 0 \
   "the checkpoint counts still reconcile after replay"

# Rollback.
run_fails "rollback without --yes and without a terminal is refused" 1 "$PANTRYCRM" -d $C migrate --rollback </dev/null
like "$ERR" "refusing without --yes" "and says why"
run_ok "rollback --yes empties the target" "$PANTRYCRM" -d $C migrate --rollback --yes
is "$(psql_val 'SELECT (SELECT count(*) FROM "Organization") + (SELECT count(*) FROM migration.quarantine) + (SELECT count(*) FROM migration.checkpoint)' m)" 0 \
   "no CRM row, quarantine row or checkpoint is left"
psql -X -q -d m -c "INSERT INTO migration.cutover DEFAULT VALUES"
run_fails "rollback is refused after a cutover" 1 "$PANTRYCRM" -d $C migrate --rollback --yes
like "$ERR" "cutover has been recorded" "and says why"

done_testing
