#!/bin/sh
# browse.sh: the data layer of the console's Organizations and Contacts panes
# (src/crm/browse.c), driven through tests/browse-cli against a real PostgreSQL:
# keyset paging in every sort, both ways, visits every row exactly once in
# the order a plain ORDER BY gives, NULLs included; filters combine as SQL
# says; search finds words by full text and fragments by trigrams; goto by
# UUID and legacy id lands on the right page; the detail view's numbers are
# those of direct SQL; and, on 23,000 organizations after ANALYZE, no page
# query of any sort reads "Organization" with a sequential scan.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
. "$abs_top_srcdir/tests/lib.sh"
. "$abs_top_srcdir/tests/pgcluster.sh"
BC=$abs_top_builddir/tests/browse-cli
[ -x "$BC" ] || bail_out "tests/browse-cli is not built (make check builds it)"
pg_start
pg_createdb b
"$PANTRYCRM" -d dbname=b db migrate >/dev/null || bail_out "db migrate failed"
"$PANTRYCRM" demo generate --scale 3000 --seed 3 --out "$TEST_TMP/l.db" >/dev/null \
    || bail_out "demo generate failed"
"$PANTRYCRM" -d dbname=b migrate --source "$TEST_TMP/l.db" --progress none >/dev/null \
    || bail_out "migrate failed"
DB=b

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
bc() { "$BC" "dbname=$DB" "$@"; }

# The generated data has city, state and ZIP code NULL together only. Mix
# the NULL patterns of the city sort's keyset (city, state, zipCode), and
# make ties in every nullable sort column, so that each branch of the
# keyset is exercised.
q "UPDATE \"Organization\" SET state = NULL WHERE id IN (SELECT id FROM \"Organization\"
     WHERE city IS NOT NULL ORDER BY md5(id::text) LIMIT 60);
   UPDATE \"Organization\" SET \"zipCode\" = NULL WHERE id IN (SELECT id FROM \"Organization\"
     WHERE state IS NOT NULL ORDER BY md5(id::text) OFFSET 100 LIMIT 60);
   UPDATE \"Organization\" SET state = NULL, \"zipCode\" = NULL WHERE id IN (SELECT id
     FROM \"Organization\" WHERE city IS NOT NULL ORDER BY md5(id::text) OFFSET 300 LIMIT 30);
   UPDATE \"Organization\" SET city = 'Springfield', state = NULL WHERE id IN (SELECT id
     FROM \"Organization\" ORDER BY md5(id::text) OFFSET 400 LIMIT 20);
   UPDATE \"Organization\" SET city = 'Springfield', state = 'IL', \"zipCode\" = NULL
     WHERE id IN (SELECT id FROM \"Organization\" ORDER BY md5(id::text) OFFSET 420 LIMIT 20);
   UPDATE \"Organization\" SET \"nextFollowUpDate\" = '2026-01-01 00:00:00+00' WHERE id IN
     (SELECT id FROM \"Organization\" ORDER BY md5(id::text) OFFSET 500 LIMIT 50);
   UPDATE \"Organization\" SET \"estimatedRevenue\" = 1000000 WHERE id IN (SELECT id FROM
     \"Organization\" ORDER BY md5(id::text) OFFSET 600 LIMIT 50);
   UPDATE \"Organization\" SET \"updatedAt\" = '2025-05-05 05:05:05.123456+00' WHERE id IN
     (SELECT id FROM \"Organization\" ORDER BY md5(id::text) OFFSET 700 LIMIT 50);
   UPDATE \"Contact\" SET email = NULL WHERE id IN (SELECT id FROM \"Contact\"
     ORDER BY md5(id::text) LIMIT 500);
   ANALYZE" >/dev/null || bail_out "could not prepare the data"
is "$(q "SELECT count(*) FILTER (WHERE city IS NULL) > 0 AND count(*) FILTER (WHERE city IS NOT NULL AND state IS NULL) > 0
         AND count(*) FILTER (WHERE state IS NOT NULL AND \"zipCode\" IS NULL) > 0
         AND count(*) FILTER (WHERE \"nextFollowUpDate\" IS NULL) > 0
         AND count(*) FILTER (WHERE \"estimatedRevenue\" IS NULL) > 0 FROM \"Organization\"")" \
   t "the data has NULLs in every nullable sort column, in every pattern of the city keyset"

# order_by SORT asc|desc [ALIAS]: the ORDER BY of a sort as the console
# defines it: ascending is the index order (NULLs last); descending puts
# the rows whose leading column is NULL last, and the rest backward.
order_by() {
    local cols lead rest p=${3:-}
    case $1 in
    name) cols='name id' ;;
    priority) cols='priority name id' ;;
    segment) cols='segment name id' ;;
    status) cols='status priority name id' ;;
    city) cols='city state "zipCode" id' ;;
    updatedAt) cols='"updatedAt" id' ;;
    nextFollowUpDate) cols='"nextFollowUpDate" id' ;;
    estimatedRevenue) cols='"estimatedRevenue" id' ;;
    lastName) cols='"lastName" "firstName" id' ;;
    createdAt) cols='"createdAt" id' ;;
    email) cols='email id' ;;
    esac
    set -- $cols
    lead=$1; shift
    if [ "$DIR" = asc ]; then
        printf 'ORDER BY %s%s' "$p" "$lead"
        for c in "$@"; do printf ', %s%s' "$p" "$c"; done
    else
        printf 'ORDER BY %s%s DESC NULLS LAST' "$p" "$lead"
        for c in "$@"; do printf ', %s%s DESC' "$p" "$c"; done
    fi
}

# ids TABLE WHERE SORT: the ids in the order the pane must show them.
ids() { q "SELECT id FROM \"$1\" ${2:+WHERE $2} $(order_by "$3")"; }

# check_walks DESC TABLE WHERE SORT ARGS...: paging forward and backward
# with 37 rows a page gives every row once, in order.
check_walks() {
    local desc=$1 table=$2 where=$3 sort=$4 want n got
    shift 4
    want=$(ids "$table" "$where" "$sort")
    n=$(printf '%s\n' "$want" | grep -c .)
    run bc "$@" walk
    if [ "$RC" -eq 0 ] && [ "$OUT" = "$want" ]; then _tap_result 0 "$desc: forward, $n rows in order"
    else
        _tap_result 1 "$desc: forward, $n rows in order"
        diag "exit $RC: $ERR" "got $(printf '%s\n' "$OUT" | grep -c .) rows, \
$(printf '%s\n' "$OUT" | sort | uniq -d | grep -c .) repeated"
        printf '%s\n' "$want" >"$TEST_TMP/want"; printf '%s\n' "$OUT" >"$TEST_TMP/got"
        diag "$(diff "$TEST_TMP/want" "$TEST_TMP/got" | head -10)"
    fi
    run bc "$@" walkback
    got=$(printf '%s\n' "$OUT" | tac)
    if [ "$RC" -eq 0 ] && [ "$got" = "$want" ]; then _tap_result 0 "$desc: backward, the reverse"
    else
        _tap_result 1 "$desc: backward, the reverse"
        diag "exit $RC: $ERR"
        printf '%s\n' "$want" >"$TEST_TMP/want"; printf '%s\n' "$got" >"$TEST_TMP/got"
        diag "$(diff "$TEST_TMP/want" "$TEST_TMP/got" | head -10)"
    fi
}

