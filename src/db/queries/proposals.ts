import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.ts';
import { daos, proposals, votes } from '../schema/index.ts';
import { NotFoundError } from '../../errors.ts';
import { scoreProposal, type Choice, type VotingType } from '../../metrics/snapshot-scoring.ts';

export const PROPOSAL_SORTS = { start: proposals.start, end: proposals.end, votes: proposals.votesCount } as const;
export type ProposalSort = keyof typeof PROPOSAL_SORTS;

const { body: _body, ...summaryColumns } = {
  id: proposals.id,
  daoId: proposals.daoId,
  daoSlug: daos.slug,
  externalId: proposals.externalId,
  source: proposals.source,
  votingType: proposals.votingType,
  title: proposals.title,
  body: proposals.body,
  author: proposals.author,
  choices: proposals.choices,
  start: proposals.start,
  end: proposals.end,
  state: proposals.state,
  quorum: proposals.quorum,
  snapshotBlock: proposals.snapshotBlock,
  scores: proposals.scores,
  scoresTotal: proposals.scoresTotal,
  votesCount: proposals.votesCount,
  createdAt: proposals.createdAt,
  updatedAt: proposals.updatedAt,
};

export async function listProposals(
  db: Db,
  daoId: number,
  q: {
    page: number; perPage: number; sort: ProposalSort; order: 'asc' | 'desc'; state?: string | undefined;
    /** Keyset position (exports): the previous page's last row. */
    after?: { start: Date; end: Date; votesCount: number; id: number } | undefined;
  },
) {
  const filters: SQL[] = [eq(proposals.daoId, daoId)];
  if (q.state) filters.push(eq(proposals.state, q.state));
  const column = PROPOSAL_SORTS[q.sort];
  const filtered = [...filters];
  if (q.after) {
    const value = q.sort === 'votes' ? sql`${q.after.votesCount}::int` : sql`${q.after[q.sort].toISOString()}::timestamptz`;
    filtered.push(q.order === 'asc' ? sql`(${column}, ${proposals.id}) > (${value}, ${q.after.id})` : sql`(${column}, ${proposals.id}) < (${value}, ${q.after.id})`);
  }
  const direction = q.order === 'asc' ? asc : desc;
  const [rows, [count]] = await Promise.all([
    db.select(summaryColumns).from(proposals).innerJoin(daos, eq(daos.id, proposals.daoId)).where(and(...filtered))
      .orderBy(direction(column), direction(proposals.id))
      .limit(q.perPage).offset(q.after ? 0 : (q.page - 1) * q.perPage),
    db.select({ total: sql<number>`count(*)::int` }).from(proposals).where(and(...filters)),
  ]);
  return { rows, total: count?.total ?? 0 };
}

/** `{id}` is the internal id or the source's proposal id. */
export async function getProposal(db: Db, id: string) {
  const select = () => db.select({ ...summaryColumns, body: proposals.body }).from(proposals).innerJoin(daos, eq(daos.id, proposals.daoId));
  if (/^\d{1,15}$/.test(id)) {
    const [row] = await select().where(eq(proposals.id, Number(id)));
    if (row) return row;
  }
  const [row] = await select().where(eq(proposals.externalId, id)).orderBy(asc(proposals.id)).limit(1);
  if (!row) throw new NotFoundError('Proposal', id);
  return row;
}

export interface TallyRow {
  choice: number;
  label: string | null;
  voting_power: string;
  votes: number;
}

/**
 * Per-choice tallies from the stored votes, by Snapshot's rules for the voting type. The linear
 * rules run in SQL on exact decimals; quadratic and ranked-choice are not linear in the votes
 * and follow Snapshot's own (floating-point) computation.
 */
