-- 0003_indexes.sql - the indexes that serve pantrycrm's queries.
--
-- Forward-only migration: once released, this file is never edited, because
-- `pantrycrm db migrate` records its checksum and refuses to run when an
-- applied file has changed. A later change (a new index, or dropping one that
-- turned out useless) goes into a new, higher-numbered file.
--
-- Rule (data-model.md section 2): every index serves a query the software
-- runs; the query is written above it, with $n placeholders. An index costs
-- every INSERT/UPDATE and the migration's bulk load, so none is here for show,
-- and none repeats what a primary key or unique constraint of 0002 already
-- indexes (User.email, Account(provider, "providerAccountId"),
-- Session."sessionToken", VerificationToken.token, Contract."contractNumber").
--
-- Conventions of the queries:
--   * Lists page by keyset, never OFFSET: the next page starts after the last
--     row shown, `WHERE (sortkey, id) > ($1, $2) ORDER BY sortkey, id LIMIT $3`.
--     Each sort key therefore ends with id, which makes the order total and
--     lets the row comparison be an index condition, so a page costs the same
--     at row 10 and at row 1,000,000. A descending sort uses `<` and
--     ORDER BY ... DESC on the same index, scanned backward.
--   * On a nullable sort column the row comparison skips NULLs (they sort
--     last), so the list goes on with `WHERE col IS NULL AND id > $1
--     ORDER BY col, id LIMIT $2`, served by the same index.
--   * The organization filters combine freely with each other and with the
--     sort. Not every combination has an index of its own: a filter with an
--     index of its own that matches the sort is served directly (e.g. priority
--     filter + updatedAt sort); otherwise the planner either walks the sort
--     index and filters, or combines the filter indexes (BitmapAnd) and sorts
--     the few rows that remain. The indexes below cover both ends.
--   * Name searches use the 'simple' text search configuration, not 'english'
--     as the seed did: names of restaurants and people are proper nouns, often
--     not English ("Los Pollos Hermanos", "Trattoria da Enzo"); 'english'
--     stems them unpredictably and drops stop words, so "The Who" has an empty
--     vector and cannot be found at all, and a prefix query for a word the user
--     is still typing fails against its stem. 'simple' only lower-cases and
--     keeps every word whole. Partial and misspelt input falls back to
--     trigrams (pg_trgm) on the lower-cased name.
--
-- `pantrycrm db migrate` runs this whole file with one PQexec inside a
-- transaction it opens itself, so the file has no transaction control of its
-- own, and builds no index concurrently (a concurrent build cannot run in a
-- transaction block).


-- ===========================================================================
-- Organization: the organizations pane (list, sorts, filters, search), the
-- dashboard, and the parent side of every CRM foreign key (its primary key).
-- ===========================================================================

-- Default list, sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE (name, id) > ($1, $2) ORDER BY name, id LIMIT $3
-- Also the index the planner walks for a non-selective filter (status = 'ACTIVE'
-- holds most rows) combined with the name sort.
CREATE INDEX "Organization_name_id_idx"
    ON "Organization" (name, id);

-- Sort by priority (A first), then name:
--   SELECT ... FROM "Organization"
--   WHERE (priority, name, id) > ($1, $2, $3) ORDER BY priority, name, id LIMIT $4
-- Filter priority, sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE priority = $1 AND (name, id) > ($2, $3) ORDER BY name, id LIMIT $4
CREATE INDEX "Organization_priority_name_id_idx"
    ON "Organization" (priority, name, id);

-- Seed's (priority, "updatedAt"). Filter priority, sorted by most recently
-- updated ("what changed among my A accounts"):
--   SELECT ... FROM "Organization"
--   WHERE priority = $1 AND ("updatedAt", id) < ($2, $3)
--   ORDER BY "updatedAt" DESC, id DESC LIMIT $4
CREATE INDEX "Organization_priority_updatedAt_id_idx"
    ON "Organization" (priority, "updatedAt", id);

