// relations.ts - Drizzle relations between the tables of schema.ts, for
// db.query.<table>.findMany({ with: ... }). They follow the foreign keys of
// data/sql/0002_core_schema.sql one for one; relations are not stored in
// the database, so drizzle-kit ignores this file.
// Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
//
//   import * as schema from './schema';
//   import * as relations from './relations';
//   const db = drizzle(pool, { schema: { ...schema, ...relations } });

import { relations } from 'drizzle-orm';
import {
  accounts,
  contacts,
  contracts,
  interactions,
  leads,
  opportunities,
  organizations,
  sessions,
  users,
} from './schema';

export const usersRelations = relations(users, ({ many }) => ({
  accounts: many(accounts),
  sessions: many(sessions),
  interactions: many(interactions),
  assignedLeads: many(leads),
}));

export const accountsRelations = relations(accounts, ({ one }) => ({
  user: one(users, { fields: [accounts.userId], references: [users.id] }),
}));

export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
}));

export const organizationsRelations = relations(organizations, ({ many }) => ({
  contacts: many(contacts),
  interactions: many(interactions),
  opportunities: many(opportunities),
  leads: many(leads),
  contracts: many(contracts),
}));

export const contactsRelations = relations(contacts, ({ one, many }) => ({
  organization: one(organizations, {
    fields: [contacts.organizationId],
    references: [organizations.id],
  }),
  interactions: many(interactions),
  opportunities: many(opportunities),
  contracts: many(contracts),
}));

export const interactionsRelations = relations(interactions, ({ one }) => ({
  organization: one(organizations, {
    fields: [interactions.organizationId],
    references: [organizations.id],
  }),
  contact: one(contacts, { fields: [interactions.contactId], references: [contacts.id] }),
  user: one(users, { fields: [interactions.userId], references: [users.id] }),
}));

export const opportunitiesRelations = relations(opportunities, ({ one, many }) => ({
  organization: one(organizations, {
    fields: [opportunities.organizationId],
    references: [organizations.id],
  }),
  contact: one(contacts, { fields: [opportunities.contactId], references: [contacts.id] }),
  contracts: many(contracts),
}));

export const leadsRelations = relations(leads, ({ one }) => ({
  organization: one(organizations, {
    fields: [leads.organizationId],
    references: [organizations.id],
  }),
  assignedTo: one(users, { fields: [leads.assignedToId], references: [users.id] }),
}));

export const contractsRelations = relations(contracts, ({ one }) => ({
  organization: one(organizations, {
    fields: [contracts.organizationId],
    references: [organizations.id],
  }),
  contact: one(contacts, { fields: [contracts.contactId], references: [contacts.id] }),
  opportunity: one(opportunities, {
    fields: [contracts.opportunityId],
    references: [opportunities.id],
  }),
}));
