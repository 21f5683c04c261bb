-- 0006_sync.sql: the Change Tracking sync's own bookkeeping in the target.
--
-- Forward-only: never edit this file once released; add a new one.
--
-- Like the full load's checkpoints, the sync keeps its position in the
-- target: the version up to which a table's changes are applied is updated
-- in the same transaction as the changes themselves, so a crash at any
-- moment neither loses nor double-applies a round.

-- One row per tracked table.
CREATE TABLE migration.sync (
    table_name       text PRIMARY KEY,
    baseline_version bigint NOT NULL,            -- V0: taken before the full load started
    applied_version  bigint NOT NULL,            -- every change up to it is in the target
    applied_at       timestamptz NOT NULL DEFAULT now(),
    upserts          bigint NOT NULL DEFAULT 0,  -- totals over all rounds
    deletes          bigint NOT NULL DEFAULT 0,
    quarantined      bigint NOT NULL DEFAULT 0,
    reinit_needed_at timestamptz,                -- changes were cleaned up past applied_version
    reinit_at        timestamptz                 -- last re-copy of the whole table
);
COMMENT ON TABLE migration.sync IS 'pantrycrm sync: applied change version per table';

-- What the sync last saw of the source as a whole (one row): the cutover
-- gate reads how long the source has been quiet from it.
CREATE TABLE migration.sync_source (
    id               int PRIMARY KEY CHECK (id = 1),
    source           text NOT NULL,              -- locator, never with a password
    version          bigint NOT NULL,            -- the source's current change version
    version_seen_at  timestamptz NOT NULL,       -- when a round first saw that version
    last_round_at    timestamptz NOT NULL,
    rounds           bigint NOT NULL DEFAULT 0,
    last_changes     bigint NOT NULL DEFAULT 0,  -- changes applied by the last round
    last_rate        double precision NOT NULL DEFAULT 0  -- its changes per second
);
