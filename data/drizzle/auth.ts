// auth.ts - the four sign-in tables of schema.ts as @auth/drizzle-adapter
// takes them:
//   import { authTables } from './auth';
//   const adapter = DrizzleAdapter(db, authTables);
// Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
//
// Why a file of its own: the adapter's types want "Session"."sessionToken"
// to be the primary key. In this database (and the legacy one) the primary
// key is id and the token is unique ("Session_sessionToken_key"); the
// adapter only ever finds, updates and deletes sessions by their token, so
// that uniqueness is all it relies on. The one cast below says so once,
// instead of in every application file that builds the adapter. Nothing
// here is imported at run time but the tables (the import of the adapter is
// a type).
import type { DrizzleAdapter } from '@auth/drizzle-adapter';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

import { accounts, sessions, users, verificationTokens } from './schema';

type PostgresAuthTables = NonNullable<
  Parameters<typeof DrizzleAdapter<PgDatabase<PgQueryResultHKT, any>>>[1]
>;

export const authTables = {
  usersTable: users,
  accountsTable: accounts,
  sessionsTable: sessions as unknown as NonNullable<PostgresAuthTables['sessionsTable']>,
  verificationTokensTable: verificationTokens,
} satisfies PostgresAuthTables;
