#!/bin/sh
# The CRM application's stack against the database pantrycrm builds: Node.js
# with the pinned npm packages of tests/node (drizzle-orm, drizzle-kit,
# @auth/drizzle-adapter, pg, typescript), the shipped data/drizzle schema and
# migrations folder, a real PostgreSQL after `db migrate` and a migration of
# generated messy data. Skipped only when the npm registry cannot be reached
# for the first install; the packages are kept in the build tree
# (tests/node-app) and installed again only when package-lock.json changes.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ok 1 "node and npm are installed (tools/deps.sh installs them)"
    done_testing; exit
fi
NODE_SRC=$abs_top_srcdir/tests/node

# --- the pinned packages, installed once per lock file ------------------------------
NODEAPP=$abs_top_builddir/tests/node-app
if ! cmp -s "$NODE_SRC/package-lock.json" "$NODEAPP/package-lock.json" \
   || [ ! -f "$NODEAPP/node_modules/.package-lock.json" ]; then
    rm -rf "$NODEAPP" && mkdir -p "$NODEAPP" || bail_out "cannot create $NODEAPP"
    cp "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" "$NODEAPP/"
    if ! (cd "$NODEAPP" && npm ci --no-audit --no-fund --loglevel=error >"$TEST_TMP/npm.log" 2>&1); then
        if ! npm ping >/dev/null 2>&1; then
            rm -rf "$NODEAPP"
            skip_all "the npm registry cannot be reached (npm ping failed), so the pinned packages cannot be installed"
        fi
        cat "$TEST_TMP/npm.log" >&2
        rm -rf "$NODEAPP"
        bail_out "npm ci failed with the registry reachable"
    fi
fi
BIN=$NODEAPP/node_modules/.bin
diag "node $(node --version), npm $(npm --version), drizzle-kit $("$BIN/drizzle-kit" --version 2>/dev/null | tr '\n' ' ')"

# --- a migrated database ----------------------------------------------------------
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --messy --seed 11 --out "$SRC" >/dev/null || bail_out "demo generate failed"
pg_createdb m
"$PANTRYCRM" -d dbname=m db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d dbname=m migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate failed"
url() { printf 'postgresql://postgres@localhost/%s?host=%s' "$1" "$PGHOST"; }
dump() { pg_dump -s -d "$1" | grep -v '^\\\(un\)\?restrict '; }
catalog() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -f "$NODE_SRC/catalog.sql"; }

# The application, as its team lays it out: the shipped schema in db/.
APP=$TEST_TMP/app
mkdir -p "$APP/db"
ln -s "$NODEAPP/node_modules" "$APP/node_modules"
cp "$NODE_SRC/package.json" "$NODE_SRC/tsconfig.json" "$NODE_SRC/drizzle.config.ts" \
   "$NODE_SRC/check.ts" "$NODE_SRC/queries.ts" "$NODE_SRC/auth.ts" "$APP/"
cp "$abs_top_srcdir/data/drizzle/schema.ts" "$abs_top_srcdir/data/drizzle/relations.ts" \
   "$abs_top_srcdir/data/drizzle/auth.ts" "$APP/db/"
cd "$APP" || bail_out "no $APP"
kit() { # DB OUT drizzle-kit-args…: drizzle-kit in the application (schema: $KIT_SCHEMA,
         # else the shipped one), with no terminal to ask on
    local db=$1 out=$2
    shift 2
    DATABASE_URL=$(url "$db") DRIZZLE_OUT=$out DRIZZLE_SCHEMA=${KIT_SCHEMA:-./db/schema.ts} \
        "$BIN/drizzle-kit" "$@" </dev/null
}

# --- the schema from the catalog ------------------------------------------------------
run_ok "db drizzle writes a schema from the migrated database's catalog" \
    "$PANTRYCRM" -d dbname=m db drizzle --out "$APP/gen"
like "$OUT" "10 enums, 10 tables" "all of it"

