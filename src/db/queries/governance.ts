import { sql } from 'drizzle-orm';
import { NotFoundError } from '../../errors.ts';
import type { ProposalState } from '../../metrics/proposal-states.ts';
import { type Choice, decimalText, scoreProposal, type VotingType } from '../../metrics/snapshot-scoring.ts';
import { type Db, rowsOf } from '../client.ts';
import { copyRows, inTransaction } from '../copy.ts';
import { prepared, runPrepared } from '../prepared.ts';
import { derivedStateText } from '../proposal-state.ts';
import type { TimePrecision } from '../schema/index.ts';
import { foldByKey, iso, json, param, type Upserted, upsertKeyed } from './upserts.ts';

/**
 * Proposals and their votes, whichever source they come from (imports, Snapshot, Governor
 * contracts): the writes every source shares, the lookups they resume from, and the API's reads.
 */
export interface ProposalWrite {
  daoId: number;
  externalId: string;
  source: string;
  votingType: string;
  title: string;
  body: string;
  author: string | null;
  choices: string[];
  start: Date;
  end: Date;
  /** 'day' when the source gave start and end as dates only; default 'second'. */
  timePrecision?: TimePrecision | undefined;
  state: string;
  quorum: string | null;
  snapshotBlock: number | null;
  scores: string[] | null;
  scoresTotal: string | null;
  /** The source's own vote count; null (or absent) when it does not say. */
  sourceVotesCount?: number | null;
  /** A discussion (forum) URL; null (or absent) when the source has none. */
  discussion?: string | null;
}

export interface VoteWrite {
  daoId: number;
  proposalId: number;
  voter: string;
  choice: Choice;
  votingPower: string;
  created: Date;
  /** 'day' when the source gave only the date of the vote; default 'second'. */
  createdPrecision?: TimePrecision | undefined;
  reason: string | null;
}

const proposalKey = (r: { daoId: number; externalId: string }) => `${r.daoId}:${r.externalId}`;

/** Upserts proposals by (DAO, source id); a batch naming one proposal twice writes the last. Returns the rows written. */
export function upsertProposals<R extends ProposalWrite>(db: Db, batch: R[]): Promise<Upserted<R>> {
  const rows = foldByKey(batch, proposalKey, () => true);
  return upsertKeyed(
    db,
    rows,
    proposalKey,
    sql`
    insert into proposals as p (dao_id, external_id, source, voting_type, title, body, author, choices, start, "end",
      state, quorum, snapshot_block, scores, scores_total, source_votes_count, discussion, time_precision)
    select * from unnest(${param(rows.map((r) => r.daoId))}::int[], ${param(rows.map((r) => r.externalId))}::text[],
      ${param(rows.map((r) => r.source))}::text[], ${param(rows.map((r) => r.votingType))}::text[],
      ${param(rows.map((r) => r.title))}::text[], ${param(rows.map((r) => r.body))}::text[], ${param(rows.map((r) => r.author))}::text[],
      ${param(rows.map((r) => json(r.choices)))}::jsonb[], ${param(rows.map((r) => iso(r.start)))}::timestamptz[],
      ${param(rows.map((r) => iso(r.end)))}::timestamptz[], ${param(rows.map((r) => r.state))}::text[],
      ${param(rows.map((r) => r.quorum))}::numeric[], ${param(rows.map((r) => r.snapshotBlock))}::int8[],
      ${param(rows.map((r) => json(r.scores)))}::jsonb[], ${param(rows.map((r) => r.scoresTotal))}::numeric[],
      ${param(rows.map((r) => r.sourceVotesCount ?? null))}::int[], ${param(rows.map((r) => r.discussion ?? null))}::text[],
      ${param(rows.map((r) => r.timePrecision ?? 'second'))}::text[])
    on conflict (dao_id, external_id) do update set source = excluded.source, voting_type = excluded.voting_type,
      title = excluded.title, body = excluded.body, author = excluded.author, choices = excluded.choices,
      start = excluded.start, "end" = excluded."end", state = excluded.state, quorum = excluded.quorum,
      snapshot_block = excluded.snapshot_block, scores = excluded.scores, scores_total = excluded.scores_total,
      source_votes_count = excluded.source_votes_count, discussion = excluded.discussion,
      time_precision = excluded.time_precision, updated_at = now()
    where (p.source, p.voting_type, p.title, p.body, p.author, p.choices, p.start, p."end", p.state, p.quorum,
           p.snapshot_block, p.scores, p.scores_total, p.source_votes_count, p.discussion, p.time_precision)
      is distinct from (excluded.source, excluded.voting_type, excluded.title, excluded.body, excluded.author,
           excluded.choices, excluded.start, excluded."end", excluded.state, excluded.quorum, excluded.snapshot_block,
           excluded.scores, excluded.scores_total, excluded.source_votes_count, excluded.discussion, excluded.time_precision)
    returning (xmax = 0) as inserted, p.dao_id::text || ':' || p.external_id as key`,
  );
}

