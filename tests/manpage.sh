#!/bin/sh
# The manual page lints clean and documents every command that exists.
. "$abs_top_srcdir/tests/lib.sh"

page=$abs_top_srcdir/man/pantrycrm.1
command -v man >/dev/null 2>&1 || skip_all "man (man-db) is not installed"

# man exits 0 even when it warns, so the test is an empty stderr.
warnings=$(man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
is "$warnings" "" "man --warnings prints nothing for pantrycrm.1"

text=$(MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null)
like "$text" "EXIT STATUS" "the page has an EXIT STATUS section"
like "$text" "ENVIRONMENT" "the page has an ENVIRONMENT section"

# Every command listed by --help (and every subcommand of a group) has
# its own subsection, and every long option its --help shows is in the page.
subcommands() { "$PANTRYCRM" "$@" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'; }
check_options() { # command words…
    for opt in $("$PANTRYCRM" "$@" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        if grep -q -- "$esc" "$page"; then ok 0 "man page mentions $opt${1:+ ($*)}"
        else ok 1 "man page mentions $opt${1:+ ($*)}"; fi
    done
}
check_options
for cmd in $(subcommands); do
    subs=$(subcommands "$cmd")
    if [ -z "$subs" ]; then
        if grep -q "^\.SS \"$cmd\"" "$page"; then ok 0 "man page documents '$cmd'"
        else ok 1 "man page documents '$cmd'"; fi
        check_options "$cmd"
        continue
    fi
    for sub in $subs; do
        if grep -q "^\.SS \"$cmd $sub\"" "$page"; then ok 0 "man page documents '$cmd $sub'"
        else ok 1 "man page documents '$cmd $sub'"; fi
        check_options "$cmd" "$sub"
    done
done

# Every key of the console (from the program's own table) is in the page,
# with the same help text.
"$PANTRYCRM" keys | while IFS= read -r line; do
    keys=$(printf '%s' "$line" | cut -c1-16 | sed 's/ *$//')
    help=$(printf '%s' "$line" | cut -c18-)
    if grep -qF "$(printf '%s\t%s' "$keys" "$help")" "$page"; then echo 0; else echo "1 $keys"; fi
done >"$TEST_TMP/keys.out"
is "$(grep -c '^1' "$TEST_TMP/keys.out")" 0 "every console key and its help are in the man page ($(grep -v '^0' "$TEST_TMP/keys.out" | tr '\n' ' '))"
is "$(wc -l <"$TEST_TMP/keys.out")" "$("$PANTRYCRM" keys | wc -l)" "the man page was checked against every key"

done_testing
