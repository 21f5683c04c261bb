#!/bin/sh
# demo generate: the legacy database as a SQLite file. The schema is
# checked against data-model.md §1 as written there (an independent copy, so
# that a drift of legacy.c shows here too); the messy file's dirt report is
# reconciled, table by table and column by column, with what SQL finds.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
require_cmd sqlite3 sqlite3

umask 022
S=200
clean=$TEST_TMP/clean.sqlite
messy=$TEST_TMP/messy.sqlite
sq() { sqlite3 -batch "$@"; }

# --- usage -----------------------------------------------------------------
one_line_usage() { # desc args…: exit 2, one line on stderr, nothing on stdout
    local desc=$1; shift
    run "$PANTRYCRM" demo generate "$@"
    if [ "$RC" -eq 2 ] && [ -n "$ERR" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] \
        && [ -z "$OUT" ]; then ok 0 "$desc"
    else ok 1 "$desc"; diag "exit $RC" "stdout: $OUT" "stderr: $ERR"; fi
}
u=$TEST_TMP/u.sqlite
one_line_usage "--scale 0 is a usage error" --scale 0 --out "$u"
one_line_usage "a negative --scale is a usage error" --scale -5 --out "$u"
one_line_usage "--scale with junk is a usage error" --scale 12abc --out "$u"
one_line_usage "an empty --scale is a usage error" --scale "" --out "$u"
one_line_usage "--scale beyond the maximum is a usage error" --scale 99999999999 --out "$u"
one_line_usage "--scale is required" --out "$u"
one_line_usage "--out is required" --scale 10
one_line_usage "--seed with junk is a usage error" --scale 10 --seed x1 --out "$u"
one_line_usage "a negative --seed is a usage error" --scale 10 --seed -1 --out "$u"
one_line_usage "--surrogates must be wtf8 or escape" --scale 10 --surrogates utf16 --out "$u"
one_line_usage "an unknown option is a usage error" --scale 10 --out "$u" --bogus
one_line_usage "a stray argument is a usage error" --scale 10 --out "$u" extra
like "$ERR" "^pantrycrm demo generate: " "the message names the command"
ok "$([ ! -e "$u" ] && [ ! -e "$u.tmp" ]; echo $?)" "usage errors create no file"
run_ok "--help exits 0" "$PANTRYCRM" demo generate --help
like "$OUT" "--scale=S" "--help documents --scale"
like "$OUT" "--messy" "--help documents --messy"
run_ok "demo --help lists generate" "$PANTRYCRM" demo --help
like "$OUT" "generate" "generate is a demo command"

# --- a clean database --------------------------------------------------------
run_ok "generate --scale $S" "$PANTRYCRM" demo generate --scale $S --out "$clean"
like "$OUT" "Interaction +2000 rows" "a summary line per table"
like "$OUT" "in [0-9]+\.[0-9]+ s" "the elapsed seconds"
ok "$([ -f "$clean" ] && [ ! -e "$clean.tmp" ]; echo $?)" "the file is in place, no FILE.tmp left"
is "$(stat -c %a "$clean")" 644 "mode 0644"
is "$(sq "$clean" 'PRAGMA integrity_check')" ok "the SQLite file is sound"

# §1, one line per table: name, '?' when NULL is allowed, :TYPE unless
# NVARCHAR(1000) (MAX, DT = DATETIME2, BIT, INT, FLOAT, DEC = DECIMAL(14,2)).
contract='User id name? email emailVerified?:DT image? password? role isActive:BIT lastLoginAt?:DT resetToken? resetTokenExpiry?:DT createdAt:DT updatedAt:DT
Account id userId type provider providerAccountId refresh_token?:MAX access_token?:MAX expires_at?:INT token_type? scope? id_token?:MAX session_state? createdAt:DT updatedAt:DT
Session id sessionToken userId expires:DT
VerificationToken identifier token expires:DT
Organization id name priority segment type address? city? state? zipCode? phone? email? website? notes?:MAX estimatedRevenue?:FLOAT employeeCount?:INT primaryContact? lastContactDate?:DT nextFollowUpDate?:DT status createdAt:DT updatedAt:DT
Contact id firstName lastName email? phone? position? isPrimary:BIT notes?:MAX organizationId createdAt:DT updatedAt:DT
Interaction id type subject description?:MAX date:DT duration?:INT outcome? nextAction? organizationId contactId? userId? createdAt:DT updatedAt:DT
Opportunity id name organizationId contactId? stage value?:DEC probability?:INT expectedCloseDate?:DT notes?:MAX isActive:BIT createdAt:DT updatedAt:DT
Lead id companyName contactName? email? phone? source status score?:INT notes?:MAX organizationId? assignedToId? createdAt:DT updatedAt:DT
Contract id contractNumber title? organizationId contactId? opportunityId? status startDate:DT endDate?:DT value:DEC terms?:MAX signedAt?:DT createdAt:DT updatedAt:DT'
tables=$(printf '%s\n' "$contract" | cut -d' ' -f1)
crm="Organization Contact Interaction Opportunity Lead Contract"
expand_types() {
    tr ' ' '\n' | grep . | sed -e 's/?//' -e 's/:MAX$/:NVARCHAR(MAX)/' -e 's/:DT$/:DATETIME2/' \
        -e 's/:DEC$/:DECIMAL(14,2)/' -e '/:/!s/$/:NVARCHAR(1000)/' | tr '\n' ' '
}

