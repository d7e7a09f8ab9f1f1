import type { Static } from '@sinclair/typebox';
import type { Db } from '../../db/index.ts';
import type { VersionedDao } from '../../db/queries/daos.ts';
import { type MetricWindow, snapWindow } from '../../db/queries/metrics.ts';
import { COMPARED_METRICS, median, ranks, valueAt } from '../../metrics/comparison.ts';
import { DaoVersionLoader } from '../dao-versions.ts';
import { daoList, timeRange } from '../params.ts';
import type { Comparison } from '../schemas/metrics.ts';
import { SummaryCache, withoutLorenz } from '../summary-cache.ts';
import { daoStamp, METRIC_CACHE, VersionedCache } from '../versioned-cache.ts';

/** DAOs one comparison may hold. */
export const MAX_COMPARED_DAOS = 50;

type Range = { from?: string | undefined; to?: string | undefined };

/**
 * DAO summaries and their comparison, as GET /api/v1/daos/{id}/metrics/summary and
 * /api/v1/metrics/comparison (and the MCP tools) answer them: one shared batching DAO loader per
 * database, one summary cache and one comparison cache per instance.
 */
export class MetricReads {
  readonly summaries = new SummaryCache();
  // Comparisons per (database, window, DAOs and their versions): after a write the previous answer
  // is served while one recompute runs (METRIC_CACHE bounds their memory).
  private readonly comparisons = new VersionedCache<Static<typeof Comparison>>({
    name: 'comparison',
    ...METRIC_CACHE,
    onChange: 'stale',
  });
  // Answers read from the primary and from a replica are kept apart (the replica may lag).
  private readonly databases = new WeakMap<Db, number>();

  versioned(db: Db): DaoVersionLoader {
    return DaoVersionLoader.for(db);
  }

  private databaseCount = 0;

  private databaseKey(db: Db): number {
    let key = this.databases.get(db);
    if (key === undefined) {
      key = ++this.databaseCount;
      this.databases.set(db, key);
    }
    return key;
  }

  async summary(db: Db, id: string, range: Range) {
    const { from, to } = timeRange(range);
    const [{ dao, version }] = (await this.versioned(db).load([id])) as [VersionedDao];
    return this.summaries.get(db, dao, version, snapWindow(from, to));
  }

  async comparison(db: Db, daoIds: string, range: Range) {
    const { from, to } = timeRange(range);
    const window = snapWindow(from, to);
    const daos = await this.versioned(db).load(daoList(daoIds, MAX_COMPARED_DAOS) ?? []);
    const key = `${this.databaseKey(db)}|${window.from?.getTime() ?? ''}|${window.to?.getTime() ?? ''}|${daos.map((d) => d.dao.id).join(',')}`;
    return this.comparisons.get(key, daoStamp(daos), () => this.compare(db, daos, window));
  }

  /** Summaries side by side with ranks and medians (from the summary cache). */
  private async compare(db: Db, daos: VersionedDao[], window: MetricWindow) {
    const list = (await Promise.all(daos.map(({ dao, version }) => this.summaries.get(db, dao, version, window)))).map(
      withoutLorenz,
    );
    const metrics = COMPARED_METRICS.map(([path]) => path);
    const rankings = COMPARED_METRICS.map(([path, better]) =>
      ranks(
        list.map((s) => valueAt(s, path)),
        better,
      ),
    );
    return {
      metrics,
      daos: list.map((summary, i) => ({
        dao: summary.dao,
        summary,
        ranks: Object.fromEntries(metrics.map((path, m) => [path, rankings[m]![i]!])),
      })),
      median: Object.fromEntries(metrics.map((path) => [path, median(list.map((s) => valueAt(s, path)))])),
    };
  }
}
