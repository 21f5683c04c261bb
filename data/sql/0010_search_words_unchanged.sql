-- 0010_search_words_unchanged.sql - the word-index triggers (0008, 0009) skip
-- updates that leave the indexed names as they were.
--
-- Why: "UPDATE OF name" fires for every update that lists the column, and
-- sync's upserts (ON CONFLICT DO UPDATE SET every column) list them all. Each
-- such update removed and re-added the row's words and counted the
-- vocabulary down and up again; common words ("andrew", "grill") got one
-- new row version per change, all in the round's one transaction, where
-- none can be pruned. A sync round of 6,000 contact updates (names
-- untouched) spent 4.5 s in these triggers, each batch of 2,000 slower
-- than the last (0.5, 1.3, 2.6 s).
--
-- The bodies are 0009's (counts locked in word order), plus the early return.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.name IS NOT DISTINCT FROM NEW.name THEN
        RETURN NULL;
    END IF;
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
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id
       AND OLD."firstName" IS NOT DISTINCT FROM NEW."firstName"
       AND OLD."lastName" IS NOT DISTINCT FROM NEW."lastName" THEN
        RETURN NULL;
    END IF;
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
