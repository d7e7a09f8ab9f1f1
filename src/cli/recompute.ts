import os from 'node:os';
import { refreshDaoFigures } from '../db/aggregates.ts';
import { allDaoIds, getDao, storedVoteCounts } from '../db/queries/daos.ts';
import { analyzeRollupTables, rebuildRollups } from '../db/rollups.ts';
import { ValidationError } from '../errors.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal recompute [--dao slug] [--jobs n]`: rebuilds every metric rollup and the DAO figures
 * from the raw rows, one DAO per transaction (so a large database never holds one huge
 * transaction). The rebuild runs the same statements the incremental updates run on changed keys
 * only, so it reproduces what they stored.
 *
 * On PostgreSQL `jobs` DAOs are rebuilt at once, on their own connections (default: one per CPU of
 * this machine). Each DAO's rows and its advisory lock are its own, so the rebuilds never wait for
 * each other, and a database of many small DAOs is not bound by the round trips of one connection.
 * The largest DAOs start first, so the last one to finish is a small one. The embedded database
 * runs one statement at a time, so it rebuilds one DAO at a time.
 */
export async function recomputeCommand(options: { dao?: string; jobs?: string }): Promise<number> {
  const { config } = commandContext();
  const jobsAsked = options.jobs === undefined ? undefined : Number(options.jobs);
  if (jobsAsked !== undefined && !(Number.isInteger(jobsAsked) && jobsAsked >= 1 && jobsAsked <= 64))
    throw new ValidationError(`--jobs must be a whole number from 1 to 64, not '${options.jobs}'`);
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    const ids = options.dao ? [(await getDao(database.db, options.dao)).id] : await allDaoIds(database.db);
    const votes = await storedVoteCounts(database.db);
    ids.sort((a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0) || a - b);
    const jobs =
      database.kind === 'pglite'
        ? 1
        : Math.min(jobsAsked ?? os.availableParallelism(), config.database.poolSize, Math.max(ids.length, 1));
    const started = performance.now();
    let last = 0;
    let done = 0;
    // The rollup tables grow from what they held to their full size during the run. Their
    // statistics are refreshed each time the votes rolled up since the last ANALYZE reach the
    // votes rolled up before it (and at the end): a handful of ANALYZEs keep every DAO's plans made
    // for tables within about twice their real size. One ANALYZE runs at a time (a second one of
    // the same table would wait for the first); the other rebuilds go on meanwhile.
    let rolled = 0;
    let analyzedAt = 0;
    let analyzing: Promise<void> | undefined;
    const analyzeIfGrown = async () => {
      if (analyzing || rolled - analyzedAt < Math.max(analyzedAt, 10_000)) return;
      const upTo = rolled;
      analyzing = analyzeRollupTables(database.db);
      try {
        await analyzing;
        analyzedAt = upTo;
      } finally {
        analyzing = undefined;
      }
    };
    const queue = [...ids];
    const lane = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        await rebuildRollups(database.db, [id]);
        await refreshDaoFigures(database.db, [id]);
        rolled += votes.get(id) ?? 0;
        done++;
        await analyzeIfGrown();
        if (ids.length > 1 && performance.now() - last > 2000) {
          last = performance.now();
          process.stderr.write(`${done}/${ids.length} DAOs, ${((last - started) / 1000).toFixed(0)} s\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: jobs }, lane));
    await analyzing;
    await analyzeRollupTables(database.db);
    if (ids.length > 1)
      process.stderr.write(`${done}/${ids.length} DAOs, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    process.stdout.write(
      `Recomputed ${ids.length} DAO${ids.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
        `${jobs > 1 ? ` (${jobs} at a time)` : ''}.\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
