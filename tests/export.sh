#!/bin/sh
# pantrycrm export (and the console's :export): CSV read back by Python's
# csv module and JSON Lines read back by its json module equal what
# PostgreSQL holds, row for row and byte for byte, hostile strings
# included; filters and sort are the console's; -o never leaves half a
# file; a query's result streams through a read-only cursor.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd python3 python3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
pg_createdb ex >/dev/null
"$PANTRYCRM" -d dbname=ex db migrate >/dev/null || bail_out "db migrate failed"

# 2,500 organizations (more than two export pages), cycling through the
# priorities and segments, some without a city, one with an empty city;
# then the hostile names.
psql -X -q -v ON_ERROR_STOP=1 -d ex <<'SQL' || bail_out "cannot fill the database"
INSERT INTO "Organization" (name, priority, segment, city)
SELECT 'Org ' || lpad(g::text, 5, '0'),
       (ARRAY['A','B','C','D'])[1 + g % 4]::"OrganizationPriority",
       (ARRAY['FINE_DINING','CATERING','CASUAL_DINING'])[1 + g % 3]::"OrganizationSegment",
       CASE WHEN g % 10 = 0 THEN NULL WHEN g = 7 THEN '' ELSE 'City ' || (g % 7) END
FROM generate_series(1, 2500) g;
INSERT INTO "Organization" (name, priority, segment, city) VALUES
  ('Smith, "Bob" & Co', 'A', 'CATERING', 'Lyon'),
  (E'Two\nLines', 'A', 'CATERING', E'CR\r\nLF'),
  (E'Esc \033]2;PWNED\007 \033[31mred\033[0m', 'A', 'CATERING', E'tab\there'),
  (E'\u202Eevil bidi \u00e9\u00e8 \U0001F600', 'A', 'CATERING', ' lead and trail '),
  ('"', 'A', 'CATERING', ','),
  ('back\slash \N', 'A', 'CATERING', '""');
INSERT INTO "Contact" ("firstName", "lastName", email, "organizationId")
SELECT 'First' || g, 'Last' || lpad(g::text, 4, '0'), CASE WHEN g % 2 = 0 THEN 'c' || g || '@x.org' END,
       (SELECT id FROM "Organization" ORDER BY name LIMIT 1)
FROM generate_series(1, 1200) g;
SQL

# The reference: PostgreSQL's own CSV of the same columns in the same order.
ref() { # SELECT-list ORDER-BY WHERE
    psql -X -q -d ex -c "COPY (SELECT $1 FROM \"Organization\" ${3:+WHERE $3} ORDER BY $2) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)" \
        >"$TEST_TMP/ref.csv"
}
# Python: the export's rows, projected onto some columns, equal the
# reference rows (NULL told apart from '' in both).
cat >"$TEST_TMP/cmp.py" <<'PY'
import csv, json, sys
fmt, path, refpath, cols = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
def read_export():
    if fmt == "csv":
        raw = open(path, "rb").read()
        # (NULL and '' both read as ''; the raw checks below tell them apart)
        rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
        header, body = rows[0], rows[1:]
        out = []
        for r in body:
            out.append(dict(zip(header, r)))
        return out, raw
    out = []
    for line in open(path, encoding="utf-8", newline="\n"):
        out.append(json.loads(line))
    return out, None
rows, raw = read_export()
ref = []
for r in csv.reader(open(refpath, newline="", encoding="utf-8")):
    ref.append(r)
got = [[(row[c] if row[c] is not None else "") for c in cols] for row in rows]
if got != ref:
    for i, (a, b) in enumerate(zip(got, ref)):
        if a != b:
            print("row %d differs: %r != %r" % (i, a, b)); break
    print("rows: %d vs %d" % (len(got), len(ref)))
    sys.exit(1)
print(len(got))
PY
cmp_export() { python3 "$TEST_TMP/cmp.py" "$@" 2>&1; }

