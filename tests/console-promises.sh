#!/bin/sh
# Promises of the console in a real terminal (issue 13): details follow a
# save and r; a question keeps its y/n in sight; a re-sort leaves no blank
# lines under hidden rows; a message does not outlive the next key; a
# database without the schema gets advice, not SQL errors; each connection
# keeps its own session; no readline block is lost at quit.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd tmux tmux
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
for db in p p2; do
    pg_createdb $db
    "$PANTRYCRM" -d dbname=$db db migrate >/dev/null || bail_out "db migrate failed"
done
pg_createdb empty
# Thirty organizations, their follow-ups in name order; one long name.
psql -X -q -v ON_ERROR_STOP=1 -d p <<'SQL' || bail_out "cannot fill the database"
INSERT INTO "Organization" (name, priority, segment, city, "nextFollowUpDate")
SELECT 'A' || lpad(g::text, 2, '0'), CASE WHEN g % 2 = 0 THEN 'A' ELSE 'B' END::"OrganizationPriority",
       'CATERING', 'Town ' || g, timestamp '2027-01-01' + g * interval '1 day'
FROM generate_series(1, 30) g;
INSERT INTO "Organization" (name, priority, segment)
VALUES ('Zz Long Named Catering Company of the North', 'C', 'CATERING');
SQL

. "$abs_top_srcdir/tests/tui.sh"
tui_init prom
S=p0
n=0
start() { # db [extra env]
    old=$S; n=$((n + 1)); S=p$n
    $T new-session -d -s $S -x 100 -y 24 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=$1 2>'$TEST_TMP/err$n'; echo EXITED=\$?; sleep 30"
    tmux_retire "$old" $T
}

# --- a database without the schema -------------------------------------------
start empty
wait_for "EXITED="; like "$(cat "$TEST_TMP/err$n")" "no CRM schema yet: run 'pantrycrm db migrate' first" \
    "the console on a database without the schema says what to do"
screen_like "EXITED=1" "and does not open"
unlike "$(cat "$TEST_TMP/err$n")" "relation|does not exist" "no raw SQL error"
for cmd in report stats "quarantine list"; do
    run "$PANTRYCRM" -d dbname=empty $cmd
    like "$ERR" "no CRM schema yet: run 'pantrycrm db migrate' first" "$cmd says to run db migrate"
    unlike "$ERR" "relation .* does not exist" "$cmd shows no raw SQL error"
done

# --- one session per connection ----------------------------------------------
start p
wait_for "Organizations +sorted by name"
keys : ; keys -l "filter priority=A"; keys Enter
wait_for "filter: .*priority"
keys q
wait_for "EXITED=0"
start p2
wait_for "Organizations +sorted by name"; ok $? "another database opens"
screen_unlike "filter:" "without the first database's filter" sed -n 2p
keys q
wait_for "EXITED=0"
start p
wait_for "Organizations +sorted by name.*filter: .*priority"; ok $? "the first database gets its own session back"
keys : ; keys -l "filter clear"; keys Enter
wait_for_gone "filter:"

# --- a message lasts until the next key -------------------------------------
keys : ; keys -l "filter colour=red"; keys Enter
wait_for "colour"; ok $? "a bad filter is reported"
# The next key switches panes: once its frame is drawn the message is gone
# (an old one would stay for seconds, even on the other pane).
keys 2
wait_for "Contacts +sorted by"
status_unlike "colour" "and the message goes with the next key, even to another pane"
keys 1
wait_for "Organizations +sorted by"

# --- a re-sort near the end leaves no blank lines ---------------------------
keys End
wait_for "Zz Long"
keys : ; keys -l "sort -nextFollowUpDate"; keys Enter
wait_for "sorted by nextFollowUpDate \(descending\)"
keys End
wait_for_gone "loading"
keys : ; keys -l "sort nextFollowUpDate"; keys Enter
wait_for "sorted by nextFollowUpDate \(ascending\)"
wait_for_gone "loading"
# (counted until all 20 are there, 30 s at most: the screen may still be on its way)
i=0
until rows=$(screen | grep -cE '^ ?(A[0-9]{2}|Zz Long) '); [ "$rows" -eq 20 ] || [ $i -ge 600 ]; do
    i=$((i + 1)); sleep 0.05
done
is "$rows" 20 "after :sort near the end of the list every line of the pane shows a row"

# --- the details follow a save and r -----------------------------------------
keys : ; keys -l "sort name"; keys Enter
wait_for "sorted by name"
keys Home
wait_for "row 1 of"
keys j j j j
wait_for "row 5 of"
keys Enter
wait_for "^City +Town 5"; ok $? "Enter opens the details of A05, with its city"
keys e
wait_for "Edit organization"
for i in 1 2 3 4 5 6; do keys j; done      # -> city
keys Enter C-u; keys -l "Detailtown"; keys Enter
keys w
wait_for "^City +Detailtown"; ok $? "after a save from the details they show the new value"
psql -X -q -d p -c "UPDATE \"Organization\" SET city = 'Elsewhere Ville' WHERE name = 'A05'"
keys r
wait_for "^City +Elsewhere Ville"; ok $? "r reloads the open details"
keys BSpace

# --- a save does not hold the screen -----------------------------------------
# Another session holds A05's row lock: the save waits for it off the UI
# thread and the console says so.
mkfifo "$TEST_TMP/locker"
psql -X -q -d p <"$TEST_TMP/locker" >/dev/null 2>&1 &
exec 9>"$TEST_TMP/locker"
echo "BEGIN; SELECT 1 FROM \"Organization\" WHERE name = 'A05' FOR UPDATE;" >&9
held=1
for i in $(seq 1 600); do
    [ "$(psql -X -At -d p -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'")" = 1 ] \
        && { held=0; break; }
    sleep 0.05
done
ok $held "another session holds the row's lock"
keys e
wait_for "Edit organization"
# a change to save (a form saved unchanged writes nothing): the city
for i in 1 2 3 4 5 6; do keys j; done
keys Enter C-u; keys -l "Lockville"; keys Enter
wait_for "^\\*City +Lockville"
keys w
wait_for "saving…"; ok $? "a save that waits on a lock shows 'saving…' (the screen is not frozen)"
echo "COMMIT;" >&9
exec 9>&-
wait_for "^ saved"; ok $? "once the lock is released the save ends"
wait_for_gone "Edit organization"; ok $? "and the form closes"

# --- a question keeps its y/n in sight --------------------------------------
$T resize-window -t $S -x 80 -y 24
keys End
wait_for "Zz Long"
wait_for_gone "loading"
keys D
wait_for "delete Zz Long"
screen_like "y/n" "at 80 columns the delete question shows its y/n" tail -1
keys n
keys q
wait_for "EXITED=0"

# --- no readline block lost (an AddressSanitizer build reports leaks) --------
if { nm "$PANTRYCRM"; nm -D "$PANTRYCRM"; } 2>/dev/null | grep -q '__asan_init'; then
    start p
    wait_for "Organizations +sorted by name"
    keys : C-] Escape : C-] Escape
    keys F10
    wait_for "EXITED="
    is "$(grep -c 'LeakSanitizer' "$TEST_TMP/err$n")" 0 "two command lines left during ^] lose nothing at quit"
    screen_like "EXITED=0" "and F10 quits with status 0"
else
    skip "not an AddressSanitizer build: tests/valgrind.sh checks the same keys"
fi
done_testing