/** One vote per (proposal, voter): a later `created` replaces an earlier vote, an equal one keeps the last read. */
export const voteKey = (r: { proposalId: number; voter: string }) => `${r.proposalId}:${r.voter}`;
export const voteReplaces = (next: { created: Date }, kept: { created: Date }) => next.created >= kept.created;

/** The votes' columns a write sets, in the staging table's order. */
const VOTE_COLUMNS = [
  'proposal_id',
  'dao_id',
  'voter',
  'choice',
  'voting_power',
  'reason',
  'created',
  'created_precision',
] as const;

/**
 * Upserts votes by (proposal, voter) under that rule, in the batch (voteReplaces) and against
 * the stored row (the statement's `excluded.created >= v.created`). Returns the rows written.
 *
 * The rows go by COPY into a temporary staging table and from there into votes in one
 * INSERT … ON CONFLICT per batch (src/db/copy.ts): the same statement, guard and returned keys as
 * when they travelled as unnested arrays, with the parsing of the values done by COPY. The
 * statement-level triggers on votes log the rows it writes for the rollups, as for any writer;
 * rows that already hold the same values are not written, so a re-import logs nothing. The
 * staging table lives for the batch (dropped after it, and at commit in any case), so one
 * transaction may call this more than once.
 */
export function upsertVotes<R extends VoteWrite>(db: Db, batch: R[]): Promise<Upserted<R>> {
  const rows = foldByKey(batch, voteKey, voteReplaces);
  if (rows.length === 0) return Promise.resolve({ inserted: 0, updated: 0, changed: [] });
  return inTransaction(db, async (tx) => {
    await tx.execute(sql`
      create temp table _vote_stage (proposal_id int8, dao_id int, voter text, choice jsonb, voting_power numeric,
        reason text, created timestamptz, created_precision text) on commit drop`);
    await copyRows(
      tx,
      '_vote_stage',
      VOTE_COLUMNS,
      rows.map((r) => [
        r.proposalId,
        r.daoId,
        r.voter,
        json(r.choice),
        r.votingPower,
        r.reason,
        iso(r.created),
        r.createdPrecision ?? 'second',
      ]),
    );
    const written = await upsertKeyed(
      tx,
      rows,
      voteKey,
      sql`
      insert into votes as v (proposal_id, dao_id, voter, choice, voting_power, reason, created, created_precision)
      select proposal_id, dao_id, voter, choice, voting_power, reason, created, created_precision from _vote_stage
      on conflict (proposal_id, voter) do update set choice = excluded.choice, voting_power = excluded.voting_power,
        reason = excluded.reason, created = excluded.created, created_precision = excluded.created_precision
      where excluded.created >= v.created
        and (v.choice, v.voting_power, v.reason, v.created, v.created_precision) is distinct from
            (excluded.choice, excluded.voting_power, excluded.reason, excluded.created, excluded.created_precision)
      returning (xmax = 0) as inserted, v.proposal_id::text || ':' || v.voter as key`,
    );
    await tx.execute(sql`drop table _vote_stage`);
    return written;
  });
}

/** What a vote needs to know of its proposal: the internal id, and the choices to check it against. */
export interface ProposalRef {
  id: number;
  votingType: string;
  choices: number;
}

