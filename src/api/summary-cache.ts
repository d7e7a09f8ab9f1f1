import type { Db } from '../db/index.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import { daoSummary, type MetricWindow } from '../db/queries/metrics.ts';
import type { ConcentrationFigures } from '../metrics/concentration.ts';
import { daoStamp, VersionedCache } from './versioned-cache.ts';

type Summary = Awaited<ReturnType<typeof daoSummary>>;

/**
 * Recently computed DAO summaries, per process (a VersionedCache). An entry is served only while
 * the DAO's rollups and row are unchanged since it was computed: the caller reads the rollup version
 * with the DAO row on every request (DaoVersionLoader), so imports and syncs by any process are
 * seen by the next request, which waits for the recomputation. Past `ttlMs` an entry is still
 * served once more while a fresh one is computed in the background: the age bounds how stale the
 * parts that move with the clock alone can get (proposals closing, on-chain balances).
 */
export class SummaryCache {
  private readonly cache: VersionedCache<Summary>;

  constructor(maxEntries = 2000, ttlMs = 30_000, maxBytes = 64 * 1024 * 1024) {
    this.cache = new VersionedCache({ name: 'summary', maxEntries, maxBytes, ttlMs, onChange: 'recompute' });
  }

  get(db: Db, dao: DaoRow, version: string | null, w: MetricWindow): Promise<Summary> {
    const key = `${dao.id}|${w.from?.getTime() ?? ''}|${w.to?.getTime() ?? ''}`;
    return this.cache.get(key, daoStamp([{ dao, version }]), () => daoSummary(db, dao, w));
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
