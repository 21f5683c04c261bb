#!/bin/sh
# db-schema.sh: the target schema that `pantrycrm db migrate` creates matches
# the data model contract (shared/spec/data-model.md section 2), checked
# against the catalogs: tables, columns with types and nullability, enums,
# foreign keys and their delete rules, check constraints, every index of
# data/sql/0003_indexes.sql, and that the search indexes are really used.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
pg_createdb schema_t
DB=schema_t

# q SQL: the result rows of SQL in the test database, unaligned, no headers.
q() { psql_val "$1" "$DB"; }

# sql_fails DESC ERE SQL: SQL must fail with an error matching ERE.
sql_fails() {
    run psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "$3"
    if [ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -Eq -- "$2"; then _tap_result 0 "$1"; else
        _tap_result 1 "$1"; diag "exit $RC, want an error matching /$2/" "stderr: $ERR"; fi
}

# sql_ok DESC SQL: SQL must succeed.
sql_ok() {
    run psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "$2"
    if [ "$RC" -eq 0 ]; then _tap_result 0 "$1"; else
        _tap_result 1 "$1"; diag "exit $RC" "stderr: $ERR"; fi
}

run_ok "db migrate applies the schema to an empty database" \
    "$PANTRYCRM" -d "dbname=$DB" db migrate
[ "$RC" -eq 0 ] || bail_out "the schema could not be applied; nothing else can be checked"

is "$(q "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension
         WHERE extname IN ('pgcrypto', 'pg_trgm', 'btree_gin', 'uuid-ossp')")" \
   "btree_gin,pg_trgm,pgcrypto" "extensions pgcrypto, pg_trgm, btree_gin (and not uuid-ossp)"

# --- tables ------------------------------------------------------------------
TABLES="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
for t in $TABLES; do
    is "$(q "SELECT to_regclass('public.\"$t\"') IS NOT NULL")" "t" "table \"$t\" exists"
done
is "$(q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")" \
   "10" "the public schema has exactly the 10 tables"
is "$(q "SELECT count(*) FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
         AND obj_description(c.oid, 'pg_class') IS NULL")" "0" "every table has a COMMENT"
like "$(q "SELECT col_description('\"Organization\"'::regclass, attnum) FROM pg_attribute
           WHERE attrelid = '\"Organization\"'::regclass AND attname = 'estimatedRevenue'")" \
     "double precision.*FLOAT.*real" "the double precision departure is explained in a COMMENT"

# --- columns: "table.column:type:nullability", sorted by column name ----------
columns_of() {
    q "SELECT '$1.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':'
              || CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END
       FROM pg_attribute a
       WHERE a.attrelid = '\"$1\"'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attname COLLATE \"C\""
}

is "$(columns_of User)" "$(cat <<'EOF'
User.createdAt:timestamp with time zone:NOT NULL
User.email:text:NOT NULL
User.emailVerified:timestamp with time zone:NULL
User.id:text:NOT NULL
User.image:text:NULL
User.isActive:boolean:NOT NULL
User.lastLoginAt:timestamp with time zone:NULL
User.name:text:NULL
User.password:text:NULL
User.resetToken:text:NULL
User.resetTokenExpiry:timestamp with time zone:NULL
User.role:text:NOT NULL
User.updatedAt:timestamp with time zone:NOT NULL
EOF
)" "columns of \"User\": names, types, nullability"

is "$(columns_of Account)" "$(cat <<'EOF'
Account.access_token:text:NULL
Account.createdAt:timestamp with time zone:NOT NULL
Account.expires_at:integer:NULL
Account.id:text:NOT NULL
Account.id_token:text:NULL
Account.provider:text:NOT NULL
Account.providerAccountId:text:NOT NULL
Account.refresh_token:text:NULL
Account.scope:text:NULL
Account.session_state:text:NULL
Account.token_type:text:NULL
Account.type:text:NOT NULL
Account.updatedAt:timestamp with time zone:NOT NULL
Account.userId:text:NOT NULL
EOF
)" "columns of \"Account\": names, types, nullability"

is "$(columns_of Session)" "$(cat <<'EOF'
Session.expires:timestamp with time zone:NOT NULL
Session.id:text:NOT NULL
Session.sessionToken:text:NOT NULL
Session.userId:text:NOT NULL
EOF
)" "columns of \"Session\": names, types, nullability"

is "$(columns_of VerificationToken)" "$(cat <<'EOF'
VerificationToken.expires:timestamp with time zone:NOT NULL
VerificationToken.identifier:text:NOT NULL
VerificationToken.token:text:NOT NULL
EOF
)" "columns of \"VerificationToken\": names, types, nullability (no id)"