# --- the schemas type-check, the shipped folder is current ---------------------------
run_ok "tsc --strict type-checks the schemas, relations and the application's code" "$BIN/tsc" -p tsconfig.json
is "$(cat "$abs_top_srcdir"/data/sql/*.sql | md5sum)" \
   "$(md5sum <"$abs_top_srcdir/data/drizzle/migrations/0000_pantrycrm_baseline.sql")" \
   "the shipped baseline is data/sql as it is (else run tools/drizzle-regen.sh)"
cp -R "$abs_top_srcdir/data/drizzle/migrations" "$APP/shipped"
before=$(cd shipped && find . -type f | sort | xargs md5sum)
run_ok "drizzle-kit generate with the shipped folder runs" kit m ./shipped generate
like "$OUT" "No schema changes, nothing to migrate" "it finds no schema change"
is "$(cd shipped && find . -type f | sort | xargs md5sum)" "$before" "and writes nothing"

cp -R "$abs_top_srcdir/data/drizzle/migrations" "$APP/shipped2"
KIT_SCHEMA=./gen/schema.ts
run_ok "drizzle-kit generate with the schema from the catalog and the shipped folder runs" \
    kit m ./shipped2 generate
like "$OUT" "No schema changes, nothing to migrate" \
   "drizzle-kit finds the schema from the catalog and the shipped schema.ts the same"
is "$(ls shipped2 | tr '\n' ' ')" "0000_pantrycrm_baseline.sql meta " "and writes nothing"
run_ok "drizzle-kit push with the schema from the catalog runs" kit m ./shipped2 push --force
like "$OUT" "No changes detected" "and finds nothing to change in the migrated database"
KIT_SCHEMA=

# --- push against the migrated database changes nothing ----------------------------
dump m >"$TEST_TMP/before.sql"
run_ok "drizzle-kit push against the migrated database runs" kit m ./shipped push --force
like "$OUT" "No changes detected" "it detects no change"
dump m >"$TEST_TMP/after.sql"
run_ok "pg_dump --schema-only is the same before and after" cmp -s "$TEST_TMP/before.sql" "$TEST_TMP/after.sql"

# --- databases built by drizzle-kit have the migrated database's catalog -----------
catalog m >"$TEST_TMP/catalog.m"
# From schema.ts alone: what drizzle-kit generate makes of it, after the
# extensions (which Drizzle does not manage).
pg_createdb fromschema
psql -X -q -v ON_ERROR_STOP=1 -d fromschema \
     -c 'CREATE EXTENSION pgcrypto' -c 'CREATE EXTENSION pg_trgm' -c 'CREATE EXTENSION btree_gin'
run_ok "drizzle-kit generate writes the schema from scratch" kit fromschema ./fresh generate --name init
run_ok "drizzle-kit migrate builds it" kit fromschema ./fresh migrate
catalog fromschema >"$TEST_TMP/catalog.fromschema"
ok "$(cmp -s "$TEST_TMP/catalog.m" "$TEST_TMP/catalog.fromschema"; echo $?)" \
   "schema.ts builds the catalog of data/sql: enums, columns, defaults, constraints, indexes"
