import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VersionedCache } from '../src/api/versioned-cache.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const ndjson = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const vote = (dao: string, i: number, vp: number) => ({
  type: 'vote',
  dao,
  proposal: 'p1',
  voter: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  choice: 1 + (i % 2),
  voting_power: String(vp),
  created: '2024-01-02T00:00:00Z',
});
const records = (dao: string, voters: number) => [
  { type: 'dao', slug: dao, name: `DAO ${dao}`, chain: 'ethereum' },
  {
    type: 'proposal',
    dao,
    id: 'p1',
    title: 'P1',
    choices: ['For', 'Against'],
    start: '2024-01-01T00:00:00Z',
    end: '2024-01-08T00:00:00Z',
    state: 'closed',
  },
  ...Array.from({ length: voters }, (_, i) => vote(dao, i, 10 * (i + 1))),
];

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('VersionedCache', () => {
  it('serves the previous value after a version change while one recompute runs, then the new one', async () => {
    const cache = new VersionedCache<{ n: number }>({
      name: 'test',
      maxEntries: 10,
      maxBytes: 1 << 20,
      ttlMs: 60_000,
      onChange: 'stale',
    });
    let computed = 0;
    const first = await cache.get('k', 'v1', async () => ({ n: ++computed }));
    expect(first).toEqual({ n: 1 });
    expect(await cache.get('k', 'v1', async () => ({ n: ++computed }))).toBe(first);

    const recompute = deferred<{ n: number }>();
    const compute = vi.fn(() => recompute.promise);
    // Ten requests after a write: all get the previous value at once, and only one recompute starts.
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', 'v2', compute)));
    expect(answers.every((a) => a === first)).toBe(true);
    expect(compute).toHaveBeenCalledTimes(1);
    // Another write while it runs: still the previous value, still no second recompute.
    expect(await cache.get('k', 'v3', compute)).toBe(first);
    expect(compute).toHaveBeenCalledTimes(1);

    recompute.resolve({ n: 2 });
    await vi.waitFor(async () => expect(await cache.get('k', 'v2', compute)).toEqual({ n: 2 }));
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('waits for a fresh value after a change in recompute mode, and keeps no failed value', async () => {
    const cache = new VersionedCache<number>({
      name: 'test',
      maxEntries: 10,
      maxBytes: 1 << 20,
      ttlMs: 60_000,
      onChange: 'recompute',
    });
    expect(await cache.get('k', 'v1', async () => 1)).toBe(1);
    expect(await cache.get('k', 'v2', async () => 2)).toBe(2);
    await expect(cache.get('k', 'v3', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', 'v3', async () => 3)).toBe(3);
  });

  it('bounds its memory by entries and by JSON bytes, dropping the least recently used first', async () => {
    const cache = new VersionedCache<string>({
      name: 'test',
      maxEntries: 3,
      maxBytes: 250,
      ttlMs: 60_000,
      onChange: 'stale',
    });
    const value = (c: string) => c.repeat(98); // 100 bytes as JSON
    for (const key of ['a', 'b']) await cache.get(key, 'v', async () => value(key));
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
    await cache.get('a', 'v', async () => 'unused'); // a is now the most recently used
    await cache.get('c', 'v', async () => value('c'));
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
    let recomputed = false;
    expect(
      await cache.get('a', 'v', async () => {
        recomputed = true;
        return '';
      }),
    ).toBe(value('a'));
    expect(recomputed).toBe(false);
    for (const key of ['d', 'e', 'f', 'g']) await cache.get(key, 'v', async () => key);
    expect(cache.size.entries).toBe(3);
    // A value larger than the bound is answered but not kept.
    expect(await cache.get('big', 'v', async () => 'x'.repeat(300))).toHaveLength(300);
    expect(cache.size.bytes).toBeLessThanOrEqual(250);
  });
});

/**
 * The API's comparison, enhanced series and leaderboards: a second identical request reads only
 * the DAOs' versions (the one batched read every cached answer is checked against) and computes
 * nothing; after a write the previous answer is served while it is recomputed, then the new one.
 */
describe.each(databaseTargets())('metric answers cached by version on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await target.open();
    await importText(database, ndjson([...records('alpha', 6), ...records('beta', 4)]));
    app = await testServer(database);
    // Every statement the API sends outside a transaction (the driver's own query method).
    const client = (database.db as unknown as { $client: { query: (...args: unknown[]) => Promise<unknown> } }).$client;
    const query = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      const text = args[0];
      statements.push(typeof text === 'string' ? text : String((text as { text?: string }).text));
      return query(...args);
    };
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  /** The answer and the statements it sent. */
  async function read(url: string) {
    statements.length = 0;
    const data = await getData(app, url);
    return { data, statements: [...statements] };
  }

  const urls = {
    enhanced: '/api/v1/metrics/enhanced?type=participation&period=all&bucket=month&dao_ids=alpha,beta',
    comparison: '/api/v1/metrics/comparison?dao_ids=alpha,beta',
    voters: '/api/v1/daos/alpha/voters?per_page=3',
  };

  it('answers a repeated request from the cache, reading only the DAO versions', async () => {
    for (const [name, url] of Object.entries(urls)) {
      const first = await read(url);
      expect(first.statements.length, name).toBeGreaterThan(1);
      const second = await read(url);
      expect(second.data, name).toEqual(first.data);
      expect(second.statements, name).toHaveLength(1);
      expect(second.statements[0], name).toContain('dao_rollup_state');
    }
  });

  it('serves the previous answer after a write while it recomputes once, then the new answer', async () => {
    const before = Object.fromEntries(
      await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, (await read(url)).data] as const)),
    );
    // A heavier voter joins alpha: its participation, summary and voter board change.
    await importText(database, ndjson([vote('alpha', 99, 100_000)]));

    for (const [name, url] of Object.entries(urls)) {
      const burst = await Promise.all(Array.from({ length: 5 }, () => getData(app, url)));
      for (const answer of burst) expect(answer, name).toEqual(before[name]);
      await vi.waitFor(async () => expect(await getData(app, url), name).not.toEqual(before[name]));
      const after = await read(url);
      expect(after.statements, name).toHaveLength(1);
    }
    const voters = (await read(urls.voters)).data;
    expect(voters[0].voting_power).toBe('100000');
    const comparison = (await read(urls.comparison)).data;
    expect(comparison.daos[0].summary.activity.votes).toBe(7);
    const series = (await read(urls.enhanced)).data;
    const alpha = series.series.find((s: { dao: { slug: string } }) => s.dao.slug === 'alpha');
    expect(alpha.points.find((p: { vp_cast: number | null }) => p.vp_cast !== null).vp_cast).toBe(100_210);
  });
});
