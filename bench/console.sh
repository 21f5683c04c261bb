#!/bin/bash
# bench/console.sh - the console's speed and memory on a large CRM.
#
# Loads a generated legacy source at scale S into a throwaway cluster, then
#   1. times every browse step as a ratio to a primary-key round trip
#      measured in the same run (tests/browse-cli bench). browse-cli drives
#      src/crm/browse.c with the console's own sizes (BROWSE_SCREEN_ROWS,
#      BROWSE_PAGE_ROWS, BROWSE_SEARCH_HITS, BROWSE_DETAIL_ROWS of
#      browse.h) and builders, so it times the statements the console
#      sends: a step's line is what the user waits for (the first screen:
#      a screenful of rows; for a search, a screenful of hits, then the
#      lookup and the screenful around the first hit, as on Enter), and
#      the line under it, "then the fill", is what the console reads in
#      the background afterwards (the rest of the page, the rest of the
#      hits), timed on its own. A "first search of a session" runs on a
#      fresh connection after its first screen and the warm-up the console
#      runs while idle (browse_build_warmup: timed, and its longest
#      statement, what a key typed meanwhile may wait), and the line
#      "as the first key, before the warm-up" is the same search typed
#      before the warm-up has run; those ratios are to the unit measured
#      at the start (a unit sampled beside a fresh backend comes out
#      higher);
#   2. drives the real console in tmux (120x36) and times each step from
#      the keypress to the screen that shows its result: send-keys, then
#      capture-pane every 10 ms until the expected text shows (and the
#      header no longer says "loading…"); medians of 5, beside the drawing
#      floor of the same run: End and Home (G, g), one short page query
#      each at the ends of the name order. tmux itself costs a few ms per
#      poll, which the floor holds too;
#   3. reads the console's peak RSS (VmHWM) from /proc.
# Usage: bench/console.sh [SCALE]   (default 100000; the target is stated
# at 1000000). Needs an optimised build: PANTRYCRM and BROWSE_CLI (default
# ./_build/pantrycrm and ./_build/tests/browse-cli).
. "$(dirname "$0")/lib.sh"
scale=${1:-100000}
: "${BROWSE_CLI:=$(dirname "$PANTRYCRM")/tests/browse-cli}"
: "${BENCH_SAMPLES:=100}"
[ -x "$BROWSE_CLI" ] || bail_out "build tests/browse-cli first (make tests/browse-cli)"
command -v tmux >/dev/null || bail_out "tmux is needed for the keypress timings"
# BENCH_CONNINFO: measure an existing database instead (generating and
# migrating S=1,000,000 takes a quarter of an hour).
if [ -n "${BENCH_CONNINFO:-}" ]; then
    conn=$BENCH_CONNINFO
    echo "# an existing database: $(psql -X -At -d "$conn" -c 'SELECT count(*) FROM "Organization"') organizations"
else
    pg_start
    conn=dbname=b
    echo "# generating and migrating S=$scale"
    "$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$TEST_TMP/l.db" | tail -n 1
    pg_createdb b
    "$PANTRYCRM" -d "$conn" db migrate >/dev/null
    "$PANTRYCRM" -d "$conn" migrate --source "$TEST_TMP/l.db" --progress none --jobs 2 >/dev/null \
        || bail_out "migrate failed"
fi

if [ -z "${BENCH_SKIP_STEPS:-}" ]; then
    echo "# browse steps, as ratios to a primary-key round trip (medians of $BENCH_SAMPLES)"
    "$BROWSE_CLI" "$conn" orgs bench "$BENCH_SAMPLES"
fi

# --- keypress to screen -------------------------------------------------------
echo "# keypress to screen in tmux 120x36, ms (medians of 5; capture-pane every 10 ms)"
T="tmux -L pantrycrm-bench-$$ -f /dev/null"
$T new-session -d -x 120 -y 36 "env TERM=screen LC_ALL=C.UTF-8 XDG_STATE_HOME='$TEST_TMP/st' PGHOST='${PGHOST:-}' PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} '$PANTRYCRM' -d '$conn'; sleep 30"
stop_tmux() { $T kill-server 2>/dev/null; }
at_exit stop_tmux

