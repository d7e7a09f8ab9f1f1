import type { Db } from '../db/index.ts';

/**
 * Collects the keys that requests ask for in the same turn of the event loop and reads them all
 * in one query. Under load this turns one round trip per request into one per turn, while each
 * request still reads after it arrived, so a write made by any process before a request is seen
 * by it. Every request of a batch gets the whole answer (keys that matched nothing are absent),
 * or the batch's error.
 */
export class TurnBatch<K, V> {
  private pending: Array<{ keys: K[]; resolve: (found: Map<K, V>) => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly read: (keys: K[]) => Promise<Map<K, V>>) {}

  load(keys: K[]): Promise<Map<K, V>> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ keys, resolve, reject });
    });
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    try {
      const found = await this.read([...new Set(batch.flatMap((request) => request.keys))]);
      for (const request of batch) request.resolve(found);
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  }
}

/**
 * One TurnBatch per database handle for `read`: the primary's and the replica's reads are batched
 * apart (a request reads where its routing sent it).
 */
export function turnBatchPerDb<K, V>(read: (db: Db, keys: K[]) => Promise<Map<K, V>>): (db: Db) => TurnBatch<K, V> {
  const batches = new WeakMap<Db, TurnBatch<K, V>>();
  return (db) => {
    let batch = batches.get(db);
    if (!batch) batches.set(db, (batch = new TurnBatch((keys) => read(db, keys))));
    return batch;
  };
}