is "$(columns_of Organization)" "$(cat <<'EOF'
Organization.address:text:NULL
Organization.city:text:NULL
Organization.createdAt:timestamp with time zone:NOT NULL
Organization.email:text:NULL
Organization.employeeCount:integer:NULL
Organization.estimatedRevenue:double precision:NULL
Organization.id:uuid:NOT NULL
Organization.lastContactDate:timestamp with time zone:NULL
Organization.metadata:jsonb:NOT NULL
Organization.name:text:NOT NULL
Organization.nextFollowUpDate:timestamp with time zone:NULL
Organization.notes:text:NULL
Organization.phone:text:NULL
Organization.primaryContact:text:NULL
Organization.priority:"OrganizationPriority":NOT NULL
Organization.segment:"OrganizationSegment":NOT NULL
Organization.state:text:NULL
Organization.status:"OrganizationStatus":NOT NULL
Organization.type:"OrganizationType":NOT NULL
Organization.updatedAt:timestamp with time zone:NOT NULL
Organization.website:text:NULL
Organization.zipCode:text:NULL
EOF
)" "columns of \"Organization\": names, types, nullability"

is "$(columns_of Contact)" "$(cat <<'EOF'
Contact.createdAt:timestamp with time zone:NOT NULL
Contact.email:text:NULL
Contact.firstName:text:NOT NULL
Contact.id:uuid:NOT NULL
Contact.isPrimary:boolean:NOT NULL
Contact.lastName:text:NOT NULL
Contact.metadata:jsonb:NOT NULL
Contact.notes:text:NULL
Contact.organizationId:uuid:NOT NULL
Contact.phone:text:NULL
Contact.position:text:NULL
Contact.updatedAt:timestamp with time zone:NOT NULL
EOF
)" "columns of \"Contact\": names, types, nullability"

is "$(columns_of Interaction)" "$(cat <<'EOF'
Interaction.contactId:uuid:NULL
Interaction.createdAt:timestamp with time zone:NOT NULL
Interaction.date:timestamp with time zone:NOT NULL
Interaction.description:text:NULL
Interaction.duration:integer:NULL
Interaction.id:uuid:NOT NULL
Interaction.metadata:jsonb:NOT NULL
Interaction.nextAction:text:NULL
Interaction.organizationId:uuid:NOT NULL
Interaction.outcome:"InteractionOutcome":NULL
Interaction.subject:text:NOT NULL
Interaction.type:"InteractionType":NOT NULL
Interaction.updatedAt:timestamp with time zone:NOT NULL
Interaction.userId:text:NULL
EOF
)" "columns of \"Interaction\": names, types, nullability"

is "$(columns_of Opportunity)" "$(cat <<'EOF'
Opportunity.contactId:uuid:NULL
Opportunity.createdAt:timestamp with time zone:NOT NULL
Opportunity.expectedCloseDate:timestamp with time zone:NULL
Opportunity.id:uuid:NOT NULL
Opportunity.isActive:boolean:NOT NULL
Opportunity.metadata:jsonb:NOT NULL
Opportunity.name:text:NOT NULL
Opportunity.notes:text:NULL
Opportunity.organizationId:uuid:NOT NULL
Opportunity.probability:integer:NULL
Opportunity.stage:"OpportunityStage":NOT NULL
Opportunity.updatedAt:timestamp with time zone:NOT NULL
Opportunity.value:numeric(14,2):NULL
EOF
)" "columns of \"Opportunity\": names, types, nullability"

is "$(columns_of Lead)" "$(cat <<'EOF'
Lead.assignedToId:text:NULL
Lead.companyName:text:NOT NULL
Lead.contactName:text:NULL
Lead.createdAt:timestamp with time zone:NOT NULL
Lead.email:text:NULL
Lead.id:uuid:NOT NULL
Lead.metadata:jsonb:NOT NULL
Lead.notes:text:NULL
Lead.organizationId:uuid:NULL
Lead.phone:text:NULL
Lead.score:integer:NULL
Lead.source:"LeadSource":NOT NULL
Lead.status:"LeadStatus":NOT NULL
Lead.updatedAt:timestamp with time zone:NOT NULL
EOF
)" "columns of \"Lead\": names, types, nullability"

is "$(columns_of Contract)" "$(cat <<'EOF'
Contract.contactId:uuid:NULL
Contract.contractNumber:text:NOT NULL
Contract.createdAt:timestamp with time zone:NOT NULL
Contract.endDate:timestamp with time zone:NULL
Contract.id:uuid:NOT NULL
Contract.metadata:jsonb:NOT NULL
Contract.opportunityId:uuid:NULL
Contract.organizationId:uuid:NOT NULL
Contract.signedAt:timestamp with time zone:NULL
Contract.startDate:timestamp with time zone:NOT NULL
Contract.status:"ContractStatus":NOT NULL
Contract.terms:text:NULL
Contract.title:text:NULL
Contract.updatedAt:timestamp with time zone:NOT NULL
Contract.value:numeric(14,2):NOT NULL
EOF
)" "columns of \"Contract\": names, types, nullability"

