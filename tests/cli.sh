#!/bin/sh
# The command line: help, version, and one-line errors with exit status 2.
. "$abs_top_srcdir/tests/lib.sh"

run_ok "--version works" "$PANTRYCRM" --version
like "$OUT" '^pantrycrm [0-9]+\.[0-9]+\.[0-9]+$' "--version prints name and version"

run_ok "--help works" "$PANTRYCRM" --help
like "$OUT" 'Usage: pantrycrm' "--help shows usage"
for cmd in db demo; do
    like "$OUT" "^  $cmd " "--help lists '$cmd'"
done

for sub in "db migrate" "db status" "demo up" "demo down" "demo status" "demo conninfo"; do
    # shellcheck disable=SC2086
    run_ok "'$sub --help' works" "$PANTRYCRM" $sub --help
    like "$OUT" "^Usage: pantrycrm $sub" "'$sub --help' shows its usage"
done
for grp in db demo; do
    run_ok "'$grp --help' works" "$PANTRYCRM" $grp --help
    like "$OUT" "Commands:" "'$grp --help' lists its commands"
done

one_line_error() { # desc want-regex cmd…
    local desc=$1 re=$2; shift 2
    run_fails "$desc exits 2" 2 "$@"
    is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$desc: one line on stderr"
    like "$ERR" "$re" "$desc: says what is wrong"
    is "$OUT" "" "$desc: nothing on stdout"
}
one_line_error "unknown global option" "unknown option '--bogus'" "$PANTRYCRM" --bogus
one_line_error "unknown short option" "unknown option '-Z'" "$PANTRYCRM" -Z
one_line_error "unknown command" "unknown command 'frobnicate'" "$PANTRYCRM" frobnicate
one_line_error "unknown db command" "pantrycrm db: unknown command 'nuke'" "$PANTRYCRM" db nuke
one_line_error "unknown db migrate option" "pantrycrm db migrate: unknown option '--force'" \
    "$PANTRYCRM" db migrate --force
one_line_error "missing option value" "option '--dbname' needs a value" "$PANTRYCRM" db status --dbname
one_line_error "stray argument" "unexpected argument 'extra'" "$PANTRYCRM" demo status extra
one_line_error "console without a terminal" "needs a terminal" "$PANTRYCRM"

run_fails "a group without a command exits 2" 2 "$PANTRYCRM" db
like "$ERR" "Usage: pantrycrm db COMMAND" "and shows the group's usage on stderr"

done_testing
