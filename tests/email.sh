#!/bin/sh
# E-mail addresses (README, "E-mail addresses"): migrate repairs what is
# unambiguous (blanks around, U+00A0 included, a mailto: prefix, the
# domain's case), each kind counted with the original kept; an empty one
# becomes NULL; a malformed one is kept as the legacy database held it and
# flagged (metadata.flags.email, or migration.repair for User), or nulled
# under --bad-email null. verify agrees, and checks that every auth-table
# repair has its migration.repair entry; sync applies the same rule; the
# console lists the flagged rows (:filter email=flagged) until the address
# is fixed, and its form repairs and clears the flag.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd sqlite3 sqlite3
BC=$abs_top_builddir/tests/browse-cli
EC=$abs_top_builddir/tests/edit-cli
[ -x "$BC" ] && [ -x "$EC" ] || bail_out "tests/browse-cli and tests/edit-cli are not built (make check builds them)"
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 60 --seed 5 --out "$SRC" >/dev/null || bail_out "demo generate failed"
sq() { sqlite3 "$SRC" "$1"; }
# The rows that get a planted address, by their place in key order; C3 is
# also an orphan (its organization is missing), for quarantine replay.
GHOST=6f1e0000-0000-4000-8000-0000000000aa
O1=$(sq 'SELECT id FROM "Organization" ORDER BY id LIMIT 1 OFFSET 1')
O2=$(sq 'SELECT id FROM "Organization" ORDER BY id LIMIT 1 OFFSET 2')
O3=$(sq 'SELECT id FROM "Organization" ORDER BY id LIMIT 1 OFFSET 3')
C1=$(sq 'SELECT id FROM "Contact" ORDER BY id LIMIT 1 OFFSET 1')
C2=$(sq 'SELECT id FROM "Contact" ORDER BY id LIMIT 1 OFFSET 2')
C3=$(sq 'SELECT id FROM "Contact" ORDER BY id LIMIT 1 OFFSET 3')
L1=$(sq 'SELECT id FROM "Lead" ORDER BY id LIMIT 1 OFFSET 1')
L2=$(sq 'SELECT id FROM "Lead" ORDER BY id LIMIT 1 OFFSET 2')
U1=$(sq 'SELECT id FROM "User" ORDER BY id LIMIT 1 OFFSET 1')
sq "UPDATE \"Organization\" SET email = '  chef@bistro.example' || char(160) WHERE id = '$O1';
    UPDATE \"Organization\" SET email = ' MAILTO:Sales@Bistro.EXAMPLE' WHERE id = '$O2';
    UPDATE \"Organization\" SET email = 'bob@' WHERE id = '$O3';
    UPDATE \"Contact\" SET email = 'Ann.Lee@KITCHEN.example' WHERE id = '$C1';
    UPDATE \"Contact\" SET email = 'a b@c.example' WHERE id = '$C2';
    UPDATE \"Contact\" SET email = 'c3@', \"organizationId\" = '$GHOST' WHERE id = '$C3';
    UPDATE \"Lead\" SET email = '   ' WHERE id = '$L1';
    UPDATE \"Lead\" SET email = 'x@@y.example' WHERE id = '$L2';
    UPDATE \"User\" SET email = ' u1@x.example' WHERE id = '$U1'" || bail_out "planting the addresses failed"
# The target ids of the CRM rows (the generated UUIDs are of either case;
# the target's are lower-case); verify names rows by their source key.
S_O3=$O3
lc() { printf '%s' "$1" | tr 'A-F' 'a-f'; }
O1=$(lc "$O1") O2=$(lc "$O2") O3=$(lc "$O3") C1=$(lc "$C1") C2=$(lc "$C2") C3=$(lc "$C3") L1=$(lc "$L1") L2=$(lc "$L2")

pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || bail_out "db migrate failed"
fresh_db() { psql -X -q -d postgres -c "CREATE DATABASE \"$1\" TEMPLATE tmpl" >/dev/null || bail_out "createdb $1"; }
val() { # db table id: email|metadata
    psql_val "SELECT coalesce(email, 'NULL') || '|' || metadata::text FROM \"$2\" WHERE id = '$3'" "$1"
}
email_repairs() { # db: table.reason=n of the checkpoints' e-mail repairs
    psql_val "SELECT string_agg(table_name || '.' || substr(k, 7) || '=' || v, ' ' ORDER BY table_name, k)
              FROM (SELECT table_name, k, sum(v::bigint) v FROM migration.checkpoint,
                    jsonb_each_text(repairs) e(k, v) WHERE k LIKE 'email:%' GROUP BY 1, 2) s" "$1"
}