# Column defaults, all tables at once: "table.column=default".
is "$(q "SELECT def FROM (
             SELECT c.relname || '.' || a.attname || '=' || pg_get_expr(d.adbin, d.adrelid)
             FROM pg_attrdef d
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             JOIN pg_class c ON c.oid = d.adrelid
             WHERE c.relnamespace = 'public'::regnamespace) AS t (def)
         ORDER BY def COLLATE \"C\"")" "$(cat <<'EOF'
Account.createdAt=now()
Account.id=gen_random_uuid()
Account.updatedAt=now()
Contact.createdAt=now()
Contact.id=gen_random_uuid()
Contact.isPrimary=false
Contact.metadata='{}'::jsonb
Contact.updatedAt=now()
Contract.createdAt=now()
Contract.id=gen_random_uuid()
Contract.metadata='{}'::jsonb
Contract.updatedAt=now()
Interaction.createdAt=now()
Interaction.id=gen_random_uuid()
Interaction.metadata='{}'::jsonb
Interaction.updatedAt=now()
Lead.createdAt=now()
Lead.id=gen_random_uuid()
Lead.metadata='{}'::jsonb
Lead.updatedAt=now()
Opportunity.createdAt=now()
Opportunity.id=gen_random_uuid()
Opportunity.isActive=true
Opportunity.metadata='{}'::jsonb
Opportunity.updatedAt=now()
Organization.createdAt=now()
Organization.id=gen_random_uuid()
Organization.metadata='{}'::jsonb
Organization.status='ACTIVE'::"OrganizationStatus"
Organization.type='PROSPECT'::"OrganizationType"
Organization.updatedAt=now()
Session.id=gen_random_uuid()
User.createdAt=now()
User.id=gen_random_uuid()
User.isActive=true
User.role='user'::text
User.updatedAt=now()
EOF
)" "column defaults"

# --- enums: values in declaration order (that is the ORDER BY order) ----------
enum_is() { # TYPE VALUES
    is "$(q "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum
             WHERE enumtypid = to_regtype('\"$1\"')")" "$2" "enum \"$1\": $2"
}
enum_is OrganizationPriority "A,B,C,D"
enum_is OrganizationSegment "FINE_DINING,FAST_FOOD,CASUAL_DINING,CATERING,INSTITUTIONAL,HEALTHCARE,EDUCATION,CORPORATE"
enum_is OrganizationType "PROSPECT,CUSTOMER,INACTIVE"
enum_is OrganizationStatus "ACTIVE,INACTIVE,LEAD"
enum_is InteractionType "CALL,EMAIL,MEETING,VISIT,SAMPLE_DELIVERY,TASTING,FOLLOW_UP,OTHER"
enum_is InteractionOutcome "POSITIVE,NEUTRAL,NEGATIVE,FOLLOW_UP_NEEDED"
enum_is OpportunityStage "PROSPECTING,QUALIFICATION,PROPOSAL,NEGOTIATION,CLOSED_WON,CLOSED_LOST"
enum_is LeadSource "WEBSITE,REFERRAL,TRADE_SHOW,COLD_CALL,SOCIAL_MEDIA,OTHER"
enum_is LeadStatus "NEW,CONTACTED,QUALIFIED,CONVERTED,LOST"
enum_is ContractStatus "DRAFT,PENDING,ACTIVE,EXPIRED,TERMINATED"
is "$(q "SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'")" \
   "10" "exactly 10 enum types"

# --- keys ----------------------------------------------------------------------
is "$(q "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
         WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u')
         ORDER BY conname COLLATE \"C\"")" "$(cat <<'EOF'
Account_pkey PRIMARY KEY (id)
Account_provider_providerAccountId_key UNIQUE (provider, "providerAccountId")
Contact_pkey PRIMARY KEY (id)
Contract_contractNumber_key UNIQUE ("contractNumber")
Contract_pkey PRIMARY KEY (id)
Interaction_pkey PRIMARY KEY (id)
Lead_pkey PRIMARY KEY (id)
Opportunity_pkey PRIMARY KEY (id)
Organization_pkey PRIMARY KEY (id)
Session_pkey PRIMARY KEY (id)
Session_sessionToken_key UNIQUE ("sessionToken")
User_email_key UNIQUE (email)
User_pkey PRIMARY KEY (id)
VerificationToken_pkey PRIMARY KEY (identifier, token)
VerificationToken_token_key UNIQUE (token)
EOF
)" "primary keys and unique constraints"

