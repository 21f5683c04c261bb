#!/bin/sh
# The configuration files: the system file then the user's, every mistake
# reported as FILE:LINE, named connections usable wherever -d is, defaults
# for migrate, and a console that opens read-only when the file says so.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"

SYS=$TEST_TMP/etc/pantrycrm/config
mkdir -p "$TEST_TMP/etc/pantrycrm" "$TEST_TMP/xdg/pantrycrm"
USR=$TEST_TMP/xdg/pantrycrm/config
export PANTRYCRM_SYSCONFIG="$SYS" XDG_CONFIG_HOME="$TEST_TMP/xdg" XDG_STATE_HOME="$TEST_TMP/state"

# --- which files, in which order --------------------------------------------
run_ok "config --path works without the files" "$PANTRYCRM" config --path
is "$OUT" "$(printf 'system %s (absent)\nuser   %s (absent)' "$SYS" "$USR")" \
    "it lists the system file, then the user's under XDG_CONFIG_HOME"
: >"$SYS"
PANTRYCRM_CONFIG=$TEST_TMP/other run_ok "PANTRYCRM_CONFIG names the user file" "$PANTRYCRM" config --path
like "$OUT" "^user +$TEST_TMP/other \\(absent\\)" "and config --path shows it"
PANTRYCRM_CONFIG=$TEST_TMP/other run_fails "a file PANTRYCRM_CONFIG names must exist" 1 "$PANTRYCRM" config --check
like "$ERR" "^$TEST_TMP/other: No such file or directory \\(named by PANTRYCRM_CONFIG\\)" "and the message says who named it"
PANTRYCRM_SYSCONFIG=$TEST_TMP/nosys run_fails "so must one PANTRYCRM_SYSCONFIG names, for every command" 2 "$PANTRYCRM" keys
like "$ERR" "named by PANTRYCRM_SYSCONFIG" "with the variable's name"
run_ok "config --check with an empty system file and no user file" "$PANTRYCRM" config --check
is "$OUT" "$SYS: ok" "names the one file it read"
PANTRYCRM_SYSCONFIG= XDG_CONFIG_HOME=$TEST_TMP/none HOME=$TEST_TMP/none run_ok "config --check without any file" "$PANTRYCRM" config --check
like "$OUT" "^(no configuration file: the defaults apply|/.*/pantrycrm/config: ok)\$" "says the defaults apply (unless this machine has a system file)"

# --- precedence: the user's file overrides the system's key by key --------
cat >"$SYS" <<EOF
# site defaults
read-only = true
migrate.jobs = 3
color.header = white on blue bold
connection.site = host=sys.example.org dbname=crm
EOF
cat >"$USR" <<EOF
read-only = false    # this engineer may write
color.header = black on cyan
migrate.batch-size = 500
EOF
run_ok "config --check accepts both files" "$PANTRYCRM" config --check
is "$OUT" "$(printf '%s: ok\n%s: ok' "$SYS" "$USR")" "and names each file it read"
run_ok "config --show" "$PANTRYCRM" config --show
like "$OUT" "^read-only = false +# $USR:1\$" "the user's read-only overrides the system's, with its origin"
like "$OUT" "^color.header = black on cyan +# $USR:2\$" "the user's colour for a role overrides the system's"
like "$OUT" "migrate.jobs = 3" "a key only the system file sets stays in force"
like "$OUT" "migrate.batch-size = 500" "a key only the user file sets is in force"
like "$OUT" "^connection.site = host=sys.example.org dbname=crm +# $SYS:5\$" \
    "a connection of the system file, with its origin"
run_ok "config (no option) shows the same" "$PANTRYCRM" config
like "$OUT" "^read-only = false" "--show is the default"

