import type { Db } from '../db/index.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import { daoSummary, type MetricWindow } from '../db/queries/metrics.ts';
import type { ConcentrationFigures } from '../metrics/concentration.ts';

type Summary = Awaited<ReturnType<typeof daoSummary>>;

/**
 * Recently computed DAO summaries, per process. An entry is served while the DAO's rollups have not
 * been written since (the caller reads the version with the DAO row, see daosWithRollupVersion, so
 * imports and syncs by any process are seen at once) and for at most `ttlMs`, which bounds how stale the parts that move with the clock
 * alone can get (proposals closing, on-chain balances). Least recently used entries go first.
 */
export class SummaryCache {
  private readonly entries = new Map<string, { version: string | null; at: number; value: Promise<Summary> }>();

  constructor(private readonly maxEntries = 2000, private readonly ttlMs = 30_000) {}

  get(db: Db, dao: DaoRow, version: string | null, w: MetricWindow): Promise<Summary> {
    const key = `${dao.id}|${w.from?.getTime() ?? ''}|${w.to?.getTime() ?? ''}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit && hit.version === version && now - hit.at < this.ttlMs) {
      this.entries.set(key, hit);
      return hit.value;
    }
    // Concurrent requests for the same key share one computation; a failure is not kept.
    const value = daoSummary(db, dao, w);
    const entry = { version, at: now, value };
    this.entries.set(key, entry);
    value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/** A summary without the Lorenz curves (comparison). */
export function withoutLorenz(s: Summary) {
  const strip = (c: ConcentrationFigures | null) => (c ? (({ lorenz: _l, ...rest }) => rest)(c) : null);
  return { ...s, concentration: { voters: strip(s.concentration.voters), holders: strip(s.concentration.holders), delegates: strip(s.concentration.delegates) } };
}
