import type { Db } from '../db/index.ts';
import { daosWithRollupVersion, type VersionedDao } from '../db/queries/daos.ts';
import { NotFoundError } from '../errors.ts';
import { TurnBatch } from './turn-batch.ts';

/**
 * Reads DAO rows with their rollup versions for the metric routes, the reads that requests start
 * in the same turn of the event loop batched into one query (TurnBatch), so a rollup written by
 * any process before a request is always seen by it.
 */
export class DaoVersionLoader {
  private static readonly loaders = new WeakMap<Db, DaoVersionLoader>();

  /** The one loader of this process for a database handle (the primary or the replica). */
  static for(db: Db): DaoVersionLoader {
    let loader = DaoVersionLoader.loaders.get(db);
    if (!loader) DaoVersionLoader.loaders.set(db, (loader = new DaoVersionLoader(db)));
    return loader;
  }

  private readonly batch: TurnBatch<string, VersionedDao>;

  constructor(db: Db) {
    this.batch = new TurnBatch((keys) => daosWithRollupVersion(db, keys));
  }

  /** The DAOs named by `keys` (ids or slugs), in order; NotFoundError names the first unknown key. */
  async load(keys: string[]): Promise<VersionedDao[]> {
    const found = await this.batch.load(keys);
    const missing = keys.find((key) => !found.has(key));
    if (missing !== undefined) throw new NotFoundError('DAO', missing);
    return keys.map((key) => found.get(key)!);
  }
}