# --- CSV of the whole list --------------------------------------------------------
run_ok "export (CSV of the organizations) to stdout" "$PANTRYCRM" -d dbname=ex export
printf '%s\n' "$OUT" >/dev/null
umask 022 # the usual one: the mode below must not depend on it
"$PANTRYCRM" -d dbname=ex export -o "$TEST_TMP/all.csv" 2>"$TEST_TMP/err"
is "$?" 0 "export -o FILE"
like "$(cat "$TEST_TMP/err")" "^exported 2506 rows to $TEST_TMP/all.csv\$" "says how many rows went where"
ok $([ ! -e "$TEST_TMP/all.csv.part" ] && echo 0 || echo 1) "no .part file is left behind"
is "$(stat -c %a "$TEST_TMP/all.csv")" 600 "the file is readable by its owner only (personal data), whatever the umask"
ref "id, name, priority, segment, city" "name, id"
is "$(cmp_export csv "$TEST_TMP/all.csv" "$TEST_TMP/ref.csv" id,name,priority,segment,city)" 2506 \
    "the CSV, read by Python's csv module, equals PostgreSQL's rows in name order"
is "$(head -n1 "$TEST_TMP/all.csv" | tail -c 2 | od -An -tx1 | tr -d ' ')" "0d0a" "records end with CRLF (RFC 4180)"
is "$(head -n1 "$TEST_TMP/all.csv" | tr -d '\r')" \
    "id,name,priority,segment,status,type,city,state,zipCode,nextFollowUpDate,estimatedRevenue,updatedAt" \
    "the header names the list's columns"
python3 - "$TEST_TMP/all.csv" <<'PY' >"$TEST_TMP/py.out" 2>&1
import sys
raw = open(sys.argv[1], "rb").read()
assert b'"Smith, ""Bob"" & Co"' in raw, "quotes doubled, comma quoted"
assert b'"Two\nLines"' in raw, "embedded LF kept inside quotes"
assert b'"CR\r\nLF"' in raw, "embedded CRLF kept inside quotes"
assert b'\x1b]2;PWNED\x07' in raw, "escape codes are data, kept byte for byte"
assert b'," lead and trail ",' in raw, "leading/trailing spaces quoted"
assert b',"""""",' in raw or raw.count(b'""""""') == 1, "a value of two quotes"
# NULL city: an empty unquoted field; '' city: a quoted empty field
lines = raw.split(b"\r\n")
org7 = [l for l in lines if l.split(b",")[1:2] == [b"Org 00007"]][0]
org10 = [l for l in lines if l.split(b",")[1:2] == [b"Org 00010"]][0]
assert org7.split(b",")[6] == b'""', org7
assert org10.split(b",")[6] == b'', org10
print("ok")
PY
is "$(cat "$TEST_TMP/py.out")" "ok" "quoting: commas, quotes, CR/LF, escapes, spaces; NULL is empty, '' is \"\""

# --- JSON Lines -----------------------------------------------------------------------
run_ok "export --format jsonl" "$PANTRYCRM" -d dbname=ex export --format jsonl -o "$TEST_TMP/all.jsonl"
is "$(wc -l <"$TEST_TMP/all.jsonl" | tr -d ' ')" 2506 "one line per row, whatever newlines the values hold"
is "$(cmp_export jsonl "$TEST_TMP/all.jsonl" "$TEST_TMP/ref.csv" id,name,priority,segment,city)" 2506 \
    "every line parses as JSON and the objects equal PostgreSQL's rows"
python3 - "$TEST_TMP/all.jsonl" <<'PY' >"$TEST_TMP/py.out" 2>&1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
by = {r["name"]: r for r in rows}
assert by["Org 00010"]["city"] is None, "NULL is null"
assert by["Org 00007"]["city"] == "", "'' is an empty string"
assert by["Two\nLines"]["city"] == "CR\r\nLF"
assert "Esc \x1b]2;PWNED\x07 \x1b[31mred\x1b[0m" in by
assert "\u202eevil bidi \u00e9\u00e8 \U0001F600" in by
assert by["back\\slash \\N"]["city"] == '""'
assert list(rows[0].keys())[:3] == ["id", "name", "priority"], "columns in list order"
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\r" not in raw, "control characters are escaped"
print("ok")
PY
is "$(cat "$TEST_TMP/py.out")" "ok" "hostile strings round-trip through JSON exactly; NULL is null"

# --- filters and sort -------------------------------------------------------------------
"$PANTRYCRM" -d dbname=ex export --filter priority=A -o "$TEST_TMP/a.csv" 2>/dev/null
ref "id, name, priority, segment, city" "name, id" "priority = 'A'"
is "$(cmp_export csv "$TEST_TMP/a.csv" "$TEST_TMP/ref.csv" id,name,priority,segment,city)" \
    "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority = 'A'" ex)" \
    "--filter priority=A exports exactly the A organizations"