# --- every sort, both directions ----------------------------------------------
for sort in name priority segment status city updatedAt nextFollowUpDate estimatedRevenue; do
    for DIR in asc desc; do
        flag=; [ "$DIR" = desc ] && flag=--desc
        check_walks "organizations by $sort $DIR" Organization "" "$sort" orgs --sort "$sort" $flag
    done
done
for sort in lastName email; do
    for DIR in asc desc; do
        flag=; [ "$DIR" = desc ] && flag=--desc
        check_walks "contacts by $sort $DIR" Contact "" "$sort" contacts --sort "$sort" $flag
    done
done

# The console's way (browse_send / browse_poll, preparing each shape on
# first use) and plain unprepared queries page alike.
DIR=desc
want=$(ids Organization "" city)
run bc orgs --sort city --desc --async walk
is "$OUT" "$want" "sent asynchronously, prepared: the same pages"
run bc orgs --sort city --desc --async --noprepare walk
is "$OUT" "$want" "sent asynchronously, unprepared: the same pages"
run bc orgs --sort city --desc --noprepare walk
is "$OUT" "$want" "blocking, unprepared: the same pages"

# --- screenful first -----------------------------------------------------------------
# The console asks a page as a screenful, then fills it in the background
# (browse_fill_next, browse_build_fill, browse_page_merge); --screen makes
# browse-cli page that way. Every row once and in order across each seam
# between screenful and fill, under every kind of keyset (NULLs, ties),
# both ways.
for sort in name city nextFollowUpDate estimatedRevenue; do
    for DIR in asc desc; do
        flag=; [ "$DIR" = desc ] && flag=--desc
        check_walks "screenful of 7 then fills to 37, organizations by $sort $DIR" Organization "" \
            "$sort" orgs --sort "$sort" $flag --screen 7
    done
done
DIR=asc
check_walks "screenful of 7 then fills, contacts by last name" Contact "" lastName \
    contacts --screen 7
DIR=desc
check_walks "screenful of 3 then fills, priority A or C by revenue desc (a range per priority)" \
    Organization "priority IN ('A', 'C')" estimatedRevenue orgs --sort estimatedRevenue --desc \
    --filter priority=A,C --screen 3
# A page around a row (goto, a search hit, a sort change), asked as a
# screenful around it then filled below and above, is the page asked
# whole: the same rows, the row at the same place. Also at both ends.
DIR=asc
for sort in name city estimatedRevenue; do
    for flag in "" --desc; do
        for at in 1 5 1500 2996 3000; do
            id=$(ids Organization "" "$sort" | sed -n "${at}p")
            [ -n "$id" ] || continue
            whole=$(bc orgs --sort "$sort" $flag around "$id")
            run bc orgs --sort "$sort" $flag --screen 9 around "$id"
            is "$OUT" "$whole" "around row $at by $sort ${flag:-asc}: screenful then fills = the whole page"
        done
    done
done
# Rows change between the screenful and its fill: the first row of a
# small list is renamed to its end before each fill, so the fill finds it
# again; the page still holds each row once, the screenful's rows first.
where="city = 'Springfield' AND state = 'IL'"
small=$(ids Organization "$where" name)
is "$(printf '%s
' "$small" | grep -c .)" 20 "a list of 20 rows to change"
run bc orgs --filter city=Springfield --filter state=IL --screen 5 \
    --between "UPDATE \"Organization\" SET name = 'Zz ' || name WHERE id = (SELECT id FROM \"Organization\"
               WHERE $where AND name NOT LIKE 'Zz %' ORDER BY name, id LIMIT 1)" first
got=$(printf '%s\n' "$OUT" | grep -v '^#' | cut -f1)
is "$(printf '%s\n' "$got" | grep -c .)" 20 "a row moved across the seam between the queries is not shown twice"
is "$(printf '%s\n' "$got" | sort)" "$(printf '%s\n' "$small" | sort)" "and every row is there"
is "$(printf '%s\n' "$got" | head -n 5)" "$(printf '%s\n' "$small" | head -n 5)" "the screenful first, as it was read"
q "UPDATE \"Organization\" SET name = substr(name, 4) WHERE $where AND name LIKE 'Zz %'" >/dev/null

# Page sizes that divide the count, and a page of one row.
n=$(q 'SELECT count(*) FROM "Organization"')
DIR=asc
run bc orgs --sort city --limit "$n" walk
is "$(printf '%s\n' "$OUT" | grep -c .)" "$n" "a page as large as the table holds it all"
run bc orgs --sort city --limit 1 --filter state=IL walk
is "$OUT" "$(ids Organization "state = 'IL'" city)" "pages of one row"

# --- filters ------------------------------------------------------------------------
DIR=desc
check_walks "segment FINE_DINING or CATERING, by city desc" Organization \
    "segment IN ('FINE_DINING', 'CATERING')" city \
    orgs --sort city --desc --filter segment=FINE_DINING,CATERING
DIR=asc
check_walks "priority A or B, ACTIVE, CUSTOMER, by next follow-up" Organization \
    "priority IN ('A', 'B') AND status = 'ACTIVE' AND type = 'CUSTOMER'" nextFollowUpDate \
    orgs --sort nextFollowUpDate --filter priority=a,B --filter status=ACTIVE --filter type=CUSTOMER
# Several labels of a field that leads an index of the sort: one range per label, merged.
DIR=asc
check_walks "segment FINE_DINING or CATERING, by name (a range per segment)" Organization \
    "segment IN ('FINE_DINING', 'CATERING')" name \
    orgs --filter segment=FINE_DINING,CATERING
DIR=desc
check_walks "priority A or C, by revenue desc (a range per priority, NULLs last)" Organization \
    "priority IN ('A', 'C')" estimatedRevenue \
    orgs --sort estimatedRevenue --desc --filter priority=A,C
check_walks "type PROSPECT or CUSTOMER, status LEAD or ACTIVE, by name desc" Organization \
    "type IN ('PROSPECT', 'CUSTOMER') AND status IN ('LEAD', 'ACTIVE')" name \
    orgs --desc --filter type=PROSPECT,CUSTOMER --filter status=LEAD,ACTIVE
DIR=desc
check_walks "state CA, by revenue desc" Organization "state = 'CA'" estimatedRevenue \
    orgs --sort estimatedRevenue --desc --filter state=CA
