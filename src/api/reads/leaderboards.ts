import type { TSchema } from '@sinclair/typebox';
import type { Db } from '../../db/index.ts';
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
import { DelegateEntry, HolderEntry, VoterEntry } from '../schemas/metrics.ts';
import { paginate } from '../serialize.ts';

/**
 * The voter, delegate and holder leaderboards: what each one lists, sorts and sends, and one page
 * of a board as its route (src/api/routes/leaderboards.ts) and the MCP leaderboard tool answer it.
 */
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
