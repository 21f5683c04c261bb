-- 0020_search_similar_words.sql - a misspelt word is looked up in the
-- vocabulary's trigram index, not by comparing it with every word.
--
-- Why: the console corrects a word that begins no word of the vocabulary
-- ("Portlnd", "Chophuose") with the words most similar to it by trigrams
-- (pg_trgm's %). The vocabulary has a trigram index (0008), but the
-- planner never used it: pg_trgm declares % as cheap as an integer
-- comparison, while each call builds the trigrams of both words (0.55 us
-- a word, a hundred times the planner's figure). So the plan compared the
-- typed word with each of the 375 words of the vocabulary at S = 100,000
-- (0.22 ms a misspelt word) where the index answers in 0.017 ms. Changing
-- the operator's declared cost (ALTER FUNCTION similarity_op) needs the
-- extension's owner, which a managed server (Azure) does not grant; these
-- functions instead plan their one query with operators costed a hundred
-- times higher (cpu_operator_cost, for their own planning only). PL/pgSQL
-- keeps that plan for the session.
--
-- Each returns the words of its vocabulary similar to t (t already
-- lower-cased, as the words are) with their similarity; the caller orders
-- and limits them.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE FUNCTION search.organization_similar_words(t text, OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 5
    SET cpu_operator_cost = 0.25
    AS $$
BEGIN
    RETURN QUERY SELECT v.word, similarity(v.word, t) FROM search.organization_vocab v
        WHERE v.word % t;
END $$;

CREATE FUNCTION search.contact_similar_words(t text, OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 5
    SET cpu_operator_cost = 0.25
    AS $$
BEGIN
    RETURN QUERY SELECT v.word, similarity(v.word, t) FROM search.contact_vocab v
        WHERE v.word % t;
END $$;
