#!/bin/sh
# edit.sh: src/crm/edit.c against a real PostgreSQL, through tests/edit-cli:
# create and load round-trip every field; saves are optimistic (a stale
# token gets EDIT_CONFLICT with the row as it is now, a deleted row
# EDIT_GONE); delete shows what cascades and detaches; a row locked by
# another session gives an error after the lock timeout instead of a hang;
# hostile text is stored verbatim; invalid values never reach SQL; database
# refusals become EDIT_INVALID with the field's label; logging an
# interaction moves the organization's "lastContactDate" forward.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
EC=$abs_top_builddir/tests/edit-cli
[ -x "$EC" ] || bail_out "tests/edit-cli is not built (make check builds it)"
pg_start
pg_createdb e
"$PANTRYCRM" -d dbname=e db migrate >/dev/null || bail_out "db migrate failed"

ec() { "$EC" "dbname=e" "$@"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d e -c "$1"; }
# kv KEY: the value of KEY= in $OUT.
kv() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }

# --- create and load ----------------------------------------------------------
run ec create name='  Bistro Nord ' priority=a segment='fine dining' type=prospect status=Active \
    address='1 Main St' city=Springfield state=IL zipCode=62701 phone='+1 555 0100' \
    email=info@bistro.example website=https://bistro.example/menu notes='Line one' \
    estimatedRevenue=1234.5 employeeCount=012 primaryContact='Ann Lee' \
    lastContactDate='2026-01-15 09:30' nextFollowUpDate=2026-02-01
is "$RC" 0 "create succeeds"
CREATED=$OUT
A=$(kv id) TA=$(kv token)
like "$A" '^[0-9a-f]{8}-[0-9a-f]{4}-' "create returns the new id"
like "$TA" '^2[0-9]{3}-[0-9]{2}-[0-9]{2} ' "create returns the updatedAt token"
is "$(printf '%s\n' "$CREATED" | grep -v -e '^id=' -e '^token=')" "name=Bistro Nord
priority=A
segment=FINE_DINING
type=PROSPECT
status=ACTIVE
address=1 Main St
city=Springfield
state=IL
zipCode=62701
phone=+1 555 0100
email=info@bistro.example
website=https://bistro.example/menu
notes=Line one
estimatedRevenue=1234.5
employeeCount=12
primaryContact=Ann Lee
lastContactDate=2026-01-15 09:30:00
nextFollowUpDate=2026-02-01 00:00:00
result=OK" "create stores the normalised values and returns them"
run ec load "$A"
is "$OUT" "$CREATED" "load gives back exactly what create stored, every field"
is "$(q "SELECT segment || ' ' || \"lastContactDate\" || ' ' || \"employeeCount\" || ' ' || (\"createdAt\" = \"updatedAt\")
         || ' ' || metadata::text FROM \"Organization\" WHERE id = '$A'")" \
   "FINE_DINING 2026-01-15 09:30:00+00 12 true {}" "the row in the database has the typed values"
run ec load 00000000-0000-0000-0000-000000000000
is "$RC:$(kv result)" "2:GONE" "loading a missing id gives GONE"
run ec load not-a-uuid
is "$RC:$(kv result)" "2:GONE" "loading a malformed id gives GONE, not an SQL error"

# --- update and optimistic locking -------------------------------------------
run ec save "$A" "$TA" city=Shelbyville employeeCount=
is "$RC" 0 "save with the current token succeeds"
TA2=$(kv token)
ok "$([ -n "$TA2" ] && [ "$TA2" != "$TA" ]; echo $?)" "save returns a new token"
is "$(q "SELECT city || '|' || coalesce(\"employeeCount\"::text, 'NULL') FROM \"Organization\" WHERE id = '$A'")" \
   "Shelbyville|NULL" "the update is stored, an emptied field becomes NULL"
run ec save "$A" "$TA" city=Oldtown
is "$RC:$(kv result)" "1:CONFLICT" "a second save with the old token conflicts"
is "$(kv current.city)|$(kv current.token)" "Shelbyville|$TA2" "the conflict shows the current values and token"
is "$(q "SELECT city FROM \"Organization\" WHERE id = '$A'")" Shelbyville "the conflicting save changed nothing"

