import { sql } from 'drizzle-orm';
import { refreshDaoAggregates } from '../db/aggregates.ts';
import { rowsOf } from '../db/index.ts';
import { getDao } from '../db/queries/daos.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal recompute [--dao slug]`: rebuilds the DAO figures and every metric rollup from the
 * raw rows, one DAO at a time (each in its own transaction, so a large database never holds one
 * huge transaction). Uses the very code the import and sync paths run.
 */
export async function recomputeCommand(options: { dao?: string }): Promise<number> {
  const { config } = commandContext();
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    const ids = options.dao
      ? [(await getDao(database.db, options.dao)).id]
      : (await rowsOf<{ id: number }>(database.db, sql`select id from daos order by id`)).map((r) => r.id);
    const started = performance.now();
    for (const id of ids) await refreshDaoAggregates(database.db, [id]);
    process.stdout.write(`Recomputed ${ids.length} DAO${ids.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
    return 0;
  } finally {
    await database.close();
  }
}
