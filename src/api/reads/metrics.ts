import type { Db } from '../../db/index.ts';
import type { VersionedDao } from '../../db/queries/daos.ts';
import { snapWindow } from '../../db/queries/metrics.ts';
import { COMPARED_METRICS, median, ranks, valueAt } from '../../metrics/comparison.ts';
import { DaoVersionLoader } from '../dao-versions.ts';
import { daoList, timeRange } from '../params.ts';
import { SummaryCache, withoutLorenz } from '../summary-cache.ts';

/** DAOs one comparison may hold. */
export const MAX_COMPARED_DAOS = 50;

type Range = { from?: string | undefined; to?: string | undefined };

/**
 * DAO summaries and their comparison, as GET /api/v1/daos/{id}/metrics/summary and
 * /api/v1/metrics/comparison answer them, with one batching DAO loader per database and one
 * summary cache per instance.
 */
export class MetricReads {
  private readonly loaders = new Map<Db, DaoVersionLoader>();
  readonly summaries = new SummaryCache();

  versioned(db: Db): DaoVersionLoader {
    return this.loaders.get(db) ?? this.loaders.set(db, new DaoVersionLoader(db)).get(db)!;
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