/** Proposals named by (DAO id, source id), keyed `daoId:externalId`; unknown ones are absent. */
export async function proposalRefs(
  db: Db,
  keys: ReadonlyArray<readonly [number, string]>,
): Promise<Map<string, ProposalRef>> {
  if (keys.length === 0) return new Map();
  const rows = await rowsOf<{ id: number; dao_id: number; external_id: string; voting_type: string; choices: number }>(
    db,
    sql`
    select p.id, p.dao_id, p.external_id, p.voting_type, jsonb_array_length(p.choices) as choices
      from proposals p join unnest(${param(keys.map((k) => k[0]))}::int[], ${param(keys.map((k) => k[1]))}::text[]) as k(dao_id, external_id)
        on p.dao_id = k.dao_id and p.external_id = k.external_id`,
  );
  return new Map(
    rows.map((r) => [
      `${r.dao_id}:${r.external_id}`,
      { id: Number(r.id), votingType: r.voting_type, choices: Number(r.choices) },
    ]),
  );
}

/** Internal ids of a DAO's proposals by source id; unknown ones are absent. */
export async function proposalIdsByExternalId(
  db: Db,
  daoId: number,
  externalIds: string[],
): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const rows = await rowsOf<{ id: number; external_id: string }>(
    db,
    sql`
    select id, external_id from proposals where dao_id = ${daoId} and external_id = any(${param(externalIds)}::text[])`,
  );
  return new Map(rows.map((r) => [r.external_id, Number(r.id)]));
}

/** Stored states of a DAO's proposals by source id; unknown ones are absent. */
export async function proposalStates(db: Db, daoId: number, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await rowsOf<{ external_id: string; state: string }>(
    db,
    sql`
    select external_id, state from proposals where dao_id = ${daoId} and external_id = any(${param(externalIds)}::text[])`,
  );
  return new Map(rows.map((r) => [r.external_id, r.state]));
}

/** Source ids of a DAO's proposals from one source that are in (or, with `except`, not in) the given states, by id. */
export async function proposalsInStates(
  db: Db,
  daoId: number,
  source: string,
  states: { in: readonly string[] } | { except: readonly string[] },
): Promise<string[]> {
  const filter =
    'in' in states
      ? sql`state = any(${param([...states.in])}::text[])`
      : sql`state <> all(${param([...states.except])}::text[])`;
  const rows = await rowsOf<{ external_id: string }>(
    db,
    sql`
    select external_id from proposals where dao_id = ${daoId} and source = ${source} and ${filter} order by id`,
  );
  return rows.map((r) => r.external_id);
}

/** Deletes a DAO's proposals from one source by source id (their votes go with them); returns how many. */
export async function deleteProposals(db: Db, daoId: number, source: string, externalIds: string[]): Promise<number> {
  if (externalIds.length === 0) return 0;
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`
    delete from proposals where dao_id = ${daoId} and source = ${source} and external_id = any(${param(externalIds)}::text[]) returning id`,
  );
  return rows.length;
}

/** Votes stored for a DAO. */
export async function countVotes(db: Db, daoId: number): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from votes where dao_id = ${daoId}`);
  return row?.n ?? 0;
}

/** The derived state (src/db/proposal-state.ts) of a proposal row `p`. */
const DERIVED_STATE = derivedStateText({ state: 'p.state', start: 'p.start', end: 'p."end"' });
/** The source's vote count when it says one, else the stored votes. */
const EFFECTIVE_VOTES = 'coalesce(p.source_votes_count, p.votes_count)';

/** The proposal list's sorts: the column (over `p`) and its SQL type (for a keyset position). */
export const PROPOSAL_SORTS = {
  start: { column: 'p.start', type: 'timestamptz' },
  end: { column: 'p."end"', type: 'timestamptz' },
  votes: { column: EFFECTIVE_VOTES, type: 'int' },
  votes_stored: { column: 'p.votes_count', type: 'int' },
} as const;
export type ProposalSort = keyof typeof PROPOSAL_SORTS;

/** What the metric rollups decided for the proposal (src/db/rollup-statements.ts), if they hold a row. */
export interface TallySummary {
  outcome: 'passed' | 'failed' | null;
  margin: number | null;
  choice_vp: Record<string, string>;
}

/** A proposal as the list answers it (src/api/serialize.ts, proposalToApi): no body, no DAO but its slug. */
export interface ProposalSummaryRow {
  id: number;
  daoId: number;
  daoSlug: string;
  externalId: string;
  source: string;
  votingType: string;
  title: string;
  author: string | null;
  choices: string[];
  start: Date;
  end: Date;
  timePrecision: TimePrecision;
  state: ProposalState;
  storedState: string;
  quorum: string | null;
  snapshotBlock: number | null;
  scores: string[] | null;
  scoresTotal: string | null;
  /** The source's count when it says one, else the stored votes. */
  votesCount: number;
  votesStored: number;
  sourceVotesCount: number | null;
  discussion: string | null;
  tally: TallySummary | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A whole proposal: the summary with its body and its DAO's chain and Snapshot space (the source link). */
export interface ProposalRow extends ProposalSummaryRow {
  daoChain: string;
  snapshotSpace: string | null;
  body: string;
}

/** ProposalSummaryRow's columns over `p` (proposals) and `d` (its DAO), named as the row spells them. */
const PROPOSAL_SUMMARY = `p.id, p.dao_id as "daoId", d.slug as "daoSlug", p.external_id as "externalId", p.source,
  p.voting_type as "votingType", p.title, p.author, p.choices, p.start, p."end", p.time_precision as "timePrecision",
  ${DERIVED_STATE} as state, p.state as "storedState", p.quorum, p.snapshot_block as "snapshotBlock", p.scores,
  p.scores_total as "scoresTotal", ${EFFECTIVE_VOTES}::int as "votesCount", p.votes_count as "votesStored",
  p.source_votes_count as "sourceVotesCount", p.discussion,
  (select jsonb_build_object('outcome', t.outcome, 'margin', t.margin, 'choice_vp', t.choice_vp)
     from proposal_tallies t where t.proposal_id = p.id) as tally,
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;
const PROPOSAL_ROW = `${PROPOSAL_SUMMARY}, d.chain as "daoChain", d.snapshot_space as "snapshotSpace", p.body`;