# fk NAME "Child.column -> Parent.column ON DELETE x" (confdeltype: c cascade, n set null)
fk_is() {
    is "$(q "SELECT cl.relname || '.' || a.attname || ' -> ' || pc.relname || '.' || pa.attname
                    || ' ON DELETE ' || k.confdeltype::text
             FROM pg_constraint k
             JOIN pg_class cl ON cl.oid = k.conrelid
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
             JOIN pg_class pc ON pc.oid = k.confrelid
             JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
             WHERE k.contype = 'f' AND k.conname = '$1' AND cardinality(k.conkey) = 1")" \
       "$2" "foreign key $1: $2"
}
fk_is Account_userId_fkey "Account.userId -> User.id ON DELETE c"
fk_is Session_userId_fkey "Session.userId -> User.id ON DELETE c"
fk_is Contact_organizationId_fkey "Contact.organizationId -> Organization.id ON DELETE c"
fk_is Interaction_organizationId_fkey "Interaction.organizationId -> Organization.id ON DELETE c"
fk_is Interaction_contactId_fkey "Interaction.contactId -> Contact.id ON DELETE n"
fk_is Interaction_userId_fkey "Interaction.userId -> User.id ON DELETE n"
fk_is Opportunity_organizationId_fkey "Opportunity.organizationId -> Organization.id ON DELETE c"
fk_is Opportunity_contactId_fkey "Opportunity.contactId -> Contact.id ON DELETE n"
fk_is Lead_organizationId_fkey "Lead.organizationId -> Organization.id ON DELETE n"
fk_is Lead_assignedToId_fkey "Lead.assignedToId -> User.id ON DELETE n"
fk_is Contract_organizationId_fkey "Contract.organizationId -> Organization.id ON DELETE c"
fk_is Contract_contactId_fkey "Contract.contactId -> Contact.id ON DELETE n"
fk_is Contract_opportunityId_fkey "Contract.opportunityId -> Opportunity.id ON DELETE n"
is "$(q "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f'")" \
   "13" "exactly 13 foreign keys"

# --- check constraints and defaults, with rows ----------------------------------
ORG=00000000-0000-4000-8000-000000000001
q "INSERT INTO \"User\" (id, email) VALUES ('u1', 'a@example.com');
   INSERT INTO \"Organization\" (id, name, priority, segment)
       VALUES ('$ORG', 'Chez Test', 'A', 'FINE_DINING');
   INSERT INTO \"Contact\" (\"firstName\", \"lastName\", \"organizationId\")
       VALUES ('Ada', 'Test', '$ORG');
   INSERT INTO \"Interaction\" (type, subject, date, \"organizationId\", \"userId\")
       VALUES ('CALL', 'hello', now(), '$ORG', 'u1');
   INSERT INTO \"Lead\" (\"companyName\", source, status, \"organizationId\", \"assignedToId\")
       VALUES ('Lead Co', 'WEBSITE', 'NEW', '$ORG', 'u1')" >/dev/null

sql_fails "probability 101 is rejected" "Opportunity_probability_range_check" \
    "INSERT INTO \"Opportunity\" (name, \"organizationId\", stage, probability)
     VALUES ('too sure', '$ORG', 'PROPOSAL', 101)"
sql_fails "probability -1 is rejected" "Opportunity_probability_range_check" \
    "INSERT INTO \"Opportunity\" (name, \"organizationId\", stage, probability)
     VALUES ('unsure', '$ORG', 'PROPOSAL', -1)"
sql_fails "a negative opportunity value is rejected" "Opportunity_value_nonnegative_check" \
    "INSERT INTO \"Opportunity\" (name, \"organizationId\", stage, value)
     VALUES ('owing', '$ORG', 'PROPOSAL', -0.01)"
sql_ok "probability 0 and 100 and a NULL probability are accepted" \
    "INSERT INTO \"Opportunity\" (name, \"organizationId\", stage, probability, value) VALUES
     ('never', '$ORG', 'CLOSED_LOST', 0, 0), ('sure', '$ORG', 'CLOSED_WON', 100, 1200.50),
     ('unknown', '$ORG', 'PROSPECTING', NULL, NULL)"
sql_fails "a contract ending before it starts is rejected" "Contract_endDate_after_startDate_check" \
    "INSERT INTO \"Contract\" (\"contractNumber\", \"organizationId\", status, \"startDate\", \"endDate\", value)
     VALUES ('C-1', '$ORG', 'ACTIVE', '2026-02-01', '2026-01-31', 10)"
