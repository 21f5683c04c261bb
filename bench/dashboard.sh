#!/bin/bash
# bench/dashboard.sh - what one refresh of the console's Dashboard pane
# costs at scale S, on a throwaway PostgreSQL cluster (unix socket, fsync
# off as in the tests), with a target loaded by `pantrycrm migrate`:
#
#   read     the pane's query (stats_sql: the dashboard summary), the
#            latency pgbench reports over 10 s on one connection, and
#            `pantrycrm stats --json`'s own read_ms;
#   recompute  dashboard.refresh() (what `stats --refresh` or 'r' runs),
#            three times;
#   live     for comparison, the seed's getDashboardMetrics aggregate run
#            directly on the tables (what a summary avoids).
#
# Measured on 2 shared cores (optimised build, 2026-11-24), S = 1,000,000
# (1M organizations, 3M contacts, 10M interactions, 1M opportunities,
# 300k contracts; generate 339 s, migrate 573 s):
#   read       0.30 ms average (pgbench, 33,285 reads in 10 s); 2.5 ms median
#              (max 15 ms) as the first query of a fresh `pantrycrm stats`
#   recompute  3.6 to 5.3 s
#   live       2.1 to 2.3 s for the seed's six numbers alone
# So a refresh of the pane costs well under the 50 ms budget only because
# it reads the summary; the summary is as fresh as its last recompute.
# Why not triggers: statement-level AFTER INSERT triggers with a transition
# table keeping only a weekly count and a total on one table made 200
# COPY batches of 10,000 rows 30-45% slower (8.6-9.3 s -> 11.4-13.4 s for
# 2M rows, same machine); the dashboard would need them on five tables,
# for updates and deletes too, and "due today" / "expiring in 30 days"
# move with the clock, which no trigger sees.
#
# Usage: bench/dashboard.sh [SCALE]     (default 1000000)
# PANTRYCRM=path/to/pantrycrm (default ./_build/pantrycrm). Prints ms.
. "$(dirname "$0")/lib.sh"
scale=${1:-1000000}
export PGTZ=UTC
pg_start
chmod 711 "$TEST_TMP"
SRC=$TEST_TMP/legacy.db
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
"$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" >/dev/null || bail_out "generate failed"
t1=$(now)
echo "# generated S=$scale in $(elapsed "$t0" "$t1") s"
pg_createdb dash
C=dbname=dash
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"
t0=$(now)
"$PANTRYCRM" -d $C migrate --source "$SRC" --jobs 2 --progress none >/dev/null || bail_out "migrate failed"
t1=$(now)
echo "# migrated in $(elapsed "$t0" "$t1") s"
rm -f "$SRC"
psql -X -q -d dash -c "VACUUM ANALYZE" >/dev/null
psql -X -At -d dash -c "SELECT 'rows: organizations ' || (SELECT count(*) FROM \"Organization\") ||
    ', contacts ' || (SELECT count(*) FROM \"Contact\") || ', interactions ' || (SELECT count(*) FROM \"Interaction\") ||
    ', opportunities ' || (SELECT count(*) FROM \"Opportunity\") || ', contracts ' || (SELECT count(*) FROM \"Contract\")" | sed 's/^/# /'

echo "== recompute: dashboard.refresh() (stats --refresh), ms"
for i in 1 2 3; do
    psql -X -At -d dash -c "SELECT round(dashboard.refresh('2026-11-01 12:00+00')::numeric, 1)"
done

echo "== read: the pane's query, pgbench 10 s on 1 connection"
"$PANTRYCRM" -d $C stats >/dev/null || bail_out "stats failed"
sql=$(cd "$here" && sed -n '/^const char \*stats_sql/,/^}/p' src/ops/stats.c | grep '"' | sed 's/^ *\(return \)\?"//; s/" *;\? *$//; s/\\"/"/g' | tr -d '\n')
printf '%s;\n' "$sql" >"$TEST_TMP/read.sql"
pgbench -n -T 10 -c 1 -f "$TEST_TMP/read.sql" dash 2>/dev/null | grep -E "latency average|number of transactions actually"
echo "== read: pantrycrm stats --json read_ms (20 runs, one query each)"
for i in $(seq 20); do
    "$PANTRYCRM" -d $C stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["read_ms"])'
done | sort -n | awk '{ v[NR] = $1 } END { printf "median %.2f ms, max %.2f ms\n", v[int((NR + 1) / 2)], v[NR] }'
echo "== live: the seed's getDashboardMetrics aggregate on the tables, ms"
for i in 1 2 3; do
    psql -X -At -d dash <<'SQL' | grep -E '^Time' | sed 's/Time: //'
\timing on
SELECT count(o.id), count(*) FILTER (WHERE o.status = 'ACTIVE'),
       (SELECT count(*) FROM "Contact"), (SELECT count(*) FROM "Interaction"),
       avg(o."estimatedRevenue"), count(*) FILTER (WHERE o.priority = 'A')
FROM "Organization" o;
SQL
done
