import { sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';

/**
 * What a DAO's stored data covers, so a figure computed from it can say over what: the span of
 * the stored votes, how many proposals have every vote the source counted, some of them, or
 * none, the date of the holder list, and the span of the treasury snapshots. Times are null when
 * there is no such data.
 *
 * A proposal has all its votes when the stored votes reach the source's count (0 of 0 included),
 * or, when the source gives no count, when any are stored; some when fewer than the source's
 * count are stored; none when nothing is stored and the source counted votes or did not say.
 */
export interface DaoCoverage {
  votes_from: string | null;
  votes_to: string | null;
  proposals: number;
  proposals_with_all_votes: number;
  proposals_with_some_votes: number;
  proposals_without_votes: number;
  holders_as_of: string | null;
  treasury_from: string | null;
  treasury_to: string | null;
}

const isoOrNull = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The span of the DAO's stored votes, one row (votes_from, votes_to), both null without votes:
 * from the per-proposal rollup (one row per proposal; dao_voters would give the same from one row
 * per voter). The DAO's coverage below (as a held statement) and the series' coverage
 * (src/db/queries/enhanced.ts) read it; the text ends where the DAO id goes.
 */
const VOTES_SPAN =
  'select min(first_vote) as votes_from, max(last_vote) as votes_to from proposal_tallies where dao_id = ';
export const votesSpanSql = (daoId: number) => sql`${sql.raw(VOTES_SPAN)}${daoId}`;

interface CoverageRow {
  votes_from: Date | string | null;
  votes_to: Date | string | null;
  proposals: number;
  all_votes: number;
  some_votes: number;
  no_votes: number;
  holders_as_of: Date | string | null;
  treasury_from: Date | string | null;
  treasury_to: Date | string | null;
}

const coverageStatement = prepared<CoverageRow>(
  'dao_coverage',
  `
    select span.votes_from, span.votes_to,
           (select count(*)::int from proposals where dao_id = $1::int) as proposals,
           (select count(*)::int from proposals where dao_id = $1::int
              and (votes_count >= source_votes_count or (source_votes_count is null and votes_count > 0))) as all_votes,
           (select count(*)::int from proposals where dao_id = $1::int
              and votes_count > 0 and votes_count < source_votes_count) as some_votes,
           (select count(*)::int from proposals where dao_id = $1::int
              and votes_count = 0 and (source_votes_count is null or source_votes_count > 0)) as no_votes,
           (select max(as_of) from token_holders where dao_id = $1::int) as holders_as_of,
           (select min(timestamp) from treasury_balances where dao_id = $1::int) as treasury_from,
           (select max(timestamp) from treasury_balances where dao_id = $1::int) as treasury_to
      from (${VOTES_SPAN}$1::int) span`,
);

export async function daoCoverage(db: Db, daoId: number): Promise<DaoCoverage> {
  const [row] = await runPrepared(db, coverageStatement, [daoId]);
  const r = row!;
  return {
    votes_from: isoOrNull(r.votes_from),
    votes_to: isoOrNull(r.votes_to),
    proposals: Number(r.proposals),
    proposals_with_all_votes: Number(r.all_votes),
    proposals_with_some_votes: Number(r.some_votes),
    proposals_without_votes: Number(r.no_votes),
    holders_as_of: isoOrNull(r.holders_as_of),
    treasury_from: isoOrNull(r.treasury_from),
    treasury_to: isoOrNull(r.treasury_to),
  };
}
