import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { importSharedData } from './helpers/fixtures.ts';

// Every expectation below is computed here, straight from the raw CSV exports, with formulas
// written independently of src/metrics (e.g. Gini from the mean absolute difference).
type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, skip_empty_lines: true });

interface Vote {
  proposal: string;
  voter: string;
  created: Date;
  vp: number;
}
const dclVotes: Vote[] = csv('decentraland/votes_2022-05-15.csv').map((r) => ({
  proposal: r['Proposal ID']!,
  voter: r.Member!.toLowerCase(),
  created: new Date(r.Created!),
  vp: Number(r.VP),
}));
const tokVotes = csv('tokenomics/snapshot_votes.csv');
const arbVotes: Vote[] = tokVotes
  .filter((r) => r.symbol === 'ARB')
  .map((r) => ({
    proposal: r.proposal_id!,
    voter: r.voter!.toLowerCase(),
    created: new Date(`${r.created}T00:00:00Z`),
    vp: Number(r.voting_power),
  }));

const close = (actual: number | null, expected: number, what: string) => {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(expected)),
  );
};

/** Largest power each voter used in the given votes. */
function maxPower(votes: Vote[]): number[] {
  const by = new Map<string, number>();
  for (const v of votes) by.set(v.voter, Math.max(by.get(v.voter) ?? 0, v.vp));
  return [...by.values()].filter((p) => p > 0);
}

/** Gini as the mean absolute difference over twice the mean: Σ_i Σ_j |x_i − x_j| / (2 n² μ). */
function giniMad(x: number[]): number {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += Math.abs(x[i]! - x[j]!);
  return s / (2 * n * n * mean);
}

function expectedConcentration(x: number[]) {
  const total = x.reduce((a, b) => a + b, 0);
  const desc = [...x].sort((a, b) => b - a);
  let acc = 0;
  let nakamoto = 0;
  while (acc <= total / 2) acc += desc[nakamoto++]!;
  const top = (k: number) => desc.slice(0, k).reduce((a, b) => a + b, 0) / total;
  return {
    count: x.length,
    total,
    gini: giniMad(x),
    hhi: x.reduce((a, v) => a + (v / total) ** 2, 0),
    nakamoto,
    top1: top(1),
    top5: top(5),
    top10: top(10),
  };
}

const monthKey = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();

/** Activity over [from, to) by the definitions in docs/METRICS.md, recomputed from the raw votes. */
function expectedActivity(votes: Vote[], from: Date | null, to: Date) {
  const inside = (d: Date) => (!from || d >= from) && d < to;
  const first = new Map<string, number>();
  for (const v of votes) first.set(v.voter, Math.min(first.get(v.voter) ?? Infinity, v.created.getTime()));
  const window = votes.filter((v) => inside(v.created));
  const voters = new Set(window.map((v) => v.voter));
  const fresh = [...voters].filter((v) => inside(new Date(first.get(v)!))).length;
  const months = new Map<number, Set<string>>();
  for (const v of window) {
    const k = monthKey(v.created);
    if (!months.has(k)) months.set(k, new Set());
    months.get(k)!.add(v.voter);
  }
  let base = 0;
  let kept = 0;
  const fromKey = from ? monthKey(from) + (from.getUTCDate() === 1 && from.getUTCHours() === 0 ? 0 : 1) : -Infinity;
  const toKey = monthKey(to); // month m counts when month m+2 starts by `to`
  for (const [k, set] of months) {
    if (k < fromKey || k + 2 > toKey) continue;
    base += set.size;
    const next = months.get(k + 1) ?? new Set();
    for (const v of set) if (next.has(v)) kept++;
  }
  return {
    votes: window.length,
    voters: voters.size,
    new_voters: fresh,
    returning_voters: voters.size - fresh,
    retention: base ? kept / base : null,
  };
}

