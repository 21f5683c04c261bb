#!/bin/sh
# Read replicas and TLS: a streaming hot standby made with pg_basebackup -R
# beside the primary. On the standby health reports the role and replay
# lag, stats --refresh says to run it on the primary, stats, export and a
# read-only console work, and the console refuses an edit before the form
# opens; multi-host strings pick by target_session_attrs. Then the primary
# with TLS and a test CA: health shows the TLS version and whether the
# certificate was verified, a wrong CA gets a hint about sslmode and
# sslrootcert, and a password command (an Entra ID token's stand-in) is run
# for each connection, its token never stored.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd openssl openssl
pg_start
export XDG_STATE_HOME=$TEST_TMP/state
J=$TEST_TMP/out.json
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$J"; }
pg_createdb r
"$PANTRYCRM" -d dbname=r db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" demo generate --scale 200 --seed 5 --out "$TEST_TMP/l.db" >/dev/null || bail_out "generate failed"
"$PANTRYCRM" -d dbname=r migrate --source "$TEST_TMP/l.db" --progress none >/dev/null || bail_out "migrate failed"

# --- the standby ------------------------------------------------------------------
SB=$TEST_TMP/standby
_pg_as "$PGT_BIN/pg_basebackup" -D "$SB" -R -X stream -h "$PGHOST" -p 5432 -U postgres \
    >"$TEST_TMP/basebackup.log" 2>&1 || { cat "$TEST_TMP/basebackup.log" >&2; bail_out "pg_basebackup failed"; }
printf 'port = 5433\nhot_standby = on\n' | _pg_as tee -a "$SB/postgresql.conf" >/dev/null
standby_stop() { _pg_as "$PGT_BIN/pg_ctl" -D "$SB" -m immediate -w stop >/dev/null 2>&1 || true; }
at_exit standby_stop
_pg_as "$PGT_BIN/pg_ctl" -D "$SB" -l "$TEST_TMP/standby.log" -w -t 60 start >/dev/null 2>&1 \
    || { cat "$TEST_TMP/standby.log" >&2; bail_out "the standby did not start"; }
sq() { psql -X -q -At -p 5433 -d r -c "$1"; }
i=0
until [ "$(sq "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ] || [ $i -ge 600 ]; do
    i=$((i + 1)); sleep 0.05
done
is "$(sq 'SELECT pg_is_in_recovery()')" t "the standby is in recovery and streams from the primary"
STB="port=5433 dbname=r"

run "$PANTRYCRM" -d "$STB" health --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["server"]["role"]')" standby "health on the standby reports the role standby"
is "$(jq_ 'd["server"]["wal_receiver"]')" streaming "and its WAL receiver streaming"
is "$(jq_ 'type(d["server"]["replay_lag_seconds"]).__name__')" float "and a replay lag"
run "$PANTRYCRM" -d "$STB" health
like "$OUT" "role: standby \(read replica\), WAL receiver streaming, replay lag [0-9.]+ s" "the text report says so"
like "$OUT" "On a standby the scan counts below are this standby's own" "and that its table statistics are local"
run "$PANTRYCRM" -d dbname=r health --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["server"]["role"]')" primary "health on the primary reports primary"

run_fails "stats --refresh on the standby fails" 1 "$PANTRYCRM" -d "$STB" stats --refresh
like "$ERR" "standby.*primary" "saying to run it on the primary"
unlike "$ERR" "LOCK TABLE|recovery" "instead of the server's LOCK TABLE error"
run_fails "migrate against the standby is refused" 1 \
    "$PANTRYCRM" -d "$STB" migrate --source "$TEST_TMP/l.db" --progress none
like "$ERR" "standby \(read replica\), which takes no writes: run migrate against the primary" \
    "saying to run it against the primary"
run_ok "stats --refresh on the primary" "$PANTRYCRM" -d dbname=r stats --refresh
i=0
until [ "$(sq 'SELECT count(*) FROM dashboard.refresh')" != 0 ] || [ $i -ge 600 ]; do
    i=$((i + 1)); sleep 0.05
done
run_ok "stats on the standby reads the summary replicated from the primary" "$PANTRYCRM" -d "$STB" stats --json
orgs=$(psql_val 'SELECT count(*) FROM "Organization"' r)
run_ok "export on the standby" "$PANTRYCRM" -d "$STB" export -o "$TEST_TMP/s.csv"
is "$(($(wc -l <"$TEST_TMP/s.csv") - 1))" "$orgs" "every organization is exported from the standby"

run "$PANTRYCRM" -d "host=$PGHOST,$PGHOST port=5433,5432 dbname=r target_session_attrs=read-write" health --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["server"]["role"]')" primary "a multi-host string with read-write lands on the primary"
run "$PANTRYCRM" -d "host=$PGHOST,$PGHOST port=5432,5433 dbname=r target_session_attrs=prefer-standby" health --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["server"]["role"]')" standby "and with prefer-standby on the standby"