sql_fails "a negative contract value is rejected" "Contract_value_nonnegative_check" \
    "INSERT INTO \"Contract\" (\"contractNumber\", \"organizationId\", status, \"startDate\", value)
     VALUES ('C-1', '$ORG', 'ACTIVE', '2026-02-01', -5)"
sql_ok "contracts ending on or after their start, or open-ended, are accepted" \
    "INSERT INTO \"Contract\" (\"contractNumber\", \"organizationId\", status, \"startDate\", \"endDate\", value)
     VALUES ('C-1', '$ORG', 'ACTIVE', '2026-02-01', '2026-02-01', 10),
            ('C-2', '$ORG', 'ACTIVE', '2026-02-01', '2027-01-31', 99999999999.99),
            ('C-3', '$ORG', 'DRAFT', '2026-02-01', NULL, 0)"
sql_fails "a duplicate contract number is rejected" "Contract_contractNumber_key" \
    "INSERT INTO \"Contract\" (\"contractNumber\", \"organizationId\", status, \"startDate\", value)
     VALUES ('C-1', '$ORG', 'ACTIVE', '2026-02-01', 1)"
sql_fails "a lead score of 101 is rejected" "Lead_score_range_check" \
    "INSERT INTO \"Lead\" (\"companyName\", source, status, score) VALUES ('x', 'OTHER', 'NEW', 101)"
sql_fails "a negative interaction duration is rejected" "Interaction_duration_nonnegative_check" \
    "INSERT INTO \"Interaction\" (type, subject, date, \"organizationId\", duration)
     VALUES ('CALL', 'x', now(), '$ORG', -1)"
sql_fails "a negative employee count is rejected" "Organization_employeeCount_nonnegative_check" \
    "INSERT INTO \"Organization\" (name, priority, segment, \"employeeCount\") VALUES ('x', 'B', 'CATERING', -1)"
sql_fails "a negative estimated revenue is rejected" "Organization_estimatedRevenue_nonnegative_check" \
    "INSERT INTO \"Organization\" (name, priority, segment, \"estimatedRevenue\") VALUES ('x', 'B', 'CATERING', -1)"
sql_fails "a blank organization name is rejected" "Organization_name_not_blank_check" \
    "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('   ', 'B', 'CATERING')"
sql_fails "a value outside an enum is rejected" "invalid input value for enum \"OrganizationSegment\"" \
    "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('x', 'B', 'QSR')"
sql_fails "metadata that is not a JSON object is rejected" "Organization_metadata_object_check" \
    "INSERT INTO \"Organization\" (name, priority, segment, metadata) VALUES ('x', 'B', 'CATERING', '[]')"
is "$(q "WITH r AS (
             INSERT INTO \"Organization\" (name, priority, segment, \"estimatedRevenue\")
             VALUES ('Big Spender', 'A', 'CORPORATE', 1000000000.25) RETURNING \"estimatedRevenue\")
         SELECT \"estimatedRevenue\" = 1000000000.25::double precision FROM r")" "t" \
   "estimatedRevenue keeps 1,000,000,000.25 exactly (double precision, not real)"
is "$(q "SELECT type || ' ' || status FROM \"Organization\" WHERE id = '$ORG'")" \
   "PROSPECT ACTIVE" "an organization defaults to type PROSPECT, status ACTIVE"

for t in Organization Contact Interaction Opportunity Lead Contract; do
    is "$(q "SELECT string_agg(DISTINCT metadata::text, ',') FROM \"$t\"")" "{}" \
       "\"$t\".metadata defaults to {}"
done

# Deleting a parent never fails: mandatory children go, optional links are nulled.
CID=$(q "SELECT id FROM \"Contact\" LIMIT 1")
q "UPDATE \"Interaction\" SET \"contactId\" = '$CID';
   UPDATE \"Contract\" SET \"contactId\" = '$CID', \"opportunityId\" = (SELECT id FROM \"Opportunity\" LIMIT 1)" >/dev/null
sql_ok "deleting a contact and an opportunity that are referenced succeeds" \
    "DELETE FROM \"Contact\" WHERE id = '$CID'; DELETE FROM \"Opportunity\""
is "$(q "SELECT count(*) FILTER (WHERE \"contactId\" IS NOT NULL OR \"opportunityId\" IS NOT NULL)
         || '/' || count(*) FROM \"Contract\"")" "0/3" "their contracts remain, unlinked"