describe.each(databaseTargets())('metric endpoints against the raw shared data on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await target.open();
    await importSharedData(database);
    app = await testServer(database);
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const get = (url: string) => getData(app, url);

  const checkConcentration = (actual: Record<string, number>, x: number[], what: string) => {
    const e = expectedConcentration(x);
    expect(actual.count, what).toBe(e.count);
    expect(actual.nakamoto, what).toBe(e.nakamoto);
    close(actual.total!, e.total, `${what} total`);
    close(actual.gini!, e.gini, `${what} gini`);
    close(actual.hhi!, e.hhi, `${what} hhi`);
    close(actual.top1_share!, e.top1, `${what} top1`);
    close(actual.top5_share!, e.top5, `${what} top5`);
    close(actual.top10_share!, e.top10, `${what} top10`);
  };

  it('Decentraland: all-time activity, participation and voter concentration equal the raw votes', async () => {
    const s = await get('/api/v1/daos/decentraland/metrics/summary');
    const now = new Date();
    const a = expectedActivity(dclVotes, null, now);
    expect(s.activity).toMatchObject({
      votes: a.votes,
      voters: a.voters,
      new_voters: a.new_voters,
      returning_voters: 0,
    });
    close(s.activity.retention, a.retention!, 'retention');

    const perProposal = new Map<string, Vote[]>();
    for (const v of dclVotes) perProposal.set(v.proposal, [...(perProposal.get(v.proposal) ?? []), v]);
    const counts = [...perProposal.values()].map((vs) => new Set(vs.map((v) => v.voter)).size);
    const mean = counts.reduce((x, y) => x + y, 0) / counts.length;
    expect(s.participation.closed_proposals).toBe(perProposal.size);
    close(s.participation.mean_voters_per_proposal, mean, 'mean voters');
    close(s.participation.participation_rate, mean / a.voters, 'participation rate');
    close(
      s.participation.vp_cast,
      dclVotes.reduce((x, v) => x + v.vp, 0),
      'vp cast',
    );

    checkConcentration(s.concentration.voters, maxPower(dclVotes), 'voters');
    expect(s.concentration.voters.lorenz.length).toBeLessThanOrEqual(101);
    expect(s.concentration.voters.lorenz.at(-1)).toEqual([1, 1]);
  });

  it('Decentraland: holder and delegate concentration equal members.csv', async () => {
    const members = csv('decentraland/members.csv');
    const s = await get('/api/v1/daos/decentraland/metrics/summary');
    checkConcentration(
      s.concentration.holders,
      members.map((m) => Number(m['Total VP'])).filter((p) => p > 0),
      'holders',
    );
    // Delegates: every address some member delegates to, with its own Total VP (or its delegators' when not a member).
    const vp = new Map(members.map((m) => [m.Member!.toLowerCase(), Number(m['Total VP'])]));
    const delegated = new Map<string, number>();
    for (const m of members) {
      const d = m.Delegate?.toLowerCase();
      if (d) delegated.set(d, (delegated.get(d) ?? 0) + Number(m['Total VP']));
    }
    const powers = [...delegated].map(([d, sum]) => vp.get(d) ?? sum).filter((p) => p > 0);
    checkConcentration(s.concentration.delegates, powers, 'delegates');
    expect(s.delegates.count).toBe(delegated.size);
  });

  it('Arbitrum (Tokenomics): activity and concentration in a window equal the raw votes', async () => {
    const from = new Date('2025-05-01T00:00:00Z');
    const to = new Date('2025-07-01T00:00:00Z');
    const s = await get(`/api/v1/daos/arbitrum/metrics/summary?from=${from.toISOString()}&to=${to.toISOString()}`);
    const inside = arbVotes.filter((v) => v.created >= from && v.created < to);
    const a = expectedActivity(arbVotes, from, to);
    expect(s.activity).toMatchObject({
      votes: a.votes,
      voters: a.voters,
      new_voters: a.new_voters,
      returning_voters: a.returning_voters,
    });
    close(s.activity.retention, a.retention!, 'retention');
    checkConcentration(s.concentration.voters, maxPower(inside), 'voters in window');
    const all = await get('/api/v1/daos/arbitrum/metrics/summary');
    checkConcentration(all.concentration.voters, maxPower(arbVotes), 'voters all time');
    // Holders: the top-1,000 ARB holder list.
    checkConcentration(
      all.concentration.holders,
      csv('tokenomics/holder_lists/ARB_holders.csv')
        .map((r) => Number(r.balance))
        .filter((b) => b > 0),
      'holders',
    );
  });

  it('Tokenomics: participation per DAO equals the raw votes', async () => {
    for (const [symbol, slug] of [
      ['ARB', 'arbitrum'],
      ['UNI', 'uniswap'],
      ['LDO', 'lido'],
    ] as const) {
      const rows = tokVotes.filter((r) => r.symbol === symbol);
      const byProposal = new Map<string, Set<string>>();
      for (const r of rows)
        byProposal.set(r.proposal_id!, (byProposal.get(r.proposal_id!) ?? new Set()).add(r.voter!.toLowerCase()));
      const mean = [...byProposal.values()].reduce((x, s) => x + s.size, 0) / byProposal.size;
      const s = await get(`/api/v1/daos/${slug}/metrics/summary`);
      expect(s.participation.closed_proposals, symbol).toBe(byProposal.size);
      close(s.participation.mean_voters_per_proposal, mean, `${symbol} mean voters`);
      close(
        s.participation.participation_rate,
        mean / new Set(rows.map((r) => r.voter!.toLowerCase())).size,
        `${symbol} rate`,
      );
      const monthly = await get(`/api/v1/metrics/enhanced?type=activity&period=all&bucket=month&dao_ids=${slug}`);
      const votesByMonth = new Map<string, number>();
      for (const r of rows)
        votesByMonth.set(
          `${r.created!.slice(0, 7)}-01T00:00:00.000Z`,
          (votesByMonth.get(`${r.created!.slice(0, 7)}-01T00:00:00.000Z`) ?? 0) + 1,
        );
      const points = monthly.series[0].points as Array<{ t: string; votes: number }>;
      expect(new Map(points.filter((p) => p.votes > 0).map((p) => [p.t, p.votes])), symbol).toEqual(votesByMonth);
    }
  });

  it('Decentraland treasury series equals the monthly balance exports', async () => {
    const balances = csv('decentraland/balances_monthly_history.csv');
    const dates = [...new Set(balances.map((r) => r._commit_date!))].sort();
    // Holdings at each export: every wallet's (per network) latest export so far.
    const latest = new Map<string, Row[]>();
    const totals = new Map<string, number>();
    for (const d of dates) {
      const rows = balances.filter((r) => r._commit_date === d);
      const wallets = new Set(rows.map((r) => `${r.Address!.toLowerCase()}|${r.Network!.toLowerCase()}`));
      for (const w of wallets)
        latest.set(
          w,
          rows.filter((r) => `${r.Address!.toLowerCase()}|${r.Network!.toLowerCase()}` === w),
        );
      totals.set(
        d,
        [...latest.values()].flat().reduce((x, r) => x + Number(r['USD Balance'] || 0), 0),
      );
    }
    const series = await get(
      '/api/v1/metrics/enhanced?type=treasury&bucket=month&period=all&as_of=2026-05-01T00:00:00Z&dao_ids=decentraland',
    );
    const points = series.series[0].points as Array<{
      t: string;
      total_usd: number | null;
      by_token: Record<string, number>;
    }>;
    expect(points[0]!.t).toBe('2022-01-01T00:00:00.000Z');
    expect(points.at(-1)!.t).toBe('2026-04-01T00:00:00.000Z');
    for (const p of points) {
      const month = p.t.slice(0, 7);
      const lastExport = dates.filter((d) => d.slice(0, 7) <= month).at(-1)!;
      close(p.total_usd, totals.get(lastExport)!, `treasury ${month}`);
      close(
        Object.values(p.by_token).reduce((x, y) => x + y, 0),
        totals.get(lastExport)!,
        `by_token ${month}`,
      );
    }
    const s = await get('/api/v1/daos/decentraland/metrics/summary');
    expect(s.treasury.as_of).toBe(`${dates.at(-1)}T00:00:00.000Z`);
    close(s.treasury.total_usd, totals.get(dates.at(-1)!)!, 'total');
    const final = [...latest.values()].flat();
    const mana = final.filter((r) => r.Symbol === 'MANA').reduce((x, r) => x + Number(r['USD Balance'] || 0), 0);
    close(s.treasury.own_token_share, mana / totals.get(dates.at(-1)!)!, 'own token share');
    const change = totals.get(dates.at(-1)!)! - totals.get(dates[0]!)!;
    close(s.treasury.change_usd, change, 'change');
  });
});
