#!/bin/sh
# The console in a real terminal (tmux): browse, page, sort, panes, help,
# hostile strings, resize storms, read-only, quit. Polls the screen; never
# sleeps blindly.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd tmux tmux
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
"$PANTRYCRM" demo generate --scale 400 --seed 4 --out "$TEST_TMP/l.db" >/dev/null || bail_out "generate failed"
pg_createdb c
"$PANTRYCRM" -d dbname=c db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d dbname=c migrate --source "$TEST_TMP/l.db" --progress none >/dev/null || bail_out "migrate failed"
# A hostile name: an OSC title change, a colour escape and a bidi override.
psql -X -q -d c <<'SQL'
INSERT INTO "Organization" (name, priority, segment)
VALUES (E'AAA \033]2;PWNED\007 \033[31mred\033[0m \u202Eevil', 'A', 'CATERING');
SQL
# An organization imported from an older system: its id is the UUID v5 of
# its legacy id (computed here independently, with Python's uuid module).
legacy_uuid=$(python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("b527244c-85c7-4c6c-a475-88a12434d2e4"), "Organization:10045"))')
psql -X -q -d c -c "INSERT INTO \"Organization\" (id, name, priority, segment, metadata)
    VALUES ('$legacy_uuid', 'Legacy Imported Diner', 'B', 'CASUAL_DINING', '{\"legacy\": {\"id\": \"10045\"}}')"

. "$abs_top_srcdir/tests/tui.sh"
tui_init test
# A migration started from the pane outlives the console by design; the
# test's own must not outlive the test.
at_exit "pkill -f 'migrate --source .*$TEST_TMP/' 2>/dev/null"
S=c0
n=0
start() { # extra args… (PGUSER from the caller's AS, default postgres)
    # A new session for each run: restarting the tmux server on the same
    # socket races with its shutdown.
    old=$S
    n=$((n + 1)); S=c$n
    $T new-session -d -s $S -x 100 -y 30 \
        "env TERM=screen LC_ALL=${CONSOLE_LOCALE:-C.UTF-8} ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=${AS:-postgres} '$PANTRYCRM' -d dbname=c $*; echo EXITED=\$?; sleep 30"
    tmux_retire "$old" $T
}

start
wait_for "Organizations +sorted by name"; ok $? "the console opens on the organizations pane"
wait_for "4 Dashboard +5 Health"; ok $? "the status bar names every pane"
first=$(psql_val 'SELECT name FROM "Organization" ORDER BY name, id LIMIT 1' c | cut -c1-20)
wait_for "AAA"; ok $? "the first page shows the alphabetically first organizations"
screen_like "database \"c\"" "the header names the database"
screen_like "␛\]2;PWNED␇" "escape sequences are shown as visible placeholders"
unlike "$($T display -p -t $S '#{pane_title}')" "PWNED" "and cannot retitle the terminal"

# PgDn pages from the first press: the first rows scroll away (it only
# moved the highlight to the bottom row before); PgUp brings them back.
keys NPage
wait_for_gone "AAA"; ok $? "the first PgDn scrolls a page"
keys PPage
wait_for "AAA"; ok $? "and PgUp scrolls back"

# Page past the first fetched page (200 rows): a new page comes by keyset.
row250=$(psql_val 'SELECT name FROM "Organization" ORDER BY name, id OFFSET 249 LIMIT 1' c | cut -c1-24)
found=1
for i in $(seq 1 30); do
    # one page at a time: each press waits for the one before to show
    at=$(screen | sed -n 2p | grep -oE "row [0-9]+ of" | head -n 1)
    keys NPage
    wait_for_gone "$at" || break
    if screen | grep -q -- "$row250"; then found=0; break; fi
done
ok $found "paging down reaches row 250 (the second page, fetched by keyset)"
screen_like "row [0-9]+ of ~[0-9]+" "and the header counts rows across pages" sed -n 2p
keys Home
wait_for "AAA"; ok $? "Home returns to the first row"
keys End
last=$(psql_val 'SELECT name FROM "Organization" ORDER BY name DESC, id DESC LIMIT 1' c | cut -c1-24)
wait_for "$last"; ok $? "End shows the last organization"

