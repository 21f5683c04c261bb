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
-- 0002_core_schema.sql - enums and tables of the pantrycrm target schema.
--
-- Forward-only migration: once released, this file is never edited, because
-- `pantrycrm db migrate` records its checksum and refuses to run when an
-- applied file has changed. A later change goes into a new, higher-numbered file.
--
-- The contract is shared/spec/data-model.md, section 2: the seed's Drizzle
-- schema, with quoted PascalCase table names and camelCase column names kept
-- verbatim from the legacy Prisma database (so that the names the old
-- application, the migration engine and people know keep working), with two
-- deliberate departures that lose no data (see the COMMENTs below):
-- "estimatedRevenue" is double precision, not real, and the value columns
-- are numeric(14,2).
--
-- Type choices, applied throughout:
--   NVARCHAR(n)/NVARCHAR(MAX) -> text: PostgreSQL text has no length penalty,
--       and a length limit would only reject legacy data the source accepted.
--   DATETIME2 (UTC)           -> timestamptz, so no value depends on a session
--       time zone.
--   BIT -> boolean, INT -> integer, DECIMAL(14,2) -> numeric(14,2).
--   Every column NOT NULL unless the contract marks it with `?`.
-- Foreign keys that may be NULL use ON DELETE SET NULL, so deleting a parent
-- never fails because of a row that only mentions it; the mandatory ones to an
-- organization or a user cascade, as in the source. All are ON UPDATE CASCADE
-- as Prisma made them, so correcting a user's text id carries through.
--
-- `pantrycrm db migrate` runs this whole file with one PQexec inside a
-- transaction it opens itself, so the file has no transaction control of
-- its own. The indexes that serve the console's queries are in
-- 0003_indexes.sql; this file only has those that primary keys and unique
-- constraints imply.


-- ---------------------------------------------------------------------------
-- Enums. The legacy database stored these as free strings; the migration
-- normalises them (data-model.md section 3). The order of the values is the
-- order ORDER BY uses, so it is part of the contract: A before D, the
-- pipeline stages in the order a deal moves through them.
-- ---------------------------------------------------------------------------

CREATE TYPE "OrganizationPriority" AS ENUM ('A', 'B', 'C', 'D');

CREATE TYPE "OrganizationSegment" AS ENUM (
    'FINE_DINING', 'FAST_FOOD', 'CASUAL_DINING', 'CATERING',
    'INSTITUTIONAL', 'HEALTHCARE', 'EDUCATION', 'CORPORATE'
);

CREATE TYPE "OrganizationType" AS ENUM ('PROSPECT', 'CUSTOMER', 'INACTIVE');

CREATE TYPE "OrganizationStatus" AS ENUM ('ACTIVE', 'INACTIVE', 'LEAD');

CREATE TYPE "InteractionType" AS ENUM (
    'CALL', 'EMAIL', 'MEETING', 'VISIT', 'SAMPLE_DELIVERY', 'TASTING',
    'FOLLOW_UP', 'OTHER'
);

CREATE TYPE "InteractionOutcome" AS ENUM (
    'POSITIVE', 'NEUTRAL', 'NEGATIVE', 'FOLLOW_UP_NEEDED'
);

CREATE TYPE "OpportunityStage" AS ENUM (
    'PROSPECTING', 'QUALIFICATION', 'PROPOSAL', 'NEGOTIATION',
    'CLOSED_WON', 'CLOSED_LOST'
);

CREATE TYPE "LeadSource" AS ENUM (
    'WEBSITE', 'REFERRAL', 'TRADE_SHOW', 'COLD_CALL', 'SOCIAL_MEDIA', 'OTHER'
);

CREATE TYPE "LeadStatus" AS ENUM (
    'NEW', 'CONTACTED', 'QUALIFIED', 'CONVERTED', 'LOST'
);

CREATE TYPE "ContractStatus" AS ENUM (
    'DRAFT', 'PENDING', 'ACTIVE', 'EXPIRED', 'TERMINATED'
);