"$PANTRYCRM" -d dbname=ex export -F priority=a,b -F "city=City 3" -F segment=catering --sort -name \
    -f jsonl -o "$TEST_TMP/f.jsonl" 2>/dev/null
ref "id, name, priority, segment, city" "name DESC, id DESC" "priority IN ('A','B') AND city = 'City 3' AND segment = 'CATERING'"
n=$(cmp_export jsonl "$TEST_TMP/f.jsonl" "$TEST_TMP/ref.csv" id,name,priority,segment,city)
is "$n" "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority IN ('A','B') AND city = 'City 3' AND segment = 'CATERING'" ex)" \
    "filters combine (AND across fields, OR inside one) and --sort -name reverses the order"
ok $([ "$n" -gt 10 ] && echo 0 || echo 1) "(the filtered list is not trivially small: $n rows)"
"$PANTRYCRM" -d dbname=ex export --sort city -o "$TEST_TMP/c.csv" 2>/dev/null
ref "id, name, priority, segment, city" "city NULLS LAST, state NULLS LAST, \"zipCode\" NULLS LAST, id"
is "$(cmp_export csv "$TEST_TMP/c.csv" "$TEST_TMP/ref.csv" id,name,priority,segment,city)" 2506 \
    "--sort city follows the console's city order (NULLs last)"
# --sort takes what the console's :sort takes, a column's header included
"$PANTRYCRM" -d dbname=ex export --sort estimatedRevenue -o "$TEST_TMP/r1.csv" 2>/dev/null
for name in revenue Revenue -Follow-up; do
    run_ok "--sort $name (a column's header)" "$PANTRYCRM" -d dbname=ex export --sort "$name" -o "$TEST_TMP/r2.csv"
done
"$PANTRYCRM" -d dbname=ex export --sort revenue -o "$TEST_TMP/r2.csv" 2>/dev/null
ok "$(cmp -s "$TEST_TMP/r1.csv" "$TEST_TMP/r2.csv"; echo $?)" "--sort revenue is --sort estimatedRevenue"
run_ok "--entity contacts" "$PANTRYCRM" -d dbname=ex export --entity contacts -f jsonl
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1200 "exports every contact"
is "$(printf '%s\n' "$OUT" | head -n1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["lastName"])')" \
    "Last0001" "sorted by lastName"
run_ok "--entity contacts --filter primary=yes" "$PANTRYCRM" -d dbname=ex export -e contacts -F primary=yes
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 "only the header: no contact is primary"

# --- a query's result -------------------------------------------------------------------
cat >"$TEST_TMP/q.sql" <<'SQL'
SELECT name, priority::text AS prio, NULL::text AS nothing, '' AS empty, 1.10::numeric(6,2) AS price,
       E'q"uote\n' AS tricky
FROM "Organization" WHERE priority = 'B' ORDER BY name;
SQL
run_ok "--query-file exports a query's result" "$PANTRYCRM" -d dbname=ex export --query-file "$TEST_TMP/q.sql" -f jsonl
python3 - "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority = 'B'" ex)" <<PY >"$TEST_TMP/py.out" 2>&1
import json, sys
rows = [json.loads(l) for l in """$(printf '%s' "$OUT" | sed 's/\\/\\\\/g')""".split("\n")]
assert len(rows) == int(sys.argv[1]), (len(rows), sys.argv[1])
r = rows[0]
assert list(r) == ["name", "prio", "nothing", "empty", "price", "tricky"], list(r)
assert r["nothing"] is None and r["empty"] == "" and r["price"] == "1.10" and r["tricky"] == 'q"uote\n', r
print("ok")
PY
is "$(cat "$TEST_TMP/py.out")" "ok" "columns named as the query names them, NULL/''/decimals exact, more than a page of rows"
printf 'SELECT 1 AS one, 2 AS two' | "$PANTRYCRM" -d dbname=ex export -q - >"$TEST_TMP/q.csv"
is "$(tr -d '\r' <"$TEST_TMP/q.csv" | tr '\n' ' ')" "one,two 1,2 " "--query-file - reads standard input"
printf 'UPDATE "Organization" SET name = %s' "'x'" >"$TEST_TMP/w.sql"
run_fails "a query that writes is refused" 1 "$PANTRYCRM" -d dbname=ex export -q "$TEST_TMP/w.sql"
like "$ERR" "the query failed" "with PostgreSQL's reason"
is "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE name = 'x'" ex)" 0 "and nothing was changed"
run_fails "a query with a mistake" 1 "$PANTRYCRM" -d dbname=ex export -q "$TEST_TMP/w.sql" -o "$TEST_TMP/w.csv"
ok $([ ! -e "$TEST_TMP/w.csv" ] && [ ! -e "$TEST_TMP/w.csv.part" ] && echo 0 || echo 1) "leaves no file behind"

