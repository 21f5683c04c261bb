# tests/pgbouncer.sh - a throwaway PgBouncer (Debian's package) in
# transaction mode in front of the test's PostgreSQL. Source after
# pgcluster.sh and pg_start, then call pgb_start.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
#
# Two server connections, handed out round robin: consecutive transactions
# of one client land on different server processes, so anything that
# leans on session state (a named prepared statement, a SET, a session
# advisory lock) shows up at once instead of now and then. PgBouncer, like
# the server, refuses to run as root: as root it runs as postgres.
# Sets PGB_SOCK, PGB_PORT and POOL (a conninfo prefix for the pool);
# pgb_outage and pgb_launch stop and start it again.

pgb_bin() {
    local d
    for d in $(command -v pgbouncer 2>/dev/null) /usr/sbin/pgbouncer /usr/bin/pgbouncer; do
        if [ -x "$d" ]; then echo "$d"; return 0; fi
    done
    return 1
}

pgb_stop() {
    [ -n "${PGB_DIR:-}" ] || return 0
    if [ -f "$PGB_DIR/pgbouncer.pid" ]; then
        kill "$(cat "$PGB_DIR/pgbouncer.pid")" 2>/dev/null || true
    fi
}

# pgb_start [POOL_SIZE]
pgb_start() {
    local bin
    bin=$(pgb_bin) || tool_missing pgbouncer pgbouncer
    bin=$(pgb_bin) || skip_all "pgbouncer is not installed (tools/deps.sh installs Debian's package)"
    PGB_DIR=$TEST_TMP/pgb PGB_PORT=6432 PGB_SOCK=$TEST_TMP/pgb
    _pg_as mkdir -p "$PGB_DIR"
    printf '"postgres" ""\n"mon" ""\n' >"$TEST_TMP/pgb-users.txt"
    cat >"$TEST_TMP/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT

[pgbouncer]
listen_addr =
listen_port = $PGB_PORT
unix_socket_dir = $PGB_DIR
auth_type = trust
auth_file = $TEST_TMP/pgb-users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = ${1:-2}
min_pool_size = ${1:-2}
server_round_robin = 1
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
INI
    at_exit pgb_stop
    PGB_BIN=$bin
    pgb_launch
    POOL="host=$PGB_SOCK port=$PGB_PORT"
}

# pgb_outage: PgBouncer goes away (every client connection through it with
# it) and is back once pgb_launch runs.
pgb_outage() {
    local p
    p=$(cat "$PGB_DIR/pgbouncer.pid")
    kill "$p"
    while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
}

pgb_launch() {
    _pg_as "$PGB_BIN" -d "$TEST_TMP/pgbouncer.ini" >"$TEST_TMP/pgb-start.log" 2>&1 \
        || { cat "$TEST_TMP/pgb-start.log" "$PGB_DIR/pgbouncer.log" >&2; bail_out "pgbouncer did not start"; }
    local i=0
    while ! psql -X -q -h "$PGB_SOCK" -p "$PGB_PORT" -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 200 ] || { cat "$PGB_DIR/pgbouncer.log" >&2; bail_out "pgbouncer does not answer"; }
        sleep 0.05
    done
}