# --- every mistake, with its file and line -----------------------------------
check_error() { # file-content expected-message description
    printf '%s\n' "$1" >"$USR"
    run_fails "$3: config --check fails" 1 "$PANTRYCRM" config --check
    like "$ERR" "^$USR:$2" "$3: reported as FILE:LINE: message"
}
: >"$SYS"
check_error "$(printf '# c\nreadonly = true')" "2: unknown setting 'readonly' \\(known: read-only," "unknown key"
check_error "read-only = maybe" "1: read-only takes true or false, not 'maybe'" "bad boolean"
check_error "color = sometimes" "1: color takes auto, never or always, not 'sometimes'" "bad color mode"
check_error "color.headr = red" "1: unknown colour role 'headr' \\(roles: header," "unknown colour role"
check_error "color.header = purple" "1: color.header: unknown colour or attribute 'purple'" "unknown colour"
check_error "color.header = red on" "1: color.header: 'on' needs a colour after it" "dangling 'on'"
check_error "color.header = bold red" "1: color.header: colour 'red' out of place" "colour after attribute"
check_error "key.PAGE_DOWN =" "1: key.PAGE_DOWN needs at least one key" "empty key binding"
check_error "key.PAGE_DWON = x" "1: key.PAGE_DWON: unknown action 'PAGE_DWON'" "unknown action"
check_error "key.PAGE_DOWN = x Hyper" "1: key.PAGE_DOWN: unknown key 'Hyper' for PAGE_DOWN" "unknown key name"
# A form's keys and the yes of a question are actions of the key table too.
printf 'key.FORM_SAVE = ^S\nkey.MERGE_THEIRS = T\nkey.CONFIRM_YES = y j\n' >"$USR"
run_ok "form keys and the confirmation can be rebound (config --check)" "$PANTRYCRM" config --check
check_error "key.FORM_LEAVE = Hyper" "1: key.FORM_LEAVE: unknown key 'Hyper' for FORM_LEAVE" "a form key is checked too"
check_error "connection.prod = host=x frob=1" "1: connection.prod: not a valid connection string: invalid connection option \"frob\"" "bad conninfo"
check_error "connection.a/b = dbname=x" "1: a connection name is letters, digits" "bad connection name"
check_error "default-connection = nowhere" "1: default-connection names 'nowhere', but no connection.nowhere is defined" "default names an undefined connection"
check_error "migrate.jobs = 0" "1: migrate.jobs takes a number from 1 to 16, not '0'" "jobs out of range"
check_error "migrate.batch-size = lots" "1: migrate.batch-size takes a number from 1 to 1000000, not 'lots'" "bad batch size"
check_error "synonyms =" "1: synonyms needs a file name" "empty synonyms"
check_error "source =" "1: source needs a locator" "empty source"
check_error "just words" "1: expected 'key = value'" "a line without ="
check_error "= 1" "1: expected 'key = value' \\(the key is missing\\)" "a line without a key"

printf 'color = never\nfoo = 1\nmigrate.jobs = 40\n' >"$USR"
run_fails "several mistakes" 1 "$PANTRYCRM" config --check
is "$(printf '%s\n' "$ERR" | grep -c "^$USR:")" 2 "are all reported, one line each"
printf 'bar = 2\n' >"$SYS"
run_fails "mistakes in both files" 1 "$PANTRYCRM" config --check
like "$ERR" "^$SYS:1: unknown setting 'bar'" "the system file's are reported with its name"

# A mistake stops every command before it does anything.
run_fails "a command refuses to run with a broken configuration" 2 "$PANTRYCRM" -d dbname=x db status
like "$ERR" "^pantrycrm: $SYS:1: unknown setting 'bar'" "and says where the mistake is"
run_ok "--help still works with a broken configuration" "$PANTRYCRM" db status --help
: >"$SYS"

# Passwords may be in a connection but never need to be; a warning says so.
printf "connection.pw = dbname=x password=hunter2\n" >"$USR"
run_ok "a connection with a password loads" "$PANTRYCRM" config --show
like "$ERR" "warning: $USR:1: connection.pw holds a password" "with a warning naming file and line"
unlike "$OUT" "hunter2" "config --show never prints the password"

# '#' inside a quoted conninfo value is not a comment.
printf "connection.q = dbname='a#b'  # comment\n" >"$USR"
run_ok "a quoted # in a value" "$PANTRYCRM" config --show
like "$OUT" "^connection.q = dbname='a#b' +#" "stays in the value"

# The program never writes its configuration.
printf 'read-only = false\n' >"$USR"
chmod 0444 "$USR"
sum_before=$(cksum <"$USR")
"$PANTRYCRM" config --show >/dev/null 2>&1
"$PANTRYCRM" keys >/dev/null 2>&1
is "$(cksum <"$USR")" "$sum_before" "reading the configuration leaves the file as it was"
chmod 0644 "$USR"

run_ok "config --keys lists the settings" "$PANTRYCRM" config --keys
like "$OUT" "connection.NAME" "including named connections"
run_fails "an unexpected argument" 2 "$PANTRYCRM" config extra
like "$ERR" "unexpected argument 'extra'" "is a usage error"