-- Seed's revenue analysis (priority, "estimatedRevenue"). Filter priority,
-- sorted by estimated revenue, largest first:
--   SELECT ... FROM "Organization"
--   WHERE priority = $1 AND ("estimatedRevenue", id) < ($2, $3)
--   ORDER BY "estimatedRevenue" DESC, id DESC LIMIT $4
-- Dashboard, revenue per priority (index-only scan, no sort):
--   SELECT priority, count(*), sum("estimatedRevenue") FROM "Organization"
--   GROUP BY priority ORDER BY priority
CREATE INDEX "Organization_priority_estimatedRevenue_id_idx"
    ON "Organization" (priority, "estimatedRevenue", id);

-- Sort by segment, then name:
--   SELECT ... FROM "Organization"
--   WHERE (segment, name, id) > ($1, $2, $3) ORDER BY segment, name, id LIMIT $4
-- Filter segment, sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE segment = $1 AND (name, id) > ($2, $3) ORDER BY name, id LIMIT $4
CREATE INDEX "Organization_segment_name_id_idx"
    ON "Organization" (segment, name, id);

-- Seed's (segment, status). Dashboard, organizations per segment and status
-- (index-only scan, grouped in index order, no sort):
--   SELECT segment, status, count(*) FROM "Organization"
--   GROUP BY segment, status ORDER BY segment, status
-- Filter segment and status combined:
--   SELECT ... FROM "Organization" WHERE segment = $1 AND status = $2 ...
CREATE INDEX "Organization_segment_status_idx"
    ON "Organization" (segment, status);

-- Seed's (status, priority, name), with id for the keyset. Sort by status,
-- then priority, then name:
--   SELECT ... FROM "Organization"
--   WHERE (status, priority, name, id) > ($1, $2, $3, $4)
--   ORDER BY status, priority, name, id LIMIT $5
-- Filter status and priority, sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE status = $1 AND priority = $2 AND (name, id) > ($3, $4)
--   ORDER BY name, id LIMIT $5
CREATE INDEX "Organization_status_priority_name_id_idx"
    ON "Organization" (status, priority, name, id);

-- Seed's (status, priority, segment). Dashboard, priority x segment matrix of
-- the organizations with one status (index-only scan, no sort):
--   SELECT priority, segment, count(*) FROM "Organization"
--   WHERE status = $1 GROUP BY priority, segment ORDER BY priority, segment
-- Filter status, priority and segment combined:
--   SELECT ... FROM "Organization"
--   WHERE status = $1 AND priority = $2 AND segment = $3 ...
CREATE INDEX "Organization_status_priority_segment_idx"
    ON "Organization" (status, priority, segment);

-- Filter type (prospects or customers), sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE type = $1 AND (name, id) > ($2, $3) ORDER BY name, id LIMIT $4
CREATE INDEX "Organization_type_name_id_idx"
    ON "Organization" (type, name, id);

-- Filter state, sorted by name:
--   SELECT ... FROM "Organization"
--   WHERE state = $1 AND (name, id) > ($2, $3) ORDER BY name, id LIMIT $4
CREATE INDEX "Organization_state_name_id_idx"
    ON "Organization" (state, name, id);

-- Seed's geographic (city, state, "zipCode"), with id for the keyset.
-- Sort by city (then state, ZIP code):
--   SELECT ... FROM "Organization"
--   WHERE (city, state, "zipCode", id) > ($1, $2, $3, $4)
--   ORDER BY city, state, "zipCode", id LIMIT $5
-- Filter city and state (a city name alone is ambiguous), sorted by name;
-- the few rows of one city are sorted after the index lookup:
--   SELECT ... FROM "Organization"
--   WHERE city = $1 AND state = $2 AND (name, id) > ($3, $4)
--   ORDER BY name, id LIMIT $5
CREATE INDEX "Organization_city_state_zipCode_id_idx"
    ON "Organization" (city, state, "zipCode", id);

-- Sort by last update, most recent first (backward scan):
--   SELECT ... FROM "Organization"
--   WHERE ("updatedAt", id) < ($1, $2) ORDER BY "updatedAt" DESC, id DESC LIMIT $3
CREATE INDEX "Organization_updatedAt_id_idx"
    ON "Organization" ("updatedAt", id);

