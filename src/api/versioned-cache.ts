import type { VersionedDao } from '../db/queries/daos.ts';
import { cacheRequests } from '../monitoring/index.ts';

interface Entry<T> {
  /** The data versions (see daoStamp) the value was computed at. */
  stamp: string;
  at: number;
  value: Promise<T>;
  settled: boolean;
  /** A recompute of this key is running (at most one at a time). */
  refreshing: boolean;
  /** The value's size as JSON (0 until it is computed). */
  bytes: number;
}

export interface VersionedCacheOptions<T> {
  /** The `cache` label of dao_portal_cache_requests_total. */
  name: string;
  /** Most entries kept. */
  maxEntries: number;
  /** Most bytes kept, counted as the values' JSON length (the answers' size before compression). */
  maxBytes: number;
  /** Past this age an entry is served once more while it is recomputed in the background. */
  ttlMs: number;
  /**
   * What a request whose stamp differs from the entry's (a write since) gets: 'recompute' waits for
   * a fresh value; 'stale' gets the previous value at once while one recompute runs, and the
   * requests after it has finished get the new value.
   */
  onChange: 'recompute' | 'stale';
  /** The size an entry counts toward maxBytes (default: its JSON length). */
  sizeOf?: (value: T) => number;
}

/**
 * The bounds of the caches of answers over several DAOs (comparison, enhanced series,
 * leaderboards), each: at most 2,000 entries and 32 MB of JSON (about twelve of the largest
 * enhanced answers, 2.5 MB each), recomputed in the background past 30 s. The routes also keep
 * each entry's response body beside it (src/api/cached-json.ts), about as many bytes again.
 */
export const METRIC_CACHE = { maxEntries: 2000, maxBytes: 32 * 1024 * 1024, ttlMs: 30_000 } as const;

/** The versions of a set of DAOs a cached answer depends on: each DAO's rollup version and row update time. */
export function daoStamp(daos: readonly VersionedDao[]): string {
  return daos.map(({ dao, version }) => `${dao.id}:${version}:${new Date(dao.updatedAt).getTime()}`).join(',');
}

/**
 * Recently computed answers, per process, each valid for the stamp (data versions) it was computed
 * at; callers read the stamp on every request (DaoVersionLoader), so a write by any process is seen
 * by the next request. Concurrent requests for a key share one computation, and a key is never
 * recomputed twice at once (no stampede after a write or at the TTL). A failed computation is not
 * kept. Memory is bounded by maxEntries and maxBytes; least recently used entries go first, and a
 * value larger than maxBytes alone is served but not kept.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private bytes = 0;
  private readonly sizeOf: (value: T) => number;

  constructor(private readonly options: VersionedCacheOptions<T>) {
    this.sizeOf = options.sizeOf ?? ((value) => JSON.stringify(value)?.length ?? 0);
  }

  /** Entries and bytes held now. */
  get size() {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string, stamp: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      const current = hit.stamp === stamp;
      if (current || (this.options.onChange === 'stale' && hit.settled)) {
        cacheRequests.inc({ cache: this.options.name, result: current ? 'hit' : 'stale' });
        // Most recently used last.
        this.entries.delete(key);
        this.entries.set(key, hit);
        const old = Date.now() - hit.at >= this.options.ttlMs;
        if ((old || !current) && !hit.refreshing) this.refresh(key, hit, stamp, compute);
        return hit.value;
      }
    }
    cacheRequests.inc({ cache: this.options.name, result: 'miss' });
    const entry = this.put(key, stamp, compute());
    return entry.value;
  }

  private put(key: string, stamp: string, value: Promise<T>): Entry<T> {
    this.remove(key);
    const entry: Entry<T> = { stamp, at: Date.now(), value, settled: false, refreshing: false, bytes: 0 };
    this.entries.set(key, entry);
    value.then(
      (v) => this.settle(key, entry, v),
      () => this.entries.get(key) === entry && this.remove(key),
    );
    this.evict();
    return entry;
  }

  private settle(key: string, entry: Entry<T>, value: T) {
    entry.settled = true;
    if (this.entries.get(key) !== entry) return;
    entry.bytes = this.sizeOf(value);
    this.bytes += entry.bytes;
    this.evict();
  }

  /** Recomputes `key` for `stamp` while `stale` is served; the result replaces it unless it was dropped meanwhile. */
  private refresh(key: string, stale: Entry<T>, stamp: string, compute: () => Promise<T>) {
    stale.refreshing = true;
    const value = compute();
    value.then(
      (v) => {
        if (this.entries.get(key) !== stale) return;
        this.remove(key);
        const entry: Entry<T> = { stamp, at: Date.now(), value, settled: false, refreshing: false, bytes: 0 };
        this.entries.set(key, entry);
        this.settle(key, entry, v);
      },
      () => {
        stale.refreshing = false;
      },
    );
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }

  private evict() {
    while (this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.remove(oldest.value);
    }
  }
}
