#!/bin/sh
# tools/quickstart.sh - from a fresh Debian 12 clone to a running demo:
# install dependencies, build, start the private demo database.
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory -s
./pantrycrm demo up
