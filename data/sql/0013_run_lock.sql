-- 0013_run_lock.sql - the lock that keeps two migrate, replay or sync runs
-- off one target, as a leased row (src/runlock.c).
--
-- A session-level advisory lock stays with a pooled server connection
-- (PgBouncer in transaction mode) after the process that took it is gone,
-- and then refuses every later run. A row is visible to every connection,
-- names its holder, and expires: its holder renews the lease while it runs,
-- and a run finding it lapsed (or its holder dead on the same host) takes it.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE TABLE migration.run_lock (
    id          int PRIMARY KEY CHECK (id = 1),
    holder      text NOT NULL,
    host        text NOT NULL,
    pid         int NOT NULL,
    purpose     text NOT NULL,
    taken_at    timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz NOT NULL
);
COMMENT ON TABLE migration.run_lock IS
    'pantrycrm: the one running migrate, quarantine replay or sync of this target, and its lease';