is "$(sq "$clean" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name" | tr '\n' ' ')" \
   "$(printf '%s\n' $tables _prisma_migrations | LC_ALL=C sort | tr '\n' ' ')" \
   "the ten tables of §1 and _prisma_migrations, nothing else"
# (A here-document, not a pipe: the TAP counter must not live in a subshell.)
while read -r t cols; do
    is "$(sq "$clean" "SELECT name || ':' || type FROM pragma_table_info('$t') ORDER BY cid" | tr '\n' ' ')" \
       "$(printf '%s\n' "$cols" | expand_types)" "$t: the columns and declared SQL Server types of §1"
done <<EOF
$contract
EOF
for t in $tables; do
    if [ "$t" = VerificationToken ]; then want='' desc="no primary key"; else want=id desc="primary key on id"; fi
    is "$(sq "$clean" "SELECT name FROM pragma_table_info('$t') WHERE pk > 0")" "$want" "$t: $desc"
done
is "$(sq "$clean" "SELECT m.name || '(' || (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(i.name) ORDER BY seqno)) || ')' FROM sqlite_schema m, pragma_index_list(m.name) i WHERE m.type = 'table' AND i.\"unique\" AND i.origin = 'c' ORDER BY 1" | tr '\n' ' ')" \
   "Account(provider,providerAccountId) Contract(contractNumber) Session(sessionToken) User(email) VerificationToken(identifier,token) VerificationToken(token) " \
   "the UNIQUE constraints of §1"
is "$(sq "$clean" "SELECT count(*) FROM sqlite_schema m, pragma_foreign_key_list(m.name) WHERE m.type = 'table'")" 0 \
   "no foreign key is enforced (legacy FKs WITH NOCHECK)"
ok "$([ "$(sq "$clean" 'SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL')" -ge 2 ]; echo $?)" \
   "_prisma_migrations has rows"

counts=$(for t in $tables; do printf '%s=%s ' "$t" "$(sq "$clean" "SELECT count(*) FROM \"$t\"")"; done)
is "$counts" "User=50 Account=50 Session=100 VerificationToken=5 Organization=200 Contact=600 Interaction=2000 Opportunity=200 Lead=100 Contract=60 " \
   "row counts follow the proportions of §1 at S=$S"
is "$(sq "$clean" "SELECT group_concat(key || '=' || value, ' ') FROM json_each(readfile('$clean.dirt.json'), '\$.rows')")" \
   "${counts}_prisma_migrations=3" "the report states the same row counts"
is "$(sq "$clean" "SELECT sum(value) FROM json_each(readfile('$clean.dirt.json'), '\$.totals')")" 0 \
   "the clean report counts no dirt"

# NOT NULL columns of §1 hold no NULL in clean data.
nulls=$(printf '%s\n' "$contract" | while read -r t cols; do
    for c in $cols; do
        case $c in *\?*) continue ;; esac
        c=${c%%:*}
        n=$(sq "$clean" "SELECT count(*) FROM \"$t\" WHERE \"$c\" IS NULL")
        [ "$n" = 0 ] || printf '%s.%s=%s ' "$t" "$c" "$n"
    done
done)
is "$nulls" "" "clean: no NULL in a NOT NULL column of §1"

