import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.ts';
import type { VersionedDao } from '../../db/queries/daos.ts';
import {
  countDelegates,
  countHolders,
  countVoters,
  DELEGATE_SORTS,
  HOLDER_SORTS,
  type LeaderboardQuery,
  listDelegates,
  listHolders,
  listVoters,
  VOTER_SORTS,
} from '../../db/queries/leaderboards.ts';
import { CachedJson } from '../cached-json.ts';
import { type ApiContext, readDb } from '../context.ts';
import { DaoVersionLoader } from '../dao-versions.ts';
import { isExport, keysetRows, sendExport } from '../export.ts';
import { errorResponses, FormatQuery, IdParam, Order, PageQuery, StringEnum, successPage } from '../schemas/common.ts';
import { DelegateEntry, HolderEntry, VoterEntry } from '../schemas/metrics.ts';
import { paginate } from '../serialize.ts';
import { daoStamp, METRIC_CACHE, VersionedCache } from '../versioned-cache.ts';

const EXPORT_BATCH = 5000;

interface Board<Row extends { sort_value: string | null }> {
  path: string;
  summary: string;
  name: string;
  sorts: Record<string, unknown>;
  defaultSort: string;
  entry: TSchema;
  /** Row fields sent to clients, in column order. */
  columns: readonly string[];
  /** The row field that breaks ties (and ends the keyset position). */
  key: keyof Row & string;
  list(db: Db, daoId: number, q: LeaderboardQuery<never>): Promise<Row[]>;
  count(db: Db, daoId: number): Promise<number>;
}

export const boards = [
  {
    path: '/daos/:id/voters',
    name: 'voters',
    key: 'voter',
    sorts: VOTER_SORTS,
    defaultSort: 'votes',
    entry: VoterEntry,
    summary: "A DAO's voters: votes, largest voting power used, its share of all voters' power, first and last vote",
    columns: ['voter', 'votes', 'voting_power', 'share', 'first_vote', 'last_vote'],
    list: listVoters,
    count: countVoters,
  } satisfies Board<Awaited<ReturnType<typeof listVoters>>[number]>,
  {
    path: '/daos/:id/delegates',
    name: 'delegates',
    key: 'address',
    sorts: DELEGATE_SORTS,
    defaultSort: 'voting_power',
    entry: DelegateEntry,
    summary:
      "A DAO's delegates: delegated voting power, delegators, votes cast, participation and For/Against/Abstain split",
    columns: ['address', 'voting_power', 'delegators', 'votes_cast', 'participation', 'for', 'against', 'abstain'],
    list: listDelegates,
    count: countDelegates,
  } satisfies Board<Awaited<ReturnType<typeof listDelegates>>[number]>,
  {
    path: '/daos/:id/holders',
    name: 'holders',
    key: 'address',
    sorts: HOLDER_SORTS,
    defaultSort: 'balance',
    entry: HolderEntry,
    summary:
      "A DAO's token holders with a positive balance (token accounts, else the latest holder snapshot) and their share of all holders' balance",
    columns: ['address', 'balance', 'share'],
    list: listHolders,
    count: countHolders,
  } satisfies Board<Awaited<ReturnType<typeof listHolders>>[number]>,
] as unknown as Array<Board<Record<string, unknown> & { sort_value: string | null }>>;

/** One page of a board, as its route answers it (also the MCP leaderboard tool). */
export async function leaderboardPage(
  board: (typeof boards)[number],
  db: Db,
  daoId: number,
  q: { page: number; per_page: number; sort: never; order: 'asc' | 'desc' },
) {
  const [rows, total] = await Promise.all([
    board.list(db, daoId, { sort: q.sort, order: q.order, limit: q.per_page, offset: (q.page - 1) * q.per_page }),
    board.count(db, daoId),
  ]);
  const pick = (row: Record<string, unknown>) => Object.fromEntries(board.columns.map((c) => [c, row[c]]));
  return { data: rows.map(pick), pagination: paginate(q.page, q.per_page, total) };
}

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
        const key = [
          board.name,
          db === database.db ? 'primary' : 'reader',
          dao.id,
          q.sort,
          q.order,
          q.page,
          q.per_page,
        ];
        const page = await pages.get(key.join('|'), daoStamp([versioned]), () => leaderboardPage(board, db, dao.id, q));
        return bodies.send(reply, page, () => ({ status: 'success' as const, ...page }));
      },
    );
  }
};