# --- assess names them -------------------------------------------------------
run_ok "assess" "$PANTRYCRM" assess --source "$SRC" --json
like "$OUT" '"email:email_trimmed": 2' "assess predicts the trimmed addresses"
like "$OUT" '"email:email_malformed_kept": 1' "and the malformed ones it will keep"
run_ok "assess, as text" "$PANTRYCRM" assess --source "$SRC"
like "$OUT" 'e-mail repairs: email_trimmed 2, email_mailto 1, email_domain_case 1, email_empty 0' \
     "its report names the e-mail repairs"
like "$OUT" 'e-mail malformed: email_malformed_kept 1 \(kept as they were, flagged\)' "and the kept ones"

# --- the default: repair, keep and flag --------------------------------------
fresh_db k
run_ok "migrate" "$PANTRYCRM" -d dbname=k migrate --source "$SRC" --progress none
like "$OUT" 'e-mail repairs: email_trimmed 2, email_mailto 1, email_domain_case 2, email_empty 1 \(set to NULL\)' \
     "migrate's report names the repairs"
like "$OUT" 'e-mail malformed: email_malformed_kept 4 \(kept as they were, flagged\), email_malformed_nulled 0' \
     "and the malformed addresses kept"
is "$(psql_val "SELECT email || '|' || (metadata #>> '{legacy,email}' = '  chef@bistro.example' || chr(160))
                FROM \"Organization\" WHERE id = '$O1'" k)" 'chef@bistro.example|true' \
   "blanks around (U+00A0 too) are trimmed, the original kept"
is "$(val k Organization "$O2")" 'Sales@bistro.example|{"legacy": {"email": " MAILTO:Sales@Bistro.EXAMPLE"}}' \
   "mailto: goes, the domain is lower-cased, the local part keeps its case"
is "$(val k Contact "$C1")" 'Ann.Lee@kitchen.example|{"legacy": {"email": "Ann.Lee@KITCHEN.example"}}' \
   "a contact's domain is lower-cased"
is "$(val k Lead "$L1")" 'NULL|{"legacy": {"email": "   "}}' "a blank address becomes NULL, the original kept"
is "$(val k Organization "$O3")" 'bob@|{"flags": {"email": {"value": "bob@", "reason": "email_malformed"}}}' \
   "a malformed address is kept as it was, and flagged"
is "$(val k Contact "$C2")" 'a b@c.example|{"flags": {"email": {"value": "a b@c.example", "reason": "email_malformed"}}}' \
   "in a contact too"
is "$(val k Lead "$L2")" 'x@@y.example|{"flags": {"email": {"value": "x@@y.example", "reason": "email_malformed"}}}' \
   "and in a lead"
is "$(psql_val "SELECT email FROM \"User\" WHERE id = '$U1'" k)" " u1@x.example" \
   "a User's address (login, unique) is never changed"
is "$(psql_val "SELECT string_agg(table_name || '|' || source_key || '|' || column_name || '|' || reason || '|' || original::text, ',') FROM migration.repair" k)" \
   "User|$U1|email|email_malformed_kept|\" u1@x.example\"" "but flagged in migration.repair, with its original"
flagged_users() { # db: as README lists them
    psql_val "SELECT u.id FROM migration.repair r JOIN \"User\" u ON u.id = r.source_key
              WHERE r.table_name = 'User' AND r.column_name = 'email'
                AND r.reason = 'email_malformed_kept' AND u.email = r.original #>> '{}'" "$1"
}
is "$(flagged_users k)" "$U1" "README's query lists the flagged user"
is "$(email_repairs k)" \
   "Contact.email_domain_case=1 Contact.email_malformed_kept=1 Lead.email_empty=1 Lead.email_malformed_kept=1 Organization.email_domain_case=1 Organization.email_mailto=1 Organization.email_malformed_kept=1 Organization.email_trimmed=2 User.email_malformed_kept=1" \
   "each kind is counted as its own repair"
is "$(psql_val "SELECT options->>'bad_email' FROM migration.run" k)" keep "the run records --bad-email"
run_ok "verify" "$PANTRYCRM" -d dbname=k verify
like "$OUT" "every migrated row matches" "verify agrees with the rule"
run_fails "verify with the other rule" 1 "$PANTRYCRM" -d dbname=k verify --bad-email null
like "$OUT" "$S_O3: differs in column email" "finds the kept address where it expects NULL"

