# bench/lib.sh - what every benchmark does first; source it with
#   . "$(dirname "$0")/lib.sh"
# It sets `here` (the source tree) and PANTRYCRM (an optimised build; by
# default ./_build/pantrycrm), points the program at the tree's data,
# brings in the test harness (tests/lib.sh, tests/pgcluster.sh: pg_start
# gives a throwaway cluster that is removed at exit) and lets ^C end the
# benchmark.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${PANTRYCRM:=$here/_build/pantrycrm}"
abs_top_srcdir=$here
export PANTRYCRM_DATADIR=$here/data
. "$here/tests/lib.sh"
. "$here/tests/pgcluster.sh"
trap - INT
