// queries.ts - the migration plan's example queries (DZ-005, DZ-007, DZ-013),
// written against the shipped schema as the application would, run against
// a database that `pantrycrm db migrate` built and `pantrycrm migrate`
// filled. tsc --strict type-checks this file before it runs.
//
// Environment: DATABASE_URL; LEGACY_ORG_ID and LEGACY_ORG_UUID, a legacy
// organization id that is not a canonical UUID and the id its row has in the
// target (tests/drizzle.sh reads both from the source and the target).
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';

import * as relations from './db/relations';
import * as schema from './db/schema';
import { contacts, interactions, organizations } from './db/schema';
import { is, main, ok } from './check';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const db = drizzle(pool, { schema: { ...schema, ...relations } });

type Organization = typeof organizations.$inferSelect;
type NewOrganization = typeof organizations.$inferInsert;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function body(): Promise<void> {
  // Create (DZ-013): only the required columns; the database fills the rest.
  const newOrg: Organization[] = await db.insert(organizations).values({
    name: 'New Restaurant',
    priority: 'A',
    segment: 'FINE_DINING',
  }).returning();
  is(newOrg.length, 1, 'insert returns the new organization');
  const org = newOrg[0]!;
  ok(UUID_RE.test(org.id), 'its id is a database-made UUID', org.id);
  is(`${org.type}/${org.status}`, 'PROSPECT/ACTIVE', 'type and status take their defaults');
  ok(org.createdAt instanceof Date && org.updatedAt instanceof Date, 'timestamps come back as Date',
     typeof org.createdAt);
  is(JSON.stringify(org.metadata), '{}', 'metadata defaults to an empty object');

  // Read (DZ-013): ACTIVE organizations, most recently updated first.
  const orgs = await db
    .select()
    .from(organizations)
    .where(eq(organizations.status, 'ACTIVE'))
    .orderBy(desc(organizations.updatedAt));
  ok(orgs.length > 100, 'the migrated ACTIVE organizations are read', orgs.length);
  ok(orgs.every((o) => o.status === 'ACTIVE'), 'all of them ACTIVE');
  ok(orgs.every((o, i) => i === 0 || orgs[i - 1]!.updatedAt.getTime() >= o.updatedAt.getTime()),
     'in descending updatedAt order (Date values compare)');
  ok(orgs.every((o) => typeof o.metadata === 'object' && o.metadata !== null && !Array.isArray(o.metadata)),
     'every migrated metadata value is an object');
  const withRevenue = orgs.find((o) => o.estimatedRevenue !== null);
  ok(withRevenue !== undefined && typeof withRevenue.estimatedRevenue === 'number',
     'estimatedRevenue reads as a number (double precision)');

  // Update (DZ-013).
  const updated = await db
    .update(organizations)
    .set({ priority: 'B' })
    .where(eq(organizations.id, org.id))
    .returning();
  is(updated[0]?.priority, 'B', 'update returns the changed row');
  const longAgo = new Date('2020-01-01T00:00:00Z');
  await db.update(organizations).set({ updatedAt: longAgo }).where(eq(organizations.id, org.id));
  const [touched] = await db
    .update(organizations)
    .set({ notes: 'called back' })
    .where(eq(organizations.id, org.id))
    .returning();
  ok(touched !== undefined && touched.updatedAt.getTime() > longAgo.getTime(),
     'an update that does not name updatedAt still moves it (as Prisma\'s @updatedAt did)');

  // Complex query with a join (DZ-013): a migrated organization with contacts.
  const [withContacts] = await db
    .select({ id: contacts.organizationId, n: count() })
    .from(contacts)
    .groupBy(contacts.organizationId)
    .orderBy(desc(count()), asc(contacts.organizationId))
    .limit(1);
  ok(withContacts !== undefined, 'some migrated organization has contacts');
  const orgId = withContacts!.id;
  const orgWithContacts = await db
    .select({ organization: organizations, contacts: contacts })
    .from(organizations)
    .leftJoin(contacts, eq(contacts.organizationId, organizations.id))
    .where(eq(organizations.id, orgId));
  is(orgWithContacts.length, withContacts!.n, 'the left join gives one row per contact');
  ok(orgWithContacts.every((r) => r.contacts !== null && r.contacts.organizationId === orgId),
     'each with its contact');

  // The plan's analytics query (DZ-007), aggregates over joins.
  const [analytics] = await db
    .select({
      id: organizations.id,
      contactCount: count(contacts.id),
      lastInteraction: sql<Date | null>`MAX(${interactions.createdAt})`.mapWith(
        (v: string | null) => (v === null ? null : new Date(v))),
    })
    .from(organizations)
    .leftJoin(contacts, eq(contacts.organizationId, organizations.id))
    .leftJoin(interactions, eq(interactions.organizationId, organizations.id))
    .where(eq(organizations.id, orgId))
    .groupBy(organizations.id);
  ok(analytics !== undefined && analytics.contactCount > 0, 'aggregates over the joins');

  // A transaction (DZ-005): both rows or none.
  const made = await db.transaction(async (tx) => {
    const [o] = await tx.insert(organizations)
      .values({ name: 'Transaction Bistro', priority: 'C', segment: 'CATERING' } satisfies NewOrganization)
      .returning({ id: organizations.id });
    const [c] = await tx.insert(contacts)
      .values({ firstName: 'Ada', lastName: 'Tx', organizationId: o!.id, isPrimary: true })
      .returning({ id: contacts.id });
    return { org: o!.id, contact: c!.id };
  });
  is((await db.select().from(contacts).where(eq(contacts.id, made.contact))).length, 1,
     'a committed transaction keeps its rows');
  let rolledBack = false;
  try {
    await db.transaction(async (tx) => {
      await tx.insert(organizations).values({ name: 'Never There', priority: 'D', segment: 'CORPORATE' });
      // A blank name violates Organization_name_not_blank_check.
      await tx.insert(organizations).values({ name: '   ', priority: 'D', segment: 'CORPORATE' });
    });
  } catch {
    rolledBack = true;
  }
  ok(rolledBack, 'a check constraint aborts the transaction');
  is((await db.select().from(organizations).where(eq(organizations.name, 'Never There'))).length, 0,
     'and nothing of it stays');

  // db.query with relations (DZ-004 relations).
  const found = await db.query.organizations.findFirst({
    where: eq(organizations.id, orgId),
    with: {
      contacts: { with: { interactions: true } },
      interactions: { orderBy: [desc(interactions.date)], limit: 5, with: { contact: true, user: true } },
      opportunities: { with: { contracts: true } },
      leads: { with: { assignedTo: true } },
      contracts: true,
    },
  });
  ok(found !== undefined, 'db.query finds the organization');
  is(found?.contacts.length, withContacts!.n, 'with its contacts');
  ok((found?.interactions ?? []).every((i) => i.date instanceof Date && i.organizationId === orgId),
     'and its latest interactions, dates as Date');
  const contact = await db.query.contacts.findFirst({
    where: eq(contacts.id, made.contact),
    with: { organization: true },
  });
  is(contact?.organization.name, 'Transaction Bistro', 'a contact reaches its organization');

  const someUser = await db.query.users.findFirst({
    with: { accounts: true, sessions: { with: { user: true } }, assignedLeads: { limit: 2 } },
  });
  ok(someUser !== undefined && Array.isArray(someUser.sessions) && Array.isArray(someUser.accounts),
     'db.query reaches a user\'s accounts and sessions');
  const sessionRow: typeof schema.sessions.$inferSelect | undefined = someUser?.sessions[0];
  ok(sessionRow === undefined || sessionRow.expires instanceof Date, 'a session\'s expires is a Date');

  // Search as the console's indexes serve it: the 'simple' configuration.
  const hits = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(sql`to_tsvector('simple', ${organizations.name}) @@ plainto_tsquery('simple', ${'bistro transaction'})`);
  ok(hits.some((h) => h.id === made.org), 'full-text search with the simple configuration finds the name');
  const plan = await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL enable_seqscan = off`);
    const r = await tx.execute(sql`EXPLAIN SELECT id FROM ${organizations}
      WHERE to_tsvector('simple', ${organizations.name}) @@ plainto_tsquery('simple', ${'bistro'})`);
    return r.rows.map((row) => String(Object.values(row)[0])).join('\n');
  });
  ok(plan.includes('Organization_name_fts_idx'), 'and uses the console\'s full-text index', plan);

  // An old link: a legacy id that was not a UUID finds its row.
  const legacyId = process.env.LEGACY_ORG_ID ?? '';
  const byLegacy = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, sql<string>`legacy_uuid('Organization', ${legacyId})`));
  is(byLegacy[0]?.id, process.env.LEGACY_ORG_UUID, `legacy id ${legacyId} finds its organization`);
  const upper = (process.env.LEGACY_ORG_UUID ?? '').toUpperCase();
  const byUpper = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, sql<string>`legacy_uuid('Organization', ${upper})`));
  is(byUpper[0]?.id, process.env.LEGACY_ORG_UUID, 'an upper-case UUID finds it too');

  // Clean up what this run made, so that the database is as migrated.
  await db.delete(organizations).where(and(eq(organizations.id, made.org)));
  await db.delete(organizations).where(eq(organizations.id, org.id));
}

await main(body, () => pool.end());
