import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityOf, bucketStart, nextBucket, participationOf, type RawVote } from '../src/metrics/activity.ts';
import { median, ranks } from '../src/metrics/comparison.ts';
import { classifyChoice, proposalOutcome, summarizeOutcomes } from '../src/metrics/outcomes.ts';
import { type BalanceRow, summarizeTreasury, treasurySeries } from '../src/metrics/treasury.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

const DAY = 86_400_000;
const t0 = Date.UTC(2024, 0, 1);
const voteArb = fc.record({
  proposal: fc.constantFrom('a', 'b', 'c'),
  voter: fc.integer({ min: 0, max: 9 }).map((i) => `v${i}`),
  created: fc.integer({ min: 0, max: 200 }).map((d) => new Date(t0 + d * DAY)),
  votingPower: fc.integer({ min: 0, max: 100 }),
});
const proposals = ['a', 'b', 'c'].map((id, i) => ({
  id,
  start: new Date(t0 + i * 60 * DAY),
  end: new Date(t0 + (i * 60 + 30) * DAY),
}));
const windowArb = fc
  .tuple(fc.integer({ min: -10, max: 210 }), fc.integer({ min: 0, max: 120 }))
  .map(([a, len]) => ({ from: new Date(t0 + a * DAY), to: new Date(t0 + (a + len) * DAY) }));

describe('activity and participation definitions', () => {
  it('split voters into new and returning, with retention and rates in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(voteArb, { maxLength: 60 }), windowArb, (votes, w) => {
        const a = activityOf(votes, proposals, w);
        expect(a.new_voters + a.returning_voters).toBe(a.voters);
        expect(a.voters).toBeLessThanOrEqual(a.votes);
        if (a.retention !== null) expect(a.retention).toBeGreaterThanOrEqual(0);
        if (a.retention !== null) expect(a.retention).toBeLessThanOrEqual(1);
        const p = participationOf(votes, proposals, w, new Date(t0 + 1000 * DAY), 1000);
        if (p.turnout_vp !== null) expect(p.turnout_vp).toBeLessThanOrEqual(1);
        expect(p.closed_proposals).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('counts every voter as new exactly once over consecutive windows', () => {
    fc.assert(
      fc.property(fc.array(voteArb, { maxLength: 60 }), fc.integer({ min: 1, max: 60 }), (votes, step) => {
        let fresh = 0;
        for (let d = 0; d <= 200; d += step)
          fresh += activityOf(votes, proposals, {
            from: new Date(t0 + d * DAY),
            to: new Date(t0 + (d + step) * DAY),
          }).new_voters;
        expect(fresh).toBe(new Set(votes.map((v: RawVote) => v.voter)).size);
      }),
    );
  });

  it('buckets are UTC, weeks start on Monday, next bucket follows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 * DAY }), (ms) => {
        const t = new Date(t0 + ms);
        for (const b of ['day', 'week', 'month'] as const) {
          const s = bucketStart(t, b);
          expect(s <= t && t < nextBucket(s, b)).toBe(true);
          expect(bucketStart(s, b)).toEqual(s);
        }
        expect(bucketStart(t, 'week').getUTCDay()).toBe(1);
      }),
    );
  });
});

describe('outcomes', () => {
  it('source states decide; otherwise For vs Against with quorum', () => {
    const choices = ['For', 'Against', 'Abstain'];
    expect(proposalOutcome({ state: 'executed', choices, scores: [1, 9, 0], quorum: null }).outcome).toBe('passed');
    expect(proposalOutcome({ state: 'Defeated', choices, scores: null, quorum: null })).toEqual({
      outcome: 'failed',
      margin: null,
    });
    expect(proposalOutcome({ state: 'closed', choices, scores: [60, 40, 100], quorum: null })).toEqual({
      outcome: 'passed',
      margin: 0.2,
    });
    expect(proposalOutcome({ state: 'closed', choices, scores: [60, 40, 0], quorum: 101 }).outcome).toBe('failed');
    expect(proposalOutcome({ state: 'active', choices, scores: [60, 40, 0], quorum: null }).outcome).toBeNull();
    expect(
      proposalOutcome({ state: 'closed', choices: ['Red', 'Blue', 'Green'], scores: [5, 3, 2], quorum: null }),
    ).toEqual({ outcome: null, margin: 0.2 });
  });

  it('margins lie in [0, 1] and summaries count consistently', () => {
    const outcome = fc
      .record({
        state: fc.constantFrom('closed', 'passed', 'rejected', 'active', 'finished'),
        choices: fc.constantFrom(['For', 'Against'], ['Yes', 'No', 'Abstain'], ['A', 'B', 'C']),
        scores: fc.option(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 2, maxLength: 3 })),
        quorum: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true })),
      })
      .map(proposalOutcome);
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 40 }), (list) => {
        for (const o of list) if (o.margin !== null) expect(o.margin >= 0 && o.margin <= 1).toBe(true);
        const s = summarizeOutcomes(list);
        expect(s.passed).toBeLessThanOrEqual(s.decided);
        expect(s.contested).toBeLessThanOrEqual(s.decided);
        expect(s.pass_rate === null ? s.decided === 0 : s.pass_rate >= 0 && s.pass_rate <= 1).toBe(true);
      }),
    );
  });
});

