#!/bin/sh
# assess in bounded memory: with a budget too small for even one table's
# parent keys (PANTRYCRM_ASSESS_MEMORY), the orphan check and the search for
# case-insensitive duplicates go through the temporary file, and every
# finding is exactly what the default budget finds.
. "$abs_top_srcdir/tests/lib.sh"
require_cmd sqlite3 sqlite3
require_cmd python3 python3
export XDG_STATE_HOME=$TEST_TMP/state
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 300 --messy --seed 11 --out "$SRC" >/dev/null \
    || bail_out "demo generate failed"
# Contract numbers that SQL Server held as one value (case, a trailing
# blank), on top of the generator's orphans and quarantined parents.
sqlite3 "$SRC" <<'SQL' || bail_out "planting failed"
UPDATE "Contract" SET "contractNumber" = 'KP-2025-000770' WHERE id = (SELECT id FROM "Contract" ORDER BY id LIMIT 1);
UPDATE "Contract" SET "contractNumber" = 'kp-2025-000770' WHERE id = (SELECT id FROM "Contract" ORDER BY id LIMIT 1 OFFSET 1);
UPDATE "Contract" SET "contractNumber" = 'Kp-2025-000770 ' WHERE id = (SELECT id FROM "Contract" ORDER BY id LIMIT 1 OFFSET 2);
UPDATE "User" SET email = 'Chef@Example.com' WHERE id = (SELECT id FROM "User" ORDER BY id LIMIT 1);
UPDATE "User" SET email = 'chef@example.com ' WHERE id = (SELECT id FROM "User" ORDER BY id LIMIT 1 OFFSET 1);
SQL

run_ok "assess with the default budget" "$PANTRYCRM" assess --source "$SRC" --json
printf '%s\n' "$OUT" >"$TEST_TMP/big.json"
run_ok "assess with a 1 kB budget" env PANTRYCRM_ASSESS_MEMORY=1k "$PANTRYCRM" assess --source "$SRC" --json
printf '%s\n' "$OUT" >"$TEST_TMP/tiny.json"
run_ok "assess with a 20 kB budget (some in memory, some not)" \
    env PANTRYCRM_ASSESS_MEMORY=20k "$PANTRYCRM" assess --source "$SRC" --json
printf '%s\n' "$OUT" >"$TEST_TMP/mid.json"

q() { # FILE EXPR: EXPR over the assessment a, and t(NAME) for a table
    python3 -c "import json,sys
a = json.load(open(sys.argv[1]))
def t(n): return [x for x in a['tables'] if x['table'] == n][0]
print($2)" "$TEST_TMP/$1.json"
}
is "$(q big "a['memory']['spilled_entries']")" "0" "the default budget holds this source in memory"
is "$(q tiny "a['memory']['budget_bytes']")" "1024" "the budget is taken from PANTRYCRM_ASSESS_MEMORY"
ok "$(q tiny "0 if a['memory']['spilled_entries'] > 1000 else 1")" "a 1 kB budget puts the keys in the file"
ok "$(q mid "0 if 0 < a['memory']['spilled_entries'] < $(q tiny "a['memory']['spilled_entries']") else 1")" \
   "a 20 kB budget keeps part in memory"

# The findings the sets decide are there to compare (the comparison below
# cannot pass for want of them).
ok "$(q big "0 if sum(sum(x['orphans'].values()) for x in a['tables']) > 50 else 1")" \
   "the source has orphans"
ok "$(q big "0 if sum(x['quarantine_reasons'].get('fk_parent_quarantined', 0) for x in a['tables']) > 50 else 1")" \
   "and children of quarantined parents"
is "$(q big "t('Contract')['unique_keys'][0]['case_insensitive_duplicates']")" "2" \
   "three contract numbers equal but for case and a blank are two duplicates"
is "$(q big "t('User')['unique_keys'][0]['case_insensitive_duplicates']")" "1" "two e-mails are one"

# Everything but the timing and the memory report is the same.
same() {
    python3 - "$TEST_TMP/big.json" "$TEST_TMP/$1.json" <<'PY'
import json, sys
def load(p):
    a = json.load(open(p))
    for k in ("read_seconds", "expected_run", "memory"):
        a.pop(k)
    return a
x, y = load(sys.argv[1]), load(sys.argv[2])
for tx, ty in zip(x["tables"], y["tables"]):
    if tx != ty:
        print("differs:", tx["table"])
print("same" if x == y else "different")
PY
}
is "$(same tiny)" "same" "a 1 kB budget finds exactly what the default finds"
is "$(same mid)" "same" "a 20 kB budget too"

run_fails "a budget that is not a size is refused" 1 env PANTRYCRM_ASSESS_MEMORY=lots \
    "$PANTRYCRM" assess --source "$SRC" --json
like "$ERR" "PANTRYCRM_ASSESS_MEMORY" "naming the variable"
done_testing
