import { sql } from 'drizzle-orm';
import { type Bucket, bucketCount, bucketStart, nextBucket } from '../../metrics/activity.ts';
import { concentrationFigures } from '../../metrics/concentration.ts';
import { covers, type Span, spanOf, within } from '../../metrics/coverage.ts';
import { ratio } from '../../metrics/outcomes.ts';
import { participationFigures } from '../../metrics/participation.ts';
import type { SeriesType } from '../../metrics/series.ts';
import { byToken, type TreasuryPoint } from '../../metrics/treasury.ts';
import { type Db, rowsOf } from '../client.ts';
import { votesSpanSql } from './coverage.ts';
import type { DaoRow } from './daos.ts';
import { closedProposalsSql, participationRow, treasuryPoints } from './metrics.ts';
import { delegatesSql } from './populations.ts';

export interface SeriesRange {
  /** First bucket start (inclusive); null: from the DAO's first data. */
  from: Date | null;
  /** End (exclusive). */
  to: Date;
  bucket: Bucket;
  asOf: Date;
  /** Most buckets one series may have: the axis is counted before it is built, never cut short. */
  maxBuckets: number;
  /** The error for an axis of more than maxBuckets buckets starting at `start` (found once the first data is read). */
  tooLong: (buckets: number, start: Date) => Error;
}

type Point = { t: string } & Record<string, unknown>;
const iso = (d: Date) => d.toISOString();
const time = (v: Date | string) => new Date(v).getTime();

/**
 * Every bucket start from the first to the one holding `to` (exclusive end), so charts get a
 * dense axis. A longer axis than the range allows is refused before any of it is built (it
 * was cut at 20,000 buckets per DAO without a word; 50 DAOs of those were 121 MB of JSON).
 */
function bucketAxis(first: Date | null, range: SeriesRange): Date[] {
  const start = range.from ? bucketStart(range.from, range.bucket) : first ? bucketStart(first, range.bucket) : null;
  if (!start) return [];
  const count = bucketCount(start, range.to, range.bucket);
  if (count > range.maxBuckets) throw range.tooLong(count, start);
  const out: Date[] = [];
  for (let t = start; t < range.to; t = nextBucket(t, range.bucket)) out.push(t);
  return out;
}

const between = (column: string, range: SeriesRange) =>
  sql`${range.from ? sql`and ${sql.raw(column)} >= ${iso(bucketStart(range.from, range.bucket))}::timestamptz` : sql``}
      and ${sql.raw(column)} < ${iso(range.to)}::timestamptz`;

/**
 * The times of the votes in the buckets `between` selects by their start: a `to` inside a bucket
 * keeps that whole bucket, so the end is the start of the bucket after the one holding `to`
 * unless `to` is itself a bucket start. A range on `created` reads votes_dao_created_idx.
 */
const votesBetween = (column: string, range: SeriesRange) => {
  const last = bucketStart(range.to, range.bucket);
  const end = last.getTime() === range.to.getTime() ? range.to : nextBucket(last, range.bucket);
  return sql`${range.from ? sql`and ${sql.raw(column)} >= ${iso(bucketStart(range.from, range.bucket))}::timestamptz` : sql``}
      and ${sql.raw(column)} < ${iso(end)}::timestamptz`;
};

/** Per bucket and voter of the range: the voter's votes and the largest power it used, from the votes' index. */
const voterBucketsSql = (daoId: number, range: SeriesRange) => sql`
  select date_trunc(${range.bucket}, created, 'UTC') as t, voter collate "C" as voter, count(*)::int as votes,
         max(voting_power) as max_vp
    from votes where dao_id = ${daoId} ${votesBetween('created', range)} group by 1, 2`;

/**
 * What the stored data spans (docs/METRICS.md, "Coverage of series"): votes from the first to the
 * last stored vote, proposals from the first to the last start and from the first to the last end.
 * Buckets outside a span are null in the series that depend on that data.
 */
interface SeriesCoverage {
  votes: Span | null;
  starts: Span | null;
  ends: Span | null;
}

/** The columns of seriesCoverage, to select with other figures in one statement. */
const coverageColumns = (daoId: number) => sql`
    span.votes_from, span.votes_to,
    (select min(start) from proposals where dao_id = ${daoId}) as starts_from,
    (select max(start) from proposals where dao_id = ${daoId}) as starts_to,
    (select min("end") from proposals where dao_id = ${daoId}) as ends_from,
    (select max("end") from proposals where dao_id = ${daoId}) as ends_to`;

const coverageOf = (row: Record<string, unknown> | undefined): SeriesCoverage => {
  const at = (name: string) => row?.[name] as Date | string | null | undefined;
  return {
    votes: spanOf(at('votes_from'), at('votes_to')),
    starts: spanOf(at('starts_from'), at('starts_to')),
    ends: spanOf(at('ends_from'), at('ends_to')),
  };
};

