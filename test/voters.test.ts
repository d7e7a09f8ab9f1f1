import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { sameDecimal, sumDecimals } from './helpers/decimal.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, skip_empty_lines: true });

// A Decentraland delegate: 17 members delegate to it in members.csv, and it cast 88 votes in the votes file.
const DELEGATE = '0x9dab43bc15bd29cfe3030ca1b7edb3eeb9f3b6c1';
const rawVotes = csv('decentraland/votes_2022-05-15.csv').filter((r) => r.Member!.toLowerCase() === DELEGATE);
const rawDelegators = csv('decentraland/members.csv').filter(
  (r) => r.Delegate?.toLowerCase() === DELEGATE && r.Member!.toLowerCase() !== DELEGATE,
);
// The 2026 export wins over the 2022 one, as in the converter.
const statusById = new Map<string, string>();
for (const file of ['decentraland/proposals_2022-05-15.csv', 'decentraland/proposals.csv'])
  for (const r of csv(file)) statusById.set(r['Snapshot ID']!, r.Status!);

interface ProfileVote {
  proposal_external_id: string;
  dao_slug: string;
  choice: unknown;
  choice_label: string | null;
  voting_power: string;
  created: string;
  outcome: string | null;
  with_outcome: boolean | null;
}

describe.each(databaseTargets())('voter profiles on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await target.open();
    await importText(database, convertedNdjson('decentraland'), { source: 'decentraland' });
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
    return response.json();
  };

  it('lists exactly the votes of a Decentraland delegate in the raw file, across pages', async () => {
    expect(rawVotes.length).toBe(88);
    const listed: ProfileVote[] = [];
    let pages = 1;
    for (let page = 1; page <= pages; page++) {
      // Mixed case on purpose: the address is matched whatever its case.
      const body = await get(`/api/v1/voters/${DELEGATE.toUpperCase().replace('0X', '0x')}?per_page=30&page=${page}`);
      pages = body.pagination.pages;
      listed.push(...body.data.votes);
      if (page === 1) {
        expect(body.pagination.total).toBe(rawVotes.length);
        expect(body.data.address).toBe(DELEGATE);
        expect(body.data.votes_total).toBe(rawVotes.length);
      }
    }
    expect(pages).toBe(3);
    expect(listed).toHaveLength(rawVotes.length);
    const byProposal = new Map(listed.map((v) => [v.proposal_external_id, v]));
    expect(byProposal.size).toBe(rawVotes.length);
    for (const raw of rawVotes) {
      const vote = byProposal.get(raw['Proposal ID']!);
      expect(vote, raw['Proposal ID']).toBeDefined();
      expect(vote!.dao_slug).toBe('decentraland');
      expect(vote!.choice).toBe(Number(raw['Choice #']));
      expect(vote!.choice_label).toBe(raw.Choice);
      expect(sameDecimal(vote!.voting_power, raw.VP!), raw['Proposal ID']).toBe(true);
      expect(new Date(vote!.created).getTime()).toBe(new Date(raw.Created!).getTime());
    }
    // Newest first.
    const times = listed.map((v) => new Date(v.created).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('gives first and last vote, the per-DAO totals and the delegators of the holder snapshot', async () => {
    const { data } = await get(`/api/v1/voters/${DELEGATE}`);
    const created = rawVotes.map((r) => new Date(r.Created!).getTime()).sort((a, b) => a - b);
    expect(new Date(data.first_vote).getTime()).toBe(created[0]);
    expect(new Date(data.last_vote).getTime()).toBe(created.at(-1));
    expect(data.daos).toHaveLength(1);
    expect(data.daos[0]).toMatchObject({ dao_slug: 'decentraland', votes: rawVotes.length });
    expect(sameDecimal(data.daos[0].voting_power_total, sumDecimals(rawVotes.map((r) => r.VP!)))).toBe(true);

    expect(rawDelegators.length).toBe(17);
    const delegation = data.delegations.find((d: { dao_slug: string }) => d.dao_slug === 'decentraland');
    expect(delegation).toMatchObject({ source: 'holders', delegators: rawDelegators.length });
    expect(sameDecimal(delegation.delegated_balance, sumDecimals(rawDelegators.map((r) => r['Total VP']!)))).toBe(true);
    expect(data.delegators.map((d: { address: string }) => d.address).sort()).toEqual(
      rawDelegators.map((r) => r.Member!.toLowerCase()).sort(),
    );
    // No on-chain source for Decentraland: no power history is invented.
    expect(data.power_history).toEqual([]);
  });

  it('says whether each plain yes/no vote sided with the outcome the export records', async () => {
    const { data } = await get(`/api/v1/voters/${DELEGATE}?per_page=100`);
    const votes = data.votes as ProfileVote[];
    let checked = 0;
    for (const v of votes) {
      const status = statusById.get(v.proposal_external_id);
      const label = v.choice_label?.toLowerCase();
      const outcome =
        status === 'enacted' || status === 'passed' ? 'passed' : status === 'rejected' ? 'failed' : undefined;
      if (outcome === undefined || (label !== 'yes' && label !== 'no')) continue;
      checked += 1;
      expect(v.outcome).toBe(outcome);
      expect(v.with_outcome, v.proposal_external_id).toBe((label === 'yes') === (outcome === 'passed'));
    }
    expect(checked).toBeGreaterThan(30);
    const counted = votes.filter((v) => v.with_outcome !== null);
    expect(data.alignment.counted).toBe(counted.length);
    expect(data.alignment.with_outcome).toBe(counted.filter((v) => v.with_outcome).length);
    expect(data.alignment.rate).toBeCloseTo(data.alignment.with_outcome / data.alignment.counted, 12);
    // Votes whose proposal has no known outcome carry null, never false.
    for (const v of votes) if (v.outcome === null) expect(v.with_outcome).toBeNull();
  });

  it('answers an address without votes with an empty profile and null figures', async () => {
    const { data, pagination } = await get(`/api/v1/voters/0x${'ab'.repeat(20)}`);
    expect(data).toMatchObject({ votes_total: 0, first_vote: null, last_vote: null, votes: [], daos: [] });
    expect(data.alignment).toEqual({ counted: 0, with_outcome: 0, rate: null });
    expect(pagination.total).toBe(0);
  });

  it('refuses a bad address with a 400 naming `address`, and an unknown DAO filter with a 404', async () => {
    for (const bad of ['0x123', 'vitalik.eth', `0x${'g'.repeat(40)}`, `${'a'.repeat(42)}`]) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/voters/${bad}` });
      expect(response.statusCode, bad).toBe(400);
      const body = response.json();
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.details).toEqual([expect.objectContaining({ in: 'path', parameter: 'address' })]);
    }
    const unknownDao = await app.inject({ method: 'GET', url: `/api/v1/voters/${DELEGATE}?dao=nope` });
    expect(unknownDao.statusCode).toBe(404);
    const badPage = await app.inject({ method: 'GET', url: `/api/v1/voters/${DELEGATE}?per_page=1000` });
    expect(badPage.statusCode).toBe(400);
    expect(badPage.json().error.details).toEqual([expect.objectContaining({ parameter: 'per_page' })]);
  });

  it('lists the holders of the latest snapshot, largest first, with their shares', async () => {
    const members = csv('decentraland/members.csv').filter((r) => Number(r['Total VP']) > 0);
    const body = await get('/api/v1/daos/decentraland/holders?per_page=5');
    expect(body.pagination.total).toBe(members.length);
    const largest = [...members].sort((a, b) => Number(b['Total VP']) - Number(a['Total VP']))[0]!;
    expect(body.data[0].address).toBe(largest.Member!.toLowerCase());
    expect(sameDecimal(body.data[0].balance, largest['Total VP']!)).toBe(true);
    expect(typeof body.data[0].share).toBe('number');
  });

  it("filters a proposal's votes by choice and by a voter fragment", async () => {
    const raw = rawVotes[0]!;
    const all = csv('decentraland/votes_2022-05-15.csv').filter((r) => r['Proposal ID'] === raw['Proposal ID']);
    const choice = Number(raw['Choice #']);
    const byChoice = await get(`/api/v1/proposals/${raw['Proposal ID']}/votes?choice=${choice}&per_page=1000`);
    expect(byChoice.pagination.total).toBe(all.filter((r) => Number(r['Choice #']) === choice).length);
    expect(byChoice.data.every((v: { choice: number }) => v.choice === choice)).toBe(true);
    const fragment = DELEGATE.slice(2, 12).toUpperCase();
    const byVoter = await get(`/api/v1/proposals/${raw['Proposal ID']}/votes?voter=${fragment}`);
    expect(byVoter.data.map((v: { voter: string }) => v.voter)).toEqual(
      all.map((r) => r.Member!.toLowerCase()).filter((m) => m.includes(fragment.toLowerCase())),
    );
    const bad = await app.inject({ method: 'GET', url: `/api/v1/proposals/${raw['Proposal ID']}/votes?voter=%25` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ parameter: 'voter' })]);
  });
});
