import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../src/db/client.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, driverOf, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const DAY = 86_400_000;
const ndjson = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const proposal = (id: string, fields: object = {}) => ({
  type: 'proposal',
  dao: 'cached',
  id,
  title: `Proposal ${id}`,
  body: `The text of ${id}`,
  choices: ['For', 'Against'],
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-08T00:00:00Z',
  state: 'closed',
  ...fields,
});
const vote = (proposalId: string, n: number, choice: number, power: number, created = '2024-01-02T00:00:00Z') => ({
  type: 'vote',
  dao: 'cached',
  proposal: proposalId,
  voter: `0x${n.toString(16).padStart(40, '0')}`,
  choice,
  voting_power: String(power),
  created,
});

describe.each(databaseTargets())('proposal details kept by row version, votes pages batched, on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const ids = new Map<string, number>();

  const detail = (id: string | number) => getData(app, `/api/v1/proposals/${id}`);
  /** Statements the driver runs while `fn` does. */
  const statementsDuring = async (fn: () => Promise<unknown>) => {
    const queries = vi.spyOn(driverOf(database.db), 'query');
    try {
      await fn();
      return queries.mock.calls.length;
    } finally {
      queries.mockRestore();
    }
  };

  beforeAll(async () => {
    database = await target.open();
    const soon = new Date(Date.now() + DAY);
    const { summary } = await importText(
      database,
      ndjson([
        { type: 'dao', slug: 'cached', name: 'Cached DAO', chain: 'ethereum' },
        proposal('p1'),
        proposal('p2'),
        proposal('live', { state: 'active', start: new Date(Date.now() - DAY).toISOString(), end: soon.toISOString() }),
        vote('p1', 1, 1, 10),
        vote('p1', 2, 2, 5),
        vote('p2', 1, 1, 7),
        vote('live', 1, 1, 3, new Date().toISOString()),
      ]),
    );
    expect(summary.rejected).toBe(0);
    const rows = await rowsOf<{ id: number; external_id: string }>(
      database.db,
      sql`select id, external_id from proposals`,
    );
    for (const row of rows) ids.set(row.external_id, Number(row.id));
    app = await testServer(database);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  it('answers a repeated detail with one small read, and the same bytes', async () => {
    const id = ids.get('p1')!;
    const first = await app.inject({ url: `/api/v1/proposals/${id}` });
    expect(first.json().data).toMatchObject({ title: 'Proposal p1', voters: 2, voting_power_total: '15' });
    let again: Awaited<ReturnType<typeof app.inject>> | undefined;
    expect(
      await statementsDuring(async () => {
        again = await app.inject({ url: `/api/v1/proposals/${id}` });
      }),
    ).toBe(1);
    expect(again!.body).toBe(first.body);
    // Concurrent requests of one turn share that read.
    const others = [ids.get('p2')!, ids.get('live')!];
    for (const other of others) await detail(other);
    expect(
      await statementsDuring(() => Promise.all([detail(id), detail(others[0]!), detail(id), detail(others[1]!)])),
    ).toBe(1);
    // Compressed the same way as any answer over 1 KB would be (here under it: plain).
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('sees a write to the proposal, its votes or its DAO at the next request', async () => {
    const id = ids.get('p1')!;
    expect((await detail(id)).title).toBe('Proposal p1');
    await importText(database, ndjson([proposal('p1', { title: 'Renamed p1' })]));
    expect((await detail(id)).title).toBe('Renamed p1');
    // New votes reach the tallies through the rollup refresh of the import.
    await importText(database, ndjson([vote('p1', 3, 2, 20)]));
    const tallied = await detail(id);
    expect(tallied).toMatchObject({ voters: 3, voting_power_total: '35', votes_stored: 3 });
    expect(tallied.tallies.map((t: { voting_power: string }) => t.voting_power)).toEqual(['10', '25']);
    // The DAO's slug is part of the answer.
    await database.db.execute(sql`update daos set slug = 'cached-renamed' where slug = 'cached'`);
    expect((await detail(id)).dao_slug).toBe('cached-renamed');
    await database.db.execute(sql`update daos set slug = 'cached' where slug = 'cached-renamed'`);
    expect((await detail(id)).dao_slug).toBe('cached');
  });

  it('moves to the next state when the clock passes the end, with no write', async () => {
    const id = ids.get('live')!;
    expect((await detail(id)).state).toBe('active');
    // Only the clock moves: now() at the database is what the derived state and the version read.
    await database.db.execute(sql`update proposals set "end" = now() + interval '1 second' where id = ${id}`);
    expect((await detail(id)).state).toBe('active');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await detail(id)).state).toBe('closed');
  });

  it("reads the proposals of one turn's votes pages in one statement, and a source id or unknown id on its own", async () => {
    const page = (id: string | number) => app.inject({ url: `/api/v1/proposals/${id}/votes?per_page=2` });
    const [p1, p2] = [ids.get('p1')!, ids.get('p2')!];
    const alone = await statementsDuring(() => page(p1));
    // Each page reads its votes; the proposals they belong to are one read for all four.
    const together = await statementsDuring(() => Promise.all([page(p1), page(p2), page(p1), page(p2)]));
    expect(alone).toBe(2);
    expect(together).toBe(1 + 4);
    const [a, b] = await Promise.all([page(p1), page('p1')]);
    expect(a.json()).toEqual(b.json());
    expect(a.json().pagination).toMatchObject({ total: 3, per_page: 2 });
    const [missing, found] = await Promise.all([page(999999), page(p2)]);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect(found.json().data).toHaveLength(1);
  });

  it('reads every time what its version does not cover: tallies not yet in the rollups, a source id', async () => {
    const id = ids.get('p2')!;
    expect((await detail(id)).voting_power_total).toBe('7');
    // Without its rollup row the detail counts the stored votes, which change with no version.
    await database.db.execute(sql`delete from proposal_tallies where proposal_id = ${id}`);
    expect((await detail(id)).voting_power_total).toBe('7');
    await database.db.execute(sql`update votes set voting_power = 9 where proposal_id = ${id}`);
    expect((await detail(id)).voting_power_total).toBe('9');
    // By the source's id: the same answer, read each time.
    const bySource = await detail('p2');
    expect(bySource.id).toBe(id);
    expect(bySource.voting_power_total).toBe('9');
    expect(await statementsDuring(() => detail('p2'))).toBeGreaterThan(1);
    const missing = await app.inject({ url: '/api/v1/proposals/999999' });
    expect(missing.statusCode).toBe(404);
  });
});