describe('comparison', () => {
  it('ranks: 1 is best, ties share a rank, nulls have none; median of the known values', () => {
    expect(ranks([3, null, 5, 3], 'higher')).toEqual([2, null, 1, 2]);
    expect(ranks([3, null, 5, 3], 'lower')).toEqual([1, null, 3, 1]);
    expect(median([3, null, 5, 1])).toBe(3);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([null])).toBeNull();
  });
});

describe('treasury', () => {
  const row = (day: number, wallet: string, token: string, usd: number): BalanceRow => ({
    timestamp: new Date(t0 + day * DAY),
    wallet,
    chain: 'ethereum',
    token_symbol: token,
    token_address: '',
    usd_value: usd,
  });

  it('carries each wallet forward, computes shares, outflow and runway', () => {
    const rows = [
      row(0, 'a', 'GOV', 500),
      row(0, 'a', 'USDC', 300),
      row(0, 'b', 'ETH', 200),
      row(31, 'a', 'GOV', 400),
      row(31, 'a', 'USDC', 250),
      row(60, 'a', 'GOV', 450),
      row(60, 'a', 'USDC', 200),
      row(60, 'b', 'ETH', 150),
    ];
    const series = treasurySeries(rows);
    expect(series.map((p) => p.total_usd)).toEqual([1000, 850, 800]); // wallet b carried into day 31
    const s = summarizeTreasury(series, { symbols: ['GOV'], address: null }, null, null);
    expect(s.total_usd).toBe(800);
    expect(s.change_usd).toBe(-200);
    expect(s.change_pct).toBe(-0.2);
    expect(s.own_token_share).toBe(450 / 800);
    expect(s.stablecoin_share).toBe(200 / 800);
    // Non-own holdings 500 → 350 over two months: 75 a month; runway 350 / 75.
    expect(s.monthly_net_outflow).toBe(75);
    expect(s.runway_months).toBeCloseTo(350 / 75, 12);
    expect(s.composition.map((c) => c.token)).toEqual(['GOV', 'USDC', 'ETH']);
  });

  it('shares stay in [0, 1] and composition adds up to the total', () => {
    const rowArb = fc.record({
      day: fc.integer({ min: 0, max: 400 }),
      wallet: fc.constantFrom('a', 'b', 'c'),
      token: fc.constantFrom('GOV', 'USDC', 'DAI', 'ETH'),
      usd: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), (raw) => {
        const unique = new Map(
          raw.map((r) => [`${r.day}|${r.wallet}|${r.token}`, row(r.day, r.wallet, r.token, r.usd)]),
        );
        const s = summarizeTreasury(
          treasurySeries([...unique.values()]),
          { symbols: ['GOV'], address: null },
          null,
          null,
        );
        for (const share of [s.own_token_share, s.stablecoin_share])
          if (share !== null) expect(share >= 0 && share <= 1 + 1e-12).toBe(true);
        expect(s.composition.reduce((a, c) => a + c.usd, 0)).toBe(s.total_usd);
        if (s.runway_months !== null) expect(s.runway_months).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe.each(databaseTargets())('choice classes in SQL and TypeScript agree on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => database?.destroy());

  it('dp_choice_class equals classifyChoice', async () => {
    const labels = [
      'For',
      ' yes ',
      'YAE',
      'Yes, fund it',
      'In favour',
      'in favor of X',
      'Approve',
      'Against',
      'No',
      'NAY',
      'reject',
      'Abstain',
      'abstention',
      'Force',
      'Nothing',
      'Not sure',
      'Noble',
      'forward',
      'Option 1',
      '',
      'For - 2 years',
      'no-change',
    ];
    const rows = await database.query<{ label: string; cls: string | null }>(
      'select l as label, dp_choice_class(l) as cls from unnest($1::text[]) l',
      [labels],
    );
    expect(rows.map((r) => r.cls)).toEqual(labels.map((l) => classifyChoice(l)));
    expect(rows.filter((r) => r.cls !== null).length).toBeGreaterThan(10);
  });
});
