#!/bin/sh
# COPY's binary format as src/migrate/copybin.c writes it, field by field,
# against PostgreSQL's own send functions (numeric_send, timestamp_send,
# timestamptz_send in a UTC session, float8send, int4send, int8send,
# uuid_send, boolsend, jsonb_send, textsend): every value the encoder takes
# must be the very bytes PostgreSQL would send for the same text, edge values
# included; the values it must leave to a text COPY (forms it does not
# know, or that PostgreSQL would refuse or round) are refused.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
pg_start
CLI=$abs_top_builddir/tests/copybin-cli
pg_createdb c
check() { # kind pgexpr(v) description: the values on stdin, one a line
    local kind=$1 expr=$2 desc=$3 n
    cat >"$TEST_TMP/vals"
    n=$(wc -l <"$TEST_TMP/vals")
    "$CLI" "$kind" <"$TEST_TMP/vals" >"$TEST_TMP/ours" || bail_out "copybin-cli $kind failed"
    psql -X -q -v ON_ERROR_STOP=1 -d c -c "SET client_min_messages = warning; DROP TABLE IF EXISTS vals; CREATE TABLE vals (i serial, v text)" \
        -c "\\copy vals (v) FROM '$TEST_TMP/vals'" >/dev/null || bail_out "loading the $kind values failed"
    PGTZ=UTC psql -X -q -At -v ON_ERROR_STOP=1 -d c \
        -c "SELECT encode($expr, 'hex') FROM vals ORDER BY i" >"$TEST_TMP/theirs" 2>"$TEST_TMP/err" \
        || { _tap_result 1 "$desc"; diag "PostgreSQL refused one of the values: $(cat "$TEST_TMP/err")"; return; }
    paste -d'|' "$TEST_TMP/vals" "$TEST_TMP/ours" "$TEST_TMP/theirs" | awk -F'|' '$2 != $3' >"$TEST_TMP/diff"
    if [ -s "$TEST_TMP/diff" ] || [ "$(wc -l <"$TEST_TMP/ours")" -ne "$n" ]; then
        _tap_result 1 "$desc ($n values)"
        diag "value|copybin|PostgreSQL" "$(cat "$TEST_TMP/diff")"
    else
        _tap_result 0 "$desc ($n values)"
    fi
}
refused() { # kind description: each value on stdin is left to a text COPY
    cat >"$TEST_TMP/vals"
    "$CLI" "$1" <"$TEST_TMP/vals" >"$TEST_TMP/ours" || bail_out "copybin-cli $1 failed"
    # one "-" for each value, and as many lines as values
    is "$(paste -d'|' "$TEST_TMP/vals" "$TEST_TMP/ours" | grep -vx -- '.*|-')$(wc -l <"$TEST_TMP/ours")" \
        "$(wc -l <"$TEST_TMP/vals")" "$2"
}

check numeric "numeric_send(v::numeric)" "numeric: the bytes of numeric_send" <<'V'
0
0.00
-0.00
-0
1
-1
0.01
-0.01
0.05
-0.05
0.0001
0.00001
0.000001
0.000000000000000000000000000001
-0.000000000000000000000000000001
0.5
.5
-.25
1.1
12.5
0.10
100.00
5000.00
-100.5
9999
10000
10001
10001.0001
99999999.99
100000000
123456789012.34
999999999999.99
-999999999999.99
00012.3400
1234567890123456789012345678901234.5678
9999999999999999999999999999999999999999999999999999999999999999
0.9999999999999999999999999999999999999999999999999999999999999999
V
refused numeric "numeric: exponents, NaN, signs, blanks and bare points go as text" <<'V'
1e5
NaN
Infinity
+1

-
5.
.
 1
1 
1.2.3
99999999999999999999999999999999999999999999999999999999999999999
0.99999999999999999999999999999999999999999999999999999999999999999
V

