import { defineConfig } from 'drizzle-kit';

// Only a drafting aid: `npm run db:draft` writes the SQL that src/db/schema/ implies into .tmp/,
// to copy into the next numbered file of src/db/migrations/ (which is what actually runs).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './.tmp/drizzle',
});
