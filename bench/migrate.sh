#!/bin/bash
# bench/migrate.sh - full-load throughput, measured in one run on one
# throwaway PostgreSQL cluster (unix socket, fsync off as in the tests):
#
#   raw    the limit: the very rows pantrycrm wrote, already transformed,
#          loaded with plain COPY (psql \copy, one table after another)
#          into the same empty tables, then the same indexes and foreign
#          keys built, as pantrycrm's own load ends;
#   pantry `pantrycrm migrate` from the generated SQLite file;
#   pgloader  pgloader 3 on the same SQLite file into the same empty
#          tables (data only), then the same indexes and keys, when it is
#          installed.
#
# Usage: bench/migrate.sh [SCALE] [JOBS]      (default 100000 and 2)
# Needs an optimised build: PANTRYCRM=path/to/pantrycrm (default
# ./_build/pantrycrm). Prints rows/s of each and the ratios.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-100000}
jobs=${2:-2}
: "${PANTRYCRM:=$here/_build/pantrycrm}"
abs_top_srcdir=$here
export PANTRYCRM_DATADIR=$here/data
. "$here/tests/lib.sh"
. "$here/tests/pgcluster.sh"
trap - INT
pg_start
chmod 711 "$TEST_TMP"
SRC=$TEST_TMP/legacy.db
now() { date +%s.%N; }
sum() { awk '{ s += $1 } END { print s }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "# generating S=$scale"
"$PANTRYCRM" demo generate --scale "$scale" --seed 1 --out "$SRC" | tail -n 1
rows=$(for t in User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract; do
    sqlite3 "$SRC" "SELECT count(*) FROM \"$t\""; done | sum)
echo "# $rows source rows"
tables="User Account Session VerificationToken Organization Contact Interaction Opportunity Lead Contract"

# Drops the secondary indexes and foreign keys of a fresh target the way
# the engine does, and prints the SQL that rebuilds them.
prepare_empty() {
    pg_createdb "$1"
    "$PANTRYCRM" -d "dbname=$1" db migrate >/dev/null
    psql -X -At -d "$1" >"$TEST_TMP/$1.rebuild.sql" <<'SQL'
SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s;', n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE c.contype = 'f' AND n.nspname = 'public'
UNION ALL
SELECT pg_get_indexdef(x.indexrelid) || ';' FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
 WHERE t.relnamespace = 'public'::regnamespace AND NOT x.indisunique AND NOT x.indisprimary
ORDER BY 1 DESC;
SQL
    # The search word index (0008) is derived data, rebuilt after the rows
    # as the engine does.
    printf '%s\n' 'SELECT search.rebuild_organization_words();' \
        'SELECT search.rebuild_contact_words();' >>"$TEST_TMP/$1.rebuild.sql"
    psql -X -q -d "$1" <<'SQL'
ALTER TABLE "Organization" DISABLE TRIGGER organization_search_words;
ALTER TABLE "Contact" DISABLE TRIGGER contact_search_words;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT t.relname, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relnamespace = 'public'::regnamespace LOOP
    EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', r.relname, r.conname);
  END LOOP;
  FOR r IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = 'public'::regnamespace AND NOT x.indisunique AND NOT x.indisprimary LOOP
    EXECUTE format('DROP INDEX public.%I', r.relname);
  END LOOP;
END $$;
SQL
}
finish() { # db: rebuild indexes and keys, then analyse, as the engine does
    psql -X -q -d "$1" -c "SET maintenance_work_mem = '256MB'" -f "$TEST_TMP/$1.rebuild.sql" >/dev/null
    for t in $tables; do psql -X -q -d "$1" -c "VACUUM (ANALYZE) \"$t\""; done
}

# 1. pantrycrm
pg_createdb pantry
"$PANTRYCRM" -d dbname=pantry db migrate >/dev/null
t0=$(now)
"$PANTRYCRM" -d dbname=pantry migrate --source "$SRC" --jobs "$jobs" --progress none >"$TEST_TMP/pantry.out" \
    || { cat "$TEST_TMP/pantry.out"; bail_out "pantrycrm migrate failed"; }
t1=$(now)
pantry_s=$(elapsed "$t0" "$t1")
migrated=$(psql_val "SELECT sum(rows_migrated) FROM migration.checkpoint" pantry)

# 2. raw COPY of the same, already transformed rows
for t in $tables; do
    psql -X -q -d pantry -c "\\copy \"$t\" TO '$TEST_TMP/$t.copy'"
done
prepare_empty raw
t0=$(now)
for t in $tables; do psql -X -q -d raw -c "\\copy \"$t\" FROM '$TEST_TMP/$t.copy'"; done
t1=$(now)
finish raw
t2=$(now)
raw_load_s=$(elapsed "$t0" "$t1")
raw_s=$(elapsed "$t0" "$t2")

# 3. pgloader, when installed
pgl_s=
if command -v pgloader >/dev/null 2>&1; then
    prepare_empty pgl
    # pgloader 3.6's SQLite type parser rejects "DATETIME2" (a digit in a
    # type name): give it the same rows with the declared types renamed.
    PGLSRC=$TEST_TMP/pgloader-input.db
    sqlite3 "$SRC" .schema | sed -e 's/DATETIME2/DATETIME/g' -e 's/"NVARCHAR(MAX)"/TEXT/g' \
        -e 's/NVARCHAR(MAX)/TEXT/g' | sqlite3 "$PGLSRC"
    for t in $tables; do
        sqlite3 "$PGLSRC" "ATTACH '$SRC' AS s; INSERT INTO main.\"$t\" SELECT * FROM s.\"$t\";"
    done
    echo "# pgloader reads a copy with DATETIME2 declared as DATETIME (it cannot parse the former)"
    cat >"$TEST_TMP/pgl.load" <<LOAD
LOAD DATABASE
  FROM sqlite://$PGLSRC
  INTO postgresql://postgres@unix:$PGHOST:$PGPORT/pgl
  WITH data only, quote identifiers, workers = $((jobs * 2)), concurrency = 1,
       prefetch rows = 10000, batch rows = 10000
  EXCLUDING TABLE NAMES LIKE '_prisma_migrations';
LOAD
    t0=$(now)
    if pgloader "$TEST_TMP/pgl.load" >"$TEST_TMP/pgl.out" 2>&1; then
        t1=$(now)
        finish pgl
        t2=$(now)
        pgl_s=$(elapsed "$t0" "$t2")
        pgl_rows=$(for t in $tables; do psql_val "SELECT count(*) FROM \"$t\"" pgl; done | sum)
        [ "$pgl_rows" -gt 0 ] || { echo "# pgloader loaded nothing:"; grep -E "ERROR|WARNING|FATAL" "$TEST_TMP/pgl.out" | head -n 20; }
    else
        echo "# pgloader failed:"; tail -n 20 "$TEST_TMP/pgl.out"
    fi
fi

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
echo
printf '%-34s %10s %10s %12s\n' "load (S=$scale, jobs=$jobs)" rows seconds rows/s
printf '%-34s %10s %10s %12s\n' "raw COPY + indexes (the limit)" "$migrated" "$raw_s" "$(rate "$migrated" "$raw_s")"
printf '%-34s %10s %10s %12s\n' "  of which COPY alone" "$migrated" "$raw_load_s" "$(rate "$migrated" "$raw_load_s")"
printf '%-34s %10s %10s %12s\n' "pantrycrm migrate" "$rows" "$pantry_s" "$(rate "$rows" "$pantry_s")"
[ -n "$pgl_s" ] && printf '%-34s %10s %10s %12s\n' "pgloader + indexes" "$pgl_rows" "$pgl_s" "$(rate "$pgl_rows" "$pgl_s")"
echo
awk -v p="$pantry_s" -v r="$raw_s" 'BEGIN { printf "pantrycrm / raw limit: %.2f (target >= 0.80)\n", r / p }'
[ -n "$pgl_s" ] && awk -v p="$pantry_s" -v g="$pgl_s" 'BEGIN { printf "pantrycrm / pgloader:  %.2f (target >= 3)\n", g / p }'
exit 0
