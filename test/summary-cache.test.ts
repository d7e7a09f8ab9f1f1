import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DaoVersionLoader } from '../src/api/dao-versions.ts';
import { SummaryCache } from '../src/api/summary-cache.ts';
import type { VersionedDao } from '../src/db/queries/daos.ts';
import { snapWindow } from '../src/db/queries/metrics.ts';
import { NotFoundError } from '../src/errors.ts';
import { databaseTargets, driverOf, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const records = (slug: string, voters: number) => [
  { type: 'dao', slug, name: `DAO ${slug}`, chain: 'ethereum' },
  {
    type: 'proposal',
    dao: slug,
    id: 'p1',
    title: 'P1',
    choices: ['For', 'Against'],
    start: '2024-01-01T00:00:00Z',
    end: '2024-01-08T00:00:00Z',
    state: 'closed',
  },
  ...Array.from({ length: voters }, (_, i) => ({
    type: 'vote',
    dao: slug,
    proposal: 'p1',
    voter: `0x${(i + 1).toString(16).padStart(40, '0')}`,
    choice: 1 + (i % 2),
    voting_power: String(10 * (i + 1)),
    created: '2024-01-02T00:00:00Z',
  })),
];
const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');

describe.each(databaseTargets())('metric read path on $kind', (target) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await target.open();
    await importText(database, ndjson([...records('alpha', 3), ...records('beta', 5)]));
  }, 120_000);
  afterAll(async () => database?.destroy());

  it('batches the DAO reads of one event-loop turn into one query, in request order, and names an unknown DAO', async () => {
    // Every statement reaches the driver's `query` once: the calls are the loader's round trips.
    const queries = vi.spyOn(driverOf(database.db), 'query');
    const loader = new DaoVersionLoader(database.db);
    const [a, b, both] = await Promise.all([
      loader.load(['alpha']),
      loader.load(['beta']),
      loader.load(['beta', 'alpha']),
    ]);
    expect(queries).toHaveBeenCalledTimes(1);
    expect(a.map((r) => r.dao.slug)).toEqual(['alpha']);
    expect(b[0]!.version).not.toBeNull();
    expect(both.map((r) => r.dao.slug)).toEqual(['beta', 'alpha']);
    const id = String(a[0]!.dao.id);
    expect((await loader.load([id]))[0]!.dao.slug).toBe('alpha');
    expect(queries).toHaveBeenCalledTimes(2);
    queries.mockRestore();

    const results = await Promise.allSettled([loader.load(['alpha', 'nope']), loader.load(['beta'])]);
    expect(results[0].status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect((results[0] as PromiseRejectedResult).reason.message).toContain('nope');
    expect(results[1].status).toBe('fulfilled');
  });

  it('serves a summary until the rollups change, and past its age serves it once more while recomputing', async () => {
    const loader = new DaoVersionLoader(database.db);
    const cache = new SummaryCache(10, 30_000);
    const window = snapWindow(undefined, undefined);
    const read = async () => {
      const [{ dao, version }] = (await loader.load(['beta'])) as [VersionedDao];
      return cache.get(database.db, dao, version, window);
    };
    const now = vi.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      const first = await read();
      expect(first.activity.votes).toBe(5);
      expect(await read()).toBe(first);

      // Older than the TTL: the stale summary is served at once, a fresh one is computed meanwhile.
      now.mockReturnValue(1_000_000 + 31_000);
      expect(await read()).toBe(first);
      await vi.waitFor(async () => expect(await read()).not.toBe(first));
      const refreshed = await read();
      expect(refreshed.activity.votes).toBe(5);
      expect(await read()).toBe(refreshed);

      // A write changes the rollup version: the next read recomputes before answering.
      await importText(
        database,
        ndjson([
          {
            type: 'vote',
            dao: 'beta',
            proposal: 'p1',
            voter: `0x${'f'.repeat(40)}`,
            choice: 1,
            voting_power: '7',
            created: '2024-01-03T00:00:00Z',
          },
        ]),
      );
      expect((await read()).activity.votes).toBe(6);
    } finally {
      now.mockRestore();
    }
  });
});
