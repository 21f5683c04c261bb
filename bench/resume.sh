#!/bin/bash
# bench/resume.sh - what an interruption costs: an uninterrupted migrate
# beside runs killed (kill -9, placed with PANTRYCRM_FAULT so the point is
# the same on every machine) at several moments and then resumed, on one
# throwaway PostgreSQL cluster, from one generated SQLite source.
#
# For each point it prints the wall time and client CPU of the killed run
# plus its resume, and the ratio to the uninterrupted run (the goal is at
# most 1.10). Client CPU is user+sys of pantrycrm alone, steadier than wall
# time on a busy machine.
#
# Usage: bench/resume.sh [SCALE] [REPEATS]    (default 20000 and 3; medians)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm).
. "$(dirname "$0")/lib.sh"
scale=${1:-20000}
reps=${2:-3}
pg_start
chmod 711 "$TEST_TMP"
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" >/dev/null || exit 1
pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || exit 1
n=0
fresh() { n=$((n + 1)); psql -X -q -d postgres -c "CREATE DATABASE d$n TEMPLATE tmpl" >/dev/null; echo "d$n"; }
# timed DB [FAULT]: runs migrate, adds "wall cpu" to the totals
timed() {
    local t0 t1 c
    t0=$(date +%s.%N)
    /usr/bin/time -o "$TEST_TMP/time" -f '%U %S' env PANTRYCRM_FAULT="${2:-}" "$PANTRYCRM" \
        -d "dbname=$1" migrate --source "$SRC" --progress none >/dev/null 2>&1
    t1=$(date +%s.%N)
    c=$(tail -n 1 "$TEST_TMP/time")
    awk -v a="$t0" -v b="$t1" -v c="$c" 'BEGIN { split(c, x, " "); printf "%.3f %.3f\n", b - a, x[1] + x[2] }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }

# Batches of 10,000 rows the whole load commits: the middle one is mid-way
# through the big child tables, after their parents.
batches=0
for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
    c=$(sqlite3 "$SRC" "SELECT count(*) FROM \"$t\"")
    batches=$(( batches + (c + 9999) / 10000 ))
done
declare -A wall cpu
points="none table-done@5 batch@$(( batches > 4 ? batches / 2 : 2 )) loaded built@10"
for r in $(seq 1 "$reps"); do
    for p in $points; do
        db=$(fresh)
        if [ "$p" = none ]; then
            read -r w c < <(timed "$db")
        else
            read -r w1 c1 < <(timed "$db" "$p:KILL")
            read -r w2 c2 < <(timed "$db")
            w=$(awk -v a="$w1" -v b="$w2" 'BEGIN { print a + b }')
            c=$(awk -v a="$c1" -v b="$c2" 'BEGIN { print a + b }')
        fi
        wall[$p]="${wall[$p]:-} $w"
        cpu[$p]="${cpu[$p]:-} $c"
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
    done
done
base_w=$(printf '%s\n' ${wall[none]} | median)
base_c=$(printf '%s\n' ${cpu[none]} | median)
printf '# S=%s, %s repetitions, medians; kill -9 at the point, then a resume\n' "$scale" "$reps"
printf '%-18s %9s %9s %9s %9s\n' point wall_s ratio cpu_s ratio
for p in $points; do
    w=$(printf '%s\n' ${wall[$p]} | median)
    c=$(printf '%s\n' ${cpu[$p]} | median)
    awk -v p="$p" -v w="$w" -v c="$c" -v bw="$base_w" -v bc="$base_c" \
        'BEGIN { printf "%-18s %9.2f %9.2f %9.2f %9.2f\n", p, w, w / bw, c, c / bc }'
done