run ec load "$A"
T3=$(kv token)
q "UPDATE \"Organization\" SET city = 'Capital City', \"updatedAt\" = now() WHERE id = '$A'"
run ec save "$A" "$T3" notes='mine'
is "$RC:$(kv result)" "1:CONFLICT" "someone else's change between load and save is a conflict"
is "$(kv current.city)" "Capital City" "the conflict carries the other session's value"
is "$(q "SELECT notes FROM \"Organization\" WHERE id = '$A'")" "Line one" "and our value was not written"

# Microseconds survive a save that does not touch the timestamp.
q "UPDATE \"Organization\" SET \"lastContactDate\" = '2026-01-15 09:30:00.25+00' WHERE id = '$A'"
run ec load "$A"
is "$(kv lastContactDate)" "2026-01-15 09:30:00.25" "a fraction of a second is shown"
run ec save "$A" "$(kv token)" notes='Line two'
is "$RC" 0 "saving the form unchanged but for the notes"
is "$(q "SELECT \"lastContactDate\" FROM \"Organization\" WHERE id = '$A'")" \
   "2026-01-15 09:30:00.25+00" "keeps the timestamp's fraction"

# --- hostile values ------------------------------------------------------------
H1="O'Brien's \"Bistro\" \\ back\\slash \\\\"
H2="'; DROP TABLE \"Organization\"; --"
H3='Robert"); DROP TABLE students;-- $1 $$ %s'
run ec load "$A"
run ec save "$A" "$(kv token)" name="$H1" notes="$H2" city="$H3"
is "$RC" 0 "hostile values are saved"
is "$(q "SELECT name FROM \"Organization\" WHERE id = '$A'")" "$H1" "quotes and backslashes stored verbatim"
is "$(q "SELECT notes FROM \"Organization\" WHERE id = '$A'")" "$H2" "an SQL injection attempt stored verbatim"
is "$(q "SELECT city FROM \"Organization\" WHERE id = '$A'")" "$H3" "placeholders and dollar quotes stored verbatim"
is "$(ec load "$A" name)" "$H1" "and loaded back verbatim"
is "$(q "SELECT count(*) FROM \"Organization\"")" 1 "the table is still there"

# --- validation before SQL; database refusals ----------------------------------
LOG=$TEST_TMP/server.log
run ec load "$A"
TA4=$(kv token)
before=$(wc -l <"$LOG")
run "$EC" "dbname=e options='-c log_statement=all'" save "$A" "$TA4" employeeCount=-1
is "$RC:$(kv result)" "3:INVALID" "a negative employee count is INVALID"
like "$(kv error)" "^Employees: '-1' is negative$" "the message names the field and quotes the value"
run "$EC" "dbname=e options='-c log_statement=all'" create name=X priority=A segment=CATERING \
    type=CUSTOMER status=ACTIVE estimatedRevenue=-5
is "$RC:$(kv result)" "3:INVALID" "a negative revenue is INVALID on create"
logged=$(tail -n +"$((before + 1))" "$LOG")
like "$logged" 'SELECT' "(the statement log is on)"
unlike "$logged" 'UPDATE|INSERT|BEGIN' "no write reached the database"
run ec create name='   ' priority=A segment=CATERING type=CUSTOMER status=ACTIVE
is "$RC:$(kv error)" "3:Name is required" "a blank name is refused"
run ec create name=X priority=Z segment=CATERING type=CUSTOMER status=ACTIVE
is "$RC:$(kv error)" "3:Priority: 'Z' is not one of A, B, C, D" "an unknown enum label is refused"
run ec save "$A" "$TA4" website='ht!tp://x'
is "$RC:$(kv error)" "3:Website: 'ht!tp://x' is not a web address" "a malformed URL is refused"

