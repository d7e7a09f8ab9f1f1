import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

describe.each(databaseTargets())('time precision on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    database = await target.open();
    await importText(database, convertedNdjson('tokenomics'), { source: 'tokenomics' });
    await importText(
      database,
      [
        { type: 'dao', slug: 'mixed', name: 'Mixed', chain: 'ethereum' },
        {
          type: 'proposal',
          dao: 'mixed',
          id: 'p1',
          title: 'Dates',
          choices: ['a', 'b'],
          start: '2025-03-01',
          end: '2025-03-05',
        },
        {
          type: 'proposal',
          dao: 'mixed',
          id: 'p2',
          title: 'Times',
          choices: ['a', 'b'],
          start: '2025-03-01T10:00:00Z',
          end: '2025-03-05T10:00:00Z',
        },
        {
          type: 'vote',
          dao: 'mixed',
          proposal: 'p1',
          voter: '0xaaaa',
          choice: 1,
          voting_power: '1',
          created: '2025-03-02',
        },
        {
          type: 'vote',
          dao: 'mixed',
          proposal: 'p1',
          voter: '0xbbbb',
          choice: 2,
          voting_power: '1',
          created: '2025-03-02T13:14:15Z',
        },
        {
          type: 'vote',
          dao: 'mixed',
          proposal: 'p2',
          voter: '0xaaaa',
          choice: 1,
          voting_power: '1',
          created: '2025-03-02T00:00:00Z',
          created_precision: 'day',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    app = await testServer(database, { rateLimitPerMinute: 100_000 });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it('Tokenomics votes and proposals are stored as dates (their export has no time of day)', async () => {
    const proposals = (await getData(app, '/api/v1/daos/arbitrum/proposals?per_page=100')) as Array<{
      id: number;
      start: string;
      time_precision: string;
      votes_stored: number;
    }>;
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(p.time_precision).toBe('day');
      expect(p.start.slice(10)).toBe('T00:00:00.000Z');
    }
    // votes_count is the source's count; most Arbitrum proposals have none of their votes stored.
    const voted = proposals.find((p) => p.votes_stored > 0)!;
    const votes = (await getData(app, `/api/v1/proposals/${voted.id}/votes?per_page=100`)) as Array<{
      created: string;
      created_precision: string;
    }>;
    expect(votes.length).toBeGreaterThan(0);
    for (const v of votes) {
      expect(v.created_precision).toBe('day');
      expect(v.created.slice(10)).toBe('T00:00:00.000Z');
    }
  });

  it('an import gives a date written alone day precision, a full time second precision, unless it says', async () => {
    const proposals = (await getData(app, '/api/v1/daos/mixed/proposals?sort=start&order=asc')) as Array<{
      id: number;
      external_id: string;
      time_precision: string;
    }>;
    const byId = new Map(proposals.map((p) => [p.external_id, p]));
    expect(byId.get('p1')!.time_precision).toBe('day');
    expect(byId.get('p2')!.time_precision).toBe('second');
    const p1 = (await getData(app, `/api/v1/proposals/${byId.get('p1')!.id}/votes`)) as Array<{
      voter: string;
      created_precision: string;
    }>;
    expect(Object.fromEntries(p1.map((v) => [v.voter, v.created_precision]))).toEqual({
      '0xaaaa': 'day',
      '0xbbbb': 'second',
    });
    const p2 = await getData(app, `/api/v1/proposals/${byId.get('p2')!.id}/votes`);
    expect(p2[0].created_precision).toBe('day');
  });
});
