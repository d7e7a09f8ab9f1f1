import type { Db } from '../db/index.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import { daoSummary, type MetricWindow } from '../db/queries/metrics.ts';
import type { ConcentrationFigures } from '../metrics/concentration.ts';
import { cacheRequests } from '../monitoring/index.ts';

type Summary = Awaited<ReturnType<typeof daoSummary>>;

interface Entry {
  /** The DAO's rollup version and row update time the value was computed at. */
  stamp: string;
  at: number;
  value: Promise<Summary>;
  refreshing: boolean;
}

/**
 * Recently computed DAO summaries, per process. An entry is served only while the DAO's rollups
 * and row are unchanged since it was computed (the caller reads the rollup version with the DAO row
 * on every request, see DaoVersionLoader, so imports and syncs by any process are seen at once).
 * Past `ttlMs` an entry is still served once more while a fresh one is computed in the
 * background: the age bounds how stale the parts that move with the clock alone can get
 * (proposals closing, on-chain balances) without making requests wait for the recomputation.
 * Least recently used entries go first.
 */
export class SummaryCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 2000,
    private readonly ttlMs = 30_000,
  ) {}

  get(db: Db, dao: DaoRow, version: string | null, w: MetricWindow): Promise<Summary> {
    const key = `${dao.id}|${w.from?.getTime() ?? ''}|${w.to?.getTime() ?? ''}`;
    const stamp = `${version}|${new Date(dao.updatedAt).getTime()}`;
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit && hit.stamp === stamp) {
      cacheRequests.inc({ cache: 'summary', result: 'hit' });
      this.entries.set(key, hit);
      if (Date.now() - hit.at >= this.ttlMs && !hit.refreshing) this.refresh(key, hit, db, dao, w);
      return hit.value;
    }
    cacheRequests.inc({ cache: 'summary', result: 'miss' });
    // Concurrent requests for the same key share one computation; a failure is not kept.
    const value = daoSummary(db, dao, w);
    const entry: Entry = { stamp, at: Date.now(), value, refreshing: false };
    this.entries.set(key, entry);
    value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  private refresh(key: string, stale: Entry, db: Db, dao: DaoRow, w: MetricWindow) {
    stale.refreshing = true;
    const value = daoSummary(db, dao, w);
    value.then(
      () =>
        this.entries.get(key) === stale &&
        this.entries.set(key, { stamp: stale.stamp, at: Date.now(), value, refreshing: false }),
      () => {
        stale.refreshing = false;
      },
    );
  }
}

/** A summary without the Lorenz curves (comparison). */
export function withoutLorenz(s: Summary) {
  const strip = (c: ConcentrationFigures | null) => (c ? (({ lorenz: _l, ...rest }) => rest)(c) : null);
  return {
    ...s,
    concentration: {
      voters: strip(s.concentration.voters),
      holders: strip(s.concentration.holders),
      delegates: strip(s.concentration.delegates),
    },
  };
}