async function seriesCoverage(db: Db, daoId: number): Promise<SeriesCoverage> {
  const [row] = await rowsOf<Record<string, unknown>>(
    db,
    sql`select ${coverageColumns(daoId)} from (${votesSpanSql(daoId)}) span`,
  );
  return coverageOf(row);
}

/** The span of proposal ends known by as_of: a proposal still running has no outcome yet. */
const endedBy = (ends: Span | null, asOf: Date): Span | null =>
  ends && ends.from <= asOf ? { from: ends.from, to: ends.to < asOf ? ends.to : asOf } : null;

/** The time series of one metric family for one DAO, one point per bucket. */
export async function daoSeries(db: Db, dao: DaoRow, type: SeriesType, range: SeriesRange): Promise<Point[]> {
  switch (type) {
    case 'activity':
      return activitySeries(db, dao.id, range);
    case 'participation':
      return participationSeries(db, dao.id, range);
    case 'outcomes':
      return outcomesSeries(db, dao.id, range);
    case 'concentration':
      return concentrationSeries(db, dao.id, range);
    case 'delegates':
      return delegatesSeries(db, dao.id, range);
    case 'treasury':
      return treasurySeriesPoints(db, dao, range);
  }
}

async function activityRows(db: Db, daoId: number, range: SeriesRange) {
  return rowsOf<{
    t: Date | string;
    proposals: number;
    votes: number;
    voters: number;
    new_voters: number;
    returning_voters: number;
    retained: number;
  }>(
    db,
    sql`
    select t, proposals, votes, voters, new_voters, returning_voters, retained from dao_activity
     where dao_id = ${daoId} and bucket = ${range.bucket} ${between('t', range)} order by t`,
  );
}

async function activitySeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const [rows, cover] = await Promise.all([activityRows(db, daoId, range), seriesCoverage(db, daoId)]);
  const by = new Map(rows.map((r) => [time(r.t), r]));
  const first = [cover.votes?.from, cover.starts?.from].filter((d) => d !== undefined).sort((a, b) => +a - +b)[0];
  return bucketAxis(first ?? null, range).map((t) => {
    const r = by.get(t.getTime());
    const voted = covers(cover.votes, t, range.bucket);
    const count = (v: number | undefined) => (voted ? (v ?? 0) : null);
    return {
      t: iso(t),
      proposals: within(cover.starts, t, range.bucket, r?.proposals ?? 0),
      votes: count(r?.votes),
      voters: count(r?.voters),
      new_voters: count(r?.new_voters),
      returning_voters: count(r?.returning_voters),
      retention: r && voted ? ratio(r.retained, r.voters) : null,
    };
  });
}

/** Proposals closed by as_of, grouped by the bucket of their end. */
async function closedByBucket(db: Db, daoId: number, range: SeriesRange) {
  return rowsOf<{
    t: Date | string;
    closed: number;
    with_votes: number;
    mean: number | null;
    vp: number;
    passed: number;
    decided: number;
    avg_margin: number | null;
  }>(
    db,
    sql`
    select date_trunc(${range.bucket}, "end", 'UTC') as t, count(*)::int as closed, count(*) filter (where voters > 0)::int as with_votes,
           (avg(voters) filter (where voters > 0))::float8 as mean, coalesce(sum(vp_cast), 0)::float8 as vp,
           count(*) filter (where outcome = 'passed')::int as passed, count(outcome)::int as decided,
           avg(margin) filter (where outcome is not null) as avg_margin
      from proposal_tallies
     where dao_id = ${daoId} and "end" <= ${iso(range.asOf)}::timestamptz ${between('"end"', range)}
     group by 1 order by 1`,
  );
}