# The enumerated columns of §1 and their labels (data-model.md §2).
enums='Organization priority OrganizationPriority A,B,C,D
Organization segment OrganizationSegment FINE_DINING,FAST_FOOD,CASUAL_DINING,CATERING,INSTITUTIONAL,HEALTHCARE,EDUCATION,CORPORATE
Organization type OrganizationType PROSPECT,CUSTOMER,INACTIVE
Organization status OrganizationStatus ACTIVE,INACTIVE,LEAD
Interaction type InteractionType CALL,EMAIL,MEETING,VISIT,SAMPLE_DELIVERY,TASTING,FOLLOW_UP,OTHER
Interaction outcome InteractionOutcome POSITIVE,NEUTRAL,NEGATIVE,FOLLOW_UP_NEEDED
Opportunity stage OpportunityStage PROSPECTING,QUALIFICATION,PROPOSAL,NEGOTIATION,CLOSED_WON,CLOSED_LOST
Lead source LeadSource WEBSITE,REFERRAL,TRADE_SHOW,COLD_CALL,SOCIAL_MEDIA,OTHER
Lead status LeadStatus NEW,CONTACTED,QUALIFIED,CONVERTED,LOST
Contract status ContractStatus DRAFT,PENDING,ACTIVE,EXPIRED,TERMINATED'
in_list() { printf "'%s'" "$1" | sed "s/,/','/g"; }
bad=$(printf '%s\n' "$enums" | while read -r t c type labels; do
    sq "$clean" "SELECT '$t.$c=' || coalesce(\"$c\", 'NULL') FROM \"$t\" WHERE \"$c\" NOT IN ($(in_list "$labels")) OR (\"$c\" IS NULL AND '$t.$c' <> 'Interaction.outcome') LIMIT 3"
done)
is "$bad" "" "clean: enum columns hold only canonical labels"
is "$(sq "$clean" "SELECT count(DISTINCT segment) FROM Organization")" 8 "clean: every segment occurs"

H='[0-9A-Fa-f]'
H4=$H$H$H$H
UUID="$H4$H4-$H4-$H4-$H4-$H4$H4$H4"
B='[0-9a-z]'
CUID="c$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B$B"
odd_ids=$(for t in $crm; do sq "$clean" "SELECT '$t:' || id FROM \"$t\" WHERE NOT id GLOB '$UUID' LIMIT 2"; done)
is "$odd_ids" "" "clean: every CRM id is a UUID"
ok "$(sq "$clean" "SELECT sum(id GLOB '*[A-F]*') > 0 AND sum(id GLOB '*[a-f]*') > 0 FROM Organization" | grep -qx 1; echo $?)" \
   "CRM ids come in upper and lower case"
odd_ids=$(for t in User Account Session; do sq "$clean" "SELECT '$t:' || id FROM \"$t\" WHERE NOT id GLOB '$CUID' LIMIT 2"; done)
is "$odd_ids" "" "auth ids are cuids (c + 24 base36)"

fks='Account userId User
Session userId User
Contact organizationId Organization
Interaction organizationId Organization
Interaction contactId Contact
Interaction userId User
Opportunity organizationId Organization
Opportunity contactId Contact
Lead organizationId Organization
Lead assignedToId User
Contract organizationId Organization
Contract contactId Contact
Contract opportunityId Opportunity'
orphans=$(printf '%s\n' "$fks" | while read -r t c p; do
    n=$(sq "$clean" "SELECT count(*) FROM \"$t\" x LEFT JOIN \"$p\" y ON y.id = x.\"$c\" WHERE x.\"$c\" IS NOT NULL AND y.id IS NULL")
    [ "$n" = 0 ] || printf '%s.%s=%s ' "$t" "$c" "$n"
done)
is "$orphans" "" "clean: no orphan references"

# Values look like what Prisma wrote.
# DATETIME2 has NUMERIC affinity: compare with full timestamps, since SQLite
# would turn a literal such as '1900' into a number, and text > any number.
dt_cols() { sq "$1" "SELECT name FROM pragma_table_info('$2') WHERE type = 'DATETIME2'"; }
DTG='[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
baddt=$(for t in $tables; do for c in $(dt_cols "$clean" $t); do
    sq "$clean" "SELECT '$t.$c=' || \"$c\" FROM \"$t\" WHERE \"$c\" IS NOT NULL AND (NOT \"$c\" GLOB '$DTG' OR substr(\"$c\", 24, 4) <> '0000' OR \"$c\" < '2021-10-01 00:00:00' OR \"$c\" > '2030-01-01 00:00:00') LIMIT 2"
done; done)
is "$baddt" "" "clean: DATETIME2 text YYYY-MM-DD HH:MM:SS.fffffff, milliseconds, within the last 5 years (+ follow-ups)"
is "$(sq "$clean" "SELECT count(*) FROM (SELECT value AS v FROM Opportunity UNION ALL SELECT value FROM Contract) WHERE v IS NOT NULL AND (typeof(v) NOT IN ('real', 'integer') OR CAST(v AS TEXT) LIKE '%.___%')")" 0 \
   "clean: decimals are exact with at most 2 decimals"
