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
# With --random K, the kill points are K pseudo-random ones instead, drawn
# from a seeded generator (--seed N, default 1; the same seed gives the same
# points, which are printed): about half while loading (after a random
# committed batch), some between tables and at the end of loading, the rest
# during the index and foreign key build (after a random built statement).
# Each is run once, killed and resumed, against the median of REPEATS
# uninterrupted runs; the last line is the worst ratio.
#
# Usage: bench/resume.sh [--random K [--seed N]] [SCALE] [REPEATS]
#        (default 20000 and 3; medians)
# Environment: BENCH_SOURCE, an existing generated source to use instead of
# generating one (it is only read).
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm).
. "$(dirname "$0")/lib.sh"
random=0
seed=1
while [ $# -gt 0 ]; do
    case $1 in
    --random) random=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) break ;;
    esac
done
scale=${1:-20000}
reps=${2:-3}
pg_start
chmod 711 "$TEST_TMP"
SRC=$TEST_TMP/legacy.db
if [ -n "${BENCH_SOURCE:-}" ]; then
    SRC=$BENCH_SOURCE
else
    "$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" >/dev/null || exit 1
fi
pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || exit 1
n=0
fresh() { n=$((n + 1)); psql -X -q -d postgres -c "CREATE DATABASE d$n TEMPLATE tmpl" >/dev/null; echo "d$n"; }
# timed DB [FAULT]: runs migrate, prints "wall cpu"
timed() {
    local t0 t1 c
    t0=$(date +%s.%N)
    /usr/bin/time -o "$TEST_TMP/time" -f '%U %S' env PANTRYCRM_FAULT="${2:-}" "$PANTRYCRM" \
        -d "dbname=$1" migrate --source "$SRC" --progress none >"$TEST_TMP/run.out" 2>&1
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
# kill_cost DB FAULT: the killed run, then its resume; prints "wall cpu"
# of the two together, and what the resume printed is in run.out
kill_cost() {
    local w1 c1 w2 c2
    read -r w1 c1 < <(timed "$1" "$2:KILL")
    read -r w2 c2 < <(timed "$1")
    awk -v a="$w1" -v b="$w2" -v c="$c1" -v d="$c2" 'BEGIN { printf "%.3f %.3f\n", a + b, c + d }'
}

if [ "$random" -gt 0 ]; then
    # How many statements the build runs: the uninterrupted run says so.
    base_w= base_c=
    for r in $(seq 1 "$reps"); do
        db=$(fresh)
        read -r w c < <(timed "$db")
        base_w="$base_w $w"
        base_c="$base_c $c"
        builds=$(sed -n 's/^building \([0-9][0-9]*\) deferred.*/\1/p' "$TEST_TMP/run.out")
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
    done
    builds=${builds:-60}
    bw=$(printf '%s\n' $base_w | median)
    bc=$(printf '%s\n' $base_c | median)
    # The points: awk's generator, seeded, so the list is the same anywhere
    # awk is the same program (mawk and gawk differ: the list is printed).
    points=$(awk -v k="$random" -v s="$seed" -v nb="$batches" -v nd="$builds" 'BEGIN {
        srand(s)
        for (i = 0; i < k; i++) {
            r = rand()
            if (r < 0.45) printf "batch@%d\n", 1 + int(rand() * nb)
            else if (r < 0.55) printf "table-done@%d\n", 1 + int(rand() * 9)
            else if (r < 0.60) print "loaded"
            else printf "built@%d\n", 1 + int(rand() * nd)
        } }')
    printf '# S=%s, seed %s: %s random kill points (%s batches, %s build statements);\n' \
        "$scale" "$seed" "$random" "$batches" "$builds"
    printf '# uninterrupted: median of %s runs %.2f s wall, %.2f s CPU\n' "$reps" "$bw" "$bc"
    printf '%-18s %9s %9s %9s %9s\n' point wall_s ratio cpu_s ratio
    worst=0 worst_p=
    for p in $points; do
        db=$(fresh)
        read -r w c < <(kill_cost "$db" "$p")
        if ! grep -q '^total' "$TEST_TMP/run.out"; then
            echo "# the resume after $p did not finish:"; tail -n 3 "$TEST_TMP/run.out"
        fi
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
        ratio=$(awk -v w="$w" -v b="$bw" 'BEGIN { printf "%.3f", w / b }')
        awk -v p="$p" -v w="$w" -v c="$c" -v bw="$bw" -v bc="$bc" \
            'BEGIN { printf "%-18s %9.2f %9.2f %9.2f %9.2f\n", p, w, w / bw, c, c / bc }'
        if awk -v a="$ratio" -v b="$worst" 'BEGIN { exit !(a > b) }'; then worst=$ratio worst_p=$p; fi
    done
    printf 'worst: %s at %s (goal <= 1.10)\n' "$worst" "$worst_p"
    exit 0
fi

declare -A wall cpu
points="none table-done@5 batch@$(( batches > 4 ? batches / 2 : 2 )) loaded built@10"
for r in $(seq 1 "$reps"); do
    for p in $points; do
        db=$(fresh)
        if [ "$p" = none ]; then
            read -r w c < <(timed "$db")
        else
            read -r w c < <(kill_cost "$db" "$p")
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