-- ---------------------------------------------------------------------------
-- Authentication (NextAuth's tables). Their cuid text ids are kept verbatim:
-- sessions, accounts and tokens issued by the old application stay valid.
-- ---------------------------------------------------------------------------

CREATE TABLE "User" (
    id                  text        NOT NULL,
    name                text,
    email               text        NOT NULL,
    "emailVerified"     timestamptz,
    image               text,
    password            text,
    role                text        NOT NULL DEFAULT 'user',
    "isActive"          boolean     NOT NULL DEFAULT true,
    "lastLoginAt"       timestamptz,
    "resetToken"        text,
    "resetTokenExpiry"  timestamptz,
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "User_pkey" PRIMARY KEY (id),
    CONSTRAINT "User_email_key" UNIQUE (email)
);

CREATE TABLE "Account" (
    id                  text        NOT NULL,
    "userId"            text        NOT NULL,
    type                text        NOT NULL,
    provider            text        NOT NULL,
    "providerAccountId" text        NOT NULL,
    refresh_token       text,
    access_token        text,
    expires_at          integer,
    token_type          text,
    scope               text,
    id_token            text,
    session_state       text,
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Account_pkey" PRIMARY KEY (id),
    -- One local account per identity at a provider; sign-in looks it up by
    -- this pair, and the unique index serves that lookup.
    CONSTRAINT "Account_provider_providerAccountId_key" UNIQUE (provider, "providerAccountId"),
    CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId")
        REFERENCES "User" (id) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE "Session" (
    id                  text        NOT NULL,
    "sessionToken"      text        NOT NULL,
    "userId"            text        NOT NULL,
    expires             timestamptz NOT NULL,
    CONSTRAINT "Session_pkey" PRIMARY KEY (id),
    CONSTRAINT "Session_sessionToken_key" UNIQUE ("sessionToken"),
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId")
        REFERENCES "User" (id) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE "VerificationToken" (
    identifier          text        NOT NULL,
    token               text        NOT NULL,
    expires             timestamptz NOT NULL,
    -- The source has no id column; its unique (identifier, token) pair is the
    -- natural key, and a token alone is unique too (it is looked up by itself).
    CONSTRAINT "VerificationToken_pkey" PRIMARY KEY (identifier, token),
    CONSTRAINT "VerificationToken_token_key" UNIQUE (token)
);


-- ---------------------------------------------------------------------------
-- CRM. uuid ids (data-model.md: a legacy UUID keeps its value, any other
-- legacy id maps to a deterministic version-5 UUID), and a jsonb "metadata"
-- object for data that has no column yet, always an object so that code can
-- read keys from it without first checking its shape.
-- ---------------------------------------------------------------------------

CREATE TABLE "Organization" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    name                text        NOT NULL,
    priority            "OrganizationPriority" NOT NULL,
    segment             "OrganizationSegment"  NOT NULL,
    type                "OrganizationType"     NOT NULL DEFAULT 'PROSPECT',
    address             text,
    city                text,
    state               text,
    "zipCode"           text,
    phone               text,
    email               text,
    website             text,
    notes               text,
    "estimatedRevenue"  double precision,
    "employeeCount"     integer,
    "primaryContact"    text,
    "lastContactDate"   timestamptz,
    "nextFollowUpDate"  timestamptz,
    status              "OrganizationStatus"   NOT NULL DEFAULT 'ACTIVE',
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Organization_pkey" PRIMARY KEY (id),
    -- A blank name cannot be found, sorted or told apart in the console.
    CONSTRAINT "Organization_name_not_blank_check" CHECK (btrim(name) <> ''),
    CONSTRAINT "Organization_estimatedRevenue_nonnegative_check"
        CHECK ("estimatedRevenue" >= 0),
    CONSTRAINT "Organization_employeeCount_nonnegative_check"
        CHECK ("employeeCount" >= 0),
    CONSTRAINT "Organization_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE "Contact" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    "firstName"         text        NOT NULL,
    "lastName"          text        NOT NULL,
    email               text,
    phone               text,
    position            text,
    "isPrimary"         boolean     NOT NULL DEFAULT false,
    notes               text,
    "organizationId"    uuid        NOT NULL,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Contact_pkey" PRIMARY KEY (id),
    CONSTRAINT "Contact_organizationId_fkey" FOREIGN KEY ("organizationId")
        REFERENCES "Organization" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT "Contact_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE "Interaction" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    type                "InteractionType"    NOT NULL,
    subject             text        NOT NULL,
    description         text,
    date                timestamptz NOT NULL,
    duration            integer,
    outcome             "InteractionOutcome",
    "nextAction"        text,
    "organizationId"    uuid        NOT NULL,
    "contactId"         uuid,
    "userId"            text,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Interaction_pkey" PRIMARY KEY (id),
    CONSTRAINT "Interaction_organizationId_fkey" FOREIGN KEY ("organizationId")
        REFERENCES "Organization" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT "Interaction_contactId_fkey" FOREIGN KEY ("contactId")
        REFERENCES "Contact" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    -- A departed user's history stays with the organization.
    CONSTRAINT "Interaction_userId_fkey" FOREIGN KEY ("userId")
        REFERENCES "User" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    -- Minutes; a negative length is a typing error, not a fact.
    CONSTRAINT "Interaction_duration_nonnegative_check" CHECK (duration >= 0),
    CONSTRAINT "Interaction_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE "Opportunity" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    name                text        NOT NULL,
    "organizationId"    uuid        NOT NULL,
    "contactId"         uuid,
    stage               "OpportunityStage" NOT NULL,
    value               numeric(14,2),
    probability         integer,
    "expectedCloseDate" timestamptz,
    notes               text,
    "isActive"          boolean     NOT NULL DEFAULT true,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Opportunity_pkey" PRIMARY KEY (id),
    CONSTRAINT "Opportunity_organizationId_fkey" FOREIGN KEY ("organizationId")
        REFERENCES "Organization" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT "Opportunity_contactId_fkey" FOREIGN KEY ("contactId")
        REFERENCES "Contact" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    -- A percentage: the pipeline's weighted value is value * probability / 100.
    CONSTRAINT "Opportunity_probability_range_check"
        CHECK (probability BETWEEN 0 AND 100),
    CONSTRAINT "Opportunity_value_nonnegative_check" CHECK (value >= 0),
    CONSTRAINT "Opportunity_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE "Lead" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    "companyName"       text        NOT NULL,
    "contactName"       text,
    email               text,
    phone               text,
    source              "LeadSource" NOT NULL,
    status              "LeadStatus" NOT NULL,
    score               integer,
    notes               text,
    "organizationId"    uuid,
    "assignedToId"      text,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Lead_pkey" PRIMARY KEY (id),
    -- A lead outlives the organization it was matched to, and its assignee.
    CONSTRAINT "Lead_organizationId_fkey" FOREIGN KEY ("organizationId")
        REFERENCES "Organization" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    CONSTRAINT "Lead_assignedToId_fkey" FOREIGN KEY ("assignedToId")
        REFERENCES "User" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    CONSTRAINT "Lead_score_range_check" CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT "Lead_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE "Contract" (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    "contractNumber"    text        NOT NULL,
    title               text,
    "organizationId"    uuid        NOT NULL,
    "contactId"         uuid,
    "opportunityId"     uuid,
    status              "ContractStatus" NOT NULL,
    "startDate"         timestamptz NOT NULL,
    "endDate"           timestamptz,
    value               numeric(14,2) NOT NULL,
    terms               text,
    "signedAt"          timestamptz,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    "createdAt"         timestamptz NOT NULL DEFAULT now(),
    "updatedAt"         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "Contract_pkey" PRIMARY KEY (id),
    CONSTRAINT "Contract_contractNumber_key" UNIQUE ("contractNumber"),
    CONSTRAINT "Contract_organizationId_fkey" FOREIGN KEY ("organizationId")
        REFERENCES "Organization" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT "Contract_contactId_fkey" FOREIGN KEY ("contactId")
        REFERENCES "Contact" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    -- A signed contract outlives the opportunity it came from.
    CONSTRAINT "Contract_opportunityId_fkey" FOREIGN KEY ("opportunityId")
        REFERENCES "Opportunity" (id) ON UPDATE CASCADE ON DELETE SET NULL,
    -- An open-ended contract has no end date; NULL passes the check.
    CONSTRAINT "Contract_endDate_after_startDate_check"
        CHECK ("endDate" >= "startDate"),
    CONSTRAINT "Contract_value_nonnegative_check" CHECK (value >= 0),
    CONSTRAINT "Contract_metadata_object_check"
        CHECK (jsonb_typeof(metadata) = 'object')
);


-- ---------------------------------------------------------------------------
-- Catalog comments: what \d+ and the console's schema view show.
-- ---------------------------------------------------------------------------

COMMENT ON TABLE "User" IS
    'People who sign in (NextAuth). Text cuid ids kept verbatim from the legacy database.';
COMMENT ON TABLE "Account" IS
    'A user''s identity at an OAuth provider (NextAuth); deleted with its user.';
COMMENT ON TABLE "Session" IS
    'Signed-in browser sessions (NextAuth); deleted with their user, expired ones purged by expires.';
COMMENT ON TABLE "VerificationToken" IS
    'One-time sign-in and e-mail verification tokens (NextAuth); no id column, keyed by (identifier, token).';
COMMENT ON TABLE "Organization" IS
    'Restaurants, caterers and institutions the company sells to; the root of the CRM data.';
COMMENT ON TABLE "Contact" IS
    'People at an organization; deleted with their organization.';
COMMENT ON TABLE "Interaction" IS
    'Calls, visits, tastings and other touches with an organization, newest first in the console.';
COMMENT ON TABLE "Opportunity" IS
    'Possible sales to an organization, moving through the stages of "OpportunityStage".';
COMMENT ON TABLE "Lead" IS
    'Prospects not yet (or not necessarily) matched to an organization; kept when that organization is deleted.';
COMMENT ON TABLE "Contract" IS
    'Signed or pending supply contracts with an organization.';

COMMENT ON COLUMN "Organization"."estimatedRevenue" IS
    'Deliberate departure from the seed''s real: double precision, because the legacy SQL Server FLOAT is 8 bytes and real (4 bytes, ~7 digits) would round revenues above about 16 million.';
COMMENT ON COLUMN "Opportunity".value IS
    'numeric(14,2), the exact type of the legacy DECIMAL(14,2): money is never rounded.';
COMMENT ON COLUMN "Contract".value IS
    'numeric(14,2), the exact type of the legacy DECIMAL(14,2): money is never rounded.';
COMMENT ON COLUMN "Organization".id IS
    'A legacy UUID id keeps its value (lower-cased); any other legacy id maps to the version-5 UUID of ''Organization:<legacy id>'' so that every run maps it the same way.';
COMMENT ON COLUMN "Organization".metadata IS
    'Always a JSON object (default {}): attributes without a column of their own.';
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
-- 0007_dashboard.sql: the dashboard's summary, refreshed on a schedule.
--
-- Why a summary and not live aggregates: at S = 1,000,000 the dashboard's
-- numbers read 1M organizations, 3M contacts and 10M interactions, which
-- takes seconds; a console refreshing every 5 s must answer in a few ms.
-- Why a scheduled refresh and not triggers: statement-level triggers would
-- run inside every batch of the migration engine's bulk COPY (10M
-- interaction rows) and inside every console edit, and a counter row that
-- every writer updates serializes the writers. The dashboard instead shows
-- how fresh its numbers are; `pantrycrm stats --refresh` (from cron, say
-- every 5 minutes) or 'r' in the console's dashboard pane recomputes them.
--
-- dashboard.refresh(as_of) computes every number relative to as_of (default
-- now()): "today" is the day of as_of in the session's TimeZone, weeks start
-- on Monday (date_trunc('week')), the 26 weeks end with as_of's week.

CREATE SCHEMA dashboard;
COMMENT ON SCHEMA dashboard IS
    'The console dashboard''s summary: dashboard.refresh() recomputes it, the console and `pantrycrm stats` read it';

-- One row: when the summary was computed, for what reference time, how long it took.
CREATE TABLE dashboard.refresh (
    id           boolean     NOT NULL DEFAULT true,
    as_of        timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL,
    took_ms      double precision NOT NULL,
    CONSTRAINT refresh_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_one_row_check CHECK (id)
);
COMMENT ON TABLE dashboard.refresh IS 'When the dashboard summary was last computed (one row)';

-- The numbers. kind says what a row is:
--   total     ord 0 organizations, 1 active organizations, 2 contacts,
--             3 interactions, 4 priority-A organizations, 5 organizations
--             with an estimated revenue (amount = its average), 6 follow-ups
--             due today, 7 follow-ups overdue (before today)
--   stage     active opportunities per stage: n, amount = sum of value
--   segment   organizations per segment
--   priority  organizations per priority
--   week      interactions per week, ord 0 = oldest of the 26 weeks, label
--             = the Monday
--   expiring  active contracts ending within 30, 60, 90 days of as_of
--             (cumulative): n, amount = sum of value
CREATE TABLE dashboard.metric (
    kind   text    NOT NULL,
    ord    integer NOT NULL,
    label  text    NOT NULL,
    n      bigint  NOT NULL,
    amount numeric,
    CONSTRAINT metric_pkey PRIMARY KEY (kind, ord)
);
COMMENT ON TABLE dashboard.metric IS 'The dashboard''s numbers as of dashboard.refresh.as_of';

CREATE FUNCTION dashboard.refresh(p_as_of timestamptz DEFAULT now())
RETURNS double precision
LANGUAGE plpgsql
AS $fn$
DECLARE
    t0      timestamptz := clock_timestamp();
    day0    timestamptz := date_trunc('day', p_as_of);
    week0   timestamptz := date_trunc('week', p_as_of) - interval '25 weeks';
    took    double precision;
BEGIN
    -- One refresh at a time; readers are never blocked (they see the
    -- previous summary until this transaction commits).
    LOCK TABLE dashboard.refresh IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM dashboard.metric;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'total', v.ord, v.label, v.n, v.amount
    FROM (SELECT count(*) AS orgs,
                 count(*) FILTER (WHERE status = 'ACTIVE') AS active,
                 count(*) FILTER (WHERE priority = 'A') AS prio_a,
                 count("estimatedRevenue") AS rev_n,
                 avg("estimatedRevenue")::numeric AS rev_avg,
                 count(*) FILTER (WHERE "nextFollowUpDate" >= day0
                                    AND "nextFollowUpDate" < day0 + interval '1 day') AS due_today,
                 count(*) FILTER (WHERE "nextFollowUpDate" < day0) AS overdue
          FROM "Organization") o,
         LATERAL (VALUES
             (0, 'organizations', o.orgs, NULL::numeric),
             (1, 'active organizations', o.active, NULL),
             (2, 'contacts', (SELECT count(*) FROM "Contact"), NULL),
             (3, 'interactions', (SELECT count(*) FROM "Interaction"), NULL),
             (4, 'priority A', o.prio_a, NULL),
             (5, 'average estimated revenue', o.rev_n, round(o.rev_avg, 2)),
             (6, 'follow-ups due today', o.due_today, NULL),
             (7, 'follow-ups overdue', o.overdue, NULL)) AS v (ord, label, n, amount);

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'stage', e.ord::integer - 1, e.stage::text, count(op.id), coalesce(sum(op.value), 0)
    FROM unnest(enum_range(NULL::"OpportunityStage")) WITH ORDINALITY AS e (stage, ord)
    LEFT JOIN "Opportunity" op ON op.stage = e.stage AND op."isActive"
    GROUP BY e.ord, e.stage;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'segment', e.ord::integer - 1, e.seg::text, coalesce(c.n, 0), NULL
    FROM unnest(enum_range(NULL::"OrganizationSegment")) WITH ORDINALITY AS e (seg, ord)
    LEFT JOIN (SELECT segment, count(*) AS n FROM "Organization" GROUP BY segment) c
           ON c.segment = e.seg;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'priority', e.ord::integer - 1, e.prio::text, coalesce(c.n, 0), NULL
    FROM unnest(enum_range(NULL::"OrganizationPriority")) WITH ORDINALITY AS e (prio, ord)
    LEFT JOIN (SELECT priority, count(*) AS n FROM "Organization" GROUP BY priority) c
           ON c.priority = e.prio;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'week', w.k, to_char(week0 + w.k * interval '1 week', 'YYYY-MM-DD'), coalesce(c.n, 0), NULL
    FROM generate_series(0, 25) AS w (k)
    LEFT JOIN (SELECT (date_trunc('week', i.date)::date - week0::date) / 7 AS k,
                      count(*) AS n
               FROM "Interaction" i
               WHERE i.date >= week0 AND i.date <= p_as_of
               GROUP BY 1) c ON c.k = w.k;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'expiring', d.ord, d.days::text, count(ct.id), coalesce(sum(ct.value), 0)
    FROM (VALUES (0, 30), (1, 60), (2, 90)) AS d (ord, days)
    LEFT JOIN "Contract" ct ON ct.status = 'ACTIVE' AND ct."endDate" >= p_as_of
                           AND ct."endDate" < p_as_of + d.days * interval '1 day'
    GROUP BY d.ord, d.days;

    took := extract(epoch FROM clock_timestamp() - t0) * 1000;
    INSERT INTO dashboard.refresh (id, as_of, refreshed_at, took_ms)
    VALUES (true, p_as_of, now(), took)
    ON CONFLICT (id) DO UPDATE
        SET as_of = EXCLUDED.as_of, refreshed_at = EXCLUDED.refreshed_at, took_ms = EXCLUDED.took_ms;
    RETURN took;
END
$fn$;
COMMENT ON FUNCTION dashboard.refresh(timestamptz) IS
    'Recomputes the dashboard summary relative to p_as_of; returns the milliseconds it took';

-- Monitoring roles (pg_monitor) may read the summary, never change it.
GRANT USAGE ON SCHEMA dashboard TO pg_monitor;
GRANT SELECT ON dashboard.refresh, dashboard.metric TO pg_monitor;
-- 0008_search_words.sql - a word index for the console's search that can
-- answer "the first hits, in order" by reading a few index entries.
--
-- Why: the GIN full-text index finds the rows holding a word, but in no
-- order, so "the first 500 hits by name" had to fetch and sort every match.
-- At S = 1,000,000 organizations a common word ("grill") matches 27,557 rows
-- and the search took 127 ms, 330 x a primary-key round trip. Here every
-- (word, sort key, id) is one btree entry: the same search reads 500 index
-- entries in order (index-only) and stops.
--
-- Words are exactly what to_tsvector('simple', ...) makes of the text (the
-- GIN indexes of 0003 keep serving the seed's own full-text queries). The
-- vocabulary (distinct words, with how many rows hold each) is small; its
-- trigram index answers fragments and misspellings by finding the words
-- first, then their rows through the word index.
--
-- Kept in step by row triggers on "Organization" and "Contact". A bulk
-- load into empty tables disables them and rebuilds the word tables once,
-- after the data (pantrycrm migrate does this with its deferred indexes).
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE SCHEMA search;
COMMENT ON SCHEMA search IS
    'pantrycrm: word indexes for the console search (derived data, rebuilt by search.rebuild_*)';

-- The words of a text, as the 'simple' text search configuration cuts and
-- lower-cases them; each once.
CREATE FUNCTION search.words(t text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) $$;

-- --- organizations ---------------------------------------------------------

CREATE TABLE search.organization_word (
    word text COLLATE "C" NOT NULL,
    name text NOT NULL,
    id   uuid NOT NULL
);
COMMENT ON TABLE search.organization_word IS
    'One row per word of each organization name (derived from "Organization")';

-- A word or a word prefix, hits by word then name (index-only):
--   SELECT id, name FROM search.organization_word
--   WHERE word >= $1 AND word < $1 || chr(1114111) ORDER BY word, name, id LIMIT $2
CREATE INDEX organization_word_word_name_id_idx
    ON search.organization_word (word, name, id);
-- The words of one organization (other words of the search; the triggers):
--   SELECT 1 FROM search.organization_word WHERE id = $1 AND word >= $2 AND ...
CREATE INDEX organization_word_id_word_idx
    ON search.organization_word (id, word);

CREATE TABLE search.organization_vocab (
    word text COLLATE "C" PRIMARY KEY,
    rows bigint NOT NULL CHECK (rows > 0)
);
COMMENT ON TABLE search.organization_vocab IS
    'The distinct words of organization names and how many names hold each';
-- A fragment or a misspelling, words first:
--   SELECT word FROM search.organization_vocab WHERE word LIKE '%' || $1 || '%'
--   SELECT word FROM search.organization_vocab WHERE word % $1 ORDER BY similarity(word, $1) DESC
CREATE INDEX organization_vocab_trgm_idx
    ON search.organization_vocab USING gin (word gin_trgm_ops);

CREATE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH gone AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        ), counted AS (
            UPDATE search.organization_vocab v SET rows = v.rows - 1
            FROM gone WHERE v.word = gone.word AND v.rows > 1 RETURNING v.word
        )
        DELETE FROM search.organization_vocab v USING gone
        WHERE v.word = gone.word AND v.rows = 1
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.word = gone.word);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER organization_search_words
    AFTER INSERT OR DELETE OR UPDATE OF name ON "Organization"
    FOR EACH ROW EXECUTE FUNCTION search.organization_words_sync();

