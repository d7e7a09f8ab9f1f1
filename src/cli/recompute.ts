import { refreshDaoFigures } from '../db/aggregates.ts';
import { allDaoIds, getDao, storedVoteCounts } from '../db/queries/daos.ts';
import { analyzeRollupTables, rebuildRollups } from '../db/rollups.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal recompute [--dao slug]`: rebuilds every metric rollup and the DAO figures from the
 * raw rows, one DAO at a time (each in its own transaction, so a large database never holds one
 * huge transaction). The rebuild runs the same statements the incremental updates run on changed
 * keys only, so it reproduces what they stored.
 */
export async function recomputeCommand(options: { dao?: string }): Promise<number> {
  const { config } = commandContext();
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    const ids = options.dao ? [(await getDao(database.db, options.dao)).id] : await allDaoIds(database.db);
    const started = performance.now();
    let last = 0;
    // The rollup tables grow from what they held to their full size during the run. Their
    // statistics are refreshed each time the votes rolled up since the last ANALYZE reach the
    // votes rolled up before it (and at the end): a handful of ANALYZEs keep every DAO's plans made
    // for tables within about twice their real size.
    const votes = await storedVoteCounts(database.db);
    let rolled = 0;
    let analyzedAt = 0;
    for (const [i, id] of ids.entries()) {
      await rebuildRollups(database.db, [id]);
      await refreshDaoFigures(database.db, [id]);
      rolled += votes.get(id) ?? 0;
      if (rolled - analyzedAt >= Math.max(analyzedAt, 10_000) || i === ids.length - 1) {
        await analyzeRollupTables(database.db);
        analyzedAt = rolled;
      }
      if (ids.length > 1 && (performance.now() - last > 2000 || i === ids.length - 1)) {
        last = performance.now();
        process.stderr.write(`${i + 1}/${ids.length} DAOs, ${((last - started) / 1000).toFixed(0)} s\n`);
      }
    }
    process.stdout.write(
      `Recomputed ${ids.length} DAO${ids.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
