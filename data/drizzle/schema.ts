// schema.ts - the CRM application's Drizzle ORM schema of the database that
// pantrycrm builds (`pantrycrm db migrate`) and fills (`pantrycrm migrate`).
// Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
//
// It describes data/sql exactly: every enum, table, column, default, primary
// key, unique constraint, foreign key, check and index of the public schema,
// with their names. tests/drizzle.sh proves it: drizzle-kit builds the same
// catalog from this file as `pantrycrm db migrate` does, `drizzle-kit push`
// against a migrated database changes nothing, `drizzle-kit generate` finds
// nothing to write, and it finds nothing either between this file and the
// schema `pantrycrm db drizzle` writes from a migrated database's catalog. Change the database only through a new file in
// data/sql and this file together.
//
// How it is written, and why:
//   * Names are the database's (quoted PascalCase tables, camelCase columns),
//     so no casing option is needed; the TypeScript property names are the
//     column names, which is also what @auth/drizzle-adapter requires of the
//     Auth.js tables (refresh_token, access_token, ... stay snake_case).
//   * Every timestamp is timestamptz read as a Date (mode 'date'): Auth.js
//     compares session and token expiry dates, and strings would compare
//     wrongly.
//   * Money is numeric(14,2), read as a string so that no value is rounded;
//     "estimatedRevenue" is double precision (see the column comment in
//     data/sql/0002_core_schema.sql).
//   * Index expressions and operator classes that the column API cannot say
//     are written inside sql`...` (lower(email), the 'simple' text-search
//     vectors, the gin_trgm_ops trigram indexes). They and the checks are
//     written as PostgreSQL prints them, with ${t.column} for the columns,
//     which is also how `pantrycrm db drizzle` writes them from the catalog:
//     drizzle-kit finds this file and the generated one the same.
//   * .with({ deduplicate_items: 'off' }) on the indexes whose keys end in
//     the row's id, so never repeat (data/sql/0022_btree_no_dedup.sql):
//     deduplication there only costs time. The value is a string, as
//     drizzle-kit reads it back from the catalog.
//   * The ids of "User", "Account" and "Session" default to a random UUID as
//     text in the database (data/sql/0011_app_handoff.sql): Auth.js never
//     supplies them.
//
// Not described here, because Drizzle has no words for them; they live in
// data/sql and drizzle-kit leaves them alone: the extensions (pgcrypto,
// pg_trgm, btree_gin), table and column comments, the search.* word tables
// and the triggers that keep them, legacy_uuid(), and pantrycrm's own
// schemas (migration, dashboard, search).
//
// Searching names: the full-text indexes use the 'simple' configuration (see
// data/sql/0003_indexes.sql), so a query uses them only when it is written
// with the same expression, e.g.
//   where(sql`to_tsvector('simple', ${organizations.name}) @@ plainto_tsquery('simple', ${text})`)
// A query written with 'english' cannot use any index and reads the whole
// table. See README.md, "The application stack".

