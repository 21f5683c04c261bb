#!/bin/sh
# tools/quickstart.sh - from a fresh Debian 12 clone to the console on a
# working demo: install dependencies, build, start the private demo
# database, migrate the demo's messy legacy source into it (first time
# only), and open the console.
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory -s
./pantrycrm demo up
conn=$(./pantrycrm demo conninfo)
legacy=$(./pantrycrm demo status | sed -n 's/^legacy: *//p')
if [ -n "$legacy" ] && ! ./pantrycrm -d "$conn" report --json 2>/dev/null | grep -q '"migrated": [1-9]'; then
    ./pantrycrm -d "$conn" migrate --source "$legacy" --progress bars
    # The dashboard's summary, so that pane 4 has numbers at once.
    ./pantrycrm -d "$conn" stats --refresh >/dev/null
fi
if [ -t 0 ] && [ -t 1 ]; then
    exec ./pantrycrm -d "$conn"
fi
echo "the demo is ready; open the console with: _build/pantrycrm -d \"$conn\""