# Interrupted: ^C stops at the next batch and removes the partial file.
printf 'SELECT g FROM generate_series(1, 200000) g WHERE pg_sleep(0.0005) IS NOT NULL' >"$TEST_TMP/slow.sql"
"$PANTRYCRM" -d dbname=ex export -q "$TEST_TMP/slow.sql" -o "$TEST_TMP/slow.csv" 2>"$TEST_TMP/slow.err" &
pid=$!
i=0
while [ $i -lt 100 ] && [ ! -e "$TEST_TMP/slow.csv.part" ]; do i=$((i + 1)); sleep 0.05; done
sleep 0.5
kill -INT $pid
wait $pid
is "$?" 130 "an interrupted export exits 130"
like "$(cat "$TEST_TMP/slow.err")" "export interrupted; nothing was written" "and says so"
ok $([ ! -e "$TEST_TMP/slow.csv" ] && [ ! -e "$TEST_TMP/slow.csv.part" ] && echo 0 || echo 1) \
    "neither the file nor its .part is left"

# --- usage errors -------------------------------------------------------------------
run_fails "--format xml" 2 "$PANTRYCRM" -d dbname=ex export --format xml
like "$ERR" "--format takes csv or jsonl, not 'xml'" "names the formats"
run_fails "--entity leads" 2 "$PANTRYCRM" -d dbname=ex export --entity leads
run_fails "--sort nosuch" 2 "$PANTRYCRM" -d dbname=ex export --sort nosuch
like "$ERR" "no sort 'nosuch' for organizations" "names the problem"
run_fails "--filter priority=Z" 2 "$PANTRYCRM" -d dbname=ex export --filter priority=Z
run_fails "--query-file naming a directory is a read error" 1 "$PANTRYCRM" -d dbname=ex export -q "$TEST_TMP"
like "$ERR" "cannot read .*: Is a directory" "saying so, not that the query is empty"
run_fails "--query-file with --filter" 2 "$PANTRYCRM" -d dbname=ex export -q "$TEST_TMP/q.sql" -F priority=A
run_fails "-o into a missing directory" 1 "$PANTRYCRM" -d dbname=ex export -o "$TEST_TMP/nodir/x.csv"
like "$ERR" "cannot write $TEST_TMP/nodir/x.csv.part" "says which file"

# --- the console's :export jsonl ---------------------------------------------------------
if have_cmd tmux tmux; then
    T="tmux -L pantrycrm-export-$$ -f /dev/null"
    at_exit "tmux_stop $T"
    $T new-session -d -s e1 -x 120 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=ex; echo EXITED=\$?; sleep 30"
    wait_screen() {
        i=0
        while [ $i -lt 200 ]; do
            $T capture-pane -p -t e1 | grep -Eq -- "$1" && return 0
            i=$((i + 1)); sleep 0.05
        done
        diag "timed out waiting for /$1/:"; diag "$($T capture-pane -p -t e1)"
        return 1
    }
    wait_screen "Organizations"
    $T send-keys -t e1 : ; $T send-keys -t e1 -l "filter priority=B"; $T send-keys -t e1 Enter
    wait_screen "filter: .*priority"
    $T send-keys -t e1 : ; $T send-keys -t e1 -l "export jsonl $TEST_TMP/console.jsonl"; $T send-keys -t e1 Enter
    wait_screen "exported [0-9]+ rows to"; ok $? ":export jsonl FILE in the console"
    ref "id, name, priority, segment, city" "name, id" "priority = 'B'"
    is "$(cmp_export jsonl "$TEST_TMP/console.jsonl" "$TEST_TMP/ref.csv" id,name,priority,segment,city)" \
        "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority = 'B'" ex)" \
        "holds the pane's filtered list in its order"
    $T send-keys -t e1 : ; $T send-keys -t e1 -l "export xml $TEST_TMP/x"; $T send-keys -t e1 Enter
    wait_screen "usage: export csv.jsonl FILE"; ok $? "an unknown format shows the usage"
    $T send-keys -t e1 q
    wait_screen "EXITED=0"; ok $? "the console quits cleanly"