-- Seed's "nextFollowUpDate". Sort by next follow-up, soonest first:
--   SELECT ... FROM "Organization"
--   WHERE ("nextFollowUpDate", id) > ($1, $2)
--   ORDER BY "nextFollowUpDate", id LIMIT $3
-- Filter follow-up due or overdue, oldest first (also the dashboard's count):
--   SELECT ... FROM "Organization"
--   WHERE "nextFollowUpDate" <= now() AND ("nextFollowUpDate", id) > ($1, $2)
--   ORDER BY "nextFollowUpDate", id LIMIT $3
CREATE INDEX "Organization_nextFollowUpDate_id_idx"
    ON "Organization" ("nextFollowUpDate", id);

-- Seed's "lastContactDate". Dashboard, organizations gone quiet (not
-- contacted for a given time), longest silence first:
--   SELECT ... FROM "Organization"
--   WHERE "lastContactDate" < now() - $1::interval AND ("lastContactDate", id) > ($2, $3)
--   ORDER BY "lastContactDate", id LIMIT $4
CREATE INDEX "Organization_lastContactDate_id_idx"
    ON "Organization" ("lastContactDate", id);

-- Sort by estimated revenue, largest first (backward scan):
--   SELECT ... FROM "Organization"
--   WHERE ("estimatedRevenue", id) < ($1, $2)
--   ORDER BY "estimatedRevenue" DESC, id DESC LIMIT $3
CREATE INDEX "Organization_estimatedRevenue_id_idx"
    ON "Organization" ("estimatedRevenue", id);

-- Seed's email index, on lower(email): the legacy database compared text
-- case-insensitively, and lookups that found a row there must find it here.
-- Find an organization by e-mail address (search box, duplicate check on create):
--   SELECT ... FROM "Organization" WHERE lower(email) = lower($1)
CREATE INDEX "Organization_email_idx"
    ON "Organization" (lower(email));

-- Seed's full-text name search, with 'simple' (see the header). Search box,
-- whole words and prefixes of the words typed ($1 is built from them, each
-- quoted and suffixed with :*, e.g. 'bella:* & cuc:*'):
--   SELECT ... FROM "Organization"
--   WHERE to_tsvector('simple', name) @@ to_tsquery('simple', $1)
--   ORDER BY ts_rank(to_tsvector('simple', name), to_tsquery('simple', $1)) DESC,
--            name, id LIMIT $2
CREATE INDEX "Organization_name_fts_idx"
    ON "Organization" USING gin (to_tsvector('simple', name));

-- Trigram fallback when full text finds nothing: any fragment of the name
-- ($1 is the input with %, _ and \ escaped), and misspelt names by similarity:
--   SELECT ... FROM "Organization"
--   WHERE lower(name) LIKE '%' || lower($1) || '%' ORDER BY name, id LIMIT $2
--   SELECT ... FROM "Organization"
--   WHERE lower(name) % lower($1)
--   ORDER BY similarity(lower(name), lower($1)) DESC, name, id LIMIT $2
CREATE INDEX "Organization_name_trgm_idx"
    ON "Organization" USING gin (lower(name) gin_trgm_ops);


-- ===========================================================================
-- Contact: the contacts pane, and the contacts of an organization.
-- ===========================================================================

-- Contacts pane, sorted by last name, first name:
--   SELECT ... FROM "Contact"
--   WHERE ("lastName", "firstName", id) > ($1, $2, $3)
--   ORDER BY "lastName", "firstName", id LIMIT $4
CREATE INDEX "Contact_lastName_firstName_id_idx"
    ON "Contact" ("lastName", "firstName", id);

-- Seed's ("organizationId", "isPrimary"). The primary contact of an
-- organization (detail view header; unsetting the old one when another
-- becomes primary):
--   SELECT ... FROM "Contact" WHERE "organizationId" = $1 AND "isPrimary"
-- Leading "organizationId": also what ON DELETE CASCADE from "Organization"
-- uses to find the contacts to delete.
CREATE INDEX "Contact_organizationId_isPrimary_idx"
    ON "Contact" ("organizationId", "isPrimary");

-- Seed's ("organizationId", "createdAt"). Contacts pane filtered by
-- organization, and the detail view's contacts tab, in the order they were added:
--   SELECT ... FROM "Contact"
--   WHERE "organizationId" = $1 AND ("createdAt", id) > ($2, $3)
--   ORDER BY "createdAt", id LIMIT $4
CREATE INDEX "Contact_organizationId_createdAt_id_idx"
    ON "Contact" ("organizationId", "createdAt", id);

