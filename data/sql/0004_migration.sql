-- 0004_migration.sql: the migration engine's own bookkeeping in the target.
--
-- Forward-only: never edit this file once released; add a new one.
--
-- The target is the truth about what was migrated: every batch of rows is
-- committed in the same transaction as its checkpoint here, so a crash at
-- any moment loses or duplicates nothing. The local SQLite state file only
-- caches this for the console.

CREATE SCHEMA migration;
COMMENT ON SCHEMA migration IS 'pantrycrm migration engine: runs, checkpoints, quarantine';

-- One row per `pantrycrm migrate` invocation (a resumed run is a new run
-- that continues the same checkpoints).
CREATE TABLE migration.run (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL,                 -- locator, never with a password
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
    options     jsonb NOT NULL DEFAULT '{}'
);

-- The resume point of each table: the last source key whose batch is
-- committed, with the running totals. Updated in every batch transaction.
CREATE TABLE migration.checkpoint (
    table_name       text PRIMARY KEY,
    run_id           bigint NOT NULL REFERENCES migration.run (id),
    last_key         bytea,                     -- source bytes; NULL: nothing committed yet
    rows_read        bigint NOT NULL DEFAULT 0,
    rows_migrated    bigint NOT NULL DEFAULT 0,
    rows_quarantined bigint NOT NULL DEFAULT 0,
    bytes            bigint NOT NULL DEFAULT 0,
    repairs          jsonb NOT NULL DEFAULT '{}',  -- {"column:reason": count}
    seconds          double precision NOT NULL DEFAULT 0,
    done             boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (rows_read = rows_migrated + rows_quarantined)
);

-- Every source row that could not be migrated, with why and its original
-- values, so nothing is lost and `pantrycrm quarantine replay` can retry it.
CREATE TABLE migration.quarantine (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES migration.run (id),
    table_name  text NOT NULL,
    source_key  text NOT NULL,
    target_key  text,                           -- the id it would have had, when known
    column_name text,                           -- NULL when the row as a whole failed
    reason      text NOT NULL,                  -- a code: enum_unmatched, fk_orphan, …
    detail      text NOT NULL DEFAULT '',
    original    jsonb NOT NULL,                 -- the source row, column by column
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,                    -- set when a replay migrated it
    accepted_at timestamptz,                    -- set when the operator accepts the loss
    UNIQUE (table_name, source_key)
);
-- quarantine list: SELECT … WHERE resolved_at IS NULL ORDER BY table_name, reason
CREATE INDEX quarantine_open_idx ON migration.quarantine (table_name, reason)
    WHERE resolved_at IS NULL;
-- a child whose parent is missing: is the parent quarantined?
--   SELECT 1 FROM migration.quarantine WHERE table_name = $1 AND target_key = $2
CREATE INDEX quarantine_target_key_idx ON migration.quarantine (table_name, target_key);

-- Indexes and foreign keys dropped to load empty tables fast, with the DDL
-- to put them back; the engine recreates them after the data, also after a
-- crash (a row here means "still to rebuild").
CREATE TABLE migration.deferred_ddl (
    name       text PRIMARY KEY,
    table_name text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('index', 'fk')),
    ddl        text NOT NULL
);

-- The moment the operator switched the application over; once recorded,
-- rollback refuses.
CREATE TABLE migration.cutover (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    committed_at timestamptz NOT NULL DEFAULT now(),
    report       jsonb NOT NULL DEFAULT '{}'
);
