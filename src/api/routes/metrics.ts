import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.ts';
import { type DaoRow, mostVotedDaoKeys } from '../../db/queries/daos.ts';
import { daoSeries } from '../../db/queries/enhanced.ts';
import { ValidationError } from '../../errors.ts';
import { BUCKETS, type Bucket, bucketCount } from '../../metrics/activity.ts';
import type { SeriesType } from '../../metrics/series.ts';
import { CachedJson } from '../cached-json.ts';
import { type ApiContext, readDb, readSource } from '../context.ts';
import { isExport, sendExport } from '../export.ts';
import { asOfTime, daoList, TimeParam, timeRange } from '../params.ts';
import { MAX_COMPARED_DAOS, MetricReads } from '../reads/metrics.ts';
import { errorResponses, FormatQuery, IdParam, StringEnum, success, TextParam } from '../schemas/common.ts';
import { Comparison, Enhanced, EnhancedType, Summary } from '../schemas/metrics.ts';
import { daoStamp, METRIC_CACHE, VersionedCache } from '../versioned-cache.ts';

const PERIOD_DAYS = { '7d': 7, '30d': 30, '90d': 90, '1y': 365 } as const;
type Period = keyof typeof PERIOD_DAYS | 'all';
const DEFAULT_BUCKET: Record<Period, Bucket> = {
  '7d': 'day',
  '30d': 'day',
  '90d': 'week',
  '1y': 'month',
  all: 'month',
};
/** DAOs charted when dao_ids is not given: the most voted ones. */
const DEFAULT_SERIES_DAOS = 10;
const MAX_DAOS = MAX_COMPARED_DAOS;
/**
 * Points (buckets × DAOs) one /metrics/enhanced answer may hold: about 2.5 MB of JSON. Day
 * buckets since the year 1 for 50 DAOs were 121 MB, built in memory before the first byte went.
 */
const MAX_SERIES_POINTS = 20_000;

const daoRef = (d: DaoRow) => ({ id: d.id, slug: d.slug, name: d.name });

type EnhancedData = Static<typeof Enhanced>;

