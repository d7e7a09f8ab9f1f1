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
import type { Db } from '../client.ts';
import { heldFragment, prepared, runPrepared } from '../prepared.ts';
import type { DaoRow } from './daos.ts';
import { DELEGATES, HOLDERS } from './populations.ts';

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

/**
 * The summary's reads are held statements (src/db/prepared.ts): `$1` the DAO, `$2` and `$3` the
 * window's ends (null: open), `$4` the tiling bucket or the as-of time. An open end is an
 * infinite bound rather than a null test, so the range stays an index condition in a cached plan.
 */
const IN_WINDOW = (column: string) =>
  `${column} >= coalesce($2::timestamptz, '-infinity') and ${column} < coalesce($3::timestamptz, 'infinity')`;
const windowEnds = (w: MetricWindow) => [w.from?.toISOString() ?? null, w.to?.toISOString() ?? null];
const windowed = (w: MetricWindow) => w.from !== null || w.to !== null;

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
const activityStatement = prepared<{
  proposals: number;
  votes: number;
  new_voters: number;
  voters: number | null;
  retained: number | null;
  base: number | null;
}>(
  'summary_activity',
  // `$4` the tiling bucket, `$5` the end of the retention window; distinct voters only for a window.
  `select
     (select count(*)::int from proposals where dao_id = $1::int and ${IN_WINDOW('start')}) as proposals,
     a.votes, a.new_voters,
     case when $2::timestamptz is null and $3::timestamptz is null then null::int
          else (select count(distinct voter collate "C")::int from votes
                 where dao_id = $1::int and ${IN_WINDOW('created')}) end as voters,
     r.retained, r.base
   from (select coalesce(sum(votes), 0)::int as votes, coalesce(sum(new_voters), 0)::int as new_voters from dao_activity
          where dao_id = $1::int and bucket = $4::text and ${IN_WINDOW('t')}) a,
        (select sum(retained)::int as retained, sum(voters)::int as base from dao_activity
          where dao_id = $1::int and bucket = 'month' and t >= coalesce($2::timestamptz, '-infinity')
            and (t at time zone 'UTC' + interval '2 months') at time zone 'UTC' <= $5::timestamptz) r`,
);

export async function activitySummary(db: Db, dao: DaoRow, w: MetricWindow) {
  const retentionTo = w.to ?? w.asOf;
  const [row] = await runPrepared(db, activityStatement, [
    dao.id,
    ...windowEnds(w),
    tilingBucket(w),
    retentionTo.toISOString(),
  ]);
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
  const [row] = await runPrepared(db, supplyBasisStatement, [daoId]);
  return row?.accounts ? 'token_supply' : row?.holders ? 'holders' : null;
}

const HAS_ACCOUNT_SUPPLY = 'exists (select 1 from token_accounts where dao_id = $1::int and voting_power > 0)';
const HAS_HOLDER_SNAPSHOTS = 'exists (select 1 from token_holders where dao_id = $1::int)';
const ACCOUNT_SUPPLY = '(select sum(voting_power)::float8 from token_accounts where dao_id = $1::int)';
const SNAPSHOT_SUPPLY = `(select s.supply from snaps s order by (s.as_of <= t.start) desc, case when s.as_of <= t.start then -extract(epoch from s.as_of) else extract(epoch from s.as_of) end limit 1)`;

const supplyBasisStatement = prepared<{ accounts: boolean; holders: boolean }>(
  'summary_supply_basis',
  `select ${HAS_ACCOUNT_SUPPLY} as accounts, ${HAS_HOLDER_SNAPSHOTS} as holders`,
);

/**
 * The supply of proposal `t`: on a known basis (supplyBasis), none, or `any`, on whichever basis
 * the DAO has, decided in the statement.
 */
