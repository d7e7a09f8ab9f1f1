import type { Db } from '../../db/index.ts';
import type { DaoRow } from '../../db/queries/daos.ts';
import {
  countedTallies,
  countFilteredVotes,
  getProposalWithTallies,
  isInternalId,
  listProposals,
  listVotes,
  type ProposalSort,
  type ProposalVotesRef,
  proposalVotesRef,
  proposalVotesRefs,
  type VoteRow,
  type VoteSort,
} from '../../db/queries/governance.ts';
import { ValidationError } from '../../errors.ts';
import type { ProposalState } from '../../metrics/proposal-states.ts';
import { proposalSourceUrl } from '../proposal-links.ts';
import { paginate, proposalToApi } from '../serialize.ts';
import { turnBatchPerDb } from '../turn-batch.ts';

export interface ProposalPageQuery {
  page: number;
  per_page: number;
  sort: ProposalSort;
  order: 'asc' | 'desc';
  state?: ProposalState | undefined;
}

/** A page of a DAO's proposals, as GET /api/v1/daos/{id}/proposals answers it. */
export async function proposalPage(db: Db, dao: Pick<DaoRow, 'id'>, q: ProposalPageQuery) {
  const { rows, total } = await listProposals(db, dao.id, {
    page: q.page,
    perPage: q.per_page,
    sort: q.sort,
    order: q.order,
    state: q.state,
  });
  return { data: rows.map((r) => proposalToApi(r)), pagination: paginate(q.page, q.per_page, total) };
}

const votesRefs = turnBatchPerDb(proposalVotesRefs);

/**
 * What the votes page needs of `{id}` (proposalVotesRef): by internal id, read with the other
 * requests of the event-loop turn in one statement; else (a source's id, or no such internal id)
 * on its own.
 */
export async function votesRefOf(db: Db, id: string): Promise<ProposalVotesRef> {
  if (isInternalId(id)) {
    const found = (await votesRefs(db).load([Number(id)])).get(Number(id));
    if (found) return found;
  }
  return proposalVotesRef(db, id);
}

/** One proposal with per-choice tallies, as GET /api/v1/proposals/{id} answers it. */
export async function proposalDetail(db: Db, id: string) {
  const { row, stored: fromRollups } = await getProposalWithTallies(db, id);
  // The rollups' tallies; counted from the votes only before the first refresh that covers the proposal.
  const [counted, sourceUrl] = await Promise.all([fromRollups ?? countedTallies(db, row), proposalSourceUrl(db, row)]);
  const { tallies: stored, ...totals } = counted;
  const summary = proposalToApi(row, row.votesStored > 0 ? stored.map((t) => Number(t.voting_power)) : undefined);
  // With fewer votes stored than the source counted, its own scores are the tally (when it has them).
  const tallies =
    summary.tally_source === 'source_scores'
      ? (row.scores ?? []).map((power, i) => ({
          choice: i + 1,
          label: row.choices[i] ?? null,
          voting_power: power,
          votes: null,
        }))
      : stored;
  return {
    ...summary,
    body: row.body,
    tallies,
    voters: totals.voters,
    voting_power_total: totals.votingPower,
    source_url: sourceUrl,
  };
}

export const voteToApi = (v: VoteRow) => ({
  id: v.id,
  proposal_id: v.proposalId,
  voter: v.voter,
  choice: v.choice,
  voting_power: v.votingPower,
  reason: v.reason,
  created: v.created.toISOString(),
  created_precision: v.dateOnly ? ('day' as const) : ('second' as const),
});

function encodeCursor(value: string, id: number) {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}
function decodeCursor(cursor: string): { value: string; id: number } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof value === 'string' && Number.isInteger(id)) return { value, id: id as number };
  } catch {
    // reported below
  }
  throw new ValidationError('cursor is not a cursor returned by this endpoint', [
    { in: 'query', parameter: 'cursor', message: 'is malformed' },
  ]);
}

export interface VotePageQuery {
  page: number;
  per_page: number;
  sort: VoteSort;
  order: 'asc' | 'desc';
  cursor?: string | undefined;
  choice?: number | undefined;
  voter?: string | undefined;
}

/** A page of a proposal's stored votes with the next page's cursor, as GET /api/v1/proposals/{id}/votes answers it. */
export async function votePage(db: Db, proposal: { id: number; votesStored: number }, q: VotePageQuery) {
  const filter = { choice: q.choice, voter: q.voter };
  const filtered = q.choice !== undefined || q.voter !== undefined;
  const rows = await listVotes(db, proposal.id, {
    page: q.page,
    perPage: q.per_page,
    sort: q.sort,
    order: q.order,
    ...filter,
    cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  // The pages cover the stored votes (votesCount may be the source's larger count).
  const total = filtered ? await countFilteredVotes(db, proposal.id, filter) : proposal.votesStored;
  const last = rows.at(-1);
  const nextCursor =
    last && rows.length === q.per_page
      ? encodeCursor(q.sort === 'created' ? last.createdText : last.votingPower, last.id)
      : null;
  return {
    data: rows.map(voteToApi),
    pagination: { ...paginate(q.page, q.per_page, total), next_cursor: nextCursor },
  };
}
