import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { importSharedData } from './helpers/fixtures.ts';

/**
 * Coverage is data: every expectation is counted here from the raw exports, read in place.
 * A proposal's votes_count is the export's own count (Tokenomics `votes`, Decentraland `Votes`,
 * the 2026 export winning over the 2022 one, as the converter does), or the stored votes for a
 * proposal only the votes file knows; votes_stored is the distinct (proposal, voter) rows of the
 * votes file (one vote per voter and proposal is stored).
 */
type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, skip_empty_lines: true });

interface Expected {
  dao: string;
  source: number | null;
  stored: number;
}

function distinctVotes(rows: Row[], proposal: string, voter: string): Map<string, number> {
  const seen = new Set<string>();
  const by = new Map<string, number>();
  for (const r of rows) {
    const key = `${r[proposal]}|${r[voter]!.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    by.set(r[proposal]!, (by.get(r[proposal]!) ?? 0) + 1);
  }
  return by;
}

const SPACE_SLUGS: Record<string, string> = {
  'arbitrumfoundation.eth': 'arbitrum',
  'uniswapgovernance.eth': 'uniswap',
  'lido-snapshot.eth': 'lido',
  'comp-vote.eth': 'compound',
  'weatherxm.eth': 'weatherxm',
  'dimo.eth': 'dimo',
};

function expectedProposals(): Map<string, Expected> {
  const out = new Map<string, Expected>();
  const tokStored = distinctVotes(csv('tokenomics/snapshot_votes.csv'), 'proposal_id', 'voter');
  for (const r of csv('tokenomics/snapshot_proposals.csv')) {
    out.set(r.proposal_id!, {
      dao: SPACE_SLUGS[r.space_id!]!,
      source: Number(r.votes),
      stored: tokStored.get(r.proposal_id!) ?? 0,
    });
  }
  const dclVotes = csv('decentraland/votes_2022-05-15.csv');
  const dclStored = distinctVotes(dclVotes, 'Proposal ID', 'Member');
  for (const file of ['decentraland/proposals.csv', 'decentraland/proposals_2022-05-15.csv']) {
    for (const r of csv(file)) {
      const id = r['Snapshot ID']!;
      if (out.has(id)) continue;
      out.set(id, { dao: 'decentraland', source: Number(r.Votes), stored: dclStored.get(id) ?? 0 });
    }
  }
  for (const [id, stored] of dclStored) if (!out.has(id)) out.set(id, { dao: 'decentraland', source: null, stored });
  return out;
}

interface ApiProposal {
  id: number;
  external_id: string;
  title: string;
  state: string;
  votes_count: number;
  votes_stored: number;
  tally_source: string | null;
  scores_total: string | null;
  quorum: string | null;
  quorum_reached: boolean | null;
}

describe.each(databaseTargets())('vote coverage against the raw exports on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const expected = expectedProposals();
  const listed = new Map<string, ApiProposal>();

  beforeAll(async () => {
    database = await target.open();
    await importSharedData(database);
    app = await testServer(database);
    for (const slug of ['decentraland', ...Object.values(SPACE_SLUGS)]) {
      for (let page = 1; ; page++) {
        const response = await app.inject({
          method: 'GET',
          url: `/api/v1/daos/${slug}/proposals?per_page=100&page=${page}`,
        });
        expect(response.statusCode).toBe(200);
        const body = response.json();
        for (const p of body.data as ApiProposal[]) listed.set(p.external_id, p);
        if (page >= body.pagination.pages) break;
      }
    }
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it("returns every proposal with the export's vote count and the stored rows", () => {
    expect(listed.size).toBe(expected.size);
    const wrong: string[] = [];
    for (const [id, e] of expected) {
      const p = listed.get(id);
      const count = e.source ?? e.stored;
      if (!p || p.votes_count !== count || p.votes_stored !== e.stored) {
        wrong.push(`${id}: ${p?.votes_count}/${p?.votes_stored}, expected ${count}/${e.stored}`);
      }
    }
    expect(wrong).toEqual([]);
    // Never 0 votes for a proposal the source says has votes.
    const zeroed = [...expected].filter(([id, e]) => (e.source ?? 0) > 0 && listed.get(id)!.votes_count === 0);
    expect(zeroed).toEqual([]);
    // Arbitrum: all 43 proposals have the export's count (1,188 .. 3,649 in snapshot_proposals.csv),
    // 5 have every vote stored, the other 38 none.
    const arbitrum = [...expected].filter(([, e]) => e.dao === 'arbitrum').map(([id]) => listed.get(id)!);
    expect(arbitrum).toHaveLength(43);
    expect(Math.min(...arbitrum.map((p) => p.votes_count))).toBe(1188);
    expect(Math.max(...arbitrum.map((p) => p.votes_count))).toBe(3649);
    expect(arbitrum.filter((p) => p.votes_stored === p.votes_count)).toHaveLength(5);
    expect(arbitrum.filter((p) => p.votes_stored === 0)).toHaveLength(38);
  });

  it('says where the tallies come from, and the DAO coverage adds up from the same counts', async () => {
    for (const [id, e] of expected) {
      const p = listed.get(id)!;
      const complete = e.stored > 0 && (e.source === null || e.stored >= e.source);
      // Neither export has per-choice scores: a tally is from all votes, from some, or none.
      expect(p.tally_source, id).toBe(complete ? 'all_votes' : e.stored > 0 ? 'some_votes' : null);
    }
    for (const slug of ['decentraland', 'arbitrum']) {
      const rows = [...expected.values()].filter((e) => e.dao === slug);
      const all = rows.filter((e) => (e.source !== null ? e.stored >= e.source : e.stored > 0)).length;
      const some = rows.filter((e) => e.stored > 0 && e.source !== null && e.stored < e.source).length;
      const none = rows.filter((e) => e.stored === 0 && (e.source === null || e.source > 0)).length;
      const dao = await getData(app, `/api/v1/daos/${slug}`);
      expect(dao.coverage).toMatchObject({
        proposals: rows.length,
        proposals_with_all_votes: all,
        proposals_with_some_votes: some,
        proposals_without_votes: none,
      });
      expect(all + some + none).toBe(rows.length);
    }
    const dcl = (await getData(app, '/api/v1/daos/decentraland')).coverage;
    const dclCreated = csv('decentraland/votes_2022-05-15.csv').map((r) => new Date(r.Created!).getTime());
    expect(dcl.votes_from).toBe(new Date(Math.min(...dclCreated)).toISOString());
    expect(dcl.votes_to).toBe(new Date(Math.max(...dclCreated)).toISOString());
    expect(dcl.holders_as_of).toBe('2026-04-27T00:00:00.000Z');
    expect(dcl.treasury_from?.slice(0, 7)).toBe('2022-01');
    expect(dcl.treasury_to?.slice(0, 7)).toBe('2026-04');
    const arb = (await getData(app, '/api/v1/daos/arbitrum')).coverage;
    expect(arb.holders_as_of).toBe('2026-04-01T00:00:00.000Z');
    expect(arb.treasury_from).toBeNull();
  });

  it('shows "2030 Transition Plan" with the export\'s 25 votes, none stored, and its 1.69M VP against the quorum', async () => {
    const id = '0x969677c0497ff85158b9f9b3f27db3a3a1d99bfce7c680837608a1be470ecc08';
    const p = await getData(app, `/api/v1/proposals/${listed.get(id)!.id}`);
    expect(p).toMatchObject({
      title: 'Decentraland DAO: 2030 Transition Plan',
      votes_count: 25,
      votes_stored: 0,
      tally_source: null,
      scores_total: '1694263.29911499',
      quorum: '1000000',
      quorum_reached: true,
      discussion: 'https://forum.decentraland.org/t/25181',
      source_url: `https://snapshot.org/#/snapshot.dcl.eth/proposal/${id}`,
      source_state: 'active',
    });
    // It ended on 2026-04-30: never active after that, whatever the export's day said.
    expect(p.state).toBe(Date.now() >= Date.parse('2026-04-30T04:03:00.295Z') ? 'closed' : 'active');
  });
});
