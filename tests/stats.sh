#!/bin/sh
# stats.sh: `pantrycrm stats` (the dashboard's numbers) against a real
# PostgreSQL holding a migrated demo database: every number equals an
# independent SQL computation, the summary says how fresh it is, --json
# parses, and errors exit as documented.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
require_cmd python3 python3
pg_start
export XDG_STATE_HOME=$TEST_TMP/state PGTZ=UTC
SRC=$TEST_TMP/legacy.db
"$PANTRYCRM" demo generate --scale 400 --seed 5 --out "$SRC" >/dev/null || bail_out "demo generate failed"
pg_createdb s
C=dbname=s
"$PANTRYCRM" -d $C db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" -d $C migrate --source "$SRC" --progress none >/dev/null || bail_out "migrate failed"
q() { psql_val "$1" s; }
# The generator's reference time: its data cluster around it.
ASOF='2026-11-01 12:00:00+00'

run_fails "before any refresh, stats says so (exit 1)" 1 "$PANTRYCRM" -d $C stats
like "$OUT" "never computed.*stats --refresh" "and tells how to compute it"
run_fails "--as-of without --refresh is a usage error" 2 "$PANTRYCRM" -d $C stats --as-of "$ASOF"
run_fails "a stray argument is a usage error" 2 "$PANTRYCRM" -d $C stats extra

run_ok "stats --refresh --as-of computes the summary" "$PANTRYCRM" -d $C stats --refresh --as-of "$ASOF" --json
J=$TEST_TMP/stats.json
printf '%s' "$OUT" >"$J"
ok "$(python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$J" >/dev/null 2>&1; echo $?)" "--json is valid JSON"
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$J"; }
is "$(jq_ 'sorted(d.keys())')" \
   "['age_seconds', 'as_of', 'contacts', 'contracts_expiring', 'follow_ups', 'interactions', 'interactions_per_week', 'organizations', 'pipeline', 'priorities', 'read_ms', 'refresh_ms', 'refreshed', 'refreshed_at', 'segments']" \
   "the JSON has the documented keys"
is "$(jq_ 'd["as_of"]')" "2026-11-01T12:00:00Z" "as_of is the reference time, in UTC"
is "$(jq_ 'd["refreshed"]')" "True" "refreshed is true"
is "$(jq_ 'd["age_seconds"] < 60')" "True" "the summary is fresh (computed seconds ago)"
# numbers as written, not a double's last digits (9729029.0800000001)
unlike "$(cat "$J")" "[0-9]\\.[0-9]*(0{6,}|9{6,})[0-9]" "no binary noise in the JSON's numbers"

# --- every number against SQL written here -------------------------------------
is "$(jq_ 'd["organizations"]["total"]')" "$(q 'SELECT count(*) FROM "Organization"')" "organizations total"
ok "$([ "$(jq_ 'd["organizations"]["total"]')" -gt 300 ]; echo $?)" "(and there are some: the load worked)"
is "$(jq_ 'd["organizations"]["active"]')" "$(q "SELECT count(*) FROM \"Organization\" WHERE status = 'ACTIVE'")" "active organizations"
is "$(jq_ 'd["organizations"]["priority_a"]')" "$(q "SELECT count(*) FROM \"Organization\" WHERE priority = 'A'")" "priority-A organizations"
is "$(jq_ '"%.2f" % d["organizations"]["average_estimated_revenue"]')" \
   "$(q 'SELECT round(avg("estimatedRevenue")::numeric, 2) FROM "Organization"')" "average estimated revenue"
is "$(jq_ 'd["contacts"]')" "$(q 'SELECT count(*) FROM "Contact"')" "contacts"
is "$(jq_ 'd["interactions"]')" "$(q 'SELECT count(*) FROM "Interaction"')" "interactions"
is "$(jq_ 'd["follow_ups"]["due_today"]')" \
   "$(q "SELECT count(*) FROM \"Organization\" WHERE \"nextFollowUpDate\"::date = date '2026-11-01'")" "follow-ups due today"
is "$(jq_ 'd["follow_ups"]["overdue"]')" \
   "$(q "SELECT count(*) FROM \"Organization\" WHERE \"nextFollowUpDate\" < '2026-11-01'")" "follow-ups overdue"
