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
