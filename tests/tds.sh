#!/bin/sh
# The SQL Server source through FreeTDS db-lib: the migration tests of the
# SQLite source (clean and messy data, verify, kill -9 and resume) run
# against the tds-standin, plus what only this path has: text with NUL and
# lone surrogates read without loss (a lone high surrogate at the end of an
# NVARCHAR(MAX) kills a db-lib text read), exact DECIMAL/DATETIME2/GUID,
# login and network errors, query timeouts, passwords kept out of every
# record, Change Tracking.
#
# PANTRYCRM_TEST_MSSQL=mssql://USER@HOST[:PORT]/DATABASE[?OPTIONS] (password
# in PANTRYCRM_MSSQL_PASSWORD) runs the migration part against a real SQL
# Server instead: DATABASE must be a scratch database the test may fill (it
# creates and drops the legacy tables); it needs 'demo generate --format
# tsql'. The stand-in-specific checks (typed table, Change Tracking
# emulation) are skipped then.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
. "$abs_top_srcdir/tests/standin.sh"
tds_preamble
if [ -n "$REAL" ]; then
    "$PANTRYCRM" demo generate --help | grep -q -- '--format' \
        || skip_all "PANTRYCRM_TEST_MSSQL is set but 'demo generate --format tsql' is missing"
fi

tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
digest() { # db [numeric]: the target's content and the migration's accounting
    for t in $tables; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done
    local orig="original::text"
    [ "${2:-}" = numeric ] && orig="CASE WHEN original ? 'value' THEN (original - 'value' || jsonb_build_object('value', trim_scale((original->>'value')::numeric)))::text ELSE original::text END"
    psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(table_name || source_key || reason || $orig, ',' ORDER BY table_name, source_key), '')) FROM migration.quarantine"
    psql -X -At -d "$1" -c "SELECT string_agg(table_name || ':' || rows_read || ':' || rows_migrated || ':' || rows_quarantined || ':' || repairs::text, ',' ORDER BY table_name) FROM migration.checkpoint"
}
newdb() { pg_createdb "$1" && "$PANTRYCRM" -d "dbname=$1" db migrate >/dev/null || bail_out "db migrate $1 failed"; }

# serve NAME SQLITEFILE [stand-in args]: sets LOC to a locator for its data.
serve() {
    local name=$1 file=$2
    shift 2
    if [ -n "$REAL" ]; then
        "$PANTRYCRM" demo generate --format tsql $(cat "$file.args") --out "$TEST_TMP/$name.sql" >/dev/null \
            || bail_out "demo generate --format tsql failed"
        "$PROBE" "$REAL" script "$TEST_TMP/$name.sql" >/dev/null || bail_out "loading $name into $REAL failed"
        LOC=$REAL
    else
        standin_start "$name" "$file" "$@"
        LOC=mssql://sa@127.0.0.1:$STANDIN_PORT/standin
    fi
}
gen() { # file args…: a legacy SQLite file (and, for a real server, its arguments)
    local f=$1
    shift
    echo "$@" >"$f.args"
    "$PANTRYCRM" demo generate "$@" --out "$f" >/dev/null || bail_out "demo generate $* failed"
}

# ---- connection errors -------------------------------------------------
# Money with three decimals (--messy's decimal_scale) cannot exist in a SQL
# Server DECIMAL(14,2) column: store it as SQL Server would have, in both
# files, so that the FreeTDS and SQLite paths can be compared below.
money_as_stored() {
    sqlite3 "$1" 'UPDATE "Opportunity" SET "value" = round("value", 2); UPDATE "Contract" SET "value" = round("value", 2)'
}
gen "$TEST_TMP/messy-esc.db" --scale 300 --messy --seed 11 --surrogates=escape
money_as_stored "$TEST_TMP/messy-esc.db"
serve messy "$TEST_TMP/messy-esc.db"
MESSY=$LOC
newdb errs
run_fails "a wrong password fails with status 1" 1 env PANTRYCRM_MSSQL_PASSWORD=wrong-one \
    "$PANTRYCRM" -d dbname=errs migrate --source "$MESSY" --progress none
