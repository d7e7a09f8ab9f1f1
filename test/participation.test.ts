import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { participationFigures, proposalTurnout } from '../src/metrics/participation.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { importSharedData } from './helpers/fixtures.ts';

// Expectations computed here from the raw Tokenomics CSVs, independently of src/metrics.
type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, skip_empty_lines: true });
const votes = csv('tokenomics/snapshot_votes.csv');

function expected(symbol: string) {
  // One vote per proposal and voter: a later (or equal, later in the file) `created` replaces it.
  const kept = new Map<string, Row>();
  for (const r of votes.filter((v) => v.symbol === symbol)) {
    const key = `${r.proposal_id}|${r.voter!.toLowerCase()}`;
    const old = kept.get(key);
    if (!old || r.created! >= old.created!) kept.set(key, r);
  }
  const byProposal = new Map<string, { voters: number; vp: number }>();
  for (const r of kept.values()) {
    const p = byProposal.get(r.proposal_id!) ?? { voters: 0, vp: 0 };
    p.voters++;
    p.vp += Number(r.voting_power);
    byProposal.set(r.proposal_id!, p);
  }
  const holders = csv(`tokenomics/holder_lists/${symbol}_holders.csv`).filter((h) => Number(h.balance) > 0);
  const supply = holders.reduce((a, h) => a + Number(h.balance), 0);
  const voters = new Set([...kept.values()].map((r) => r.voter!.toLowerCase()));
  const counts = [...byProposal.values()].map((p) => p.voters).sort((a, b) => a - b);
  const mid = counts.length >> 1;
  const turnouts = [...byProposal.values()].map((p) => Math.min(1, p.vp / supply));
  return {
    proposals: byProposal.size,
    median: counts.length % 2 ? counts[mid]! : (counts[mid - 1]! + counts[mid]!) / 2,
    turnout: turnouts.reduce((a, b) => a + b, 0) / turnouts.length,
    holders: holders.length,
    votingHolders: holders.filter((h) => voters.has(h.address!.toLowerCase())).length,
  };
}

const close = (actual: number | string | null, want: number, what: string, tolerance = 1e-9) => {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(Number(actual) - want), `${what}: ${actual} vs ${want}`).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(want)),
  );
};

describe('participationFigures', () => {
  it('takes the median of voters, the mean turnout over proposals with a supply, and holders that voted', () => {
    const f = participationFigures(
      [
        { voters: 3, vp_cast: 50, supply: 100 },
        { voters: 10, vp_cast: 300, supply: 100 },
        { voters: 4, vp_cast: 10, supply: null },
        { voters: 1, vp_cast: 5, supply: 0 },
      ],
      { holders: 8, votingHolders: 2 },
    );
    expect(f).toEqual({
      proposals_counted: 4,
      median_voters_per_proposal: 3.5,
      turnout_vp: 0.75,
      turnout_proposals: 2,
      voter_holder_ratio: 0.25,
    });
  });

  it('is null where there is no denominator', () => {
    expect(participationFigures([], null)).toEqual({
      proposals_counted: 0,
      median_voters_per_proposal: null,
      turnout_vp: null,
      turnout_proposals: 0,
      voter_holder_ratio: null,
    });
    expect(participationFigures([], { holders: 0, votingHolders: 0 }).voter_holder_ratio).toBeNull();
    expect(proposalTurnout(5, null)).toBeNull();
    expect(proposalTurnout(5, 0)).toBeNull();
    expect(proposalTurnout(-1, 10)).toBe(0);
  });
});

describe.each(databaseTargets())('comparable participation from the raw shared data on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await target.open();
    await importSharedData(database);
    app = await testServer(database, { rateLimitPerMinute: 100_000 });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it.each([
    ['ARB', 'arbitrum'],
    ['UNI', 'uniswap'],
    ['LDO', 'lido'],
  ])('%s: summary and DAO row match hand computations', async (symbol, slug) => {
    const e = expected(symbol);
    const s = (await getData(app, `/api/v1/daos/${slug}/metrics/summary`)).participation;
    expect(s.closed_proposals, slug).toBe(e.proposals);
    close(s.median_voters_per_proposal, e.median, `${slug} median`);
    close(s.turnout_vp, e.turnout, `${slug} turnout`);
    expect(s.turnout_proposals).toBe(e.proposals);
    expect(s.turnout_basis).toBe('holders');
    expect([s.holders, s.voting_holders]).toEqual([e.holders, e.votingHolders]);
    close(s.voter_holder_ratio, e.votingHolders / e.holders, `${slug} voters per holder`);
    const dao = await getData(app, `/api/v1/daos/${slug}`);
    close(dao.turnout_vp, e.turnout, `${slug} row turnout`, 1e-5);
    close(dao.voter_holder_ratio, e.votingHolders / e.holders, `${slug} row holders`, 1e-5);
    close(dao.median_voters, e.median, `${slug} row median`, 1e-5);
    expect(dao.turnout_basis).toBe('holders');
  });

  it('holder-only DAOs have no participation figures, and sort last', async () => {
    const aave = await getData(app, '/api/v1/daos/aave');
    expect(aave.total_proposals).toBe(0);
    expect([aave.participation_rate, aave.turnout_vp, aave.median_voters, aave.turnout_basis]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    // Its holders did not vote here: 0 of 1,000 is known, not missing.
    expect(Number(aave.voter_holder_ratio)).toBe(0);
    const s = (await getData(app, '/api/v1/daos/aave/metrics/summary')).participation;
    expect([s.turnout_vp, s.median_voters_per_proposal, s.participation_rate]).toEqual([null, null, null]);
    for (const sort of ['turnout_vp', 'median_voters']) {
      for (const order of ['asc', 'desc']) {
        const list = (await getData(app, `/api/v1/daos?sort=${sort}&order=${order}&per_page=100`)) as Array<
          Record<string, string | null>
        >;
        const known = list.map((d) => d[sort] !== null);
        expect(known.indexOf(false), `${sort} ${order}`).toBe(known.filter(Boolean).length);
        const values = list.filter((d) => d[sort] !== null).map((d) => Number(d[sort]));
        expect(values).toEqual([...values].sort((a, b) => (order === 'asc' ? a - b : b - a)));
      }
    }
  });

  it('the comparison ranks the comparable figures, not the history-dependent rate', async () => {
    const c = await getData(app, '/api/v1/metrics/comparison?dao_ids=arbitrum,uniswap,decentraland,aave');
    expect(c.metrics).toContain('participation.turnout_vp');
    expect(c.metrics).toContain('participation.voter_holder_ratio');
    expect(c.metrics).toContain('participation.median_voters_per_proposal');
    expect(c.metrics).not.toContain('participation.participation_rate');
    const aave = c.daos.find((d: { dao: { slug: string } }) => d.dao.slug === 'aave');
    expect(aave.ranks['participation.turnout_vp']).toBeNull();
    expect(aave.ranks['participation.median_voters_per_proposal']).toBeNull();
  });
});
