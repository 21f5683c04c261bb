#!/bin/sh
# demo up/down/status: a private cluster on a unix socket, as root (server
# run by the postgres user) and as a normal user.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_bindir >/dev/null || tool_missing initdb postgresql
pg_bindir >/dev/null || skip_all "PostgreSQL server binaries not found (install postgresql)"

chmod 711 "$TEST_TMP"   # as root, the postgres user must pass through
export XDG_DATA_HOME=$TEST_TMP/xdg
unset PGHOST PGPORT PGDATABASE PGUSER
at_exit '"$PANTRYCRM" demo down >/dev/null 2>&1'

run_fails "status before anything exists exits 1" 1 "$PANTRYCRM" demo status
like "$OUT" "not created" "status says the demo is not created"

run_ok "demo up creates and starts the cluster" "$PANTRYCRM" demo up
like "$OUT" "creating the demo cluster" "it reports creating the cluster"
like "$OUT" "connection: +host=$XDG_DATA_HOME/pantrycrm/demo/cluster/sock" \
    "the cluster lives under XDG_DATA_HOME and listens on a socket there"
conn=$("$PANTRYCRM" demo conninfo)
like "$conn" "dbname=pantrycrm" "conninfo names the demo database"
is "$(psql -X -At -d "$conn" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 10 \
    "the demo database has the 10 CRM tables"
is "$(psql -X -At -d "$conn" -c "SHOW listen_addresses")" "" "no TCP listener"
if [ "$(id -u)" -eq 0 ]; then
    is "$(stat -c %U "$XDG_DATA_HOME/pantrycrm/demo/cluster/data")" postgres \
        "as root, the data directory belongs to postgres"
    is "$(ps -o user= -p "$(head -n1 "$XDG_DATA_HOME/pantrycrm/demo/cluster/data/postmaster.pid")")" \
        "postgres" "as root, the server runs as postgres"
fi
is "$(stat -c %a "$XDG_DATA_HOME/pantrycrm/demo/cluster/sock")" 700 "the socket directory is private"

legacy=$XDG_DATA_HOME/pantrycrm/demo/legacy.db
ok "$([ -s "$legacy" ]; echo $?)" "demo up generated a legacy source beside the cluster"
like "$OUT" "migrate it: +pantrycrm -d .* migrate --source $legacy" "and says how to migrate it"
run_ok "the demo legacy source migrates into the demo database" \
    env XDG_STATE_HOME="$TEST_TMP/state" "$PANTRYCRM" -d "$conn" migrate --source "$legacy" --progress none
run_ok "and verifies" "$PANTRYCRM" -d "$conn" verify

run_ok "status while running exits 0" "$PANTRYCRM" demo status
like "$OUT" "\(running\)" "status says running"

run_ok "demo up again is a no-op" "$PANTRYCRM" demo up
unlike "$OUT" "creating" "nothing is created twice"
like "$OUT" "ready" "it still prints how to connect"

run_ok "demo down stops it" "$PANTRYCRM" demo down
run_fails "status after down exits 1" 1 "$PANTRYCRM" demo status
like "$OUT" "\(stopped\)" "status says stopped"
run_ok "demo down when stopped is fine" "$PANTRYCRM" demo down
like "$OUT" "not running" "and says so"

# Data survives a restart.
run_ok "demo up restarts it" "$PANTRYCRM" demo up
is "$(psql -X -At -d "$conn" -c "SELECT count(*) FROM pantrycrm.schema_migration")" \
    "$(ls "$abs_top_srcdir"/data/sql/*.sql | wc -l)" "the schema survived the restart"
"$PANTRYCRM" demo down >/dev/null

# The same as an ordinary user, when we can become one.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 \
   && runuser -u nobody -- test -x "$PANTRYCRM" \
   && runuser -u nobody -- test -r "$abs_top_srcdir/data/sql"; then
    home=$TEST_TMP/home
    mkdir -p "$home" && chown nobody: "$home"
    as_user() { runuser -u nobody -- env HOME="$home" XDG_DATA_HOME="$home/.local/share" "$@"; }
    run_ok "demo up as a normal user" as_user "$PANTRYCRM" demo up
    uconn=$(as_user "$PANTRYCRM" demo conninfo)
    is "$(as_user psql -X -At -d "$uconn" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 10 \
        "the normal user's demo has the schema"
    is "$(stat -c %U "$home/.local/share/pantrycrm/demo/cluster/data")" nobody \
        "a normal user's cluster belongs to that user"
    run_ok "demo down as a normal user" as_user "$PANTRYCRM" demo down
else
    skip "not root, or no unprivileged user who can run the build tree"
fi

done_testing