# A rule only the database knows comes back as EDIT_INVALID naming the field.
q "ALTER TABLE \"Organization\" ADD CONSTRAINT \"Organization_zipCode_short_check\"
     CHECK (length(\"zipCode\") <= 10)"
run ec save "$A" "$TA4" zipCode=12345678901
is "$RC:$(kv result)" "3:INVALID" "a check constraint violation is INVALID"
like "$(kv error)" "^ZIP code: refused by the database" "with the field's label"
q "ALTER TABLE \"Organization\" DROP CONSTRAINT \"Organization_zipCode_short_check\""
is "$(q "SELECT \"updatedAt\"::text FROM \"Organization\" WHERE id = '$A'")" "$TA4" \
   "refused saves changed nothing"

# --- a row locked elsewhere ------------------------------------------------------
psql -X -q -d e -c "BEGIN; SELECT 1 FROM \"Organization\" WHERE id = '$A' FOR UPDATE;
    SELECT pg_sleep(20); COMMIT" >/dev/null 2>&1 &
BG=$!
i=0
while [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")" != 1 ] &&
      [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(date +%s%N)
run ec save "$A" "$TA4" city=Lockville
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
is "$RC:$(kv result)" "4:ERROR" "saving a row locked by another session is an error"
like "$(kv error)" "another session" "the message says why"
ok "$([ "$ms" -ge 2500 ] && [ "$ms" -lt 6000 ]; echo $?)" "after the 3 s lock timeout, not a hang (${ms} ms)"
run ec delete "$A" "$TA4"
is "$RC:$(kv result)" "4:ERROR" "deleting a locked row is an error too"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'" >/dev/null
wait "$BG" 2>/dev/null
is "$(q "SELECT city || ' ' || (\"updatedAt\"::text = '$TA4') FROM \"Organization\" WHERE id = '$A'")" \
   "$H3 true" "the locked row is unchanged"
run ec save "$A" "$TA4" city=Unlocked
is "$RC" 0 "once the lock is gone the same save succeeds"
TA5=$(kv token)

# --- logging interactions ----------------------------------------------------------
q "UPDATE \"Organization\" SET \"lastContactDate\" = '2026-01-15 09:30+00' WHERE id = '$A'"
TA5=$(q "SELECT \"updatedAt\"::text FROM \"Organization\" WHERE id = '$A'")
run ec log "$A" type=call subject='Tasting follow-up' date='2026-03-01 14:00' duration=30 \
    outcome='positive' description="It's \"fine\"" nextAction='Send samples'
is "$RC:$(kv result)" "0:OK" "an interaction is logged"
I1=$(kv id)
is "$(q "SELECT type || '|' || subject || '|' || date || '|' || duration || '|' || outcome || '|'
         || description || '|' || \"nextAction\" || '|' || (\"organizationId\" = '$A') || '|'
         || (\"contactId\" IS NULL AND \"userId\" IS NULL) || '|' || metadata::text
         FROM \"Interaction\" WHERE id = '$I1'")" \
   "CALL|Tasting follow-up|2026-03-01 14:00:00+00|30|POSITIVE|It's \"fine\"|Send samples|true|true|{}" \
   "with every field, the organization and no contact or user"
is "$(q "SELECT \"lastContactDate\" FROM \"Organization\" WHERE id = '$A'")" "2026-03-01 14:00:00+00" \
   "the organization's last contact moves forward"
TA6=$(q "SELECT \"updatedAt\"::text FROM \"Organization\" WHERE id = '$A'")
ok "$([ "$TA6" != "$TA5" ]; echo $?)" "and its updatedAt changes"
run ec save "$A" "$TA5" notes=stale
is "$RC:$(kv result)" "1:CONFLICT" "so a form opened before the interaction conflicts"
run ec log "$A" type=VISIT subject='Old visit' date=2025-12-01
is "$RC" 0 "an older interaction is logged"
is "$(q "SELECT \"lastContactDate\" || ' ' || (\"updatedAt\"::text = '$TA6') FROM \"Organization\" WHERE id = '$A'")" \
   "2026-03-01 14:00:00+00 true" "it leaves lastContactDate and updatedAt alone"
