import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const lines = (...records: object[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
const dao = { type: 'dao', slug: 'filed', name: 'Filed DAO', chain: 'ethereum' };
const proposal = {
  type: 'proposal',
  dao: 'filed',
  id: 'p1',
  title: 'One',
  choices: ['For', 'Against'],
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-08T00:00:00Z',
  state: 'closed',
};

describe.each(databaseTargets())('file imports as a source on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await target.open();
    app = await buildServer({ config: { corsOrigins: [], bodyLimit: 1 << 20 }, database, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  const importRow = async () => {
    const response = await app.inject({ url: '/api/v1/sync/status?dao=filed' });
    expect(response.statusCode).toBe(200);
    return response.json().data.find((r: { source: string }) => r.source === 'import');
  };

  it('shows the last import of a DAO with what it did, and its rejections in words', async () => {
    // A vote for a proposal the file does not have is rejected; the other records load.
    const bad = {
      type: 'vote',
      dao: 'filed',
      proposal: 'missing',
      voter: `0x${'1'.repeat(40)}`,
      choice: 1,
      voting_power: '1',
      created: '2024-01-02T00:00:00Z',
    };
    await importText(database, lines(dao, proposal, bad), { source: 'filed.ndjson' });
    const row = await importRow();
    expect(row).toMatchObject({
      dao: { slug: 'filed', name: 'Filed DAO' },
      source: 'import',
      state: 'idle',
      lag: null,
      details: { file: 'filed.ndjson', records: 3, inserted: 2, updated: 0, unchanged: 0, rejected: 1 },
    });
    expect(row.last_error).toMatch(/^1 of 3 records were rejected/);
    expect(Date.now() - new Date(row.last_success).getTime()).toBeLessThan(60_000);

    // Importing the same records again is a run too: it changed nothing and rejected nothing.
    await importText(database, lines(dao, proposal), { source: 'again.ndjson' });
    expect(await importRow()).toMatchObject({
      last_error: null,
      details: { file: 'again.ndjson', records: 2, inserted: 0, unchanged: 2, rejected: 0 },
    });
  });
});