like "$ERR" "login .*failed.*18456" "with the server's login failure (18456)"
like "$ERR" "Login failed for user" "and its text"
if [ -z "$REAL" ]; then
    # a port nobody listens on: the stand-in's once it is gone
    standin_start gone "$TEST_TMP/messy-esc.db"
    gone=$STANDIN_PORT
    standin_stop gone
    run_fails "an unreachable server fails with status 1" 1 \
        "$PANTRYCRM" -d dbname=errs migrate --source "mssql://sa@127.0.0.1:$gone/standin" --progress none
    like "$ERR" "cannot connect to SQL Server.*(20009|Connection refused)" "with a clear message"
    run_fails "encrypt=require is not weakened against a server without TLS" 1 \
        "$PROBE" "$MESSY?encrypt=require" facts
    like "$ERR" "cannot connect.*encrypt=require" "the connection is refused and the option named"
    run_ok "encrypt=request goes on in clear with this server" "$PROBE" "$MESSY?encrypt=request" facts
    # A server that accepts the connection and never answers the login.
    python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1]); time.sleep(60)' "$TEST_TMP/mute.port" &
    mute=$!
    at_exit "kill $mute 2>/dev/null"
    i=0; while [ ! -s "$TEST_TMP/mute.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    run_fails "a server that does not answer the login" 1 \
        "$PROBE" "mssql://sa@127.0.0.1:$(cat "$TEST_TMP/mute.port")/standin?login_timeout=1" facts
    like "$ERR" "did not answer the login within 1 s" "gives up after login_timeout"
    kill $mute 2>/dev/null
fi
run_fails "a password in the locator is refused" 1 \
    "$PANTRYCRM" -d dbname=errs migrate --source "mssql://sa:secret@127.0.0.1:1/standin" --progress none
like "$ERR" "must not contain a password" "saying why"
run_fails "password= as an option too" 1 "$PROBE" "$MESSY?password=x" facts
run_fails "a source without a user is refused" 1 "$PROBE" "mssql://127.0.0.1:1/standin" facts
like "$ERR" "PANTRYCRM_MSSQL_USER" "naming the variable that can give it"
if have_cmd setsid util-linux; then
    run_fails "no password and no terminal: a clear refusal" 1 \
        env -u PANTRYCRM_MSSQL_PASSWORD setsid -w "$PROBE" "$MESSY" facts
    like "$ERR" "no SQL Server password.*PANTRYCRM_MSSQL_PASSWORD" "naming the ways to give one"
fi
printf '%s\n' "$PANTRYCRM_MSSQL_PASSWORD" >"$TEST_TMP/pw"
if have_cmd script bsdutils; then
    # On a terminal (script gives one) the password is asked for, unechoed.
    out=$( (sleep 1; printf '%s\n' "$PANTRYCRM_MSSQL_PASSWORD") | env -u PANTRYCRM_MSSQL_PASSWORD \
        script -qec "'$PROBE' '$MESSY' encoding" /dev/null 2>&1)
    like "$out" "SQL Server password for sa@" "with no password given, a terminal gets a prompt"
    like "$out" "utf-(8|16le)" "and the typed password logs in"
    unlike "$out" "$PANTRYCRM_MSSQL_PASSWORD" "without echoing it"
fi
run_ok "the password can come from password_file=PATH" \
    env -u PANTRYCRM_MSSQL_PASSWORD "$PROBE" "$MESSY?password_file=$TEST_TMP/pw" facts
run_ok "or from PANTRYCRM_MSSQL_PASSWORD_FILE" \
    env -u PANTRYCRM_MSSQL_PASSWORD PANTRYCRM_MSSQL_PASSWORD_FILE="$TEST_TMP/pw" "$PROBE" "$MESSY" facts
is "$(psql_val 'SELECT count(*) FROM migration.run' errs)" 0 "no failed connection started a run"

run_ok "facts of the source" "$PROBE" "$MESSY" facts
like "$OUT" "server=SQL Server [0-9]" "the server and its version"
like "$OUT" "snapshot_isolation=(-1|0|1)" "snapshot isolation, checked"
like "$OUT" "read_committed_snapshot=(-1|0|1)" "read committed snapshot, checked"

# ---- the messy load ------------------------------------------------------
newdb m
run_ok "migrate loads the messy source through FreeTDS" \
    "$PANTRYCRM" -d dbname=m migrate --source "$MESSY" --progress none --jobs 3
SRC=$TEST_TMP/messy-esc.db
for t in $tables; do
    n=$(sqlite3 "$SRC" "SELECT count(*) FROM \"$t\"")
    is "$(psql_val "SELECT rows_read, rows_migrated + rows_quarantined, done FROM migration.checkpoint WHERE table_name = '$t'" m)" \
       "$n|$n|t" "$t: read = migrated + quarantined = $n source rows"
done
run_ok "verify passes, reading the source through FreeTDS again" "$PANTRYCRM" -d dbname=m verify
like "$OUT" "every migrated row matches" "verify says so"
for repair in text_nul text_lone_surrogate datetime_rounded enum_normalised; do
    n=$(psql_val "SELECT coalesce(sum(v::bigint), 0) FROM migration.checkpoint, jsonb_each_text(repairs) e(k, v) WHERE k LIKE '%:$repair'" m)
    ok "$([ "$n" -gt 0 ]; echo $?)" "repairs counted for $repair ($n)"
done
tails=0 n=0 q=0
for tc in Organization.notes Interaction.description; do
    t=${tc%.*} c=${tc#*.}
    tails=$((tails + $(sqlite3 "$TEST_TMP/messy-esc.db" "SELECT count(*) FROM \"$t\" WHERE \"$c\" LIKE '%\\uD83D'")))
    keys=$(sqlite3 "$TEST_TMP/messy-esc.db" "SELECT group_concat(quote(id), ',') FROM \"$t\" WHERE \"$c\" LIKE '%\\uD83D'")
    [ -n "$keys" ] || continue
    n=$((n + $(psql_val "SELECT count(*) FROM \"$t\" WHERE right(\"$c\", 1) = U&'\\FFFD' AND metadata->'legacy' ? '$c'" m)))
    q=$((q + $(psql_val "SELECT count(*) FROM migration.quarantine WHERE table_name = '$t' AND source_key IN ($keys)" m)))
done
diag "$tails NVARCHAR(MAX) values end in a lone high surrogate in the source; $q of their rows are quarantined for other dirt"
ok "$([ "$tails" -gt 0 ] && [ "$n" -ge 1 ] && [ $((n + q)) -ge "$tails" ]; echo $?)" \
   "each arrived whole (db-lib would have lost the connection), repaired, with its original kept ($n)"
src_locator=$(psql_val "SELECT source FROM migration.run ORDER BY id DESC LIMIT 1" m)
is "$src_locator" "$MESSY" "the run records the locator"

# The same data through the SQLite source (surrogates as WTF-8 bytes there,
# as escapes for the stand-in) gives the same target, byte for byte.
if [ -z "$REAL" ]; then
    gen "$TEST_TMP/messy-wtf8.db" --scale 300 --messy --seed 11
    money_as_stored "$TEST_TMP/messy-wtf8.db"
    newdb ms
    "$PANTRYCRM" -d dbname=ms migrate --source "sqlite:$TEST_TMP/messy-wtf8.db" --progress none >/dev/null \
        || bail_out "the SQLite-source migration failed"
    # One representation differs, by design: a quarantined row's original
    # DECIMAL(14,2) is SQL Server's "173422.70" here, SQLite's REAL
    # "173422.7" there; compare those as numbers.
    is "$(digest m numeric)" "$(digest ms numeric)" \
       "FreeTDS and SQLite sources give the identical target (values, repairs, originals, quarantine)"
fi

# ---- passwords stay out of every record ----------------------------------
pw=$PANTRYCRM_MSSQL_PASSWORD
unlike "$(psql_val "SELECT r::text FROM migration.run r" m)" "$pw" "migration.run holds no password"
unlike "$(sqlite3 "$XDG_STATE_HOME/pantrycrm/state.db" .dump 2>/dev/null)" "$pw" "the state file holds no password"
newdb p
# Seen while the run is mid-way, its connections open: it freezes itself
# after its first batch (PANTRYCRM_FAULT), is looked at, and let go.
PANTRYCRM_FAULT=batch@1:STOP "$PANTRYCRM" -d dbname=p migrate --source "$MESSY" --progress none \
    --batch-size 50 --jobs 2 >/dev/null 2>&1 &
mpid=$!
n=0
until [ "$(cut -d' ' -f3 "/proc/$mpid/stat" 2>/dev/null)" = T ] || [ $n -ge 1200 ]; do
    n=$((n + 1)); sleep 0.05
done
is "$(cut -d' ' -f3 "/proc/$mpid/stat" 2>/dev/null)" T "a run stopped mid-way, for a look at every command line"
seen=$(ps -ww -eo args 2>/dev/null)
kill -CONT "$mpid"
wait "$mpid"
unlike "$seen" "$pw" "no command line shows the password"

# ---- kill -9 and resume --------------------------------------------------
gen "$TEST_TMP/crash.db" --scale 1500 --messy --seed 5 --surrogates=escape
serve crash "$TEST_TMP/crash.db"
CRASH=$LOC
newdb ref
newdb k
run_ok "an uninterrupted reference run" \
    "$PANTRYCRM" -d dbname=ref migrate --source "$CRASH" --progress none --batch-size 97 --jobs 3
# Eight kill -9 in a row, each at a pseudo-random batch of its run (the
# same ones every time: PANTRYCRM_FAULT, not a timer), each run resuming
# the one before.
seed=3
kills=0
for i in 1 2 3 4 5 6 7 8; do
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    PANTRYCRM_FAULT="batch@$(( seed % 6 + 1 )):KILL" "$PANTRYCRM" -d dbname=k migrate --source "$CRASH" \
        --progress none --batch-size 97 --jobs 3 >/dev/null 2>&1
    [ $? -eq 137 ] && kills=$((kills + 1))
done
is "$kills" 8 "eight runs in a row were killed mid-way"
run_ok "the run after the kills completes" \
    "$PANTRYCRM" -d dbname=k migrate --source "$CRASH" --progress none --batch-size 97 --jobs 3
is "$(digest k)" "$(digest ref)" "the target equals the uninterrupted run's: nothing lost, nothing doubled"
run_ok "verify passes after the kills" "$PANTRYCRM" -d dbname=k verify

# ---- clean data ----------------------------------------------------------
gen "$TEST_TMP/clean.db" --scale 200 --seed 2
serve clean "$TEST_TMP/clean.db"
newdb c
run_ok "clean data migrates" "$PANTRYCRM" -d dbname=c migrate --source "$LOC" --progress none
is "$(psql_val "SELECT count(*) FROM migration.quarantine" c)" 0 "nothing is quarantined"
is "$(psql_val "SELECT count(*) FROM \"Interaction\"" c)" "$(sqlite3 "$TEST_TMP/clean.db" 'SELECT count(*) FROM "Interaction"')" \
   "every interaction arrived"
run_ok "verify passes on clean data" "$PANTRYCRM" -d dbname=c verify

if [ -n "$REAL" ]; then
    done_testing
    exit $?
fi

# ---- exact values, key-ordered chunks (stand-in only) --------------------
T=$TEST_TMP/typed.db
sqlite3 "$T" <<'SQL'
CREATE TABLE "Typed" ("id" INT NOT NULL PRIMARY KEY, "g" UNIQUEIDENTIFIER, "d" DECIMAL_TEXT(38,10),
  "m" DECIMAL(14,2), "t" DATETIME2, "dd" DATE, "txt" NVARCHAR(-1), "n" NVARCHAR(50), "b" BIT,
  "big" BIGINT, "f" FLOAT, "mon" MONEY, "vb" VARBINARY(-1));
INSERT INTO "Typed" VALUES (1, 'B4C1BC09-FC58-49C8-995B-9A688C5349E5',
  '-1234567890123456789012345678.0123456789', -0.05, '2024-08-21 11:59:43.1234567', '0001-01-01',
  'end\uD83D', 'a\u0000b', 1, -9223372036854775808, 0.1, -12.3456, X'00FF10');
INSERT INTO "Typed" VALUES (2, 'c4e8953e-22c2-4c09-a490-b88ee336a1cd', '0.0000000001', 0,
  '9999-12-31 23:59:59.9999999', '2024-02-29', 'pair \uD83D\uDE00 mid\uDC00x ''q''', '', 0,
  9223372036854775807, 1e300, 12345.6789, X'');
INSERT INTO "Typed" VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "Typed" VALUES (4, '00000000-0000-0000-0000-000000000000',
  '99999999999999999999999999.9999999999', 123456789012.34, '1899-12-30 00:00:00', '1970-01-01',
  'caf' || char(0) || 'x', 'x', 1, 0, -2.5, 0, X'41');
CREATE TABLE "Other" ("k" NVARCHAR(20) NOT NULL PRIMARY KEY, "v" INT);
INSERT INTO "Other" VALUES ('a', 1), ('b''c', 2), ('d', 3);
SQL
serve typed "$T" --ct-table dbo.Typed
TYPED=$LOC
run_ok "describe gives SQL Server type names" "$PROBE" "$TYPED" describe
like "$OUT" "Typed.txt NVARCHAR\\(MAX\\)" "NVARCHAR(MAX)"
like "$OUT" "Typed.d DECIMAL\\(38,10\\)" "DECIMAL(p,s)"
like "$OUT" "Typed.g UNIQUEIDENTIFIER" "UNIQUEIDENTIFIER"
run_ok "all rows stream" "$PROBE" "$TYPED" dump Typed id
row() { printf '%s\n' "$OUT" | sed -n "$1p"; }
is "$(row 1)" '1 | B4C1BC09-FC58-49C8-995B-9A688C5349E5 | -1234567890123456789012345678.0123456789 | -0.05 | 2024-08-21 11:59:43.1234567 | 0001-01-01 | end\xED\xA0\xBD | a\x00b | 1 | -9223372036854775808 | 0.10000000000000001 | -12.3456 | \x00\xFF\x10' \
   "row 1: GUID byte order, 38-digit DECIMAL, all 7 DATETIME2 digits, a lone high surrogate at the end of NVARCHAR(MAX), NUL, BIGINT min, binary"
is "$(row 2)" "2 | C4E8953E-22C2-4C09-A490-B88EE336A1CD | 0.0000000001 | 0.00 | 9999-12-31 23:59:59.9999999 | 2024-02-29 | pair \\xF0\\x9F\\x98\\x80 mid\\xED\\xB0\\x80x 'q' |  | 0 | 9223372036854775807 | 1.0000000000000001e+300 | 12345.6789 | " \
   "row 2: a pair joined, a lone low surrogate kept, quotes, empty strings are not NULL"
is "$(row 3)" '3 | \N | \N | \N | \N | \N | \N | \N | \N | \N | \N | \N | \N' "row 3: NULLs"
is "$(row 4)" '4 | 00000000-0000-0000-0000-000000000000 | 99999999999999999999999999.9999999999 | 123456789012.34 | 1899-12-30 00:00:00.0000000 | 1970-01-01 | caf\x00x | x | 1 | 0 | -2.5 | 0.0000 | A' \
   "row 4: a real NUL byte in the stored text, the largest DECIMAL(38,10)"
run_ok "a chunk after a key" "$PROBE" "$TYPED" dump Typed id 1 2 id
is "$OUT" "$(printf '2\n3')" "resumes after the key, limited, in key order"
run_ok "a text key with a quote resumes exactly" "$PROBE" "$TYPED" dump Other k "b'c"
is "$OUT" "d | 3" "after 'b''c' comes d"
run_ok "counts and estimates" "$PROBE" "$TYPED" count Typed
is "$OUT" "4 4" "4 rows"
run_fails "a table outside the catalog is refused before any SQL" 1 "$PROBE" "$TYPED" dump "Typed]; DROP TABLE x; --" id - 0 id
like "$ERR" "not in the source catalog" "identifiers come from the catalog only"

# ---- timeouts ------------------------------------------------------------
run_fails "a query over the time limit is cancelled" 1 "$PROBE" "$MESSY?timeout=1" exec \
    "SELECT COUNT_BIG(*) FROM dbo.Interaction AS a, dbo.Interaction AS b, dbo.Interaction AS c" \
    "SELECT COUNT_BIG(*) FROM dbo.Organization"
like "$OUT" "error: .*timed out after 1 s" "the timeout is reported"
like "$OUT" "ok 300" "and the same connection answers the next query"
run_fails "a server error keeps the connection" 1 "$PROBE" "$MESSY" exec "SELECT nosuch FROM dbo.Lead" "SELECT 7"
like "$OUT" "SQL Server error 207 .*Invalid column name 'nosuch'" "with the server's number and text"
like "$OUT" "ok 7" "and the next query works"
# The server's message quotes the name: an escape in it must not reach the terminal raw.
run_fails "a server error quoting a hostile name" 1 "$PROBE" "$MESSY" exec "SELECT 1 FROM dbo.[no$(printf '\033')[2Jsuch]"
like "$OUT" "SQL Server error [0-9]+ .*no␛\\[2Jsuch" "shows it, made visible"
ok "$(printf '%s' "$OUT$ERR" | LC_ALL=C grep -q "$(printf '\033')"; [ $? -eq 1 ]; echo $?)" "with no raw escape byte"

# ---- Change Tracking ----------------------------------------------------
run_ok "facts see Change Tracking" "$PROBE" "$TYPED" facts
like "$OUT" "change_tracking=1" "enabled"
run_ok "facts without it" "$PROBE" "$MESSY" facts
like "$OUT" "change_tracking=0" "not enabled"
run_ok "no changes yet" "$PROBE" "$TYPED" changes Typed id -1 id
is "$OUT" "$(printf 'current 0\nmin_valid 0')" "version 0, nothing retained"
run_ok "the old application writes" "$PROBE" "$TYPED" exec \
    "INSERT INTO dbo.Typed (id, txt, m) VALUES (5, N'new\\uD83D', 1.5)" \
    "UPDATE dbo.Typed SET txt = N'upd' WHERE id = 1" \
    "DELETE FROM dbo.Typed WHERE id = 2" \
    "BEGIN TRAN; INSERT INTO dbo.Typed (id) VALUES (6); UPDATE dbo.Typed SET m = 2 WHERE id = 5; COMMIT" \
    "BEGIN TRAN; DELETE FROM dbo.Typed WHERE id = 6; COMMIT"
run_ok "changes since 0" "$PROBE" "$TYPED" changes Typed id 0 id txt m
is "$OUT" "$(printf '%s\n' 'current 5' 'min_valid 0' '2 U 1 | 1 | upd | -0.05' '3 D 2 | (gone)' \
    '4 I 5 | 5 | new\xED\xA0\xBD | 2.00' '5 D 6 | (gone)')" \
   "net changes in key order: the current row for I/U (through the same decoding), none for D"
run_ok "changes since 3" "$PROBE" "$TYPED" changes Typed id 3 id
is "$OUT" "$(printf '%s\n' 'current 5' 'min_valid 0' '4 U 5 | 5' '5 D 6 | (gone)')" \
   "only the later ones (5 existed before version 3: an update)"
run_ok "retention cleanup" "$PROBE" "$TYPED" exec "EXEC sp_standin_ct_cleanup 'dbo.Typed', 4"
run_ok "the minimum valid version moves" "$PROBE" "$TYPED" changes Typed id 4 id
like "$OUT" "min_valid 4" "to 4"
run_ok "an untracked table" "$PROBE" "$TYPED" changes Other k 0 k
like "$OUT" "not tracked" "says so"

done_testing
