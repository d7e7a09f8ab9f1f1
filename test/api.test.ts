import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const lines = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const proposal = (id: string, extra: object = {}) => ({
  type: 'proposal',
  dao: 'alpha',
  id,
  title: `Proposal ${id}`,
  body: '# Hello\n<script>x()</script>',
  choices: ['A', 'B', 'C'],
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-08T00:00:00Z',
  state: 'closed',
  ...extra,
});
const vote = (
  proposalId: string,
  voter: string,
  choice: unknown,
  vp: string | number,
  created = '2024-01-02T00:00:00Z',
) => ({ type: 'vote', dao: 'alpha', proposal: proposalId, voter, choice, voting_power: vp, created });

describe.each(databaseTargets())('REST API v1 on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let admin: { authorization: string };

  beforeAll(async () => {
    database = await target.open();
    const votes = Array.from({ length: 250 }, (_, i) =>
      vote(
        'big',
        `0x${i.toString(16).padStart(40, '0')}`,
        (i % 3) + 1,
        `${(i * 37) % 101}.25`,
        new Date(Date.UTC(2024, 0, 2, 0, 0, i % 50)).toISOString(),
      ),
    );
    const { summary } = await importText(
      database,
      lines(
        { type: 'dao', slug: 'alpha', name: 'Alpha DAO', chain: 'ethereum', token_symbol: 'ALP' },
        { type: 'dao', slug: 'beta', name: 'Beta Collective', chain: 'optimism' },
        { type: 'dao', slug: 'gamma', name: 'Gamma_100%', chain: 'ethereum' },
        proposal('big'),
        proposal('approval', { voting_type: 'approval' }),
        proposal('weighted', { voting_type: 'weighted' }),
        proposal('ranked', { voting_type: 'ranked-choice' }),
        proposal('quadratic', { voting_type: 'quadratic' }),
        proposal('future', { start: '2999-01-01T00:00:00Z', end: '2999-01-08T00:00:00Z', state: 'active' }),
        ...votes,
        vote('approval', '0xd1', [1, 3], 4),
        vote('approval', '0xd2', [2], 1),
        vote('weighted', '0xd1', { '1': 1, '3': 3 }, 8),
        vote('weighted', '0xd2', { '2': 1 }, 2),
        vote('ranked', '0xd1', [3, 1, 2], 5),
        vote('ranked', '0xd2', [1, 2, 3], 4),
        vote('ranked', '0xd3', [2, 1, 3], 2),
        vote('quadratic', '0xd1', { '1': 1 }, 1),
        vote('quadratic', '0xd2', { '1': 1 }, 1),
        vote('quadratic', '0xd3', { '2': 1 }, 4),
        {
          type: 'treasury_balance',
          dao: 'alpha',
          timestamp: '2024-01-01T00:00:00Z',
          wallet: '0xW',
          chain: 'ethereum',
          token_symbol: 'ALP',
          amount: '100',
          usd_value: '50',
        },
        {
          type: 'treasury_balance',
          dao: 'alpha',
          timestamp: '2024-02-01T00:00:00Z',
          wallet: '0xW',
          chain: 'ethereum',
          token_symbol: 'ALP',
          amount: '90',
          usd_value: '45.5',
        },
        {
          type: 'treasury_balance',
          dao: 'alpha',
          timestamp: '2024-02-01T00:00:00Z',
          wallet: '0xW',
          chain: 'ethereum',
          token_symbol: 'USDC',
          amount: '10',
          usd_value: '10',
        },
      ),
    );
    expect(summary.rejected).toBe(0);
    await database.query(
      `insert into dao_metrics (dao_id, metric_type, value, timestamp) select id, 'voters.month', 42, '2024-01-01' from daos where slug = 'alpha'`,
    );
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false });
    // Writes need a role: they are sent as an admin's API key.
    admin = (await signIn(app, database, 'admin')).key;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const headers = method === 'GET' ? {} : admin;
    const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  };

  it('lists DAOs in the envelope with pagination, sort, filter and search', async () => {
    const all = await call('GET', '/api/v1/daos?sort=name&order=asc&per_page=2');
    expect(all.status).toBe(200);
    expect(all.body.status).toBe('success');
    expect(all.body.data.map((d: { slug: string }) => d.slug)).toEqual(['alpha', 'beta']);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 2, total: 3, pages: 2 });
    const page2 = await call('GET', '/api/v1/daos?sort=name&order=asc&per_page=2&page=2');
    expect(page2.body.data.map((d: { slug: string }) => d.slug)).toEqual(['gamma']);
    const byVotes = await call('GET', '/api/v1/daos?sort=total_votes');
    expect(byVotes.body.data[0]).toMatchObject({
      slug: 'alpha',
      total_votes: 250 + 10,
      total_proposals: 6,
      active_proposals: 0,
      treasury_value: '55.5',
    });
    expect((await call('GET', '/api/v1/daos?chain=optimism')).body.data.map((d: { slug: string }) => d.slug)).toEqual([
      'beta',
    ]);
    expect((await call('GET', '/api/v1/daos?search=COLLECT')).body.data.map((d: { slug: string }) => d.slug)).toEqual([
      'beta',
    ]);
    // LIKE wildcards in the search are literal characters.
    expect((await call('GET', '/api/v1/daos?search=_100%25')).body.data.map((d: { slug: string }) => d.slug)).toEqual([
      'gamma',
    ]);
  });

  it('names the bad parameter in a 400 VALIDATION_ERROR', async () => {
    for (const [url, parameter] of [
      ['/api/v1/daos?per_page=101', 'per_page'],
      ['/api/v1/daos?page=0', 'page'],
      ['/api/v1/daos?sort=colour', 'sort'],
      ['/api/v1/daos?bogus=1', 'bogus'],
      ['/api/v1/proposals/big/votes?per_page=5000', 'per_page'],
      ['/api/v1/proposals/big/votes?cursor=garbage', 'cursor'],
      ['/api/v1/daos/alpha/metrics?from=someday', 'from'],
    ] as const) {
      const { status, body } = await call('GET', url);
      expect(status, url).toBe(400);
      expect(body.status).toBe('error');
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.message, url).toContain(parameter);
      expect(body.error.details[0].parameter, url).toBe(parameter);
    }
  });

  it('answers 404 NOT_FOUND for unknown DAOs, proposals and routes', async () => {
    for (const url of ['/api/v1/daos/nope', '/api/v1/daos/999999', '/api/v1/proposals/nope', '/api/v1/nothing-here']) {
      const { status, body } = await call('GET', url);
      expect(status, url).toBe(404);
      expect(body).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    }
  });

  it('creates, reads by id or slug, updates and deletes a DAO; clashes are 409 CONFLICT', async () => {
    const created = await call('POST', '/api/v1/daos', {
      slug: 'delta',
      name: 'Delta DAO',
      chain: 'Arbitrum',
      treasury_addresses: ['0xABCDEF0000000000000000000000000000000001', '0xabcdef0000000000000000000000000000000001'],
      treasury_tokens: ['0xDEF0000000000000000000000000000000000002'],
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      slug: 'delta',
      chain: 'arbitrum',
      treasury_addresses: ['0xabcdef0000000000000000000000000000000001'],
      treasury_tokens: ['0xdef0000000000000000000000000000000000002'],
      total_members: 0,
    });
    const byId = await call('GET', `/api/v1/daos/${created.body.data.id}`);
    expect(byId.body.data.slug).toBe('delta');
    expect((await call('POST', '/api/v1/daos', { slug: 'delta', name: 'Other', chain: 'x' })).body.error).toMatchObject(
      { code: 'CONFLICT', details: { field: 'slug' } },
    );
    expect((await call('POST', '/api/v1/daos', { slug: 'delta2', name: 'Delta DAO', chain: 'x' })).status).toBe(409);
    expect(
      (await call('POST', '/api/v1/daos', { slug: 'delta3', name: 'D3', chain: 'x', colour: 'red' })).body.error
        .message,
    ).toContain('colour');
    expect((await call('POST', '/api/v1/daos', { name: 'D4', chain: 'x' })).body.error.message).toBe(
      'slug is required',
    );
    // Stored fields the sources act on are validated: no URL for a chain, no markup for an address.
    const hostile = await call('POST', '/api/v1/daos', { slug: 'd5', name: 'D5', chain: 'http://127.0.0.1:18503/' });
    expect([hostile.status, hostile.body.error.message.split(' ')[0]]).toEqual([400, 'chain']);
    const markup = await call('POST', '/api/v1/daos', {
      slug: 'd6',
      name: 'D6',
      chain: 'x',
      treasury_addresses: ['<script>'],
    });
    expect([markup.status, markup.body.error.message.split(' ')[0]]).toEqual([400, 'treasury_addresses.0']);
    const updated = await call('PUT', '/api/v1/daos/delta', { description: 'Now described' });
    expect(updated.body.data).toMatchObject({ slug: 'delta', description: 'Now described', name: 'Delta DAO' });
    expect((await call('PUT', '/api/v1/daos/delta', { name: 'Alpha DAO' })).status).toBe(409);
    expect((await call('PUT', '/api/v1/daos/nope', { name: 'X' })).status).toBe(404);
    expect((await call('DELETE', '/api/v1/daos/delta')).body.data).toMatchObject({ slug: 'delta', deleted: true });
    expect((await call('GET', '/api/v1/daos/delta')).status).toBe(404);
  });

  it("lists a DAO's proposals filtered by state and sorted by votes", async () => {
    const { body } = await call('GET', '/api/v1/daos/alpha/proposals?sort=votes&order=desc&per_page=2');
    // ranked and quadratic both have 3 votes: ties fall back to the id, in the same direction.
    expect(body.data.map((p: { external_id: string }) => p.external_id)).toEqual(['big', 'quadratic']);
    expect(body.data[0]).not.toHaveProperty('body');
    expect(body.pagination.total).toBe(6);
    // `future` is stored `active` but starts in 2999: its derived state is pending, never active.
    const pending = await call('GET', '/api/v1/daos/alpha/proposals?state=pending');
    expect(pending.body.data.map((p: { external_id: string }) => p.external_id)).toEqual(['future']);
    expect(pending.body.data[0]).toMatchObject({ state: 'pending', source_state: 'active' });
    const active = await call('GET', '/api/v1/daos/alpha/proposals?state=active');
    expect(active.body.data.map((p: { external_id: string }) => p.external_id)).toEqual([]);
  });

  it('tallies each voting type by Snapshot rules, by internal or source id', async () => {
    const tallies = async (id: string) =>
      (await call('GET', `/api/v1/proposals/${id}`)).body.data.tallies.map(
        (t: { voting_power: string; votes: number }) => [t.voting_power, t.votes],
      );
    expect(await tallies('approval')).toEqual([
      ['4', 1],
      ['1', 1],
      ['4', 1],
    ]);
    expect(await tallies('weighted')).toEqual([
      ['2', 1],
      ['2', 1],
      ['6', 1],
    ]);
    // Instant runoff: C (5) and A (4) and B (2); B is eliminated and its ballot moves to A: A 6 beats C 5.
    expect(await tallies('ranked')).toEqual([
      ['6', 1],
      ['0', 1],
      ['5', 1],
    ]);
    // Quadratic: (√1 + √1)² = 4 for A and (√4)² = 4 for B: two small voters weigh as much as one voter
    // with four times the power; the scores share the 6 total power in that proportion.
    expect(await tallies('quadratic')).toEqual([
      ['3', 2],
      ['3', 1],
      ['0', 0],
    ]);
    const big = (await call('GET', '/api/v1/proposals/big')).body.data;
    expect(big).toMatchObject({
      voters: 250,
      votes_count: 250,
      body: '# Hello\n<script>x()</script>',
      choices: ['A', 'B', 'C'],
    });
    expect((await call('GET', `/api/v1/proposals/${big.id}`)).body.data.external_id).toBe('big');
  });

  it('pages votes by offset and by keyset cursor with the same order', async () => {
    for (const sort of ['voting_power', 'created'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const offset: string[] = [];
        for (let page = 1; page <= 6; page++) {
          offset.push(
            ...(
              await call('GET', `/api/v1/proposals/big/votes?sort=${sort}&order=${order}&per_page=50&page=${page}`)
            ).body.data.map((v: { voter: string }) => v.voter),
          );
        }
        const keyset: string[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: { data: Array<{ voter: string }>; pagination: { next_cursor: string | null } } } =
            await call(
              'GET',
              `/api/v1/proposals/big/votes?sort=${sort}&order=${order}&per_page=50${cursor ? `&cursor=${cursor}` : ''}`,
            );
          keyset.push(...res.body.data.map((v) => v.voter));
          cursor = res.body.pagination.next_cursor;
        } while (cursor);
        expect(offset.length).toBe(250);
        expect(keyset, `${sort} ${order}`).toEqual(offset);
      }
    }
  });

  it('serves the metric series and the treasury', async () => {
    const metrics = await call(
      'GET',
      '/api/v1/daos/alpha/metrics?metric_type=voters.month&from=2023-12-01&to=2024-02-01',
    );
    expect(metrics.body.data).toEqual([
      { metric_type: 'voters.month', value: '42', timestamp: '2024-01-01T00:00:00.000Z', metadata: {} },
    ]);
    const treasury = (await call('GET', '/api/v1/daos/alpha/treasury')).body.data;
    expect(treasury.total_usd).toBe('55.5');
    expect(treasury.latest.map((b: { token_symbol: string; amount: string }) => [b.token_symbol, b.amount])).toEqual([
      ['ALP', '90'],
      ['USDC', '10'],
    ]);
    expect(treasury.history).toEqual([
      { timestamp: '2024-01-01T00:00:00.000Z', usd_value: '50' },
      { timestamp: '2024-02-01T00:00:00.000Z', usd_value: '55.5' },
    ]);
  });

  it('publishes an OpenAPI 3 document and Swagger UI', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/daos',
      '/api/v1/daos/{id}',
      '/api/v1/daos/{id}/proposals',
      '/api/v1/proposals/{id}',
      '/api/v1/proposals/{id}/votes',
      '/api/v1/daos/{id}/metrics',
      '/api/v1/daos/{id}/treasury',
      '/health',
      '/api/v1/import',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(
      doc.paths['/api/v1/daos'].get.parameters.find((p: { name: string }) => p.name === 'per_page').schema.maximum,
    ).toBe(100);
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('reports health with a request id header', async () => {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(res.json()).toMatchObject({ status: 'healthy', services: { database: 'healthy' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('imports through the API and reports rejections', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/import?source=upload.ndjson',
      headers: { 'content-type': 'application/x-ndjson', ...admin },
      payload: lines({ type: 'dao', slug: 'epsilon', name: 'Epsilon', chain: 'base' }, { type: 'dao', slug: 'zeta' }),
    });
    expect(res.json().data).toMatchObject({
      records: 2,
      inserted: 1,
      rejected: 1,
      rejections: [{ source: 'upload.ndjson', line: 2, field: 'name', reason: 'is required' }],
    });
  });

  it('answers 500 INTERNAL_ERROR without internals when the database fails', async () => {
    const broken = await target.open();
    const brokenApp = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database: broken,
      logger: false,
    });
    await broken.destroy();
    const res = await brokenApp.inject({ url: '/api/v1/daos' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toMatch(/select|daos"|stack|at /i);
    expect((await brokenApp.inject({ url: '/health' })).statusCode).toBe(503);
    await brokenApp.close();
  });
});
