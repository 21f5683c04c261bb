#!/bin/sh
# The manual pages lint clean and agree with the program, both ways:
# every command has its section and every section a command; a command's
# section names exactly the long options its --help lists; every setting
# the configuration code accepts is in pantrycrm.conf(5) and every setting
# there is accepted; every environment variable the code reads is in
# ENVIRONMENT; every console key is in the key table. The lists come from
# the program itself (--help, config --keys, keys) and from the sources, so
# new commands, options, settings and variables are checked as they come.
. "$abs_top_srcdir/tests/lib.sh"

page=$abs_top_srcdir/man/pantrycrm.1
conf=$abs_top_srcdir/man/pantrycrm.conf.5
require_cmd man man-db

# man exits 0 even when it warns, so the test is an empty stderr.
for p in "$page" "$conf"; do
    warnings=$(man --warnings -E UTF-8 -l -Tutf8 -Z "$p" 2>&1 >/dev/null)
    is "$warnings" "" "man --warnings prints nothing for $(basename "$p")"
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l -E UTF-8 "$p" 2>&1 >/dev/null)
    is "$warnings" "" "nor when formatted for an 80-column terminal ($(basename "$p"))"
done

# Rendered text (man-db strips the overstriking when not writing to a tty).
render() { MANWIDTH=200 man -E UTF-8 -l "$1" 2>/dev/null; }
text=$(render "$page")
conftext=$(render "$conf")
for s in SYNOPSIS DESCRIPTION OPTIONS CONSOLE CONFIGURATION COMMANDS ENVIRONMENT FILES "EXIT STATUS" "SEE ALSO"; do
    like "$text" "^$s\$" "pantrycrm(1) has a $s section"
done
for s in SYNOPSIS DESCRIPTION SETTINGS EXAMPLES ENVIRONMENT FILES "SEE ALSO"; do
    like "$conftext" "^$s\$" "pantrycrm.conf(5) has a $s section"
done
# The rendered text of one top-level section (its heading to the next).
rendered_section() { # text heading
    printf '%s\n' "$1" | awk -v h="$2" '$0 == h {f = 1; next} /^[A-Z]/ {f = 0} f'
}