diff "$TEST_TMP/catalog.m" "$TEST_TMP/catalog.fromschema" | head -20 | while IFS= read -r l; do diag "$l"; done
is "$(grep -c '^index ' "$TEST_TMP/catalog.m") $(grep -c '^column ' "$TEST_TMP/catalog.m")" \
   "$(psql_val "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public') || ' ' ||
                       (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public')" m)" \
   "the comparison covers every index and column of the public schema"
# What Drizzle cannot describe stops db drizzle, naming the index.
psql -X -q -d fromschema -c 'CREATE INDEX "Lead_status_incl_idx" ON "Lead" (status) INCLUDE (score)'
run_fails "db drizzle refuses an index with INCLUDE columns" 1 \
    "$PANTRYCRM" -d dbname=fromschema db drizzle --out "$APP/nothing"
like "$ERR" '"Lead_status_incl_idx" on "Lead" has INCLUDE columns' "and names it"
psql -X -q -d fromschema -c 'DROP INDEX "Lead_status_incl_idx"' \
     -c "CREATE TABLE \"Evil$(printf '\033')[31mname\" (x int)"
run_fails "db drizzle refuses a table name that cannot be a TypeScript name" 1 \
    "$PANTRYCRM" -d dbname=fromschema db drizzle --out "$APP/nothing"
like "$ERR" 'table "Evil.\[31mname" has a name that cannot be a TypeScript name' "and names it"
ok "$(printf '%s' "$ERR" | grep -q "$(printf '\033')"; [ $? -ne 0 ]; echo $?)" "without the escape byte reaching the terminal"
# From the shipped folder: the whole database, search triggers and functions included.
pg_createdb fromshipped
run_ok "drizzle-kit migrate builds a database from the shipped folder" kit fromshipped ./shipped migrate
catalog fromshipped >"$TEST_TMP/catalog.fromshipped"
run_ok "with the same catalog" cmp -s "$TEST_TMP/catalog.m" "$TEST_TMP/catalog.fromshipped"
pantry_schemas() { pg_dump -s -d "$1" -n public -n search -n dashboard -n migration | grep -v '^\\\(un\)\?restrict '; }
ok "$(pantry_schemas m >"$TEST_TMP/m.sql"; pantry_schemas fromshipped >"$TEST_TMP/fs.sql"; cmp -s "$TEST_TMP/m.sql" "$TEST_TMP/fs.sql"; echo $?)" \
   "and the same pg_dump of every pantrycrm schema (functions, triggers, comments)"

# --- the application's queries and Auth.js ----------------------------------------
LEGACY_ORG_ID=$(sqlite3 "$SRC" "SELECT id FROM \"Organization\" WHERE id NOT LIKE '%-%' ORDER BY id LIMIT 1")
LEGACY_ORG_UUID=$(psql_val "SELECT id FROM \"Organization\" WHERE metadata->'legacy'->>'id' = '$LEGACY_ORG_ID'" m)
export LEGACY_ORG_ID LEGACY_ORG_UUID
[ -n "$LEGACY_ORG_UUID" ] || bail_out "the messy source has no migrated organization with a non-UUID id"
node_checks() { # DESC CMD…: one TAP line per PASS/FAIL line of a node test, and its exit status
    local desc=$1 line
    shift
    run "$@"
    printf '%s\n' "$OUT" | {
        while IFS= read -r line; do
            case $line in
                PASS\ *) echo "ok - ${line#PASS }" ;;
                FAIL\ *) echo "not ok - ${line#FAIL }" ;;
                \#*) echo "$line" ;;
            esac
        done
    } >"$TEST_TMP/node.tap"
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok 0 "${line#ok - }" ;;
            "not ok - "*) ok 1 "${line#not ok - }" ;;
            *) diag "${line#\# }" ;;
        esac
    done <"$TEST_TMP/node.tap"
    ok "$RC" "$desc"
    [ "$RC" -eq 0 ] || diag "$ERR"
}
export DATABASE_URL
DATABASE_URL=$(url m)
node_checks "the plan's queries run" "$BIN/tsx" queries.ts
node_checks "every Auth.js adapter call runs" "$BIN/tsx" auth.ts

# The adapter check can fail: without the id defaults of 0011 it does.
psql -X -q -d postgres -c 'CREATE DATABASE nodefault TEMPLATE m'
psql -X -q -d nodefault -c 'ALTER TABLE "Account" ALTER COLUMN id DROP DEFAULT' \
     -c 'ALTER TABLE "Session" ALTER COLUMN id DROP DEFAULT'
DATABASE_URL=$(url nodefault) run "$BIN/tsx" auth.ts
ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "without the defaults of 0011 the Auth.js check fails"
like "$OUT" 'null value in column "id"' "with the error the application team saw"

