import v8 from 'node:v8';
import vm from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDaoAggregates } from '../src/db/aggregates.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

const BIG_VOTES = 150_000;
const REASON = 'r'.repeat(300);

// Live heap after a full collection, so garbage not yet collected does not count as held memory.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;
const liveHeap = () => {
  collect();
  return process.memoryUsage().heapUsed;
};

/** Reads a streamed response to the end, measuring the live heap every few MB while it arrives. */
async function download(url: string) {
  const baseline = liveHeap();
  let peak = baseline;
  let nextCheck = 0;
  const response = await fetch(url);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let lines = 0;
  let tail = '';
  let inOrder = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    const text = tail + decoder.decode(value, { stream: true });
    const parts = text.split('\r\n');
    tail = parts.pop()!;
    for (const line of parts) {
      lines++;
      // Sorted by creation, line k + 1 is the vote of voter k (kept as a count: holding the strings would hold the body).
      if (lines > 1 && line.split(',')[2] === `0x${(lines - 1).toString(16).padStart(40, '0')}`) inOrder++;
    }
    if (bytes >= nextCheck) {
      peak = Math.max(peak, liveHeap());
      nextCheck = bytes + 4 * 1024 * 1024;
    }
  }
  return { response, bytes, lines, inOrder, tail, growth: peak - baseline };
}