ok "$(sq "$clean" "SELECT count(*) FROM Organization WHERE typeof(estimatedRevenue) = 'real'" | grep -qv '^0$'; echo $?)" \
   "revenues are floats"
is "$(sq "$clean" "SELECT count(*) FROM (SELECT isActive AS b FROM User UNION ALL SELECT isPrimary FROM Contact UNION ALL SELECT isActive FROM Opportunity) WHERE b NOT IN (0, 1)")" 0 \
   "BIT columns hold 0 and 1"
is "$(sq "$clean" "SELECT count(*) FROM Contract WHERE NOT contractNumber GLOB 'KP-20[0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]'")" 0 \
   "contract numbers look like KP-2024-000123"
EMAIL_OK="(%C GLOB '?*@?*.?*' AND NOT %C GLOB '*[ ]*' AND NOT %C GLOB '*@*@*')"
emailok() { printf '%s' "$EMAIL_OK" | sed "s/%C/\"$1\"/g"; }
is "$(for t in User Organization Contact Lead; do sq "$clean" "SELECT count(*) FROM \"$t\" WHERE email IS NOT NULL AND NOT $(emailok email)"; done | tr '\n' ' ')" \
   "0 0 0 0 " "clean: emails are well-formed"
is "$(sq "$clean" "SELECT count(*) FROM Contact WHERE email <> lower(email)")" 0 "clean: emails are lower-case"
ok "$(sq "$clean" "SELECT count(*) FROM Organization WHERE name GLOB '*Hospital*' OR name GLOB '*School*' OR name GLOB '*Catering*'" | grep -qv '^0$'; echo $?)" \
   "food-service names (hospitals, schools, caterers)"
ok "$(sq "$clean" "SELECT count(DISTINCT position) >= 10 FROM Contact" | grep -qx 1; echo $?)" "contacts have positions"
ok "$(sq "$clean" "SELECT max(length(notes)) > 1000 AND min(length(notes)) < 100 FROM Organization" | grep -qx 1; echo $?)" \
   "notes of varying length"

# --- determinism and refusal ------------------------------------------------
dumpsum() { sq "$1" .dump | md5sum | cut -d' ' -f1; }
run_ok "the same seed again" "$PANTRYCRM" demo generate --scale $S --seed 1 --out "$TEST_TMP/again.sqlite"
is "$(dumpsum "$TEST_TMP/again.sqlite")" "$(dumpsum "$clean")" "same seed and scale: the same .dump"
ok "$(cmp -s "$TEST_TMP/again.sqlite" "$clean"; echo $?)" "same seed and scale: byte-identical files"
run_ok "another seed" "$PANTRYCRM" demo generate --scale $S --seed 2 --out "$TEST_TMP/seed2.sqlite"
ok "$([ "$(dumpsum "$TEST_TMP/seed2.sqlite")" != "$(dumpsum "$clean")" ]; echo $?)" "another seed: another .dump"

before=$(md5sum <"$clean")
run_fails "an existing file is refused" 1 "$PANTRYCRM" demo generate --scale 10 --out "$clean"
like "$ERR" "exists.*--force" "the message says so and names --force"
is "$(md5sum <"$clean")" "$before" "the existing file is untouched"
run_ok "--force replaces it" "$PANTRYCRM" demo generate --scale 10 --out "$clean" --force
is "$(sq "$clean" 'SELECT count(*) FROM Organization')" 10 "the replaced file has the new data"
: >"$TEST_TMP/stale.sqlite.tmp"
run_fails "a leftover FILE.tmp is not overwritten" 1 "$PANTRYCRM" demo generate --scale 10 --out "$TEST_TMP/stale.sqlite"
like "$ERR" "stale.sqlite.tmp" "the message names FILE.tmp"
ok "$([ ! -e "$TEST_TMP/stale.sqlite" ]; echo $?)" "and nothing appears under the final name"
run_ok "--force removes a leftover FILE.tmp" "$PANTRYCRM" demo generate --scale 10 --out "$TEST_TMP/stale.sqlite" --force
run_fails "an unwritable directory fails cleanly" 1 "$PANTRYCRM" demo generate --scale 10 --out "$TEST_TMP/no/such/dir/x.sqlite"

