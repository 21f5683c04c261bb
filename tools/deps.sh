#!/bin/sh
# tools/deps.sh - install what pantrycrm needs to build, test and run its
# demo, on Debian 12 (bookworm), a minimal one included (debootstrap
# --variant=minbase lacks procps, which the tests' process checks use).
# Uses sudo when not run as root.
set -eu
pkgs="build-essential autoconf automake autoconf-archive pkg-config
      libncurses-dev libreadline-dev libsqlite3-dev libpq-dev freetds-dev
      libssl-dev uuid-dev libjansson-dev libxxhash-dev
      postgresql postgresql-contrib pgbouncer openssl sqlite3 python3 tmux man-db valgrind
      procps ca-certificates"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm for tests/drizzle.sh (the application's stack). Debian's
# nodejs (18) and npm run the pinned packages of tests/node; a node that is
# already there (another packaging: its npm comes with it) is kept.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
echo "installing:$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
