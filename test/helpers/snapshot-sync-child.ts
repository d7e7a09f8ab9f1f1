/**
 * Child process of the SIGKILL test: syncs the given DAOs from a stand-in hub into a database
 * (PostgreSQL URL or embedded directory) with runSync, printing one line per committed page so the
 * parent can kill it at random points. Env: HUB_URL, DATABASE_URL | DATA_DIR, DAOS (slugs), PAGE_SIZE.
 */
import { openDatabase } from '../../src/db/index.ts';
import { runSync } from '../../src/sync/run.ts';
import { daoBySlug, quiet, snapshotSource } from './snapshot-sync.ts';

const env = process.env;
const database = await openDatabase(
  env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 2 } : { dataDir: env.DATA_DIR },
);
const { source } = snapshotSource({ url: env.HUB_URL!, pageSize: Number(env.PAGE_SIZE ?? 1000) });
process.stdout.write('ready\n');
for (const slug of (env.DAOS ?? '').split(',')) {
  const dao = await daoBySlug(database, slug);
  await runSync({
    database,
    dao,
    source,
    logger: quiet,
    progress: (done) => process.stdout.write(`page ${slug} ${done}\n`),
  });
}
await database.close();
process.stdout.write('done\n');