export const metricRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  // One batching loader per database a request may read from (the primary and the replica).
  const reads = new MetricReads();
  const versioned = (db: Db) => reads.versioned(db);
  // Series per (DAOs, their versions, parameters): after a write the previous answer is served
  // while one recompute runs (METRIC_CACHE bounds their memory).
  const enhanced = new VersionedCache<EnhancedData>({ name: 'enhanced', ...METRIC_CACHE, onChange: 'stale' });
  // Each cached answer's response body, serialized once (per route: it is that route's serialization).
  const bodies = { summary: new CachedJson(), comparison: new CachedJson(), enhanced: new CachedJson() };

  app.get(
    '/daos/:id/metrics/summary',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['metrics'],
        summary: 'Every governance and treasury metric of one DAO over [from, to) (whole UTC days; default all time)',
        params: IdParam,
        querystring: Type.Object(
          { from: TimeParam('Window start (inclusive)'), to: TimeParam('Window end (exclusive)') },
          { additionalProperties: false },
        ),
        response: { 200: success(Summary), ...errorResponses },
      },
    },
    async (request, reply) => {
      const data = await reads.summary(readDb(database, request), request.params.id, request.query);
      return bodies.summary.send(reply, data, () => ({ status: 'success' as const, data }));
    },
  );

  app.get(
    '/metrics/comparison',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['metrics'],
        summary: "DAO summaries side by side, with each DAO's rank per metric (1 = best) and the peer median",
        querystring: Type.Object(
          {
            dao_ids: TextParam({
              minLength: 1,
              maxLength: 2000,
              description: `Comma-separated ids or slugs (at most ${MAX_DAOS})`,
            }),
            from: TimeParam('Window start (inclusive)'),
            to: TimeParam('Window end (exclusive)'),
          },
          { additionalProperties: false },
        ),
        response: { 200: success(Comparison), ...errorResponses },
      },
    },
    async (request, reply) => {
      const data = await reads.comparison(readDb(database, request), request.query.dao_ids, request.query);
      return bodies.comparison.send(reply, data, () => ({ status: 'success' as const, data }));
    },
  );

  app.get(
    '/metrics/enhanced',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['metrics'],
        summary:
          'Metric time series per DAO and bucket; from/to override period, which counts back from as_of (default now)',
        querystring: Type.Object(
          {
            // The series the database computes are exactly the ones the response schema lists.
            type: EnhancedType,
            period: StringEnum(['7d', '30d', '90d', '1y', 'all'], { default: '90d' }),
            bucket: Type.Optional(
              StringEnum(BUCKETS, { description: 'default: day for 7d/30d, week for 90d, month for 1y/all' }),
            ),
            dao_ids: Type.Optional(
              TextParam({
                maxLength: 2000,
                description: `Comma-separated ids or slugs; default the ${DEFAULT_SERIES_DAOS} DAOs with most votes`,
              }),
            ),
            from: TimeParam('Series start (inclusive)'),
            to: TimeParam('Series end (exclusive)'),
            as_of: TimeParam('Reference time of period (default now)'),
            ...FormatQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: success(Enhanced), ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = readDb(database, request);
      const q = request.query;
      const period = q.period as Period;
      const asOf = asOfTime(q.as_of);
      const range = timeRange(q);
      const to = range.to ?? asOf;
      const from = range.from ?? (period === 'all' ? null : new Date(to.getTime() - PERIOD_DAYS[period] * 86_400_000));
      if (from && from > to)
        throw new ValidationError('from must not be after to', [
          { in: 'query', parameter: 'from', message: 'is after to' },
        ]);
      const bucket = (q.bucket ?? DEFAULT_BUCKET[period]) as Bucket;
      const ids = daoList(q.dao_ids, MAX_DAOS);
      const exporting = isExport(q.format);
      // Buckets one series may have: the answer's points shared by its DAOs; an export streams
      // one DAO at a time, so each of its series may have them all.
      const budget = (daoCount: number) =>
        exporting ? MAX_SERIES_POINTS : Math.floor(MAX_SERIES_POINTS / Math.max(daoCount, 1));
      const tooLong = (daoCount: number) => (buckets: number, start: Date) =>
        new ValidationError(
          `The series would have ${buckets} ${bucket} buckets from ${start.toISOString().slice(0, 10)}` +
            (exporting
              ? `, more than the ${MAX_SERIES_POINTS} an exported series may have: narrow from/to or use a coarser bucket`
              : ` for each of ${daoCount} DAOs, more than the ${MAX_SERIES_POINTS} points an answer may hold: ` +
                'narrow from/to, use a coarser bucket or fewer dao_ids (format=csv|ndjson streams each DAO in turn)'),
          ['from', 'to', 'bucket', 'dao_ids'].map((parameter) => ({
            in: 'query',
            parameter,
            message: `narrows the series (at most ${MAX_SERIES_POINTS} points)`,
          })),
        );
      // With a start the axis is known now, before any query; without one, once a DAO's first data is read.
      const buckets = from ? bucketCount(from, to, bucket) : 0;
      if (buckets > budget(ids?.length ?? 1)) throw tooLong(ids?.length ?? 1)(buckets, from!);
      const versions = await versioned(db).load(ids ?? (await mostVotedDaoKeys(db, DEFAULT_SERIES_DAOS)));
      const daos = versions.map((v) => v.dao);
      if (buckets > budget(daos.length)) throw tooLong(daos.length)(buckets, from!);
      const type = q.type as SeriesType;
      const seriesRange = { from, to, bucket, asOf, maxBuckets: budget(daos.length), tooLong: tooLong(daos.length) };
      if (exporting) {
        const columns = ['dao_id', 'dao_slug', 't', ...seriesColumns(type)];
        async function* rows() {
          for (const dao of daos) {
            for (const p of await daoSeries(db, dao, type, seriesRange)) {
              const flat: Record<string, unknown> = { dao_id: dao.id, dao_slug: dao.slug, ...p };
              if (type === 'treasury') flat.by_token = p.by_token;
              yield flat;
            }
          }
        }
        return sendExport(reply, q.format as 'csv' | 'ndjson', `${type}-${bucket}`, columns, rows());
      }
      // Times the request did not name (as_of, hence to and a period's from) are "now" in the key:
      // the answer computed first is served for the cache's age, like a summary.
      const key = [readSource(database, db), type, period, bucket, q.as_of === undefined ? 'now' : asOf.getTime()]
        .concat([range.from?.getTime() ?? '', range.to?.getTime() ?? ''])
        .concat(daos.map((d) => String(d.id)))
        .join('|');
      const data = await enhanced.get(key, daoStamp(versions), async () => ({
        type,
        bucket,
        from: from ? from.toISOString() : null,
        to: to.toISOString(),
        series: await Promise.all(
          daos.map(async (d) => ({ dao: daoRef(d), points: await daoSeries(db, d, type, seriesRange) })),
        ),
      }));
      return bodies.enhanced.send(reply, data, () => ({ status: 'success' as const, data }));
    },
  );
};

function seriesColumns(type: SeriesType): string[] {
  return {
    activity: ['proposals', 'votes', 'voters', 'new_voters', 'returning_voters', 'retention'],
    participation: [
      'turnout_vp',
      'median_voters_per_proposal',
      'mean_voters_per_proposal',
      'participation_rate',
      'vp_cast',
    ],
    outcomes: ['closed', 'passed', 'failed', 'undecided', 'pass_rate', 'avg_margin'],
    concentration: ['gini', 'hhi', 'nakamoto', 'top10_share'],
    delegates: ['active_delegates', 'votes_cast'],
    treasury: ['total_usd', 'by_token'],
  }[type];
}