CREATE FUNCTION search.organization_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.organization_word, search.organization_vocab;
    RETURN NULL;
END $$;

CREATE TRIGGER organization_search_words_truncate
    AFTER TRUNCATE ON "Organization"
    FOR EACH STATEMENT EXECUTE FUNCTION search.organization_words_truncate();

-- Rebuilds the words from scratch (after a bulk load that disabled the
-- trigger) and turns the trigger back on, in the caller's transaction.
CREATE FUNCTION search.rebuild_organization_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words;
    TRUNCATE search.organization_word, search.organization_vocab;
    -- One sorted build is far cheaper than millions of index insertions.
    DROP INDEX search.organization_word_word_name_id_idx;
    DROP INDEX search.organization_word_id_word_idx;
    INSERT INTO search.organization_word (word, name, id)
        SELECT w, o.name, o.id FROM "Organization" o, search.words(o.name) w;
    CREATE INDEX organization_word_word_name_id_idx
        ON search.organization_word (word, name, id);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
END $$;

-- --- contacts --------------------------------------------------------------

CREATE TABLE search.contact_word (
    word        text COLLATE "C" NOT NULL,
    "lastName"  text NOT NULL,
    "firstName" text NOT NULL,
    id          uuid NOT NULL
);
COMMENT ON TABLE search.contact_word IS
    'One row per word of each contact''s full name (derived from "Contact")';

