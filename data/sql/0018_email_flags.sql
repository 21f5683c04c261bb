-- 0018_email_flags.sql - the rows whose malformed e-mail address migrate
-- kept as the legacy database held it and flagged in
-- metadata.flags.email ({"reason": "email_malformed", "value": ...}), so
-- that the console can list them for someone to fix (":filter
-- email=flagged", src/crm/browse_filter.c).
--
-- Why partial indexes: such rows are a few hundred among a million, and the
-- filter combines with every sort of the pane. Without these the page query
-- walks the sort's index and reads the whole table to find them; with them
-- it reads the flagged rows (the index holds nothing else) and sorts those.
-- A row whose address was fixed keeps matching the predicate until its
-- flag is removed (the console's form removes it); the page query checks
-- that the flag's value still equals the address, so it is not listed.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- Organizations with a flagged address, in any sort:
--   SELECT ... FROM "Organization" o WHERE o.metadata -> 'flags' ? 'email'
--   AND o.metadata #>> '{flags,email,value}' = o.email AND (o.name, o.id) > ($1, $2)
--   ORDER BY o.name, o.id LIMIT $3
CREATE INDEX "Organization_email_flagged_idx"
    ON "Organization" (id) WHERE metadata -> 'flags' ? 'email';

-- Contacts with a flagged address, in any sort:
--   SELECT ... FROM "Contact" c WHERE c.metadata -> 'flags' ? 'email'
--   AND c.metadata #>> '{flags,email,value}' = c.email AND (c."lastName", c.id) > ($1, $2)
--   ORDER BY c."lastName", c.id LIMIT $3
CREATE INDEX "Contact_email_flagged_idx"
    ON "Contact" (id) WHERE metadata -> 'flags' ? 'email';