is "$(jq_ '",".join("%s=%d/%.2f" % (x["stage"], x["count"], x["value"]) for x in d["pipeline"])')" \
   "$(q "SELECT string_agg(s || '=' || (SELECT count(*) || '/' || coalesce(sum(o.value), 0)::numeric(14,2)
                 FROM \"Opportunity\" o WHERE o.stage = s AND o.\"isActive\"), ',' ORDER BY s)
         FROM unnest(enum_range(NULL::\"OpportunityStage\")) s")" \
   "pipeline count and value per stage (active opportunities, every stage listed)"
is "$(jq_ '",".join("%s=%d" % (x["segment"], x["count"]) for x in d["segments"])')" \
   "$(q "SELECT string_agg(s || '=' || (SELECT count(*) FROM \"Organization\" o WHERE o.segment = s), ',' ORDER BY s)
         FROM unnest(enum_range(NULL::\"OrganizationSegment\")) s")" "organizations per segment"
is "$(jq_ '",".join("%s=%d" % (x["priority"], x["count"]) for x in d["priorities"])')" \
   "$(q "SELECT string_agg(p || '=' || (SELECT count(*) FROM \"Organization\" o WHERE o.priority = p), ',' ORDER BY p)
         FROM unnest(enum_range(NULL::\"OrganizationPriority\")) p")" "organizations per priority"
# Weeks: Monday-based, the 26th is the week of 2026-11-01 (a Sunday: week of Oct 26).
is "$(jq_ 'len(d["interactions_per_week"])')" 26 "26 weeks of interactions"
is "$(jq_ 'd["interactions_per_week"][-1]["week"]')" "2026-10-26" "the last week is the reference time's (Monday start)"
is "$(jq_ 'd["interactions_per_week"][0]["week"]')" "2026-05-04" "the first is 25 weeks before"
is "$(jq_ '",".join(str(x["count"]) for x in d["interactions_per_week"])')" \
   "$(q "SELECT string_agg((SELECT count(*) FROM \"Interaction\" i WHERE i.date >= w AND i.date < w + interval '7 days'
                                  AND i.date <= '$ASOF')::text, ',' ORDER BY w)
         FROM generate_series(timestamptz '2026-05-04', '2026-10-26', interval '7 days') w")" \
   "interactions per week, computed independently"
ok "$([ "$(jq_ 'sum(x["count"] for x in d["interactions_per_week"])')" -gt 0 ]; echo $?)" "(some weeks have interactions)"
is "$(jq_ '",".join("%d=%d/%.2f" % (x["days"], x["count"], x["value"]) for x in d["contracts_expiring"])')" \
   "$(q "SELECT string_agg(n || '=' || (SELECT count(*) || '/' || coalesce(sum(value), 0)::numeric(14,2) FROM \"Contract\"
                 WHERE status = 'ACTIVE' AND \"endDate\" >= '$ASOF' AND \"endDate\" < timestamptz '$ASOF' + n * interval '1 day'), ',' ORDER BY n)
         FROM unnest(ARRAY[30, 60, 90]) n")" "active contracts ending within 30/60/90 days, with their value"

# --- freshness: the summary does not follow the data until a refresh --------------
before=$(jq_ 'd["organizations"]["total"]')
q "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Fresh Bistro', 'A', 'CATERING')" >/dev/null
run_ok "stats reads the summary" "$PANTRYCRM" -d $C stats --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["organizations"]["total"]')" "$before" "a new organization is not counted before a refresh"
is "$(jq_ 'd["as_of"]')" "2026-11-01T12:00:00Z" "and the output still says which time the numbers are for"
run_ok "stats --refresh (as of now)" "$PANTRYCRM" -d $C stats --refresh --json
printf '%s' "$OUT" >"$J"
is "$(jq_ 'd["organizations"]["total"]')" "$((before + 1))" "after a refresh it is"
is "$(jq_ 'd["as_of"][:4] >= "2026"')" "True" "as_of is now"
q "UPDATE dashboard.refresh SET refreshed_at = now() - interval '2 hours'" >/dev/null
run_ok "text output" "$PANTRYCRM" -d $C stats
like "$OUT" "computed .*, 72[0-9][0-9] s ago" "the text says how old the summary is"
like "$OUT" "PROSPECTING +[0-9]+ +[0-9.]+" "and lists the pipeline"

# --- a read-only role (pg_monitor) may read the summary, not recompute it -----
q "CREATE ROLE mon LOGIN IN ROLE pg_monitor" >/dev/null
run_ok "a pg_monitor role can read the dashboard" "$PANTRYCRM" -d "dbname=s user=mon" stats --json
run_fails "but not refresh it" 1 "$PANTRYCRM" -d "dbname=s user=mon" stats --refresh
like "$ERR" "refresh: .*permission denied" "permission denied, said plainly"

# --- errors --------------------------------------------------------------------
pg_createdb empty
run_fails "a database without the schema" 1 "$PANTRYCRM" -d dbname=empty stats
like "$ERR" "run 'pantrycrm db migrate'" "points at db migrate"
run_fails "an unreachable server" 1 "$PANTRYCRM" -d "host=$TEST_TMP/nosock dbname=s" stats
like "$ERR" "could not connect" "says it could not connect"

done_testing
