#!/bin/bash
# bench/resume.sh - what an interruption costs: an uninterrupted migrate
# beside runs killed (kill -9, placed with PANTRYCRM_FAULT so the point is
# the same on every machine) at several moments and then resumed, on one
# throwaway PostgreSQL cluster, from one generated SQLite source.
#
# For each point it prints the wall time and client CPU of the killed run
# plus its resume, and the ratio to the uninterrupted run (the goal is at
# most 1.10). Client CPU is user+sys of pantrycrm alone, steadier than wall
# time on a busy machine (bench/measure.py).
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
postmaster=$(head -n 1 "$PGT_DATA/postmaster.pid")
# timed DB [FAULT]: runs migrate (bench/measure.py), prints "wall cpu
# pg_cpu foreign_cpu": its wall time, its own CPU, PostgreSQL's CPU and
# the CPU everything else on the machine used meanwhile
timed() {
    rm -f "$TEST_TMP/last.measure"
    PANTRYCRM_FAULT="${2:-}" python3 "$here/bench/measure.py" --postmaster "$postmaster" \
        --out "$TEST_TMP/last.measure" -- "$PANTRYCRM" -d "dbname=$1" migrate --source "$SRC" \
        --progress none >"$TEST_TMP/run.out" 2>&1
    tr ' ' '\n' <"$TEST_TMP/last.measure" | awk -F= '{ v[$1] = $2 }
        END { printf "%s %s %s %s\n", v["wall"], v["client_cpu"], v["server_cpu"], v["foreign_cpu"] }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Batches of 10,000 rows the whole load commits: the middle one is mid-way
# through the big child tables, after their parents.
batches=0
for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
    c=$(sqlite3 "$SRC" "SELECT count(*) FROM \"$t\"")
    batches=$(( batches + (c + 9999) / 10000 ))
done
# kill_cost DB FAULT: the killed run, then its resume; prints "wall cpu
# pg_cpu foreign_cpu" of the two together; what the resume printed is in
# run.out
kill_cost() {
    local a b
    a=$(timed "$1" "$2:KILL")
    b=$(timed "$1")
    printf '%s %s\n' "$a" "$b" | awk '{ printf "%.2f %.2f %.2f %.2f\n", $1 + $5, $2 + $6, $3 + $7, $4 + $8 }'
}

if [ "$random" -gt 0 ]; then
    # REPEATS uninterrupted runs first; they say how many statements the
    # build runs. Then each point is run killed+resumed right after an
    # uninterrupted run of its own, so that a machine that grows busier
    # meanwhile shows in the pair's ratio and in the foreign CPU.
    base=$TEST_TMP/base.runs
    : >"$base"
    for r in $(seq 1 "$reps"); do
        db=$(fresh)
        timed "$db" >>"$base"
        builds=$(sed -n 's/^building \([0-9][0-9]*\) deferred.*/\1/p' "$TEST_TMP/run.out")
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
    done
    builds=${builds:-60}
    # The points: awk's generator, seeded, so the list is the same wherever
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
    printf '# S=%s, seed %s: %s random kill points (%s batches, %s build statements):' \
        "$scale" "$seed" "$random" "$batches" "$builds"
    printf ' %s' $points
    printf '\n'
    res=$TEST_TMP/points.runs
    : >"$res"
    for p in $points; do
        db=$(fresh)
        pair=$(timed "$db")
        echo "$pair" >>"$base"
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
        db=$(fresh)
        killed=$(kill_cost "$db" "$p")
        grep -q '^total' "$TEST_TMP/run.out" || { echo "# the resume after $p did not finish:"; tail -n 3 "$TEST_TMP/run.out"; }
        psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
        echo "$p $killed $pair" >>"$res"
    done
    bw=$(awk '{ print $1 }' "$base" | median)
    printf '# uninterrupted: median of %s runs %.2f s wall\n' "$(wc -l <"$base")" "$bw"
    printf '# wall = killed run + resume; /median: against the median uninterrupted wall;\n'
    printf '# /pair: against the uninterrupted run just before it; cpu = pantrycrm + PostgreSQL CPU,\n'
    printf '# against the pair; foreign = CPU of everything else during the killed run and its resume\n'
    printf '%-16s %8s %8s %8s %8s %8s %8s %8s\n' point wall_s /median pair_s /pair cpu_s /pair foreign
    awk -v bw="$bw" '{
        w = $2; c = $3 + $4; pw = $6; pc = $7 + $8
        printf "%-16s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f\n", $1, w, w / bw, pw, w / pw, c, c / pc, $5
        if (w / bw > wm) { wm = w / bw; wmp = $1 }
        if (w / pw > wp) { wp = w / pw; wpp = $1 }
        if (c / pc > cm) { cm = c / pc; cmp = $1 }
    } END {
        printf "worst: wall/median %.2f at %s, wall/pair %.2f at %s, cpu/pair %.2f at %s (goal <= 1.10)\n",
            wm, wmp, wp, wpp, cm, cmp
    }' "$res"
    exit 0
fi

declare -A wall cpu
points="none table-done@5 batch@$(( batches > 4 ? batches / 2 : 2 )) loaded built@10"
for r in $(seq 1 "$reps"); do
    for p in $points; do
        db=$(fresh)
        if [ "$p" = none ]; then
            read -r w c _ < <(timed "$db")
        else
            read -r w c _ < <(kill_cost "$db" "$p")
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