import type { DrizzleAdapter } from '@auth/drizzle-adapter';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import {
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

/** The sessions table as @auth/drizzle-adapter's types describe it. */
type AdapterSessionsTable = NonNullable<NonNullable<
  Parameters<typeof DrizzleAdapter<PgDatabase<PgQueryResultHKT, any>>>[1]>['sessionsTable']>;

/** The free-form attributes of a CRM row: always a JSON object. */
export type Metadata = { [key: string]: unknown };

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => numeric(name, { precision: 14, scale: 2 });
const metadataColumn = () => jsonb('metadata').$type<Metadata>().notNull().default({});
const createdAt = () => tstz('createdAt').notNull().defaultNow();
/** Set on every update made through Drizzle, as Prisma's @updatedAt did for
 *  the old application (client side: the database has no trigger, so that
 *  the migration and the sync keep the source's own times). */
const updatedAt = () => tstz('updatedAt').notNull().defaultNow().$onUpdate(() => new Date());
/** The text id of a sign-in table: legacy cuids, or a random UUID for new rows
 *  (the uuid is converted to text on assignment; data/sql/0011_app_handoff.sql). */
const authId = () => text('id').primaryKey().default(sql`gen_random_uuid()`);

// ---------------------------------------------------------------------------
// Enums (the order of the values is the order ORDER BY uses)
// ---------------------------------------------------------------------------

export const organizationPriorityEnum = pgEnum('OrganizationPriority', ['A', 'B', 'C', 'D']);
export const organizationSegmentEnum = pgEnum('OrganizationSegment', [
  'FINE_DINING', 'FAST_FOOD', 'CASUAL_DINING', 'CATERING',
  'INSTITUTIONAL', 'HEALTHCARE', 'EDUCATION', 'CORPORATE',
]);
export const organizationTypeEnum = pgEnum('OrganizationType', ['PROSPECT', 'CUSTOMER', 'INACTIVE']);
export const organizationStatusEnum = pgEnum('OrganizationStatus', ['ACTIVE', 'INACTIVE', 'LEAD']);
export const interactionTypeEnum = pgEnum('InteractionType', [
  'CALL', 'EMAIL', 'MEETING', 'VISIT', 'SAMPLE_DELIVERY', 'TASTING', 'FOLLOW_UP', 'OTHER',
]);
export const interactionOutcomeEnum = pgEnum('InteractionOutcome', [
  'POSITIVE', 'NEUTRAL', 'NEGATIVE', 'FOLLOW_UP_NEEDED',
]);
export const opportunityStageEnum = pgEnum('OpportunityStage', [
  'PROSPECTING', 'QUALIFICATION', 'PROPOSAL', 'NEGOTIATION', 'CLOSED_WON', 'CLOSED_LOST',
]);
export const leadSourceEnum = pgEnum('LeadSource', [
  'WEBSITE', 'REFERRAL', 'TRADE_SHOW', 'COLD_CALL', 'SOCIAL_MEDIA', 'OTHER',
]);
export const leadStatusEnum = pgEnum('LeadStatus', ['NEW', 'CONTACTED', 'QUALIFIED', 'CONVERTED', 'LOST']);
export const contractStatusEnum = pgEnum('ContractStatus', [
  'DRAFT', 'PENDING', 'ACTIVE', 'EXPIRED', 'TERMINATED',
]);

// ---------------------------------------------------------------------------
// Authentication (Auth.js; pass these four to DrizzleAdapter as usersTable,
// accountsTable, sessionsTable, verificationTokensTable)
// ---------------------------------------------------------------------------

export const users = pgTable('User', {
  id: authId(),
  name: text('name'),
  email: text('email').notNull(),
  emailVerified: tstz('emailVerified'),
  image: text('image'),
  password: text('password'),
  role: text('role').notNull().default('user'),
  isActive: boolean('isActive').notNull().default(true),
  lastLoginAt: tstz('lastLoginAt'),
  resetToken: text('resetToken'),
  resetTokenExpiry: tstz('resetTokenExpiry'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('User_email_key').on(t.email),
  index('User_role_isActive_idx').on(t.role, t.isActive),
]);

export const accounts = pgTable('Account', {
  id: authId(),
  userId: text('userId').notNull(),
  type: text('type').notNull(),
  provider: text('provider').notNull(),
  providerAccountId: text('providerAccountId').notNull(),
  refresh_token: text('refresh_token'),
  access_token: text('access_token'),
  expires_at: integer('expires_at'),
  token_type: text('token_type'),
  scope: text('scope'),
  id_token: text('id_token'),
  session_state: text('session_state'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('Account_provider_providerAccountId_key').on(t.provider, t.providerAccountId),
  foreignKey({ name: 'Account_userId_fkey', columns: [t.userId], foreignColumns: [users.id] })
    .onUpdate('cascade').onDelete('cascade'),
  index('Account_userId_idx').on(t.userId),
]);

const sessionTable = pgTable('Session', {
  id: authId(),
  sessionToken: text('sessionToken').notNull(),
  userId: text('userId').notNull(),
  expires: tstz('expires').notNull(),
}, (t) => [
  unique('Session_sessionToken_key').on(t.sessionToken),
  foreignKey({ name: 'Session_userId_fkey', columns: [t.userId], foreignColumns: [users.id] })
    .onUpdate('cascade').onDelete('cascade'),
  index('Session_userId_idx').on(t.userId),
  index('Session_expires_idx').on(t.expires),
]);
/** The sessions, typed also as the adapter's sessions table. Its types want
 *  "sessionToken" to be the primary key; here (as in the legacy database)
 *  the key is id and the token is unique ("Session_sessionToken_key"). The
 *  adapter only ever finds, updates and deletes a session by its token, so
 *  that uniqueness is all it relies on, and the table passes to
 *  DrizzleAdapter as it is. The type is only a type: nothing changes at run
 *  time or in what drizzle-kit sees. */
export const sessions = sessionTable as typeof sessionTable & AdapterSessionsTable;

export const verificationTokens = pgTable('VerificationToken', {
  identifier: text('identifier').notNull(),
  token: text('token').notNull(),
  expires: tstz('expires').notNull(),
}, (t) => [
  primaryKey({ name: 'VerificationToken_pkey', columns: [t.identifier, t.token] }),
  unique('VerificationToken_token_key').on(t.token),
]);

// ---------------------------------------------------------------------------
// CRM
// ---------------------------------------------------------------------------

export const organizations = pgTable('Organization', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  priority: organizationPriorityEnum('priority').notNull(),
  segment: organizationSegmentEnum('segment').notNull(),
  type: organizationTypeEnum('type').notNull().default('PROSPECT'),
  address: text('address'),
  city: text('city'),
  state: text('state'),
  zipCode: text('zipCode'),
  phone: text('phone'),
  email: text('email'),
  website: text('website'),
  notes: text('notes'),
  estimatedRevenue: doublePrecision('estimatedRevenue'),
  employeeCount: integer('employeeCount'),
  primaryContact: text('primaryContact'),
  lastContactDate: tstz('lastContactDate'),
  nextFollowUpDate: tstz('nextFollowUpDate'),
  status: organizationStatusEnum('status').notNull().default('ACTIVE'),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  check('Organization_name_not_blank_check', sql`(btrim(${t.name}) <> ''::text)`),
  check('Organization_estimatedRevenue_nonnegative_check', sql`(${t.estimatedRevenue} >= (0)::double precision)`),
  check('Organization_employeeCount_nonnegative_check', sql`(${t.employeeCount} >= 0)`),
  check('Organization_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Organization_name_id_idx').on(t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_priority_name_id_idx').on(t.priority, t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_priority_updatedAt_id_idx').on(t.priority, t.updatedAt, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_priority_estimatedRevenue_id_idx').on(t.priority, t.estimatedRevenue, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_priority_type_estimatedRevenue_id_idx').on(t.priority, t.type, t.estimatedRevenue, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_segment_name_id_idx').on(t.segment, t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_segment_status_idx').on(t.segment, t.status),
  index('Organization_status_priority_name_id_idx').on(t.status, t.priority, t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_status_priority_segment_idx').on(t.status, t.priority, t.segment),
  index('Organization_type_name_id_idx').on(t.type, t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_state_name_id_idx').on(t.state, t.name, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_city_state_zipCode_id_idx').on(t.city, t.state, t.zipCode, t.id).with({ deduplicate_items: 'off' }),
  // the console's city sort, NULL-able columns coalesced (data/sql/0019_city_sort_index.sql)
  index('Organization_city_sort_idx').using('btree', sql`(${t.city} IS NULL)`, sql`COALESCE(${t.city}, ''::text)`, sql`(${t.state} IS NULL)`, sql`COALESCE(${t.state}, ''::text)`, sql`(${t.zipCode} IS NULL)`, sql`COALESCE(${t.zipCode}, ''::text)`, sql`${t.id}`).with({ deduplicate_items: 'off' }),
  index('Organization_updatedAt_id_idx').on(t.updatedAt, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_nextFollowUpDate_id_idx').on(t.nextFollowUpDate, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_lastContactDate_id_idx').on(t.lastContactDate, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_estimatedRevenue_id_idx').on(t.estimatedRevenue, t.id).with({ deduplicate_items: 'off' }),
  index('Organization_email_idx').using('btree', sql`lower(${t.email})`),
  // the console's :filter email=flagged (data/sql/0018_email_flags.sql)
  index('Organization_email_flagged_idx').on(t.id).where(sql`((${t.metadata} -> 'flags'::text) ? 'email'::text)`).with({ deduplicate_items: 'off' }),
  index('Organization_name_fts_idx').using('gin', sql`to_tsvector('simple'::regconfig, ${t.name})`),
  index('Organization_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
  index('Organization_state_city_sort_idx').using('btree', sql`${t.state}`, sql`(${t.city} IS NULL)`, sql`COALESCE(${t.city}, ''::text)`, sql`(${t.zipCode} IS NULL)`, sql`COALESCE(${t.zipCode}, ''::text)`, sql`${t.id}`).with({ deduplicate_items: 'off' }),
  index('Organization_state_city_name_id_idx').on(t.state, t.city, t.name, t.id).with({ deduplicate_items: 'off' }),
]);

export const contacts = pgTable('Contact', {
  id: uuid('id').primaryKey().defaultRandom(),
  firstName: text('firstName').notNull(),
  lastName: text('lastName').notNull(),
  email: text('email'),
  phone: text('phone'),
  position: text('position'),
  isPrimary: boolean('isPrimary').notNull().default(false),
  notes: text('notes'),
  organizationId: uuid('organizationId').notNull(),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ name: 'Contact_organizationId_fkey', columns: [t.organizationId], foreignColumns: [organizations.id] })
    .onUpdate('cascade').onDelete('cascade'),
  check('Contact_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Contact_lastName_firstName_id_idx').on(t.lastName, t.firstName, t.id).with({ deduplicate_items: 'off' }),
  index('Contact_organizationId_isPrimary_idx').on(t.organizationId, t.isPrimary),
  index('Contact_organizationId_createdAt_id_idx').on(t.organizationId, t.createdAt, t.id).with({ deduplicate_items: 'off' }),
  index('Contact_organizationId_position_idx').on(t.organizationId, t.position),
  index('Contact_name_fts_idx').using('gin',
    sql`to_tsvector('simple'::regconfig, (${t.firstName} || ' '::text) || ${t.lastName})`),
  index('Contact_name_trgm_idx').using('gin',
    sql`lower((${t.firstName} || ' '::text) || ${t.lastName}) gin_trgm_ops`),
  index('Contact_email_idx').using('btree', sql`lower(${t.email})`),
  index('Contact_email_flagged_idx').on(t.id).where(sql`((${t.metadata} -> 'flags'::text) ? 'email'::text)`).with({ deduplicate_items: 'off' }),
  index('Contact_email_id_idx').on(t.email, t.id).with({ deduplicate_items: 'off' }),
  index('Contact_updatedAt_id_idx').on(t.updatedAt, t.id).with({ deduplicate_items: 'off' }),
  index('Contact_createdAt_id_idx').on(t.createdAt, t.id).with({ deduplicate_items: 'off' }),
]);

export const interactions = pgTable('Interaction', {
  id: uuid('id').primaryKey().defaultRandom(),
  type: interactionTypeEnum('type').notNull(),
  subject: text('subject').notNull(),
  description: text('description'),
  date: tstz('date').notNull(),
  duration: integer('duration'),
  outcome: interactionOutcomeEnum('outcome'),
  nextAction: text('nextAction'),
  organizationId: uuid('organizationId').notNull(),
  contactId: uuid('contactId'),
  userId: text('userId'),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ name: 'Interaction_organizationId_fkey', columns: [t.organizationId], foreignColumns: [organizations.id] })
    .onUpdate('cascade').onDelete('cascade'),
  foreignKey({ name: 'Interaction_contactId_fkey', columns: [t.contactId], foreignColumns: [contacts.id] })
    .onUpdate('cascade').onDelete('set null'),
  foreignKey({ name: 'Interaction_userId_fkey', columns: [t.userId], foreignColumns: [users.id] })
    .onUpdate('cascade').onDelete('set null'),
  check('Interaction_duration_nonnegative_check', sql`(${t.duration} >= 0)`),
  check('Interaction_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Interaction_organizationId_date_id_idx').on(t.organizationId, t.date.desc().nullsFirst(), t.id.desc().nullsFirst()).with({ deduplicate_items: 'off' }),
  index('Interaction_contactId_date_id_idx').on(t.contactId, t.date.desc().nullsFirst(), t.id.desc().nullsFirst()).with({ deduplicate_items: 'off' }),
  index('Interaction_userId_date_id_idx').on(t.userId, t.date.desc().nullsFirst(), t.id.desc().nullsFirst()).with({ deduplicate_items: 'off' }),
  index('Interaction_date_idx').on(t.date),
]);

export const opportunities = pgTable('Opportunity', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  organizationId: uuid('organizationId').notNull(),
  contactId: uuid('contactId'),
  stage: opportunityStageEnum('stage').notNull(),
  value: money('value'),
  probability: integer('probability'),
  expectedCloseDate: tstz('expectedCloseDate'),
  notes: text('notes'),
  isActive: boolean('isActive').notNull().default(true),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ name: 'Opportunity_organizationId_fkey', columns: [t.organizationId], foreignColumns: [organizations.id] })
    .onUpdate('cascade').onDelete('cascade'),
  foreignKey({ name: 'Opportunity_contactId_fkey', columns: [t.contactId], foreignColumns: [contacts.id] })
    .onUpdate('cascade').onDelete('set null'),
  check('Opportunity_probability_range_check', sql`((${t.probability} >= 0) AND (${t.probability} <= 100))`),
  check('Opportunity_value_nonnegative_check', sql`(${t.value} >= (0)::numeric)`),
  check('Opportunity_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Opportunity_organizationId_stage_idx').on(t.organizationId, t.stage),
  index('Opportunity_contactId_idx').on(t.contactId),
  index('Opportunity_stage_isActive_value_idx').on(t.stage, t.isActive, t.value),
]);

