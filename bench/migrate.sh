#!/bin/bash
# bench/migrate.sh - the full load measured against its limit and against
# pgloader, in one run on one throwaway PostgreSQL cluster (unix socket,
# fsync off as in the tests), at one or more scales:
#
#   limit     the very rows pantrycrm wrote, already transformed, loaded
#             with plain COPY over BENCH_JOBS connections into the same
#             tables with their primary keys only; then every other index,
#             unique constraint, search-word table and foreign key of the
#             schema built, BENCH_JOBS statements at a time, and ANALYZE.
#             The sum of the two is the complete-load limit.
#   pantrycrm `pantrycrm migrate --jobs BENCH_JOBS` from the generated
#             SQLite file, into a fresh database; then `pantrycrm verify`.
#   pgloader  pgloader 3 on the same file into the same empty tables (data
#             only), then the same build, when pgloader is installed.
#
# Every row of the tables says: wall seconds, rows per second, the
# command's own CPU, PostgreSQL's CPU, the CPU anything else on the machine
# used meanwhile (noise), and the command's peak RSS (bench/measure.py).
# With BENCH_REPS > 1 the paths are interleaved and medians are shown.
# A closing growth table shows pantrycrm at each scale: time should grow
# with the rows, memory should not.
#
# Usage: bench/migrate.sh [SCALE...]           (default: 10000 100000)
# Environment: PANTRYCRM (an optimised build; default ./_build/pantrycrm),
# BENCH_JOBS (2), BENCH_REPS (1).
. "$(dirname "$0")/lib.sh"
scales=${*:-10000 100000}
jobs=${BENCH_JOBS:-2}
reps=${BENCH_REPS:-1}
for tool in python3 sqlite3 psql; do
    command -v $tool >/dev/null 2>&1 || { echo "bench/migrate.sh needs $tool"; exit 1; }
done
[ -x "$PANTRYCRM" ] || { echo "no pantrycrm at $PANTRYCRM: build one (CFLAGS='-O2 -g') and set PANTRYCRM"; exit 1; }
pg_start
chmod 711 "$TEST_TMP"
postmaster=$(head -n 1 "$PGT_DATA/postmaster.pid")
tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"
M=$TEST_TMP/measure.out
# measure NAME COMMAND...: runs it (its output is the caller's), keeps
# "NAME wall=… client_cpu=…" in $M
measure() {
    local name=$1 rc
    shift
    rm -f "$TEST_TMP/last.measure"
    python3 "$here/bench/measure.py" --postmaster "$postmaster" --out "$TEST_TMP/last.measure" -- "$@"
    rc=$?
    [ "$rc" -eq 0 ] && echo "$name $(cat "$TEST_TMP/last.measure")" >>"$M"
    return $rc
}
pg_createdb tmpl
"$PANTRYCRM" -d dbname=tmpl db migrate >/dev/null || bail_out "db migrate failed"
n=0
fresh() { n=$((n + 1)); psql -X -q -d postgres -c "CREATE DATABASE d$n TEMPLATE tmpl" >/dev/null; echo "d$n"; }
drop() { psql -X -q -d postgres -c "DROP DATABASE $1" >/dev/null; }

# A fresh target with its primary keys only, and in $TEST_TMP/$1.build/*
# the statements that build the rest: one file per statement, indexes and
# unique constraints before the foreign keys that may need them.
prepare_empty() {
    local db=$1 dir=$TEST_TMP/$1.build
    rm -rf "$dir"; mkdir -p "$dir"
    psql -X -At -d "$db" -F $'\t' <<'SQL' | while IFS=$'\t' read -r phase i stmt; do printf '%s\n' "$stmt" >"$dir/$phase-$i.sql"; done
SELECT CASE WHEN c.contype = 'f' THEN 2 ELSE 1 END, row_number() OVER (),
       format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE c.contype IN ('f', 'u') AND n.nspname = 'public'
UNION ALL
SELECT 1, 100000 + row_number() OVER (), pg_get_indexdef(x.indexrelid) || ';'
  FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
 WHERE t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid);
SQL
    # the search word tables are derived data, rebuilt after the rows as
    # the engine does
    echo 'SELECT search.rebuild_organization_words();' >"$dir/3-1.sql"
    echo 'SELECT search.rebuild_contact_words();' >"$dir/3-2.sql"
    psql -X -q -d "$db" <<'SQL'
