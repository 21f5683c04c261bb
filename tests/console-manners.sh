#!/bin/sh
# The manners of the console (issue 13): a sort marker in the header,
# money with two decimals aligned right, overdue follow-ups marked,
# booleans as words, details with labels and one timestamp precision,
# sort names from the headers, errors that list the valid values, the ':'
# commands in the help, and more hints on the status line.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd tmux tmux
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
pg_createdb m
"$PANTRYCRM" -d dbname=m db migrate >/dev/null || bail_out "db migrate failed"
psql -X -q -v ON_ERROR_STOP=1 -d m <<'SQL' || bail_out "cannot fill the database"
INSERT INTO "Organization" (name, priority, segment, "estimatedRevenue", "nextFollowUpDate", "zipCode")
VALUES ('Alpha Diner', 'A', 'CATERING', 1234.5, '2001-01-01', '12345'),
       ('Beta Bistro', 'B', 'CATERING', 98765.432, '2099-01-01', NULL),
       ('Gamma Grill', 'C', 'CATERING', NULL, NULL, NULL);
INSERT INTO "Contact" ("firstName", "lastName", "isPrimary", "organizationId")
SELECT 'Ann', 'Aardvark', true, id FROM "Organization" WHERE name = 'Alpha Diner'
UNION ALL SELECT 'Bob', 'Badger', false, id FROM "Organization" WHERE name = 'Alpha Diner';
UPDATE "Organization" SET metadata = '{"legacy": {"id": "10045", "table": "Customers"}}',
    notes = E'Line one\nLine two' WHERE name = 'Alpha Diner';
SQL

. "$abs_top_srcdir/tests/tui.sh"
tui_init man
S=m
mkdir -p "$TEST_TMP/userhome/exports"
$T new-session -d -s $S -x 140 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 HOME='$TEST_TMP/userhome' XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=m; echo EXITED=\$?; sleep 30"
wait_for "Alpha Diner"
wait_for "row 1 of 3"; ok $? "the header says which row of how many"
keys j
wait_for "row 2 of 3"; ok $? "and follows the cursor"
keys k
screen_like "^Name▲ " "the sorted column's header is marked ascending" sed -n 3p
keys S
wait_for "^Name▼ "; ok $? "and descending after S"
keys S
wait_for "^Name▲ "
# (both rows whole before they are read: the screen may still be on its way)
wait_for "^Alpha Diner .* 1234\\.50 " && wait_for "^Beta Bistro .* 98765\\.43"
line=$(screen | grep '^Alpha Diner')
like "$line" " 1234\\.50 " "revenue has two decimals"
beta=$(screen | grep '^Beta Bistro')
is "$(printf '%s' "$line" | awk '{print index($0, "1234.50") + length("1234.50")}')" \
   "$(printf '%s' "$beta" | awk '{print index($0, "98765.43") + length("98765.43")}')" \
   "and revenues are aligned on the right (rounded to cents)"
like "$line" "2001-01-01!" "an overdue follow-up is marked"
# The cursor bar runs unbroken over empty cells: no dim '·' inside it.
keys End
wait_for "row 3 of 3"
esc=$(printf '\033')
sel=$($T capture-pane -e -p -t $S | grep 'Gamma Grill')
like "$sel" "·" "(the selected row has empty cells)"
unlike "$sel" "${esc}\\[([0-9;]*;)?2(;[0-9;]*)?m" "the selected row's empty cells keep the bar's colours"
keys Home
wait_for "row 1 of 3"
unlike "$beta" "2099-01-01!" "a future one is not"
screen_like "/ Search .*: Command.*\\? Help" "the status line hints at search and commands" tail -1

keys : ; keys -l "sort revenue"; keys Enter
wait_for "sorted by estimatedRevenue \\(ascending\\)"; ok $? ":sort takes a column's header (revenue)"
screen_like "Revenue▲" "and the marker moves to that column" sed -n 3p
keys : ; keys -l "sort PRIORITY"; keys Enter
wait_for "sorted by priority \\(ascending\\)"; ok $? ":sort takes a name in any case"
screen_like "^Name +P▲ " "the one-letter P column shows its marker" sed -n 3p
keys : ; keys -l "sort colour"; keys Enter
wait_for "unknown sort 'colour'; sorts: name, priority"; ok $? "an unknown sort lists the valid ones"
screen_like "sorts: .*follow-up, revenue \\(- before one: descending\\)" "by their short names, whole on the line" tail -1
keys : ; keys -l "filter priority=Z"; keys Enter
wait_for "not a label .*\\(one of: A, B, C, D\\)"; ok $? "a filter value that does not exist lists the ones that do"

