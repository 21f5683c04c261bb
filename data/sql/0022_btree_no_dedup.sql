-- 0022_btree_no_dedup.sql - no deduplication in the btree indexes whose
-- keys hold the row's id, and so are never equal.
--
-- Why: with deduplication on (PostgreSQL's default since 13), building a
-- btree index compares every new entry with the one before it, column by
-- column, to merge equal keys into a posting list, and an insert into a
-- full leaf page tries the same merge before it splits the page. An index
-- whose keys end in "id" (the keyset of a sorted page, the search tables'
-- word/pair entries) never holds two equal keys: every comparison is lost
-- work, and the index comes out the same size. In pantrycrm's deferred
-- build it is the single largest cost of such an index after the sort:
-- rebuilding each of them alone at S = 100,000, deduplication on -> off,
-- Interaction ("userId", date DESC, id DESC) 1.15 -> 1.05 s, the other two
-- Interaction keysets 0.55 -> 0.48 and 0.59 -> 0.50 s, the contact word
-- index 0.82 -> 0.73 s; all 31 together 6.8 -> 6.2 s of server CPU, with
-- identical sizes. Indexes whose keys do repeat (a date, a status, an
-- e-mail address) keep it: there it saves space and reads. (An update
-- that is not HOT adds an entry with the old key for the row's new
-- version; those are removed by bottom-up deletion, which does not
-- depend on this option.)
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- A migration run that was interrupted has dropped some of these for its
-- deferred build and keeps them as DDL (pg_get_indexdef's text) in
-- migration.deferred_ddl, from which a resumed run recreates them: there
-- the option goes into that text (before a partial index's WHERE), so
-- that this file applies to such a target too and the rebuilt index has
-- it.
DO $$
DECLARE
    ix text;
BEGIN
    FOREACH ix IN ARRAY ARRAY[
        'Contact_createdAt_id_idx',
        'Contact_email_flagged_idx',
        'Contact_email_id_idx',
        'Contact_lastName_firstName_id_idx',
        'Contact_organizationId_createdAt_id_idx',
        'Contact_updatedAt_id_idx',
        'Interaction_contactId_date_id_idx',
        'Interaction_organizationId_date_id_idx',
        'Interaction_userId_date_id_idx',
        'Organization_city_sort_idx',
        'Organization_city_state_zipCode_id_idx',
        'Organization_email_flagged_idx',
        'Organization_estimatedRevenue_id_idx',
        'Organization_lastContactDate_id_idx',
        'Organization_name_id_idx',
        'Organization_nextFollowUpDate_id_idx',
        'Organization_priority_estimatedRevenue_id_idx',
        'Organization_priority_name_id_idx',
        'Organization_priority_type_estimatedRevenue_id_idx',
        'Organization_priority_updatedAt_id_idx',
        'Organization_segment_name_id_idx',
        'Organization_state_city_name_id_idx',
        'Organization_state_city_sort_idx',
        'Organization_state_name_id_idx',
        'Organization_status_priority_name_id_idx',
        'Organization_type_name_id_idx',
        'Organization_updatedAt_id_idx'] LOOP
        IF to_regclass(format('public.%I', ix)) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX public.%I SET (deduplicate_items = off)', ix);
        ELSE
            UPDATE migration.deferred_ddl
               SET ddl = CASE WHEN strpos(ddl, ' WHERE ') > 0
                              THEN overlay(ddl PLACING ' WITH (deduplicate_items = off) WHERE '
                                           FROM strpos(ddl, ' WHERE ') FOR 7)
                              ELSE ddl || ' WITH (deduplicate_items = off)' END
             WHERE kind = 'index' AND name = ix AND ddl LIKE 'CREATE INDEX %'
               AND ddl NOT LIKE '% WITH (%';
        END IF;
    END LOOP;
END $$;

-- The search tables' indexes: ALTER for this database, and the rebuilds
-- after a bulk load (0014's, otherwise unchanged) create them so.
ALTER INDEX search.organization_word_word_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.organization_word_id_word_idx SET (deduplicate_items = off);
ALTER INDEX search.organization_pair_w1_w2_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_word_word_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_word_id_word_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_pair_w1_w2_name_id_idx SET (deduplicate_items = off);

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
        ON search.organization_word (word, name, id)
        WITH (deduplicate_items = off);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word)
        WITH (deduplicate_items = off);
    CREATE INDEX organization_pair_w1_w2_name_id_idx
        ON search.organization_pair (w1, w2, name, id)
        WITH (deduplicate_items = off);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
    ANALYZE search.organization_pair;
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
        ON search.contact_word (word, "lastName", "firstName", id)
        WITH (deduplicate_items = off);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word)
        WITH (deduplicate_items = off);
    CREATE INDEX contact_pair_w1_w2_name_id_idx
        ON search.contact_pair (w1, w2, "lastName", "firstName", id)
        WITH (deduplicate_items = off);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
    ANALYZE search.contact_pair;
END $$;
