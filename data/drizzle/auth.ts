// auth.ts - the four sign-in tables of schema.ts as @auth/drizzle-adapter
// takes them:
//   import { authTables } from './auth';
//   const adapter = DrizzleAdapter(db, authTables);
// which is the same as passing usersTable: users, accountsTable: accounts,
// sessionsTable: sessions, verificationTokensTable: verificationTokens.
// Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
import { accounts, sessions, users, verificationTokens } from './schema';

export const authTables = {
  usersTable: users,
  accountsTable: accounts,
  sessionsTable: sessions,
  verificationTokensTable: verificationTokens,
};