-- A word or a word prefix, hits by word then last and first name:
--   SELECT id FROM search.contact_word WHERE word >= $1 AND word < $1 || chr(1114111)
--   ORDER BY word, "lastName", "firstName", id LIMIT $2
CREATE INDEX contact_word_word_name_id_idx
    ON search.contact_word (word, "lastName", "firstName", id);
-- The words of one contact:
--   SELECT 1 FROM search.contact_word WHERE id = $1 AND word >= $2 AND ...
CREATE INDEX contact_word_id_word_idx
    ON search.contact_word (id, word);

CREATE TABLE search.contact_vocab (
    word text COLLATE "C" PRIMARY KEY,
    rows bigint NOT NULL CHECK (rows > 0)
);
COMMENT ON TABLE search.contact_vocab IS
    'The distinct words of contact names and how many contacts hold each';
-- Fragments and misspellings of a name, words first:
--   SELECT word FROM search.contact_vocab WHERE word % $1 ORDER BY similarity(word, $1) DESC
CREATE INDEX contact_vocab_trgm_idx
    ON search.contact_vocab USING gin (word gin_trgm_ops);

CREATE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH gone AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        ), counted AS (
            UPDATE search.contact_vocab v SET rows = v.rows - 1
            FROM gone WHERE v.word = gone.word AND v.rows > 1 RETURNING v.word
        )
        DELETE FROM search.contact_vocab v USING gone
        WHERE v.word = gone.word AND v.rows = 1
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.word = gone.word);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_search_words
    AFTER INSERT OR DELETE OR UPDATE OF "firstName", "lastName" ON "Contact"
    FOR EACH ROW EXECUTE FUNCTION search.contact_words_sync();

CREATE FUNCTION search.contact_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.contact_word, search.contact_vocab;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_search_words_truncate
    AFTER TRUNCATE ON "Contact"
    FOR EACH STATEMENT EXECUTE FUNCTION search.contact_words_truncate();

CREATE FUNCTION search.rebuild_contact_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words;
    TRUNCATE search.contact_word, search.contact_vocab;
    DROP INDEX search.contact_word_word_name_id_idx;
    DROP INDEX search.contact_word_id_word_idx;
    INSERT INTO search.contact_word (word, "lastName", "firstName", id)
        SELECT w, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.words(c."firstName" || ' ' || c."lastName") w;
    CREATE INDEX contact_word_word_name_id_idx
        ON search.contact_word (word, "lastName", "firstName", id);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
END $$;

-- Existing rows (a database migrated before this file) get their words now.
SELECT search.rebuild_organization_words();
SELECT search.rebuild_contact_words();
-- 0009_search_words_counts.sql - the vocabulary counts of 0008 stay right
-- under concurrent edits.
--
-- Why: 0008's triggers decremented a word's count with "UPDATE ... WHERE
-- rows > 1" and removed it with "DELETE ... WHERE rows = 1" in one
-- statement. When two transactions removed the last two holders of a word
-- at once, the second waited for the first's row lock, then re-checked
-- "rows > 1" against the new count (1: no update) while its DELETE had
-- judged "rows = 1" against its statement snapshot (2: no delete). The
-- word stayed in the vocabulary, counted once, with no row holding it.
--
-- Now the counts of the words being removed are locked first (FOR UPDATE
-- waits and returns the committed count), and each following statement
-- takes a fresh snapshot under that lock: a count of 1 is deleted, a
-- larger one decremented. Locks are taken in word order on both paths, so
-- two edits of names sharing words wait instead of deadlocking.
--
-- The row triggers also fire when the id changes: the word rows carry the
-- id, and 0008 left them pointing at the old one.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH d AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.organization_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.organization_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.organization_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH d AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.contact_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.contact_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.contact_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER organization_search_words ON "Organization";
CREATE TRIGGER organization_search_words
    AFTER INSERT OR DELETE OR UPDATE OF id, name ON "Organization"
    FOR EACH ROW EXECUTE FUNCTION search.organization_words_sync();

DROP TRIGGER contact_search_words ON "Contact";
CREATE TRIGGER contact_search_words
    AFTER INSERT OR DELETE OR UPDATE OF id, "firstName", "lastName" ON "Contact"
    FOR EACH ROW EXECUTE FUNCTION search.contact_words_sync();