else
    skip "tmux is not installed: the console's :export is not checked"
fi

# A reader that goes away (export | head) ends the export quietly, with the
# status of a writer that met a closed pipe.
( echo "SELECT g FROM generate_series(1, 300000) g" \
    | "$PANTRYCRM" -d dbname=ex export -q - 2>"$TEST_TMP/pipe.err"; echo $? >"$TEST_TMP/pipe.rc" ) | head -1 >/dev/null
is "$(cat "$TEST_TMP/pipe.rc")" 141 "export | head ends with status 141 (128 + SIGPIPE)"
is "$(cat "$TEST_TMP/pipe.err")" "" "and prints no message"

# -o onto something that is not a regular file: a FIFO is written to, not
# replaced; a device too; a symbolic link or a directory is refused.
mkfifo "$TEST_TMP/fifo"
cat "$TEST_TMP/fifo" >"$TEST_TMP/fifo.out" &
catpid=$!
run_ok "export -o FIFO" "$PANTRYCRM" -d dbname=ex export --filter priority=B -o "$TEST_TMP/fifo"
if [ -p "$TEST_TMP/fifo" ]; then ok 0 "the FIFO is still a FIFO"; else ok 1 "the FIFO is still a FIFO"; kill $catpid 2>/dev/null; fi
wait $catpid
is "$(($(wc -l <"$TEST_TMP/fifo.out") - 1))" "$(psql_val "SELECT count(*) FROM \"Organization\" WHERE priority = 'B'" ex)" \
   "and its reader got every row"
if mknod "$TEST_TMP/null" c 1 3 2>/dev/null; then
    run_ok "export -o a character device" "$PANTRYCRM" -d dbname=ex export -o "$TEST_TMP/null"
    ok "$([ -c "$TEST_TMP/null" ]; echo $?)" "the device node is still a device (not renamed over)"
else
    skip "mknod needs root: the device case is not checked"
fi
printf 'keep me\n' >"$TEST_TMP/target.csv"
ln -s "$TEST_TMP/target.csv" "$TEST_TMP/link.csv"
run_fails "export -o a symbolic link is refused" 1 "$PANTRYCRM" -d dbname=ex export -o "$TEST_TMP/link.csv"
like "$ERR" "link.csv is a symbolic link: give the file it points to, or another name" "with a clear message"
ok "$([ -L "$TEST_TMP/link.csv" ] && [ "$(cat "$TEST_TMP/target.csv")" = "keep me" ]; echo $?)" \
   "the link and its target are untouched"
run_fails "export -o a directory is refused" 1 "$PANTRYCRM" -d dbname=ex export -o "$TEST_TMP"
like "$ERR" "is a directory, not a file" "naming what it is"

# To a terminal, records are shown, not run: escape sequences become
# placeholders and cannot retitle or colour the terminal.
if have_cmd tmux tmux; then
    T2="tmux -L pantrycrm-extty-$$ -f /dev/null"
    at_exit "tmux_stop $T2"
    printf '%s\n' "SELECT name FROM \"Organization\" WHERE name LIKE 'Esc%'" >"$TEST_TMP/esc.sql"
    $T2 new-session -d -s t -x 120 -y 20 \
        "env LC_ALL=C.UTF-8 PGHOST='$PGHOST' PGPORT=$PGPORT PGUSER=postgres '$PANTRYCRM' -d dbname=ex export -q '$TEST_TMP/esc.sql'; echo EXITED=\$?; sleep 30"
    i=0
    while [ $i -lt 200 ] && ! $T2 capture-pane -p -t t | grep -q "EXITED="; do i=$((i + 1)); sleep 0.05; done
    scr=$($T2 capture-pane -p -t t)
    like "$scr" "Esc ␛\\]2;PWNED␇ ␛\\[31mred" "export to a terminal shows escape sequences as placeholders"
    like "$scr" "EXITED=0" "and ends with status 0"
    unlike "$($T2 display -p -t t '#{pane_title}')" "PWNED" "the record could not retitle the terminal"
    unlike "$($T2 capture-pane -p -e -t t)" "$(printf '\033')\\[31m" "nor colour it"
else
    skip "tmux is not installed: export to a terminal is not checked"
fi

done_testing
