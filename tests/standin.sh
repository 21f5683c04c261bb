# tests/standin.sh - start and stop the tds-standin (a TDS 7.4 server over a
# SQLite file, in ../shared/tools/tds-standin) for the FreeTDS tests. Source
# it after tests/lib.sh.
#
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
