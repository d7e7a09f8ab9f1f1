import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { sameDecimal, sumDecimals, toScaled } from './helpers/decimal.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

type Row = Record<string, string>;
const csv = (file: string): Row[] =>
  parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, skip_empty_lines: true });

// Independent expectations, straight from the raw exports.
const dclVotes = csv('decentraland/votes_2022-05-15.csv');
const tokVotes = csv('tokenomics/snapshot_votes.csv');
const tokProposals = csv('tokenomics/snapshot_proposals.csv');
const dclProposalIds = new Set([
  ...csv('decentraland/proposals.csv').map((r) => r['Snapshot ID']!),
  ...csv('decentraland/proposals_2022-05-15.csv').map((r) => r['Snapshot ID']!),
  ...dclVotes.map((r) => r['Proposal ID']!),
]);

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return map;
}

const SPACE_SLUGS: Record<string, string> = {
  ARB: 'arbitrum',
  UNI: 'uniswap',
  LDO: 'lido',
  COMP: 'compound',
  WXM: 'weatherxm',
  DIMO: 'dimo',
};

describe.each(databaseTargets())('import of the shared real data on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const ndjson = { decentraland: convertedNdjson('decentraland'), tokenomics: convertedNdjson('tokenomics') };
  const first: Record<string, Awaited<ReturnType<typeof importText>>> = {};

  beforeAll(async () => {
    database = await target.open();
    for (const name of ['decentraland', 'tokenomics'] as const)
      first[name] = await importText(database, ndjson[name], { source: name });
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(200);
    return response.json().data;
  };

  it('accepts every record and stores every vote and proposal of the exports', async () => {
    for (const name of ['decentraland', 'tokenomics'] as const) {
      const lines = ndjson[name].trimEnd().split('\n').length;
      expect(first[name]!.rejections).toEqual([]);
      expect(first[name]!.summary).toMatchObject({
        records: lines,
        inserted: lines,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
    }
    const [counts] = await database.query<{ votes: number; proposals: number }>(
      'select (select count(*)::int from votes) as votes, (select count(*)::int from proposals) as proposals',
    );
    expect(counts!.votes).toBe(dclVotes.length + tokVotes.length);
    expect(counts!.proposals).toBe(dclProposalIds.size + tokProposals.length);
  });

  it('changes nothing when the same files are imported again', async () => {
    for (const name of ['decentraland', 'tokenomics'] as const) {
      const again = await importText(database, ndjson[name], { source: name, batchSize: 777 });
      expect(again.summary).toMatchObject({ inserted: 0, updated: 0, rejected: 0, unchanged: again.summary.records });
    }
  });

  it('serves DAO aggregates equal to the raw exports', async () => {
    const dcl = await get('/api/v1/daos/decentraland');
    expect(dcl.total_votes).toBe(dclVotes.length);
    expect(dcl.total_members).toBe(new Set(dclVotes.map((v) => v.Member!.toLowerCase())).size);
    expect(dcl.total_proposals).toBe(dclProposalIds.size);

    const balances = csv('decentraland/balances_monthly_history.csv');
    // Treasury value: USD of each wallet's newest snapshot (per chain); a snapshot is one monthly export (_commit_date).
    const latest = new Map<string, string>();
    for (const r of balances) {
      const key = `${r.Address!.toLowerCase()}|${r.Network!.toLowerCase()}`;
      const ts = `${r._commit_date}T00:00:00.000Z`;
      if (!latest.has(key) || new Date(ts) > new Date(latest.get(key)!)) latest.set(key, ts);
    }
    const finalRows = new Map<string, string>();
    for (const r of balances) {
      const key = `${r.Address!.toLowerCase()}|${r.Network!.toLowerCase()}`;
      const ts = `${r._commit_date}T00:00:00.000Z`;
      if (new Date(ts).getTime() === new Date(latest.get(key)!).getTime())
        finalRows.set(`${key}|${r.Symbol}|${r.Token!.toLowerCase()}`, r['USD Balance'] || '0');
    }
    expect(sameDecimal(dcl.treasury_value, sumDecimals(finalRows.values()))).toBe(true);

    for (const [symbol, rows] of groupBy(tokVotes, (v) => v.symbol!)) {
      const dao = await get(`/api/v1/daos/${SPACE_SLUGS[symbol]}`);
      expect(dao.total_votes, symbol).toBe(rows.length);
      expect(dao.total_members, symbol).toBe(new Set(rows.map((v) => v.voter!.toLowerCase())).size);
    }
  });

  it('serves single-choice tallies equal to the raw votes to the last digit', async () => {
    const byProposal = groupBy(dclVotes, (v) => v['Proposal ID']!);
    // The 40 proposals with the most votes, and every proposal whose id sorts first (a stable, varied sample).
    const sample = [...byProposal.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, 40);
    for (const [id, rows] of sample) {
      const proposal = await get(`/api/v1/proposals/${id}`);
      expect(proposal.voters).toBe(rows.length);
      expect(sameDecimal(proposal.voting_power_total, sumDecimals(rows.map((r) => r.VP!)))).toBe(true);
      for (const [choice, votes] of groupBy(rows, (r) => r['Choice #']!)) {
        const tally = proposal.tallies.find((t: { choice: number }) => t.choice === Number(choice));
        expect(tally.label).toBe(votes[0]!.Choice);
        expect(tally.votes).toBe(votes.length);
        expect(tally.voting_power, `${id} choice ${choice}`).toBe(sumDecimals(votes.map((v) => v.VP!)));
      }
    }
  });

  it('serves weighted and single-choice Tokenomics tallies equal to the raw votes', async () => {
    const types = new Map(tokProposals.map((p) => [p.proposal_id!, p.type!]));
    for (const [id, rows] of groupBy(tokVotes, (v) => v.proposal_id!)) {
      const proposal = await get(`/api/v1/proposals/${id}`);
      expect(proposal.voting_type).toBe(types.get(id));
      expect(proposal.voters).toBe(rows.length);
      const expected = new Map<number, { scaled: bigint; votes: number }>();
      for (const r of rows) {
        const vp = toScaled(r.voting_power!);
        const weights: Record<string, number> = r.choice!.startsWith('{')
          ? JSON.parse(r.choice!.replaceAll("'", '"'))
          : { [r.choice!]: 1 };
        const total = Object.values(weights).reduce((a, b) => a + b, 0);
        for (const [c, w] of Object.entries(weights)) {
          const e = expected.get(Number(c)) ?? { scaled: 0n, votes: 0 };
          e.scaled += (vp * BigInt(w)) / BigInt(total);
          if (w > 0) e.votes++;
          expected.set(Number(c), e);
        }
      }
      for (const [choice, e] of expected) {
        const tally = proposal.tallies.find((t: { choice: number }) => t.choice === choice);
        expect(tally.votes).toBe(e.votes);
        const got = toScaled(tally.voting_power);
        if (types.get(id) === 'weighted') {
          // Each share is a rounded division in both computations: equal to 1e-12 of the choice's power.
          const diff = got > e.scaled ? got - e.scaled : e.scaled - got;
          expect(diff * 10n ** 12n <= (e.scaled > 0n ? e.scaled : 1n), `${id} choice ${choice}`).toBe(true);
        } else {
          expect(got, `${id} choice ${choice}`).toBe(e.scaled);
        }
      }
    }
  });

  it('pages through every vote of the largest proposal with the keyset cursor', async () => {
    const [id, rows] = [...groupBy(tokVotes, (v) => v.proposal_id!).entries()].sort(
      (a, b) => b[1].length - a[1].length,
    )[0]!;
    const seen: string[] = [];
    let cursor: string | null = null;
    let previous: bigint | undefined;
    do {
      const response: {
        data: Array<{ voter: string; voting_power: string }>;
        pagination: { next_cursor: string | null };
      } = (
        await app.inject({ url: `/api/v1/proposals/${id}/votes?per_page=1000${cursor ? `&cursor=${cursor}` : ''}` })
      ).json();
      for (const v of response.data) {
        const power = toScaled(v.voting_power);
        if (previous !== undefined) expect(power <= previous).toBe(true);
        previous = power;
        seen.push(v.voter);
      }
      cursor = response.pagination.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(rows.length);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.voter!.toLowerCase())));
  });
});
