#!/bin/sh
# tools/drizzle-regen.sh - rewrites data/drizzle/migrations, the Drizzle
# migrations folder that pantrycrm ships and `pantrycrm db drizzle-baseline`
# installs, after a change to data/sql or data/drizzle/schema.ts.
#
#   0000_pantrycrm_baseline.sql  every file of data/sql in order, so that a
#                                database built by `drizzle-kit migrate` is
#                                the one `pantrycrm db migrate` builds
#   meta/0000_snapshot.json      drizzle-kit's snapshot of schema.ts, so that
#                                `drizzle-kit generate` finds nothing to write
#   meta/_journal.json           the one entry (its time kept from the last run)
#
# Needs node and npm (it installs tests/node's pinned packages in a scratch
# directory). tests/drizzle.sh fails when the folder is out of date.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drizzle-regen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp tests/node/package.json tests/node/package-lock.json tests/node/drizzle.config.ts "$tmp/"
mkdir "$tmp/db"
cp data/drizzle/schema.ts data/drizzle/relations.ts "$tmp/db/"
(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    DRIZZLE_OUT=out npx --no-install drizzle-kit generate --name pantrycrm_baseline >/dev/null)
out=data/drizzle/migrations
# The baseline keeps its time once released: databases already baselined
# hold it as their newest applied migration.
# Likewise the snapshot's id (drizzle-kit draws a new one every time), so
# that an unchanged schema leaves the file unchanged.
if [ -f "$out/meta/_journal.json" ]; then
    cp "$out/meta/_journal.json" "$tmp/journal.json"
    id=$(sed -n 's/^  "id": "\([0-9a-f-]*\)",$/\1/p' "$out/meta/0000_snapshot.json" | head -n1)
    [ -z "$id" ] || sed -i "0,/^  \"id\": \"[0-9a-f-]*\",\$/s//  \"id\": \"$id\",/" "$tmp/out/meta/0000_snapshot.json"
else
    cp "$tmp/out/meta/_journal.json" "$tmp/journal.json"
fi
rm -rf "$out"
mkdir -p "$out/meta"
cat data/sql/*.sql >"$out/0000_pantrycrm_baseline.sql"
cp "$tmp/out/meta/0000_snapshot.json" "$out/meta/"
cp "$tmp/journal.json" "$out/meta/_journal.json"
echo "wrote $top/$out"
