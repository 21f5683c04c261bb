// auth.ts - every Auth.js adapter call the application's sign-in uses, through
// @auth/drizzle-adapter over the shipped schema's "User", "Account",
// "Session" and "VerificationToken", against a migrated database. Checks
// the values in their columns with plain SQL, not only through the adapter.
//
// Environment: DATABASE_URL.
import { DrizzleAdapter } from '@auth/drizzle-adapter';
import type { AdapterAccount, AdapterUser } from '@auth/core/adapters';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';

import { authTables } from './db/auth';
import * as relations from './db/relations';
import * as schema from './db/schema';
import { accounts, sessions, users, verificationTokens } from './db/schema';
import { is, main, ok } from './check';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const db = drizzle(pool, { schema: { ...schema, ...relations } });
// The tables as they are, the way the application passes them.
const adapter = DrizzleAdapter(db, {
  usersTable: users,
  accountsTable: accounts,
  sessionsTable: sessions,
  verificationTokensTable: verificationTokens,
});
// And the shipped shorthand for the same.
const viaAuthTables = DrizzleAdapter(db, authTables);

async function row(query: ReturnType<typeof sql>): Promise<Record<string, unknown> | undefined> {
  return (await db.execute(query)).rows[0] as Record<string, unknown> | undefined;
}

