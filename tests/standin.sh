# tests/standin.sh - start and stop the tds-standin (a TDS 7.4 server over a
# SQLite file, in ../shared/tools/tds-standin) for the FreeTDS tests. Source
# it after tests/lib.sh.
#
#   tds_preamble                 what every FreeTDS test does first: skips
#                                without FreeTDS or tests/source-probe (sets
#                                PROBE); REAL=$PANTRYCRM_TEST_MSSQL (a real
#                                server) or else finds the stand-in; starts
#                                PostgreSQL; XDG_STATE_HOME in the scratch
#   tds_tracked_source SCALE SEED  the messy demo legacy database in $SRC
#                                (money rounded as DECIMAL(14,2) holds it);
#                                on a REAL server loaded there with Change
#                                Tracking on $tracked, and LOC set to it
#   sql STATEMENT…               runs batches on $LOC as the old application
#   standin_find                 sets STANDIN (the script) or skips the file
#   standin_start NAME DB [ARG…] starts one on a free port; sets STANDIN_PORT
#                                and writes it to $TEST_TMP/NAME.port
#   standin_stop NAME            stops it (every one is stopped at exit)
#
# Every stand-in gets the user sa and the password in $STANDIN_PASSWORD,
# which the tests export as PANTRYCRM_MSSQL_PASSWORD; the database is
# "standin".
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

: "${STANDIN_PASSWORD:=Pw-$$-not-in-any-file}"
_standin_names=""

tds_preamble() {
    require_cmd sqlite3 sqlite3
    PROBE=$abs_top_builddir/tests/source-probe
    [ -x "$PROBE" ] || skip_all "tests/source-probe is not built (make check builds it)"
    "$PROBE" mssql://x@127.0.0.1:1/x describe 2>&1 | grep -q "without FreeTDS" \
        && skip_all "pantrycrm was built without FreeTDS"
    REAL=${PANTRYCRM_TEST_MSSQL:-}
    if [ -n "$REAL" ]; then
        [ -n "${PANTRYCRM_MSSQL_PASSWORD:-}" ] || skip_all "PANTRYCRM_TEST_MSSQL needs PANTRYCRM_MSSQL_PASSWORD"
    else
        standin_find
        export PANTRYCRM_MSSQL_PASSWORD=$STANDIN_PASSWORD
    fi
    unset PANTRYCRM_MSSQL_PASSWORD_FILE PANTRYCRM_MSSQL_USER
    pg_start
    export XDG_STATE_HOME=$TEST_TMP/state
}

tds_tracked_source() { # scale seed
    SRC=$TEST_TMP/legacy.db
    "$PANTRYCRM" demo generate --scale "$1" --messy --seed "$2" --surrogates=escape --out "$SRC" >/dev/null \
        || bail_out "demo generate failed"
    # Money with three decimals cannot exist in DECIMAL(14,2): store it as
    # SQL Server would have (see tests/tds.sh).
    sqlite3 "$SRC" 'UPDATE "Opportunity" SET "value" = round("value", 2); UPDATE "Contract" SET "value" = round("value", 2)'
    [ -n "$REAL" ] || return 0
    "$PANTRYCRM" demo generate --format tsql --scale "$1" --messy --seed "$2" --out "$TEST_TMP/legacy.sql" >/dev/null \
        || bail_out "demo generate --format tsql failed"
    "$PROBE" "$REAL" script "$TEST_TMP/legacy.sql" >/dev/null || bail_out "loading the legacy tables into $REAL failed"
    local t
    for t in $tracked; do
        "$PROBE" "$REAL" exec "ALTER TABLE dbo.[$t] ENABLE CHANGE_TRACKING" >/dev/null \
            || bail_out "enabling change tracking on $t failed"
    done
    LOC=$REAL
}

# sql STATEMENT…: the old application writes through TDS to $LOC, each
# argument one batch (one transaction, one version, unless it holds BEGIN
# TRAN…COMMIT).
sql() {
    "$PROBE" "$LOC" exec "$@" >"$TEST_TMP/exec.out" 2>&1 || { cat "$TEST_TMP/exec.out" >&2; return 1; }
}

standin_find() {
    require_cmd python3 python3
    STANDIN=${PANTRYCRM_SHARED:-$abs_top_srcdir/../shared}/tools/tds-standin/tds_standin.py
    [ -f "$STANDIN" ] || skip_all "the tds-standin is not there ($STANDIN); set PANTRYCRM_SHARED"
}

standin_start() { # name db [args…]
    local name=$1 db=$2 i=0
    shift 2
    rm -f "$TEST_TMP/$name.port"
    # The password goes in a config file, not on a command line that the
    # tests search for it.
    ( umask 077
      STANDIN_PW=$STANDIN_PASSWORD python3 -c 'import json, os, sys
json.dump({"db": sys.argv[1], "port": 0, "user": "sa", "password": os.environ["STANDIN_PW"],
           "database": "standin"}, open(sys.argv[2], "w"))' "$db" "$TEST_TMP/$name.json" )
    python3 "$STANDIN" --config "$TEST_TMP/$name.json" --ready-file "$TEST_TMP/$name.port" "$@" \
        >"$TEST_TMP/$name.log" 2>&1 &
    echo $! >"$TEST_TMP/$name.pid"
    _standin_names="$_standin_names $name"
    while [ ! -s "$TEST_TMP/$name.port" ]; do
        i=$((i + 1))
        if [ "$i" -gt 100 ] || ! kill -0 "$(cat "$TEST_TMP/$name.pid")" 2>/dev/null; then
            cat "$TEST_TMP/$name.log" >&2
            bail_out "the tds-standin '$name' did not start"
        fi
        sleep 0.1
    done
    STANDIN_PORT=$(cat "$TEST_TMP/$name.port")
}

standin_stop() { # name
    local pid
    [ -f "$TEST_TMP/$1.pid" ] || return 0
    pid=$(cat "$TEST_TMP/$1.pid")
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -f "$TEST_TMP/$1.pid"
    return 0
}

_standin_stop_all() {
    for n in $_standin_names; do standin_stop "$n"; done
}
at_exit _standin_stop_all