# --- old ids --------------------------------------------------------------------------
# Every source id of every CRM table maps through legacy_uuid() to its
# target row (or its quarantined row): the same mapping as the migration.
for t in Organization Contact Interaction Opportunity Lead Contract; do
    sqlite3 "$SRC" "SELECT id FROM \"$t\" WHERE id <> ''" >"$TEST_TMP/ids"
    got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d m \
        -c "CREATE TEMP TABLE src (id text)" -c "\\copy src FROM '$TEST_TMP/ids'" \
        -c "SELECT count(*) FILTER (WHERE t.id IS NOT NULL OR q.id IS NOT NULL), count(*) FROM src
            LEFT JOIN \"$t\" t ON t.id = legacy_uuid('$t', src.id)
            LEFT JOIN migration.quarantine q ON q.table_name = '$t' AND q.target_key = legacy_uuid('$t', src.id)::text")
    n=$(wc -l <"$TEST_TMP/ids" | tr -d ' ')
    is "$got" "$n|$n" "$t: legacy_uuid() maps each of the $n legacy ids to its row"
done
is "$(psql_val "SELECT legacy_uuid('Organization', '')" m)" "" "an empty legacy id maps to NULL"
# The console's :goto computes the same id.
for id in "$LEGACY_ORG_ID" \
          "$(sqlite3 "$SRC" "SELECT id FROM \"Organization\" WHERE id GLOB '*[A-F]*-*' ORDER BY id LIMIT 1")"; do
    want=$(psql_val "SELECT legacy_uuid('Organization', '$id')" m)
    run "$abs_top_builddir/tests/browse-cli" dbname=m orgs goto "$id"
    focus=$(printf '%s\n' "$OUT" | sed -n 's/^# rows=[0-9]* focus=\([-0-9]*\).*/\1/p')
    is "$(printf '%s\n' "$OUT" | grep -v '^#' | sed -n "$((focus + 1))p" | cut -f1)" "$want" \
       ":goto $id lands on legacy_uuid('Organization', '$id')"
done

# --- the migration history handoff ------------------------------------------------
pg_createdb bare
run_fails "drizzle-baseline refuses a database that is not migrated" 1 \
    "$PANTRYCRM" -d dbname=bare db drizzle-baseline --out "$APP/nothing"
like "$ERR" "run .pantrycrm db migrate. first" "and says what to do"
run_fails "drizzle-baseline without --out is a usage error" 2 "$PANTRYCRM" -d dbname=m db drizzle-baseline
pg_dump -s -N drizzle -d m | grep -v '^\\\(un\)\?restrict ' >"$TEST_TMP/before.sql"
run_ok "drizzle-baseline writes the folder and records the baseline" \
    "$PANTRYCRM" -d dbname=m db drizzle-baseline --out "$APP/drizzle"
like "$OUT" "recorded the baseline 0000_pantrycrm_baseline" "it says so"
pg_dump -s -N drizzle -d m | grep -v '^\\\(un\)\?restrict ' >"$TEST_TMP/after.sql"
run_ok "and changes nothing outside the drizzle schema" cmp -s "$TEST_TMP/before.sql" "$TEST_TMP/after.sql"
is "$(cd "$APP/drizzle" && find . -type f | sort | tr '\n' ' ')" \
   "./0000_pantrycrm_baseline.sql ./meta/0000_snapshot.json ./meta/_journal.json " "the folder has the baseline, snapshot and journal"
when=$(sed -n 's/.*"when": *\([0-9]*\).*/\1/p' "$APP/drizzle/meta/_journal.json")
is "$(psql_val 'SELECT hash, created_at FROM drizzle.__drizzle_migrations' m)" \
   "$(sha256sum <"$APP/drizzle/0000_pantrycrm_baseline.sql" | cut -d' ' -f1)|$when" \
   "the row holds the file's sha256 and the journal's when"
