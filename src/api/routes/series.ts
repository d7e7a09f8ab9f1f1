import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { getDao } from '../../db/queries/daos.ts';
import { listMetrics } from '../../db/queries/treasury.ts';
import { type ApiContext, readDb } from '../context.ts';
import { isExport, keysetRows, mapRows, sendExport } from '../export.ts';
import { TimeParam, timeRange } from '../params.ts';
import { treasuryOf } from '../reads/treasury.ts';
import { errorResponses, FormatQuery, IdParam, PageQuery, success, successPage, TextParam } from '../schemas/common.ts';
import { Metric } from '../schemas/metrics.ts';
import { Treasury } from '../schemas/treasury.ts';
import { paginate } from '../serialize.ts';

export const seriesRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/daos/:id/metrics',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['metrics'],
        summary: "A DAO's stored metric time series (dao_metrics)",
        params: IdParam,
        querystring: Type.Object(
          {
            ...PageQuery(1000),
            metric_type: Type.Optional(TextParam({ maxLength: 100 })),
            from: TimeParam('Start (inclusive)'),
            to: TimeParam('End (exclusive)'),
            ...FormatQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: successPage(Type.Array(Metric)), ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = readDb(database, request);
      const dao = await getDao(db, request.params.id);
      const q = request.query;
      const toApi = (r: Awaited<ReturnType<typeof listMetrics>>['rows'][number]) => ({
        metric_type: r.metricType,
        value: r.value,
        timestamp: r.timestamp.toISOString(),
        metadata: r.metadata,
      });
      if (isExport(q.format)) {
        const base = { page: 1, perPage: 5000, metricType: q.metric_type, ...timeRange(q) };
        const rows = keysetRows(
          5000,
          async (after: Awaited<ReturnType<typeof listMetrics>>['rows'][number] | undefined) =>
            (await listMetrics(db, dao.id, { ...base, after })).rows,
        );
        return sendExport(reply, q.format, `${dao.slug}-metrics`, Object.keys(Metric.properties), mapRows(rows, toApi));
      }
      const { rows, total } = await listMetrics(db, dao.id, {
        page: q.page,
        perPage: q.per_page,
        metricType: q.metric_type,
        ...timeRange(q),
      });
      return {
        status: 'success' as const,
        data: rows.map(toApi),
        pagination: paginate(q.page, q.per_page, total),
      };
    },
  );

  app.get(
    '/daos/:id/treasury',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['treasury'],
        summary: "A DAO's latest treasury balances by token, and its USD value over time",
        params: IdParam,
        querystring: Type.Object(
          { from: TimeParam('History start (inclusive)'), to: TimeParam('History end (exclusive)') },
          { additionalProperties: false },
        ),
        response: { 200: success(Treasury), ...errorResponses },
      },
    },
    async (request) => {
      const db = readDb(database, request);
      return { status: 'success' as const, data: await treasuryOf(db, request.params.id, request.query) };
    },
  );
};