keys Home
wait_for "AAA"
keys s
wait_for "sorted by priority"; ok $? "s sorts by the next column"
keys S
wait_for "sorted by priority \(descending\)"; ok $? "S reverses the order"
keys s s s
wait_for "sorted by city \(descending\)"; ok $? "s cycles through the sorts, keys pressed while busy included"
top=$(psql_val "SELECT name FROM \"Organization\" ORDER BY city DESC NULLS LAST, state DESC NULLS LAST, \"zipCode\" DESC NULLS LAST, id DESC LIMIT 1" c | cut -c1-20)
keys Home
wait_for "$top"; ok $? "and the rows follow the sort shown in the header"

# Search: full text, then n to the next match.
target=$(psql_val "SELECT name FROM \"Organization\" WHERE name LIKE '%Hospital%' ORDER BY name LIMIT 1" c)
word=$(printf '%s' "$target" | awk '{print $1}')
keys / ; keys -l "$word"; keys Enter
wait_for "match 1 of [0-9]+ for '$word'"; ok $? "/ searches and reports the matches"
keys n
wait_for "match 2 of"; ok $? "n moves to the next match"

# Commands with completion: filter, goto, sort.
keys : ; keys -l "filter segment=CAT"; keys Tab Enter
wait_for "filter: .*CATERING *$"; ok $? ":filter with Tab completion filters the list and says so"
screen_unlike "FAST_FOOD|HEALTHCARE" "only CATERING rows are shown" sed -n '4,20p'
keys : ; keys -l "filter segment=CATERING,FAST_F"; keys Tab
wait_for "^:filter segment=CATERING,FAST_FOOD"; ok $? "Tab completes a value after a comma, the values before it kept"
keys Enter
wait_for "filter: segment=FAST_FOOD,CATERING *$"; ok $? "and the list takes both (in the labels' order)"
keys : ; keys -l "filter clear"; keys Enter
keys : ; keys -l "sort -updatedAt"; keys Enter
wait_for "sorted by updatedAt \(descending\)"; ok $? ":sort -updatedAt"
legacy=$(psql_val "SELECT metadata->'legacy'->>'id' FROM \"Organization\" WHERE metadata->'legacy' ? 'id' LIMIT 1" c)
if [ -n "$legacy" ]; then
    lname=$(psql_val "SELECT name FROM \"Organization\" WHERE metadata->'legacy'->>'id' = '$legacy'" c | cut -c1-20)
    keys : ; keys -l "goto $legacy"; keys Enter
    wait_for " at $lname"; ok $? ":goto finds an organization by its legacy id"
else
    skip "the generated data has no legacy ids"
fi

# Details of the selected organization, and back.
keys Enter
wait_for "Contacts [0-9]+, interactions [0-9]+"; ok $? "Enter opens the details with the analytics"
keys BSpace
wait_for "sorted by updatedAt"; ok $? "Backspace returns to the list"

keys 2
wait_for "Contacts +sorted by lastName"; ok $? "2 switches to the contacts pane"
clast=$(psql_val 'SELECT "lastName" FROM "Contact" ORDER BY "lastName", "firstName", id LIMIT 1' c)
wait_for "$clast"; ok $? "contacts are listed"
corg=$(psql_val 'SELECT o.name FROM "Contact" c JOIN "Organization" o ON o.id = c."organizationId" ORDER BY c."lastName", c."firstName", c.id LIMIT 1' c | cut -c1-20)
keys Enter
wait_for "Organizations +sorted by"; ok $? "Enter on a contact jumps to its organization"
wait_for "$corg"; ok $? "the contact's organization is shown"
keys 2

keys 3
wait_for "Run 1 +done"; ok $? "3 shows the migration pane with the last run"
screen_like "Interaction .*100%" "with a full bar per table"

keys '?'
wait_for "Keys \(every action"; ok $? "? opens the help"
for help in "Organizations pane" "Next page" "Reverse the sort order"; do
    screen_like "$help" "the help lists: $help"
done
keys NPage
wait_for "Cancel the running query"; ok $? "the help scrolls to its last keys"
keys x
wait_for "Migration"; ok $? "any key closes the help"

