#!/bin/sh
# Connections follow libpq: strings, URIs, PG* variables, service files,
# ~/.pgpass; failures say what we were doing and libpq's reason.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
pg_createdb conn_t
"$PANTRYCRM" -d dbname=conn_t db migrate >/dev/null || bail_out "migrate failed"

run_fails "a string without '=' is refused" 1 "$PANTRYCRM" -d "host=$PGHOST dbname" db status
like "$ERR" 'cannot read the schema status: invalid connection string: missing "=" after "dbname"' \
    "with libpq's reason and what we were doing"
run_fails "an unknown keyword is refused" 1 "$PANTRYCRM" -d "hots=x" db status
like "$ERR" 'invalid connection option "hots"' "and named"
run_fails "a bad URI is refused" 1 "$PANTRYCRM" -d "postgresql://x/db?frob=1" db migrate
like "$ERR" 'cannot apply schema migrations: invalid connection string.*frob' "and named"

run_fails "a server that is not there" 1 "$PANTRYCRM" -d "host=$TEST_TMP/nowhere dbname=x" db status
like "$ERR" "cannot read the schema status: could not connect to PostgreSQL: .*$TEST_TMP/nowhere" \
    "the message has libpq's text with the socket path"
like "$ERR" "hint: .*PGHOST" "and a hint about how to choose a server"

run_fails "a database that does not exist" 1 "$PANTRYCRM" -d "dbname=no_such_db" db migrate
like "$ERR" 'database "no_such_db" does not exist' "libpq's reason is shown"

# The server's message quotes the name: a terminal escape in it reaches
# the terminal only as visible text.
esc=$(printf 'evil\033]0;pwned\007db')
run_fails "a database name with an escape sequence" 1 "$PANTRYCRM" -d "dbname='$esc'" db migrate
case $ERR in *"$(printf '\033')"*|*"$(printf '\007')"*) ok 1 "the error has no raw ESC or BEL" ;;
    *) ok 0 "the error has no raw ESC or BEL" ;; esac
like "$ERR" 'database "evil.*pwned.*db" does not exist' "and still names the database"

run_ok "a URI with the socket directory works" \
    "$PANTRYCRM" -d "postgresql:///conn_t?host=$(printf %s "$PGHOST" | sed 's,/,%2F,g')" db status

PGDATABASE=conn_t run_ok "PGDATABASE alone picks the database" "$PANTRYCRM" db status
like "$OUT" '"conn_t"' "status names the database it read"

cat >"$TEST_TMP/pg_service.conf" <<CONF
[crm]
host=$PGHOST
port=$PGPORT
dbname=conn_t
user=postgres
CONF
PGSERVICEFILE=$TEST_TMP/pg_service.conf run_ok "a service name works" "$PANTRYCRM" -d service=crm db status
PGSERVICEFILE=$TEST_TMP/pg_service.conf PGSERVICE=crm PGDATABASE= run_ok "PGSERVICE works" "$PANTRYCRM" db status

# Password authentication through ~/.pgpass, never the command line.
psql -X -q -d postgres -c "CREATE ROLE clerk LOGIN PASSWORD 's3cret-pw'" \
     -c "GRANT CONNECT ON DATABASE conn_t TO clerk"
psql -X -q -d conn_t -c "GRANT USAGE ON SCHEMA pantrycrm TO clerk" \
     -c "GRANT SELECT ON pantrycrm.schema_migration TO clerk"
hba=$(psql_val "SHOW hba_file")
{ echo "local all clerk scram-sha-256"; cat "$hba"; } >"$TEST_TMP/hba"
_pg_as cp "$TEST_TMP/hba" "$hba"
psql_val "SELECT pg_reload_conf()" >/dev/null
run_fails "without a password the login fails" 1 "$PANTRYCRM" -d "dbname=conn_t user=clerk" db status
like "$ERR" "password" "libpq says a password is needed"
printf '%s:%s:conn_t:clerk:s3cret-pw\n' "$PGHOST" "$PGPORT" >"$TEST_TMP/pgpass"
chmod 600 "$TEST_TMP/pgpass"
PGPASSFILE=$TEST_TMP/pgpass run_ok "~/.pgpass supplies the password" "$PANTRYCRM" -d "dbname=conn_t user=clerk" db status
like "$OUT" 'as "clerk"' "connected as that role"

done_testing
