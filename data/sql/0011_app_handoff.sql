-- 0011_app_handoff.sql - what the CRM application (Drizzle ORM, Auth.js)
-- needs from the database itself, so that it adopts the migrated database
-- without hand repairs.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- ---------------------------------------------------------------------------
-- Ids of the sign-in tables. Auth.js (@auth/drizzle-adapter) never supplies
-- an id when it links an account or opens a session, and leaves the user's id
-- to the table when the schema declares a default; without one every such
-- insert fails with 'null value in column "id"'. Legacy cuids stay as they
-- are; new rows get a random UUID as text (the columns stay text, so old and
-- new ids live side by side). data/drizzle/schema.ts declares the same
-- default, so the application's schema and this one agree. The uuid is
-- converted to text on assignment; the cast is left implicit because
-- drizzle-kit reads an explicit one back as a different default and would
-- set it again on every push.
-- ---------------------------------------------------------------------------

ALTER TABLE "User" ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE "Account" ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE "Session" ALTER COLUMN id SET DEFAULT gen_random_uuid();

-- ---------------------------------------------------------------------------
-- The pipeline index of 0003 carried value as an INCLUDE column. Drizzle's
-- schema language cannot say INCLUDE, so the application's schema could not
-- describe it: drizzle-kit would drop and rebuild it on every push, or build
-- a different index in a fresh database. value becomes the last key column
-- instead; the dashboard's pipeline query stays an index-only scan
-- (WHERE "isActive" GROUP BY stage, sum(value)), at the cost of value in the
-- inner pages too, a few bytes per entry.
-- ---------------------------------------------------------------------------

-- A target whose data migration was interrupted holds the old index only
-- as its DDL in migration.deferred_ddl: there it is forgotten rather than
-- dropped. (The first text of this file dropped it unconditionally and
-- failed on such a target; databases that applied it are in the same
-- state.)
-- supersedes 47e377f81c15415ba8df0125c2a61e7f80903b0cea05aa4d68a6c7e53a5765ce
DROP INDEX IF EXISTS "Opportunity_stage_isActive_idx";
DELETE FROM migration.deferred_ddl WHERE name = 'Opportunity_stage_isActive_idx';
-- Dashboard, the pipeline: open deals and their value per stage, answered
-- from the index alone (index-only scan):
--   SELECT stage, count(*), sum(value) FROM "Opportunity"
--   WHERE "isActive" GROUP BY stage ORDER BY stage
CREATE INDEX "Opportunity_stage_isActive_value_idx"
    ON "Opportunity" (stage, "isActive", value);

-- ---------------------------------------------------------------------------
-- Old ids. The migration gives a CRM row whose legacy id is a canonical UUID
-- that UUID, lower-cased, and any other legacy id (a cuid, a number) the
-- version-5 UUID of '<Table>:<legacy id>' in pantrycrm's namespace
-- b527244c-85c7-4c6c-a475-88a12434d2e4 (src/transform.c, id_map_uuid). The
-- application holds old links and bookmarks with such ids; this function
-- gives their new id in SQL, the same way the migration and the console's
-- :goto compute it:
--   SELECT * FROM "Organization" WHERE id = legacy_uuid('Organization', $1)
-- It is a pure function of its arguments (IMMUTABLE), so it also works in
-- an index or a generated column. NULL for NULL or an empty id. The
-- sign-in tables ("User", ...) kept their text ids and need no mapping.
-- ---------------------------------------------------------------------------

CREATE FUNCTION legacy_uuid(entity text, legacy_id text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $fn$
DECLARE
    h bytea;
BEGIN
    IF legacy_id = '' THEN
        RETURN NULL;
    END IF;
    IF legacy_id ~ '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' THEN
        RETURN lower(legacy_id)::uuid;
    END IF;
    -- RFC 4122 version 5: SHA-1 of namespace || name, first 16 bytes, with
    -- the version (5) and variant (10xx) bits set.
    h := substring(digest('\xb527244c85c74c6ca47588a12434d2e4'::bytea
                          || convert_to(entity || ':' || legacy_id, 'UTF8'), 'sha1')
                   FROM 1 FOR 16);
    h := set_byte(h, 6, (get_byte(h, 6) & 15) | 80);
    h := set_byte(h, 8, (get_byte(h, 8) & 63) | 128);
    RETURN encode(h, 'hex')::uuid;
END
$fn$;
COMMENT ON FUNCTION legacy_uuid(text, text) IS
    'The target id of a CRM row from its legacy id: a canonical UUID lower-cased, anything else uuid5(pantrycrm namespace, ''<Table>:<legacy id>'')';