ALTER TABLE "Organization" DISABLE TRIGGER organization_search_words;
ALTER TABLE "Contact" DISABLE TRIGGER contact_search_words;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT t.relname, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype IN ('f', 'u') AND t.relnamespace = 'public'::regnamespace ORDER BY c.contype LOOP
    EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', r.relname, r.conname);
  END LOOP;
  FOR r IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary LOOP
    EXECUTE format('DROP INDEX public.%I', r.relname);
  END LOOP;
END $$;
SQL
}
# run_streams DB FILE...: the statement files over $jobs connections, each
# taking the next file when it is free
run_streams() {
    local db=$1
    shift
    printf '%s\n' "$@" | xargs -P "$jobs" -I{} \
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET maintenance_work_mem = '256MB'" -f {}
}
# build DB: every statement of $TEST_TMP/DB.build, phase by phase, then
# ANALYZE and the triggers back on
build() {
    local db=$1 dir=$TEST_TMP/$1.build p
    for p in 1 2 3; do
        # shellcheck disable=SC2046
        run_streams "$db" $(ls "$dir"/$p-*.sql 2>/dev/null) || return 1
    done
    # shellcheck disable=SC2086
    printf 'ANALYZE "%s";\n' $tables >"$dir/analyze.sql"
    psql -X -q -d "$db" -f "$dir/analyze.sql" || return 1
    psql -X -q -d "$db" -c 'ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words' \
        -c 'ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words'
}
# copy_load DB DIR: the COPY files of DIR into DB over $jobs connections,
# the largest tables first
copy_load() {
    local db=$1 dir=$2
    # shellcheck disable=SC2012
    ls -S "$dir"/*.copy | while read -r f; do
        t=$(basename "$f" .copy)
        printf '\\copy "%s" FROM %s\n' "$t" "'$f'" >"$f.sql"
        echo "$f.sql"
    done | xargs -P "$jobs" -I{} psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f {}
}

pgloader_input() { # SRC OUT: pgloader 3.6 cannot parse DATETIME2 as a type
    sqlite3 "$1" .schema | grep -v "sqlite_stat1" | sed -e 's/DATETIME2/DATETIME/g' -e 's/"NVARCHAR(MAX)"/TEXT/g' \
        -e 's/NVARCHAR(MAX)/TEXT/g' | sqlite3 "$2"
    for t in $tables; do
        sqlite3 "$2" "ATTACH '$1' AS s; INSERT INTO main.\"$t\" SELECT * FROM s.\"$t\";"
    done
}

# field NAME KEY: the median of KEY over the lines of NAME in $M
field() {
    grep "^$1 " "$M" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "" }'
}
row() { # label name rows
    local w
    w=$(field "$2" wall)
    [ -n "$w" ] || return 0
    awk -v l="$1" -v w="$w" -v n="$3" -v c="$(field "$2" client_cpu)" -v s="$(field "$2" server_cpu)" \
        -v f="$(field "$2" foreign_cpu)" -v r="$(field "$2" rss_mb)" \
        'BEGIN { printf "%-40s %8.1f %10.0f %8.1f %8.1f %8.1f %7s\n", l, w, (n > 0 && w > 0) ? n / w : 0, c, s, f, r }'
}
sum2() { # the sum of two names' median walls
    awk -v a="$(field "$1" wall)" -v b="$(field "$2" wall)" 'BEGIN { if (a != "" && b != "") printf "%.2f", a + b }'
}

growth=$TEST_TMP/growth
for scale in $scales; do
    : >"$M"
    SRC=$TEST_TMP/legacy-$scale.db
    echo "# generating S=$scale"
    "$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" >/dev/null || bail_out "generate failed"
    rows=0
    for t in $tables; do rows=$((rows + $(sqlite3 "$SRC" "SELECT count(*) FROM \"$t\""))); done
    copies=$TEST_TMP/copies-$scale
    have_pgl=
    if command -v pgloader >/dev/null 2>&1; then
        have_pgl=1
        pgloader_input "$SRC" "$TEST_TMP/pgl-$scale.db"
    fi
    for r in $(seq 1 "$reps"); do
        # pantrycrm, then verify on what it wrote
        db=$(fresh)
        measure pantry "$PANTRYCRM" -d "dbname=$db" migrate --source "$SRC" --jobs "$jobs" --progress none \
            >"$TEST_TMP/pantry.out" 2>&1 || { cat "$TEST_TMP/pantry.out"; bail_out "pantrycrm migrate failed"; }
        measure verify "$PANTRYCRM" -d "dbname=$db" verify >"$TEST_TMP/verify.out" 2>&1 \
            || { echo "# verify did not pass:"; tail -n 5 "$TEST_TMP/verify.out"; }
        migrated=$(psql_val "SELECT sum(rows_migrated) FROM migration.checkpoint" "$db")
        if [ ! -d "$copies" ]; then
            mkdir -p "$copies"; chmod 777 "$copies"
            for t in $tables; do psql -X -q -d "$db" -c "\\copy \"$t\" TO '$copies/$t.copy'"; done
        fi
        drop "$db"
        # the limit
        db=$(fresh)
        prepare_empty "$db"
        measure limit_load bash -c "$(declare -f copy_load); jobs=$jobs; copy_load $db '$copies'"
        measure limit_build bash -c "$(declare -f build run_streams); jobs=$jobs; tables='$tables'; TEST_TMP='$TEST_TMP'; build $db >/dev/null"
        drop "$db"
        # pgloader
        if [ -n "$have_pgl" ]; then
            db=$(fresh)
            prepare_empty "$db"
            cat >"$TEST_TMP/pgl.load" <<LOAD
LOAD DATABASE
  FROM sqlite://$TEST_TMP/pgl-$scale.db
  INTO postgresql://postgres@unix:$PGHOST:$PGPORT/$db
  WITH data only, quote identifiers, workers = $((jobs * 2)), concurrency = 1,
       prefetch rows = 10000, batch rows = 10000
  EXCLUDING TABLE NAMES LIKE '_prisma_migrations';
LOAD
            measure pgl_load pgloader "$TEST_TMP/pgl.load" >"$TEST_TMP/pgl.out" 2>&1 \
                || { echo "# pgloader failed:"; tail -n 20 "$TEST_TMP/pgl.out"; }
            measure pgl_build bash -c "$(declare -f build run_streams); jobs=$jobs; tables='$tables'; TEST_TMP='$TEST_TMP'; build $db >/dev/null"
            drop "$db"
        fi
    done
    echo
    printf '# S=%s: %s source rows, %s migrated; jobs %s; %s repetition(s), medians\n' \
        "$scale" "$rows" "$migrated" "$jobs" "$reps"
    printf '%-40s %8s %10s %8s %8s %8s %7s\n' path wall_s rows/s client pg_cpu foreign rss_mb
    row "limit: COPY, PK only ($jobs connections)" limit_load "$migrated"
    row "limit: indexes, uniques, words, FKs" limit_build "$migrated"
    limit=$(sum2 limit_load limit_build)
    awk -v w="$limit" -v n="$migrated" 'BEGIN { printf "%-40s %8.1f %10.0f\n", "complete-load limit (sum)", w, n / w }'
    row "pantrycrm migrate" pantry "$rows"
    row "pantrycrm verify" verify "$rows"
    if [ -n "$have_pgl" ]; then
        row "pgloader (data only)" pgl_load "$rows"
        row "pgloader: then the same build" pgl_build "$rows"
        pgl=$(sum2 pgl_load pgl_build)
    else
        pgl=
        echo "pgloader: not installed (apt-get install pgloader), left out"
    fi
    p=$(field pantry wall)
    awk -v p="$p" -v l="$limit" -v v="$(field verify wall)" -v g="$pgl" 'BEGIN {
        printf "pantrycrm / complete-load limit: %.2f (goal <= 1.0)\n", p / l
        if (g != "") printf "pantrycrm / pgloader + build:    %.2f (goal <= 0.5)\n", p / g
        printf "verify / migrate:                %.2f (goal <= 0.5)\n", v / p }'
    awk -v s="$scale" -v n="$rows" -v w="$p" -v c="$(field pantry client_cpu)" -v r="$(field pantry rss_mb)" \
        -v vr="$(field verify rss_mb)" -v l="$limit" \
        'BEGIN { printf "%10s %10s %8.1f %10.0f %8.2f %8.2f %7s %7s\n", s, n, w, n / w, c * 1e6 / n, w / l, r, vr }' >>"$growth"
    rm -rf "$copies" "$SRC" "$TEST_TMP/pgl-$scale.db"
done
echo
echo "# growth of pantrycrm migrate (time linear in rows, memory flat)"
printf '%10s %10s %8s %10s %8s %8s %7s %7s\n' S rows wall_s rows/s us/row xlimit rss_mb vfy_mb
cat "$growth"
exit 0
