-- 0012_fallback.sql: capture of the application's changes after the cutover,
-- for the fallback to the legacy SQL Server (pantrycrm fallback) and the
-- record of a rollback.
--
-- Forward-only: never edit this file once released; add a new one.
--
-- Why triggers into a change table and not logical decoding: the capture must
-- start in the very transaction that records the cutover (a replication slot
-- is created outside any transaction, so changes could slip between the two);
-- it must work on Azure Flexible Server without raising wal_level to logical
-- (a server restart) or granting REPLICATION; and a stopped fallback must not
-- make the server keep WAL without bound (a slot pins WAL, a table only
-- grows by the keys of the rows the application touched). The price is one
-- small insert per changed row in the application's own transaction; the
-- log keeps only table and key, and the fallback reads the current row, as
-- the forward sync does, so the log is cheap and the apply idempotent.

-- One row per changed key; the fallback deletes the rows it has applied.
CREATE TABLE migration.fallback_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    row_key    text NOT NULL,
    legacy_id  jsonb,                        -- a deleted row's metadata.legacy.id
    logged_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE migration.fallback_log IS
    'pantrycrm fallback: keys the application changed since the cutover, not yet applied to the legacy database';

-- The fallback as a whole (one row, written by cutover --commit and by every round).
CREATE TABLE migration.fallback (
    id             int PRIMARY KEY CHECK (id = 1),
    installed_at   timestamptz NOT NULL DEFAULT now(),
    source         text,                         -- locator of the legacy database, no password
    rounds         bigint NOT NULL DEFAULT 0,
    applied        bigint NOT NULL DEFAULT 0,    -- keys applied over all rounds
    last_round_at  timestamptz,
    last_changes   bigint NOT NULL DEFAULT 0,
    last_rate      double precision NOT NULL DEFAULT 0,
    last_write_at  timestamptz,                  -- newest application change applied
    errors         bigint NOT NULL DEFAULT 0,
    last_error     text,
    removed_at     timestamptz                   -- capture taken off (rollback)
);

-- Rows the legacy schema cannot hold (too long, out of range): the row stays
-- out of the legacy database until it changes again in PostgreSQL.
CREATE TABLE migration.fallback_quarantine (
    table_name  text NOT NULL,
    row_key     text NOT NULL,
    column_name text,
    reason      text NOT NULL,
    detail      text,
    upto_log_id bigint NOT NULL,                 -- log entries up to it are settled by this row
    logged_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    PRIMARY KEY (table_name, row_key, upto_log_id)
);

-- The switch back to the legacy database.
CREATE TABLE migration.rollback (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rolled_back_at timestamptz NOT NULL DEFAULT now(),
    report         jsonb NOT NULL DEFAULT '{}'
);

-- Whether the target is the system of record: a cutover not followed by a rollback.
CREATE FUNCTION migration.cut_over() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM migration.cutover c
                   WHERE c.committed_at > coalesce((SELECT max(rolled_back_at) FROM migration.rollback),
                                                   '-infinity'))
$$;

-- The capture triggers and their functions, one per table, are created by
-- cutover --commit (src/fallback.c) in the transaction that records the
-- cutover: each logs the changed key (and for a deleted row the legacy id it
-- came from) and skips the transactions the forward sync marks as its own
-- (pantrycrm.origin = 'sync'), whose rows came from the legacy database.
