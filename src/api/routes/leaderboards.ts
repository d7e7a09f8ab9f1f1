import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { VersionedDao } from '../../db/queries/daos.ts';
import { CachedJson } from '../cached-json.ts';
import { type ApiContext, readDb, readSource } from '../context.ts';
import { DaoVersionLoader } from '../dao-versions.ts';
import { isExport, keysetRows, sendExport } from '../export.ts';
import { boards, leaderboardPage } from '../reads/leaderboards.ts';
import { errorResponses, FormatQuery, IdParam, Order, PageQuery, StringEnum, successPage } from '../schemas/common.ts';
import { daoStamp, METRIC_CACHE, VersionedCache } from '../versioned-cache.ts';

const EXPORT_BATCH = 5000;

/** Voter and delegate leaderboards: sortable, paginated, or streamed whole with ?format=csv|ndjson. */
export const leaderboardRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  // Pages per (board, DAO and its versions, sort, order, page): after a write the previous page is
  // served while one recompute runs. Holders and delegates also move with token data, which bumps
  // neither version when it changes no DAO figure: the cache's age (30 s) bounds that staleness.
  const pages = new VersionedCache<Awaited<ReturnType<typeof leaderboardPage>>>({
    name: 'leaderboard',
    ...METRIC_CACHE,
    onChange: 'stale',
  });
  // Each cached page's response body, serialized once (boards share it: a page is one board's).
  const bodies = new CachedJson();
  for (const board of boards) {
    app.get(
      board.path,
      {
        config: { permission: 'read' },
        schema: {
          tags: ['metrics'],
          summary: board.summary,
          params: IdParam,
          querystring: Type.Object(
            {
              ...PageQuery(1000),
              sort: StringEnum(Object.keys(board.sorts), { default: board.defaultSort }),
              order: Order,
              ...FormatQuery,
            },
            { additionalProperties: false },
          ),
          response: { 200: successPage(Type.Array(board.entry)), ...errorResponses },
        },
      },
      async (request, reply) => {
        const db = readDb(database, request);
        const [versioned] = (await DaoVersionLoader.for(db).load([(request.params as { id: string }).id])) as [
          VersionedDao,
        ];
        const { dao } = versioned;
        const q = request.query as {
          page: number;
          per_page: number;
          sort: never;
          order: 'asc' | 'desc';
          format?: 'json' | 'csv' | 'ndjson';
        };
        const base = { sort: q.sort, order: q.order };
        if (isExport(q.format)) {
          const rows = keysetRows<Record<string, unknown> & { sort_value: string | null }>(EXPORT_BATCH, (after) =>
            board.list(db, dao.id, {
              ...base,
              limit: EXPORT_BATCH,
              after: after && { value: after.sort_value, key: String(after[board.key]) },
            }),
          );
          return sendExport(reply, q.format, `${dao.slug}-${board.name}`, board.columns, rows);
        }
        const key = [board.name, readSource(database, db), dao.id, q.sort, q.order, q.page, q.per_page];
        const page = await pages.get(key.join('|'), daoStamp([versioned]), () => leaderboardPage(board, db, dao.id, q));
        return bodies.send(reply, page, () => ({ status: 'success' as const, ...page }));
      },
    );
  }
};