# --- a messy database: every injected dirt is found by SQL, exactly --------
# A larger scale, so that every kind of dirt occurs at its small rate.
MS=500
run_ok "generate --messy" "$PANTRYCRM" demo generate --scale $MS --messy --out "$messy"
like "$OUT" "Contact\.email +email_case_dup +[0-9]+" "the counts are printed per table and column"
json=$messy.dirt.json
is "$(sq "$messy" "SELECT json_extract(readfile('$json'), '\$.messy')")" 1 "the report says messy"

# The report as "Table.column.kind=N" lines.
reported=$(sq "$messy" "SELECT t.key || '.' || c.key || '.' || k.key || '=' || k.value FROM json_each(readfile('$json'), '\$.dirt') t, json_each(t.value) c, json_each(c.value) k" | LC_ALL=C sort)
is "$(printf '%s\n' "$reported" | awk -F= '{split($1, a, "."); s[a[3]] += $2} END {for (k in s) print k "=" s[k]}' | LC_ALL=C sort)" \
   "$(sq "$messy" "SELECT key || '=' || value FROM json_each(readfile('$json'), '\$.totals') WHERE value > 0" | LC_ALL=C sort)" \
   "the totals are the sums of the per-column counts"

# scan KIND TABLE PREDICATE COL…: "TABLE.COL.KIND=N" for each column with
# N > 0 rows where PREDICATE holds (%C stands for the column).
scan() {
    local kind=$1 t=$2 pred=$3 sql="SELECT ''" c p
    shift 3
    [ $# -gt 0 ] || return 0
    for c in "$@"; do
        p=$(printf '%s' "$pred" | sed "s/%C/\"$c\"/g")
        sql="$sql || (SELECT CASE WHEN n > 0 THEN '$t.$c.$kind=' || n || char(10) ELSE '' END FROM (SELECT count(*) AS n FROM \"$t\" WHERE $p))"
    done
    sq "$messy" "$sql" | grep -v '^$'
}
cols_typed() { sq "$messy" "SELECT name FROM pragma_table_info('$1') WHERE type LIKE '$2'"; }
check() { # kind found: compare what SQL found with the report
    is "$(printf '%s\n' "$2" | grep -v '^$' | LC_ALL=C sort)" \
       "$(printf '%s\n' "$reported" | grep "\.$1=" | LC_ALL=C sort)" "messy: $1 counts match SQL"
    ok "$(printf '%s\n' "$2" | grep -q .; echo $?)" "messy: some $1 injected"
}

norm="upper(replace(replace(trim(%C), ' ', '_'), '-', '_'))"
synonyms() { printf "SELECT key FROM json_each(readfile('%s'), '\$.synonyms.%s')" "$json" "$1"; }
for kind in enum_variant enum_synonym enum_unmatched enum_empty enum_null; do
    found=$(printf '%s\n' "$enums" | while read -r t c type labels; do
        L=$(in_list "$labels")
        case $kind in
        enum_variant) pred="%C NOT IN ($L) AND $norm IN ($L)" ;;
        enum_synonym) pred="%C IN ($(synonyms "$type"))" ;;
        enum_unmatched) pred="%C <> '' AND $norm NOT IN ($L) AND %C NOT IN ($(synonyms "$type"))" ;;
        enum_empty) pred="%C = ''" ;;
        enum_null) [ "$t.$c" = Interaction.outcome ] && continue; pred="%C IS NULL" ;;
        esac
        scan $kind "$t" "$pred" "$c"
    done)
    check $kind "$found"