export async function tallyProposal(db: Db, proposal: { id: number; votingType: string; choices: string[] }): Promise<TallyRow[]> {
  const byChoice = new Map<number, { power: string; votes: number }>();
  const type = proposal.votingType as VotingType;
  if (type === 'quadratic' || type === 'ranked-choice') {
    const rows = await db.select({ choice: votes.choice, vp: votes.votingPower }).from(votes).where(eq(votes.proposalId, proposal.id));
    const scores = scoreProposal(type, proposal.choices.length, rows.map((r) => ({ choice: r.choice as Choice, votingPower: Number(r.vp) })));
    for (const s of scores) byChoice.set(s.choice, { power: decimalText(s.votingPower), votes: s.votes });
  } else {
    for (const r of await rowsOf<{ choice: number; power: string; votes: number }>(db, tallySql(type, proposal.id))) {
      byChoice.set(Number(r.choice), { power: r.power, votes: Number(r.votes) });
    }
  }
  const count = Math.max(proposal.choices.length, ...byChoice.keys());
  return Array.from({ length: count }, (_, i) => ({
    choice: i + 1,
    label: proposal.choices[i] ?? null,
    voting_power: byChoice.get(i + 1)?.power ?? '0',
    votes: byChoice.get(i + 1)?.votes ?? 0,
  }));
}

function tallySql(type: VotingType, proposalId: number) {
  switch (type) {
    case 'approval':
      return sql`select e.value::int as choice, trim_scale(sum(v.voting_power))::text as power, count(*)::int as votes
                   from votes v cross join lateral jsonb_array_elements_text(v.choice) e
                  where v.proposal_id = ${proposalId} and jsonb_typeof(v.choice) = 'array' group by 1`;
    case 'weighted':
      // Each voter's power is split in proportion to its weights.
      return sql`with w as (
                   select v.voting_power, e.key::int as choice, e.value::numeric as weight,
                          sum(e.value::numeric) over (partition by v.id) as total
                     from votes v cross join lateral jsonb_each_text(v.choice) e
                    where v.proposal_id = ${proposalId} and jsonb_typeof(v.choice) = 'object')
                 select choice, trim_scale(sum(voting_power * weight / total))::text as power,
                        count(*) filter (where weight > 0)::int as votes
                   from w where total > 0 group by choice`;
    default:
      return sql`select (v.choice #>> '{}')::int as choice, trim_scale(sum(v.voting_power))::text as power, count(*)::int as votes
                   from votes v where v.proposal_id = ${proposalId} and jsonb_typeof(v.choice) = 'number' group by 1`;
  }
}

/** A float score as plain decimal text (no exponent), as every other voting power is written. */
function decimalText(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(20).replace(/\.?0+$/, '') : text;
}

export async function proposalVoteTotals(db: Db, proposalId: number) {
  const [row] = await db
    .select({ voters: sql<number>`count(*)::int`, power: sql<string>`coalesce(trim_scale(sum(${votes.votingPower})), 0)::text` })
    .from(votes).where(eq(votes.proposalId, proposalId));
  return { voters: row?.voters ?? 0, votingPower: row?.power ?? '0' };
}

export const VOTE_SORTS = { voting_power: votes.votingPower, created: votes.created } as const;
export type VoteSort = keyof typeof VOTE_SORTS;

/** Keyset pagination: the cursor is the last row's (sort value, id), so deep pages cost the same as the first. */
export async function listVotes(
  db: Db,
  proposalId: number,
  q: { page: number; perPage: number; sort: VoteSort; order: 'asc' | 'desc'; cursor?: { value: string; id: number } | undefined },
) {
  const column = VOTE_SORTS[q.sort];
  const direction = q.order === 'asc' ? asc : desc;
  const filters: SQL[] = [eq(votes.proposalId, proposalId)];
  if (q.cursor) {
    const value = q.sort === 'created' ? sql`${q.cursor.value}::timestamptz` : sql`${q.cursor.value}::numeric`;
    filters.push(q.order === 'asc' ? sql`(${column}, ${votes.id}) > (${value}, ${q.cursor.id})` : sql`(${column}, ${votes.id}) < (${value}, ${q.cursor.id})`);
  }
  const rows = await db
    .select({
      id: votes.id, proposalId: votes.proposalId, voter: votes.voter, choice: votes.choice,
      votingPower: votes.votingPower, reason: votes.reason, created: votes.created,
      createdText: sql<string>`to_char(${votes.created} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(votes).where(and(...filters))
    .orderBy(direction(column), direction(votes.id))
    .limit(q.perPage).offset(q.cursor ? 0 : (q.page - 1) * q.perPage);
  return rows;
}