if have_cmd tmux tmux; then
    S=sb
    . "$abs_top_srcdir/tests/tui.sh"
    tui_init replica
    $T new-session -d -s $S -x 140 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 ESCDELAY=25 XDG_STATE_HOME='$XDG_STATE_HOME' PGHOST='$PGHOST' '$PANTRYCRM' -d '$STB'; echo EXITED=\$?; sleep 30"
    wait_for "READ-ONLY.*STANDBY.*Organizations"; ok $? "the console on the standby marks the header read-only and standby"
    wait_for "sorted by name"
    $T send-keys -t $S e
    wait_for "standby \(read replica\) takes no edits"; ok $? "e is refused before a form opens, saying what to do"
    screen_unlike "Edit organization" "no form opened"
    $T send-keys -t $S q
    wait_for "EXITED=0"; ok $? "the console quits"
else
    skip "tmux is not installed: the console part"
fi
standby_stop

# --- TLS with a test CA, and a password command ------------------------------------
C=$TEST_TMP/tls
mkdir -p "$C"
ca() { # name: a self-signed CA
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pantrycrm test $1" \
        -keyout "$C/$1.key" -out "$C/$1.crt" >/dev/null 2>&1
}
ca ca; ca otherca
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$C/server.key" -out "$C/server.csr" >/dev/null 2>&1
printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >"$C/ext.cnf"
openssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
    -extfile "$C/ext.cnf" -out "$C/server.crt" >/dev/null 2>&1 || bail_out "cannot make the test certificates"
cp "$C/server.crt" "$C/server.key" "$PGT_DATA/"
chmod 600 "$PGT_DATA/server.key"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PGT_DATA/server.crt" "$PGT_DATA/server.key"; fi
TCP=$((20000 + $$ % 20000))
cat <<CONF | _pg_as tee -a "$PGT_DATA/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
port = $TCP
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
CONF
{ echo "host all tokenuser 127.0.0.1/32 scram-sha-256"; cat "$PGT_DATA/pg_hba.conf"; } >"$TEST_TMP/hba"
_pg_as cp "$TEST_TMP/hba" "$PGT_DATA/pg_hba.conf"
_pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -m fast -w stop >/dev/null
_pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -l "$TEST_TMP/server.log" -w -t 60 start >/dev/null 2>&1 \
    || { cat "$TEST_TMP/server.log" >&2; bail_out "the TLS server did not start (port $TCP)"; }
export PGPORT=$TCP
TLS="host=localhost port=$TCP dbname=r"

run "$PANTRYCRM" -d "$TLS sslmode=verify-full sslrootcert=$C/ca.crt" health --json
printf '%s' "$OUT" >"$J"
like "$(jq_ 'd["server"]["tls"]')" "^TLSv1\.[23], server certificate and name verified \(sslmode=verify-full\)$" \
    "health over verify-full shows the TLS version and a verified certificate"
run "$PANTRYCRM" -d "$TLS sslmode=require" health
like "$OUT" "TLS: TLSv1\.[23], server certificate NOT verified \(sslmode=require\)" "over require it says the certificate was not verified"
run "$PANTRYCRM" -d "dbname=r host=$PGHOST" health
like "$OUT" "TLS: local socket, no TLS" "over the local socket it says there is no TLS"
run_fails "a server certificate from another CA is refused" 1 \
    "$PANTRYCRM" -d "$TLS sslmode=verify-full sslrootcert=$C/otherca.crt" stats
like "$ERR" "certificate" "the error is libpq's certificate error"
like "$ERR" "hint:.*sslmode.*sslrootcert" "with a hint about sslmode and sslrootcert"
unlike "$ERR" "pass a connection string with -d" "not one about -d"

psql -X -q -d r -c "CREATE ROLE tokenuser LOGIN PASSWORD 'tok-1'; GRANT pg_read_all_data TO tokenuser"
printf 'tok-1\n' >"$TEST_TMP/token"
cat >"$TEST_TMP/token.sh" <<SH
echo run >>"$TEST_TMP/token.calls"
cat "$TEST_TMP/token"
SH
export PANTRYCRM_PASSWORD_COMMAND="sh '$TEST_TMP/token.sh'"
TOK="$TLS user=tokenuser sslmode=verify-full sslrootcert=$C/ca.crt"
run_ok "the password command's token signs in" \
    sh -c "echo 'SELECT count(*) FROM \"Organization\"' | '$PANTRYCRM' -d '$TOK' export -q -"
like "$OUT" "^count" "and the export runs"
is "$(wc -l <"$TEST_TMP/token.calls" | tr -d ' ')" 1 "the command ran once for the one connection"
psql -X -q -d r -c "ALTER ROLE tokenuser PASSWORD 'tok-2'"
printf 'tok-2\n' >"$TEST_TMP/token"
run_ok "a rotated token is picked up by the next connection" "$PANTRYCRM" -d "$TOK" health
is "$(wc -l <"$TEST_TMP/token.calls" | tr -d ' ')" 2 "the command ran again"
printf 'expired\n' >"$TEST_TMP/token"
run_fails "a refused token fails the connection" 1 "$PANTRYCRM" -d "$TOK" stats
like "$ERR" "hint: the password command's token was refused" "with a hint about the token"
printf 'exit 3\n' >"$TEST_TMP/token.sh"
run_fails "a failing password command stops the command" 1 "$PANTRYCRM" -d "$TOK" stats
like "$ERR" "password command failed \(exit status 3\)" "saying how it failed"
unset PANTRYCRM_PASSWORD_COMMAND
is "$(grep -rl 'tok-2' "$XDG_STATE_HOME" 2>/dev/null | wc -l | tr -d ' ')" 0 "no token is stored in the state directory"
done_testing