done
# The synonyms used are ones the engine's default table maps (normalised as
# data/synonyms.conf says: trim, upper-case, runs of ' ', '-', '_' to '_').
conf_norm() { awk '
    function norm(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); s = toupper(s); gsub(/[-_ ]+/, "_", s); return s }
    /^\[/ { sect = substr($0, 2, index($0, "]") - 2); next }
    /^[ \t]*(#|$)/ { next }
    { i = index($0, "="); v = substr($0, i + 1); sub(/#.*/, "", v); gsub(/[ \t]/, "", v)
      print sect "|" norm(substr($0, 1, i - 1)) "|" v }'; }
missing=$(sq "$messy" "SELECT t.key || '|' || s.key || '|' || s.value FROM json_each(readfile('$json'), '\$.synonyms') t, json_each(t.value) s" |
    awk -F'|' '{ s = toupper($2); gsub(/[-_ ]+/, "_", s); print $1 "|" s "|" $3 }' | LC_ALL=C sort |
    LC_ALL=C comm -23 - "$(conf_norm <"$abs_top_srcdir/data/synonyms.conf" | LC_ALL=C sort >"$TEST_TMP/conf"; echo "$TEST_TMP/conf")")
is "$missing" "" "every synonym injected is in data/synonyms.conf"

found=$(printf '%s\n' "$fks" | while read -r t c p; do
    scan orphan "$t" "%C IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"$p\" y WHERE y.id = %C)" "$c"
done)
check orphan "$found"
found=$(printf '%s\n' "$fks" | while read -r t c p; do
    case " $crm " in *" $p "*) ;; *) continue ;; esac
    scan non_uuid_ref "$t" "EXISTS (SELECT 1 FROM \"$p\" y WHERE y.id = %C AND NOT y.id GLOB '$UUID')" "$c"
done)
check non_uuid_ref "$found"
found=$(for t in $crm; do scan non_uuid_id "$t" "NOT %C GLOB '$UUID'" id; done)
check non_uuid_id "$found"
is "$(for t in $crm; do sq "$messy" "SELECT id FROM \"$t\" WHERE NOT id GLOB '$UUID' AND NOT id GLOB '[1-9][0-9]*' AND NOT id GLOB '$CUID'"; done)" "" \
   "messy: the odd ids are numeric strings or cuids"
# Blanks around (a space, U+00A0) or a mailto: prefix: what migrate repairs.
REPAIRABLE="(%C <> trim(%C, ' ' || char(160)) OR substr(%C, 1, 7) = 'mailto:' OR substr(%C, 1, 8) = ' mailto:')"
found=$(for t in User Organization Contact Lead; do scan bad_email "$t" "%C IS NOT NULL AND NOT $EMAIL_OK AND NOT $REPAIRABLE" email; done)
check bad_email "$found"
found=$(for t in User Organization Contact Lead; do scan email_repairable "$t" "%C IS NOT NULL AND $REPAIRABLE" email; done)
check email_repairable "$found"
found=$(scan email_case_dup Contact "%C <> lower(%C)" email)
check email_case_dup "$found"
is "$(sq "$messy" "SELECT count(*) FROM Contact c WHERE email <> lower(email) AND NOT EXISTS (SELECT 1 FROM Contact d WHERE d.email = lower(c.email))")" 0 \
   "messy: each case-variant email has its lower-case twin"
found=$(for t in $tables; do scan nul "$t" "instr(CAST(%C AS BLOB), x'00') > 0" $(cols_typed $t 'NVARCHAR%'); done)
check nul "$found"
sur=$(for b in A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF B0 B1 B2 B3 B4 B5 B6 B7 B8 B9 BA BB BC BD BE BF; do
    printf "instr(CAST(%%C AS BLOB), x'ED%s') > 0 OR " $b; done)
found=$(for t in $tables; do scan lone_surrogate "$t" "${sur}0" $(cols_typed $t 'NVARCHAR%'); done)
check lone_surrogate "$found"
found=$(for t in $tables; do scan terminal_escape "$t" "instr(%C, char(27)) > 0 OR instr(%C, char(8238)) > 0" $(cols_typed $t 'NVARCHAR%'); done)
check terminal_escape "$found"
found=$(for t in $tables; do scan huge_text "$t" "length(CAST(%C AS BLOB)) >= 1048576" $(cols_typed $t 'NVARCHAR(MAX)'); done)
check huge_text "$found"
found=$(for t in $tables; do scan far_date "$t" "%C < '1900-01-01 00:00:00' OR %C >= '9999-01-01 00:00:00'" $(cols_typed $t DATETIME2); done)
check far_date "$found"
found=$(for t in $tables; do scan datetime_rounding "$t" "%C >= '1900-01-01 00:00:00' AND %C < '9999-01-01 00:00:00' AND substr(%C, 27, 1) <> '0'" $(cols_typed $t DATETIME2); done)
check datetime_rounding "$found"
found=$(for t in $tables; do scan decimal_scale "$t" "CAST(%C AS TEXT) LIKE '%.___%'" $(cols_typed $t 'DECIMAL%'); done)
check decimal_scale "$found"
unmatched="SELECT value FROM json_each(readfile('$json'), '\$.unmatched_values')"
is "$(printf '%s\n' "$enums" | while read -r t c type labels; do
        L=$(in_list "$labels")
        scan enum_unmatched "$t" "%C <> '' AND $norm NOT IN ($L) AND %C NOT IN ($(synonyms "$type")) AND %C NOT IN ($unmatched)" "$c"
    done)" "" "messy: the unmatched values are the report's ('Steakhouse??', 'N/A', ...)"