async function body(): Promise<void> {
  const email = `ada.${Date.now()}@example.com`;

  // createUser: Auth.js hands over no id the database should keep; the
  // column's default makes one.
  const newUser = { name: 'Ada Lovelace', email, emailVerified: null, image: null } as unknown as AdapterUser;
  const user = await adapter.createUser!(newUser);
  ok(typeof user.id === 'string' && user.id.length > 0, 'createUser (no id given) makes the user', user);
  const stored = await row(sql`SELECT id, role, "isActive" FROM "User" WHERE email = ${email}`);
  is(stored?.id, user.id, 'the database made its id');
  is(`${stored?.role}/${stored?.isActive}`, 'user/true', 'role and isActive take their defaults');

  is((await adapter.getUser!(user.id))?.email, email, 'getUser finds the user by id');
  const verified = new Date(Date.now() - 60_000);
  const upd0 = await adapter.updateUser!({ id: user.id, emailVerified: verified });
  ok(upd0.emailVerified instanceof Date && upd0.emailVerified.getTime() === verified.getTime(),
     'updateUser sets emailVerified, read back as a Date');
  is((await viaAuthTables.getUserByEmail!(email))?.id, user.id, 'the adapter built from authTables finds it too');
  const byEmail = await adapter.getUserByEmail!(email);
  is(byEmail?.id, user.id, 'getUserByEmail finds the user');
  ok(byEmail?.emailVerified instanceof Date, 'emailVerified comes back as a Date');
  is(await adapter.getUserByEmail!('nobody@example.com'), null, 'getUserByEmail of an unknown address is null');

  // linkAccount: OAuth tokens go to their snake_case columns.
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const account: AdapterAccount = {
    userId: user.id,
    type: 'oauth',
    provider: 'github',
    providerAccountId: `gh-${Date.now()}`,
    access_token: 'access-token-value',
    refresh_token: 'refresh-token-value',
    id_token: 'id-token-value',
    expires_at: expiresAt,
    token_type: 'bearer',
    scope: 'read:user user:email',
    session_state: 'state-value',
  };
  await adapter.linkAccount!(account);
  const acct = await row(sql`SELECT id, access_token, refresh_token, id_token, expires_at, token_type,
                                    scope, session_state
                             FROM "Account" WHERE "providerAccountId" = ${account.providerAccountId}`);
  ok(typeof acct?.id === 'string' && (acct.id as string).length > 0, 'linkAccount stores the account with a database-made id');
  is(acct?.access_token, 'access-token-value', 'access_token in its column');
  is(acct?.refresh_token, 'refresh-token-value', 'refresh_token in its column');
  is(acct?.id_token, 'id-token-value', 'id_token in its column');
  is(acct?.expires_at, expiresAt, 'expires_at in its column (epoch seconds)');
  is(`${acct?.token_type}|${acct?.scope}|${acct?.session_state}`, 'bearer|read:user user:email|state-value',
     'token_type, scope and session_state in their columns');

  const byAccount = await adapter.getUserByAccount!({ provider: 'github', providerAccountId: account.providerAccountId });
  is(byAccount?.id, user.id, 'getUserByAccount finds the user');
  const acct2 = await adapter.getAccount!(account.providerAccountId, 'github');
  is(acct2?.access_token, 'access-token-value', 'getAccount reads the tokens back');
  let duplicate = false;
  try {
    await adapter.linkAccount!({ ...account, userId: user.id });
  } catch {
    duplicate = true;
  }
  ok(duplicate, 'the same provider account cannot be linked twice (unique provider, providerAccountId)');

  // Sessions.
  const tomorrow = new Date(Date.now() + 86400_000);
  const session = await adapter.createSession!({ sessionToken: `tok-${Date.now()}`, userId: user.id, expires: tomorrow });
  ok(session.expires instanceof Date, 'createSession returns expires as a Date');
  const sid = await row(sql`SELECT id FROM "Session" WHERE "sessionToken" = ${session.sessionToken}`);
  ok(typeof sid?.id === 'string' && (sid.id as string).length > 0, 'createSession stores the session with a database-made id');
  const got = await adapter.getSessionAndUser!(session.sessionToken);
  is(got?.user.id, user.id, 'getSessionAndUser gives the session and its user');
  ok(got !== null && got.session.expires instanceof Date && got.session.expires.getTime() === tomorrow.getTime(),
     'with expires as the same Date');

  const yesterday = new Date(Date.now() - 86400_000);
  const old = await adapter.createSession!({ sessionToken: `old-${Date.now()}`, userId: user.id, expires: yesterday });
  const expired = await adapter.getSessionAndUser!(old.sessionToken);
  // Auth.js itself treats a session as expired when expires.valueOf() < Date.now().
  ok(expired !== null && expired.session.expires instanceof Date && expired.session.expires.valueOf() < Date.now(),
     'an expired session reads as expired (a Date in the past)', expired);

  const later = new Date(Date.now() + 7 * 86400_000);
  const upd = await adapter.updateSession!({ sessionToken: session.sessionToken, expires: later });
  ok(upd?.expires instanceof Date && upd.expires.getTime() === later.getTime(), 'updateSession moves expires');
  await adapter.deleteSession!(session.sessionToken);
  is(await adapter.getSessionAndUser!(session.sessionToken), null, 'deleteSession removes it');

  // Verification tokens: usable once.
  const vt = { identifier: email, token: `vt-${Date.now()}`, expires: tomorrow };
  const made = await adapter.createVerificationToken!(vt);
  ok(made?.expires instanceof Date, 'createVerificationToken stores the token');
  const used = await adapter.useVerificationToken!({ identifier: email, token: vt.token });
  is(used?.token, vt.token, 'useVerificationToken gives it back once');
  is(await adapter.useVerificationToken!({ identifier: email, token: vt.token }), null, 'and null the second time');

  // A legacy user keeps its cuid and signs in like a new one.
  const legacy = await row(sql`SELECT id, email FROM "User" WHERE id !~ '^[0-9a-f-]{36}$' ORDER BY id LIMIT 1`);
  if (legacy) {
    const s = await adapter.createSession!({ sessionToken: `legacy-${Date.now()}`, userId: String(legacy.id), expires: tomorrow });
    const g = await adapter.getSessionAndUser!(s.sessionToken);
    is(g?.user.id, String(legacy.id), 'a migrated user (legacy text id) gets a session');
    await adapter.deleteSession!(s.sessionToken);
  } else {
    ok(false, 'the migrated data has a user with a legacy text id');
  }

  await adapter.unlinkAccount!({ provider: 'github', providerAccountId: account.providerAccountId });
  is(await adapter.getUserByAccount!({ provider: 'github', providerAccountId: account.providerAccountId }), null,
     'unlinkAccount removes the account');
  await adapter.deleteUser!(user.id);
  is((await row(sql`SELECT count(*)::int AS n FROM "Session" WHERE "userId" = ${user.id}`))?.n, 0,
     'deleteUser removes the user and its sessions');
  is(await adapter.getUser!(user.id), null, 'getUser of a deleted user is null');
}

await main(body, () => pool.end());