export const leads = pgTable('Lead', {
  id: uuid('id').primaryKey().defaultRandom(),
  companyName: text('companyName').notNull(),
  contactName: text('contactName'),
  email: text('email'),
  phone: text('phone'),
  source: leadSourceEnum('source').notNull(),
  status: leadStatusEnum('status').notNull(),
  score: integer('score'),
  notes: text('notes'),
  organizationId: uuid('organizationId'),
  assignedToId: text('assignedToId'),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  foreignKey({ name: 'Lead_organizationId_fkey', columns: [t.organizationId], foreignColumns: [organizations.id] })
    .onUpdate('cascade').onDelete('set null'),
  foreignKey({ name: 'Lead_assignedToId_fkey', columns: [t.assignedToId], foreignColumns: [users.id] })
    .onUpdate('cascade').onDelete('set null'),
  check('Lead_score_range_check', sql`((${t.score} >= 0) AND (${t.score} <= 100))`),
  check('Lead_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Lead_organizationId_idx').on(t.organizationId),
  index('Lead_assignedToId_status_idx').on(t.assignedToId, t.status),
  index('Lead_status_source_idx').on(t.status, t.source),
]);

export const contracts = pgTable('Contract', {
  id: uuid('id').primaryKey().defaultRandom(),
  contractNumber: text('contractNumber').notNull(),
  title: text('title'),
  organizationId: uuid('organizationId').notNull(),
  contactId: uuid('contactId'),
  opportunityId: uuid('opportunityId'),
  status: contractStatusEnum('status').notNull(),
  startDate: tstz('startDate').notNull(),
  endDate: tstz('endDate'),
  value: money('value').notNull(),
  terms: text('terms'),
  signedAt: tstz('signedAt'),
  metadata: metadataColumn(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  unique('Contract_contractNumber_key').on(t.contractNumber),
  foreignKey({ name: 'Contract_organizationId_fkey', columns: [t.organizationId], foreignColumns: [organizations.id] })
    .onUpdate('cascade').onDelete('cascade'),
  foreignKey({ name: 'Contract_contactId_fkey', columns: [t.contactId], foreignColumns: [contacts.id] })
    .onUpdate('cascade').onDelete('set null'),
  foreignKey({ name: 'Contract_opportunityId_fkey', columns: [t.opportunityId], foreignColumns: [opportunities.id] })
    .onUpdate('cascade').onDelete('set null'),
  check('Contract_endDate_after_startDate_check', sql`(${t.endDate} >= ${t.startDate})`),
  check('Contract_value_nonnegative_check', sql`(${t.value} >= (0)::numeric)`),
  check('Contract_metadata_object_check', sql`(jsonb_typeof(${t.metadata}) = 'object'::text)`),
  index('Contract_organizationId_idx').on(t.organizationId),
  index('Contract_contactId_idx').on(t.contactId),
  index('Contract_opportunityId_idx').on(t.opportunityId),
  index('Contract_status_endDate_idx').on(t.status, t.endDate),
]);