/**
 * The list's filter: `$1` the DAO and, in the `inState` statements, `$2` a derived state. Two
 * statements rather than `$2 is null or …`: a held statement runs on a generic plan, which cannot
 * drop that test, and the planner then sorted all of a DAO's proposals for every page instead of
 * reading the first ones from the (dao_id, start) index.
 */
const proposalFilter = (inState: boolean) =>
  inState ? `p.dao_id = $1::int and ${DERIVED_STATE} = $2::text` : 'p.dao_id = $1::int';

/**
 * One held statement per sort, order, page mode and filter: `offset` pages (limit, offset) or
 * `keyset` pages after a position (limit, the sort value, the id), as for the votes page, their
 * placeholders after the filter's.
 */
const proposalListStatements = new Map(
  Object.entries(PROPOSAL_SORTS).flatMap(([sort, { column, type }]) =>
    (['asc', 'desc'] as const).flatMap((order) =>
      (['offset', 'keyset'] as const).flatMap((mode) =>
        [false, true].map((inState) => {
          const n = inState ? 2 : 1;
          const keyset =
            mode === 'keyset'
              ? `and (${column}, p.id) ${order === 'asc' ? '>' : '<'} ($${n + 2}::${type}, $${n + 3}::int8)`
              : '';
          const page = mode === 'keyset' ? `limit $${n + 1}` : `limit $${n + 1} offset $${n + 2}`;
          return [
            `${sort}:${order}:${mode}:${inState}`,
            prepared<ProposalSummaryRow>(
              `proposal_list_${sort}_${order}_${mode}${inState ? '_in_state' : ''}`,
              `select ${PROPOSAL_SUMMARY}
                 from proposals p join daos d on d.id = p.dao_id
                where ${proposalFilter(inState)} ${keyset}
                order by ${column} ${order}, p.id ${order}
                ${page}`,
            ),
          ] as const;
        }),
      ),
    ),
  ),
);
const proposalCountStatements = new Map(
  [false, true].map((inState) => [
    inState,
    prepared<{ total: number }>(
      `proposal_list_count${inState ? '_in_state' : ''}`,
      `select count(*)::int as total from proposals p where ${proposalFilter(inState)}`,
    ),
  ]),
);