keys : ; keys -l "sort name"; keys Enter
wait_for "^Name▲ "
wait_for_gone "loading"
keys Home
wait_for_gone "loading"
keys Enter
wait_for "^ZIP code +12345"; ok $? "the details use the form's labels"
screen_like "Next follow-up +2001-01-01 00:00$" "timestamps show to the minute"
screen_like "Estimated revenue +1234\\.50" "money has two decimals there too"
screen_like "^  legacy\\.id +10045$" "metadata reads as one line per value"
screen_like "^Notes +Line one$" "a value of several lines starts on its label's line"
screen_like "^ {19}Line two$" "and goes on under it, at the values' column"
keys End
wait_for "^Leads \\(0 shown\\)"; ok $? "End shows the end of the details"
screen_like "^ZIP code|^Notes|^Contacts [0-9]" "a whole screenful of them, not the last line alone" sed -n 3,6p
keys Down Down Down PgDn
screen_like "^Leads \\(0 shown\\)" "Down and PgDn go no further than the last screenful"
screen_like "^ZIP code|^Notes|^Contacts [0-9]" "(the screen still full)" sed -n 3,6p
keys Home
wait_for "^Alpha Diner *$"; ok $? "Home goes back to the top"
# The form: an enumerated field lists its choices, Tab completes one, g/G.
keys e
wait_for "Edit organization"
keys j j
wait_for "^Segment: .*FINE_DINING  .*CATERING"; ok $? "an enumerated field lists its choices"
keys Enter C-u; keys -l "FINE_D"; keys Tab
wait_for "Segment: FINE_DINING"; ok $? "Tab completes a choice on the field's line"
keys Enter
wait_for "^\\*Segment .*FINE_DINING"; ok $? "and it is taken"
keys G
wait_for_gone "^Segment: "; ok $? "G goes to the last field (not enumerated: no choices)"
keys g j
wait_for "^Priority: A  B  C  D"; ok $? "g goes back to the first"
keys Escape
wait_for "leave without saving\\? y/n"
keys y
wait_for_gone "Edit organization"
keys NPage
wait_for "^  First name +Last name +Email"; ok $? "related lists are tables with headings"
screen_like "^  Ann +Aardvark .* yes" "with aligned values and booleans as words"
keys BSpace

keys 2
wait_for "Contacts +sorted by"
wait_for "^Aardvark"
screen_like " yes " "a primary contact says yes" grep '^Aardvark'
screen_like " no " "another says no (not t/f)" grep '^Badger'
screen_like "/ Search  : Command  Enter Organization  \\? Help" "the contacts' status line hints at their own keys" tail -1
keys e
wait_for "contacts are changed through their organization"; ok $? "e on a contact says how contacts are changed"
keys : ; keys -l "sort c"; keys Tab
wait_for "^:sort createdAt"; ok $? "Tab on the contacts pane completes a contacts sort (createdAt, not city)"
keys C-u Escape
keys : ; keys -l "sort Email"; keys Enter
wait_for "Contacts +sorted by email \\(ascending\\)"; ok $? "contacts sort by their Email header"
screen_like "Email▲" "and that column shows the marker" sed -n 3p
keys : ; keys -l "sort last name"; keys Enter
wait_for "Contacts +sorted by lastName"

# Horizontal scroll: at 60 columns Right brings the revenue into view
# while the name stays.
keys 1
wait_for "Organizations +sorted by"
$T resize-window -t $S -x 60 -y 30
wait_for "^Name"
screen_unlike "Revenue" "at 60 columns the revenue column is not shown" sed -n 3p
keys Right Right Right Right Right
wait_for "^Name.*Revenue"; ok $? "Right scrolls the columns until it is, the name staying first"
keys Left Left Left Left Left
wait_for "^Name▲ +P +Segment"; ok $? "Left scrolls back"
screen_like "▸$" "the header says more columns are to the right" sed -n 3p
keys : ; keys -l "sort -revenue"; keys Enter
wait_for "^Name.*Revenue▼"; ok $? "sorting by a column out of view scrolls it into view"
keys : ; keys -l "sort name"; keys Enter
keys Left Left Left Left Left Left Left
wait_for "^Name▲ +P Segment"
$T resize-window -t $S -x 140 -y 30