# The dashboard and health panes: numbers from the summary, 'r' recomputes.
"$PANTRYCRM" -d dbname=c stats --refresh --as-of '2026-11-01 12:00+00' >/dev/null
orgs=$(psql_val 'SELECT count(*) FROM "Organization"' c)
keys 4
wait_for "pantrycrm +Dashboard"; ok $? "4 switches to the dashboard pane"
wait_for "Organizations $orgs +active"; ok $? "it shows the organizations counted by the summary"
screen_like "as of 2026-11-01 12:00 UTC, computed .* ago" "it says how fresh the numbers are"
screen_like "PROSPECTING .*[0-9]" "the pipeline by stage is drawn"
screen_like "Interactions per week, 26 weeks" "and the weeks' column chart"
psql -X -q -d c -c "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Dashboard Deli', 'A', 'CATERING')"
keys r
wait_for "Organizations $((orgs + 1)) +active"; ok $? "r recomputes the summary in the background and shows the new count"
# The schedule: a shown summary older than ten minutes is recomputed by a
# detached process, without holding the console's connection.
psql -X -q -d c -c "UPDATE dashboard.refresh SET refreshed_at = now() - interval '2 hours'"
psql -X -q -d c -c "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Schedule Deli', 'B', 'CATERING')"
wait_for "recomputing it in the background" 20; ok $? "a summary two hours old is recomputed by itself"
wait_for "Organizations $((orgs + 2)) +active" 30; ok $? "and the pane then shows the new numbers"
$T resize-window -t $S -x 80 -y 24
wait_for "Interactions per week"; ok $? "at 80x24 the dashboard still shows the weeks"
$T resize-window -t $S -x 100 -y 30
keys 5
wait_for "pantrycrm +Health"; ok $? "5 switches to the health pane"
wait_for "Target: ok, SELECT 1 in"; ok $? "it checks the target's connection"
screen_like "Source: ok in .*l.db" "and the last run's legacy source"
keys G
wait_for "random_page_cost = 4, recommended 1.1"; ok $? "G scrolls to the settings advice"
screen_like "assumes spinning disks" "which explains each difference" tr -s ' \n│|' '    '
keys 1

# Resize storm, including a terminal too small to use.
$T resize-window -t $S -x 20 -y 5
wait_for "is too"; ok $? "a 20x5 terminal gets the too-small screen"
screen_like "needs 40x10" "saying the size it needs"
$T resize-window -t $S -x 30 -y 8
wait_for "30x8"
screen_like "needs 40x10" "at 30x8 it says the size it needs on one line (broken between words)"
for i in 1 2 3 4 5 6 7 8; do
    $T resize-window -t $S -x $((30 + i * 9)) -y $((8 + i * 3))
done
$T resize-window -t $S -x 100 -y 30
keys 1
wait_for "Organizations +sorted by"; ok $? "after a resize storm the console is whole again"

# Editing: a field, a refused value, a conflict, create, delete, log.
keys : ; keys -l "filter clear"; keys Enter
keys : ; keys -l "goto 10045"; keys Enter
wait_for " at Legacy Imported Diner"
keys e
wait_for "Edit organization"; ok $? "e opens the edit form"
for i in 1 2 3 4 5 6; do keys j; done      # name priority segment type status address -> city
keys Enter C-u; keys -l "Springfield"; keys Enter
keys w
wait_for " saved"; ok $? "w saves the form"
wait_for_gone "loading"   # the list follows the saved row (same frame as " saved")
is "$(psql_val "SELECT city FROM \"Organization\" WHERE name = 'Legacy Imported Diner'" c)" Springfield \
   "the new city is in the database"