-- 0010_search_words_unchanged.sql - the word-index triggers (0008, 0009) skip
-- updates that leave the indexed names as they were.
--
-- Why: "UPDATE OF name" fires for every update that lists the column, and
-- sync's upserts (ON CONFLICT DO UPDATE SET every column) list them all. Each
-- such update removed and re-added the row's words and counted the
-- vocabulary down and up again; common words ("andrew", "grill") got one
-- new row version per change, all in the round's one transaction, where
-- none can be pruned. A sync round of 6,000 contact updates (names
-- untouched) spent 4.5 s in these triggers, each batch of 2,000 slower
-- than the last (0.5, 1.3, 2.6 s).
--
-- The bodies are 0009's (counts locked in word order), plus the early return.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.name IS NOT DISTINCT FROM NEW.name THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH d AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.organization_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.organization_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.organization_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id
       AND OLD."firstName" IS NOT DISTINCT FROM NEW."firstName"
       AND OLD."lastName" IS NOT DISTINCT FROM NEW."lastName" THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        WITH d AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.contact_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.contact_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.contact_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;
-- 0011_app_handoff.sql - what the CRM application (Drizzle ORM, Auth.js)
-- needs from the database itself, so that it adopts the migrated database
-- without hand repairs.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- ---------------------------------------------------------------------------
-- Ids of the sign-in tables. Auth.js (@auth/drizzle-adapter) never supplies
-- an id when it links an account or opens a session, and leaves the user's id
-- to the table when the schema declares a default; without one every such
-- insert fails with 'null value in column "id"'. Legacy cuids stay as they
-- are; new rows get a random UUID as text (the columns stay text, so old and
-- new ids live side by side). data/drizzle/schema.ts declares the same
-- default, so the application's schema and this one agree. The uuid is
-- converted to text on assignment; the cast is left implicit because
-- drizzle-kit reads an explicit one back as a different default and would
-- set it again on every push.
-- ---------------------------------------------------------------------------

ALTER TABLE "User" ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE "Account" ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER TABLE "Session" ALTER COLUMN id SET DEFAULT gen_random_uuid();

-- ---------------------------------------------------------------------------
-- The pipeline index of 0003 carried value as an INCLUDE column. Drizzle's
-- schema language cannot say INCLUDE, so the application's schema could not
-- describe it: drizzle-kit would drop and rebuild it on every push, or build
-- a different index in a fresh database. value becomes the last key column
-- instead; the dashboard's pipeline query stays an index-only scan
-- (WHERE "isActive" GROUP BY stage, sum(value)), at the cost of value in the
-- inner pages too, a few bytes per entry.
-- ---------------------------------------------------------------------------

-- A target whose data migration was interrupted holds the old index only
-- as its DDL in migration.deferred_ddl: there it is forgotten rather than
-- dropped. (The first text of this file dropped it unconditionally and
-- failed on such a target; databases that applied it are in the same
-- state.)
-- supersedes 47e377f81c15415ba8df0125c2a61e7f80903b0cea05aa4d68a6c7e53a5765ce
DROP INDEX IF EXISTS "Opportunity_stage_isActive_idx";
DELETE FROM migration.deferred_ddl WHERE name = 'Opportunity_stage_isActive_idx';
-- Dashboard, the pipeline: open deals and their value per stage, answered
-- from the index alone (index-only scan):
--   SELECT stage, count(*), sum(value) FROM "Opportunity"
--   WHERE "isActive" GROUP BY stage ORDER BY stage
CREATE INDEX "Opportunity_stage_isActive_value_idx"
    ON "Opportunity" (stage, "isActive", value);

-- ---------------------------------------------------------------------------
-- Old ids. The migration gives a CRM row whose legacy id is a canonical UUID
-- that UUID, lower-cased, and any other legacy id (a cuid, a number) the
-- version-5 UUID of '<Table>:<legacy id>' in pantrycrm's namespace
-- b527244c-85c7-4c6c-a475-88a12434d2e4 (src/transform.c, id_map_uuid). The
-- application holds old links and bookmarks with such ids; this function
-- gives their new id in SQL, the same way the migration and the console's
-- :goto compute it:
--   SELECT * FROM "Organization" WHERE id = legacy_uuid('Organization', $1)
-- It is a pure function of its arguments (IMMUTABLE), so it also works in
-- an index or a generated column. NULL for NULL or an empty id. The
-- sign-in tables ("User", ...) kept their text ids and need no mapping.
-- ---------------------------------------------------------------------------

CREATE FUNCTION legacy_uuid(entity text, legacy_id text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $fn$
DECLARE
    h bytea;
BEGIN
    IF legacy_id = '' THEN
        RETURN NULL;
    END IF;
    IF legacy_id ~ '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' THEN
        RETURN lower(legacy_id)::uuid;
    END IF;
    -- RFC 4122 version 5: SHA-1 of namespace || name, first 16 bytes, with
    -- the version (5) and variant (10xx) bits set.
    h := substring(digest('\xb527244c85c74c6ca47588a12434d2e4'::bytea
                          || convert_to(entity || ':' || legacy_id, 'UTF8'), 'sha1')
                   FROM 1 FOR 16);
    h := set_byte(h, 6, (get_byte(h, 6) & 15) | 80);
    h := set_byte(h, 8, (get_byte(h, 8) & 63) | 128);
    RETURN encode(h, 'hex')::uuid;
END
$fn$;
COMMENT ON FUNCTION legacy_uuid(text, text) IS
    'The target id of a CRM row from its legacy id: a canonical UUID lower-cased, anything else uuid5(pantrycrm namespace, ''<Table>:<legacy id>'')';
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
-- 0014_search_pairs.sql - word-pair indexes (organizations, contacts), so
-- that a search for two words reads only names that hold both.
--
-- Why: with the word index of 0008 a search for two words walked the rows
-- of the rarer word in order and probed each for the other word, until
-- 500 hits. When few names hold both, that walk read every row of the
-- rarer word: at S = 1,000,000 organizations `blu hea` read the 26,000
-- names holding "blue" to find a few hundred with a word starting "hea"
-- (220 ms, 510 x a primary-key round trip), `Chophouse Portland` 72 ms.
--
-- Here every pair of two different words of a name is one btree entry
-- (w1, w2, name, id), w1 < w2 in "C" order. The search takes the words of
-- the vocabulary that each typed word starts (a few: the vocabulary holds
-- a few hundred words), and for each pair of them reads the entries of
-- that pair, which are hits, in name order: it stops at 500 hits having
-- read about 500 entries, however few names hold both words. Storing
-- each pair once (not both orders) halves the table; the search asks for
-- (least, greatest) of the two words.
--
-- Kept in step by the row trigger of 0008-0010 (this file replaces its
-- function with one that also keeps the pairs), and rebuilt with the words
-- by search.rebuild_organization_words() after a bulk load, so pantrycrm
-- migrate's deferred build needs no change.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- The pairs of two different words of a text (words as search.words cuts
-- them), each once: w1 < w2 in "C" order.
CREATE FUNCTION search.word_pairs(t text, OUT w1 text, OUT w2 text) RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT a, b FROM unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) a,
                            unnest(tsvector_to_array(to_tsvector('simple', coalesce(t, '')))) b
          WHERE a COLLATE "C" < b COLLATE "C" $$;

CREATE TABLE search.organization_pair (
    w1   text COLLATE "C" NOT NULL,
    w2   text COLLATE "C" NOT NULL,
    name text NOT NULL,
    id   uuid NOT NULL
);
COMMENT ON TABLE search.organization_pair IS
    'One row per pair of two different words (w1 < w2) of each organization name (derived from "Organization")';
