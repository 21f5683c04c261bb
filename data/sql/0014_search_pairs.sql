-- 0014_search_pairs.sql - word-pair indexes (organizations, contacts), so
-- that a search for two words reads only names that hold both.
--
-- Why: with the word index of 0008 a search for two words walked the rows
-- of the rarer word in order and probed each for the other word, until
-- 500 hits. When few names hold both, that walk read every row of the
-- rarer word: at S = 1,000,000 organizations `blu hea` read the 26,000
-- names holding "blue" to find a few hundred with a word starting "hea"
-- (220 ms, 510 x a primary-key round trip), `Chophouse Portland` 72 ms.
--
-- Here every pair of two different words of a name is one btree entry
-- (w1, w2, name, id), w1 < w2 in "C" order. The search takes the words of
-- the vocabulary that each typed word starts (a few: the vocabulary holds
-- a few hundred words), and for each pair of them reads the entries of
-- that pair, which are hits, in name order: it stops at 500 hits having
-- read about 500 entries, however few names hold both words. Storing
-- each pair once (not both orders) halves the table; the search asks for
-- (least, greatest) of the two words.
--
-- Kept in step by the row trigger of 0008-0010 (this file replaces its
-- function with one that also keeps the pairs), and rebuilt with the words
-- by search.rebuild_organization_words() after a bulk load, so pantrycrm
-- migrate's deferred build needs no change.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- The pairs of two different words of a text (words as search.words cuts
-- them), each once: w1 < w2 in "C" order.
CREATE FUNCTION search.word_pairs(t text, OUT w1 text, OUT w2 text) RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT a, b FROM unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) a,
                            unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) b
          WHERE a COLLATE "C" < b COLLATE "C" $$;

CREATE TABLE search.organization_pair (
    w1   text COLLATE "C" NOT NULL,
    w2   text COLLATE "C" NOT NULL,
    name text NOT NULL,
    id   uuid NOT NULL
);
COMMENT ON TABLE search.organization_pair IS
    'One row per pair of two different words (w1 < w2) of each organization name (derived from "Organization")';
-- Existing rows (a database migrated before this file) get their pairs now,
-- before the index (one sorted build).
INSERT INTO search.organization_pair (w1, w2, name, id)
    SELECT p.w1, p.w2, o.name, o.id FROM "Organization" o, search.word_pairs(o.name) p;

-- The names holding two words, in order (index-only):
--   SELECT id, name FROM search.organization_pair
--   WHERE w1 = least($1, $2) AND w2 = greatest($1, $2) ORDER BY name, id LIMIT $3
-- The trigger deletes an old name's pairs through the same index (all four
-- columns are known), so no index on id is needed.
CREATE INDEX organization_pair_w1_w2_name_id_idx
    ON search.organization_pair (w1, w2, name, id);

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.name IS NOT DISTINCT FROM NEW.name THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search.organization_pair p USING search.word_pairs(OLD.name) o
            WHERE p.w1 = o.w1 AND p.w2 = o.w2 AND p.name = OLD.name AND p.id = OLD.id;
        WITH d AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.organization_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.organization_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.organization_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_pair (w1, w2, name, id)
            SELECT p.w1, p.w2, NEW.name, NEW.id FROM search.word_pairs(NEW.name) p;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.organization_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.organization_word, search.organization_vocab, search.organization_pair;
    RETURN NULL;
END $$;

-- As 0008's, plus the pairs: each built from the table in one pass, its
-- index made after the rows (a sorted build).
CREATE OR REPLACE FUNCTION search.rebuild_organization_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words;
    TRUNCATE search.organization_word, search.organization_vocab, search.organization_pair;
    DROP INDEX search.organization_word_word_name_id_idx;
    DROP INDEX search.organization_word_id_word_idx;
    DROP INDEX search.organization_pair_w1_w2_name_id_idx;
    INSERT INTO search.organization_word (word, name, id)
        SELECT w, o.name, o.id FROM "Organization" o, search.words(o.name) w;
    INSERT INTO search.organization_pair (w1, w2, name, id)
        SELECT p.w1, p.w2, o.name, o.id FROM "Organization" o, search.word_pairs(o.name) p;
    CREATE INDEX organization_word_word_name_id_idx
        ON search.organization_word (word, name, id);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word);
    CREATE INDEX organization_pair_w1_w2_name_id_idx
        ON search.organization_pair (w1, w2, name, id);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
    ANALYZE search.organization_pair;
END $$;

ANALYZE search.organization_pair;

-- --- contacts --------------------------------------------------------------
-- The same for contacts' full names ("firstName lastName": mostly one pair
-- each). "james smith" walked the 33,000 Smiths to find 451 (85 ms at
-- S = 1,000,000).

CREATE TABLE search.contact_pair (
    w1          text COLLATE "C" NOT NULL,
    w2          text COLLATE "C" NOT NULL,
    "lastName"  text NOT NULL,
    "firstName" text NOT NULL,
    id          uuid NOT NULL
);
COMMENT ON TABLE search.contact_pair IS
    'One row per pair of two different words (w1 < w2) of each contact''s full name (derived from "Contact")';

INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
    SELECT p.w1, p.w2, c."lastName", c."firstName", c.id
    FROM "Contact" c, search.word_pairs(c."firstName" || ' ' || c."lastName") p;

--   SELECT id FROM search.contact_pair WHERE w1 = least($1, $2) AND w2 = greatest($1, $2)
--   ORDER BY "lastName", "firstName", id LIMIT $3
CREATE INDEX contact_pair_w1_w2_name_id_idx
    ON search.contact_pair (w1, w2, "lastName", "firstName", id);

CREATE OR REPLACE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id
       AND OLD."firstName" IS NOT DISTINCT FROM NEW."firstName"
       AND OLD."lastName" IS NOT DISTINCT FROM NEW."lastName" THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search.contact_pair p
            USING search.word_pairs(OLD."firstName" || ' ' || OLD."lastName") o
            WHERE p.w1 = o.w1 AND p.w2 = o.w2 AND p."lastName" = OLD."lastName"
              AND p."firstName" = OLD."firstName" AND p.id = OLD.id;
        WITH d AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.contact_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.contact_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.contact_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
            SELECT p.w1, p.w2, NEW."lastName", NEW."firstName", NEW.id
            FROM search.word_pairs(NEW."firstName" || ' ' || NEW."lastName") p;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.contact_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.contact_word, search.contact_vocab, search.contact_pair;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.rebuild_contact_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words;
    TRUNCATE search.contact_word, search.contact_vocab, search.contact_pair;
    DROP INDEX search.contact_word_word_name_id_idx;
    DROP INDEX search.contact_word_id_word_idx;
    DROP INDEX search.contact_pair_w1_w2_name_id_idx;
    INSERT INTO search.contact_word (word, "lastName", "firstName", id)
        SELECT w, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.words(c."firstName" || ' ' || c."lastName") w;
    INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
        SELECT p.w1, p.w2, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.word_pairs(c."firstName" || ' ' || c."lastName") p;
    CREATE INDEX contact_word_word_name_id_idx
        ON search.contact_word (word, "lastName", "firstName", id);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word);
    CREATE INDEX contact_pair_w1_w2_name_id_idx
        ON search.contact_pair (w1, w2, "lastName", "firstName", id);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
    ANALYZE search.contact_pair;
END $$;

ANALYZE search.contact_pair;