keys e
wait_for "Edit organization"
for i in $(seq 1 10); do keys j; done      # … city state zipCode phone -> email
keys Enter C-u; keys -l "bob@"; keys Enter
wait_for "is not"; ok $? "a malformed email is refused with a reason"
for i in 1 2 3 4; do keys k; done          # back from email to city
keys Enter C-u; keys -l "Conflicted City"; keys Enter
keys j j                                   # state zipCode -> phone
keys Enter C-u; keys -l "555-0101"; keys Enter
# Meanwhile someone else renames it, changes its email and its city.
psql -X -q -d c -c "UPDATE \"Organization\" SET name = 'Renamed Elsewhere', email = 'them@example.org', city = 'Their City', \"updatedAt\" = now() WHERE name = 'Legacy Imported Diner'"
keys w
wait_for "City was changed by both of you \(1 field left\): o keeps yours, t takes theirs \(Their City\)"
ok $? "a save over someone else's change merges, and asks only about the field both changed"
screen_like "Renamed Elsewhere" "their other changes are already in the form"
keys o
wait_for "saved, merged with the change someone saved meanwhile"; ok $? "o keeps mine for that field and saves"
is "$(psql_val "SELECT concat_ws('|', name, email, city, phone) FROM \"Organization\" WHERE name = 'Renamed Elsewhere'" c)" \
   "Renamed Elsewhere|them@example.org|Conflicted City|555-0101" \
   "the row keeps their name and email, my city and phone"
# Fields only one side changed need no question at all (issue 13's case:
# they changed the email, I changed the phone).
wait_for_gone "loading"
keys e
wait_for "Edit organization"
for i in $(seq 1 9); do keys j; done       # -> phone
keys Enter C-u; keys -l "555-0202"; keys Enter
psql -X -q -d c -c "UPDATE \"Organization\" SET email = 'second@example.org', \"updatedAt\" = now() WHERE name = 'Renamed Elsewhere'"
keys w
wait_for "saved, merged with the change someone saved meanwhile"; ok $? "a change of other fields is merged without a question"
is "$(psql_val "SELECT concat_ws('|', email, phone) FROM \"Organization\" WHERE name = 'Renamed Elsewhere'" c)" \
   "second@example.org|555-0202" "their email survives beside my phone"
keys Escape
keys : ; keys -l "filter clear"; keys Enter
keys +
wait_for "New organization"; ok $? "+ opens an empty form"
keys Enter; keys -l "Brand New Bistro"; keys Enter
keys Enter; keys -l "a"; keys Enter
keys Enter; keys -l "fine dining"; keys Enter
keys w
wait_for "organization created"; ok $? "w creates it"
is "$(psql_val "SELECT priority || ' ' || segment FROM \"Organization\" WHERE name = 'Brand New Bistro'" c)" \
   "A FINE_DINING" "enum values typed loosely are stored canonically"
keys : ; keys -l "search Brand New Bistro"; keys Enter
wait_for "match 1 of .*Brand New Bistro"
wait_for_gone "loading"   # set in the same frame as the match line
keys D
wait_for "delete Brand New Bistro\? y/n  \(with it 0 contacts, 0 interactions, 0 opportunities, 0 contracts\)"
ok $? "D asks, and says what the delete takes with it"
keys y
wait_for " deleted"; ok $? "y deletes"
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE name = 'Brand New Bistro'" c)" 0 "it is gone"
keys : ; keys -l "goto 10045"; keys Enter
wait_for " at Renamed Elsewhere"
keys i
wait_for "Log an interaction with Renamed Elsewhere"; ok $? "i opens the interaction form"
keys Enter; keys -l "tasting"; keys Enter
keys Enter; keys -l "Tasting of the new menu"; keys Enter
keys w
wait_for "interaction logged"; ok $? "w logs it"
is "$(psql_val "SELECT count(*) FROM \"Interaction\" i JOIN \"Organization\" o ON o.id = i.\"organizationId\" WHERE o.name = 'Renamed Elsewhere' AND i.type = 'TASTING'" c)" 1 \
   "the interaction is stored"

keys 1
keys : ; keys -l "filter priority=A"; keys Enter
wait_for "filter: .*priority"
psql -X -q -d c -c "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Smith, \"Bob\" & Co', 'A', 'CATERING')"
keys : ; keys -l "export csv $TEST_TMP/orgs.csv"; keys Enter
wait_for "exported [0-9]+ rows to"; ok $? ":export csv writes the list"
is "$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$TEST_TMP/orgs.csv")" \
   "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority = 'A'" c)" \
   "the export holds every row of the filtered list, read back as CSV"