const SUPPLY = {
  token_supply: ACCOUNT_SUPPLY,
  holders: SNAPSHOT_SUPPLY,
  none: 'null::float8',
  any: `case when ${HAS_ACCOUNT_SUPPLY} then ${ACCOUNT_SUPPLY} when ${HAS_HOLDER_SNAPSHOTS} then ${SNAPSHOT_SUPPLY} end`,
} as const;
type Supply = keyof typeof SUPPLY;

/**
 * The statement behind proposalParticipation: rows ("end", voters, vp_cast, supply) in end order,
 * `$1` the DAO, `$2`/`$3` the window, `$4` the as-of time.
 */
const closedProposalsText = (supply: Supply) => `
    with snaps as (
      select as_of, sum(coalesce(voting_power, balance))::float8 as supply from token_holders where dao_id = $1::int group by as_of)
    select t."end", t.voters, t.vp_cast::float8 as vp_cast, ${SUPPLY[supply]} as supply
      from proposal_tallies t
     where t.dao_id = $1::int and t.voters > 0 and t."end" <= $4::timestamptz and ${IN_WINDOW('t."end"')}
     order by t."end"`;
const closedValues = (daoId: number, w: MetricWindow) => [daoId, ...windowEnds(w), w.asOf.toISOString()];

/** closedProposalsText as a fragment of a built query (the participation series). */
export const closedProposalsSql = (daoId: number, w: MetricWindow, supply: Supply) =>
  heldFragment(closedProposalsText(supply), closedValues(daoId, w));

const closedProposalsStatements = {
  token_supply: prepared<ClosedProposalRow>('summary_closed_token_supply', closedProposalsText('token_supply')),
  holders: prepared<ClosedProposalRow>('summary_closed_holders', closedProposalsText('holders')),
  none: prepared<ClosedProposalRow>('summary_closed_none', closedProposalsText('none')),
};
interface ClosedProposalRow {
  end: Date | string;
  voters: number;
  vp_cast: number;
  supply: number | null;
}

