import { type SQL, sql } from 'drizzle-orm';
import { type Bucket, bucketStart, nextBucket } from '../../metrics/activity.ts';
import { type ConcentrationFigures, concentrationFigures } from '../../metrics/concentration.ts';
import { CONTESTED_MARGIN, ratio } from '../../metrics/outcomes.ts';
import { participationFigures, type SupplyBasis } from '../../metrics/participation.ts';
import {
  type BalanceRow,
  type OwnToken,
  summarizeTreasury,
  type TreasuryPoint,
  treasurySeries,
} from '../../metrics/treasury.ts';
import { type Db, rowsOf } from '../client.ts';
import type { DaoRow } from './daos.ts';
import { delegatesSql, holdersSql } from './populations.ts';

export interface MetricWindow {
  from: Date | null;
  to: Date | null;
  /** Proposals count as closed once their end is at or before this time. */
  asOf: Date;
}

/**
 * Windows are whole UTC days: `from` is moved back to its day's start and `to` forward to the next
 * day start (unless already one), so every figure comes from the day/week/month rollups. The
 * coarsest bucket that tiles the window is used.
 */
export function snapWindow(from: Date | undefined, to: Date | undefined, asOf = new Date()): MetricWindow {
  const day = (d: Date) => bucketStart(d, 'day');
  const f = from ? day(from) : null;
  const t = to ? (day(to).getTime() === to.getTime() ? to : nextBucket(day(to), 'day')) : null;
  return { from: f, to: t, asOf };
}

function tilingBucket(w: MetricWindow): Bucket {
  const aligned = (b: Bucket) => [w.from, w.to].every((d) => !d || bucketStart(d, b).getTime() === d.getTime());
  return aligned('month') ? 'month' : aligned('week') ? 'week' : 'day';
}

const inRange = (column: string, w: MetricWindow) =>
  sql`${w.from ? sql`and ${sql.raw(column)} >= ${w.from.toISOString()}::timestamptz` : sql``}
      ${w.to ? sql`and ${sql.raw(column)} < ${w.to.toISOString()}::timestamptz` : sql``}`;

export const ownToken = (dao: DaoRow): OwnToken => ({
  symbols: [dao.tokenSymbol, dao.governanceToken].filter((s): s is string => !!s && !/^0x[0-9a-f]{40}$/i.test(s)),
  address:
    dao.tokenAddress ??
    (dao.governanceToken && /^0x[0-9a-f]{40}$/i.test(dao.governanceToken) ? dao.governanceToken : null),
});

/**
 * Activity from the rollups: all-time voters from the DAO row (distinct voters, kept by
 * refreshDaoAggregates), new voters from the per-bucket first-vote counts; distinct voters of a
 * window from the votes' index on (dao_id, created), which holds the voter (migration 0079).
 */
export async function activitySummary(db: Db, dao: DaoRow, w: MetricWindow) {
  const bucket = tilingBucket(w);
  const windowed = w.from !== null || w.to !== null;
  const retentionTo = w.to ?? w.asOf;
  const [row] = await rowsOf<{
    proposals: number;
    votes: number;
    new_voters: number;
    voters: number | null;
    retained: number | null;
    base: number | null;
  }>(
    db,
    sql`
    select
      (select count(*)::int from proposals where dao_id = ${dao.id} ${inRange('start', w)}) as proposals,
      a.votes, a.new_voters,
      ${
        windowed
          ? sql`(select count(distinct voter collate "C")::int from votes where dao_id = ${dao.id} ${inRange('created', w)})`
          : sql`null::int`
      } as voters,
      r.retained, r.base
    from (select coalesce(sum(votes), 0)::int as votes, coalesce(sum(new_voters), 0)::int as new_voters from dao_activity
           where dao_id = ${dao.id} and bucket = ${bucket} ${inRange('t', w)}) a,
         (select sum(retained)::int as retained, sum(voters)::int as base from dao_activity
           where dao_id = ${dao.id} and bucket = 'month' ${w.from ? sql`and t >= ${w.from.toISOString()}::timestamptz` : sql``}
             and (t at time zone 'UTC' + interval '2 months') at time zone 'UTC' <= ${retentionTo.toISOString()}::timestamptz) r`,
  );
  const r = row!;
  const voters = r.voters ?? dao.totalMembers;
  return {
    proposals: r.proposals,
    votes: r.votes,
    voters,
    new_voters: r.new_voters,
    returning_voters: voters - r.new_voters,
    retention: ratio(r.retained ?? 0, r.base ?? 0),
  };
}