is "$(python3 -c 'import csv,sys; print(sum(1 for r in csv.reader(open(sys.argv[1], newline="")) if "Smith, \"Bob\" & Co" in r))' "$TEST_TMP/orgs.csv")" 1 \
   "a name with a comma and quotes survives the round trip"
keys q
wait_for "EXITED=0"; ok $? "q quits with status 0"

# The session comes back: pane, sort, filter.
start
wait_for "sorted by updatedAt \(descending\).*filter: .*priority"; ok $? "reopening restores sort and filter"
keys : ; keys -l "filter clear"; keys Enter
keys q
wait_for "EXITED=0"

# Without a UTF-8 locale (as after su -) the console draws in ASCII and
# says why, once, on the status line.
CONSOLE_LOCALE=C start
wait_for "not UTF-8: drawing in ASCII"; ok $? "a non-UTF-8 locale is named on the status line"
keys j
wait_for "1 Orgs +2 Contacts"; ok $? "until a key is pressed"
keys q
wait_for "EXITED=0"

start --read-only
wait_for "READ-ONLY"; ok $? "--read-only shows in the header"
keys 1 e
wait_for "read-only \(--read-only\): editing is refused"; ok $? "and editing is refused, saying why"
keys q
wait_for "EXITED=0"; ok $? "and quits cleanly"

# The user's config file: read-only by default, a rebound key, and a
# mistake that stops the console with its file and line.
mkdir -p "$TEST_TMP/cfg/pantrycrm"
printf 'read-only = true\nkey.PAGE_DOWN = x Space\n' >"$TEST_TMP/cfg/pantrycrm/config"
n=$((n + 1)); old=$S; S=c$n
$T new-session -d -s $S -x 100 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 XDG_CONFIG_HOME='$TEST_TMP/cfg' XDG_STATE_HOME='$TEST_TMP/st3' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=c; echo EXITED=\$?; sleep 30"
wait_for "READ-ONLY"; ok $? "read-only = true in the config opens the console read-only"
keys '?'
wait_for "x Space +Next page"; ok $? "a key rebound in the config shows in the help"
keys q q
wait_for "EXITED=0"
# Wide: the message carries the file's path, which must not wrap.
printf 'read-only = true\nreadonly = false\n' >"$TEST_TMP/cfg/pantrycrm/config"
n=$((n + 1)); old=$S; S=c$n
$T new-session -d -s $S -x 220 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 XDG_CONFIG_HOME='$TEST_TMP/cfg' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=c; echo EXITED=\$?; sleep 30"
wait_for "config:2: unknown setting 'readonly'"; ok $? "a mistake in the config is reported with file and line"
wait_for "EXITED=2"; ok $? "and the console does not start"

# A role that cannot write is treated as read-only.
psql -X -q -d c -c "CREATE ROLE viewer LOGIN" -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO viewer"
AS=viewer start
wait_for "READ-ONLY"; ok $? "a role without write privileges opens read-only"
keys q
wait_for "EXITED=0"; ok $? "and quits cleanly"

# Steering a migration from the pane: start, pause, resume, abort, resume.
pg_createdb d
"$PANTRYCRM" -d dbname=d db migrate >/dev/null || bail_out "db migrate failed"
mkdir -p "$TEST_TMP/data/pantrycrm/demo"
"$PANTRYCRM" demo generate --scale 6000 --seed 9 --out "$TEST_TMP/data/pantrycrm/demo/legacy.db" >/dev/null
# Every migration the console starts holds after each committed batch
# while the file $hold exists (PANTRYCRM_FAULT=batch:HOLD), so the test
# decides when it may go on and it cannot end before the keys below reach
# it, however fast the machine.
hold=$TEST_TMP/hold
steer() { # runs a console on database d with its own state and data homes
    n=$((n + 1)); old=$S; S=c$n
    $T new-session -d -s $S -x 110 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 PANTRYCRM_FAULT='batch:HOLD=$hold' XDG_STATE_HOME='$TEST_TMP/state2' XDG_DATA_HOME='$TEST_TMP/data' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=d; echo EXITED=\$?; sleep 30"
    tmux_retire "$old" $T
}
at_exit "rm -f '$hold'"
committed() { psql_val "SELECT coalesce(sum(rows_read), 0) FROM migration.checkpoint" d; }
steer
keys 3
wait_for "Press m to migrate"; ok $? "an empty migration pane says how to start"
keys A
wait_for "Pre-flight \([0-9-]+ [0-9:]+, A again\): [0-9]+ rows, [0-9]+ predicted to quarantine" 60
ok $? "A assesses the demo source in the background and shows the prediction"
screen_like "predicted to quarantine, (under a second|about [1-9][0-9]* (s|min)) to migrate" \
     "with a run time a person would say (never 'about 0 s')"
