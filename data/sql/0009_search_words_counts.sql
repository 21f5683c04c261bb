-- 0009_search_words_counts.sql - the vocabulary counts of 0008 stay right
-- under concurrent edits.
--
-- Why: 0008's triggers decremented a word's count with "UPDATE ... WHERE
-- rows > 1" and removed it with "DELETE ... WHERE rows = 1" in one
-- statement. When two transactions removed the last two holders of a word
-- at once, the second waited for the first's row lock, then re-checked
-- "rows > 1" against the new count (1: no update) while its DELETE had
-- judged "rows = 1" against its statement snapshot (2: no delete). The
-- word stayed in the vocabulary, counted once, with no row holding it.
--
-- Now the counts of the words being removed are locked first (FOR UPDATE
-- waits and returns the committed count), and each following statement
-- takes a fresh snapshot under that lock: a count of 1 is deleted, a
-- larger one decremented. Locks are taken in word order on both paths, so
-- two edits of names sharing words wait instead of deadlocking.
--
-- The row triggers also fire when the id changes: the word rows carry the
-- id, and 0008 left them pointing at the old one.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
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
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
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
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER organization_search_words ON "Organization";
CREATE TRIGGER organization_search_words
    AFTER INSERT OR DELETE OR UPDATE OF id, name ON "Organization"
    FOR EACH ROW EXECUTE FUNCTION search.organization_words_sync();

DROP TRIGGER contact_search_words ON "Contact";
CREATE TRIGGER contact_search_words
    AFTER INSERT OR DELETE OR UPDATE OF id, "firstName", "lastName" ON "Contact"
    FOR EACH ROW EXECUTE FUNCTION search.contact_words_sync();