/** One closed proposal with stored votes, its end, and the votable supply at its snapshot (participationFigures). */
export interface ProposalParticipationRow {
  end: Date;
  voters: number;
  vp_cast: number;
  supply: number | null;
}

/**
 * Where the DAO's votable supply comes from: the on-chain token accounts (Governor token: their
 * voting power, i.e. the delegated supply, as indexed now) or, from file imports, the holder
 * snapshots (Σ voting power, else balance, of the listed holders: an approximation, and an
 * understatement with a top-N list). Null when neither exists.
 */
export async function supplyBasis(db: Db, daoId: number): Promise<SupplyBasis | null> {
  const [row] = await rowsOf<{ accounts: boolean; holders: boolean }>(
    db,
    sql`select ${hasAccountSupply(daoId)} as accounts, ${hasHolderSnapshots(daoId)} as holders`,
  );
  return row?.accounts ? 'token_supply' : row?.holders ? 'holders' : null;
}

const hasAccountSupply = (daoId: number) =>
  sql`exists (select 1 from token_accounts where dao_id = ${daoId} and voting_power > 0)`;
const hasHolderSnapshots = (daoId: number) => sql`exists (select 1 from token_holders where dao_id = ${daoId})`;
const accountSupply = (daoId: number) =>
  sql`(select sum(voting_power)::float8 from token_accounts where dao_id = ${daoId})`;
const snapshotSupply = sql`(select s.supply from snaps s order by (s.as_of <= t.start) desc, case when s.as_of <= t.start then -extract(epoch from s.as_of) else extract(epoch from s.as_of) end limit 1)`;

/** The supply of proposal `t` on the given basis. */
const supplyOn = (daoId: number, basis: SupplyBasis | null) =>
  basis === 'token_supply' ? accountSupply(daoId) : basis === 'holders' ? snapshotSupply : sql`null::float8`;

/** The supply of proposal `t` on whichever basis the DAO has (supplyBasis), decided in the statement. */
export const supplyOfProposal = (daoId: number) =>
  sql`case when ${hasAccountSupply(daoId)} then ${accountSupply(daoId)} when ${hasHolderSnapshots(daoId)} then ${snapshotSupply} end`;

/**
 * The statement behind proposalParticipation: rows ("end", voters, vp_cast, supply) in end order,
 * with `supply` an expression over the proposal row `t` (supplyOn, supplyOfProposal).
 */
export function closedProposalsSql(daoId: number, w: MetricWindow, supply: SQL) {
  return sql`
    with snaps as (
      select as_of, sum(coalesce(voting_power, balance))::float8 as supply from token_holders where dao_id = ${daoId} group by as_of)
    select t."end", t.voters, t.vp_cast::float8 as vp_cast, ${supply} as supply
      from proposal_tallies t
     where t.dao_id = ${daoId} and t.voters > 0 and t."end" <= ${w.asOf.toISOString()}::timestamptz ${inRange('t."end"', w)}
     order by t."end"`;
}

/** A closedProposalsSql row as participationFigures takes it. */
export const participationRow = (r: {
  end: Date | string;
  voters: number;
  vp_cast: number;
  supply: number | null;
}): ProposalParticipationRow => ({
  end: new Date(r.end),
  voters: r.voters,
  vp_cast: r.vp_cast,
  supply: r.supply !== null && r.supply > 0 ? r.supply : null,
});