check timestamp "timestamp_send(v::timestamp)" "timestamp: the bytes of timestamp_send" <<'V'
2000-01-01 00:00:00
1999-12-31 23:59:59.5
1970-01-01 00:00:00
1900-01-01 00:00:00
1899-12-31 23:59:59.999999
1900-02-28 23:59:59
1900-03-01 00:00:00
2000-02-29 00:00:00
2024-02-29 12:34:56.789012
2023-02-28 23:59:59.999999
2099-12-31 23:59:59.999999
2100-01-01 00:00:00
2100-02-28 12:00:00
1600-02-29 06:00:00
0001-01-01 00:00:00
9999-12-31 23:59:59.999999
2024-01-01 00:00:00.1
2024-01-01 00:00:00.12
2024-01-01 00:00:00.123
2024-01-01 00:00:00.1234
2024-01-01 00:00:00.12345
2024-01-01 00:00:00.000001
2024-03-31 02:30:00
2024-10-27 02:30:00
V
check timestamp "timestamptz_send(v::timestamptz)" "timestamptz in a UTC session: the bytes of timestamptz_send" <<'V'
2000-01-01 00:00:00
1900-01-01 00:00:00
1899-12-31 23:59:59.999999
2024-02-29 12:34:56.789012
2099-12-31 23:59:59.999999
2024-03-31 02:30:00
0001-01-01 00:00:00
V
refused timestamp "timestamp: no such day, other forms, 24:00, leap seconds, 7 digits go as text" <<'V'
2023-02-29 12:00:00
1900-02-29 00:00:00
2024-04-31 00:00:00
2024-13-01 00:00:00
2024-00-10 00:00:00
0000-01-01 00:00:00
2024-01-01T00:00:00
2024-01-01 24:00:00
2024-01-01 23:59:60
2024-01-01 23:60:00
2024-01-01 00:00:00.1234567
2024-01-01 00:00:00.
2024-01-01 00:00:00+00
2024-1-01 00:00:00
2024-01-01
10000-01-01 00:00:00
V

check float8 "float8send(v::float8)" "float8: the bytes of float8send" <<'V'
0
-0
0.0
-0.0
1.5
0.1
0.2
0.3
0.30000000000000004
1e-300
-1e-300
1e300
1.7976931348623157e308
-1.7976931348623157e308
2.2250738585072014e-308
2.2250738585072009e-308
4.9406564584124654e-324
5e-324
123456789.123456789
9007199254740993
3.141592653589793
1E10
1e+5
+1.5
.5
5.
-42
V
refused float8 "float8: Infinity, NaN, out of range, hex and blanks go as text" <<'V'
Infinity
-Infinity
inf
NaN
1e400
-1e400
1e-400
0x1p3

 1
1 
1e
e5
--1
V

check int4 "int4send(v::int4)" "int4: the bytes of int4send" <<'V'
0
-0
1
-1
2147483647
-2147483648
007
-007
V
refused int4 "int4: out of range and other forms go as text" <<'V'
2147483648
-2147483649
99999999999999999999

-
+1
1.0
 1
V
check int8 "int8send(v::int8)" "int8: the bytes of int8send" <<'V'
0
-1
2147483648
9223372036854775807
-9223372036854775808
0000000000000000001
V
refused int8 "int8: out of range goes as text" <<'V'
9223372036854775808
-9223372036854775809
9999999999999999999
18446744073709551616
V

check uuid "uuid_send(v::uuid)" "uuid: the bytes of uuid_send" <<'V'
0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c47
0B5E2A4C-8F1D-4E7A-9C3B-2D6F8A1E0C47
00000000-0000-0000-0000-000000000000
ffffffff-ffff-ffff-ffff-ffffffffffff
V
refused uuid "uuid: other spellings go as text" <<'V'
0b5e2a4c8f1d4e7a9c3b2d6f8a1e0c47
{0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c47}
0b5e2a4c-8f1d-4e7a-9c3b-2d6f8a1e0c4
V

check bool "boolsend(v::bool)" "bool: the bytes of boolsend" <<'V'
t
f
V
refused bool "bool: other spellings go as text" <<'V'
true
false
1
T
V

check jsonb "jsonb_send(v::jsonb)" "jsonb: the bytes of jsonb_send (for jsonb's own spelling)" <<'V'
{"a": 1}
[1, 2, 3]
"x"
null
1.50
{"a": {"b": [true, false, null]}}
{"é": "ü €"}
V

check bytes "textsend(v)" "text: the bytes of textsend" <<'V'
hello

é ü € 😀
  spaced  
V

done_testing