export async function listProposals(
  db: Db,
  daoId: number,
  q: {
    page: number;
    perPage: number;
    sort: ProposalSort;
    order: 'asc' | 'desc';
    state?: string | undefined;
    /** Keyset position (exports): the previous page's last row. */
    after?: { start: Date; end: Date; votesCount: number; votesStored: number; id: number } | undefined;
  },
): Promise<{ rows: ProposalSummaryRow[]; total: number }> {
  const inState = q.state !== undefined;
  const filter = inState ? [daoId, q.state] : [daoId];
  const statement = proposalListStatements.get(`${q.sort}:${q.order}:${q.after ? 'keyset' : 'offset'}:${inState}`)!;
  const values: unknown[] = [...filter, q.perPage];
  if (q.after) {
    const a = q.after;
    const value =
      q.sort === 'votes' ? a.votesCount : q.sort === 'votes_stored' ? a.votesStored : a[q.sort].toISOString();
    values.push(value, a.id);
  } else values.push((q.page - 1) * q.perPage);
  const [rows, [count]] = await Promise.all([
    runPrepared(db, statement, values),
    runPrepared(db, proposalCountStatements.get(inState)!, filter),
  ]);
  return { rows, total: count?.total ?? 0 };
}

const FROM_PROPOSAL = 'from proposals p join daos d on d.id = p.dao_id';
const proposalById = prepared<ProposalRow>(
  'proposal_by_id',
  `select ${PROPOSAL_ROW} ${FROM_PROPOSAL} where p.id = $1::int8`,
);
const proposalByExternalId = prepared<ProposalRow>(
  'proposal_by_external_id',
  `select ${PROPOSAL_ROW} ${FROM_PROPOSAL} where p.external_id = $1 order by p.id limit 1`,
);

/**
 * Whether a route's `{id}` can be a proposal's internal id (digits that fit a double exactly);
 * each read tries it as one first and then as the source's proposal id.
 */
export const isInternalId = (id: string) => /^\d{1,15}$/.test(id);

/** `{id}` is the internal id or the source's proposal id. */
export async function getProposal(db: Db, id: string): Promise<ProposalRow> {
  if (isInternalId(id)) {
    const [row] = await runPrepared(db, proposalById, [id]);
    if (row) return row;
  }
  const [row] = await runPrepared(db, proposalByExternalId, [id]);
  if (!row) throw new NotFoundError('Proposal', id);
  return row;
}

/** What the votes page needs of its proposal: the id, and how many votes are stored (its pages). */
export interface ProposalVotesRef {
  id: number;
  votesStored: number;
}

const votesRefById = prepared<ProposalVotesRef>(
  'proposal_votes_ref_by_id',
  'select id, votes_count as "votesStored" from proposals where id = $1::int8',
);
const votesRefByExternalId = prepared<ProposalVotesRef>(
  'proposal_votes_ref_by_external_id',
  'select id, votes_count as "votesStored" from proposals where external_id = $1 order by id limit 1',
);

const votesRefsByIds = prepared<ProposalVotesRef>(
  'proposal_votes_refs_by_ids',
  'select id, votes_count as "votesStored" from proposals where id = any($1::int8[])',
);

/** proposalVotesRef of several internal ids in one read, by id; absent ids name no proposal. */
export async function proposalVotesRefs(db: Db, ids: number[]): Promise<Map<number, ProposalVotesRef>> {
  const rows = ids.length ? await runPrepared(db, votesRefsByIds, [ids]) : [];
  return new Map(rows.map((row) => [Number(row.id), row]));
}

/** `{id}` as getProposal reads it (the internal id, else the source's id), for the votes page. */
export async function proposalVotesRef(db: Db, id: string): Promise<ProposalVotesRef> {
  if (isInternalId(id)) {
    const [row] = await runPrepared(db, votesRefById, [id]);
    if (row) return row;
  }
  const [row] = await runPrepared(db, votesRefByExternalId, [id]);
  if (!row) throw new NotFoundError('Proposal', id);
  return row;
}

export interface TallyRow {
  choice: number;
  label: string | null;
  voting_power: string;
  votes: number;
}

export interface ProposalTallies {
  tallies: TallyRow[];
  /** Stored votes (one per voter) and their summed voting power. */
  voters: number;
  votingPower: string;
}

/** One row per choice 1..max(labels, highest tallied choice), zero where nothing was tallied. */
function tallyRows(choices: string[], byChoice: Map<number, { power: string; votes: number }>): TallyRow[] {
  const count = Math.max(choices.length, ...byChoice.keys());
  return Array.from({ length: count }, (_, i) => ({
    choice: i + 1,
    label: choices[i] ?? null,
    voting_power: byChoice.get(i + 1)?.power ?? '0',
    votes: byChoice.get(i + 1)?.votes ?? 0,
  }));
}

