-- 0001_extensions.sql - the PostgreSQL extensions the pantrycrm target schema needs.
--
-- Forward-only migration: once released, this file is never edited, because
-- `pantrycrm db migrate` records its checksum and refuses to run when an
-- applied file has changed. A later change goes into a new, higher-numbered file.
--
-- `pantrycrm db migrate` runs this whole file with one PQexec inside a
-- transaction it opens itself, so the file has no transaction control of
-- its own. Before that it checks that every extension named below can be
-- created on the server (and, on Azure, that it is allow-listed in
-- azure.extensions); that check reads the statements below literally, so
-- each stays on one line in the exact form "<create> <name>;" with the name
-- unquoted.
--
-- pgcrypto: digest() and crypt() for server-side work on the data, such as
--     checking or resetting the bcrypt hashes in "User".password from SQL.
--     Ids do not need it: gen_random_uuid() is core since PostgreSQL 13, so
--     uuid-ossp is not installed.
-- pg_trgm: trigram GIN indexes (gin_trgm_ops) behind the console's partial
--     ("ILIKE '%x%'") and fuzzy (%, similarity()) name searches.
-- btree_gin: GIN operator classes for plain scalar and enum columns, so that
--     a GIN index can combine such a column with a text-search or trigram
--     key. The data model contract requires it; no index in 0003 needs it
--     yet, and it costs nothing until an index uses it.

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
