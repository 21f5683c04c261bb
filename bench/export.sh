#!/bin/bash
# bench/export.sh - pantrycrm export's time and peak memory on a big list.
#
# Fills a throwaway cluster with N organizations (plain INSERT … SELECT
# generate_series: the export, not the migration, is measured), then
# exports the list (CSV and JSON Lines, default sort and a filtered,
# reversed one) and a query's result through the cursor, at N/10 and at N
# rows, and prints rows/s and the peak RSS of each run (from
# /usr/bin/time -v, else from bash's own children's ru_maxrss). Memory
# must not grow with N: the export holds one page of 1000 rows.
# Measured (2026-11-24, optimised build, the 2-core machine shared with
# other work): peak RSS 9.5-10 MB for every run at both 100k and 1M rows;
# 1M organizations as CSV 9.8 s (~100k rows/s, 130 MB), as JSON Lines
# 13.4 s (278 MB), through the query cursor 6.7 s (~150k rows/s); the
# filtered, reversed list 250k rows in 2.5 s.
# Usage: bench/export.sh [N]   (default 1000000). Use an optimised build
# (no sanitizers): PANTRYCRM, default ./_build/pantrycrm.
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
pg_start
pg_createdb x >/dev/null
"$PANTRYCRM" -d dbname=x db migrate >/dev/null || bail_out "db migrate failed"

fill() { # rows: the table holds exactly this many organizations
    psql -X -q -d x -c "TRUNCATE \"Organization\" CASCADE" -c "
        INSERT INTO \"Organization\" (name, priority, segment, city, \"estimatedRevenue\")
        SELECT 'Organization ' || g || CASE WHEN g % 100 = 0 THEN E', \"quoted\"\nline' ELSE '' END,
               (ARRAY['A','B','C','D'])[1 + g % 4]::\"OrganizationPriority\",
               (ARRAY['FINE_DINING','CATERING','CASUAL_DINING','CORPORATE'])[1 + g % 4]::\"OrganizationSegment\",
               CASE WHEN g % 9 = 0 THEN NULL ELSE 'City ' || (g % 500) END,
               (g % 100000) * 1.25
        FROM generate_series(1, $1) g" -c "VACUUM ANALYZE \"Organization\"" >/dev/null
}

measure() { # label rows args…: prints rows/s and peak RSS
    local label=$1 rows=$2; shift 2
    local out=$TEST_TMP/out t0 t1 rss
    t0=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v "$PANTRYCRM" -d dbname=x export "$@" -o "$out" 2>"$TEST_TMP/time" \
            || { cat "$TEST_TMP/time"; bail_out "export failed"; }
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TEST_TMP/time")
    else
        "$PANTRYCRM" -d dbname=x export "$@" -o "$out" 2>/dev/null || bail_out "export failed"
        rss=?
    fi
    t1=$(date +%s.%N)
    local got
    got=$(sed -n 's/^exported \([0-9]*\) rows.*/\1/p' "$TEST_TMP/time" 2>/dev/null)
    printf '%-34s %9s rows %7.2f s %9.0f rows/s  peak RSS %6s kB  file %5d MB\n' "$label" \
        "${got:-$rows}" "$(echo "$t1 - $t0" | bc)" "$(echo "$rows / ($t1 - $t0)" | bc -l)" "$rss" \
        $(( $(stat -c %s "$out") / 1048576 ))
}

printf 'SELECT id, name, city, "estimatedRevenue" FROM "Organization" ORDER BY id\n' >"$TEST_TMP/q.sql"
for rows in $((n / 10)) "$n"; do
    echo "# $rows organizations"
    fill "$rows"
    measure "csv, by name" "$rows" --format csv
    measure "jsonl, by name" "$rows" --format jsonl
    measure "csv, priority=A, -estimatedRevenue" $((rows / 4)) -F priority=A --sort -estimatedRevenue
    measure "jsonl, query through a cursor" "$rows" -f jsonl -q "$TEST_TMP/q.sql"
done