/** proposal_tallies' per-choice column and totals, as a held statement reads them. */
interface StoredTallyColumns {
  /** Per 1-based choice: [voting power, votes]; null when the row predates the column. */
  choiceTallies: Record<string, [string, number]> | null;
  talliedVoters: number | null;
  talliedPower: string | null;
}

/** The columns of StoredTallyColumns over `t` (proposal_tallies). */
const STORED_TALLIES = `t.choice_tallies as "choiceTallies", t.voters as "talliedVoters",
  trim_scale(t.vp_cast)::text as "talliedPower"`;

function storedTalliesOf(choices: string[], t: StoredTallyColumns): ProposalTallies | null {
  if (t.choiceTallies === null) return null;
  const byChoice = new Map(
    Object.entries(t.choiceTallies).map(([choice, [power, votes]]) => [Number(choice), { power, votes }] as const),
  );
  return { tallies: tallyRows(choices, byChoice), voters: t.talliedVoters!, votingPower: t.talliedPower! };
}

const storedTalliesStatement = prepared<StoredTallyColumns>(
  'proposal_stored_tallies',
  `select ${STORED_TALLIES} from proposal_tallies t where t.proposal_id = $1::int8`,
);

/**
 * The proposal's per-choice tallies and vote totals as the rollups hold them (proposal_tallies,
 * written by src/db/rollup-statements.ts with the same rules as tallyProposal), in one row read;
 * null while the rollups hold none for it (the proposal was written after the last refresh, or its
 * row predates the per-choice column).
 */
export async function storedTallies(
  db: Db,
  proposal: { id: number; choices: string[] },
): Promise<ProposalTallies | null> {
  const [row] = await runPrepared(db, storedTalliesStatement, [proposal.id]);
  return row ? storedTalliesOf(proposal.choices, row) : null;
}

const FROM_DETAIL = `${FROM_PROPOSAL} left join proposal_tallies t on t.proposal_id = p.id`;
const detailById = prepared<ProposalRow & StoredTallyColumns>(
  'proposal_detail_by_id',
  `select ${PROPOSAL_ROW}, ${STORED_TALLIES} ${FROM_DETAIL} where p.id = $1::int8`,
);
const detailByExternalId = prepared<ProposalRow & StoredTallyColumns>(
  'proposal_detail_by_external_id',
  `select ${PROPOSAL_ROW}, ${STORED_TALLIES} ${FROM_DETAIL} where p.external_id = $1 order by p.id limit 1`,
);

/** getProposal and storedTallies in one read, for the proposal detail. */
export async function getProposalWithTallies(
  db: Db,
  id: string,
): Promise<{ row: ProposalRow; stored: ProposalTallies | null }> {
  let found: (ProposalRow & StoredTallyColumns) | undefined;
  if (isInternalId(id)) [found] = await runPrepared(db, detailById, [id]);
  if (!found) [found] = await runPrepared(db, detailByExternalId, [id]);
  if (!found) throw new NotFoundError('Proposal', id);
  const { choiceTallies, talliedVoters, talliedPower, ...row } = found;
  return { row, stored: storedTalliesOf(row.choices, { choiceTallies, talliedVoters, talliedPower }) };
}

/**
 * The version of each proposal's detail: PostgreSQL's row versions (`xmin`, new on every write of
 * a row, whichever code writes it) of the proposal, its DAO and its tallies, and where the clock
 * stands against its start and end (the derived state moves with it, with no write). Null when
 * the detail reads more than those rows: before the rollups hold its tallies (they are counted
 * from the votes) and for on-chain proposals (their link comes from the chain events, which a
 * reorg rewrites).
 */
const detailStamps = prepared<{ id: number; stamp: string | null }>(
  'proposal_detail_stamps',
  `select p.id,
          case when t.proposal_id is not null and p.source <> 'onchain'
               then concat_ws(':', p.xmin, d.xmin, t.xmin,
                              case when now() < p.start then 0 when now() < p."end" then 1 else 2 end)
          end as stamp
     from proposals p join daos d on d.id = p.dao_id left join proposal_tallies t on t.proposal_id = p.id
    where p.id = any($1::int8[])`,
);