sql_ok "deleting a user that is referenced succeeds" "DELETE FROM \"User\" WHERE id = 'u1'"
is "$(q "SELECT (SELECT count(*) FROM \"Interaction\" WHERE \"userId\" IS NULL) || ' '
             || (SELECT count(*) FROM \"Lead\" WHERE \"assignedToId\" IS NULL)")" "1 1" \
   "its interactions and leads remain, unassigned"
sql_ok "deleting an organization with children succeeds" "DELETE FROM \"Organization\" WHERE id = '$ORG'"
is "$(q "SELECT (SELECT count(*) FROM \"Contact\") + (SELECT count(*) FROM \"Interaction\")
             + (SELECT count(*) FROM \"Contract\") || ' ' || (SELECT count(*) FROM \"Lead\" WHERE \"organizationId\" IS NULL)")" \
   "0 1" "its contacts, interactions and contracts are gone, its lead remains"

# --- indexes --------------------------------------------------------------------
# The secondary indexes are those of 0003 and of the later index files.
INDEX_FILES="$abs_top_srcdir/data/sql/0003_indexes.sql $abs_top_srcdir/data/sql/0005_console_indexes.sql
             $abs_top_srcdir/data/sql/0011_app_handoff.sql $abs_top_srcdir/data/sql/0017_revenue_filter_index.sql
             $abs_top_srcdir/data/sql/0018_email_flags.sql $abs_top_srcdir/data/sql/0019_city_sort_index.sql"
# Those created, less those a later file dropped (0011 rebuilt one, 0019
# replaced one).
# shellcheck disable=SC2086
dropped=$(sed -n 's/^DROP INDEX \(IF EXISTS \)\{0,1\}"\([^"]*\)".*/\2/p' $INDEX_FILES)
# shellcheck disable=SC2086
names=$(sed -n 's/^CREATE INDEX "\([^"]*\)".*/\1/p' $INDEX_FILES | grep -vxF "${dropped:-//}")
nnames=$(printf '%s\n' "$names" | grep -c .)
ok "$([ "$nnames" -gt 0 ] && echo 0 || echo 1)" "the index files name their indexes ($nnames)"
for i in $names; do
    is "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = '$i'")" \
       "1" "index $i exists"
done
# The indexes that are not a constraint's are exactly those of the index files.
is "$(q "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
         WHERE c.relnamespace = 'public'::regnamespace
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)")" \
   "$nnames" "no index other than the constraints' and those of the index files"
# Every index has the query it serves written above it.
is "$(awk '/^--   (SELECT|DELETE) / { seen = 1 }
           /^CREATE INDEX/ { if (!seen || prev !~ /^--/) bad++; seen = 0 }
           { prev = $0 } END { print bad + 0 }' $INDEX_FILES)" \
   "0" "every index is preceded by a comment with the query it serves"
# No plain btree index is redundant: its key columns are not a prefix of
# another btree index's (or a duplicate of a key or unique constraint's).
is "$(q "WITH i AS (
             SELECT x.indexrelid::regclass::text AS name, x.indrelid,
                    (string_to_array(x.indkey::text, ' '))[1:x.indnkeyatts] AS cols,
                    (string_to_array(x.indoption::text, ' '))[1:x.indnkeyatts] AS opts,
                    x.indclass::text AS cls
             FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
             JOIN pg_am am ON am.oid = c.relam
             WHERE c.relnamespace = 'public'::regnamespace AND am.amname = 'btree'
               AND x.indexprs IS NULL AND x.indpred IS NULL AND NOT x.indisunique)
         SELECT string_agg(a.name || ' < ' || b.name, ', ')
         FROM i a JOIN (SELECT x.indexrelid::regclass::text AS name, x.indrelid,
                               (string_to_array(x.indkey::text, ' '))[1:x.indnkeyatts] AS cols,
                               (string_to_array(x.indoption::text, ' '))[1:x.indnkeyatts] AS opts
                        FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                        JOIN pg_am am ON am.oid = c.relam
                        WHERE c.relnamespace = 'public'::regnamespace AND am.amname = 'btree'
                          AND x.indexprs IS NULL AND x.indpred IS NULL) b
           ON a.indrelid = b.indrelid AND a.name <> b.name
          AND cardinality(a.cols) <= cardinality(b.cols)
          AND b.cols[1:cardinality(a.cols)] = a.cols
          AND b.opts[1:cardinality(a.opts)] = a.opts")" \
   "" "no btree index is a leading prefix of another (redundant)"
# A btree index whose keys hold the row's id never holds two equal keys:
# it is built without deduplication (0022), which would only cost time.
# One whose keys repeat keeps it.
dedup_off="coalesce(c.reloptions @> '{deduplicate_items=off}', false)"
holds_id="EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attname = 'id'
                  AND a.attnum = ANY ((x.indkey::int2[])[0:x.indnkeyatts - 1]))"
