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

# Every command listed by --help has its own subsection in the page.
for grp in $("$PANTRYCRM" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
    for sub in $("$PANTRYCRM" "$grp" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
        if grep -q "^\.SS \"$grp $sub\"" "$page"; then ok 0 "man page documents '$grp $sub'"
        else ok 1 "man page documents '$grp $sub'"; fi
    done
done

# Every long option of every command's --help appears in the page.
for cmd in "" "db migrate" "db status"; do
    # shellcheck disable=SC2086
    for opt in $("$PANTRYCRM" $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        if grep -q -- "$esc" "$page"; then ok 0 "man page mentions $opt${cmd:+ ($cmd)}"
        else ok 1 "man page mentions $opt${cmd:+ ($cmd)}"; fi
    done
done

done_testing