/** A closedProposalsSql row as participationFigures takes it. */
export const participationRow = (r: ClosedProposalRow): ProposalParticipationRow => ({
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
  const rows = await runPrepared(db, closedProposalsStatements[basis ?? 'none'], closedValues(daoId, w));
  return rows.map(participationRow);
}

/** `voted`: whether address `column` voted, in the window ($2, $3) or ever. */
const votedText = (column: string, inWindow: boolean) =>
  inWindow
    ? `exists (select 1 from votes b where b.voter = ${column} and b.dao_id = $1::int and ${IN_WINDOW('b.created')})`
    : `exists (select 1 from dao_voters v where v.dao_id = $1::int and v.voter = ${column})`;
/** A statement per window mode, run with the DAO and, in a window, its ends. */
const byWindow = <Row>(name: string, text: (inWindow: boolean) => string) => ({
  ever: prepared<Row>(`${name}_ever`, text(false)),
  window: prepared<Row>(`${name}_window`, text(true)),
});
const runByWindow = <Row>(db: Db, s: ReturnType<typeof byWindow<Row>>, daoId: number, w: MetricWindow) =>
  windowed(w) ? runPrepared(db, s.window, [daoId, ...windowEnds(w)]) : runPrepared(db, s.ever, [daoId]);

const holderVotingStatements = byWindow<{ holders: number; voting: number }>(
  'summary_holder_voting',
  (inWindow) =>
    `select count(*)::int as holders, count(*) filter (where ${votedText('h.address', inWindow)})::int as voting from (${HOLDERS}) h`,
);

/**
 * The holder list (token accounts with a balance, else the latest holder snapshot) and how many of
 * those addresses voted: in the window when one is given, else ever.
 */
async function holderVoting(db: Db, daoId: number, w: MetricWindow) {
  const [row] = await runByWindow(db, holderVotingStatements, daoId, w);
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

const outcomesStatement = prepared<{
  closed: number;
  decided: number;
  passed: number;
  avg_margin: number | null;
  contested: number;
}>(
  'summary_outcomes',
  // `$4` the as-of time, `$5` the contested margin.
  `select count(*)::int as closed, count(outcome)::int as decided, count(*) filter (where outcome = 'passed')::int as passed,
          avg(margin) filter (where outcome is not null) as avg_margin,
          count(*) filter (where outcome is not null and margin < $5::float8)::int as contested
     from proposal_tallies
    where dao_id = $1::int and "end" <= $4::timestamptz and ${IN_WINDOW('"end"')}`,
);

export async function outcomesSummary(db: Db, daoId: number, w: MetricWindow) {
  const [row] = await runPrepared(db, outcomesStatement, [
    daoId,
    ...windowEnds(w),
    w.asOf.toISOString(),
    CONTESTED_MARGIN,
  ]);
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

const voterPowerStatements = byWindow<{ p: number }>('summary_voter_powers', (inWindow) =>
  inWindow
    ? `select max(voting_power)::float8 as p from votes
        where dao_id = $1::int and ${IN_WINDOW('created')} group by voter collate "C"`
    : 'select max_vp::float8 as p from dao_voters where dao_id = $1::int',
);

/** Voting power per voter in the window: the largest power it used in any vote there. */
export async function voterPowers(db: Db, daoId: number, w: MetricWindow): Promise<number[]> {
  return (await runByWindow(db, voterPowerStatements, daoId, w)).map((r) => r.p);
}

const storedConcentrationStatement = prepared<{ c: ConcentrationFigures | null }>(
  'summary_voter_concentration',
  'select voter_concentration as c from dao_rollup_state where dao_id = $1::int',
);
const holderPowerStatement = prepared<{ p: number }>(
  'summary_holder_balances',
  `select balance::float8 as p from (${HOLDERS}) h`,
);
const delegatePowerStatement = prepared<{ p: number }>(
  'summary_delegate_powers',
  `select voting_power::float8 as p from (${DELEGATES}) d`,
);

/** All-time voter concentration as stored by the last rollup rebuild. */
async function storedVoterConcentration(db: Db, daoId: number): Promise<ConcentrationFigures | null> {
  const [row] = await runPrepared(db, storedConcentrationStatement, [daoId]);
  return row?.c ?? null;
}

export async function concentrationSummary(db: Db, daoId: number, w: MetricWindow) {
  const [voters, holders, delegates] = await Promise.all([
    windowed(w) ? voterPowers(db, daoId, w).then(concentrationFigures) : storedVoterConcentration(db, daoId),
    runPrepared(db, holderPowerStatement, [daoId]).then((r) => r.map((x) => x.p)),
    runPrepared(db, delegatePowerStatement, [daoId]).then((r) => r.map((x) => x.p)),
  ]);
  return { voters, holders: concentrationFigures(holders), delegates: concentrationFigures(delegates) };
}

const delegateVotingStatements = byWindow<{ count: number; with_votes: number }>(
  'summary_delegate_voting',
  (inWindow) =>
    `select count(*)::int as count, count(*) filter (where ${votedText('d.address', inWindow)})::int as with_votes
       from (${DELEGATES}) d`,
);

export async function delegatesSummary(db: Db, daoId: number, w: MetricWindow) {
  const [row] = await runByWindow(db, delegateVotingStatements, daoId, w);
  return { count: row!.count, with_votes: row!.with_votes };
}

const treasuryPointsStatement = prepared<{
  timestamp: Date | string;
  wallet: string;
  chain: string;
  token_symbol: string;
  token_address: string;
  usd: number | null;
}>(
  'summary_treasury_balances',
  `select timestamp, wallet, chain, token_symbol, token_address, usd_value::float8 as usd from treasury_balances
    where dao_id = $1::int and timestamp < coalesce($2::timestamptz, 'infinity')`,
);

export async function treasuryPoints(db: Db, daoId: number, to: Date | null): Promise<TreasuryPoint[]> {
  const rows = await runPrepared(db, treasuryPointsStatement, [daoId, to?.toISOString() ?? null]);
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
