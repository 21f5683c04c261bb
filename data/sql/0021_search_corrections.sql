-- 0021_search_corrections.sql - the words a misspelt word may stand for,
-- in one function call instead of a dozen plan nodes.
--
-- Why: a search is one statement whose later stages (a fragment, then
-- misspellings) run only when the earlier ones found nothing. PostgreSQL
-- nevertheless initialises every node of the plan at each execution, and
-- the correction of a word (the words similar by trigrams, then the words
-- it is with two letters swapped: a function scan, a series, a lateral
-- join and an index probe) was inlined once per typed word and once more
-- for the single-word stage. The generic plan of a two-word search had
-- 106 nodes, and at S = 1,000,000 starting them cost more than running
-- the stage that answered: "blu hea" took 0.112 ms a search where its
-- first stage alone took 0.046 ms. As function calls, a correction is one
-- node until it runs (60 nodes). Measured with pgbench on the console's
-- statements (a screenful of hits), same cluster, before -> after:
--   blu hea 0.112 -> 0.080 ms, Chophouse Portland 0.112 -> 0.080,
--   james smith (contacts) 0.122 -> 0.091, grill 0.061 -> 0.058,
--   ophous 0.089 -> 0.082, Chophuose 0.117 -> 0.110,
--   Portlnd Chophuose 0.196 -> 0.177, jmaes smtih 0.185 -> 0.176.
--
-- Each returns the words of its vocabulary that t (lower-cased, as the
-- words are) may be a misspelling of, with a score:
--   * t with two neighbouring letters swapped ("jmaes" is "james"): the
--     most common slip of a typist, which trigrams miss (the two words
--     share 2 of 10 trigrams, far below pg_trgm's 0.3); score 1. For a
--     prefix (a word of 3 characters or more, as the search reads typed
--     words), the words the swapped form starts; otherwise the word
--     equal to it. Each swap is one probe of the vocabulary's index: a
--     dozen probes for a word of a dozen letters, whatever its size. The
--     series is a constant one (the first 32 swaps) so that the plan
--     knows its row count;
--   * the words similar by trigrams (pg_trgm's %), with their similarity.
--     The query is planned with operators costed a hundred times higher
--     (cpu_operator_cost, for this function only), as in 0020: pg_trgm
--     declares % as cheap as an integer comparison, and the plan would
--     compare t with every word instead of reading the trigram index.
-- A word may come from both; the caller orders and limits.
--
-- The query's plan is the generic one from the first call: PL/pgSQL would
-- plan it anew at each of a session's first five calls (about 0.2 ms
-- each), and a console's idle warm-up calls it only once or twice, so the
-- first misspelt searches of a session paid for planning.
--
-- 0020's functions stay for consoles of the previous release.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE FUNCTION search.organization_corrections(t text, prefix boolean,
                                                OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 6
    SET cpu_operator_cost = 0.25
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word, 1::real FROM generate_series(1, 32) i
            CROSS JOIN LATERAL (SELECT overlay(t placing substr(t, i + 1, 1) || substr(t, i, 1)
                                               from i for 2) COLLATE "C" AS s) x
            JOIN search.organization_vocab v ON i < length(t) AND v.word >= x.s
                 AND v.word < x.s || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        SELECT v.word, similarity(v.word, t) FROM search.organization_vocab v WHERE v.word % t;
END $$;

CREATE FUNCTION search.contact_corrections(t text, prefix boolean,
                                           OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 6
    SET cpu_operator_cost = 0.25
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word, 1::real FROM generate_series(1, 32) i
            CROSS JOIN LATERAL (SELECT overlay(t placing substr(t, i + 1, 1) || substr(t, i, 1)
                                               from i for 2) COLLATE "C" AS s) x
            JOIN search.contact_vocab v ON i < length(t) AND v.word >= x.s
                 AND v.word < x.s || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        SELECT v.word, similarity(v.word, t) FROM search.contact_vocab v WHERE v.word % t;
END $$;

-- The vocabulary words a typed word stands for when several words are
-- looked up through the pair index and misspellings are corrected: the
-- words t starts (a prefix) or equals; when there are none, the one word
-- spelt most like it. "No word starts with t" is the first word from t on
-- (one descent of the index) not starting with t: NOT EXISTS over the
-- range was planned, generically, as a scan of the whole vocabulary.
CREATE FUNCTION search.organization_word_set(t text, prefix boolean)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word FROM search.organization_vocab v
            WHERE v.word >= t AND v.word < t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        (SELECT c.word FROM search.organization_corrections(t, prefix) c
            WHERE coalesce((SELECT min(u.word) FROM search.organization_vocab u WHERE u.word >= t)
                           >= t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END, true)
            ORDER BY c.score DESC, c.word COLLATE "C" LIMIT 1);
END $$;

CREATE FUNCTION search.contact_word_set(t text, prefix boolean)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word FROM search.contact_vocab v
            WHERE v.word >= t AND v.word < t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        (SELECT c.word FROM search.contact_corrections(t, prefix) c
            WHERE coalesce((SELECT min(u.word) FROM search.contact_vocab u WHERE u.word >= t)
                           >= t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END, true)
            ORDER BY c.score DESC, c.word COLLATE "C" LIMIT 1);
END $$;