# --- named connections against a real PostgreSQL ----------------------------
pg_start
pg_createdb conf_t >/dev/null
pg_createdb conf_other >/dev/null
cat >"$SYS" <<EOF
connection.crm = host=$PGHOST port=$PGPORT dbname=conf_t user=postgres
EOF
cat >"$USR" <<EOF
connection.other = postgresql:///conf_other?host=$(printf %s "$PGHOST" | sed 's,/,%2F,g')&port=$PGPORT
EOF
# Without PGDATABASE a bare libpq default would be the user's name: any
# success below is the configuration's doing.
unset PGDATABASE
run_ok "-d @NAME connects through a connection of the system file" "$PANTRYCRM" -d @crm db migrate
like "$OUT$ERR" "conf_t" "and reached the database it names"
is "$(psql_val "SELECT count(*) > 0 FROM pantrycrm.schema_migration" conf_t)" "t" \
    "the schema was applied in that database"
run_ok "a bare NAME after the command works too (URI from the user file)" \
    "$PANTRYCRM" db migrate -d other
is "$(psql_val "SELECT count(*) > 0 FROM pantrycrm.schema_migration" conf_other)" "t" \
    "in the database the user's connection names"
run_fails "an unknown name" 1 "$PANTRYCRM" -d @nope db status
like "$ERR" "no connection named 'nope' in $SYS or $USR" "names the files it looked in"
run_ok "a conninfo with '=' is never taken for a name" "$PANTRYCRM" -d "dbname=conf_t" db status

printf 'default-connection = crm\n' >>"$USR"
run_ok "default-connection applies when no -d is given" "$PANTRYCRM" db status
like "$OUT" "conf_t" "and picks the named database"

# Defaults for migrate: the source locator and the batch size come from
# the configuration; the run records them.
"$PANTRYCRM" demo generate --scale 100 --seed 2 --out "$TEST_TMP/legacy.db" >/dev/null 2>&1 \
    || bail_out "demo generate failed"
printf 'source = sqlite:%s\nmigrate.batch-size = 77\nmigrate.jobs = 1\nsynonyms = %s\n' \
    "$TEST_TMP/legacy.db" "$abs_top_srcdir/data/synonyms.conf" >>"$USR"
run_ok "migrate takes --source from the configuration" "$PANTRYCRM" migrate --progress none
is "$(psql_val "SELECT source FROM migration.run ORDER BY id DESC LIMIT 1" conf_t)" \
    "sqlite:$TEST_TMP/legacy.db" "the run used the configured source"
is "$(psql_val "SELECT options->>'batch_rows' || ' ' || (options->>'jobs') FROM migration.run ORDER BY id DESC LIMIT 1" conf_t)" \
    "77 1" "and the configured batch size and jobs"
like "$(psql_val "SELECT options->>'synonyms' FROM migration.run ORDER BY id DESC LIMIT 1" conf_t)" \
    "data/synonyms.conf" "and the configured synonyms file"

# --- the console: read-only from the system file --------------------------------
if have_cmd tmux tmux; then
    T="tmux -L pantrycrm-conf-$$ -f /dev/null"
    at_exit "tmux_stop $T"
    printf 'read-only = true\n' >>"$SYS"
    printf 'connection.crm = host=%s port=%s dbname=conf_t user=postgres\ndefault-connection = crm\ncolor = always\ncolor.header = red on green\n' \
        "$PGHOST" "$PGPORT" >"$USR"
    $T new-session -d -s c1 -x 100 -y 30 \
        "env TERM=screen LC_ALL=C.UTF-8 PANTRYCRM_SYSCONFIG='$SYS' XDG_CONFIG_HOME='$TEST_TMP/xdg' XDG_STATE_HOME='$TEST_TMP/state' '$PANTRYCRM'; echo EXITED=\$?; sleep 30"
    i=0
    while [ $i -lt 200 ] && ! $T capture-pane -p -t c1 | grep -q "Organizations"; do
        i=$((i + 1)); sleep 0.05
    done
    screen=$($T capture-pane -p -t c1)
    like "$screen" "READ-ONLY" "read-only = true in the system file opens the console read-only"
    like "$screen" "database \"conf_t\"" "on the default connection of the configuration"
    # capture-pane -e writes the cells' attributes as SGR sequences
    header=$($T capture-pane -e -p -t c1 | head -n 1 | od -An -c | tr -d ' \n')
    like "$header" "033\\[([0-9;]*;)?31(;[0-9;]*)?m" "color.header = red on green: the header is red"
    like "$header" "033\\[([0-9;]*;)?42(;[0-9;]*)?m" "on green"
    $T send-keys -t c1 q
    i=0
    while [ $i -lt 100 ] && ! $T capture-pane -p -t c1 | grep -q "EXITED="; do
        i=$((i + 1)); sleep 0.05
    done
    like "$($T capture-pane -p -t c1)" "EXITED=0" "and quits cleanly"
else
    skip "tmux is not installed: the console is not checked"
fi

done_testing
