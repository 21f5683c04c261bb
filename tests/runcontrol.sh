#!/bin/sh
# Run control names the run and its source and never guesses: a run of one
# legacy file stopped half-way is resumed from that file, by the console's
# m and by a bare `pantrycrm migrate`, even when the demo's legacy file is
# there too; another source is refused; p and a with nothing running say
# so and ask nothing.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd tmux tmux
pg_start
export XDG_STATE_HOME=$TEST_TMP/state XDG_DATA_HOME=$TEST_TMP/data
mkdir -p "$XDG_DATA_HOME/pantrycrm/demo"
DEMO=$XDG_DATA_HOME/pantrycrm/demo/legacy.db
OTHER=$TEST_TMP/other.db
"$PANTRYCRM" demo generate --scale 300 --seed 3 --out "$DEMO" >/dev/null || bail_out "generate failed"
"$PANTRYCRM" demo generate --scale 3000 --seed 8 --out "$OTHER" >/dev/null || bail_out "generate failed"
pg_createdb r
"$PANTRYCRM" -d dbname=r db migrate >/dev/null || bail_out "db migrate failed"

# A run of the other file, stopped once a batch is committed.
"$PANTRYCRM" -d dbname=r migrate --source "$OTHER" --progress none --batch-size 20 --jobs 1 \
    >"$TEST_TMP/m1.out" 2>&1 &
pid=$!
i=0
while [ "$(psql_val 'SELECT coalesce(sum(rows_read), 0) FROM migration.checkpoint' r 2>/dev/null)" = 0 ] \
      && [ $i -lt 400 ]; do
    i=$((i + 1)); sleep 0.05
done
kill -INT "$pid"
wait "$pid"
is "$?" 130 "the first run is stopped at a batch boundary"
is "$(psql_val 'SELECT status FROM migration.run ORDER BY id DESC LIMIT 1' r)" interrupted \
   "the target records it as interrupted"

run_fails "migrate from another source is refused while the run is unfinished" 1 \
    "$PANTRYCRM" -d dbname=r migrate --source "$DEMO" --progress none
like "$ERR" "run 1 \\(interrupted\\) came from .*other.db and resumes only from it" \
     "the refusal names the run and its source"
is "$(psql_val 'SELECT count(*) FROM migration.run' r)" 1 "and no run was started"

. "$abs_top_srcdir/tests/tui.sh"
tui_init rc
S=rc
$T new-session -d -s $S -x 120 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' XDG_DATA_HOME='$XDG_DATA_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=r; echo EXITED=\$?; sleep 30"
wait_for "Organizations +sorted by"
keys 3
wait_for "Run 1 +interrupted"; ok $? "the migration pane shows the stopped run"
keys p
wait_for "no migration is running \\(the last, run 1 from .*other.db, is interrupted\\)"
ok $? "p with nothing running says so and names the last run"
keys a
wait_for "no migration is running \\(the last, run 1"; ok $? "so does a"
screen_unlike "y/n" "and neither asks a question"
keys m
wait_for "resume run 1 \\(interrupted\\) from .*other.db\\? y/n"
ok $? "m names the run it resumes and its source (not the demo's file) and asks"
keys n
keys m
wait_for "resume run 1 .*\\? y/n"
keys y
wait_for "migration from .*other.db started"; ok $? "y starts it from that source"
wait_for "Run 2 +done" 180; ok $? "and it runs to the end"
$T resize-window -t $S -x 100 -y 30
wait_for "^Interaction .*[0-9]+/s .* done"; ok $? "at 100 columns each table still shows its phase"
$T resize-window -t $S -x 120 -y 30
is "$(psql_val "SELECT string_agg(DISTINCT source, ',') FROM migration.run" r)" "$OTHER" \
   "every run of the target came from the same source"
run_ok "verify agrees: every source row is migrated or quarantined" "$PANTRYCRM" -d dbname=r verify
keys q
wait_for "EXITED=0"

# Progress bars on an 80-column terminal: one line per table, however
# wide the line would be (a wrapped line made the first table show twice).
pg_createdb bars
"$PANTRYCRM" -d dbname=bars db migrate >/dev/null
$T new-session -d -s bars -x 80 -y 30 \
    "env TERM=screen LC_ALL=C.UTF-8 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=bars migrate --source '$DEMO' --progress bars --batch-size 50; echo EXITED=\$?; sleep 30"
S=bars
wait_for "EXITED=" 120
is "$($T capture-pane -p -S - -t bars | grep -c '^User  *\[')" 1 \
   "migrate --progress bars at 80 columns draws the User line once"
screen_like "EXITED=0" "(the migration succeeded)"
S=rc

# A bare `migrate` takes the last run's source and says so.
run_ok "migrate without --source repeats the last run" \
    "$PANTRYCRM" -d dbname=r migrate --progress none
like "$ERR" "repeating run 2 \\(done\\) from its source .*other.db" "and names it"
done_testing