-- Seed's ("organizationId", position). Who holds a role at an organization
-- (the chef, the buyer), from the detail view:
--   SELECT ... FROM "Contact" WHERE "organizationId" = $1 AND position = $2
CREATE INDEX "Contact_organizationId_position_idx"
    ON "Contact" ("organizationId", position);

-- Seed's full-name search, with 'simple' (see the header):
--   SELECT ... FROM "Contact"
--   WHERE to_tsvector('simple', "firstName" || ' ' || "lastName")
--         @@ to_tsquery('simple', $1)
--   ORDER BY "lastName", "firstName", id LIMIT $2
CREATE INDEX "Contact_name_fts_idx"
    ON "Contact" USING gin (to_tsvector('simple', "firstName" || ' ' || "lastName"));

-- Trigram fallback for fragments and misspellings of a full name:
--   SELECT ... FROM "Contact"
--   WHERE lower("firstName" || ' ' || "lastName") LIKE '%' || lower($1) || '%'
--   ORDER BY "lastName", "firstName", id LIMIT $2
--   SELECT ... FROM "Contact"
--   WHERE lower("firstName" || ' ' || "lastName") % lower($1)
--   ORDER BY similarity(lower("firstName" || ' ' || "lastName"), lower($1)) DESC LIMIT $2
CREATE INDEX "Contact_name_trgm_idx"
    ON "Contact" USING gin (lower("firstName" || ' ' || "lastName") gin_trgm_ops);

-- Seed's email index, on lower(email) as for organizations. Find a contact by
-- e-mail address (search box; who sent this mail):
--   SELECT ... FROM "Contact" WHERE lower(email) = lower($1)
CREATE INDEX "Contact_email_idx"
    ON "Contact" (lower(email));


-- ===========================================================================
-- Interaction: timelines in the detail views, the weekly activity chart.
-- ===========================================================================

-- Detail view of an organization, latest interactions first:
--   SELECT ... FROM "Interaction"
--   WHERE "organizationId" = $1 AND (date, id) < ($2, $3)
--   ORDER BY date DESC, id DESC LIMIT $4
-- Also serves ON DELETE CASCADE from "Organization".
CREATE INDEX "Interaction_organizationId_date_id_idx"
    ON "Interaction" ("organizationId", date DESC, id DESC);

-- Detail view of a contact, latest interactions first:
--   SELECT ... FROM "Interaction"
--   WHERE "contactId" = $1 AND (date, id) < ($2, $3)
--   ORDER BY date DESC, id DESC LIMIT $4
-- Also serves ON DELETE SET NULL from "Contact".
CREATE INDEX "Interaction_contactId_date_id_idx"
    ON "Interaction" ("contactId", date DESC, id DESC);

-- A user's own activity, latest first:
--   SELECT ... FROM "Interaction"
--   WHERE "userId" = $1 AND (date, id) < ($2, $3)
--   ORDER BY date DESC, id DESC LIMIT $4
-- Also serves ON DELETE SET NULL / ON UPDATE CASCADE from "User".
CREATE INDEX "Interaction_userId_date_id_idx"
    ON "Interaction" ("userId", date DESC, id DESC);

-- Dashboard, interactions per week over a date range (a range scan of the
-- weeks shown, not of all history):
--   SELECT date_trunc('week', date, 'UTC') AS week, count(*) FROM "Interaction"
--   WHERE date >= $1 AND date < $2 GROUP BY week ORDER BY week
CREATE INDEX "Interaction_date_idx"
    ON "Interaction" (date);


-- ===========================================================================
-- Opportunity: the organization's deals, the pipeline chart.
-- ===========================================================================

-- Detail view of an organization, its opportunities by stage:
--   SELECT ... FROM "Opportunity" WHERE "organizationId" = $1 ORDER BY stage
-- Also serves ON DELETE CASCADE from "Organization".
CREATE INDEX "Opportunity_organizationId_stage_idx"
    ON "Opportunity" ("organizationId", stage);