-- Existing rows (a database migrated before this file) get their pairs now,
-- before the index (one sorted build).
INSERT INTO search.organization_pair (w1, w2, name, id)
    SELECT p.w1, p.w2, o.name, o.id FROM "Organization" o, search.word_pairs(o.name) p;

-- The names holding two words, in order (index-only):
--   SELECT id, name FROM search.organization_pair
--   WHERE w1 = least($1, $2) AND w2 = greatest($1, $2) ORDER BY name, id LIMIT $3
-- The trigger deletes an old name's pairs through the same index (all four
-- columns are known), so no index on id is needed.
CREATE INDEX organization_pair_w1_w2_name_id_idx
    ON search.organization_pair (w1, w2, name, id);

CREATE OR REPLACE FUNCTION search.organization_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.name IS NOT DISTINCT FROM NEW.name THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search.organization_pair p USING search.word_pairs(OLD.name) o
            WHERE p.w1 = o.w1 AND p.w2 = o.w2 AND p.name = OLD.name AND p.id = OLD.id;
        WITH d AS (
            DELETE FROM search.organization_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.organization_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.organization_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.organization_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.organization_word (word, name, id)
            SELECT w, NEW.name, NEW.id FROM search.words(NEW.name) w;
        INSERT INTO search.organization_pair (w1, w2, name, id)
            SELECT p.w1, p.w2, NEW.name, NEW.id FROM search.word_pairs(NEW.name) p;
        INSERT INTO search.organization_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW.name) w ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.organization_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.organization_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.organization_word, search.organization_vocab, search.organization_pair;
    RETURN NULL;
END $$;

-- As 0008's, plus the pairs: each built from the table in one pass, its
-- index made after the rows (a sorted build).
CREATE OR REPLACE FUNCTION search.rebuild_organization_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words;
    TRUNCATE search.organization_word, search.organization_vocab, search.organization_pair;
    DROP INDEX search.organization_word_word_name_id_idx;
    DROP INDEX search.organization_word_id_word_idx;
    DROP INDEX search.organization_pair_w1_w2_name_id_idx;
    INSERT INTO search.organization_word (word, name, id)
        SELECT w, o.name, o.id FROM "Organization" o, search.words(o.name) w;
    INSERT INTO search.organization_pair (w1, w2, name, id)
        SELECT p.w1, p.w2, o.name, o.id FROM "Organization" o, search.word_pairs(o.name) p;
    CREATE INDEX organization_word_word_name_id_idx
        ON search.organization_word (word, name, id);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word);
    CREATE INDEX organization_pair_w1_w2_name_id_idx
        ON search.organization_pair (w1, w2, name, id);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
    ANALYZE search.organization_pair;
END $$;

ANALYZE search.organization_pair;

-- --- contacts --------------------------------------------------------------
-- The same for contacts' full names ("firstName lastName": mostly one pair
-- each). "james smith" walked the 33,000 Smiths to find 451 (85 ms at
-- S = 1,000,000).

CREATE TABLE search.contact_pair (
    w1          text COLLATE "C" NOT NULL,
    w2          text COLLATE "C" NOT NULL,
    "lastName"  text NOT NULL,
    "firstName" text NOT NULL,
    id          uuid NOT NULL
);
COMMENT ON TABLE search.contact_pair IS
    'One row per pair of two different words (w1 < w2) of each contact''s full name (derived from "Contact")';

INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
    SELECT p.w1, p.w2, c."lastName", c."firstName", c.id
    FROM "Contact" c, search.word_pairs(c."firstName" || ' ' || c."lastName") p;

--   SELECT id FROM search.contact_pair WHERE w1 = least($1, $2) AND w2 = greatest($1, $2)
--   ORDER BY "lastName", "firstName", id LIMIT $3
CREATE INDEX contact_pair_w1_w2_name_id_idx
    ON search.contact_pair (w1, w2, "lastName", "firstName", id);

CREATE OR REPLACE FUNCTION search.contact_words_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    gone text[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id = NEW.id
       AND OLD."firstName" IS NOT DISTINCT FROM NEW."firstName"
       AND OLD."lastName" IS NOT DISTINCT FROM NEW."lastName" THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search.contact_pair p
            USING search.word_pairs(OLD."firstName" || ' ' || OLD."lastName") o
            WHERE p.w1 = o.w1 AND p.w2 = o.w2 AND p."lastName" = OLD."lastName"
              AND p."firstName" = OLD."firstName" AND p.id = OLD.id;
        WITH d AS (
            DELETE FROM search.contact_word WHERE id = OLD.id RETURNING word
        )
        SELECT array_agg(word) INTO gone FROM d;
        IF gone IS NOT NULL THEN
            PERFORM 1 FROM search.contact_vocab
                WHERE word = ANY (gone) ORDER BY word FOR UPDATE;
            DELETE FROM search.contact_vocab WHERE word = ANY (gone) AND rows = 1;
            UPDATE search.contact_vocab SET rows = rows - 1
                WHERE word = ANY (gone) AND rows > 1;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search.contact_word (word, "lastName", "firstName", id)
            SELECT w, NEW."lastName", NEW."firstName", NEW.id
            FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w;
        INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
            SELECT p.w1, p.w2, NEW."lastName", NEW."firstName", NEW.id
            FROM search.word_pairs(NEW."firstName" || ' ' || NEW."lastName") p;
        INSERT INTO search.contact_vocab (word, rows)
            SELECT w, 1 FROM search.words(NEW."firstName" || ' ' || NEW."lastName") w
            ORDER BY w COLLATE "C"
            ON CONFLICT (word) DO UPDATE SET rows = search.contact_vocab.rows + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.contact_words_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.contact_word, search.contact_vocab, search.contact_pair;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION search.rebuild_contact_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words;
    TRUNCATE search.contact_word, search.contact_vocab, search.contact_pair;
    DROP INDEX search.contact_word_word_name_id_idx;
    DROP INDEX search.contact_word_id_word_idx;
    DROP INDEX search.contact_pair_w1_w2_name_id_idx;
    INSERT INTO search.contact_word (word, "lastName", "firstName", id)
        SELECT w, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.words(c."firstName" || ' ' || c."lastName") w;
    INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
        SELECT p.w1, p.w2, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.word_pairs(c."firstName" || ' ' || c."lastName") p;
    CREATE INDEX contact_word_word_name_id_idx
        ON search.contact_word (word, "lastName", "firstName", id);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word);
    CREATE INDEX contact_pair_w1_w2_name_id_idx
        ON search.contact_pair (w1, w2, "lastName", "firstName", id);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
    ANALYZE search.contact_pair;
END $$;

ANALYZE search.contact_pair;
-- 0015_console_statistics.sql - the planner learns that a city implies its
-- state, so a page of the console filtered by both reads its index in order.
--
-- Why: with state=TX city=Houston the planner multiplied the two
-- selectivities as if independent (Houston is 1.9% of the rows, all in TX:
-- it expected 199 rows after a keyset where 2,776 were), chose a bitmap
-- scan of every Houston row after the keyset plus a top-N sort over an
-- ordered read of Organization_state_city_name_id_idx, and paged in 25 ms
-- instead of 1 ms at S = 1,000,000 (measured by bench/console.sh).
-- Functional-dependency and most-common-value statistics on the pair
-- correct the estimate; ANALYZE (pantrycrm migrate runs it after a load,
-- autovacuum after edits) builds them in about half a second at that size.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE STATISTICS "Organization_state_city_stx" (dependencies, ndistinct, mcv)
    ON state, city FROM "Organization";