run ec log "$A" type=CALL subject=' ' date=2026-03-02
is "$RC:$(kv error)" "3:Subject is required" "an interaction without a subject is refused"
run ec log "$A" type=CALL subject=x date=2026-02-30
is "$RC:$(kv result)" "3:INVALID" "an impossible date is refused"
run ec log 00000000-0000-0000-0000-000000000000 type=CALL subject=x date=2026-03-02
is "$RC:$(kv result)" "2:GONE" "logging for a missing organization gives GONE"
is "$(q "SELECT count(*) FROM \"Interaction\"")" 2 "refused interactions inserted nothing"

# --- cascade and delete ---------------------------------------------------------------
run ec create name='Cascade Co' priority=B segment=CATERING type=CUSTOMER status=ACTIVE
B=$(kv id) TB=$(kv token)
q "INSERT INTO \"Contact\" (\"firstName\", \"lastName\", \"organizationId\")
     VALUES ('A', 'One', '$B'), ('B', 'Two', '$B');
   INSERT INTO \"Interaction\" (type, subject, date, \"organizationId\")
     SELECT 'MEETING', 's' || g, now(), '$B' FROM generate_series(1, 3) g;
   INSERT INTO \"Opportunity\" (name, \"organizationId\", stage) VALUES ('Deal', '$B', 'PROPOSAL');
   INSERT INTO \"Contract\" (\"contractNumber\", \"organizationId\", status, \"startDate\", value)
     VALUES ('C-1', '$B', 'ACTIVE', now(), 100);
   INSERT INTO \"Lead\" (\"companyName\", source, status, \"organizationId\")
     VALUES ('L1', 'WEBSITE', 'NEW', '$B'), ('L2', 'REFERRAL', 'QUALIFIED', '$B'),
            ('L3', 'OTHER', 'NEW', '$A')"
run ec cascade "$B"
is "$OUT" "contacts=2
interactions=3
opportunities=1
contracts=1
leads=2
result=OK" "cascade counts what goes and what is detached"
run ec cascade "$A"
is "$(kv contacts):$(kv interactions):$(kv leads)" "0:2:1" "and counts per organization"
q "UPDATE \"Organization\" SET phone = '1', \"updatedAt\" = now() WHERE id = '$B'"
run ec delete "$B" "$TB"
is "$RC:$(kv result)" "1:CONFLICT" "deleting with a stale token conflicts"
is "$(q "SELECT count(*) FROM \"Contact\" WHERE \"organizationId\" = '$B'")" 2 "and deletes nothing"
run ec load "$B"
run ec delete "$B" "$(kv token)"
is "$RC:$(kv result)" "0:OK" "deleting with the current token succeeds"
is "$(q "SELECT (SELECT count(*) FROM \"Organization\" WHERE id = '$B') || ' '
         || (SELECT count(*) FROM \"Contact\") || ' ' || (SELECT count(*) FROM \"Interaction\") || ' '
         || (SELECT count(*) FROM \"Opportunity\") || ' ' || (SELECT count(*) FROM \"Contract\")")" \
   "0 0 2 0 0" "the organization and its contacts, interactions, opportunities, contracts are gone"
is "$(q "SELECT string_agg(\"companyName\" || ':' || coalesce(\"organizationId\"::text, 'NULL'), ' '
         ORDER BY \"companyName\") FROM \"Lead\"")" "L1:NULL L2:NULL L3:$A" \
   "its leads remain, detached; other leads keep their organization"
run ec delete "$B" "$TB"
is "$RC:$(kv result)" "2:GONE" "deleting a missing organization gives GONE"
run ec cascade "$B"
is "$RC:$(kv result)" "2:GONE" "cascade of a missing organization gives GONE"
run ec save "$B" "$TB" name=Back priority=A segment=CATERING type=CUSTOMER status=ACTIVE
is "$RC:$(kv result)" "2:GONE" "saving a deleted organization gives GONE"
is "$(q "SELECT count(*) FROM \"Organization\"")" 1 "and does not resurrect it"

done_testing