describe.each(databaseTargets())('metric API contract, search and exports on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let base: string;
  let bigProposal: number;

  beforeAll(async () => {
    database = await target.open();
    await importText(database, convertedNdjson('tokenomics'), { source: 'tokenomics' });
    const records = [
      {
        type: 'dao',
        slug: 'big',
        name: 'Big <DAO> & Co',
        description: 'Grants for <script>alert(1)</script> builders',
        chain: 'ethereum',
      },
      {
        type: 'proposal',
        dao: 'big',
        id: 'huge',
        title: 'Fund the <b>grants</b> programme',
        body: 'A "grants" budget: <img src=x onerror=alert(1)> for \u0001 builders & artists.',
        choices: ['For', 'Against', 'Abstain'],
        start: '2024-01-01T00:00:00Z',
        end: '2024-01-08T00:00:00Z',
        state: 'closed',
      },
      {
        type: 'proposal',
        dao: 'big',
        id: 'small',
        title: 'A small one',
        choices: ['Yes', 'No'],
        start: '2024-02-01T00:00:00Z',
        end: '2024-02-08T00:00:00Z',
        state: 'closed',
      },
    ];
    await importText(database, records.map((r) => JSON.stringify(r)).join('\n'));
    const [p] = await database.query<{ id: number; dao_id: number }>(
      `select id, dao_id from proposals where external_id = 'huge'`,
    );
    bigProposal = p!.id;
    // A large proposal written straight in SQL (the importer would take minutes for this many).
    await database.query(
      `
      insert into votes (proposal_id, dao_id, voter, choice, voting_power, reason, created)
      select $1, $2, '0x' || lpad(to_hex(g), 40, '0'), to_jsonb(1 + g % 3), (g % 997) + 0.5, $3,
             timestamptz '2024-01-01' + g * interval '1 second'
        from generate_series(1, ${BIG_VOTES}) g`,
      [bigProposal, p!.dao_id, REASON],
    );
    await refreshDaoAggregates(database.db, [p!.dao_id]);
    app = await testServer(database);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const get = (url: string) => getData(app, url);

  it('serves the summary in the contract shape', async () => {
    const s = await get('/api/v1/daos/arbitrum/metrics/summary?from=2025-05-01&to=2025-07-01');
    expect(Object.keys(s).sort()).toEqual([
      'activity',
      'concentration',
      'dao',
      'delegates',
      'from',
      'outcomes',
      'participation',
      'to',
      'treasury',
    ]);
    expect(Object.keys(s.activity).sort()).toEqual([
      'new_voters',
      'proposals',
      'retention',
      'returning_voters',
      'voters',
      'votes',
    ]);
    expect(Object.keys(s.participation).sort()).toEqual([
      'closed_proposals',
      'holders',
      'mean_voters_per_proposal',
      'median_voters_per_proposal',
      'participation_rate',
      'turnout_basis',
      'turnout_proposals',
      'turnout_vp',
      'voter_holder_ratio',
      'voting_holders',
      'vp_cast',
    ]);
    expect(Object.keys(s.outcomes).sort()).toEqual([
      'avg_margin',
      'closed',
      'contested',
      'decided',
      'pass_rate',
      'passed',
    ]);
    expect(Object.keys(s.concentration.voters).sort()).toEqual([
      'count',
      'gini',
      'hhi',
      'lorenz',
      'nakamoto',
      'top10_share',
      'top1_share',
      'top5_share',
      'total',
    ]);
    expect(s.concentration.delegates).toBeNull(); // no delegation data for Arbitrum in the shared files
    expect(s.treasury).toMatchObject({ total_usd: null, composition: [], as_of: null });
    expect(s.from).toBe('2025-05-01T00:00:00.000Z');
    expect(s.to).toBe('2025-07-01T00:00:00.000Z');
    const bad = await app.inject({ method: 'GET', url: '/api/v1/daos/arbitrum/metrics/summary?from=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_ERROR');
    expect((await app.inject({ method: 'GET', url: '/api/v1/daos/nope/metrics/summary' })).statusCode).toBe(404);
  });

  it('answers repeated summaries from its cache until an import rebuilds the rollups', async () => {
    const before = await get('/api/v1/daos/big/metrics/summary');
    expect(await get('/api/v1/daos/big/metrics/summary')).toEqual(before);
    await importText(
      database,
      JSON.stringify({
        type: 'vote',
        dao: 'big',
        proposal: 'small',
        voter: '0xfeed',
        choice: 2,
        voting_power: '5',
        created: '2024-02-07T00:00:00Z',
      }),
    );
    const after = await get('/api/v1/daos/big/metrics/summary');
    expect(after.activity.votes).toBe(before.activity.votes + 1);
    expect(after.activity.new_voters).toBe(before.activity.new_voters + 1);
    expect(after.concentration.voters.count).toBe(before.concentration.voters.count + 1);
  }, 300_000);

  it('ranks DAOs in the comparison and gives the peer median', async () => {
    const c = await get('/api/v1/metrics/comparison?dao_ids=arbitrum,uniswap,lido,compound');
    expect(c.daos.map((d: { dao: { slug: string } }) => d.dao.slug)).toEqual([
      'arbitrum',
      'uniswap',
      'lido',
      'compound',
    ]);
    const votes = c.daos.map((d: { summary: { activity: { votes: number } } }) => d.summary.activity.votes);
    const byRank = c.daos.map((d: { ranks: Record<string, number> }) => d.ranks['activity.votes']);
    expect(byRank[votes.indexOf(Math.max(...votes))]).toBe(1);
    expect(byRank[votes.indexOf(Math.min(...votes))]).toBe(4);
    const sorted = [...votes].sort((a, b) => a - b);
    expect(c.median['activity.votes']).toBe((sorted[1] + sorted[2]) / 2);
    expect(c.metrics).toContain('concentration.voters.gini');
    expect(c.daos[0].summary.concentration.voters.lorenz).toBeUndefined();
    // Lower Gini ranks better.
    const ginis = c.daos.map(
      (d: { summary: { concentration: { voters: { gini: number } } } }) => d.summary.concentration.voters.gini,
    );
    expect(c.daos[ginis.indexOf(Math.min(...ginis))].ranks['concentration.voters.gini']).toBe(1);
  });

  it('serves enhanced series with dense buckets, relative periods and csv', async () => {
    const e = await get(
      '/api/v1/metrics/enhanced?type=activity&period=30d&as_of=2025-06-15T00:00:00Z&dao_ids=arbitrum',
    );
    expect(e).toMatchObject({
      type: 'activity',
      bucket: 'day',
      from: '2025-05-16T00:00:00.000Z',
      to: '2025-06-15T00:00:00.000Z',
    });
    const points = e.series[0].points;
    expect(points).toHaveLength(30);
    expect(points[0].t).toBe('2025-05-16T00:00:00.000Z');
    const summary = await get('/api/v1/daos/arbitrum/metrics/summary?from=2025-05-16&to=2025-06-15');
    expect(points.reduce((a: number, p: { votes: number }) => a + p.votes, 0)).toBe(summary.activity.votes);
    for (const type of ['participation', 'outcomes', 'concentration', 'delegates', 'treasury']) {
      const s = await get(
        `/api/v1/metrics/enhanced?type=${type}&period=1y&as_of=2026-01-01T00:00:00Z&dao_ids=arbitrum,uniswap`,
      );
      expect(s.series).toHaveLength(2);
      expect(s.bucket).toBe('month');
    }
    const csv = await app.inject({
      method: 'GET',
      url: '/api/v1/metrics/enhanced?type=activity&period=30d&as_of=2025-06-15T00:00:00Z&dao_ids=arbitrum&format=csv',
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('dao_id,dao_slug,t,proposals,votes,voters,new_voters,returning_voters,retention');
    expect(lines).toHaveLength(31);
    expect((await app.inject({ method: 'GET', url: '/api/v1/metrics/enhanced?type=bogus' })).statusCode).toBe(400);
  });

  it('pages and sorts voters and delegates, and exports them whole', async () => {
    const page1 = await app.inject({
      method: 'GET',
      url: '/api/v1/daos/arbitrum/voters?sort=voting_power&order=desc&per_page=50',
    });
    const body = page1.json();
    const dao = await get('/api/v1/daos/arbitrum');
    expect(body.pagination.total).toBe(dao.total_members);
    const powers = body.data.map((v: { voting_power: string }) => Number(v.voting_power));
    expect(powers).toEqual([...powers].sort((a, b) => b - a));
    const page2 = await get('/api/v1/daos/arbitrum/voters?sort=voting_power&order=desc&per_page=50&page=2');
    const nd = await app.inject({
      method: 'GET',
      url: '/api/v1/daos/arbitrum/voters?sort=voting_power&order=desc&format=ndjson',
    });
    const rows = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(dao.total_members);
    expect(rows.slice(0, 100)).toEqual([...body.data, ...page2]);
    const share = rows.reduce((a: number, r: { share: number }) => a + r.share, 0);
    expect(Math.abs(share - 1)).toBeLessThan(1e-9);
    for (const sort of ['votes', 'first_vote', 'last_vote']) {
      const all = (
        await app.inject({ method: 'GET', url: `/api/v1/daos/arbitrum/voters?sort=${sort}&order=asc&format=csv` })
      ).body
        .trim()
        .split('\r\n');
      expect(all, sort).toHaveLength(dao.total_members + 1);
      expect(new Set(all).size, sort).toBe(all.length);
    }
    const delegates = await app.inject({ method: 'GET', url: '/api/v1/daos/arbitrum/delegates' });
    expect(delegates.json()).toMatchObject({ status: 'success', data: [], pagination: { total: 0 } });
  });

  it('searches DAOs and proposals with ranked, escaped snippets', async () => {
    const hits = await get('/api/v1/search?q=grants&limit=10');
    const mine = hits.filter((h: { dao_slug: string }) => h.dao_slug === 'big');
    expect(mine.map((h: { kind: string }) => h.kind).sort()).toEqual(['dao', 'proposal']);
    for (const h of hits) {
      expect(h.snippet).toContain('<mark>');
      // The only tags left are <mark> and </mark>: everything else in the text is escaped.
      expect(h.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
      expect(h.snippet).not.toContain('\u0001');
    }
    const proposal = mine.find((h: { kind: string }) => h.kind === 'proposal');
    expect(proposal).toMatchObject({ id: bigProposal, title: 'Fund the <b>grants</b> programme' });
    // A result names its DAO and, for a proposal, its date, so equal titles can be told apart.
    expect(proposal.dao_name).toEqual(expect.any(String));
    expect(new Date(proposal.date).toISOString()).toBe(proposal.date);
    expect(mine.find((h: { kind: string }) => h.kind === 'dao').date).toBeNull();
    // PostgreSQL's parser drops what it reads as tags (<b>); what it keeps as text is escaped.
    expect(proposal.snippet).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(proposal.snippet).toContain('&quot;<mark>grants</mark>&quot;');
    expect(hits.map((h: { rank: number }) => h.rank)).toEqual(
      [...hits.map((h: { rank: number }) => h.rank)].sort((a, b) => b - a),
    );
    expect(await get('/api/v1/search?q=zzzunfindable')).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/search?q=' })).statusCode).toBe(400);
  });

  it(`streams all ${BIG_VOTES} votes of a large proposal as CSV in flat memory`, async () => {
    const { response, lines, inOrder, bytes, tail, growth } = await download(
      `${base}/api/v1/proposals/${bigProposal}/votes?format=csv&sort=created&order=asc`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(tail).toBe('');
    console.log(
      `csv export: ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB, live heap growth ${(growth / 1e6).toFixed(1)} MB`,
    );
    expect(lines).toBe(BIG_VOTES + 1);
    expect(inOrder).toBe(BIG_VOTES);
    expect(bytes).toBeGreaterThan(BIG_VOTES * 300);
    // The body is ~50 MB; holding it (or even a large part of it) in memory would show here.
    expect(growth).toBeLessThan(bytes / 5);
  }, 300_000);

  it('exports proposals as NDJSON and keeps paging consistent', async () => {
    const nd = await app.inject({ method: 'GET', url: '/api/v1/daos/arbitrum/proposals?format=ndjson&sort=votes' });
    const rows = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const dao = await get('/api/v1/daos/arbitrum');
    expect(rows).toHaveLength(dao.total_proposals);
    expect(rows.slice(0, 20)).toEqual(await get('/api/v1/daos/arbitrum/proposals?sort=votes'));
  });
});