city=$(q "SELECT city FROM \"Organization\" WHERE city IS NOT NULL GROUP BY city ORDER BY count(*) DESC, city LIMIT 1")
st=$(q "SELECT state FROM \"Organization\" WHERE city = '$city' AND state IS NOT NULL LIMIT 1")
DIR=asc
check_walks "city $city and state $st, by name" Organization "city = '$city' AND state = '$st'" name \
    orgs --filter "city=$city" --filter "state=$st"
NOW='2026-12-01 12:00:00+00'
check_walks "follow-up due (today or overdue), by follow-up" Organization \
    "\"nextFollowUpDate\" < date_trunc('day', '$NOW'::timestamptz) + interval '1 day'" nextFollowUpDate \
    orgs --sort nextFollowUpDate --filter followup=due --filter "now=$NOW"
check_walks "follow-up overdue, segment CATERING, by name" Organization \
    "\"nextFollowUpDate\" < date_trunc('day', '$NOW'::timestamptz) AND segment = 'CATERING'" name \
    orgs --filter followup=overdue --filter "now=$NOW" --filter segment=CATERING
q "UPDATE \"Organization\" SET \"nextFollowUpDate\" = '$NOW'::timestamptz + (g.i || ' hours')::interval
   FROM (SELECT id, row_number() OVER (ORDER BY id) - 13 AS i FROM \"Organization\" ORDER BY id LIMIT 30) g
   WHERE g.id = \"Organization\".id" >/dev/null
check_walks "follow-up today, by updatedAt" Organization \
    "\"nextFollowUpDate\" >= date_trunc('day', '$NOW'::timestamptz)
     AND \"nextFollowUpDate\" < date_trunc('day', '$NOW'::timestamptz) + interval '1 day'" updatedAt \
    orgs --sort updatedAt --filter followup=today --filter "now=$NOW"
run bc orgs --sort updatedAt --filter followup=today --filter "now=$NOW" count
is "$(printf '%s\n' "$OUT" | sed -n 's/^exact //p')" \
   "$(q "SELECT count(*) FROM \"Organization\" WHERE \"nextFollowUpDate\" >= '2026-12-01' AND \"nextFollowUpDate\" < '2026-12-02'")" \
   "the exact count of a filter is that of SQL"
like "$OUT" 'filters followup=today' "and the filters are described for the header"
org=$(q "SELECT \"organizationId\" FROM \"Contact\" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
check_walks "contacts of one organization, by createdAt" Contact "\"organizationId\" = '$org'" createdAt \
    contacts --sort createdAt --filter "organization=$org" --limit 2
check_walks "primary contacts, by last name" Contact "\"isPrimary\"" lastName \
    contacts --filter primary=yes
run bc contacts --filter organization=$org first
is "$(printf '%s\n' "$OUT" | sed -n 2p | cut -f9)" "$(q "SELECT name FROM \"Organization\" WHERE id = '$org'")" \
   "a contact row carries its organization's name"
run_fails "a label that is not in the enum is refused" 1 "$BC" "dbname=$DB" orgs --filter segment=PIZZA first
like "$ERR" "'PIZZA' is not a label of \"OrganizationSegment\"" "with the enum named"
run_fails "an organization filter on the organizations pane is refused" 1 \
    "$BC" "dbname=$DB" orgs --filter "organization=$org" first

# Counts: the estimate is the planner's, close to the truth after ANALYZE.
q ANALYZE >/dev/null
run bc orgs count
est=$(printf '%s\n' "$OUT" | sed -n 's/^estimate //p')
exact=$(printf '%s\n' "$OUT" | sed -n 's/^exact //p')
is "$exact" "$(q 'SELECT count(*) FROM "Organization"')" "exact count of all organizations"
ok "$([ "$est" -ge $((exact * 9 / 10)) ] && [ "$est" -le $((exact * 11 / 10)) ]; echo $?)" \
   "the estimate ($est) is within 10% of it"
run bc orgs --filter segment=CATERING count
est=$(printf '%s\n' "$OUT" | sed -n 's/^estimate //p')
exact=$(printf '%s\n' "$OUT" | sed -n 's/^exact //p')
is "$exact" "$(q "SELECT count(*) FROM \"Organization\" WHERE segment = 'CATERING'")" "exact count of one segment"
ok "$([ "$est" -ge $((exact * 7 / 10)) ] && [ "$est" -le $((exact * 13 / 10)) ]; echo $?)" \
   "the filtered estimate ($est) is within 30% of it"

# --- search --------------------------------------------------------------------------
hits() { printf '%s\n' "$OUT" | grep -v '^#' | cut -f1; }
# Hits by the matched word, then name (data/sql/0008_search_words.sql); a name
# matching through two words is listed once, at its first word. The oracle
# derives the words from the table itself, not from the word index.
words_of='unnest(tsvector_to_array(to_tsvector('"'"'simple'"'"', name)))'
run bc orgs search chophouse
like "$OUT" '^# fulltext [1-9]' "a whole word is found by full text"
is "$(hits)" "$(q "SELECT id FROM (SELECT DISTINCT ON (id) id, w, name FROM \"Organization\", $words_of w
                   WHERE w LIKE 'chophouse%' ORDER BY id, w COLLATE \"C\") s ORDER BY w COLLATE \"C\", name, id")" \
   "the hits are those of SQL, by word then name"
run bc orgs search 'Portland chop'
is "$(hits | sort)" "$(q "SELECT id FROM \"Organization\" WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'portland:* & chop:*')
                   ORDER BY id")" \
   "several words, each a prefix, all must match"
like "$OUT" '^# fulltext [1-9]' "and are found by full text"
is "$(hits | sort -u | wc -l)" "$(hits | wc -l)" "each name once"
# Two words read the pair index (data/sql/0014_search_pairs.sql): hits by
# the first word's matched word, then the second's (another word of the
# name), then name. A name matching through several pairs of its words is
# listed once, at its first pair.
# pairs_oracle COND_X COND_Y [COND_O]: the hits SQL gives, in that order,
# for two words x and y of a name; two_words A B [COND_O] for two prefixes.
pairs_oracle() {
    q "SELECT id FROM (SELECT DISTINCT ON (o.id) o.id, x COLLATE \"C\" AS x, y COLLATE \"C\" AS y, o.name
                       FROM \"Organization\" o, $words_of x, $words_of y
                       WHERE $1 AND $2 AND x <> y AND ${3:-true}
                       ORDER BY o.id, x COLLATE \"C\", y COLLATE \"C\") s ORDER BY x, y, name, id"
}
two_words() {
    pairs_oracle "x LIKE lower('$1') || '%'" "y LIKE lower('$2') || '%'" "${3:-true}"
}
is "$(hits)" "$(two_words portland chop)" "two words: the hits of SQL, by the two matched words then name"
run bc orgs search 'blu hea'
like "$OUT" '^# fulltext [1-9]' "two short prefixes find names"
is "$(hits)" "$(two_words blu hea)" "the hits of two short prefixes are those of SQL, in order"
is "$(hits | sort)" "$(q "SELECT id FROM \"Organization\" WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'blu:* & hea:*')
                   ORDER BY id")" "and the same set as full text"