-- Detail view of a contact, its opportunities:
--   SELECT ... FROM "Opportunity" WHERE "contactId" = $1
-- Also serves ON DELETE SET NULL from "Contact".
CREATE INDEX "Opportunity_contactId_idx"
    ON "Opportunity" ("contactId");

-- Dashboard, the pipeline: open deals and their value per stage, answered
-- from the index alone (index-only scan, value carried as payload):
--   SELECT stage, count(*), sum(value) FROM "Opportunity"
--   WHERE "isActive" GROUP BY stage ORDER BY stage
CREATE INDEX "Opportunity_stage_isActive_idx"
    ON "Opportunity" (stage, "isActive") INCLUDE (value);


-- ===========================================================================
-- Lead
-- ===========================================================================

-- Detail view of an organization, its leads:
--   SELECT ... FROM "Lead" WHERE "organizationId" = $1 ORDER BY "createdAt" DESC
-- Also serves ON DELETE SET NULL from "Organization".
CREATE INDEX "Lead_organizationId_idx"
    ON "Lead" ("organizationId");

-- A user's leads in one status ("my new leads"):
--   SELECT ... FROM "Lead" WHERE "assignedToId" = $1 AND status = $2
--   ORDER BY "createdAt" DESC
-- Also serves ON DELETE SET NULL / ON UPDATE CASCADE from "User".
CREATE INDEX "Lead_assignedToId_status_idx"
    ON "Lead" ("assignedToId", status);

-- Dashboard, leads by status and source (index-only scan, no sort):
--   SELECT status, source, count(*) FROM "Lead"
--   GROUP BY status, source ORDER BY status, source
CREATE INDEX "Lead_status_source_idx"
    ON "Lead" (status, source);


-- ===========================================================================
-- Contract
-- ===========================================================================

-- Detail view of an organization, its contracts:
--   SELECT ... FROM "Contract" WHERE "organizationId" = $1 ORDER BY "startDate" DESC
-- Also serves ON DELETE CASCADE from "Organization".
CREATE INDEX "Contract_organizationId_idx"
    ON "Contract" ("organizationId");

-- Detail view of a contact, its contracts:
--   SELECT ... FROM "Contract" WHERE "contactId" = $1
-- Also serves ON DELETE SET NULL from "Contact".
CREATE INDEX "Contract_contactId_idx"
    ON "Contract" ("contactId");

-- The contract an opportunity became, shown with the opportunity in the
-- organization's detail view:
--   SELECT ... FROM "Contract" WHERE "opportunityId" = $1
-- Also serves ON DELETE SET NULL from "Opportunity".
CREATE INDEX "Contract_opportunityId_idx"
    ON "Contract" ("opportunityId");

-- Dashboard, active contracts expiring within a period, soonest first:
--   SELECT ... FROM "Contract"
--   WHERE status = 'ACTIVE' AND "endDate" >= now() AND "endDate" < now() + $1::interval
--   ORDER BY "endDate" LIMIT $2
CREATE INDEX "Contract_status_endDate_idx"
    ON "Contract" (status, "endDate");


-- ===========================================================================
-- Authentication tables
-- ===========================================================================

-- Users who can be assigned a lead (the assignee picker), and the admin list
-- filtered by role:
--   SELECT id, name FROM "User" WHERE role = $1 AND "isActive" ORDER BY name
CREATE INDEX "User_role_isActive_idx"
    ON "User" (role, "isActive");

-- A user's linked sign-in providers:
--   SELECT provider FROM "Account" WHERE "userId" = $1
-- Also serves ON DELETE CASCADE / ON UPDATE CASCADE from "User".
CREATE INDEX "Account_userId_idx"
    ON "Account" ("userId");

-- Sign a user out everywhere (account disabled, password reset):
--   DELETE FROM "Session" WHERE "userId" = $1
-- Also serves ON DELETE CASCADE / ON UPDATE CASCADE from "User".
CREATE INDEX "Session_userId_idx"
    ON "Session" ("userId");

-- Periodic cleanup of expired sessions:
--   DELETE FROM "Session" WHERE expires < now()
CREATE INDEX "Session_expires_idx"
    ON "Session" (expires);