# Search: the matching words are underlined; a near spelling says so.
keys 1
wait_for "Organizations +sorted by"
keys / ; keys -l "bistro"; keys Enter
wait_for "match 1 of 1 for 'bistro'"; ok $? "/ finds the row"
esc=$(printf '\033')
like "$($T capture-pane -e -p -t $S | grep 'Bistro')" "${esc}\\[([0-9;]*;)?4(;[0-9;]*)?m(${esc}\\[[0-9;]*m)*Bistro" \
     "and underlines the matching word"
keys / ; keys -l "Alpah"; keys Enter
wait_for "for 'Alpah' .*near spellings"; ok $? "a search answered by near spellings says so"
keys / ; keys -l "zq istro"; keys Enter
wait_for "for 'zq istro' .*no name has every word: names with a word containing 'istro'"
ok $? "a search of several words answered through one of them says which"

# Tab on an ambiguous word lists the candidates above the command line.
keys : ; keys -l "s"; keys Tab
wait_for "^search +sort *$"; ok $? "Tab lists the commands that could follow"
keys C-u; keys -l "sort "; keys Tab Tab
wait_for "nextFollowUpDate"; ok $? "and the sort names"
keys Escape
wait_for_gone "nextFollowUpDate"; ok $? "the list goes with the command line"

# :export: a file name completes (~ is the home directory), and an
# existing file is replaced only after a y.
keys 1
wait_for "Organizations +sorted by"
keys : ; keys -l "export csv ~/exp"; keys Tab
wait_for ":export csv ~/exports/"; ok $? "Tab completes a directory under ~"
keys -l "orgs.csv"; keys Enter
wait_for "exported 3 rows to .*/userhome/exports/orgs.csv"; ok $? "and ~ is the home directory"
psql -X -q -d m -c "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Delta Deli', 'A', 'CATERING')"
keys : ; keys -l "export csv ~/exports/orgs.csv"; keys Enter
wait_for "orgs.csv exists: replace it\? y/n"; ok $? ":export asks before replacing a file"
keys n
is "$(($(wc -l <"$TEST_TMP/userhome/exports/orgs.csv") - 1))" 3 "n keeps the old file"
keys : ; keys -l "export csv ~/exports/orgs.csv"; keys Enter
wait_for "replace it\? y/n"
keys y
wait_for "exported 4 rows"; ok $? "y replaces it"
is "$(($(wc -l <"$TEST_TMP/userhome/exports/orgs.csv") - 1))" 4 "with the new rows"

keys '?'
wait_for "Keys \\(every action"
keys NPage NPage
wait_for ":filter F=V"; ok $? "the help lists the : commands"
keys x
keys q
wait_for "EXITED=0"; ok $? "q quits"

# Filters: one per field (a new one on a field replaces it), as many fields
# as there are; an empty result says 0 rows and why; a bad now= says so.
S=flt
$T new-session -d -s $S -x 140 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$TEST_TMP/st-flt' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=m; echo EXITED=\$?; sleep 30"
wait_for "Alpha Diner"
# (each command waits for the header to show it: a command typed while
# the list loads waits in a queue of one)
for f in priority=A priority=B segment=CATERING status=INACTIVE priority=A,B status=ACTIVE type=CUSTOMER \
         type=PROSPECT; do
    keys : ; keys -l "filter $f"; keys Enter
    wait_for "filter: .*${f%%=*}=${f#*=}( |\$)" || diag "the header did not show $f"
done
wait_for "filter: priority=A,B  segment=CATERING  status=ACTIVE  type=PROSPECT *$"
ok $? "a filter on a field already filtered replaces it"
status_unlike "at most" "eight :filter commands on four fields are not refused"
n=$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority IN ('A', 'B') AND segment = 'CATERING'
              AND status = 'ACTIVE' AND type = 'PROSPECT'" m)
