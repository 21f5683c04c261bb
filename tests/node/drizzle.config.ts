// drizzle.config.ts - drizzle-kit's configuration as the application team
// would write it, with the paths and the database from the environment so
// that tests/drizzle.sh can point it at each of its databases.
export default {
  dialect: 'postgresql',
  schema: process.env.DRIZZLE_SCHEMA ?? './db/schema.ts',
  out: process.env.DRIZZLE_OUT ?? './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
  migrations: {
    schema: process.env.DRIZZLE_MIGRATIONS_SCHEMA || 'drizzle',
    table: process.env.DRIZZLE_MIGRATIONS_TABLE || '__drizzle_migrations',
  },
  strict: false,
  verbose: true,
};