# Each check reads the screen once (one capture-pane, no other process),
# so that every step is polled at the same rate as the floor.
screen() { $T capture-pane -p; }
snap() { # sets L (the screen's lines), H (the list header), S (the status line)
    mapfile -t L < <($T capture-pane -p)
    H=${L[1]:-} S=${L[${#L[@]}-1]:-}
}
title() { snap; printf '%s\n' "$H"; }
# The header of the list (line 2) matches $1 and is not waiting for rows.
title_is() { snap; [[ $H =~ $1 && $H != *loading* ]]; }
# The header names a sort other than $1, rows loaded.
sort_is_not() {
    snap; [[ $H != *loading* && $H =~ sorted\ by\ ([^ ]+) && ${BASH_REMATCH[1]} != "$1" ]]
}
# The status line contains $1 (starts with it: status_starts) and the
# header has its rows.
status_and_rows() { snap; [[ $S == *"$1"* && $H == *"sorted by"* && $H != *loading* ]]; }
status_starts_and_rows() { snap; [[ $S == "$1"* && $H == *"sorted by"* && $H != *loading* ]]; }
screen_has() { snap; [[ "${L[*]}" == *"$1"* ]]; }
wait_until() { # CMD...: poll every 10 ms, up to 20 s
    local i
    for i in $(seq 1 2000); do "$@" && return 0; sleep 0.01; done
    echo "# timed out waiting for: $*" >&2
    return 1
}
# timed CHECK KEY...: sends the keys, polls until CHECK (a command) holds;
# prints the milliseconds from the send to the first screen that passed.
timed() {
    local check=$1 t0 t1 i
    shift
    t0=$(date +%s%N)
    $T send-keys "$@"
    for i in $(seq 1 2000); do
        if eval "$check"; then
            t1=$(date +%s%N)
            awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
            return 0
        fi
        sleep 0.01
    done
    echo "# timed out: $check" >&2
    echo 99999
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
floor=
report() { # NAME SAMPLES...
    local name=$1 m
    shift
    m=$(printf '%s\n' "$@" | median)
    if [ -z "$floor" ]; then
        printf '%-40s %8s ms   (samples: %s)\n' "$name" "$m" "$*"
    else
        printf '%-40s %8s ms   %+7.1f ms over the floor   (samples: %s)\n' "$name" "$m" \
            "$(awk -v a="$m" -v b="$floor" 'BEGIN { print a - b }')" "$*"
    fi
}

pid=
for i in $(seq 1 300); do
    pid=$(pgrep -f "pantrycrm -d $conn\$" | head -n 1)
    [ -n "$pid" ] && title_is "row 1 of" && break
    sleep 0.1
done
[ -n "$pid" ] && title_is "row 1 of" || bail_out "the console did not show its first page"

# Drawing floor: End then Home, the list's ends in the name order.
g_s=() G_s=()
for i in 1 2 3 4 5; do
    G_s+=("$(timed 'title_is "~[0-9]+ rows"' End)")
    g_s+=("$(timed 'title_is "row 1 of"' Home)")
done
floor=$(printf '%s\n' "${G_s[@]}" "${g_s[@]}" | median)
report "floor: G (End)" "${G_s[@]}"
report "floor: g (Home)" "${g_s[@]}"
echo "floor (median of the 10)                 $floor ms"

# First page: r (reload: first page, then the estimate) from the bottom.
s=()
for i in 1 2 3 4 5; do
    $T send-keys End; wait_until title_is "~[0-9]+ rows"
    s+=("$(timed 'title_is "row 1( |$)"' r)")
    wait_until title_is "row 1 of"
done
report "first page (r)" "${s[@]}"

# PgDn inside the fetched rows, then the PgDn that crosses them (the
# console's page size, BROWSE_PAGE_ROWS, as browse-cli reports it).
page_rows=$("$BROWSE_CLI" "$conn" orgs sizes | awk '$1 == "page_rows" { print $2 }')
s=() x=()
rownum() { title | sed -n 's/.*row \([0-9]*\).*/\1/p'; }
for i in 1 2 3 4 5; do
    $T send-keys Home; wait_until title_is "row 1 of"
    s+=("$(timed 'title_is "row ([2-9]|[1-9][0-9]+) of"' NPage)")
    step=$(( $(rownum) - 1 ))
    while [ $(( $(rownum) + step )) -le "$page_rows" ]; do
        r=$(rownum); $T send-keys NPage
        wait_until title_is "row $((r + step)) of"
    done
    x+=("$(timed "title_is \"row $(( $(rownum) + step )) of\"" NPage)")
done
report "PgDn" "${s[@]}"
report "PgDn past the fetched page (200 rows)" "${x[@]}"

# Sort change: s, the next sort, keeping the row under the cursor.
s=()
$T send-keys Home; wait_until title_is "row 1 of"
for i in 1 2 3 4 5; do
    before=$(title | sed -n 's/.*sorted by \([^ ]*\).*/\1/p')
    s+=("$(timed "sort_is_not '$before'" s)")
done
report "sort change (s)" "${s[@]}"
$T send-keys : ; $T send-keys -l "sort name"; $T send-keys Enter
wait_until title_is "sorted by name"

# Searches: / TERM, timed from Enter to the first hit's page on screen.
for term in grill "blu hea" "Chophouse Portland" "Chophuose" "Portlnd Chophuose"; do
    s=()
    for i in 1 2 3 4 5; do
        $T send-keys Home; wait_until title_is "row 1 of"
        $T send-keys /; $T send-keys -l "$term"
        s+=("$(timed 'status_and_rows "match 1 of"' Enter)")
    done
    report "/$term" "${s[@]}"
done

# The contacts pane: two words of a full name.
$T send-keys 2; wait_until title_is "^ *Contacts .*row 1 of"
for term in "james smith" "jam smi" "jmaes smtih"; do
    s=()
    for i in 1 2 3 4 5; do
        $T send-keys Home; wait_until title_is "row 1 of"
        $T send-keys /; $T send-keys -l "$term"
        s+=("$(timed 'status_and_rows "match 1 of"' Enter)")
    done
    report "contacts /$term" "${s[@]}"
done
$T send-keys 1; wait_until title_is "^ *Organizations .*sorted by name"

# :goto a random organization, from Enter to its page.
s=()
for id in $(psql -X -At -d "$conn" -c 'SELECT id FROM "Organization" ORDER BY random() LIMIT 5'); do
    $T send-keys Home; wait_until title_is "row 1 of"
    $T send-keys :; $T send-keys -l "goto $id"
    s+=("$(timed 'status_starts_and_rows " at "' Enter)")
done
report ":goto" "${s[@]}"

# Detail: Enter on the row under the cursor, Backspace back.
s=()
for i in 1 2 3 4 5; do
    s+=("$(timed 'screen_has "Latest interactions"' Enter)")
    $T send-keys BSpace; wait_until eval '! screen_has "Latest interactions"'
    $T send-keys Down; sleep 0.05
done
report "detail (Enter)" "${s[@]}"

# Memory after a longer walk: pages, sorts, searches, the contacts pane.
keys() { $T send-keys "$@"; sleep 0.05; }
for i in $(seq 1 100); do keys NPage; done
keys End; keys Home
for s in 1 2 3 4 5 6 7 8; do keys s; sleep 0.2; done
keys / ; $T send-keys -l "Hospital"; keys Enter; sleep 0.5
for i in $(seq 1 20); do keys n; done
keys 2; for i in $(seq 1 50); do keys NPage; done
keys 1; sleep 1
echo "console peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/"$pid"/status) (target <= 20 MB)"
keys q
stop_tmux