is "$(q "SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
         FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam
         WHERE c.relnamespace IN ('public'::regnamespace, 'search'::regnamespace)
           AND am.amname = 'btree' AND NOT x.indisunique AND $holds_id AND NOT $dedup_off")" \
   "" "every non-unique btree index whose keys hold the id is without deduplication"
is "$(q "SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
         FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
         WHERE c.relnamespace IN ('public'::regnamespace, 'search'::regnamespace)
           AND NOT $holds_id AND $dedup_off")" \
   "" "and no index whose keys may repeat"
is "$(q "SELECT count(*) FROM pg_class c WHERE c.relnamespace IN ('public'::regnamespace, 'search'::regnamespace)
         AND c.relkind = 'i' AND $dedup_off")" "33" "33 indexes in all (27 of the tables, 6 of the search words)"
# The search words' rebuild after a bulk load creates its indexes so too.
q "SELECT search.rebuild_organization_words(), search.rebuild_contact_words()" >/dev/null
is "$(q "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'search'::regnamespace
         AND c.relkind = 'i' AND $dedup_off")" "6" "the search words' rebuild keeps them without deduplication"
# Every foreign key column leads some index, so ON DELETE from the parent
# finds the children without scanning the child table.
is "$(q "SELECT string_agg(k.conname, ', ') FROM pg_constraint k
         WHERE k.connamespace = 'public'::regnamespace AND k.contype = 'f'
         AND NOT EXISTS (SELECT 1 FROM pg_index x
                         WHERE x.indrelid = k.conrelid AND x.indkey[0] = k.conkey[1])")" \
   "" "every foreign key column leads an index"

# --- the search indexes are used --------------------------------------------------
# About 2000 organizations and 2000 contacts, with names as varied as real
# ones (invented words from syllables, plus a common kind of place) and row
# widths like real ones (an address, a few hundred bytes of notes): the
# planner then weighs an index against reading the table as it will in use.
q "INSERT INTO \"Organization\" (name, priority, segment, city, state, \"zipCode\", address, notes)
   SELECT initcap((ARRAY['ba', 'ce', 'di', 'fo', 'gu', 'ka', 'le', 'mi', 'no', 'pu',
                         'ra', 'se', 'ti', 'vo', 'za', 'bri', 'clo', 'dra', 'fle', 'gno'])[1 + g % 20]
                  || (ARRAY['la', 'mo', 'ne', 'ri', 'su', 'ta', 'vi', 'co', 'de', 'fa',
                            'go', 'hu', 'ji', 'ke', 'lu', 'po', 'qui', 'sti', 'tro', 'vra'])[1 + g / 20 % 20]
                  || (ARRAY['n', 'r', 's', 't', 'x', 'l', 'm', 'd', 'k', 'z'])[1 + g / 400 % 10])
          || ' ' || (ARRAY['Bistro', 'Grill', 'Kitchen', 'Cafe', 'Diner', 'Trattoria', 'Catering',
                           'Deli', 'Tavern', 'Eatery', 'Canteen', 'Brasserie'])[1 + g * 7 % 12],
          (ARRAY['A', 'B', 'C', 'D'])[1 + g % 4]::\"OrganizationPriority\",
          (ARRAY['FINE_DINING', 'FAST_FOOD', 'CATERING', 'HEALTHCARE'])[1 + g % 4]::\"OrganizationSegment\",
          'City ' || g % 97, 'S' || g % 50, lpad((g * 37 % 99999)::text, 5, '0'),
          g || ' Main Street',
          repeat('Delivers on Tuesdays; prefers organic produce; ask for the chef. ', 9)
   FROM generate_series(1, 2000) g;
   INSERT INTO \"Organization\" (name, priority, segment) VALUES
       ('The Who', 'B', 'CATERING'), ('Osteria Quattrozampe', 'A', 'FINE_DINING');
   INSERT INTO \"Contact\" (\"firstName\", \"lastName\", email, \"organizationId\", notes)
   SELECT (ARRAY['Ada', 'Luis', 'Mei', 'Omar', 'Zoe', 'Ines', 'Kofi', 'Anna'])[1 + g % 8],
          initcap((ARRAY['an', 'be', 'cor', 'del', 'es', 'fon', 'gar', 'hol', 'ib', 'jun',
                          'kel', 'lor', 'mun', 'nor', 'ok', 'pel', 'ros', 'sal', 'tor', 'ur'])[1 + g / 7 % 20]
                  || (ARRAY['ba', 'de', 'gi', 'lo', 'mu', 'na', 're', 'si', 'to', 'va',
                            'che', 'dri', 'fle', 'gra', 'ple', 'sto', 'tra', 'vre', 'blo', 'cla'])[1 + g / 140 % 20]
                  || (ARRAY['n', 'r', 's', 't', 'x', 'l', 'm'])[1 + g % 7]),
          'c' || g || '@example.com', o.id,
          repeat('Met at the spring trade show; prefers e-mail to calls. ', 6)
   FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM \"Organization\") AS o" >/dev/null
