-- 0008_search_words.sql - a word index for the console's search that can
-- answer "the first hits, in order" by reading a few index entries.
--
-- Why: the GIN full-text index finds the rows holding a word, but in no
-- order, so "the first 500 hits by name" had to fetch and sort every match.
-- At S = 1,000,000 organizations a common word ("grill") matches 27,557 rows
-- and the search took 127 ms, 330 x a primary-key round trip. Here every
-- (word, sort key, id) is one btree entry: the same search reads 500 index
-- entries in order (index-only) and stops.
--
-- Words are exactly what to_tsvector('simple', ...) makes of the text (the
-- GIN indexes of 0003 keep serving the seed's own full-text queries). The
-- vocabulary (distinct words, with how many rows hold each) is small; its
-- trigram index answers fragments and misspellings by finding the words
-- first, then their rows through the word index.
--
-- Kept in step by row triggers on "Organization" and "Contact". A bulk
-- load into empty tables disables them and rebuilds the word tables once,
-- after the data (pantrycrm migrate does this with its deferred indexes).
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE SCHEMA search;
COMMENT ON SCHEMA search IS
    'pantrycrm: word indexes for the console search (derived data, rebuilt by search.rebuild_*)';

-- The words of a text, as the 'simple' text search configuration cuts and
-- lower-cases them; each once.
CREATE FUNCTION search.words(t text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) $$;

-- --- organizations ---------------------------------------------------------

CREATE TABLE search.organization_word (
    word text COLLATE "C" NOT NULL,
    name text NOT NULL,
    id   uuid NOT NULL
);
COMMENT ON TABLE search.organization_word IS
    'One row per word of each organization name (derived from "Organization")';

-- A word or a word prefix, hits by word then name (index-only):
--   SELECT id, name FROM search.organization_word
--   WHERE word >= $1 AND word < $1 || chr(1114111) ORDER BY word, name, id LIMIT $2
CREATE INDEX organization_word_word_name_id_idx
    ON search.organization_word (word, name, id);
-- The words of one organization (other words of the search; the triggers):
--   SELECT 1 FROM search.organization_word WHERE id = $1 AND word >= $2 AND ...
CREATE INDEX organization_word_id_word_idx
    ON search.organization_word (id, word);

CREATE TABLE search.organization_vocab (
    word text COLLATE "C" PRIMARY KEY,
    rows bigint NOT NULL CHECK (rows > 0)
);
COMMENT ON TABLE search.organization_vocab IS
    'The distinct words of organization names and how many names hold each';
-- A fragment or a misspelling, words first:
--   SELECT word FROM search.organization_vocab WHERE word LIKE '%' || $1 || '%'
--   SELECT word FROM search.organization_vocab WHERE word % $1 ORDER BY similarity(word, $1) DESC
CREATE INDEX organization_vocab_trgm_idx
    ON search.organization_vocab USING gin (word gin_trgm_ops);

CREATE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH gone AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        ), counted AS (
            UPDATE search.organization_vocab v SET rows = v.rows - 1
            FROM gone WHERE v.word = gone.word AND v.rows > 1 RETURNING v.word
        )
        DELETE FROM search.organization_vocab v USING gone
        WHERE v.word = gone.word AND v.rows = 1
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.word = gone.word);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER organization_search_words
    AFTER INSERT OR DELETE OR UPDATE OF name ON "Organization"
    FOR EACH ROW EXECUTE FUNCTION search.organization_words_sync();

CREATE FUNCTION search.organization_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.organization_word, search.organization_vocab;
    RETURN NULL;
END $$;

CREATE TRIGGER organization_search_words_truncate
    AFTER TRUNCATE ON "Organization"
    FOR EACH STATEMENT EXECUTE FUNCTION search.organization_words_truncate();

-- Rebuilds the words from scratch (after a bulk load that disabled the
-- trigger) and turns the trigger back on, in the caller's transaction.
CREATE FUNCTION search.rebuild_organization_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words;
    TRUNCATE search.organization_word, search.organization_vocab;
    -- One sorted build is far cheaper than millions of index insertions.
    DROP INDEX search.organization_word_word_name_id_idx;
    DROP INDEX search.organization_word_id_word_idx;
    INSERT INTO search.organization_word (word, name, id)
        SELECT w, o.name, o.id FROM "Organization" o, search.words(o.name) w;
    CREATE INDEX organization_word_word_name_id_idx
        ON search.organization_word (word, name, id);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
END $$;

-- --- contacts --------------------------------------------------------------

CREATE TABLE search.contact_word (
    word        text COLLATE "C" NOT NULL,
    "lastName"  text NOT NULL,
    "firstName" text NOT NULL,
    id          uuid NOT NULL
);
COMMENT ON TABLE search.contact_word IS
    'One row per word of each contact''s full name (derived from "Contact")';

-- A word or a word prefix, hits by word then last and first name:
--   SELECT id FROM search.contact_word WHERE word >= $1 AND word < $1 || chr(1114111)
--   ORDER BY word, "lastName", "firstName", id LIMIT $2
CREATE INDEX contact_word_word_name_id_idx
    ON search.contact_word (word, "lastName", "firstName", id);
-- The words of one contact:
--   SELECT 1 FROM search.contact_word WHERE id = $1 AND word >= $2 AND ...
CREATE INDEX contact_word_id_word_idx
    ON search.contact_word (id, word);

CREATE TABLE search.contact_vocab (
    word text COLLATE "C" PRIMARY KEY,
    rows bigint NOT NULL CHECK (rows > 0)
);
COMMENT ON TABLE search.contact_vocab IS
    'The distinct words of contact names and how many contacts hold each';
-- Fragments and misspellings of a name, words first:
--   SELECT word FROM search.contact_vocab WHERE word % $1 ORDER BY similarity(word, $1) DESC
CREATE INDEX contact_vocab_trgm_idx
    ON search.contact_vocab USING gin (word gin_trgm_ops);

CREATE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH gone AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        ), counted AS (
            UPDATE search.contact_vocab v SET rows = v.rows - 1
            FROM gone WHERE v.word = gone.word AND v.rows > 1 RETURNING v.word
        )
        DELETE FROM search.contact_vocab v USING gone
        WHERE v.word = gone.word AND v.rows = 1
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.word = gone.word);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_search_words
    AFTER INSERT OR DELETE OR UPDATE OF "firstName", "lastName" ON "Contact"
    FOR EACH ROW EXECUTE FUNCTION search.contact_words_sync();

CREATE FUNCTION search.contact_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.contact_word, search.contact_vocab;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_search_words_truncate
    AFTER TRUNCATE ON "Contact"
    FOR EACH STATEMENT EXECUTE FUNCTION search.contact_words_truncate();

CREATE FUNCTION search.rebuild_contact_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words;
    TRUNCATE search.contact_word, search.contact_vocab;
    DROP INDEX search.contact_word_word_name_id_idx;
    DROP INDEX search.contact_word_id_word_idx;
    INSERT INTO search.contact_word (word, "lastName", "firstName", id)
        SELECT w, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.words(c."firstName" || ' ' || c."lastName") w;
    CREATE INDEX contact_word_word_name_id_idx
        ON search.contact_word (word, "lastName", "firstName", id);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
END $$;

-- Existing rows (a database migrated before this file) get their words now.
SELECT search.rebuild_organization_words();
SELECT search.rebuild_contact_words();
