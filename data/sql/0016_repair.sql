-- 0016_repair.sql - the original of every value the migration repaired in
-- a table that has no metadata column to keep it in, and of its extra
-- source columns.
--
-- Why: the CRM tables keep a repaired value's original bytes in their row's
-- metadata.legacy, but the auth tables (User, Account, Session,
-- VerificationToken) have no such column. A NUL or invalid UTF-8 in, say,
-- User.name used to send the whole row to the quarantine, and with it every
-- child pointing at it (one user cost 1,720 Interactions, 63 Leads, an
-- Account and two Sessions). Now the value is repaired by the same rule as
-- elsewhere and its original is kept here, written in the same transaction
-- as the batch that loaded the row, so a crash keeps exactly-once. The
-- values of a source column the legacy contract does not know, which the
-- CRM tables keep in metadata.extra, are kept here too (reason
-- extra_column) instead of refusing to migrate such a table.
--
-- Keyed by table, source key and column (not by run): a resumed or repeated
-- load, a quarantine replay and sync upsert the same row, so each repaired
-- value has one entry, naming the run that last wrote it.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE TABLE migration.repair (
    run_id      bigint NOT NULL REFERENCES migration.run (id),
    table_name  text NOT NULL,
    source_key  text NOT NULL,
    column_name text NOT NULL,
    reason      text NOT NULL,     -- text_nul, text_lone_surrogate, text_invalid_utf8,
                                   -- extra_column (a source column the contract lacks)
    original    jsonb NOT NULL,    -- the source bytes: a string, or {"hex": "…"}
    repaired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, source_key, column_name)
);
COMMENT ON TABLE migration.repair IS
    'originals of values repaired in tables without a metadata column';