# VACUUM, not only ANALYZE: rows inserted after CREATE INDEX wait in the GIN
# pending list, which the planner rightly costs as a full read, until a
# vacuum (autovacuum in real life, the bulk load's final VACUUM ANALYZE)
# merges them into the index.
q "VACUUM ANALYZE" >/dev/null

# The words to search for: those of organization 1234 and contact 1234.
OWORD=$(q "SELECT lower(split_part(name, ' ', 1)) FROM \"Organization\" WHERE address = '1234 Main Street'")
CWORD=$(q "SELECT lower(\"lastName\") FROM \"Contact\" WHERE email = 'c1234@example.com'")
OFRAG=$(printf '%s' "$OWORD" | cut -c2-5)
CFRAG=$(printf '%s' "$CWORD" | cut -c2-6)
diag "searching for organization word '$OWORD' ('%$OFRAG%'), contact word '$CWORD' ('%$CFRAG%')"

# plan_of SQL: the plan PostgreSQL chooses for SQL.
plan_of() { q "EXPLAIN (COSTS OFF) $1"; }

like "$(plan_of "SELECT id FROM \"Organization\"
                 WHERE to_tsvector('simple', name) @@ to_tsquery('simple', '$OWORD:*')")" \
     "Organization_name_fts_idx" \
     "organization full-text search uses Organization_name_fts_idx"
like "$(plan_of "SELECT id FROM \"Organization\" WHERE lower(name) LIKE '%$OFRAG%'")" \
     "Organization_name_trgm_idx" "organization partial-name (LIKE '%x%') search uses Organization_name_trgm_idx"
like "$(plan_of "SELECT id FROM \"Organization\" WHERE lower(name) % lower('Quatrozampe')")" \
     "Organization_name_trgm_idx" "organization similarity (%) search uses Organization_name_trgm_idx"
like "$(plan_of "SELECT id FROM \"Contact\"
                 WHERE to_tsvector('simple', \"firstName\" || ' ' || \"lastName\")
                       @@ to_tsquery('simple', '$CWORD')")" \
     "Contact_name_fts_idx" "contact full-name search uses Contact_name_fts_idx"
like "$(plan_of "SELECT id FROM \"Contact\"
                 WHERE lower(\"firstName\" || ' ' || \"lastName\") LIKE '%$CFRAG%'")" \
     "Contact_name_trgm_idx" "contact partial-name search uses Contact_name_trgm_idx"
like "$(plan_of "SELECT id FROM \"Organization\" WHERE (name, id) > ('Golden', '$ORG')
                 ORDER BY name, id LIMIT 50")" \
     "Index Cond: \(ROW\(name, id\) > " "the name keyset page is an index range scan"

# And they find the right rows.
is "$(q "SELECT address FROM \"Organization\"
         WHERE to_tsvector('simple', name) @@ to_tsquery('simple', '$OWORD')")" \
   "1234 Main Street" "the full-text search finds the organization by a word of its name"
is "$(q "SELECT name FROM \"Organization\" WHERE lower(name) % lower('Quatrozampe')")" \
   "Osteria Quattrozampe" "the similarity search finds a misspelt name"
is "$(q "SELECT count(*) FROM \"Organization\"
         WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'the & who')")" \
   "1" "the 'simple' configuration finds a name made of English stop words"

# 0006_sync.sql: the Change Tracking sync's bookkeeping.
is "$(q "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
         WHERE table_schema = 'migration' AND table_name = 'sync'")" \
   "table_name,baseline_version,applied_version,applied_at,upserts,deletes,quarantined,reinit_needed_at,reinit_at" \
   "migration.sync keeps the applied change version per table"
is "$(q "SELECT count(*) FROM pg_constraint WHERE conrelid = 'migration.sync_source'::regclass AND contype = 'c'")" \
   "1" "migration.sync_source holds one row"

# 0016_repair.sql: originals of values repaired in the tables without metadata.
is "$(q "SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM pg_constraint c,
         unnest(c.conkey) WITH ORDINALITY k(n, i), pg_attribute a
         WHERE c.conrelid = 'migration.repair'::regclass AND c.contype = 'p'
           AND a.attrelid = c.conrelid AND a.attnum = k.n")" \
   "table_name,source_key,column_name" "migration.repair keeps one entry per table, source key and column"

done_testing
