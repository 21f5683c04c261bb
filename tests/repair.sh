#!/bin/sh
# A repairable value never costs its row, nor the row's children: a NUL in
# a User's name (the auth tables have no metadata column) is repaired as
# everywhere else, its original kept in migration.repair with the batch,
# once, across a second run, kill -9 and resume, and emptied by rollback.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --seed 3 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
# The user with the most interactions among those with an account, a
# session and a lead: a NUL in its name used to quarantine all of them.
uid=$(sqlite3 "$SRC" 'SELECT u.id FROM "User" u
    WHERE EXISTS (SELECT 1 FROM "Account" a WHERE a.userId = u.id)
      AND EXISTS (SELECT 1 FROM "Session" s WHERE s.userId = u.id)
      AND EXISTS (SELECT 1 FROM "Lead" l WHERE l.assignedToId = u.id)
    ORDER BY (SELECT count(*) FROM "Interaction" i WHERE i.userId = u.id) DESC, u.id LIMIT 1')
[ -n "$uid" ] || bail_out "no user with children in the generated source"
sqlite3 "$SRC" "UPDATE \"User\" SET name = 'Ann' || char(0) || 'Lee' WHERE id = '$uid'" \
    || bail_out "planting a NUL failed"
src_hex=$(sqlite3 "$SRC" "SELECT lower(hex(name)) FROM \"User\" WHERE id = '$uid'")
is "$src_hex" 416e6e004c6565 "the source name holds a NUL between Ann and Lee"
children() { # db: the user's children in the target, by table
    psql -X -At -d "$1" -c "SELECT (SELECT count(*) FROM \"Account\" WHERE \"userId\" = '$uid')
        || ' ' || (SELECT count(*) FROM \"Session\" WHERE \"userId\" = '$uid')
        || ' ' || (SELECT count(*) FROM \"Interaction\" WHERE \"userId\" = '$uid')
        || ' ' || (SELECT count(*) FROM \"Lead\" WHERE \"assignedToId\" = '$uid')"
}
src_children=$(sqlite3 "$SRC" "SELECT (SELECT count(*) FROM \"Account\" WHERE userId = '$uid')
    || ' ' || (SELECT count(*) FROM \"Session\" WHERE userId = '$uid')
    || ' ' || (SELECT count(*) FROM \"Interaction\" WHERE userId = '$uid')
    || ' ' || (SELECT count(*) FROM \"Lead\" WHERE assignedToId = '$uid')")
diag "the user's children in the source (accounts sessions interactions leads): $src_children"

pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || bail_out "db migrate failed"
fresh_db() { psql -X -q -d postgres -c "CREATE DATABASE \"$1\" TEMPLATE tmpl" >/dev/null || bail_out "createdb $1"; }
repair_rows() { psql_val "SELECT count(*) FROM migration.repair" "$1"; }

run_ok "assess runs" "$PANTRYCRM" assess --source "$SRC" --json
unlike "$OUT" '"predicted_quarantined": [1-9]' "assess predicts no quarantine for the NUL"
like "$OUT" '"name:text_nul": 1' "but the repair"

fresh_db m
run_ok "migrate loads the source" "$PANTRYCRM" -d dbname=m migrate --source "$SRC" --progress none
is "$(psql_val "SELECT coalesce(string_agg(table_name || ':' || reason || ':' || n, ','), 'none') FROM (SELECT table_name, reason, count(*) n FROM migration.quarantine GROUP BY 1, 2 ORDER BY 1, 2) q" m)" \
   none "nothing is quarantined"
is "$(psql_val "SELECT name FROM \"User\" WHERE id = '$uid'" m)" "Ann�Lee" \
   "the user is in the target, the NUL replaced by U+FFFD"
is "$(children m)" "$src_children" "and every one of its children with it"
is "$(psql_val "SELECT table_name || '|' || source_key || '|' || column_name || '|' || reason FROM migration.repair" m)" \
   "User|$uid|name|text_nul" "migration.repair holds the one repaired value"
is "$(psql_val "SELECT original->>'hex' FROM migration.repair" m)" "$src_hex" \
   "its original is the source's bytes"
is "$(psql_val "SELECT run_id = (SELECT max(id) FROM migration.run) FROM migration.repair" m)" t \
   "naming the run"
n=$(psql_val "SELECT coalesce(sum(v::bigint), 0) FROM migration.checkpoint, jsonb_each_text(repairs) e(k, v) WHERE table_name = 'User' AND k = 'name:text_nul'" m)
is "$n" 1 "the checkpoint counts the repair"
run_ok "report --json" "$PANTRYCRM" -d dbname=m report --json
like "$OUT" '"name:text_nul": 1' "the report counts it"
run_ok "verify passes" "$PANTRYCRM" -d dbname=m verify
like "$OUT" "every migrated row matches" "verify says every row matches"
run_ok "a second migrate" "$PANTRYCRM" -d dbname=m migrate --source "$SRC" --progress none
is "$(repair_rows m)" 1 "keeps one repair row"

# kill -9 after every third batch of five rows, each run resuming the one
# before: the repair is kept exactly once, the target as uninterrupted.
fresh_db k
kills=0
for i in 1 2 3 4 5 6; do
    PANTRYCRM_FAULT=batch@3:KILL "$PANTRYCRM" -d dbname=k migrate --source "$SRC" --progress none \
        --batch-size 5 --jobs 1 >/dev/null 2>&1
    [ $? -eq 137 ] && kills=$((kills + 1))
done
is "$kills" 6 "six runs in a row were killed mid-load"
run_ok "the resumed run completes" "$PANTRYCRM" -d dbname=k migrate --source "$SRC" --progress none \
    --batch-size 5 --jobs 1
is "$(repair_rows k)" 1 "one repair row after the kills"
is "$(psql_val "SELECT table_name || '|' || source_key || '|' || column_name || '|' || original::text FROM migration.repair" k)" \
   "$(psql_val "SELECT table_name || '|' || source_key || '|' || column_name || '|' || original::text FROM migration.repair" m)" \
   "one repair row, as in the uninterrupted run"
is "$(psql_val "SELECT count(*) FROM migration.quarantine" k)" 0 "nothing quarantined"
is "$(children k)" "$src_children" "the user's children are all there"

# Sync re-applies the row: its entry follows the source's value, one row
# (upserted), and goes when the value is clean again.
S2=$TEST_TMP/tracked.db
cp "$SRC" "$S2"
run_ok "demo track" "$PANTRYCRM" demo track --source "$S2"
fresh_db s
run_ok "migrate the tracked source" "$PANTRYCRM" -d dbname=s migrate --source "$S2" --progress none
sqlite3 "$S2" "UPDATE \"User\" SET name = 'Bo' || char(0) || 'b' WHERE id = '$uid'" || bail_out "update failed"
run_ok "sync applies the new name" "$PANTRYCRM" -d dbname=s sync
is "$(psql_val "SELECT count(*) || ' ' || min(original->>'hex') FROM migration.repair" s)" "1 426f0062" \
   "one repair row, holding the new original"
is "$(psql_val "SELECT name FROM \"User\" WHERE id = '$uid'" s)" "Bo�b" "the target has the repaired name"
is "$(children s)" "$src_children" "the user's children stay"
sqlite3 "$S2" "UPDATE \"User\" SET name = 'Bob' WHERE id = '$uid'" || bail_out "update failed"
run_ok "sync applies a clean name" "$PANTRYCRM" -d dbname=s sync
is "$(repair_rows s)" 0 "the repair entry is gone"
is "$(psql_val "SELECT name FROM \"User\" WHERE id = '$uid'" s)" "Bob" "the target has the clean name"

# A source column the contract does not know, on a table without
# metadata: its values are kept in migration.repair, not refused.
S3=$TEST_TMP/extra.db
cp "$SRC" "$S3"
sqlite3 "$S3" "ALTER TABLE \"User\" ADD COLUMN nickname TEXT;
    UPDATE \"User\" SET nickname = 'Annie' WHERE id = '$uid'" || bail_out "adding a column failed"
fresh_db x
run_ok "migrate a User table with an extra column" "$PANTRYCRM" -d dbname=x migrate --source "$S3" --progress none
like "$ERR$OUT" 'note: "User"."nickname" is not in the contract: its values are kept in migration.repair' \
     "and says where its values go"
is "$(psql_val "SELECT string_agg(column_name || ':' || reason || ':' || original::text, ',' ORDER BY column_name) FROM migration.repair WHERE source_key = '$uid'" x)" \
   'name:text_nul:{"hex": "416e6e004c6565"},nickname:extra_column:"Annie"' \
   "its value is kept beside the repaired name (NULLs have nothing to keep)"
is "$(repair_rows x)" 2 "and nothing else"
run_ok "verify passes" "$PANTRYCRM" -d dbname=x verify

# A quarantined row keeps no repair entry (the quarantine holds the whole
# row); when quarantine replay migrates it, the entry is written with it.
S4=$TEST_TMP/orphan.db
cp "$SRC" "$S4"
acc=$(sqlite3 "$S4" 'SELECT min(id) FROM "Account"')
sqlite3 "$S4" "UPDATE \"Account\" SET type = 'oa' || char(0) || 'uth', userId = 'ghost-user' WHERE id = '$acc'" \
    || bail_out "planting an orphan failed"
fresh_db r
run_ok "migrate a source with an orphan Account holding a NUL" "$PANTRYCRM" -d dbname=r migrate --source "$S4" --progress none
is "$(psql_val "SELECT reason FROM migration.quarantine WHERE table_name = 'Account'" r)" fk_orphan \
   "the orphan is quarantined"
is "$(psql_val "SELECT count(*) FROM migration.repair WHERE table_name = 'Account'" r)" 0 \
   "with no repair entry of its own"
psql -X -q -d r -c "INSERT INTO \"User\" (id, email) VALUES ('ghost-user', 'ghost@example.com')" >/dev/null \
    || bail_out "adding the parent failed"
run_ok "quarantine replay" "$PANTRYCRM" -d dbname=r quarantine replay
is "$(psql_val "SELECT count(*) FROM \"Account\" WHERE id = '$acc'" r)" 1 "migrates the Account"
is "$(psql_val "SELECT column_name || ':' || reason || ':' || (original->>'hex') FROM migration.repair WHERE table_name = 'Account' AND source_key = '$acc'" r)" \
   "type:text_nul:6f6100757468" "and keeps the original of its repaired type"

run_ok "rollback" "$PANTRYCRM" -d dbname=m migrate --rollback --yes
is "$(repair_rows m)" 0 "empties migration.repair"

done_testing