/** Per bucket of the proposals' end, over those closed with stored votes; null outside the votes' span. */
async function participationSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const window = { from: range.from ? bucketStart(range.from, range.bucket) : null, to: range.to, asOf: range.asOf };
  // One statement: the closed proposals (with the supply on the DAO's basis), the buckets' voters
  // and the coverage (it was four: the basis first, then the other three).
  const [row] = await rowsOf<{
    proposals: Array<{ end: string; voters: number; vp_cast: number; supply: number | null }> | null;
    activity: Array<{ t: string; voters: number }> | null;
  }>(
    db,
    sql`
    select ${coverageColumns(daoId)},
           (select json_agg(json_build_object('end', p."end", 'voters', p.voters, 'vp_cast', p.vp_cast, 'supply', p.supply)
                            order by p."end")
              from (${closedProposalsSql(daoId, window, 'any')}) p) as proposals,
           (select json_agg(json_build_object('t', a.t, 'voters', a.voters) order by a.t)
              from dao_activity a where a.dao_id = ${daoId} and a.bucket = ${range.bucket} ${between('a.t', range)}) as activity
      from (${votesSpanSql(daoId)}) span`,
  );
  const proposals = (row?.proposals ?? []).map(participationRow);
  const activity = row?.activity ?? [];
  const cover = coverageOf(row);
  const by = new Map<number, typeof proposals>();
  for (const p of proposals) {
    const key = bucketStart(p.end, range.bucket).getTime();
    const list = by.get(key);
    if (list) list.push(p);
    else by.set(key, [p]);
  }
  const voters = new Map(activity.map((r) => [time(r.t), r.voters]));
  return bucketAxis(cover.votes?.from ?? null, range).map((t) => {
    const list = by.get(t.getTime()) ?? [];
    const voted = covers(cover.votes, t, range.bucket);
    const f = participationFigures(list, null);
    const mean = list.length ? list.reduce((a, p) => a + p.voters, 0) / list.length : null;
    return {
      t: iso(t),
      turnout_vp: f.turnout_vp,
      median_voters_per_proposal: f.median_voters_per_proposal,
      mean_voters_per_proposal: mean,
      participation_rate: mean === null ? null : ratio(mean, voters.get(t.getTime()) ?? 0),
      vp_cast: voted ? list.reduce((a, p) => a + p.vp_cast, 0) : null,
    };
  });
}

async function outcomesSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const [closed, cover] = await Promise.all([closedByBucket(db, daoId, range), seriesCoverage(db, daoId)]);
  const ended = endedBy(cover.ends, range.asOf);
  const by = new Map(closed.map((r) => [time(r.t), r]));
  return bucketAxis(closed[0] ? new Date(closed[0].t) : null, range).map((t) => {
    const r = by.get(t.getTime());
    const known = covers(ended, t, range.bucket);
    return {
      t: iso(t),
      closed: known ? (r?.closed ?? 0) : null,
      passed: known ? (r?.passed ?? 0) : null,
      // Ended proposals are passed, failed, or undecided (no outcome known): never "not passed" for both.
      failed: known ? (r ? r.decided - r.passed : 0) : null,
      undecided: known ? (r ? r.closed - r.decided : 0) : null,
      pass_rate: r ? ratio(r.passed, r.decided) : null,
      avg_margin: r?.avg_margin ?? null,
    };
  });
}

async function concentrationSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const rows = await rowsOf<{ t: Date | string; p: number }>(
    db,
    sql`
    select t, max_vp::float8 as p from (${voterBucketsSql(daoId, range)}) b order by t`,
  );
  const by = new Map<number, number[]>();
  for (const r of rows) {
    const list = by.get(time(r.t));
    if (list) list.push(r.p);
    else by.set(time(r.t), [r.p]);
  }
  return bucketAxis(rows[0] ? new Date(rows[0].t) : null, range).map((t) => {
    const c = concentrationFigures(by.get(t.getTime()) ?? []);
    return {
      t: iso(t),
      gini: c?.gini ?? null,
      hhi: c?.hhi ?? null,
      nakamoto: c?.nakamoto ?? null,
      top10_share: c?.top10_share ?? null,
    };
  });
}

/** Today's delegates' activity per bucket (the delegate set has no history). */
async function delegatesSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const rows = await rowsOf<{ t: Date | string; active: number; votes: number }>(
    db,
    sql`
    select b.t, count(*)::int as active, sum(b.votes)::int as votes
      from (${voterBucketsSql(daoId, range)}) b join (${delegatesSql(daoId)}) d on d.address = b.voter
     group by b.t order by b.t`,
  );
  const by = new Map(rows.map((r) => [time(r.t), r]));
  const cover = await seriesCoverage(db, daoId);
  return bucketAxis(cover.votes?.from ?? null, range).map((t) => {
    const r = by.get(t.getTime());
    const voted = covers(cover.votes, t, range.bucket);
    return { t: iso(t), active_delegates: voted ? (r?.active ?? 0) : null, votes_cast: voted ? (r?.votes ?? 0) : null };
  });
}

/**
 * Treasury value at the end of each bucket that holds a snapshot (its last one, with every
 * wallet's latest snapshot so far); a bucket without a snapshot is null, not the last balance
 * carried forward.
 */
async function treasurySeriesPoints(db: Db, dao: DaoRow, range: SeriesRange): Promise<Point[]> {
  const series = await treasuryPoints(db, dao.id, range.to);
  const lastInBucket = new Map<number, TreasuryPoint>();
  for (const p of series) lastInBucket.set(bucketStart(p.t, range.bucket).getTime(), p);
  return bucketAxis(series[0]?.t ?? null, range).map((t) => {
    const point = lastInBucket.get(t.getTime()) ?? null;
    return { t: iso(t), total_usd: point ? point.total_usd : null, by_token: point ? byToken(point) : {} };
  });
}
