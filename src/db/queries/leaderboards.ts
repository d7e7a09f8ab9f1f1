import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { delegatesSql, holdersSql } from './populations.ts';

/** Keyset position: the last row's sort value (as text) and its address. */
export interface After {
  value: string | null;
  key: string;
}

export interface LeaderboardQuery<S extends string> {
  sort: S;
  order: 'asc' | 'desc';
  limit: number;
  offset?: number;
  after?: After | undefined;
}

/** `(col, key) > / < (value, key)` for keyset paging, with the value cast to the column's type. */
function keyset(column: string, key: string, cast: string, order: 'asc' | 'desc', after: After | undefined): SQL {
  if (!after) return sql``;
  const op = sql.raw(order === 'asc' ? '>' : '<');
  return sql`and (${sql.raw(column)}, ${sql.raw(key)}) ${op} (${after.value}::${sql.raw(cast)}, ${after.key})`;
}

export const VOTER_SORTS = {
  votes: ['votes', 'int'],
  voting_power: ['max_vp', 'numeric'],
  first_vote: ['first_vote', 'timestamptz'],
  last_vote: ['last_vote', 'timestamptz'],
} as const;
export type VoterSort = keyof typeof VOTER_SORTS;

export interface VoterRow {
  voter: string;
  votes: number;
  voting_power: string;
  share: number | null;
  first_vote: string;
  last_vote: string;
  sort_value: string;
}

const isoText = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** A DAO's voters from dao_voters; voting_power is the largest power each used, share its part of the sum over all voters. */
export async function listVoters(db: Db, daoId: number, q: LeaderboardQuery<VoterSort>): Promise<VoterRow[]> {
  const [column, cast] = VOTER_SORTS[q.sort];
  const dir = sql.raw(q.order);
  return rowsOf<VoterRow>(
    db,
    sql`
    select v.voter, v.votes, trim_scale(v.max_vp)::text as voting_power,
           (v.max_vp / nullif(t.total, 0))::float8 as share,
           ${isoText('v.first_vote')} as first_vote, ${isoText('v.last_vote')} as last_vote,
           ${sql.raw(`v.${column}`)}::text as sort_value
      from dao_voters v cross join (select sum(max_vp) as total from dao_voters where dao_id = ${daoId}) t
     where v.dao_id = ${daoId} ${keyset(`v.${column}`, 'v.voter', cast, q.order, q.after)}
     order by ${sql.raw(`v.${column}`)} ${dir}, v.voter ${dir}
     limit ${q.limit} offset ${q.after ? 0 : (q.offset ?? 0)}`,
  );
}

export async function countVoters(db: Db, daoId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from dao_voters where dao_id = ${daoId}`);
  return row?.n ?? 0;
}

export const DELEGATE_SORTS = {
  voting_power: 'numeric',
  delegators: 'int',
  votes_cast: 'int',
  participation: 'float8',
} as const;
export type DelegateSort = keyof typeof DELEGATE_SORTS;

export interface DelegateRow {
  address: string;
  voting_power: string;
  delegators: number;
  votes_cast: number;
  participation: number | null;
  for: number;
  against: number;
  abstain: number;
  sort_value: string | null;
}

/**
 * A DAO's delegates (src/db/queries/populations.ts) with their voting record from dao_voters:
 * votes cast, participation = votes cast ÷ closed proposals with stored votes (at most 1), and
 * how many of their votes went For / Against / Abstain.
 */
export async function listDelegates(db: Db, daoId: number, q: LeaderboardQuery<DelegateSort>): Promise<DelegateRow[]> {
  const dir = sql.raw(q.order);
  // Sort keys are never null, so keyset comparisons always hold (no participation sorts as -1).
  const column = `x.${{ voting_power: 'vp_sort', participation: 'part_sort', delegators: 'delegators', votes_cast: 'votes_cast' }[q.sort]}`;
  const rows = await rowsOf<DelegateRow & { vp_sort?: unknown; part_sort?: unknown }>(
    db,
    sql`
    select x.*, ${sql.raw(column)}::text as sort_value from (
      select d.address, trim_scale(d.voting_power)::text as voting_power, d.voting_power as vp_sort, d.delegators,
             coalesce(v.votes, 0) as votes_cast,
             least(1, coalesce(v.votes, 0)::float8 / nullif(e.n, 0)) as participation,
             coalesce(least(1, coalesce(v.votes, 0)::float8 / nullif(e.n, 0)), -1) as part_sort,
             coalesce(v.for_votes, 0) as "for", coalesce(v.against_votes, 0) as against, coalesce(v.abstain_votes, 0) as abstain
        from (${delegatesSql(daoId)}) d
        cross join (select count(*)::int as n from proposal_tallies where dao_id = ${daoId} and voters > 0 and "end" <= now()) e
        left join dao_voters v on v.dao_id = ${daoId} and v.voter = d.address) x
     where true ${keyset(column, 'x.address', DELEGATE_SORTS[q.sort], q.order, q.after)}
     order by ${sql.raw(column)} ${dir}, x.address ${dir}
     limit ${q.limit} offset ${q.after ? 0 : (q.offset ?? 0)}`,
  );
  return rows.map(({ vp_sort: _v, part_sort: _p, ...r }) => r);
}

export async function countDelegates(db: Db, daoId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from (${delegatesSql(daoId)}) d`);
  return row?.n ?? 0;
}

export const HOLDER_SORTS = { balance: 'numeric' } as const;
export type HolderSort = keyof typeof HOLDER_SORTS;

export interface HolderRow {
  address: string;
  balance: string;
  share: number | null;
  sort_value: string;
}

/**
 * A DAO's token holders with a positive balance (src/db/queries/populations.ts: token accounts, or
 * the latest holder snapshot), each with its share of all holders' balance: the only population
 * a holder-only DAO (no votes imported) has.
 */
export async function listHolders(db: Db, daoId: number, q: LeaderboardQuery<HolderSort>): Promise<HolderRow[]> {
  const dir = sql.raw(q.order);
  return rowsOf<HolderRow>(
    db,
    sql`
    select h.address, trim_scale(h.balance)::text as balance, (h.balance / nullif(t.total, 0))::float8 as share,
           h.balance::text as sort_value
      from (${holdersSql(daoId)}) h cross join (select sum(balance) as total from (${holdersSql(daoId)}) a) t
     where true ${keyset('h.balance', 'h.address', 'numeric', q.order, q.after)}
     order by h.balance ${dir}, h.address ${dir}
     limit ${q.limit} offset ${q.after ? 0 : (q.offset ?? 0)}`,
  );
}

export async function countHolders(db: Db, daoId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from (${holdersSql(daoId)}) h`);
  return row?.n ?? 0;
}