is "$(sq "$messy" 'PRAGMA integrity_check')" ok "the messy file is sound"

run_ok "the same seed gives the same messy file" "$PANTRYCRM" demo generate --scale $MS --messy --out "$TEST_TMP/messy2.sqlite"
ok "$(cmp -s "$messy" "$TEST_TMP/messy2.sqlite" && cmp -s "$json" "$TEST_TMP/messy2.sqlite.dirt.json"; echo $?)" \
   "byte-identical database and report"
run_ok "--surrogates=escape" "$PANTRYCRM" demo generate --scale $MS --messy --surrogates=escape --out "$TEST_TMP/esc.sqlite"
esc=$TEST_TMP/esc.sqlite
is "$(messy=$esc; for t in $tables; do scan lone_surrogate "$t" "${sur}0" $(cols_typed $t 'NVARCHAR%'); done)" "" \
   "escape mode: no WTF-8 surrogate bytes"
is "$(messy=$esc; for t in $tables; do scan lone_surrogate "$t" "%C GLOB '*\\uD[89ABCDEF][0-9A-F][0-9A-F]*'" $(cols_typed $t 'NVARCHAR%'); done | LC_ALL=C sort)" \
   "$(sq "$esc" "SELECT t.key || '.' || c.key || '.' || k.key || '=' || k.value FROM json_each(readfile('$esc.dirt.json'), '\$.dirt') t, json_each(t.value) c, json_each(c.value) k WHERE k.key = 'lone_surrogate'" | LC_ALL=C sort)" \
   "escape mode: \\uD8xx..\\uDFxx text exactly where the report says"