/** The detail versions of the proposals with these internal ids, by id; absent ids name no proposal. */
export async function proposalDetailStamps(db: Db, ids: number[]): Promise<Map<number, string | null>> {
  const rows = ids.length ? await runPrepared(db, detailStamps, [ids]) : [];
  return new Map(rows.map((row) => [Number(row.id), row.stamp]));
}

/**
 * Tallies and totals counted from the stored votes (a scan of the proposal's votes): what the
 * detail falls back to while storedTallies has none, until the next rollup refresh.
 */
export async function countedTallies(
  db: Db,
  proposal: { id: number; votingType: string; choices: string[] },
): Promise<ProposalTallies> {
  const [tallies, totals] = await Promise.all([tallyProposal(db, proposal), proposalVoteTotals(db, proposal.id)]);
  return { tallies, ...totals };
}

const votesInOrder = prepared<{ choice: Choice; vp: string }>(
  'proposal_votes_in_order',
  'select choice, voting_power as vp from votes where proposal_id = $1::int8 order by id',
);

/** The linear tallies per voting type, in SQL on exact decimals: rows (choice, power, votes). */
const linearTallies = {
  approval: prepared<{ choice: number; power: string; votes: number }>(
    'proposal_tally_approval',
    `select e.value::int as choice, trim_scale(sum(v.voting_power))::text as power, count(*)::int as votes
       from votes v cross join lateral jsonb_array_elements_text(v.choice) e
      where v.proposal_id = $1::int8 and jsonb_typeof(v.choice) = 'array' group by 1`,
  ),
  // Each voter's power is split in proportion to its weights.
  weighted: prepared<{ choice: number; power: string; votes: number }>(
    'proposal_tally_weighted',
    `with w as (
       select v.voting_power, e.key::int as choice, e.value::numeric as weight,
              sum(e.value::numeric) over (partition by v.id) as total
         from votes v cross join lateral jsonb_each_text(v.choice) e
        where v.proposal_id = $1::int8 and jsonb_typeof(v.choice) = 'object')
     select choice, trim_scale(sum(voting_power * weight / total))::text as power,
            count(*) filter (where weight > 0)::int as votes
       from w where total > 0 group by choice`,
  ),
  single: prepared<{ choice: number; power: string; votes: number }>(
    'proposal_tally_single',
    `select (v.choice #>> '{}')::int as choice, trim_scale(sum(v.voting_power))::text as power, count(*)::int as votes
       from votes v where v.proposal_id = $1::int8 and jsonb_typeof(v.choice) = 'number' group by 1`,
  ),
};

/**
 * Per-choice tallies from the stored votes, by Snapshot's rules for the voting type. The linear
 * rules run in SQL on exact decimals; quadratic and ranked-choice are not linear in the votes
 * and follow Snapshot's own (floating-point) computation, in vote order. The rollups store the
 * same (src/db/rollup-statements.ts, writeTallies).
 */
export async function tallyProposal(
  db: Db,
  proposal: { id: number; votingType: string; choices: string[] },
): Promise<TallyRow[]> {
  const byChoice = new Map<number, { power: string; votes: number }>();
  const type = proposal.votingType as VotingType;
  if (type === 'quadratic' || type === 'ranked-choice') {
    const rows = await runPrepared(db, votesInOrder, [proposal.id]);
    const scores = scoreProposal(
      type,
      proposal.choices.length,
      rows.map((r) => ({ choice: r.choice, votingPower: Number(r.vp) })),
    );
    for (const s of scores) byChoice.set(s.choice, { power: decimalText(s.votingPower), votes: s.votes });
  } else {
    const statement = type === 'approval' || type === 'weighted' ? linearTallies[type] : linearTallies.single;
    for (const r of await runPrepared(db, statement, [proposal.id])) {
      byChoice.set(Number(r.choice), { power: r.power, votes: Number(r.votes) });
    }
  }
  return tallyRows(proposal.choices, byChoice);
}

const voteTotalsStatement = prepared<{ voters: number; power: string }>(
  'proposal_vote_totals',
  `select count(*)::int as voters, coalesce(trim_scale(sum(voting_power)), 0)::text as power
     from votes where proposal_id = $1::int8`,
);