run_ok "drizzle-baseline again" "$PANTRYCRM" -d dbname=m db drizzle-baseline --out "$APP/drizzle"
like "$OUT" "already starts with the baseline" "leaves the folder as it is"
like "$OUT" "already holds the baseline: nothing recorded" "and records nothing"
is "$(psql_val 'SELECT count(*) FROM drizzle.__drizzle_migrations' m)" 1 "one row"
dump m >"$TEST_TMP/before.sql"
run_ok "drizzle-kit migrate after the baseline" kit m ./drizzle migrate
dump m >"$TEST_TMP/after.sql"
run_ok "applies nothing (pg_dump --schema-only unchanged)" cmp -s "$TEST_TMP/before.sql" "$TEST_TMP/after.sql"
is "$(psql_val 'SELECT count(*) FROM drizzle.__drizzle_migrations' m)" 1 "and records nothing"
# The team's next migration: a nullable column.
sed -i "s|^  zipCode: text('zipCode'),|&\n  region: text('region'),|" db/schema.ts
grep -q "region: text('region')" db/schema.ts || bail_out "could not add the column to the schema"
run_ok "drizzle-kit generate writes the team's next migration" kit m ./drizzle generate --name add_region
is "$(ls drizzle/*.sql | sed 's|.*/||' | tr '\n' ' ')" "0000_pantrycrm_baseline.sql 0001_add_region.sql " "as 0001"
like "$(cat drizzle/0001_add_region.sql)" '^ALTER TABLE "Organization" ADD COLUMN "region" text;?$' "adding only the column"
run_ok "drizzle-kit migrate applies it" kit m ./drizzle migrate
is "$(psql_val "SELECT count(*) FROM pg_attribute WHERE attrelid = '\"Organization\"'::regclass AND attname = 'region'" m)" \
   1 "the column is there"
is "$(psql_val 'SELECT count(*) FROM drizzle.__drizzle_migrations' m)" 2 "and recorded"
run_ok "drizzle-kit migrate again" kit m ./drizzle migrate
is "$(psql_val 'SELECT count(*) FROM drizzle.__drizzle_migrations' m)" 2 "applies nothing more"
run_ok "drizzle-kit push with the new schema changes nothing" kit m ./drizzle push --force
like "$OUT" "No changes detected" "the database and the team's schema agree"
# A history kept elsewhere (drizzle.config's migrations.schema and .table).
run_ok "drizzle-baseline with --migrations-schema and --migrations-table" \
    "$PANTRYCRM" -d dbname=nodefault db drizzle-baseline --out "$APP/other" \
    --migrations-schema "app history" --migrations-table migrations_done
dump nodefault >"$TEST_TMP/before.sql"
export DRIZZLE_MIGRATIONS_SCHEMA="app history" DRIZZLE_MIGRATIONS_TABLE=migrations_done
run_ok "drizzle-kit migrate with that configuration runs" kit nodefault ./other migrate
unset DRIZZLE_MIGRATIONS_SCHEMA DRIZZLE_MIGRATIONS_TABLE
dump nodefault >"$TEST_TMP/after.sql"
run_ok "and applies nothing" cmp -s "$TEST_TMP/before.sql" "$TEST_TMP/after.sql"
is "$(psql_val 'SELECT count(*) FROM "app history".migrations_done' nodefault)|$(psql_val "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'" nodefault)" \
   "1|0" "the history is where the configuration says, and only there"
mkdir -p "$APP/v1/20260101000000_init" && : >"$APP/v1/20260101000000_init/migration.sql"
run_fails "drizzle-baseline refuses a drizzle-kit 1.0 folder (one folder per migration)" 1 \
    "$PANTRYCRM" -d dbname=m db drizzle-baseline --out "$APP/v1"
like "$ERR" "holds drizzle-kit 1.0 migrations.*drizzle-kit up" "and says what to do"
psql -X -q -d nodefault -c 'ALTER TABLE "app history".migrations_done ADD COLUMN name text'
run_fails "and a drizzle-kit 1.0 history table (rows matched by name)" 1 \
    "$PANTRYCRM" -d dbname=nodefault db drizzle-baseline --out "$APP/other" \
    --migrations-schema "app history" --migrations-table migrations_done
like "$ERR" "is drizzle-kit 1.0's history" "naming it"
run_fails "drizzle-baseline refuses a folder with another history" 1 \
    "$PANTRYCRM" -d dbname=m db drizzle-baseline --out "$APP/fresh"
like "$ERR" "already holds another migration history" "and says why"

done_testing
