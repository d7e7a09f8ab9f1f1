import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/db/schema.ts and committed; they run unchanged on PGlite and PostgreSQL.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './src/db/migrations',
});