run bc orgs search 'chophouse portland'
is "$(hits)" "$(two_words chophouse portland)" "in the other order too"
run bc orgs --filter segment=FINE_DINING,CASUAL_DINING search 'gri the'
like "$OUT" '^# fulltext [1-9]' "two words with a filter find names"
is "$(hits)" "$(two_words gri the "o.segment IN ('FINE_DINING', 'CASUAL_DINING')")" \
   "the filtered hits of SQL, in order"
# three words: the 3-letter starts of the first three words of a name
w3=$(q "SELECT string_agg(left(w, 3), ' ') FROM (SELECT w FROM (SELECT name FROM \"Organization\"
        WHERE cardinality(tsvector_to_array(to_tsvector('simple', name))) >= 3 ORDER BY id LIMIT 1) n,
        LATERAL unnest(tsvector_to_array(to_tsvector('simple', name))) w LIMIT 3) t")
tsq3=$(q "SELECT string_agg(quote_literal(w) || CASE WHEN length(w) >= 3 THEN ':*' ELSE '' END, ' & ')
          FROM regexp_split_to_table('$w3', ' ') w")
run bc orgs search "$w3"
like "$OUT" '^# fulltext [1-9]' "three words ($w3) find the name they come from"
is "$(hits | sort)" "$(q "SELECT id FROM \"Organization\" WHERE to_tsvector('simple', name) @@ to_tsquery('simple', \$\$$tsq3\$\$)
                   ORDER BY id")" "and every name holding all three, as full text does"
# Two misspelt words: each is read as the word of the names spelt most
# like it, and the names holding both come as for two words.
mis=$(q "SELECT string_agg(left(w, 4) || substr(w, 6, 1) || substr(w, 5, 1) || substr(w, 7), ' ' ORDER BY w)
         FROM (SELECT w FROM (SELECT id, name FROM \"Organization\" ORDER BY id) o,
               LATERAL (SELECT array_agg(w ORDER BY w) ws FROM $words_of w
                        WHERE length(w) >= 7 AND w ~ '^[a-z]+\$' AND substr(w, 5, 1) <> substr(w, 6, 1)) t,
               unnest(t.ws[1:2]) w
               WHERE cardinality(t.ws) >= 2 ORDER BY o.id, w LIMIT 2) m")
m1=${mis% *}; m2=${mis#* }
vocab="(SELECT DISTINCT w COLLATE \"C\" AS w FROM \"Organization\", $words_of w) v"
is "$(q "SELECT count(*) FROM $vocab WHERE w LIKE '$m1%' OR w LIKE '$m2%'")" 0 \
   "the misspelt words ($mis) begin no word"
c1=$(q "SELECT w FROM $vocab WHERE w % '$m1' ORDER BY similarity(w, '$m1') DESC, w LIMIT 1")
c2=$(q "SELECT w FROM $vocab WHERE w % '$m2' ORDER BY similarity(w, '$m2') DESC, w LIMIT 1")
run bc orgs search "$mis"
like "$OUT" '^# similar [1-9]' "two misspelt words are answered by near spellings"
is "$(hits)" "$(pairs_oracle "x = '$c1'" "y = '$c2'")" \
   "by the names holding both words spelt most like them ($c1 $c2), in order"
run bc orgs search "$m1 ${c2%???}"
is "$(hits)" "$(pairs_oracle "x = '$c1'" "y LIKE '${c2%???}%'")" \
   "one misspelt word and one right prefix: the near spelling with the prefix"

# Two letters swapped, the typist's commonest slip, which trigrams miss
# ("jmaes" and "james" share 2 trigrams of 10): read as the vocabulary's
# word, alone or with another word.
q "INSERT INTO \"Contact\" (\"firstName\", \"lastName\", \"organizationId\")
   SELECT 'James', 'Smith', id FROM \"Organization\" ORDER BY id LIMIT 2" >/dev/null
is "$(q "SELECT similarity('jmaes', 'james') < 0.3 AND similarity('smtih', 'smith') < 0.3")" t \
   "'jmaes smtih' is too far from 'james smith' for trigrams"
run bc contacts search 'jmaes smtih'
like "$OUT" '^# similar [1-9]' "'jmaes smtih' is answered by near spellings"
is "$(hits | sort)" "$(q "SELECT id FROM \"Contact\" WHERE lower(\"firstName\") = 'james'
                          AND lower(\"lastName\") = 'smith' ORDER BY id")" "and they are the James Smiths"
run bc contacts search 'smtih'
like "$OUT" '^# similar [1-9]' "one word with two letters swapped is answered too"
q "SELECT id FROM \"Contact\" WHERE lower(\"lastName\") = 'smith' ORDER BY id" >"$TEST_TMP/smiths"
hits | sort >"$TEST_TMP/hits"
is "$(comm -23 "$TEST_TMP/smiths" "$TEST_TMP/hits" | wc -l | tr -d ' ')" 0 "and every Smith is among them"

# One name word can match two typed words ("blu" and "blue"): the pair
# index holds pairs of different words, so that search walks the words.
run bc orgs search 'blu blue'
is "$(hits | sort)" "$(q "SELECT id FROM \"Organization\" WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'blu:* & blue:*')
                   ORDER BY id")" "overlapping words: the names holding a word that matches both"
like "$OUT" '^# fulltext [1-9]' "found by full text"
run bc orgs search ophous
like "$OUT" '^# substring [1-9]' "a fragment inside a word falls back to the vocabulary"
is "$(hits)" "$(q "SELECT id FROM (SELECT DISTINCT ON (id) id, w, name FROM \"Organization\", $words_of w
                   WHERE w LIKE '%ophous%' ORDER BY id, w COLLATE \"C\") s ORDER BY w COLLATE \"C\", name, id")" \
   "and finds every name with a word containing it, by word then name"
run bc orgs search 'Chophuose'
like "$OUT" '^# similar [1-9]' "a misspelt name falls back to similarity"
is "$(hits)" "$(q "WITH v AS (SELECT DISTINCT w COLLATE \"C\" AS word FROM \"Organization\", $words_of w),
                        m AS (SELECT word, similarity(word, 'chophuose') AS s FROM v WHERE word % 'chophuose'
                              ORDER BY s DESC, word LIMIT 5),
                        h AS (SELECT DISTINCT ON (o.id) o.id, m.s, m.word, o.name FROM m
                              JOIN (SELECT id, name, w FROM \"Organization\", $words_of w) o ON o.w = m.word
                              ORDER BY o.id, m.s DESC, m.word)
                   SELECT id FROM h ORDER BY s DESC, word, name, id")" \
   "the most similar words first, then by name"
# The similar words come from the vocabulary's trigram index (0020), not
# from comparing the word with every word of the vocabulary. The index's
# scan count is flushed when browse-cli's session ends, which the server
# finishes after browse-cli has gone: polled for, 30 s at most.
trgm_scans() { q "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'organization_vocab_trgm_idx'"; }
before=$(trgm_scans)
run bc orgs search 'Chophuose'
like "$OUT" '^# similar [1-9]' "the misspelt name again"
i=0
after=$(trgm_scans)
while [ "$after" -le "$before" ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.05; after=$(trgm_scans); done
is "$(( after > before ))" 1 "read through the vocabulary's trigram index ($before then $after scans)"
# One statement for every two misspelt words, whichever is the longer: the
# one the console's idle warm-up prepared serves the first real search.
run bc orgs sql search 'Portlnd Chophuose'
s1=$(printf '%s\n' "$OUT" | head -n 1)
run bc orgs sql search 'Chophuose Portlnd'
is "$(printf '%s\n' "$OUT" | head -n 1)" "$s1" "the same statement whichever misspelt word is the longer"
# A stage runs only when the ones before found nothing, but PostgreSQL
# starts every node of a plan at each execution: the corrections of
# misspelt words are function calls (0021), one node each until they run.
# Inlined, they made the generic plan of a two-word search 106 nodes, and
# starting them took longer than the first stage's answer.
run bc orgs sql search 'blu hea'
{
    echo "SET plan_cache_mode = force_generic_plan;"
    printf 'PREPARE s AS %s;\n' "$(printf '%s\n' "$OUT" | head -n 1)"
    printf 'EXPLAIN (FORMAT JSON) EXECUTE s(%s);\n' \
        "$(printf '%s\n' "$OUT" | sed -n "s/^\\\$[0-9]* = \(.*\)\$/'\1'/p" | paste -sd, -)"
} >"$TEST_TMP/plan.sql"
plan=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -f "$TEST_TMP/plan.sql")
nodes=$(printf '%s\n' "$plan" | grep -c '"Node Type"')
is "$(( nodes > 0 && nodes <= 70 ))" 1 "a two-word search's generic plan has at most 70 nodes ($nodes)"
like "$plan" '"Function Name": "organization_word_set"' "its misspelt words are corrected by a function"
# The word index follows inserts, renames and deletes (row triggers), and
# then still equals what the table says.
nid=$(q "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Zyzzyva Quokka Bistro', 'A', 'CATERING') RETURNING id")
run bc orgs search zyzzyva
is "$(hits)" "$nid" "a new organization is found at once"
q "UPDATE \"Organization\" SET name = 'Wombat Quokka Bistro' WHERE id = '$nid'"
run bc orgs search zyzzyva
like "$OUT" '^# (none|similar) ' "a renamed one is no longer found by its old word"
run bc orgs search wombat
is "$(hits)" "$nid" "but by its new one"
q "DELETE FROM \"Organization\" WHERE id = '$nid'"
run bc orgs search wombat
like "$OUT" '^# (none|similar) ' "a deleted one is gone from the index"
is "$(q "SELECT count(*) FROM ((SELECT word::text, name, id FROM search.organization_word
                                 EXCEPT ALL SELECT w, name, id FROM \"Organization\", $words_of w)
                                UNION ALL (SELECT w, name, id FROM \"Organization\", $words_of w
                                 EXCEPT ALL SELECT word::text, name, id FROM search.organization_word)) d")" \
   "0" "the organization word index equals the table's words"
is "$(q "SELECT count(*) FROM ((SELECT w1::text, w2::text, name, id FROM search.organization_pair
                                 EXCEPT ALL SELECT a, b, name, id FROM \"Organization\", $words_of a, $words_of b
                                   WHERE a COLLATE \"C\" < b COLLATE \"C\")
                                UNION ALL (SELECT a, b, name, id FROM \"Organization\", $words_of a, $words_of b
                                   WHERE a COLLATE \"C\" < b COLLATE \"C\"
                                 EXCEPT ALL SELECT w1::text, w2::text, name, id FROM search.organization_pair)) d")" \
   "0" "the organization pair index equals the table's pairs of two different words"
is "$(q "SELECT count(*) FROM (SELECT word, rows FROM search.organization_vocab
                               EXCEPT SELECT word, count(*) FROM search.organization_word GROUP BY word) d")" \
   "0" "and the vocabulary counts equal the index's"
is "$(q "SELECT count(*) FROM ((SELECT word::text, \"lastName\", \"firstName\", id FROM search.contact_word
                                 EXCEPT ALL SELECT w, \"lastName\", \"firstName\", id FROM \"Contact\",
                                   unnest(tsvector_to_array(to_tsvector('simple', \"firstName\" || ' ' || \"lastName\"))) w)) d")" \
   "0" "the contact word index holds only the table's words"
# Two transactions removing the last two holders of a word at the same
# time: the second waits for the first's count, and must then see that it
# holds the last row (a statement snapshot taken before the wait would see
# 2, decrement nothing and leave the word counted once with no row).
q "INSERT INTO \"Organization\" (name, priority, segment) VALUES
     ('Quagga Alpha', 'A', 'CATERING'), ('Quagga Beta', 'B', 'CATERING')"
q "BEGIN; DELETE FROM \"Organization\" WHERE name = 'Quagga Alpha';
   DO \$\$ BEGIN FOR i IN 1..400 LOOP
     PERFORM pg_stat_clear_snapshot();
     EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                       AND query LIKE '%Quagga Beta%');
     PERFORM pg_sleep(0.05); END LOOP; END \$\$; COMMIT" &
t1=$!
i=0
while [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'
             AND query LIKE '%Quagga Alpha%' AND pid <> pg_backend_pid()")" != 1 ] && [ $i -lt 200 ]; do
    sleep 0.05; i=$((i + 1))
done
q "DELETE FROM \"Organization\" WHERE name = 'Quagga Beta'"
wait $t1
is "$(q "SELECT count(*) FROM search.organization_vocab WHERE word = 'quagga'")" "0" \
   "concurrent deletes of a word's last holders remove it from the vocabulary"
is "$(q "SELECT count(*) FROM ((SELECT word::text, rows FROM search.organization_vocab
                                EXCEPT SELECT word, count(*) FROM search.organization_word GROUP BY word)
                               UNION ALL (SELECT word, count(*) FROM search.organization_word GROUP BY word
                                EXCEPT SELECT word::text, rows FROM search.organization_vocab)) d")" \
   "0" "and the vocabulary still counts the index both ways"
# The word rows carry the id: a new id (no rename) must follow.
nid=$(q "INSERT INTO \"Organization\" (name, priority, segment) VALUES ('Okapi Diner', 'A', 'CATERING') RETURNING id")
newid=$(q "UPDATE \"Organization\" SET id = gen_random_uuid() WHERE id = '$nid' RETURNING id")
run bc orgs search okapi
is "$(hits)" "$newid" "an organization whose id changed is found under its new id"
run bc orgs search 'okapi din'
is "$(hits)" "$newid" "also by two words (the pair index follows the id)"
q "DELETE FROM \"Organization\" WHERE id = '$newid'"
run bc orgs search '100%_'
like "$OUT" '^# (none|similar) ' "LIKE wildcards in the input are taken literally"
unlike "$OUT" '^# substring' "so they match no fragment"
run bc orgs search zqxjvw
like "$OUT" '^# none 0' "nonsense finds nothing"
run bc orgs --filter segment=CATERING search catering
is "$(hits | sort)" "$(q "SELECT id FROM \"Organization\" WHERE to_tsvector('simple', name) @@ to_tsquery('simple', 'catering:*')
                   AND segment = 'CATERING' ORDER BY id")" "search applies the filters"
run_fails "a 2-letter fragment with no word is refused" 1 "$BC" "dbname=$DB" orgs search '-.'
c=$(q "SELECT id || ' ' || \"firstName\" || ' ' || \"lastName\" FROM \"Contact\"
        WHERE \"firstName\" ~ '^[A-Za-z]+$' AND \"lastName\" ~ '^[A-Za-z]+$' ORDER BY id LIMIT 1")
cid=${c%% *}; cname=${c#* }
# each word quoted, a prefix from 3 characters on, all ANDed
tsq=$(q "SELECT string_agg(quote_literal(w) || CASE WHEN length(w) >= 3 THEN ':*' ELSE '' END, ' & ')
         FROM regexp_split_to_table(lower('$cname'), ' ') w")
run bc contacts search "$cname"
like "$OUT" '^# fulltext [1-9]' "a contact's full name is found by full text"
like "$(hits)" "$cid" "including that contact"
is "$(hits | sort)" "$(q "SELECT id FROM \"Contact\" WHERE to_tsvector('simple', \"firstName\" || ' ' || \"lastName\")
                   @@ to_tsquery('simple', \$\$$tsq\$\$) ORDER BY id")" \
   "the contact hits are those of SQL"
# contact_pairs A B [COND_C]: two prefixes in a contact's full name, the
# hits in the order of the pair index: the two matched words, then last
# and first name.
cwords_of='unnest(tsvector_to_array(to_tsvector('"'"'simple'"'"', c."firstName" || '"'"' '"'"' || c."lastName")))'
contact_pairs() {
    q "SELECT id FROM (SELECT DISTINCT ON (c.id) c.id, x COLLATE \"C\" AS x, y COLLATE \"C\" AS y,
                              c.\"lastName\", c.\"firstName\"
                       FROM \"Contact\" c, $cwords_of x, $cwords_of y
                       WHERE x LIKE lower('$1') || '%' AND y LIKE lower('$2') || '%' AND x <> y AND ${3:-true}
                       ORDER BY c.id, x COLLATE \"C\", y COLLATE \"C\") s
       ORDER BY x, y, \"lastName\", \"firstName\", id"
}
cf=${cname%% *}; cl=${cname#* }
is "$(hits)" "$(contact_pairs "$cf" "$cl")" "two words of a contact: from the pair index, in order"
run bc contacts search "$(printf '%.3s %.3s' "$cl" "$cf")"
like "$OUT" '^# fulltext [1-9]' "two 3-letter prefixes, last name first, find contacts"
is "$(hits)" "$(contact_pairs "$(printf '%.3s' "$cl")" "$(printf '%.3s' "$cf")")" "the hits of SQL, in order"
run bc contacts --filter primary=yes search "$(printf '%.3s %.3s' "$cl" "$cf")"
is "$(hits)" "$(contact_pairs "$(printf '%.3s' "$cl")" "$(printf '%.3s' "$cf")" 'c."isPrimary"')" \
   "with a filter: the filtered hits of SQL, in order"
q "UPDATE \"Contact\" SET \"lastName\" = 'Quokkason' WHERE id = '$cid'"
run bc contacts search "$cf quokkas"
is "$(hits)" "$cid" "a renamed contact is found by its new name at once"
is "$(q "SELECT count(*) FROM ((SELECT w1::text, w2::text, \"lastName\", \"firstName\", id FROM search.contact_pair
                                 EXCEPT ALL SELECT x, y, \"lastName\", \"firstName\", id FROM \"Contact\" c, $cwords_of x, $cwords_of y
                                   WHERE x COLLATE \"C\" < y COLLATE \"C\")
                                UNION ALL (SELECT x, y, \"lastName\", \"firstName\", id FROM \"Contact\" c, $cwords_of x, $cwords_of y
                                   WHERE x COLLATE \"C\" < y COLLATE \"C\"
                                 EXCEPT ALL SELECT w1::text, w2::text, \"lastName\", \"firstName\", id FROM search.contact_pair)) d")" \
   "0" "the contact pair index equals the table's pairs of two different words"

# --- goto ------------------------------------------------------------------------------
# check_goto DESC TEXT WANT_ID SORT ARGS...: the page holds WANT_ID at its
# focus and is a stretch of the full order with nothing skipped.
check_goto() {
    local desc=$1 text=$2 want=$3 sort=$4 all focus first pos
    shift 4
    run bc "$@" goto "$text"
    focus=$(printf '%s\n' "$OUT" | sed -n 's/^# rows=[0-9]* focus=\([-0-9]*\).*/\1/p')
    is "$(printf '%s\n' "$OUT" | grep -v '^#' | sed -n "$((focus + 1))p" | cut -f1)" "$want" \
       "$desc: the focus row is the one asked for"
    all=$(ids Organization "" "$sort")
    first=$(printf '%s\n' "$OUT" | grep -v '^#' | head -1 | cut -f1)
    pos=$(printf '%s\n' "$all" | grep -n "^$first\$" | cut -d: -f1)
    is "$(printf '%s\n' "$OUT" | grep -v '^#' | cut -f1)" \
       "$(printf '%s\n' "$all" | sed -n "${pos},$((pos + $(printf '%s\n' "$OUT" | grep -vc '^#') - 1))p")" \
       "$desc: the page is the stretch of the list around it"
}
DIR=asc
mid=$(ids Organization "" city | sed -n 1500p)
check_goto "goto by UUID, city sort" "$mid" "$mid" city orgs --sort city
upper=$(printf '%s' "$mid" | tr a-f A-F)
check_goto "goto by upper-case UUID" " $upper " "$mid" city orgs --sort city
nul=$(q "SELECT id FROM \"Organization\" WHERE city IS NULL ORDER BY id LIMIT 1 OFFSET 3")
DIR=desc
check_goto "goto a row with no city, city sort desc" "$nul" "$nul" city orgs --sort city --desc
DIR=asc
top=$(ids Organization "" estimatedRevenue | head -1)
check_goto "goto the first row" "$top" "$top" estimatedRevenue orgs --sort estimatedRevenue
like "$OUT" 'focus=0 at_start=1 at_end=0' "it is at the top of a full page"
bottom=$(ids Organization "" estimatedRevenue | tail -1)
check_goto "goto the last row" "$bottom" "$bottom" estimatedRevenue orgs --sort estimatedRevenue
like "$OUT" 'rows=37 focus=36 at_start=0 at_end=1' "it is at the bottom of a full page"
run bc orgs goto 7d5c5d9c-0000-4000-8000-000000000000
like "$OUT" '# found=0' "an unknown id is not found"
hidden=$(q "SELECT id FROM \"Organization\" WHERE segment <> 'CATERING' LIMIT 1")
run bc orgs --filter segment=CATERING goto "$hidden"
like "$OUT" '# found=1' "a row the filters hide is found"
like "$OUT" 'focus=-1' "but is not on the page"
run bc contacts goto "$cid"
like "$OUT" "focus=[0-9]" "goto works on the contacts pane"
# Jump from a contact to its organization: its organizationId is a goto.
corg=$(printf '%s\n' "$OUT" | grep -v '^#' | head -1 | cut -f8)
run bc orgs goto "$corg"
like "$OUT" "found=1" "the contact's organization is found from the contact row"

# goto in one statement (browse_build_around_id, what the console sends
# when the sort's keyset is never NULL): the page of lookup then around.
for args in "" "--desc" "--sort priority" "--sort updatedAt --desc" "--filter segment=CATERING" \
            "--sort city" "--sort city --desc"; do
    for id in "$mid" "$top" "$bottom" "$hidden"; do
        want=$(bc orgs $args goto "$id" | grep -v '^# found')
        run bc orgs $args aroundid "$id"
        is "$OUT" "$want" "around an id in one statement = lookup then around (${args:-name} $(printf '%s' "$id" | cut -c1-8))"
        run bc orgs $args --screen 9 aroundid "$id"
        is "$OUT" "$want" "and as a screenful then its fills"
    done
done
run bc contacts aroundid "$cid"
is "$OUT" "$(bc contacts goto "$cid" | grep -v '^# found')" "and on the contacts pane"
run bc orgs aroundid 7d5c5d9c-0000-4000-8000-000000000000
like "$OUT" '# rows=0 focus=-1' "an unknown id: no row around it"
# The city sort's index holds its NULL-able columns coalesced (0019): a
# goto there is one statement too, from a row of every NULL pattern.
for id in "$(q "SELECT id FROM \"Organization\" WHERE city IS NULL ORDER BY id LIMIT 1 OFFSET 7")" \
          "$(q "SELECT id FROM \"Organization\" WHERE city IS NOT NULL AND state IS NULL ORDER BY id LIMIT 1")" \
          "$(q "SELECT id FROM \"Organization\" WHERE state IS NOT NULL AND \"zipCode\" IS NULL ORDER BY id LIMIT 1")"; do
    for args in "--sort city" "--sort city --desc" "--sort city --filter state=IL"; do
        want=$(bc orgs $args goto "$id" | grep -v '^# found')
        run bc orgs $args aroundid "$id"
        is "$OUT" "$want" "around an id in one statement = lookup then around ($args $(printf '%s' "$id" | cut -c1-8))"
    done
done

# Legacy ids: a messy source has non-UUID ids, which the migration maps to
# version-5 UUIDs and records in metadata.legacy.id.
pg_createdb m
"$PANTRYCRM" demo generate --scale 200 --messy --seed 4 --out "$TEST_TMP/m.db" >/dev/null 2>&1 \
    || bail_out "demo generate --messy failed"
"$PANTRYCRM" -d dbname=m db migrate >/dev/null && \
"$PANTRYCRM" -d dbname=m migrate --source "$TEST_TMP/m.db" --progress none >/dev/null 2>&1
DB=m
legacy=$(q "SELECT metadata->'legacy'->>'id' || '|' || id FROM \"Organization\"
            WHERE metadata->'legacy'->>'id' IS NOT NULL ORDER BY id LIMIT 3")
ok "$([ -n "$legacy" ]; echo $?)" "the messy source has organizations with legacy ids"
for l in $legacy; do
    run bc orgs goto "${l%%|*}"
    like "$OUT" "found=1" "goto legacy id ${l%%|*} finds the row"
    is "$(printf '%s\n' "$OUT" | grep -v '^#' | awk -F'\t' -v id="${l#*|}" '$1 == id' | wc -l)" 1 \
       "and the page holds $(printf '%s' "${l#*|}" | cut -c1-8)…"
    like "$OUT" "focus=[0-9]" "at the focus"
    run bc orgs aroundid "${l%%|*}"
    like "$OUT" "focus=[0-9]" "and in one statement too"
done
DB=b

# --- detail view -----------------------------------------------------------------------
busy=$(q "SELECT o.id FROM \"Organization\" o JOIN \"Opportunity\" p ON p.\"organizationId\" = o.id
          WHERE p.\"isActive\" AND p.stage NOT IN ('CLOSED_WON', 'CLOSED_LOST') AND p.value > 0
          GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1")
run bc orgs --limit 5 detail "$busy"
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p"; }
is "$(val found)" 1 "the detail view finds the organization"
is "$(val name)" "$(q "SELECT name FROM \"Organization\" WHERE id = '$busy'")" "with its fields"
for t in Contact:contacts Interaction:interactions Opportunity:opportunities \
         Contract:contracts Lead:leads; do
    list=${t#*:}; t=${t%%:*}
    lc=$(printf '%s' "$t" | tr A-Z a-z)
    n=$(q "SELECT count(*) FROM \"$t\" WHERE \"organizationId\" = '$busy'")
    is "$(val ${lc}_count)" "$n" "$t count = $n as in SQL"
    lim=$n; [ "$lim" -gt 5 ] && lim=5
    is "$(val $list.rows)" "$lim" "and $lim of them are listed"
done
is "$(val last_interaction)" "$(q "SELECT max(date) FROM \"Interaction\" WHERE \"organizationId\" = '$busy'")" \
   "last interaction date as in SQL"
is "$(val interactions.0 | cut -f2)" "$(val last_interaction)" "and the latest is listed first"
is "$(val pipeline_value)" "$(q "SELECT sum(value) FROM \"Opportunity\" WHERE \"organizationId\" = '$busy'
                                AND \"isActive\" AND stage NOT IN ('CLOSED_WON', 'CLOSED_LOST')")" \
   "pipeline value as in SQL"
run bc orgs detail 7d5c5d9c-0000-4000-8000-000000000000
is "$OUT" "found=0" "the detail of an unknown id says so"

# --- the indexes are used ------------------------------------------------------------
# 20,000 more organizations, spread like real ones, then ANALYZE: on a
# table this size a sequential scan would be chosen if an index did not fit.
q "INSERT INTO \"Organization\" (name, priority, segment, type, status, city, state, \"zipCode\",
       \"estimatedRevenue\", \"nextFollowUpDate\", \"updatedAt\")
   SELECT 'Gen ' || md5(g::text), (enum_range(NULL::\"OrganizationPriority\"))[1 + g % 4],
       (enum_range(NULL::\"OrganizationSegment\"))[1 + g % 8],
       (enum_range(NULL::\"OrganizationType\"))[1 + g % 3],
       (enum_range(NULL::\"OrganizationStatus\"))[1 + g % 3],
       CASE WHEN g % 13 = 0 THEN NULL ELSE 'City ' || (g % 400) END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE 'S' || (g % 50) END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE lpad((g % 9000)::text, 5, '0') END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE g * 37.5 END,
       CASE WHEN g % 2 = 0 THEN NULL ELSE '2026-01-01'::timestamptz + g * interval '1 hour' END,
       '2024-01-01'::timestamptz + g * interval '1 minute'
   FROM generate_series(1, 20000) g;
   ANALYZE" >/dev/null || bail_out "could not add the generated organizations"
is "$(q 'SELECT reltuples >= 20000 FROM pg_class WHERE oid = '\''"Organization"'\''::regclass')" t \
   "the organizations table has over 20,000 rows, analyzed"

# no_seqscan DESC ARGS…: EXPLAIN of the page query reads "Organization"
# through an index only.
no_seqscan() {
    local desc=$1
    shift
    run bc "$@"
    if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q 'Index' \
       && ! printf '%s' "$OUT" | grep -q 'Seq Scan'; then _tap_result 0 "$desc"; else
        _tap_result 1 "$desc"; diag "exit $RC: $ERR" "$OUT"; fi
}
DIR=asc
for sort in name priority segment status city updatedAt nextFollowUpDate estimatedRevenue; do
    m=$(ids Organization "" "$sort" | sed -n 11000p)
    case $sort in
    city) nk=$(q "SELECT id FROM \"Organization\" WHERE city IS NULL ORDER BY id LIMIT 1 OFFSET 500") ;;
    nextFollowUpDate|estimatedRevenue)
        nk=$(q "SELECT id FROM \"Organization\" WHERE \"$sort\" IS NULL ORDER BY id LIMIT 1 OFFSET 500") ;;
    esac
    for flag in "" --desc; do
        for move in first last; do
            no_seqscan "index only: $sort ${flag:-asc} $move" orgs --sort "$sort" $flag explain $move
        done
        for move in next prev around; do
            no_seqscan "index only: $sort ${flag:-asc} $move" orgs --sort "$sort" $flag explain $move "$m"
        done
        case $sort in city|nextFollowUpDate|estimatedRevenue)
            no_seqscan "index only: $sort ${flag:-asc} next from a NULL" orgs --sort "$sort" $flag explain next "$nk"
            no_seqscan "index only: $sort ${flag:-asc} prev from a NULL" orgs --sort "$sort" $flag explain prev "$nk"
        esac
    done
done
no_seqscan "index only: segment filter by name" orgs --filter segment=CATERING explain first
no_seqscan "index only: two segments, status, by name" orgs --filter segment=CATERING,FINE_DINING \
    --filter status=ACTIVE explain next "$m"
no_seqscan "index only: priority filter by updatedAt desc" orgs --sort updatedAt --desc \
    --filter priority=A explain first
no_seqscan "index only: follow-up due by follow-up" orgs --sort nextFollowUpDate \
    --filter followup=due explain first
no_seqscan "index only: state filter by name" orgs --filter state=S7 explain first
no_seqscan "index only: city and state by revenue" orgs --sort estimatedRevenue --desc \
    --filter "city=City 7" --filter state=S7 explain first
no_seqscan "index only: type filter by name" orgs --filter type=CUSTOMER explain last
no_seqscan "index only: three priorities by updatedAt, around" orgs --sort updatedAt \
    --filter priority=A,B,D explain around "$m"
# The revenue page filtered by priority and type (0017): one range per
# priority of (priority, type, estimatedRevenue, id), holding only the
# rows shown; no row of another type is read and thrown away.
for flag in "" --desc; do
    for move in first "next $m" "around $m" "prev $nk"; do
        run bc orgs --sort estimatedRevenue $flag --filter priority=B,C --filter type=CUSTOMER \
            --limit 40 explain $move
        if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q 'Organization_priority_type_estimatedRevenue_id_idx' \
           && ! printf '%s' "$OUT" | grep -q 'Rows Removed by Filter'; then
            _tap_result 0 "revenue by priority B,C and type: ${flag:-asc} ${move%% *} reads the (priority, type, revenue) index only"
        else
            _tap_result 1 "revenue by priority B,C and type: ${flag:-asc} ${move%% *} reads the (priority, type, revenue) index only"
            diag "exit $RC: $ERR" "$OUT"
        fi
    done
done
# The city sort reads one range of its index after a row, whatever of
# its city, state and ZIP code is NULL (0019): no branch per NULL.
for id in "$m" "$nk" "$(q "SELECT id FROM \"Organization\" WHERE city IS NOT NULL AND state IS NULL ORDER BY id LIMIT 1")" \
          "$(q "SELECT id FROM \"Organization\" WHERE state IS NOT NULL AND \"zipCode\" IS NULL ORDER BY id LIMIT 1")"; do
    for move in next prev; do
        run bc orgs --sort city --limit 40 explain $move "$id"
        is "$RC:$(printf '%s\n' "$OUT" | grep -c 'Index Scan.* on "Organization"'):$(printf '%s\n' "$OUT" | grep -c 'Organization_city_sort_idx')" \
           "0:1:1" "city sort: $move from $(printf '%s' "$id" | cut -c1-8) is one range of Organization_city_sort_idx"
    done
done
# A page of contacts joins each row's organization without a Memoize node:
# built for the whole table, its hash table cost a millisecond a page
# (browse_session_sql turns it off for the console's sessions).
cid=$(q "SELECT id FROM \"Contact\" ORDER BY id LIMIT 1 OFFSET 100")
for move in around next; do
    run bc contacts --limit 40 explain $move "$cid"
    is "$RC:$(printf '%s\n' "$OUT" | grep -c 'Memoize')" "0:0" "contacts $move: the organizations are joined without Memoize"
done
run bc orgs --sort city --limit 40 --filter "city=Springfield" explain first
like "$OUT" 'Index Cond: .*COALESCE\(city' "a city filter alone finds its rows by the city sort's index"
no_seqscan "index only: contacts by last name" contacts explain first
no_seqscan "index only: contacts of one organization" contacts --sort createdAt \
    --filter "organization=$org" explain first

done_testing