# --- the console lists the flagged rows, and fixing one clears it ----------------
run_ok "the organizations flagged" "$BC" dbname=k orgs --filter email=flagged walk
is "$(printf '%s\n' "$OUT" | grep -v '^#')" "$O3" "the organization with the kept address, only"
run_ok "the contacts flagged" "$BC" dbname=k contacts --filter email=flagged walk
is "$(printf '%s\n' "$OUT" | grep -v '^#')" "$C2" "the contact with the kept address, only"
run_ok "with another filter" "$BC" dbname=k orgs --filter email=flagged --filter status=ACTIVE,INACTIVE,LEAD count
like "$OUT" "exact 1" "the flag combines with other filters"
like "$OUT" "filters .*email=flagged" "and is named in the header"
run_fails "a bad value" 1 "$BC" dbname=k orgs --filter email=bad walk
like "$ERR" "email is flagged or any" "is refused with the values it takes"

# The filter can be answered from the partial index of 0018 (the planner
# picks it on a large table; here it is made to show that it can).
for t in Organization:o Contact:c; do
    plan=$(psql -X -At -d k -c "SET enable_seqscan = off" -c "EXPLAIN SELECT ${t#*:}.id FROM \"${t%:*}\" ${t#*:}
        WHERE ${t#*:}.metadata -> 'flags' ? 'email' AND ${t#*:}.metadata #>> '{flags,email,value}' = ${t#*:}.email
        ORDER BY ${t#*:}.id LIMIT 50")
    like "$plan" "${t%:*}_email_flagged_idx" "the flagged ${t%:*} rows are read from their partial index"
done

kv() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
run "$EC" dbname=k load "$O3"
tok=$(kv token)
is "$(kv email)" "bob@" "the form loads the kept address"
run "$EC" dbname=k save "$O3" "$tok" city=Elsewhere
is "$(kv result)" "INVALID" "a save that leaves it malformed is refused"
like "$OUT" "Email: 'bob@' is not an address" "naming the address"
run "$EC" dbname=k save "$O3" "$tok" email=' mailto:Bob@Bistro.Example'
is "$RC" 0 "a save with a repairable address succeeds"
is "$(val k Organization "$O3")" "Bob@bistro.example|{}" "the form repairs it as migrate does and clears the flag"
run_ok "the organizations flagged, after the fix" "$BC" dbname=k orgs --filter email=flagged walk
is "$(printf '%s\n' "$OUT" | grep -v '^#')" "" "no longer lists it"
# Another writer (the application, psql) fixes a contact's address without
# knowing the flag: the row is no longer listed all the same.
psql_val "UPDATE \"Contact\" SET email = 'ab@c.example' WHERE id = '$C2'" k >/dev/null
run_ok "the contacts flagged, after another writer's fix" "$BC" dbname=k contacts --filter email=flagged walk
is "$(printf '%s\n' "$OUT" | grep -v '^#')" "" "no longer lists it"

psql_val "UPDATE \"User\" SET email = 'u1@x.example' WHERE id = '$U1'" k >/dev/null
is "$(flagged_users k)" "" "and no longer once the address is fixed"

# --- verify: an auth-table repair without its migration.repair entry ---------
fresh_db v
run_ok "migrate again" "$PANTRYCRM" -d dbname=v migrate --source "$SRC" --progress none
psql_val "DELETE FROM migration.repair WHERE source_key = '$U1'" v >/dev/null
run_fails "verify without the entry" 1 "$PANTRYCRM" -d dbname=v verify --json
like "$OUT" '"repairs_missing": 1' "counts the missing entry"
run_fails "verify, as text" 1 "$PANTRYCRM" -d dbname=v verify
like "$OUT" "$U1: repaired or flagged, but its original is not in migration.repair in column email" \
     "and names the row and the column"
psql_val "INSERT INTO migration.repair (run_id, table_name, source_key, column_name, reason, original)
          SELECT max(id), 'User', '$U1', 'email', 'email_malformed_kept', '\"x\"' FROM migration.run" v >/dev/null
run_fails "verify with another original" 1 "$PANTRYCRM" -d dbname=v verify
like "$OUT" "$U1: repaired or flagged" "an entry holding another original is no better"

# --- --bad-email null ------------------------------------------------------------
run_fails "a bad --bad-email" 2 "$PANTRYCRM" -d dbname=v migrate --source "$SRC" --bad-email drop
like "$ERR" "--bad-email takes keep or null, not 'drop'" "is a usage error"
fresh_db n
run_ok "migrate --bad-email null" "$PANTRYCRM" -d dbname=n migrate --source "$SRC" --progress none --bad-email null
is "$(val n Organization "$O3")" 'NULL|{"legacy": {"email": "bob@"}}' "a malformed address becomes NULL, the original kept"
is "$(val n Contact "$C2")" 'NULL|{"legacy": {"email": "a b@c.example"}}' "in a contact too"
is "$(val n Organization "$O2")" 'Sales@bistro.example|{"legacy": {"email": " MAILTO:Sales@Bistro.EXAMPLE"}}' \
   "repairable ones are repaired all the same"
is "$(psql_val "SELECT email FROM \"User\" WHERE id = '$U1'" n)" " u1@x.example" \
   "User.email, NOT NULL, is kept (and flagged) whatever the option"
is "$(email_repairs n)" \
   "Contact.email_domain_case=1 Contact.email_malformed_nulled=1 Lead.email_empty=1 Lead.email_malformed_nulled=1 Organization.email_domain_case=1 Organization.email_mailto=1 Organization.email_malformed_nulled=1 Organization.email_trimmed=2 User.email_malformed_kept=1" \
   "counted as nulled"
run_ok "verify takes the rule from the run" "$PANTRYCRM" -d dbname=n verify
like "$OUT" "every migrated row matches" "and agrees"

# --- quarantine replay follows the run's rule unless told otherwise -------------
add_ghost() { # db: the missing organization of the orphan contact
    psql_val "INSERT INTO \"Organization\" (id, name, priority, segment, type, status, \"createdAt\", \"updatedAt\")
              VALUES ('$GHOST', 'Found Later', 'B', 'CATERING', 'CUSTOMER', 'ACTIVE', now(), now())" "$1" >/dev/null
}
is "$(psql_val "SELECT reason FROM migration.quarantine WHERE table_name = 'Contact' AND lower(source_key) = '$C3'" n)" \
   fk_orphan "the orphan contact with a malformed address is quarantined"
add_ghost n
run_ok "quarantine replay after a --bad-email null run" "$PANTRYCRM" -d dbname=n quarantine replay
is "$(val n Contact "$C3")" 'NULL|{"legacy": {"email": "c3@"}}' "sets the malformed address to NULL, as the run did"
add_ghost k
run_ok "quarantine replay after a keep run" "$PANTRYCRM" -d dbname=k quarantine replay
is "$(val k Contact "$C3")" 'c3@|{"flags": {"email": {"value": "c3@", "reason": "email_malformed"}}}' \
   "keeps and flags it, as that run did"

# --- sync applies the same rule --------------------------------------------------
S2=$TEST_TMP/tracked.db
cp "$SRC" "$S2"
run_ok "demo track" "$PANTRYCRM" demo track --source "$S2"
fresh_db s
run_ok "migrate the tracked source" "$PANTRYCRM" -d dbname=s migrate --source "$S2" --progress none
sqlite3 "$S2" "UPDATE \"Organization\" SET email = 'no at sign' WHERE id = (SELECT id FROM \"Organization\" WHERE lower(id) = '$O1');
               UPDATE \"User\" SET email = 'u1@x.example' WHERE id = '$U1'" || bail_out "update failed"
run_ok "sync" "$PANTRYCRM" -d dbname=s sync
is "$(val s Organization "$O1")" 'no at sign|{"flags": {"email": {"value": "no at sign", "reason": "email_malformed"}}}' \
   "a malformed address synced is kept and flagged"
is "$(psql_val "SELECT count(*) FROM migration.repair WHERE source_key = '$U1'" s)" 0 \
   "a User address made plausible loses its flag"
sqlite3 "$S2" "UPDATE \"Organization\" SET email = 'mailto:Good@Example.ORG ' WHERE id = (SELECT id FROM \"Organization\" WHERE lower(id) = '$O1')" \
    || bail_out "update failed"
run_ok "sync again" "$PANTRYCRM" -d dbname=s sync
is "$(val s Organization "$O1")" 'Good@example.org|{"legacy": {"email": "mailto:Good@Example.ORG "}}' \
   "a repairable one is repaired, the flag gone"
run_ok "verify after sync" "$PANTRYCRM" -d dbname=s verify

done_testing
