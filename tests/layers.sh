#!/bin/sh
# The core returns results and does not print: below the command layer
# (src/cli) and the console (ui/), a module hands back structs, JSON or
# text, and says progress through the sink its caller gives (progress.h).
# Checked over every core folder; the only writers left are
# named below with the reason, each a file format or a last-resort
# diagnostic, never a report for a person.
. "$abs_top_srcdir/tests/lib.sh"

cd "$abs_top_srcdir/src" || bail_out "no src folder"

# Calls that write to a stream, and any mention of stdout or stderr.
pattern='(^|[^_[:alnum:]])(printf|puts|putchar|vprintf|perror|fprintf|vfprintf|fputs|fputc|putc|fwrite)[[:space:]]*\(|(^|[^_[:alnum:]])(stdout|stderr)([^_[:alnum:]]|$)'
# file: why it may write
allowed='
base/util.c: warnx_, diex and the out-of-memory message, the diagnostics on stderr
base/digest.c: the message before abort when libcrypto has no SHA-256
base/sanitize.c: sanitize_report, which the command layer calls to print a report safely
crm/export.c: the CSV and JSON export formats, into the file or stream the caller opened
demo/demo.c: the demo cluster'"'"'s postgresql.conf
demo/gen.c: the dirt report file FILE.dirt.json
demo/gen_tsql.c: the T-SQL script
ops/drizzle.c: the Drizzle migrations folder
ops/drizzle_schema.c: schema.ts and relations.ts
source/tds_locator.c: the private freetds.conf
migrate/cutover.c: the report file the gate leaves beside the run
migrate/job.c: the PANTRYCRM_PROFILE timings on stderr, a developer'"'"'s diagnostic
'
files=$(ls base/*.c db/*.c source/*.c ops/*.c demo/*.c crm/*.c migrate/*.c)
ok "$([ "$(printf '%s\n' $files | grep -c '\.c$')" -gt 40 ]; echo $?)" "the core folders are where this test looks"
for f in $files; do
    hits=$(grep -nE "$pattern" "$f" | grep -vE '^[0-9]+:[[:space:]]*(/\*|\*)')
    why=$(printf '%s\n' "$allowed" | sed -n "s|^$f: ||p")
    case $f in
    base/util.c|base/digest.c|migrate/job.c)
        unlike "$hits" "stdout" "$f writes nothing but $why" ;;
    *)
        if [ -n "$why" ]; then
            unlike "$hits" "stdout|stderr" "$f writes nothing but $why"
        else
            is "$hits" "" "$f does not print"
        fi ;;
    esac
done
done_testing
