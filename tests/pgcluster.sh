# tests/pgcluster.sh - a throwaway PostgreSQL cluster for one test file.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
#
# Source after lib.sh, then call pg_start. The cluster lives in the test's
# scratch directory, listens only on a unix socket there, and is stopped by
# lib.sh's exit trap however the test ends (failure, ^C, kill). initdb
# refuses to run as root, so as root the server runs as the postgres user.
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE for libpq clients.

pg_bindir() {
    local d
    if [ -n "${PANTRYCRM_PG_BINDIR:-}" ] && [ -x "$PANTRYCRM_PG_BINDIR/initdb" ]; then
        echo "$PANTRYCRM_PG_BINDIR"; return 0; fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null)
        if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    done
    return 1
}

_pg_as() { # run a server-side command as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_stop() {
    [ -n "${PGT_DATA:-}" ] || return 0
    if [ -f "$PGT_DATA/postmaster.pid" ]; then
        _pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    PGT_DATA=
}

pg_start() {
    PGT_BIN=$(pg_bindir) || tool_missing initdb postgresql
    PGT_BIN=$(pg_bindir) || skip_all "PostgreSQL server binaries not found (install the Debian package postgresql)"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || skip_all "running as root but there is no postgres user to run the server"
        chown postgres: "$TEST_TMP"
    fi
    PGT_DATA=$TEST_TMP/pgdata
    local sock=$TEST_TMP/sock log=$TEST_TMP/server.log
    _pg_as mkdir -p "$sock"
    if ! _pg_as "$PGT_BIN/initdb" -D "$PGT_DATA" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 -N >"$TEST_TMP/initdb.log" 2>&1; then
        cat "$TEST_TMP/initdb.log" >&2
        bail_out "initdb failed"
    fi
    cat >>"$PGT_DATA/postgresql.conf" <<CONF
listen_addresses = ''
port = 5432
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
CONF
    at_exit pg_stop
    if ! _pg_as "$PGT_BIN/pg_ctl" -D "$PGT_DATA" -l "$log" -w -t 60 start >/dev/null 2>&1; then
        cat "$log" >&2
        bail_out "the test PostgreSQL server did not start"
    fi
    export PGHOST=$sock PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

# pg_createdb NAME: a fresh database on the test cluster.
pg_createdb() {
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$1\"" >/dev/null
}

# psql_val SQL [DB]: one value, unaligned, no headers.
psql_val() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "${2:-$PGDATABASE}" -c "$1"
}

# schema_dump DB: a digest of the schema, without pg_dump's per-run
# \restrict key lines.
schema_dump() {
    pg_dump -s -d "$1" | grep -v '^\\\(un\)\?restrict ' | md5sum
}

# target_digest DB: everything a migration leaves in DB that must not
# depend on how it ran (interruptions, overlap, COPY format): the rows of
# the ten tables, the quarantine, the repairs, the checkpoints, and the
# schema whole again.
target_digest() {
    for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
        psql -X -At -d "$1" -c "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"$t\" x"
    done
    psql -X -At -d "$1" -c "SELECT md5(string_agg(table_name || source_key || reason || original::text, ',' ORDER BY table_name, source_key)) FROM migration.quarantine"
    psql -X -At -d "$1" -c "SELECT md5(string_agg(table_name || source_key || column_name || reason || original::text, ',' ORDER BY table_name, source_key, column_name)) FROM migration.repair"
    psql -X -At -d "$1" -c "SELECT string_agg(table_name || ':' || rows_read || ':' || rows_migrated || ':' || rows_quarantined || ':' || repairs::text, ',' ORDER BY table_name) FROM migration.checkpoint"
    # The schema is whole again: every index, constraint and search word
    # table rebuilt, and the word triggers switched back on.
    psql -X -At -d "$1" -c "SELECT md5(string_agg(indexdef, ',' ORDER BY indexdef)) FROM pg_indexes WHERE schemaname IN ('public', 'search')"
    psql -X -At -d "$1" -c "SELECT md5(string_agg(conname || pg_get_constraintdef(oid), ',' ORDER BY conname)) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
    psql -X -At -d "$1" -c "SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgname LIKE '%search_words%'"
    psql -X -At -d "$1" -c "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM search.organization_word x"
    psql -X -At -d "$1" -c "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM search.contact_vocab x"
}
