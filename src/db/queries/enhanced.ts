import { sql } from 'drizzle-orm';
import { type Bucket, bucketCount, bucketStart, nextBucket } from '../../metrics/activity.ts';
import { concentrationFigures } from '../../metrics/concentration.ts';
import { ratio } from '../../metrics/outcomes.ts';
import type { SeriesType } from '../../metrics/series.ts';
import { byToken, pointAt } from '../../metrics/treasury.ts';
import { type Db, rowsOf } from '../client.ts';
import type { DaoRow } from './daos.ts';
import { treasuryPoints } from './metrics.ts';
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
  const rows = await activityRows(db, daoId, range);
  const by = new Map(rows.map((r) => [time(r.t), r]));
  return bucketAxis(rows[0] ? new Date(rows[0].t) : null, range).map((t) => {
    const r = by.get(t.getTime());
    return {
      t: iso(t),
      proposals: r?.proposals ?? 0,
      votes: r?.votes ?? 0,
      voters: r?.voters ?? 0,
      new_voters: r?.new_voters ?? 0,
      returning_voters: r?.returning_voters ?? 0,
      retention: r ? ratio(r.retained, r.voters) : null,
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

async function participationSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const [closed, activity] = await Promise.all([closedByBucket(db, daoId, range), activityRows(db, daoId, range)]);
  const by = new Map(closed.map((r) => [time(r.t), r]));
  const voters = new Map(activity.map((r) => [time(r.t), r.voters]));
  const first =
    [closed[0]?.t, activity[0]?.t]
      .filter((x) => x !== undefined)
      .map((x) => new Date(x!))
      .sort((a, b) => +a - +b)[0] ?? null;
  return bucketAxis(first, range).map((t) => {
    const r = by.get(t.getTime());
    const mean = r && r.with_votes > 0 ? r.mean : null;
    return {
      t: iso(t),
      participation_rate: mean === null ? null : ratio(mean, voters.get(t.getTime()) ?? 0),
      mean_voters_per_proposal: mean,
      vp_cast: r?.vp ?? 0,
    };
  });
}

async function outcomesSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const closed = await closedByBucket(db, daoId, range);
  const by = new Map(closed.map((r) => [time(r.t), r]));
  return bucketAxis(closed[0] ? new Date(closed[0].t) : null, range).map((t) => {
    const r = by.get(t.getTime());
    return {
      t: iso(t),
      closed: r?.closed ?? 0,
      passed: r?.passed ?? 0,
      // Ended proposals are passed, failed, or undecided (no outcome known): never "not passed" for both.
      failed: r ? r.decided - r.passed : 0,
      undecided: r ? r.closed - r.decided : 0,
      pass_rate: r ? ratio(r.passed, r.decided) : null,
      avg_margin: r?.avg_margin ?? null,
    };
  });
}

async function concentrationSeries(db: Db, daoId: number, range: SeriesRange): Promise<Point[]> {
  const rows = await rowsOf<{ t: Date | string; p: number }>(
    db,
    sql`
    select t, max_vp::float8 as p from dao_voter_buckets where dao_id = ${daoId} and bucket = ${range.bucket} ${between('t', range)} order by t`,
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
      from dao_voter_buckets b join (${delegatesSql(daoId)}) d on d.address = b.voter
     where b.dao_id = ${daoId} and b.bucket = ${range.bucket} ${between('b.t', range)} group by b.t order by b.t`,
  );
  const by = new Map(rows.map((r) => [time(r.t), r]));
  const [first] = await rowsOf<{ t: Date | string | null }>(
    db,
    sql`select min(t) as t from dao_activity where dao_id = ${daoId} and bucket = ${range.bucket}`,
  );
  return bucketAxis(first?.t ? new Date(first.t) : null, range).map((t) => {
    const r = by.get(t.getTime());
    return { t: iso(t), active_delegates: r?.active ?? 0, votes_cast: r?.votes ?? 0 };
  });
}

/** Treasury value at the end of each bucket (the last snapshot before the next bucket starts). */
async function treasurySeriesPoints(db: Db, dao: DaoRow, range: SeriesRange): Promise<Point[]> {
  const series = await treasuryPoints(db, dao.id, range.to);
  return bucketAxis(series[0]?.t ?? null, range).map((t) => {
    const point = pointAt(series, new Date(Math.min(nextBucket(t, range.bucket).getTime(), range.to.getTime()) - 1));
    return { t: iso(t), total_usd: point ? point.total_usd : null, by_token: point ? byToken(point) : {} };
  });
}
