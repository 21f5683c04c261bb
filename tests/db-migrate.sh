#!/bin/sh
# db migrate / db status: apply in order, idempotent, refuse tampering,
# explain failures, serialise concurrent runs.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start

nfiles=$(ls "$abs_top_srcdir"/data/sql/*.sql | wc -l)
pg_createdb m1
C="dbname=m1"

run_fails "status on an empty database reports pending (exit 1)" 1 "$PANTRYCRM" -d "$C" db status
like "$OUT" "0 applied, $nfiles pending" "every shipped file is pending"

run_ok "first migrate succeeds" "$PANTRYCRM" -d "$C" db migrate
like "$OUT" "applied $nfiles migrations" "it applies every file"
first=$(ls "$abs_top_srcdir"/data/sql/*.sql | head -n1 | xargs basename)
like "$OUT" "^applied $first" "files are applied in name order, first $first"
is "$(psql_val "SELECT count(*) FROM pantrycrm.schema_migration" m1)" "$nfiles" "one bookkeeping row per file"
is "$(psql_val "SELECT count(*) FROM pantrycrm.schema_migration WHERE checksum ~ '^[0-9a-f]{64}\$'" m1)" \
   "$nfiles" "every row records a SHA-256 checksum"

before=$(schema_dump m1)
stamps=$(psql_val "SELECT string_agg(applied_at::text, ',' ORDER BY name) FROM pantrycrm.schema_migration" m1)
run_ok "second migrate succeeds" "$PANTRYCRM" -d "$C" db migrate
like "$OUT" "schema is up to date \($nfiles migrations\)" "second run says up to date"
is "$(schema_dump m1)" "$before" "second run changes no schema object"
is "$(psql_val "SELECT string_agg(applied_at::text, ',' ORDER BY name) FROM pantrycrm.schema_migration" m1)" \
   "$stamps" "second run rewrites no bookkeeping row"

run_ok "status on a migrated database exits 0" "$PANTRYCRM" -d "$C" db status
like "$OUT" "$nfiles applied, 0 pending, 0 changed" "status counts"
like "$OUT" "applied +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC +$first" "status shows when each was applied"

# A tampered file: copy the data directory and change one applied file.
mkdir "$TEST_TMP/data"
cp -r "$abs_top_srcdir/data/sql" "$TEST_TMP/data/sql"
chmod -R u+w "$TEST_TMP/data"
last=$(ls "$TEST_TMP"/data/sql/*.sql | tail -n1)
printf '\n-- a harmless-looking edit\n' >>"$last"
PANTRYCRM_DATADIR=$TEST_TMP/data run_fails "migrate refuses a changed file (exit 1)" 1 "$PANTRYCRM" -d "$C" db migrate
like "$ERR" "refusing to migrate: $(basename "$last") was applied" "the message names the changed file"
like "$ERR" "new one" "and says what to do instead"
PANTRYCRM_DATADIR=$TEST_TMP/data run_fails "status flags the changed file (exit 1)" 1 "$PANTRYCRM" -d "$C" db status
like "$OUT" "CHANGED .*$(basename "$last")" "status marks it CHANGED"
cp "$abs_top_srcdir/data/sql/$(basename "$last")" "$last"

# A migration from a newer pantrycrm.
psql -X -q -d m1 -c "INSERT INTO pantrycrm.schema_migration VALUES ('9999_future.sql', repeat('a', 64), now())"
run_fails "migrate refuses a database from a newer version" 1 "$PANTRYCRM" -d "$C" db migrate
like "$ERR" "9999_future.sql.*upgrade pantrycrm" "and says to upgrade"
psql -X -q -d m1 -c "DELETE FROM pantrycrm.schema_migration WHERE name = '9999_future.sql'"

# A failing migration rolls back entirely and points at its line.
cat >"$TEST_TMP/data/sql/9000_broken.sql" <<'SQL'
CREATE TABLE half_done (id int);
-- the next statement is wrong
SELECT nonsense FROM;
SQL
PANTRYCRM_DATADIR=$TEST_TMP/data run_fails "a broken migration fails (exit 1)" 1 "$PANTRYCRM" -d "$C" db migrate
like "$ERR" "migration 9000_broken.sql failed \(line 3\), nothing of it was applied: ERROR: +syntax error" \
    "the error names the file, the line and PostgreSQL's message"
is "$(psql_val "SELECT to_regclass('half_done') IS NULL" m1)" "t" "its first statement was rolled back too"
is "$(psql_val "SELECT count(*) FROM pantrycrm.schema_migration" m1)" "$nfiles" "nothing was recorded for it"
rm "$TEST_TMP/data/sql/9000_broken.sql"

# Pending files are applied later, one transaction each.
pg_createdb m2
mkdir -p "$TEST_TMP/partial/sql"
cp "$abs_top_srcdir/data/sql/$first" "$TEST_TMP/partial/sql/"
PANTRYCRM_DATADIR=$TEST_TMP/partial run_ok "migrate with only the first file" "$PANTRYCRM" -d dbname=m2 db migrate
run_fails "status then shows the rest pending" 1 "$PANTRYCRM" -d dbname=m2 db status
like "$OUT" "1 applied, $((nfiles - 1)) pending" "pending count"
run_ok "migrate applies the remaining files" "$PANTRYCRM" -d dbname=m2 db migrate
like "$OUT" "applied $((nfiles - 1)) migration" "only the pending ones"
is "$(schema_dump m2)" "$before" "a stepwise database equals a one-go database"

# Missing extension: clear message, nothing applied.
pg_createdb m3
mkdir -p "$TEST_TMP/ext/sql"
printf 'CREATE EXTENSION IF NOT EXISTS no_such_extension;\n' >"$TEST_TMP/ext/sql/0001_ext.sql"
PANTRYCRM_DATADIR=$TEST_TMP/ext run_fails "an unavailable extension stops migrate" 1 "$PANTRYCRM" -d dbname=m3 db migrate
like "$ERR" 'extension "no_such_extension" is not available.*postgresql-contrib' "the message says what to install"

# Azure's allow-list, as the server parameter azure.extensions shows it.
pg_createdb m4
psql -X -q -d postgres -c "ALTER DATABASE m4 SET azure.extensions = 'pgcrypto'"
run_fails "an extension missing from azure.extensions stops migrate" 1 "$PANTRYCRM" -d dbname=m4 db migrate
like "$ERR" 'extension "pg_trgm" is not allow-listed.*azure.extensions' "the message names the Azure parameter"
is "$(psql_val "SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'" m4)" "0" "no extension was created"

# Concurrent runs wait for each other and apply each file once.
pg_createdb m5
pids=
for i in 1 2 3 4; do
    "$PANTRYCRM" -d dbname=m5 db migrate >"$TEST_TMP/c$i.out" 2>&1 &
    pids="$pids $!"
done
fails=0
for pid in $pids; do wait "$pid" || fails=$((fails + 1)); done
is "$fails" 0 "four concurrent migrate runs all succeed"
is "$(psql_val "SELECT count(*) FROM pantrycrm.schema_migration" m5)" "$nfiles" "each file recorded once"
is "$(cat "$TEST_TMP"/c*.out | grep -Ec '^applied [0-9]+ migration')" 1 "exactly one run applied the files"

# 0022 on a target whose data migration was interrupted: the indexes that
# run dropped for its deferred build are only DDL in migration.deferred_ddl.
# The file still applies, and gives that DDL the option (before a partial
# index's WHERE), so that the resumed run rebuilds them with it.
pg_createdb m6
mkdir -p "$TEST_TMP/upto21/sql"
for f in "$abs_top_srcdir"/data/sql/*.sql; do
    case $(basename "$f") in 002[2-9]_*|00[3-9]*|0[1-9]*) ;; *) cp "$f" "$TEST_TMP/upto21/sql/" ;; esac
done
PANTRYCRM_DATADIR=$TEST_TMP/upto21 "$PANTRYCRM" -d dbname=m6 db migrate >/dev/null || bail_out "db migrate up to 0021 failed"
psql -X -q -v ON_ERROR_STOP=1 -d m6 >/dev/null <<'SQL' || bail_out "could not stage an interrupted run"
INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl)
    SELECT c.relname, 'Organization', 'index', pg_get_indexdef(c.oid) FROM pg_class c
    WHERE c.relname IN ('Organization_name_id_idx', 'Organization_email_flagged_idx');
DROP INDEX "Organization_name_id_idx", "Organization_email_flagged_idx";
SQL
run_ok "0022 applies to a target whose migration was interrupted" "$PANTRYCRM" -d dbname=m6 db migrate
is "$(psql_val "SELECT string_agg(name || ': ' || ddl, E'\n' ORDER BY name) FROM migration.deferred_ddl" m6)" \
   "$(printf '%s\n%s' \
      'Organization_email_flagged_idx: CREATE INDEX "Organization_email_flagged_idx" ON public."Organization" USING btree (id) WITH (deduplicate_items = off) WHERE ((metadata -> '"'flags'::text) ? 'email'::text)" \
      'Organization_name_id_idx: CREATE INDEX "Organization_name_id_idx" ON public."Organization" USING btree (name, id) WITH (deduplicate_items = off)')" \
   "the dropped indexes' DDL gets the option, before a partial index's WHERE"
psql -X -q -v ON_ERROR_STOP=1 -d m6 -c "DO \$\$ DECLARE d text; BEGIN
    FOR d IN SELECT ddl FROM migration.deferred_ddl LOOP EXECUTE d; END LOOP; END \$\$" >/dev/null
is "$(psql_val "SELECT count(*) FROM pg_class WHERE relname IN ('Organization_name_id_idx', 'Organization_email_flagged_idx')
                AND reloptions @> '{deduplicate_items=off}'" m6)" 2 "and that DDL builds them without deduplication"
is "$(psql_val "SELECT count(*) FROM pg_class WHERE relname = 'Interaction_userId_date_id_idx'
                AND reloptions @> '{deduplicate_items=off}'" m6)" 1 "the indexes still there were altered"

# 0011 and 0019 drop an index that an interrupted data migration holds only
# as DDL in migration.deferred_ddl: on such a target the file forgets that
# DDL (the resumed run must not build the index again) instead of failing.
# stage_upto DB LAST INDEX TABLE: DB migrated up to file LAST, then a run
# interrupted after it dropped INDEX of TABLE for its deferred build.
stage_upto() {
    pg_createdb "$1"
    rm -rf "$TEST_TMP/upto"; mkdir -p "$TEST_TMP/upto/sql"
    for f in "$abs_top_srcdir"/data/sql/*.sql; do
        [ "$(basename "$f")" \> "$2" ] || cp "$f" "$TEST_TMP/upto/sql/"
    done
    PANTRYCRM_DATADIR=$TEST_TMP/upto "$PANTRYCRM" -d "dbname=$1" db migrate >/dev/null \
        || bail_out "db migrate up to $2 failed"
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<SQL || bail_out "could not stage an interrupted run"
INSERT INTO migration.deferred_ddl (name, table_name, kind, ddl)
    SELECT c.relname, '$4', 'index', pg_get_indexdef(c.oid) FROM pg_class c WHERE c.relname = '$3';
DROP INDEX "$3";
SQL
}
for case in "m7 0010_search_words_unchanged.sql Opportunity_stage_isActive_idx Opportunity 0011" \
            "m8 0018_email_flags.sql Organization_state_city_zipCode_id_idx Organization 0019"; do
    set -- $case
    stage_upto "$1" "$2" "$3" "$4"
    is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE name = '$3'" "$1")" 1 \
       "$5: staged, $3 is deferred DDL only"
    run_ok "$5 applies to a target whose migration was interrupted" "$PANTRYCRM" -d "dbname=$1" db migrate
    is "$(psql_val "SELECT count(*) FROM migration.deferred_ddl WHERE name = '$3'" "$1")" 0 \
       "$5: the dropped index's DDL is forgotten"
    is "$(psql_val "SELECT to_regclass('public.\"$3\"') IS NULL" "$1")" t "$5: and the index is not there"
done
# A database that applied the first text of a mended file has it applied.
psql -X -q -v ON_ERROR_STOP=1 -d m1 -c "UPDATE pantrycrm.schema_migration
    SET checksum = '815485813623a25428b5d6845331aa1bdb66b5c669b07852af5da079bef05a07'
    WHERE name = '0019_city_sort_index.sql'" || bail_out "could not record the first text's checksum"
run_ok "a file applied in its first, superseded text counts as applied" "$PANTRYCRM" -d "$C" db status
like "$OUT" "applied +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC +0019_city_sort_index.sql" "status says applied"
run_ok "and migrate has nothing to do" "$PANTRYCRM" -d "$C" db migrate
like "$OUT" "schema is up to date" "it says the schema is up to date"
# a checksum no file text stands for is still a changed file
psql -X -q -v ON_ERROR_STOP=1 -d m1 -c "UPDATE pantrycrm.schema_migration SET checksum = repeat('b', 64)
    WHERE name = '0019_city_sort_index.sql'" || bail_out "could not record an unknown checksum"
run_fails "an unknown earlier text of a file still stops migrate" 1 "$PANTRYCRM" -d "$C" db migrate

done_testing