status_unlike "assessing .* in the background" "and the 'assessing' note is gone with the result"
wait_for "quarantine: |text: NUL in [0-9]+ values"; ok $? "with its findings"
ok "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); sys.exit(0 if a["rows"] > 0 else 1)' \
      "$TEST_TMP/state2/pantrycrm/state.db.assess.json" >/dev/null 2>&1; echo $?)" \
   "the assessment is kept beside the state file"
touch "$hold"
keys m
wait_for "start a migration of the demo's legacy source .*legacy.db\? y/n"
ok $? "m names the source it would migrate and asks"
keys y
wait_for "Run 1 +running" 60; ok $? "y starts a migration of the demo legacy source"
keys p
wait_for "Run 1 +paused \(p resumes\)" 30; ok $? "p pauses it"
screen_unlike "ETA" "and promises no ETA while paused"
# Let go of the hold: the paused run may finish the batch it holds, and
# then commits nothing more until it is resumed.
rm -f "$hold"
r1=$(committed) i=0
while [ $i -lt 40 ]; do   # until two reads half a second apart agree
    sleep 0.5; r2=$(committed); [ "$r2" = "$r1" ] && break; r1=$r2 i=$((i + 1))
done
sleep 1.5          # a pause is a span of time: nothing may be committed in it
is "$(committed)" "$r1" "while paused, no batch is committed"
screen_like "Run 1 +paused \(p resumes\)" "the run shows as paused, not running"
touch "$hold"      # resumed, it holds again after its next batch
keys p
wait_for "copying" 30; ok $? "p again resumes it"
keys q
wait_for "quit\? y/n" 30; ok $? "q while a migration runs asks first"
keys n
keys a
wait_for "stop run 1 \(from .*legacy.db\) at the next batch boundary\? y/n" 30
ok $? "a names the run and its source and asks before stopping"
keys y
rm -f "$hold"
wait_for "Run 1 +interrupted" 60; ok $? "y stops it at a batch boundary"
is "$(psql_val "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1" d)" interrupted \
   "the target records the run as interrupted"
keys a
wait_for "no migration is running \(the last, run 1 from .*legacy.db, is interrupted\)"
ok $? "a with nothing running says so, naming the last run, and asks nothing"
screen_unlike "y/n" "(no question is pending)"
keys m
wait_for "resume run 1 \(interrupted\) from .*legacy.db\? y/n"; ok $? "m names the run it resumes"
keys y
wait_for "Run 2 +(running|done)" 60; ok $? "m resumes it"
wait_for "Run 2 +done" 180; ok $? "m resumes it from its checkpoints, to the end"
run_ok "the steered migration verifies" "$PANTRYCRM" -d dbname=d verify
keys q
wait_for "EXITED=0"; ok $? "q quits without asking once nothing runs"
steer
keys 3
wait_for "Run 2 +done"; ok $? "another console sees the same run through the state file"
is "$(psql_val "SELECT count(*) FROM dashboard.refresh" d)" 0 "database d's dashboard summary was never computed"
keys 4
wait_for "Organizations [0-9,]+ +active" 60; ok $? "a dashboard summary never computed is computed by itself"
keys q
wait_for "EXITED=0"; ok $? "and the console quits"

# SIGTERM (a dropped SSH session sends SIGHUP) restores the terminal.
start
wait_for "Organizations +sorted by"
# Only this test's console: the child of its pane's shell (a pattern on the
# command line would also match the tmux servers of other runs).
pkill -TERM -P "$($T display -p -t $S '#{pane_pid}')" -f pantrycrm 2>/dev/null
wait_for "EXITED=143"; ok $? "SIGTERM ends the console with 143 and a restored terminal"

done_testing