# --- --format tsql: the same data as a T-SQL script for a real SQL Server ---
one_line_usage "--format with a bad name is a usage error" --scale 5 --format csv --out "$u"
one_line_usage "--change-tracking needs --format tsql" --scale 5 --change-tracking --out "$u"
one_line_usage "--surrogates is for the SQLite file" --scale 5 --format tsql --surrogates escape --out "$u"
if have_cmd python3 python3; then
    TS=60
    run_ok "--format tsql --messy" "$PANTRYCRM" demo generate --scale $TS --seed 7 --messy --format tsql \
        --change-tracking --out "$TEST_TMP/messy.sql"
    ok $([ ! -e "$TEST_TMP/messy.sql.sqlite-tmp" ] && [ ! -e "$TEST_TMP/messy.sql.tmp" ] && echo 0 || echo 1) \
        "no intermediate file is left"
    "$PANTRYCRM" demo generate --scale $TS --seed 7 --messy --out "$TEST_TMP/messy7.sqlite" >/dev/null
    ntab=$(sq "$TEST_TMP/messy7.sqlite" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'")
    nrows=0
    for t in $(sq "$TEST_TMP/messy7.sqlite" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'"); do
        nrows=$((nrows + $(sq "$TEST_TMP/messy7.sqlite" "SELECT count(*) FROM \"$t\"")))
    done
    is "$(python3 "$abs_top_srcdir/tests/tsql-check.py" "$TEST_TMP/messy.sql" "$TEST_TMP/messy7.sqlite")" \
        "ok $ntab $nrows" \
        "the script creates every table and holds every row of the SQLite file of the same seed, value for value (parsed independently: quotes doubled, NUL as CHAR(0), lone surrogates as NCHAR, <= 1000 rows per INSERT, one transaction and batch each)"
    ok $(grep -q "NCHAR(0xD[89AB][0-9A-F][0-9A-F])" "$TEST_TMP/messy.sql" && grep -q "CHAR(0)" "$TEST_TMP/messy.sql" && echo 0 || echo 1) \
        "the messy script has lone surrogates as NCHAR(0xD8xx) and NULs as CHAR(0)"
    like "$(cat "$TEST_TMP/messy.sql")" "ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON" "--change-tracking turns it on for the database"
    is "$(grep -c 'ENABLE CHANGE_TRACKING' "$TEST_TMP/messy.sql")" "$(sq "$TEST_TMP/messy7.sqlite" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND sql LIKE '%PRIMARY KEY%'")" \
        "and for every table with a primary key"
    like "$(cat "$TEST_TMP/messy.sql")" "ALLOW_SNAPSHOT_ISOLATION ON" "and allows snapshot isolation"
    like "$(grep -m1 '\[createdAt\]' "$TEST_TMP/messy.sql")" "DATETIME2\\(7\\)" "DATETIME2 is DATETIME2(7)"
    like "$(cat "$TEST_TMP/messy.sql")" "\\[notes\\] NVARCHAR\\(MAX\\)" "long text is NVARCHAR(MAX)"
    like "$(cat "$TEST_TMP/messy.sql")" "\\[value\\] DECIMAL\\(14,2\\)" "money is DECIMAL(14,2)"
    run_ok "the same seed gives the same script" "$PANTRYCRM" demo generate --scale $TS --seed 7 --messy \
        --format tsql --change-tracking --out "$TEST_TMP/messy2.sql"
    ok "$(cmp -s "$TEST_TMP/messy.sql" "$TEST_TMP/messy2.sql"; echo $?)" "byte-identical"
    run_fails "an existing script is not replaced without --force" 1 "$PANTRYCRM" demo generate --scale 5 \
        --format tsql --out "$TEST_TMP/messy.sql"

    # Loaded into the tds-standin through db-lib (it passes CREATE and INSERT
    # through to SQLite): the counts through TDS and the rows in its file
    # equal the generated SQLite file's.
    standin=${PANTRYCRM_SHARED:-$abs_top_srcdir/../shared}/tools/tds-standin/tds_standin.py
    tdsexec=$abs_top_builddir/tests/tds-exec
    if [ ! -f "$standin" ]; then
        skip "the tds-standin is not there (set PANTRYCRM_SHARED): the script is not loaded"
    elif [ ! -x "$tdsexec" ]; then
        skip "tests/tds-exec is not built (FreeTDS db-lib missing, or run 'make tests/tds-exec'): the script is not loaded"
    else
        "$PANTRYCRM" demo generate --scale 40 --seed 9 --format tsql --out "$TEST_TMP/clean.sql" >/dev/null
        "$PANTRYCRM" demo generate --scale 40 --seed 9 --out "$TEST_TMP/clean9.sqlite" >/dev/null
        python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).close()' "$TEST_TMP/standin.sqlite"
        python3 "$standin" --port 0 --db "$TEST_TMP/standin.sqlite" --user sa --password 'Gen#Test1' \
            --ready-file "$TEST_TMP/standin.port" 2>"$TEST_TMP/standin.log" &
        standin_pid=$!
        at_exit "kill $standin_pid 2>/dev/null"
        i=0
        while [ $i -lt 100 ] && [ ! -s "$TEST_TMP/standin.port" ]; do i=$((i + 1)); sleep 0.1; done
        port=$(cat "$TEST_TMP/standin.port" 2>/dev/null)
        export TDS_USER=sa TDS_PASSWORD='Gen#Test1'
        run_ok "the clean script loads into the stand-in through db-lib" "$tdsexec" "127.0.0.1:$port" \
            <"$TEST_TMP/clean.sql"
        bad=""
        for t in $(sq "$TEST_TMP/clean9.sqlite" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'"); do
            want=$(sq "$TEST_TMP/clean9.sqlite" "SELECT count(*) FROM \"$t\"")
            got=$("$tdsexec" "127.0.0.1:$port" -q "SELECT COUNT(*) FROM dbo.[$t]" 2>&1)
            [ "$got" = "$want" ] || bad="$bad $t:$got/$want"
        done
        is "$bad" "" "every table's row count through TDS equals the SQLite file's"
        is "$(sq "$TEST_TMP/standin.sqlite" 'SELECT * FROM "Organization" ORDER BY id' | cksum)" \
           "$(sq "$TEST_TMP/clean9.sqlite" 'SELECT * FROM "Organization" ORDER BY id' | cksum)" \
           "and the organizations arrived value for value"
        is "$(sq "$TEST_TMP/standin.sqlite" 'SELECT * FROM "Interaction" ORDER BY id' | cksum)" \
           "$(sq "$TEST_TMP/clean9.sqlite" 'SELECT * FROM "Interaction" ORDER BY id' | cksum)" \
           "and the interactions (multi-line notes) too"
        kill $standin_pid 2>/dev/null
    fi
else
    skip "python3 is not installed: the T-SQL script is not checked"
fi

done_testing
