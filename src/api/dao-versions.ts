import type { Db } from '../db/index.ts';
import { daosWithRollupVersion, type VersionedDao } from '../db/queries/daos.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Reads DAO rows with their rollup versions for the metric routes, batching the reads that
 * requests start in the same turn of the event loop into one query. Under load this turns one
 * round trip per request into one per turn, while each request still reads after it arrived, so
 * a rollup written by any process before a request is always seen by it.
 */
export class DaoVersionLoader {
  private static readonly loaders = new WeakMap<Db, DaoVersionLoader>();

  /** The one loader of this process for a database handle (the primary or the replica). */
  static for(db: Db): DaoVersionLoader {
    let loader = DaoVersionLoader.loaders.get(db);
    if (!loader) DaoVersionLoader.loaders.set(db, (loader = new DaoVersionLoader(db)));
    return loader;
  }

  private pending: Array<{
    keys: string[];
    resolve: (rows: VersionedDao[]) => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(private readonly db: Db) {}

  /** The DAOs named by `keys` (ids or slugs), in order; NotFoundError names the first unknown key. */
  load(keys: string[]): Promise<VersionedDao[]> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ keys, resolve, reject });
    });
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    let found: Map<string, VersionedDao>;
    try {
      found = await daosWithRollupVersion(this.db, [...new Set(batch.flatMap((b) => b.keys))]);
    } catch (error) {
      for (const request of batch) request.reject(error);
      return;
    }
    for (const request of batch) {
      const missing = request.keys.find((key) => !found.has(key));
      if (missing !== undefined) request.reject(new NotFoundError('DAO', missing));
      else request.resolve(request.keys.map((key) => found.get(key)!));
    }
  }
}
