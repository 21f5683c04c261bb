-- 0005_console_indexes.sql - indexes the console's benchmark asked for at
-- S = 1,000,000 organizations (3,000,000 contacts): each turns a filter or a
-- sort that scanned and sorted a large part of a table (15-70 x a primary-key
-- round trip) into one index range read in order.
--
-- Forward-only like every file here: 0003 is never edited.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- Filter state, sorted by city (then ZIP code). Without it the planner walks
-- the whole (city, state, ...) index skipping the other states:
--   SELECT ... FROM "Organization"
--   WHERE state = $1 AND (city, state, "zipCode", id) > ($2, $1, $3, $4)
--   ORDER BY city, state, "zipCode", id LIMIT $5
CREATE INDEX "Organization_state_city_zipCode_id_idx"
    ON "Organization" (state, city, "zipCode", id);

-- Filter state and city, sorted by name. A big city holds tens of thousands
-- of organizations at this scale, too many to sort after the lookup:
--   SELECT ... FROM "Organization"
--   WHERE state = $1 AND city = $2 AND (name, id) > ($3, $4)
--   ORDER BY name, id LIMIT $5
CREATE INDEX "Organization_state_city_name_id_idx"
    ON "Organization" (state, city, name, id);

-- Contacts pane sorted by e-mail address:
--   SELECT ... FROM "Contact"
--   WHERE (email, id) > ($1, $2) ORDER BY email, id LIMIT $3
CREATE INDEX "Contact_email_id_idx"
    ON "Contact" (email, id);

-- Contacts pane sorted by last update, most recent first (backward scan):
--   SELECT ... FROM "Contact"
--   WHERE ("updatedAt", id) < ($1, $2) ORDER BY "updatedAt" DESC, id DESC LIMIT $3
CREATE INDEX "Contact_updatedAt_id_idx"
    ON "Contact" ("updatedAt", id);

-- Contacts pane sorted by creation, without the organization filter (the
-- filtered case uses Contact_organizationId_createdAt_id_idx):
--   SELECT ... FROM "Contact"
--   WHERE ("createdAt", id) > ($1, $2) ORDER BY "createdAt", id LIMIT $3
CREATE INDEX "Contact_createdAt_id_idx"
    ON "Contact" ("createdAt", id);
