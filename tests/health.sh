#!/bin/sh
# health.sh: `pantrycrm health` against a real PostgreSQL: exit 0 ok, 1
# degraded, 2 down; --json shape; a pg_monitor-only role sees everything;
# pg_stat_statements absent gives the hint, present gives the slowest
# statements; unused indexes, missing-index hints, dead rows, the settings
# advisor against the seed's recommendations.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd python3 python3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 200 --seed 3 --out "$SRC" >/dev/null || bail_out "demo generate failed"
pg_createdb h
C=dbname=h
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d $C migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate failed"
q() { psql_val "$1" h; }
J=$TEST_TMP/h.json
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$J"; }

run_fails "--memory with a bad size is a usage error" 2 "$PANTRYCRM" -d $C health --memory=lots
like "$ERR" "--memory takes a size" "and says what it takes"

# --- ok ------------------------------------------------------------------------
run_ok "a healthy target and source: exit 0" "$PANTRYCRM" -d $C health --json --memory=4GB
printf '%s' "$OUT" >"$J"
ok "$(python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$J" >/dev/null 2>&1; echo $?)" "--json is valid JSON"
is "$(jq_ 'sorted(d.keys())')" \
   "['indexes', 'notes', 'reasons', 'server', 'settings', 'source', 'statements', 'status', 'tables', 'target']" \
   "the JSON has the documented sections"
is "$(jq_ 'd["status"]')" "ok" "status ok"
is "$(jq_ 'd["source"]["locator"] + " " + str(d["source"]["ok"])')" "$SRC True" \
   "the source is the last migration run's, and it answers"
is "$(jq_ 'd["server"]["version_num"] // 10000')" "$(q "SELECT current_setting('server_version_num')::int / 10000")" "server version"
is "$(jq_ 'd["server"]["connections_max"]')" "40" "max_connections (the test cluster's 40)"
is "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(abs(d['server']['database_bytes'] - int(sys.argv[2])) < 4000000)" "$J" \
      "$(q 'SELECT pg_database_size(current_database())')")" "True" "database size (within a few MB of pg_database_size)"
is "$(jq_ '0 <= d["server"]["cache_hit_ratio"] <= 1')" "True" "a cache hit ratio between 0 and 1"
is "$(jq_ 'd["target"]["ok"] and d["target"]["ping_ms"] >= 0 and d["target"]["connect_ms"] > 0')" "True" "connection latency measured"
like "$(jq_ '[t["table"] for t in d["tables"]]')" "public.Interaction" "tables listed"
is "$(jq_ '[t for t in d["tables"] if t["table"] == "public.Organization"][0]["live_rows"] >= 0')" "True" "with live rows"
like "$(jq_ 'd["settings"]["advice"][0]')" "'name': 'shared_buffers', 'current': '128MB', 'recommended': '1GB', 'verdict': 'lower'" \
     "settings advice: shared_buffers 128MB is lower than 25% of 4GB"
like "$(jq_ '[a["advice"] for a in d["settings"]["advice"] if a["name"] == "random_page_cost"][0]')" \
     "higher than recommended \(1.1\): .*SSD" "random_page_cost 4 is higher than the seed's 1.1, and why"
like "$(jq_ '[a["advice"] for a in d["settings"]["advice"] if a["name"] == "max_wal_size"][0]')" \
     "checkpoint_segments" "max_wal_size explains the seed's obsolete checkpoint_segments"
is "$(jq_ 'd["settings"]["memory_bytes"]')" "4294967296" "recommendations are for the given memory"
is "$(jq_ 'd["statements"]["installed"]')" "False" "pg_stat_statements is not installed here"
like "$(jq_ 'd["statements"]["hint"]')" "shared_preload_libraries.*CREATE EXTENSION pg_stat_statements" \
     "and the hint says how to enable it"

# --- indexes: an unused one, and a big table read by sequential scans -----------
q 'CREATE INDEX unused_city_idx ON "Organization" (city, state)' >/dev/null
q 'CREATE TABLE public.big AS SELECT g AS id, g % 7 AS k FROM generate_series(1, 20000) g' >/dev/null
q 'ANALYZE public.big' >/dev/null
for i in 1 2 3; do q 'SELECT count(*) FROM public.big WHERE k = 3' >/dev/null; done
# The cumulative statistics reach the views when a backend flushes them.
stat_wait() { # SQL condition on pg_stat_user_tables for public.big
    i=0; while [ $i -lt 100 ] && [ "$(q "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'big' AND $1")" != 1 ]; do
        sleep 0.1; i=$((i + 1)); done
}
stat_wait "seq_scan >= 3"
run_ok "health after creating an index and scanning a table" "$PANTRYCRM" -d $C health --json
printf '%s' "$OUT" >"$J"
like "$(jq_ '[u["index"] for u in d["indexes"]["unused"]]')" "public.unused_city_idx" "the never-used index is listed as unused"
unlike "$(jq_ '[u["index"] for u in d["indexes"]["unused"]]')" "_pkey" "primary keys never are"
like "$(jq_ 'd["indexes"]["missing_hints"]')" "public.big: 3 sequential scans \(20000 rows each" "a missing-index hint for the big table"
is "$(jq_ 'd["indexes"]["count"]')" "$(q 'SELECT count(*) FROM pg_stat_user_indexes')" "index count"

# --- dead rows make it degraded -------------------------------------------------
q 'ALTER TABLE public.big SET (autovacuum_enabled = off)' >/dev/null
q 'DELETE FROM public.big WHERE id > 5000' >/dev/null
stat_wait "n_dead_tup = 15000"
run_fails "many dead rows: degraded (exit 1)" 1 "$PANTRYCRM" -d $C health
like "$OUT" "public.big has 15000 dead rows for 5000 live" "the reason names the table"
q 'DROP TABLE public.big' >/dev/null