# --- commands and options ------------------------------------------------------
subcommands() { "$PANTRYCRM" "$@" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}'; }
# The source of one section: .SS "title" (or .SH title) to the next heading.
section() { # title
    awk -v t="$1" '
        /^\.S[HS] / { h = substr($0, 5); gsub(/"/, "", h); f = (h == t); next }
        f' "$page"
}
# Long options written in roff (\-\-name\-more) or plain, without --help,
# which every command has and the DESCRIPTION documents once.
man_opts() { grep -oE -- '\\-\\-[a-z0-9]([a-z0-9]|\\-)*' | sed 's/\\//g' | grep -vx -- '--help' | sort -u; }
help_opts() { grep -oE -- '--[a-z0-9][a-z0-9-]*' | grep -vx -- '--help' | sort -u; }
check_options() { # section-title command words…
    title=$1; shift
    sect=$(section "$title")
    if [ -z "$sect" ]; then
        ok 1 "man page has a section '$title'"
        return
    fi
    ok 0 "man page has a section '$title'"
    h=$("$PANTRYCRM" "$@" --help | help_opts)
    m=$(printf '%s\n' "$sect" | man_opts)
    missing=$(printf '%s\n' "$h" | grep -vxF -e "$m" -e '' | tr '\n' ' ')
    is "$missing" "" "every option of '${*:-pantrycrm}' --help is in its man section"
    extra=$(printf '%s\n' "$m" | grep -vxF -e "$h" -e '' | tr '\n' ' ')
    is "$extra" "" "every option in the man section '$title' exists in its --help"
}
check_options OPTIONS
documented=""
for cmd in $(subcommands); do
    subs=$(subcommands "$cmd")
    if [ -z "$subs" ]; then
        check_options "$cmd" "$cmd"
        documented="$documented$cmd
"
        continue
    fi
    for sub in $subs; do
        check_options "$cmd $sub" "$cmd" "$sub"
        documented="$documented$cmd $sub
"
    done
done
# …and every command section of the page is a command that exists.
page_cmds=$(awk '/^\.SH / {f = ($0 ~ /^\.SH "?COMMANDS"?$/); next}
                 f && /^\.SS / {h = substr($0, 5); gsub(/"/, "", h); print h}' "$page")
stale=$(printf '%s\n' "$page_cmds" | grep -vxF -e "$documented" -e '' | tr '\n' ',')
is "$stale" "" "every section under COMMANDS names a command of --help"
ok $([ -n "$page_cmds" ] && echo 0 || echo 1) "the COMMANDS sections were found"

# --- console keys -----------------------------------------------------------------
# Every key of the console (from the program's own table) is in the page,
# with the same help text.
"$PANTRYCRM" keys | while IFS= read -r line; do
    keys=$(printf '%s' "$line" | cut -c1-16 | sed 's/ *$//')
    help=$(printf '%s' "$line" | cut -c18-)
    if grep -qF "$(printf '%s\t%s' "$keys" "$help")" "$page"; then echo 0; else echo "1 $keys"; fi
done >"$TEST_TMP/keys.out"
is "$(grep -c '^1' "$TEST_TMP/keys.out")" 0 "every console key and its help are in the man page ($(grep -v '^0' "$TEST_TMP/keys.out" | tr '\n' ' '))"
is "$(wc -l <"$TEST_TMP/keys.out")" "$("$PANTRYCRM" keys | wc -l)" "the man page was checked against every key"

# --- configuration settings ----------------------------------------------------------
# The names the parser compares keys with (strcmp(key, "x") for a setting,
# strncmp(key, "x.", n) for a family) are the truth; config --keys must
# list them all, and pantrycrm.conf(5)'s SETTINGS tags must be exactly them.
src_keys=$(grep -ohE 'strn?cmp\(key, "[a-z.-]+"' "$abs_top_srcdir"/src/base/userconf.c \
    | sed -E 's/.*"([^"]*)"/\1/' | sort -u)
cli_keys=$("$PANTRYCRM" config --keys | sort -u)
ok $([ -n "$src_keys" ] && [ -n "$cli_keys" ] && echo 0 || echo 1) "the settings were found in the code and config --keys"
unlisted=""
for k in $src_keys; do
    case $k in
        *.) printf '%s\n' "$cli_keys" | grep -q "^$(printf '%s' "$k" | sed 's/\./\\./')[A-Z]" || unlisted="$unlisted $k" ;;
        *) printf '%s\n' "$cli_keys" | grep -qxF "$k" || unlisted="$unlisted $k" ;;
    esac
done
is "$unlisted" "" "every setting the parser accepts is listed by config --keys"
# The tags of SETTINGS: lines indented by exactly 7 columns; the setting is
# the word before " = ".
conf_keys=$(rendered_section "$conftext" SETTINGS | grep -E '^       [^ ]' | awk '{print $1}' | sort -u)
is "$(printf '%s\n' "$cli_keys" | grep -vxF -e "$conf_keys" | tr '\n' ' ')" "" \
    "every setting of config --keys is in pantrycrm.conf(5) SETTINGS"
is "$(printf '%s\n' "$conf_keys" | grep -vxF -e "$cli_keys" | tr '\n' ' ')" "" \
    "every setting in pantrycrm.conf(5) SETTINGS is one the program knows"

# --- environment ---------------------------------------------------------------------
# Every variable the code reads by name is in pantrycrm(1)'s ENVIRONMENT.
vars=$(grep -rohE '(getenv|xdg_dir)\("[A-Z_][A-Z0-9_]*"' "$abs_top_srcdir"/src "$abs_top_srcdir"/ui \
    | sed -E 's/.*"([^"]*)"/\1/' | sort -u)
ok $([ -n "$vars" ] && echo 0 || echo 1) "the variables read were found in the sources ($(printf '%s' "$vars" | tr '\n' ' '))"
envtext=$(rendered_section "$text" ENVIRONMENT)
undocumented=""
for v in $vars; do
    printf '%s\n' "$envtext" | grep -qw -- "$v" || undocumented="$undocumented $v"
done
is "$undocumented" "" "every environment variable the code reads is in ENVIRONMENT"

# --- files and exit statuses ---------------------------------------------------------
filestext=$(rendered_section "$text" FILES)
like "$filestext" "pantrycrm/config" "FILES names the configuration files"
like "$filestext" "state.db" "FILES names the state file"
exittext=$(rendered_section "$text" "EXIT STATUS")
# The statuses the code returns by number (EXIT_* constants and literals).
for st in $(sed -n 's/.*EXIT_[A-Z]* = \([0-9][0-9]*\).*/\1/p' "$abs_top_srcdir/src/cli/cli.h") \
          $(grep -ohE 'return (got_terminate \? )?1[0-9][0-9]\b' "$abs_top_srcdir"/ui/console.c | grep -oE '1[0-9][0-9]$'); do
    like "$exittext" "^ +$st( |\$)" "EXIT STATUS documents $st"
done

done_testing