ANALYZE "Organization";
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
-- 0017_revenue_filter_index.sql - the console's revenue page filtered by
-- priority and type reads only the rows it shows.
--
-- Why: `:filter priority=B,C` and `:filter type=CUSTOMER`, sorted by
-- estimatedRevenue (the revenue analysis of a sales admin), is one index
-- range per priority label merged in revenue order (browse.c splits the
-- labels of a field that leads an index of the sort). With
-- Organization_priority_estimatedRevenue_id_idx (0003) each range walked
-- every type and threw away the rows of the other types, about half of
-- them, each a heap fetch: 0.8 to 2.8 ms a page at S = 1,000,000, 4.9x a
-- primary-key round trip for the screenful after a keyset at S = 100,000.
-- With the type in the index after the priority each range holds only
-- the rows shown. Chosen over ("type", "estimatedRevenue", id), which
-- would still read the rows of the priorities not chosen (B and C are two
-- of four), by EXPLAIN ANALYZE at S = 100,000. About 5 MB and 0.1 to 0.2 s
-- to build at S = 100,000; pantrycrm migrate builds it with the other
-- deferred indexes after the load.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- One range per chosen priority (and the "estimatedRevenue" IS NULL
-- ranges; backward for the descending order), merged:
--   SELECT ... FROM "Organization" o
--   WHERE o.type = $1 AND o.priority = $2 AND (o."estimatedRevenue", o.id) > ($3, $4)
--   ORDER BY o."estimatedRevenue", o.id LIMIT $5
CREATE INDEX "Organization_priority_type_estimatedRevenue_id_idx"
    ON "Organization" (priority, type, "estimatedRevenue", id);
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
-- 0020_search_similar_words.sql - a misspelt word is looked up in the
-- vocabulary's trigram index, not by comparing it with every word.
--
-- Why: the console corrects a word that begins no word of the vocabulary
-- ("Portlnd", "Chophuose") with the words most similar to it by trigrams
-- (pg_trgm's %). The vocabulary has a trigram index (0008), but the
-- planner never used it: pg_trgm declares % as cheap as an integer
-- comparison, while each call builds the trigrams of both words (0.55 us
-- a word, a hundred times the planner's figure). So the plan compared the
-- typed word with each of the 375 words of the vocabulary at S = 100,000
-- (0.22 ms a misspelt word) where the index answers in 0.017 ms. Changing
-- the operator's declared cost (ALTER FUNCTION similarity_op) needs the
-- extension's owner, which a managed server (Azure) does not grant; these
-- functions instead plan their one query with operators costed a hundred
-- times higher (cpu_operator_cost, for their own planning only). PL/pgSQL
-- keeps that plan for the session.
--
-- Each returns the words of its vocabulary similar to t (t already
-- lower-cased, as the words are) with their similarity; the caller orders
-- and limits them.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE FUNCTION search.organization_similar_words(t text, OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 5
    SET cpu_operator_cost = 0.25
    AS $$
BEGIN
    RETURN QUERY SELECT v.word, similarity(v.word, t) FROM search.organization_vocab v
        WHERE v.word % t;
END $$;

CREATE FUNCTION search.contact_similar_words(t text, OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 5
    SET cpu_operator_cost = 0.25
    AS $$
BEGIN
    RETURN QUERY SELECT v.word, similarity(v.word, t) FROM search.contact_vocab v
        WHERE v.word % t;
END $$;
-- 0021_search_corrections.sql - the words a misspelt word may stand for,
-- in one function call instead of a dozen plan nodes.
--
-- Why: a search is one statement whose later stages (a fragment, then
-- misspellings) run only when the earlier ones found nothing. PostgreSQL
-- nevertheless initialises every node of the plan at each execution, and
-- the correction of a word (the words similar by trigrams, then the words
-- it is with two letters swapped: a function scan, a series, a lateral
-- join and an index probe) was inlined once per typed word and once more
-- for the single-word stage. The generic plan of a two-word search had
-- 106 nodes, and at S = 1,000,000 starting them cost more than running
-- the stage that answered: "blu hea" took 0.112 ms a search where its
-- first stage alone took 0.046 ms. As function calls, a correction is one
-- node until it runs (60 nodes). Measured with pgbench on the console's
-- statements (a screenful of hits), same cluster, before -> after:
--   blu hea 0.112 -> 0.080 ms, Chophouse Portland 0.112 -> 0.080,
--   james smith (contacts) 0.122 -> 0.091, grill 0.061 -> 0.058,
--   ophous 0.089 -> 0.082, Chophuose 0.117 -> 0.110,
--   Portlnd Chophuose 0.196 -> 0.177, jmaes smtih 0.185 -> 0.176.
--
-- Each returns the words of its vocabulary that t (lower-cased, as the
-- words are) may be a misspelling of, with a score:
--   * t with two neighbouring letters swapped ("jmaes" is "james"): the
--     most common slip of a typist, which trigrams miss (the two words
--     share 2 of 10 trigrams, far below pg_trgm's 0.3); score 1. For a
--     prefix (a word of 3 characters or more, as the search reads typed
--     words), the words the swapped form starts; otherwise the word
--     equal to it. Each swap is one probe of the vocabulary's index: a
--     dozen probes for a word of a dozen letters, whatever its size. The
--     series is a constant one (the first 32 swaps) so that the plan
--     knows its row count;
--   * the words similar by trigrams (pg_trgm's %), with their similarity.
--     The query is planned with operators costed a hundred times higher
--     (cpu_operator_cost, for this function only), as in 0020: pg_trgm
--     declares % as cheap as an integer comparison, and the plan would
--     compare t with every word instead of reading the trigram index.
-- A word may come from both; the caller orders and limits.
--
-- The query's plan is the generic one from the first call: PL/pgSQL would
-- plan it anew at each of a session's first five calls (about 0.2 ms
-- each), and a console's idle warm-up calls it only once or twice, so the
-- first misspelt searches of a session paid for planning.
--
-- 0020's functions stay for consoles of the previous release.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE FUNCTION search.organization_corrections(t text, prefix boolean,
                                                OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 6
    SET cpu_operator_cost = 0.25
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word, 1::real FROM generate_series(1, 32) i
            CROSS JOIN LATERAL (SELECT overlay(t placing substr(t, i + 1, 1) || substr(t, i, 1)
                                               from i for 2) COLLATE "C" AS s) x
            JOIN search.organization_vocab v ON i < length(t) AND v.word >= x.s
                 AND v.word < x.s || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        SELECT v.word, similarity(v.word, t) FROM search.organization_vocab v WHERE v.word % t;
END $$;

CREATE FUNCTION search.contact_corrections(t text, prefix boolean,
                                           OUT word text, OUT score real)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 6
    SET cpu_operator_cost = 0.25
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word, 1::real FROM generate_series(1, 32) i
            CROSS JOIN LATERAL (SELECT overlay(t placing substr(t, i + 1, 1) || substr(t, i, 1)
                                               from i for 2) COLLATE "C" AS s) x
            JOIN search.contact_vocab v ON i < length(t) AND v.word >= x.s
                 AND v.word < x.s || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        SELECT v.word, similarity(v.word, t) FROM search.contact_vocab v WHERE v.word % t;
END $$;

-- The vocabulary words a typed word stands for when several words are
-- looked up through the pair index and misspellings are corrected: the
-- words t starts (a prefix) or equals; when there are none, the one word
-- spelt most like it. "No word starts with t" is the first word from t on
-- (one descent of the index) not starting with t: NOT EXISTS over the
-- range was planned, generically, as a scan of the whole vocabulary.
CREATE FUNCTION search.organization_word_set(t text, prefix boolean)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word FROM search.organization_vocab v
            WHERE v.word >= t AND v.word < t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        (SELECT c.word FROM search.organization_corrections(t, prefix) c
            WHERE coalesce((SELECT min(u.word) FROM search.organization_vocab u WHERE u.word >= t)
                           >= t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END, true)
            ORDER BY c.score DESC, c.word COLLATE "C" LIMIT 1);
END $$;

CREATE FUNCTION search.contact_word_set(t text, prefix boolean)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    RETURN QUERY
        SELECT v.word FROM search.contact_vocab v
            WHERE v.word >= t AND v.word < t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END
        UNION ALL
        (SELECT c.word FROM search.contact_corrections(t, prefix) c
            WHERE coalesce((SELECT min(u.word) FROM search.contact_vocab u WHERE u.word >= t)
                           >= t || CASE WHEN prefix THEN chr(1114111) ELSE chr(1) END, true)
            ORDER BY c.score DESC, c.word COLLATE "C" LIMIT 1);
END $$;
-- 0022_btree_no_dedup.sql - no deduplication in the btree indexes whose
-- keys hold the row's id, and so are never equal.
--
-- Why: with deduplication on (PostgreSQL's default since 13), building a
-- btree index compares every new entry with the one before it, column by
-- column, to merge equal keys into a posting list, and an insert into a
-- full leaf page tries the same merge before it splits the page. An index
-- whose keys end in "id" (the keyset of a sorted page, the search tables'
-- word/pair entries) never holds two equal keys: every comparison is lost
-- work, and the index comes out the same size. In pantrycrm's deferred
-- build it is the single largest cost of such an index after the sort:
-- rebuilding each of them alone at S = 100,000, deduplication on -> off,
-- Interaction ("userId", date DESC, id DESC) 1.15 -> 1.05 s, the other two
-- Interaction keysets 0.55 -> 0.48 and 0.59 -> 0.50 s, the contact word
-- index 0.82 -> 0.73 s; all 31 together 6.8 -> 6.2 s of server CPU, with
-- identical sizes. Indexes whose keys do repeat (a date, a status, an
-- e-mail address) keep it: there it saves space and reads. (An update
-- that is not HOT adds an entry with the old key for the row's new
-- version; those are removed by bottom-up deletion, which does not
-- depend on this option.)
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- A migration run that was interrupted has dropped some of these for its
-- deferred build and keeps them as DDL (pg_get_indexdef's text) in
-- migration.deferred_ddl, from which a resumed run recreates them: there
-- the option goes into that text (before a partial index's WHERE), so
-- that this file applies to such a target too and the rebuilt index has
-- it.
DO $$
DECLARE
    ix text;
BEGIN
    FOREACH ix IN ARRAY ARRAY[
        'Contact_createdAt_id_idx',
        'Contact_email_flagged_idx',
        'Contact_email_id_idx',
        'Contact_lastName_firstName_id_idx',
        'Contact_organizationId_createdAt_id_idx',
        'Contact_updatedAt_id_idx',
        'Interaction_contactId_date_id_idx',
        'Interaction_organizationId_date_id_idx',
        'Interaction_userId_date_id_idx',
        'Organization_city_sort_idx',
        'Organization_city_state_zipCode_id_idx',
        'Organization_email_flagged_idx',
        'Organization_estimatedRevenue_id_idx',
        'Organization_lastContactDate_id_idx',
        'Organization_name_id_idx',
        'Organization_nextFollowUpDate_id_idx',
        'Organization_priority_estimatedRevenue_id_idx',
        'Organization_priority_name_id_idx',
        'Organization_priority_type_estimatedRevenue_id_idx',
        'Organization_priority_updatedAt_id_idx',
        'Organization_segment_name_id_idx',
        'Organization_state_city_name_id_idx',
        'Organization_state_city_sort_idx',
        'Organization_state_name_id_idx',
        'Organization_status_priority_name_id_idx',
        'Organization_type_name_id_idx',
        'Organization_updatedAt_id_idx'] LOOP
        IF to_regclass(format('public.%I', ix)) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX public.%I SET (deduplicate_items = off)', ix);
        ELSE
            UPDATE migration.deferred_ddl
               SET ddl = CASE WHEN strpos(ddl, ' WHERE ') > 0
                              THEN overlay(ddl PLACING ' WITH (deduplicate_items = off) WHERE '
                                           FROM strpos(ddl, ' WHERE ') FOR 7)
                              ELSE ddl || ' WITH (deduplicate_items = off)' END
             WHERE kind = 'index' AND name = ix AND ddl LIKE 'CREATE INDEX %'
               AND ddl NOT LIKE '% WITH (%';
        END IF;
    END LOOP;
END $$;

-- The search tables' indexes: ALTER for this database, and the rebuilds
-- after a bulk load (0014's, otherwise unchanged) create them so.
ALTER INDEX search.organization_word_word_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.organization_word_id_word_idx SET (deduplicate_items = off);
ALTER INDEX search.organization_pair_w1_w2_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_word_word_name_id_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_word_id_word_idx SET (deduplicate_items = off);
ALTER INDEX search.contact_pair_w1_w2_name_id_idx SET (deduplicate_items = off);

CREATE OR REPLACE FUNCTION search.rebuild_organization_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Organization" ENABLE TRIGGER organization_search_words;
    TRUNCATE search.organization_word, search.organization_vocab, search.organization_pair;
    DROP INDEX search.organization_word_word_name_id_idx;
    DROP INDEX search.organization_word_id_word_idx;
    DROP INDEX search.organization_pair_w1_w2_name_id_idx;
    INSERT INTO search.organization_word (word, name, id)
        SELECT w, o.name, o.id FROM "Organization" o, search.words(o.name) w;
    INSERT INTO search.organization_pair (w1, w2, name, id)
        SELECT p.w1, p.w2, o.name, o.id FROM "Organization" o, search.word_pairs(o.name) p;
    CREATE INDEX organization_word_word_name_id_idx
        ON search.organization_word (word, name, id)
        WITH (deduplicate_items = off);
    CREATE INDEX organization_word_id_word_idx
        ON search.organization_word (id, word)
        WITH (deduplicate_items = off);
    CREATE INDEX organization_pair_w1_w2_name_id_idx
        ON search.organization_pair (w1, w2, name, id)
        WITH (deduplicate_items = off);
    INSERT INTO search.organization_vocab (word, rows)
        SELECT word, count(*) FROM search.organization_word GROUP BY word;
    ANALYZE search.organization_word;
    ANALYZE search.organization_vocab;
    ANALYZE search.organization_pair;
END $$;

CREATE OR REPLACE FUNCTION search.rebuild_contact_words() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE "Contact" ENABLE TRIGGER contact_search_words;
    TRUNCATE search.contact_word, search.contact_vocab, search.contact_pair;
    DROP INDEX search.contact_word_word_name_id_idx;
    DROP INDEX search.contact_word_id_word_idx;
    DROP INDEX search.contact_pair_w1_w2_name_id_idx;
    INSERT INTO search.contact_word (word, "lastName", "firstName", id)
        SELECT w, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.words(c."firstName" || ' ' || c."lastName") w;
    INSERT INTO search.contact_pair (w1, w2, "lastName", "firstName", id)
        SELECT p.w1, p.w2, c."lastName", c."firstName", c.id
        FROM "Contact" c, search.word_pairs(c."firstName" || ' ' || c."lastName") p;
    CREATE INDEX contact_word_word_name_id_idx
        ON search.contact_word (word, "lastName", "firstName", id)
        WITH (deduplicate_items = off);
    CREATE INDEX contact_word_id_word_idx
        ON search.contact_word (id, word)
        WITH (deduplicate_items = off);
    CREATE INDEX contact_pair_w1_w2_name_id_idx
        ON search.contact_pair (w1, w2, "lastName", "firstName", id)
        WITH (deduplicate_items = off);
    INSERT INTO search.contact_vocab (word, rows)
        SELECT word, count(*) FROM search.contact_word GROUP BY word;
    ANALYZE search.contact_word;
    ANALYZE search.contact_vocab;
    ANALYZE search.contact_pair;
END $$;