/**
 * Closed proposals with stored votes ending in the window, with the votable supply at their
 * snapshot: the token accounts' total voting power, else the holder snapshot in force at the
 * proposal's start (the latest at or before it, else the earliest one).
 */
export async function proposalParticipation(
  db: Db,
  daoId: number,
  w: MetricWindow,
  basis: SupplyBasis | null,
): Promise<ProposalParticipationRow[]> {
  const rows = await rowsOf<{ end: Date | string; voters: number; vp_cast: number; supply: number | null }>(
    db,
    closedProposalsSql(daoId, w, supplyOn(daoId, basis)),
  );
  return rows.map(participationRow);
}

/**
 * The holder list (token accounts with a balance, else the latest holder snapshot) and how many of
 * those addresses voted: in the window when one is given, else ever.
 */
async function holderVoting(db: Db, daoId: number, w: MetricWindow) {
  const voted =
    w.from || w.to
      ? sql`exists (select 1 from votes b where b.voter = h.address and b.dao_id = ${daoId} ${inRange('b.created', w)})`
      : sql`exists (select 1 from dao_voters v where v.dao_id = ${daoId} and v.voter = h.address)`;
  const [row] = await rowsOf<{ holders: number; voting: number }>(
    db,
    sql`select count(*)::int as holders, count(*) filter (where ${voted})::int as voting from (${holdersSql(daoId)}) h`,
  );
  return row && row.holders > 0 ? { holders: row.holders, votingHolders: row.voting } : null;
}

export async function participationSummary(db: Db, daoId: number, w: MetricWindow, windowVoters: number) {
  const basis = await supplyBasis(db, daoId);
  const [proposals, holders] = await Promise.all([
    proposalParticipation(db, daoId, w, basis),
    holderVoting(db, daoId, w),
  ]);
  const f = participationFigures(proposals, holders);
  const mean = proposals.length ? proposals.reduce((a, p) => a + p.voters, 0) / proposals.length : null;
  return {
    closed_proposals: proposals.length,
    mean_voters_per_proposal: mean,
    median_voters_per_proposal: f.median_voters_per_proposal,
    participation_rate: mean === null ? null : ratio(mean, windowVoters),
    vp_cast: proposals.reduce((a, p) => a + p.vp_cast, 0),
    turnout_vp: f.turnout_vp,
    turnout_proposals: f.turnout_proposals,
    turnout_basis: f.turnout_vp === null ? null : basis,
    voter_holder_ratio: f.voter_holder_ratio,
    holders: holders?.holders ?? null,
    voting_holders: holders?.votingHolders ?? null,
  };
}

export async function outcomesSummary(db: Db, daoId: number, w: MetricWindow) {
  const [row] = await rowsOf<{
    closed: number;
    decided: number;
    passed: number;
    avg_margin: number | null;
    contested: number;
  }>(
    db,
    sql`
    select count(*)::int as closed, count(outcome)::int as decided, count(*) filter (where outcome = 'passed')::int as passed,
           avg(margin) filter (where outcome is not null) as avg_margin,
           count(*) filter (where outcome is not null and margin < ${CONTESTED_MARGIN})::int as contested
      from proposal_tallies
     where dao_id = ${daoId} and "end" <= ${w.asOf.toISOString()}::timestamptz ${inRange('"end"', w)}`,
  );
  const r = row!;
  return {
    closed: r.closed,
    decided: r.decided,
    passed: r.passed,
    pass_rate: ratio(r.passed, r.decided),
    avg_margin: r.avg_margin,
    contested: r.contested,
  };
}

/** Voting power per voter in the window: the largest power it used in any vote there. */
export async function voterPowers(db: Db, daoId: number, w: MetricWindow): Promise<number[]> {
  const rows =
    w.from || w.to
      ? await rowsOf<{ p: number }>(
          db,
          sql`select max(voting_power)::float8 as p from votes
        where dao_id = ${daoId} ${inRange('created', w)} group by voter collate "C"`,
        )
      : await rowsOf<{ p: number }>(db, sql`select max_vp::float8 as p from dao_voters where dao_id = ${daoId}`);
  return rows.map((r) => r.p);
}