export async function proposalVoteTotals(db: Db, proposalId: number) {
  const [row] = await runPrepared(db, voteTotalsStatement, [proposalId]);
  return { voters: row?.voters ?? 0, votingPower: row?.power ?? '0' };
}

/** The vote sorts: the column and its SQL type (for a cursor's value). */
export const VOTE_SORTS = {
  voting_power: { column: 'voting_power', type: 'numeric' },
  created: { column: 'created', type: 'timestamptz' },
} as const;
export type VoteSort = keyof typeof VOTE_SORTS;

/** Narrowing of a proposal's votes: one choice (also inside approval, ranked and weighted votes), and a voter address fragment. */
export interface VoteFilter {
  choice?: number | undefined;
  voter?: string | undefined;
}

/**
 * The filter of a proposal's votes as held-statement text: `$2` a 1-based choice (null: any),
 * `$3` a lowercase address fragment (null: any), so one text serves filtered and unfiltered pages.
 */
const VOTE_FILTER = `($2::int is null
      or choice = to_jsonb($2::int)
      or (jsonb_typeof(choice) = 'array' and choice @> jsonb_build_array($2::int))
      or (jsonb_typeof(choice) = 'object' and coalesce((choice ->> ($2::int)::text)::numeric, 0) > 0))
  and ($3::text is null or strpos(voter, $3::text) > 0)`;

const filterValues = (q: VoteFilter) => [q.choice ?? null, q.voter ? q.voter.toLowerCase() : null];

const countFilteredStatement = prepared<{ n: number }>(
  'votes_filtered_count',
  `select count(*)::int as n from votes where proposal_id = $1 and ${VOTE_FILTER}`,
);

/** How many of a proposal's votes pass the filter. */
export async function countFilteredVotes(db: Db, proposalId: number, q: VoteFilter): Promise<number> {
  const [row] = await runPrepared(db, countFilteredStatement, [proposalId, ...filterValues(q)]);
  return Number(row?.n ?? 0);
}

export interface VoteRow {
  id: number;
  proposalId: number;
  voter: string;
  choice: unknown;
  votingPower: string;
  reason: string | null;
  created: Date;
  dateOnly: boolean;
  createdText: string;
}

/**
 * One held statement per sort, order, and page mode: `offset` pages ($4 limit, $5 offset) or
 * `keyset` pages after a cursor ($4 limit, $5 the sort value, $6 the id). The keyset bound is in
 * the text rather than behind a null test so that it stays an index condition in a cached plan.
 */
const voteStatements = new Map(
  Object.entries(VOTE_SORTS).flatMap(([sort, { column, type }]) =>
    (['asc', 'desc'] as const).flatMap((order) =>
      (['offset', 'keyset'] as const).map((mode) => {
        const keyset =
          mode === 'keyset' ? `and (${column}, id) ${order === 'asc' ? '>' : '<'} ($5::${type}, $6::int8)` : '';
        const page = mode === 'keyset' ? 'limit $4' : 'limit $4 offset $5';
        const key = `${sort}:${order}:${mode}`;
        return [
          key,
          prepared<VoteRow>(
            `votes_page_${sort}_${order}_${mode}`,
            // A boolean reads faster than the text column on the embedded database (150k-row exports).
            `select id, proposal_id as "proposalId", voter, choice, voting_power as "votingPower", reason, created,
                    created_precision = 'day' as "dateOnly",
                    to_char(created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdText"
               from votes
              where proposal_id = $1 and ${VOTE_FILTER} ${keyset}
              order by ${column} ${order}, id ${order}
              ${page}`,
          ),
        ] as const;
      }),
    ),
  ),
);

/** Keyset pagination: the cursor is the last row's (sort value, id), so deep pages cost the same as the first. */
export async function listVotes(
  db: Db,
  proposalId: number,
  q: {
    page: number;
    perPage: number;
    sort: VoteSort;
    order: 'asc' | 'desc';
    cursor?: { value: string; id: number } | undefined;
  } & VoteFilter,
): Promise<VoteRow[]> {
  const statement = voteStatements.get(`${q.sort}:${q.order}:${q.cursor ? 'keyset' : 'offset'}`)!;
  const values = [proposalId, ...filterValues(q), q.perPage];
  if (q.cursor) values.push(q.cursor.value, q.cursor.id);
  else values.push((q.page - 1) * q.perPage);
  return runPrepared(db, statement, values);
}
