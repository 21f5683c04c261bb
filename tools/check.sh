#!/bin/sh
# tools/check.sh - the whole test suite, as CI runs it: install
# dependencies, build from scratch with -Werror and ASan/UBSan in _check/,
# run `make check` (every test against its own throwaway PostgreSQL), then
# tests/valgrind.sh in a plain build (_check/vg), then `make distcheck`,
# and end with one line "N passed, M failed, K skipped".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh tools/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

summary() { # the counts of one test-suite.log
    awk '/^# (PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):/ { n[$2] = $3 }
         END { printf "%d %d %d\n", n["PASS:"] + n["XFAIL:"], n["FAIL:"] + n["XPASS:"] + n["ERROR:"], n["SKIP:"] }' "$1"
}

autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }
rm -rf _check && mkdir _check && cd _check || exit 1
if ! ../configure --quiet --enable-werror --enable-sanitizers >configure.out 2>&1; then
    cat configure.out; echo "0 passed, 1 failed"; exit 1
fi
if ! make -j"$(nproc)" --no-print-directory -s >build.out 2>&1; then
    cat build.out; echo "0 passed, 1 failed"; exit 1
fi
# The tests' throwaway clusters live under a directory of this run's own, so
# that the check below sees exactly them (not another run's on this host).
# Short, and open to the postgres user that runs the clusters.
TMPDIR=$(mktemp -d /tmp/pantrycrm-ci.XXXXXX) && chmod 755 "$TMPDIR" || exit 1
export TMPDIR
# deps.sh installed every tool the tests use: a missing one is a failure,
# never a skip (tests/lib.sh, require_cmd).
export PANTRYCRM_STRICT=1
# LeakSanitizer cannot follow runuser; ASan and UBSan still check everything.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
make -j"$(nproc)" --no-print-directory check
check_rc=$?
if [ -f test-suite.log ]; then set -- $(summary test-suite.log); else set -- 0 1 0; fi
passed=$1 failed=$2 skipped=$3
# A suite that ran nothing proves nothing.
[ "$passed" -gt 0 ] || { echo "make check: no test passed"; failed=$((failed + 1)); }
[ "$check_rc" -eq 0 ] || { [ -f test-suite.log ] && cat test-suite.log; [ "$failed" -gt 0 ] || failed=1; }

# valgrind cannot run sanitizer code, so the tree above skips
# tests/valgrind.sh: a second, plain -O1 -g tree of the same source runs
# just that test (and what it needs), its results counted with the rest.
mkdir vg && cd vg || exit 1
if ! ../../configure --quiet --enable-werror CFLAGS='-O1 -g' >configure.out 2>&1; then
    cat configure.out; echo "valgrind tree: configure FAILED"; failed=$((failed + 1))
elif ! make -j"$(nproc)" --no-print-directory -s pantrycrm tests/render.t >build.out 2>&1; then
    cat build.out; echo "valgrind tree: build FAILED"; failed=$((failed + 1))
else
    make --no-print-directory check TESTS=tests/valgrind.sh check_PROGRAMS=tests/render.t
    vg_rc=$?
    if [ -f test-suite.log ]; then set -- $(summary test-suite.log); else set -- 0 1 0; fi
    passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
    [ "$vg_rc" -eq 0 ] || { [ -f test-suite.log ] && cat test-suite.log; [ "$2" -gt 0 ] || failed=$((failed + 1)); }
fi
cd .. || exit 1

# The release tarball must build and pass on its own, out of tree.
if [ "$check_rc" -eq 0 ] && [ "${PANTRYCRM_SKIP_DISTCHECK:-}" != 1 ]; then
    # tests/valgrind.sh ran in the plain tree above: not twice.
    if PANTRYCRM_SKIP_VALGRIND=1 make -j"$(nproc)" --no-print-directory distcheck >distcheck.out 2>&1; then
        echo "make distcheck: passed"
        passed=$((passed + 1))
    else
        tail -n 60 distcheck.out
        # The tail shows the summary, not which test failed: name them and
        # show their logs, which distcheck leaves in its build tree.
        bad=$(grep -E '^(FAIL|ERROR|XPASS):' distcheck.out)
        printf '%s\n' "$bad"
        for log in $(printf '%s\n' "$bad" | sed -E 's/^[A-Z]+: ([^ ]+).*/\1/' | sort -u); do
            for f in pantrycrm-*/_build/sub/"${log%.*}".log; do
                [ -f "$f" ] || continue
                echo "--- ${log%.*}.log (last 80 lines)"
                tail -n 80 "$f"
            done
        done
        echo "make distcheck: FAILED"
        failed=$((failed + 1))
    fi
elif [ "$check_rc" -ne 0 ]; then
    echo "make distcheck: not run, since make check failed"
else
    echo "make distcheck: skipped (PANTRYCRM_SKIP_DISTCHECK=1)"
    skipped=$((skipped + 1))
fi
# Every test must stop the cluster it started, whatever happened to it.
# Without pgrep this check could not see a server, so it fails instead.
mine="postgres -D $TMPDIR/pantrycrm-test\.[^/]*/pgdata"
if ! command -v pgrep >/dev/null 2>&1; then
    echo "test harness: pgrep (Debian package procps) is missing: cannot check for leftover servers"
    failed=$((failed + 1))
elif [ "$(pgrep -f . | wc -l)" -eq 0 ]; then
    # It sees no process at all, not even this shell (no /proc?).
    echo "test harness: pgrep sees no process here: cannot check for leftover servers"
    failed=$((failed + 1))
elif leaked=$(pgrep -f "$mine" | wc -l) && [ "$leaked" -gt 0 ]; then
    echo "test harness: $leaked throwaway PostgreSQL server(s) left running:"
    pgrep -af "$mine"
    failed=$((failed + 1))
    pkill -f "$mine" 2>/dev/null
else
    echo "test harness: every throwaway PostgreSQL server was stopped"
    passed=$((passed + 1))
fi
# Nor may a test leave a pantrycrm of this tree running (a console whose
# terminal went away, a detached migration).
left=
if command -v pgrep >/dev/null 2>&1; then
    for p in $(pgrep -f pantrycrm); do
        case $(readlink "/proc/$p/exe" 2>/dev/null) in
        "$top"/*) left="$left $p" ;;
        esac
    done
fi
if [ -n "$left" ]; then
    echo "test harness: pantrycrm processes left running:"
    # shellcheck disable=SC2086
    ps -o pid,ppid,stat,etime,wchan:24,args -p "$(echo $left | tr ' ' ,)" 2>/dev/null
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null
    failed=$((failed + 1))
else
    echo "test harness: no pantrycrm process was left running"
    passed=$((passed + 1))
fi
rm -rf "$TMPDIR" 2>/dev/null
cd "$top" || exit 1
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
