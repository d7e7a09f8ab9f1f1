import type { Db } from '../client.ts';
import { type PreparedStatement, prepared, runPrepared } from '../prepared.ts';
import { DELEGATES, HOLDERS } from './populations.ts';

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

/**
 * A board's held statements, one per sort, order and page mode, from its text for one sort and
 * order: `$1` is the DAO, `$2` the limit, then `$3` the offset or, after a keyset position,
 * `$3` the sort value (cast to the column's type) and `$4` the row's key.
 */
function boardStatements<Row, S extends string>(
  board: string,
  sorts: Record<S, { column: string; cast: string }>,
  key: string,
  text: (column: string, order: 'asc' | 'desc', keyset: string, page: string) => string,
) {
  return new Map(
    (Object.entries(sorts) as Array<[S, { column: string; cast: string }]>).flatMap(([sort, { column, cast }]) =>
      (['asc', 'desc'] as const).flatMap((order) =>
        (['offset', 'keyset'] as const).map((mode) => {
          const keyset =
            mode === 'keyset' ? `and (${column}, ${key}) ${order === 'asc' ? '>' : '<'} ($3::${cast}, $4::text)` : '';
          const page = mode === 'keyset' ? 'limit $2' : 'limit $2 offset $3';
          return [
            `${sort}:${order}:${mode}`,
            prepared<Row>(`${board}_${sort}_${order}_${mode}`, text(column, order, keyset, page)),
          ] as const;
        }),
      ),
    ),
  );
}

function runBoard<Row, S extends string>(
  db: Db,
  statements: Map<string, PreparedStatement<Row>>,
  daoId: number,
  q: LeaderboardQuery<S>,
): Promise<Row[]> {
  const statement = statements.get(`${q.sort}:${q.order}:${q.after ? 'keyset' : 'offset'}`)!;
  const values: unknown[] = [daoId, q.limit];
  if (q.after) values.push(q.after.value, q.after.key);
  else values.push(q.offset ?? 0);
  return runPrepared(db, statement, values);
}

export const VOTER_SORTS = {
  votes: { column: 'v.votes', cast: 'int' },
  voting_power: { column: 'v.max_vp', cast: 'numeric' },
  first_vote: { column: 'v.first_vote', cast: 'timestamptz' },
  last_vote: { column: 'v.last_vote', cast: 'timestamptz' },
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

const isoText = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const voterStatements = boardStatements<VoterRow, VoterSort>(
  'board_voters',
  VOTER_SORTS,
  'v.voter',
  (column, order, keyset, page) => `
    select v.voter, v.votes, trim_scale(v.max_vp)::text as voting_power,
           (v.max_vp / nullif(t.total, 0))::float8 as share,
           ${isoText('v.first_vote')} as first_vote, ${isoText('v.last_vote')} as last_vote,
           ${column}::text as sort_value
      from dao_voters v cross join (select sum(max_vp) as total from dao_voters where dao_id = $1::int) t
     where v.dao_id = $1::int ${keyset}
     order by ${column} ${order}, v.voter ${order}
     ${page}`,
);

/** A DAO's voters from dao_voters; voting_power is the largest power each used, share its part of the sum over all voters. */
export function listVoters(db: Db, daoId: number, q: LeaderboardQuery<VoterSort>): Promise<VoterRow[]> {
  return runBoard(db, voterStatements, daoId, q);
}

const countVotersStatement = prepared<{ n: number }>(
  'board_voters_count',
  'select count(*)::int as n from dao_voters where dao_id = $1::int',
);

export async function countVoters(db: Db, daoId: number): Promise<number> {
  const [row] = await runPrepared(db, countVotersStatement, [daoId]);
  return row?.n ?? 0;
}

// Sort keys are never null, so keyset comparisons always hold (no participation sorts as -1).
export const DELEGATE_SORTS = {
  voting_power: { column: 'x.vp_sort', cast: 'numeric' },
  delegators: { column: 'x.delegators', cast: 'int' },
  votes_cast: { column: 'x.votes_cast', cast: 'int' },
  participation: { column: 'x.part_sort', cast: 'float8' },
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

const delegateStatements = boardStatements<DelegateRow, DelegateSort>(
  'board_delegates',
  DELEGATE_SORTS,
  'x.address',
  (column, order, keyset, page) => `
    select x.address, x.voting_power, x.delegators, x.votes_cast, x.participation, x."for", x.against, x.abstain,
           ${column}::text as sort_value from (
      select d.address, trim_scale(d.voting_power)::text as voting_power, d.voting_power as vp_sort, d.delegators,
             coalesce(v.votes, 0) as votes_cast,
             least(1, coalesce(v.votes, 0)::float8 / nullif(e.n, 0)) as participation,
             coalesce(least(1, coalesce(v.votes, 0)::float8 / nullif(e.n, 0)), -1) as part_sort,
             coalesce(v.for_votes, 0) as "for", coalesce(v.against_votes, 0) as against, coalesce(v.abstain_votes, 0) as abstain
        from (${DELEGATES}) d
        cross join (select count(*)::int as n from proposal_tallies where dao_id = $1::int and voters > 0 and "end" <= now()) e
        left join dao_voters v on v.dao_id = $1::int and v.voter = d.address) x
     where true ${keyset}
     order by ${column} ${order}, x.address ${order}
     ${page}`,
);

/**
 * A DAO's delegates (src/db/queries/populations.ts) with their voting record from dao_voters:
 * votes cast, participation = votes cast ÷ closed proposals with stored votes (at most 1), and
 * how many of their votes went For / Against / Abstain.
 */
export function listDelegates(db: Db, daoId: number, q: LeaderboardQuery<DelegateSort>): Promise<DelegateRow[]> {
  return runBoard(db, delegateStatements, daoId, q);
}

const countDelegatesStatement = prepared<{ n: number }>(
  'board_delegates_count',
  `select count(*)::int as n from (${DELEGATES}) d`,
);

export async function countDelegates(db: Db, daoId: number): Promise<number> {
  const [row] = await runPrepared(db, countDelegatesStatement, [daoId]);
  return row?.n ?? 0;
}

export const HOLDER_SORTS = { balance: { column: 'h.balance', cast: 'numeric' } } as const;
export type HolderSort = keyof typeof HOLDER_SORTS;

export interface HolderRow {
  address: string;
  balance: string;
  share: number | null;
  sort_value: string;
}

const holderStatements = boardStatements<HolderRow, HolderSort>(
  'board_holders',
  HOLDER_SORTS,
  'h.address',
  (column, order, keyset, page) => `
    select h.address, trim_scale(h.balance)::text as balance, (h.balance / nullif(t.total, 0))::float8 as share,
           ${column}::text as sort_value
      from (${HOLDERS}) h cross join (select sum(balance) as total from (${HOLDERS}) a) t
     where true ${keyset}
     order by ${column} ${order}, h.address ${order}
     ${page}`,
);

/**
 * A DAO's token holders with a positive balance (src/db/queries/populations.ts: token accounts, or
 * the latest holder snapshot), each with its share of all holders' balance: the only population
 * a holder-only DAO (no votes imported) has.
 */
export function listHolders(db: Db, daoId: number, q: LeaderboardQuery<HolderSort>): Promise<HolderRow[]> {
  return runBoard(db, holderStatements, daoId, q);
}

const countHoldersStatement = prepared<{ n: number }>(
  'board_holders_count',
  `select count(*)::int as n from (${HOLDERS}) h`,
);

export async function countHolders(db: Db, daoId: number): Promise<number> {
  const [row] = await runPrepared(db, countHoldersStatement, [daoId]);
  return row?.n ?? 0;
}