/** All-time voter concentration as stored by the last rollup rebuild. */
async function storedVoterConcentration(db: Db, daoId: number): Promise<ConcentrationFigures | null> {
  const [row] = await rowsOf<{ c: ConcentrationFigures | null }>(
    db,
    sql`select voter_concentration as c from dao_rollup_state where dao_id = ${daoId}`,
  );
  return row?.c ?? null;
}

export async function concentrationSummary(db: Db, daoId: number, w: MetricWindow) {
  const [voters, holders, delegates] = await Promise.all([
    w.from || w.to ? voterPowers(db, daoId, w).then(concentrationFigures) : storedVoterConcentration(db, daoId),
    rowsOf<{ p: number }>(db, sql`select balance::float8 as p from (${holdersSql(daoId)}) h`).then((r) =>
      r.map((x) => x.p),
    ),
    rowsOf<{ p: number }>(db, sql`select voting_power::float8 as p from (${delegatesSql(daoId)}) d`).then((r) =>
      r.map((x) => x.p),
    ),
  ]);
  return { voters, holders: concentrationFigures(holders), delegates: concentrationFigures(delegates) };
}

export async function delegatesSummary(db: Db, daoId: number, w: MetricWindow) {
  const voted =
    w.from || w.to
      ? sql`exists (select 1 from votes b where b.voter = d.address and b.dao_id = ${daoId} ${inRange('b.created', w)})`
      : sql`exists (select 1 from dao_voters v where v.dao_id = ${daoId} and v.voter = d.address)`;
  const [row] = await rowsOf<{ count: number; with_votes: number }>(
    db,
    sql`
    select count(*)::int as count, count(*) filter (where ${voted})::int as with_votes from (${delegatesSql(daoId)}) d`,
  );
  return { count: row!.count, with_votes: row!.with_votes };
}

export async function treasuryPoints(db: Db, daoId: number, to: Date | null): Promise<TreasuryPoint[]> {
  const rows = await rowsOf<{
    timestamp: Date | string;
    wallet: string;
    chain: string;
    token_symbol: string;
    token_address: string;
    usd: number | null;
  }>(
    db,
    sql`
    select timestamp, wallet, chain, token_symbol, token_address, usd_value::float8 as usd from treasury_balances
     where dao_id = ${daoId} ${to ? sql`and timestamp < ${to.toISOString()}::timestamptz` : sql``}`,
  );
  const balances: BalanceRow[] = rows.map((r) => ({
    timestamp: new Date(r.timestamp),
    wallet: r.wallet,
    chain: r.chain,
    token_symbol: r.token_symbol,
    token_address: r.token_address,
    usd_value: r.usd,
  }));
  return treasurySeries(balances);
}

export async function treasurySummary(db: Db, dao: DaoRow, w: MetricWindow) {
  const s = summarizeTreasury(await treasuryPoints(db, dao.id, w.to), ownToken(dao), w.from, w.to);
  return { ...s, as_of: s.as_of ? s.as_of.toISOString() : null };
}

/** Every metric of one DAO over the window, in the API's shape. */
export async function daoSummary(db: Db, dao: DaoRow, w: MetricWindow) {
  const activity = await activitySummary(db, dao, w);
  const [participation, outcomes, concentration, delegates, treasury] = await Promise.all([
    participationSummary(db, dao.id, w, activity.voters),
    outcomesSummary(db, dao.id, w),
    concentrationSummary(db, dao.id, w),
    delegatesSummary(db, dao.id, w),
    treasurySummary(db, dao, w),
  ]);
  return {
    dao: { id: dao.id, slug: dao.slug, name: dao.name },
    from: w.from ? w.from.toISOString() : null,
    to: w.to ? w.to.toISOString() : null,
    activity,
    participation,
    outcomes,
    concentration,
    delegates,
    treasury,
  };
}