wait_for "row 1 of $n( |\$)"; ok $? "and the rows are those of the filters in force ($n)"
keys : ; keys -l "filter city=Nowhere"; keys Enter
wait_for "  0 rows  filter: "; ok $? "no row matches: the header says 0 rows"
wait_for "no row matches the filters: :filter clear shows every row"; ok $? "and the list says why"
keys : ; keys -l "filter now=garbage"; keys Enter
wait_for "now is a date and time"; ok $? "a now= that is no timestamp is refused on the spot"
screen_unlike "now=garbage" "and is not in force" sed -n 2p
screen_unlike "ERROR" "no server error reached the screen"
keys : ; keys -l "filter clear"; keys Enter
n=$(psql_val "SELECT count(*) FROM \"Organization\"" m)
wait_for "row 1 of $n( |\$)"; ok $? "filter clear shows every row again ($n)"
# A form saved without a change writes nothing; a new form untouched
# leaves without a question.
before=$(psql_val "SELECT \"updatedAt\" FROM \"Organization\" WHERE name = 'Alpha Diner'" m)
keys Home; wait_for "row 1 of $n( |\$)"
keys e; wait_for "Edit organization"
keys w
wait_for "nothing changed; nothing was saved"; ok $? "w on an unchanged form says nothing changed"
is "$(psql_val "SELECT \"updatedAt\" FROM \"Organization\" WHERE name = 'Alpha Diner'" m)" "$before" \
   "and the row is not written (updatedAt unchanged)"
keys +; wait_for "New organization"
wait_for "^ Type \\(req\\.\\) +PROSPECT" && wait_for "^ Status \\(req\\.\\) +ACTIVE"; ok $? "a new form's defaults are not marked as changes"
keys Escape
wait_for_gone "New organization"; ok $? "Esc leaves an untouched new form without asking"
status_unlike "leave without saving" "(no question)"
# A list's command typed on another pane shows that list, filtered.
keys 4
wait_for_gone "Organizations +sorted by"
keys : ; keys -l "filter priority=C"; keys Enter
wait_for "Organizations +sorted by .*filter: priority=C"; ok $? ":filter typed on the dashboard shows the filtered organizations"
keys 3
wait_for "m Migrate  p Pause  a Stop  A Assess  \\? Help"; ok $? "the migration pane's status line hints at its keys"
keys q
wait_for "EXITED=0"

# LANG=C: an empty value is '-', not the '?' that stands for a control
# character or any non-ASCII character.
psql -X -q -d m -c "INSERT INTO \"Organization\" (name, priority, segment, city) VALUES (E'Esc \\033[31m co', 'D', 'CATERING', 'Ulm')"
S=c
$T new-session -d -s $S -x 140 -y 30 \
    "env TERM=screen LC_ALL=C ESCDELAY=25 XDG_STATE_HOME='$TEST_TMP/st-c' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=m; echo EXITED=\$?; sleep 30"
wait_for "Gamma Grill"
screen_like "CATERING +ACTIVE +- +- +- " "with LANG=C an empty value shows as -" grep '^Gamma Grill'
screen_unlike "\\?" "not as ?" grep '^Gamma Grill'
screen_like "^Esc \\?\\[31m co" "while an escape is still ?" grep '^Esc '
keys q
wait_for "EXITED=0"

# A console that cannot connect says why on a clean line (the
# "connecting..." it showed meanwhile is wiped), with the server's words
# sanitized: an escape sequence in the database name shows as text.
S=f
$T new-session -d -s $S -x 140 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 XDG_STATE_HOME='$TEST_TMP/st-f' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d \"dbname='no\$(printf '\\033')[7mdb'\"; echo EXITED=\$?; sleep 30"
wait_for "EXITED=1"; ok $? "the console exits with 1 when it cannot connect"
# (-J: the message is one line, however the terminal wrapped it)
like "$($T capture-pane -p -J -t "$S" | grep 'does not exist')" '^pantrycrm: .*database "no.\[7mdb" does not exist' \
    "saying why at the start of its line, the escape shown as a character"
screen_unlike "connecting\.\.\." "and the connecting line is gone"
done_testing