# --- a pg_monitor-only role ------------------------------------------------------
q "CREATE ROLE mon LOGIN IN ROLE pg_monitor" >/dev/null
run_ok "a pg_monitor role: exit 0" "$PANTRYCRM" -d "dbname=h user=mon" health --json --source "$SRC"
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["status"]')" "ok" "status ok"
is "$(jq_ 'd["notes"]')" "[]" "nothing it could not read"
is "$(jq_ 'len(d["tables"]) > 5 and d["server"]["database_bytes"] > 0')" "True" "it sees tables and sizes"
is "$(jq_ 'len(d["settings"]["advice"])')" "15" "and every setting"
run_ok "without --source, pg_monitor cannot read migration.run" "$PANTRYCRM" -d "dbname=h user=mon" health --json
printf '%s' "$OUT" >"$J"
like "$(jq_ 'd["notes"]')" "legacy source is unknown: .*permission denied" "a note says why the source is unknown"
is "$(jq_ 'd["status"]')" "ok" "but that is not a failure"

# --- degraded: the source cannot be read ----------------------------------------
run_fails "an unreadable source: degraded (exit 1)" 1 "$PANTRYCRM" -d $C health --source "$TEST_TMP/gone.db"
like "$OUT" "Status: degraded" "the text says degraded"
like "$OUT" "legacy source .*gone.db cannot be read" "and why"

# --- text cut to fit stays valid UTF-8 ------------------------------------------
# The locator and the error quoting it are kept in 256 bytes: a cut inside
# a multi-byte character made the JSON string invalid, and jansson dropped it.
# Both byte parities of the cut: with and without one ASCII byte in front.
for pad in "" x; do
    LONG=$TEST_TMP/$pad$(python3 -c 'print("ä" * 150)').db
    run_fails "a long non-ASCII source locator${pad:+ (shifted by a byte)}: degraded (exit 1)" 1 \
        "$PANTRYCRM" -d $C health --json --source "$LONG"
    printf '%s' "$OUT" >"$J"
    is "$(jq_ 'd["source"]["locator"] is not None and d["source"]["locator"].endswith("ä")')" "True" \
       "the shortened locator is in the JSON, cut between characters"
    is "$(jq_ 'd["source"]["error"] is not None')" "True" "and so is the error that quotes it"
    is "$(jq_ 'len(d["reasons"]) > 0 and all(r is not None for r in d["reasons"])')" "True" "and the reason"
done

# --- pg_stat_statements installed -----------------------------------------------
if [ -n "$(ls /usr/share/postgresql/*/extension/pg_stat_statements.control 2>/dev/null)" ]; then
    echo "shared_preload_libraries = 'pg_stat_statements'" >>"$PGT_DATA/postgresql.conf"
    _pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -l "$TEST_TMP/server.log" -w -t 60 restart >/dev/null 2>&1 \
        || bail_out "the server did not restart"
    run_ok "preloaded but not created" "$PANTRYCRM" -d $C health --json
    printf '%s' "$OUT" >"$J"
    like "$(jq_ 'd["statements"]["hint"]')" "loaded but not created.*CREATE EXTENSION" "hint: create the extension"
    q 'CREATE EXTENSION pg_stat_statements' >/dev/null
    q 'SELECT pg_sleep(0.2), count(*) FROM "Interaction"' >/dev/null
    run_ok "with pg_stat_statements" "$PANTRYCRM" -d "dbname=h user=mon" health --json
    printf '%s' "$OUT" >"$J"
    is "$(jq_ 'd["statements"]["installed"]')" "True" "installed"
    is "$(jq_ '[round(x["mean_ms"]) >= 200 for x in d["statements"]["slowest"] if "pg_sleep" in x["query"]]')" "[True]" \
       "the slow statement is listed, with its mean time"
    is "$(jq_ '[x["mean_ms"] for x in d["statements"]["slowest"]] == sorted([x["mean_ms"] for x in d["statements"]["slowest"]], reverse=True)')" \
       "True" "slowest first"
else
    skip "pg_stat_statements is not available on this server"
fi

# --- names from the server are printed sanitized ---------------------------------
# Any role with CREATE can put an escape sequence in a table or index name;
# the text report must show it, not send it to the terminal.
q "CREATE TABLE public.\"evil$(printf '\033')]0;pwned$(printf '\007')\" (a int);
   CREATE INDEX \"ix$(printf '\033')[2J\" ON public.\"evil$(printf '\033')]0;pwned$(printf '\007')\" (a)" >/dev/null
run "$PANTRYCRM" -d $C health
like "$OUT" "unused: public.ix␛\\[2J on public.evil␛]0;pwned␇" "a hostile index and table name are listed, made visible"
unlike "$OUT" "$(printf '\033')" "no raw ESC reaches the terminal"
unlike "$OUT" "$(printf '\007')" "nor a raw BEL"

# --- down ----------------------------------------------------------------------
run_fails "an unreachable target: down (exit 2)" 2 "$PANTRYCRM" -d "host=$TEST_TMP/nosock dbname=h" health --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["status"]')" "down" "status down"
like "$(jq_ 'd["reasons"][0]')" "unreachable" "the reason"
# libpq's message is long (a socket path, then a hint of ours): whole, to
# its last word, in the reason and in the error (once cut at 256 bytes)
like "$(jq_ 'd["reasons"][0]')" "password-command\$" "the reason quotes the error whole, its hint included"
like "$(jq_ 'd["target"]["error"]')" "password-command\$" "and so does the target's error"
pg_stop
run_fails "a stopped server: down (exit 2)" 2 "$PANTRYCRM" -d $C health
like "$OUT" "Status: down" "the text says down"
like "$OUT" "down: .*password-command" "with the whole error"

done_testing
