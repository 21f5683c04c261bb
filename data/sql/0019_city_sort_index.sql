-- 0019_city_sort_index.sql - the console's city sort reads one index
-- range per page, whatever columns of the row it pages from are NULL.
--
-- Why: the city sort's keyset (city, state, "zipCode", id) has three
-- NULL-able columns. A row comparison is false as soon as it meets a NULL,
-- so the page after a row was cut into up to four index ranges (the
-- comparison, then "state IS NULL", "zipCode IS NULL", "city IS NULL"
-- branches), each descended and merged: PgDn, the page around a row and
-- :goto (a lookup, then that page: two round trips) cost 5.7x to 7.9x a
-- primary-key round trip at S = 1,000,000, against 2x to 2.5x in the name
-- sort. Here each NULL-able column is held as two keys that are never
-- NULL, (c IS NULL) then coalesce(c, ''), which sort as c with its
-- NULLs last, the order shown until now: the page after any row is one
-- row comparison, one range (browse.c, "Coalesced keysets"), and a goto
-- is one statement.
--
-- The second index replaces 0005's (state, city, "zipCode", id). The
-- first is one more index: the seed's geographic index (city, state,
-- "zipCode") of 0003 stays, because the CRM's web application filters and
-- sorts by those plain columns, which an index of expressions does not
-- serve. At S = 1,000,000: 56 MB each, 2.1 to 2.6 s each to build (the
-- expressions are computed per row), about 3 s more for the migration's
-- deferred build. A filter on a city alone (no state) finds its rows by
-- the first two keys of the first; state and city together keep
-- Organization_state_city_name_id_idx (0005).
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- A target whose data migration was interrupted holds that index only as
-- its DDL in migration.deferred_ddl (the load drops secondary indexes and
-- builds them at the end): there it is forgotten rather than dropped, so
-- the resumed run does not build it again. The first text of this file
-- dropped it unconditionally, which failed on such a target; databases
-- that applied that text are in the same state, hence:
-- supersedes 815485813623a25428b5d6845331aa1bdb66b5c669b07852af5da079bef05a07
DROP INDEX IF EXISTS "Organization_state_city_zipCode_id_idx";
DELETE FROM migration.deferred_ddl WHERE name = 'Organization_state_city_zipCode_id_idx';

-- Sort by city (then state, ZIP code), NULLs last:
--   SELECT ... FROM "Organization" o
--   WHERE ((o.city IS NULL), coalesce(o.city, ''), (o.state IS NULL),
--          coalesce(o.state, ''), (o."zipCode" IS NULL), coalesce(o."zipCode", ''), o.id)
--         > ($1, $2, $3, $4, $5, $6, $7)
--   ORDER BY 1st to 7th of those LIMIT $8
-- Filter a city (without a state), any sort:
--   SELECT ... FROM "Organization" o
--   WHERE (o.city IS NULL) IS FALSE AND coalesce(o.city, '') = $1 ...
CREATE INDEX "Organization_city_sort_idx" ON "Organization" (
    (city IS NULL), (COALESCE(city, ''::text)),
    (state IS NULL), (COALESCE(state, ''::text)),
    ("zipCode" IS NULL), (COALESCE("zipCode", ''::text)), id);

-- Filter state, sorted by city: the keys of the city and the ZIP code
-- after the state (the state's own are constant there, and left out so
-- that the city sort's index above cannot serve this order: the planner
-- would walk it throwing away the other states' rows):
--   SELECT ... FROM "Organization" o
--   WHERE o.state = $1 AND ((o.city IS NULL), coalesce(o.city, ''),
--         (o."zipCode" IS NULL), coalesce(o."zipCode", ''), o.id) > ($2, $3, $4, $5, $6)
--   ORDER BY those keys LIMIT $7
CREATE INDEX "Organization_state_city_sort_idx" ON "Organization" (
    state,
    (city IS NULL), (COALESCE(city, ''::text)),
    ("zipCode" IS NULL), (COALESCE("zipCode", ''::text)), id);
