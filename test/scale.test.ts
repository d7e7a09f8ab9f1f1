import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_YOUR_WRITES_COOKIE } from '../src/api/read-routing.ts';
import { buildServer } from '../src/api/server.ts';
import { type Config, loadConfig } from '../src/config/index.ts';
import { openDatabase, rowsOf } from '../src/db/index.ts';
import { ConfigError } from '../src/errors.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const scale = (overrides: Partial<Config['database']>): Config['database'] => ({
  ...loadConfig({}).database,
  ...overrides,
});

describe('scale settings in the configuration', () => {
  it('has defaults: pool of 10, no replica, no statement timeout, 30 s per request, 10 s read-your-writes', () => {
    expect(loadConfig({}).database).toEqual({
      readUrl: undefined,
      poolSize: 10,
      statementTimeoutMs: 0,
      requestTimeoutMs: 30_000,
      readYourWritesSeconds: 10,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/portal',
      DATABASE_READ_URL: 'postgres://replica/portal',
      DATABASE_POOL_SIZE: '25',
      STATEMENT_TIMEOUT_MS: '5000',
      REQUEST_TIMEOUT_MS: '10000',
      READ_YOUR_WRITES_SECONDS: '3',
    });
    expect(config.database).toEqual({
      readUrl: 'postgres://replica/portal',
      poolSize: 25,
      statementTimeoutMs: 5000,
      requestTimeoutMs: 10_000,
      readYourWritesSeconds: 3,
    });
  });

  it.each([
    [{ DATABASE_POOL_SIZE: '0' }, /^DATABASE_POOL_SIZE must be an integer from 1 to 1000, got '0'$/],
    [{ DATABASE_POOL_SIZE: 'ten' }, /^DATABASE_POOL_SIZE must be an integer/],
    [{ STATEMENT_TIMEOUT_MS: '-1' }, /^STATEMENT_TIMEOUT_MS must be an integer from 0/],
    [{ REQUEST_TIMEOUT_MS: '1.5' }, /^REQUEST_TIMEOUT_MS must be an integer from 0/],
    [{ READ_YOUR_WRITES_SECONDS: '99999' }, /^READ_YOUR_WRITES_SECONDS must be an integer from 0 to 3600/],
    [{ DATABASE_URL: 'postgres://db/x', DATABASE_READ_URL: 'mysql://r/x' }, /^DATABASE_READ_URL must use postgres:/],
    [{ DATABASE_READ_URL: 'postgres://replica/x' }, /^DATABASE_READ_URL needs DATABASE_URL/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe.each(databaseTargets())('scale settings on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let admin: { authorization: string };

  beforeAll(async () => {
    database = await target.open();
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, database: scale({ requestTimeoutMs: 400 }) },
      database,
      logger: false,
      webRoot: false,
    });
    admin = (await signIn(app, database, 'admin')).key;
  });

  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  /** Holds the daos table (PostgreSQL: an exclusive lock; PGlite: its one connection) until `release`. */
  async function holdDaos() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const done = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table daos in access exclusive mode`);
      held();
      await released;
    });
    await holding;
    return async () => {
      release();
      await done;
    };
  }

  it('a request that outlives REQUEST_TIMEOUT_MS gets 503 TIMEOUT in the envelope, and the server keeps answering', async () => {
    const release = await holdDaos();
    const started = Date.now();
    let response: Awaited<ReturnType<FastifyInstance['inject']>>;
    try {
      response = await app.inject({ method: 'GET', url: '/api/v1/daos' });
    } finally {
      await release();
    }
    const waited = Date.now() - started;
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json()).toEqual({
      status: 'error',
      error: {
        code: 'TIMEOUT',
        message: expect.stringContaining('REQUEST_TIMEOUT_MS, 400 ms'),
        details: { timeout_ms: 400 },
      },
    });
    expect(waited).toBeGreaterThanOrEqual(390);
    // The held request finished after its answer was sent; the next one is answered as usual.
    const after = await app.inject({ method: 'GET', url: '/api/v1/daos' });
    expect(after.statusCode, after.body).toBe(200);
  });

  it('a streamed export that outlives REQUEST_TIMEOUT_MS is sent to its end, not cut off', async () => {
    const records = [
      { type: 'dao', slug: 'stream', name: 'Stream', chain: 'ethereum' },
      {
        type: 'proposal',
        dao: 'stream',
        id: 'long',
        title: 'Long',
        choices: ['For', 'Against'],
        start: '2024-01-01T00:00:00Z',
        end: '2024-01-08T00:00:00Z',
        state: 'closed',
      },
    ];
    await importText(database, records.map((r) => JSON.stringify(r)).join('\n'));
    const [p] = await database.query<{ id: number; dao_id: number }>(
      `select id, dao_id from proposals where external_id = 'long'`,
    );
    const votes = 20_000;
    // About 7 MB of CSV: far more than the socket buffers hold, so the export waits on its reader.
    await database.query(
      `insert into votes (proposal_id, dao_id, voter, choice, voting_power, reason, created)
       select $1, $2, '0x' || lpad(to_hex(g), 40, '0'), to_jsonb(1 + g % 2), g, repeat('r', 300),
              timestamptz '2024-01-01' + g * interval '1 second'
         from generate_series(1, ${votes}) g`,
      [p!.id, p!.dao_id],
    );
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${base}/api/v1/proposals/${p!.id}/votes?format=csv`);
    expect(response.status, response.status === 200 ? '' : await response.text()).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const first = await reader.read();
    text += decoder.decode(first.value, { stream: true });
    // The reader stalls for three times the request timeout while the export is under way.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(votes + 1);
    expect(lines.at(-1)).toContain('r'.repeat(300));
  });

  it('a successful write sets the read-your-writes cookie for READ_YOUR_WRITES_SECONDS; reads and refused writes do not', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/daos',
      headers: admin,
      payload: { slug: 'ryw', name: 'Read your writes', chain: 'ethereum' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const cookie = created.cookies.find((c) => c.name === READ_YOUR_WRITES_COOKIE);
    expect(cookie).toMatchObject({ maxAge: 10, httpOnly: true, sameSite: 'Lax', path: '/' });
    const until = Number(cookie!.value);
    expect(until).toBeGreaterThan(Date.now() + 8_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 10_000);

    const read = await app.inject({ method: 'GET', url: '/api/v1/daos/ryw', headers: admin });
    expect(read.statusCode).toBe(200);
    expect(read.cookies.find((c) => c.name === READ_YOUR_WRITES_COOKIE)).toBeUndefined();

    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/daos',
      headers: admin,
      payload: { slug: 'ryw', name: 'Again', chain: 'ethereum' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.cookies.find((c) => c.name === READ_YOUR_WRITES_COOKIE)).toBeUndefined();
  });

  if (target.kind === 'pglite') {
    it('has one connection: reads and writes share it, so no statement timeout can apply to reads alone', async () => {
      const local = await openDatabase({ dataDir: 'memory://', statementTimeoutMs: 100 });
      try {
        expect(local.reader).toBe(local.db);
        expect(local.readerLocation).toBe(local.location);
      } finally {
        await local.close();
      }
    });
  }

  if (target.kind === 'postgres') {
    it("STATEMENT_TIMEOUT_MS cancels the API's reads on the server (503 TIMEOUT); the primary's own work has no such limit", async () => {
      const timed = await openDatabase({ databaseUrl: database.url!, poolSize: 2, statementTimeoutMs: 200 });
      const server = await buildServer({
        config: { corsOrigins: [], bodyLimit: 1 << 20, database: scale({ requestTimeoutMs: 10_000 }) },
        database: timed,
        logger: false,
        webRoot: false,
      });
      try {
        expect(await rowsOf(timed.reader, sql`select current_setting('statement_timeout') as t`)).toEqual([
          { t: '200ms' },
        ]);
        expect(await rowsOf(timed.db, sql`select current_setting('statement_timeout') as t`)).toEqual([{ t: '0' }]);
        // A sync or a refresh may run long on the primary's connections.
        await timed.db.execute(sql`select pg_sleep(0.4)`);

        const release = await holdDaos();
        const started = Date.now();
        let response: Awaited<ReturnType<FastifyInstance['inject']>>;
        try {
          response = await server.inject({ method: 'GET', url: '/api/v1/daos' });
        } finally {
          await release();
        }
        expect(response.statusCode, response.body).toBe(503);
        expect(response.json()).toEqual({
          status: 'error',
          error: { code: 'TIMEOUT', message: expect.stringContaining('STATEMENT_TIMEOUT_MS') },
        });
        // Cancelled by the server at its timeout, long before the request's own limit.
        expect(Date.now() - started).toBeLessThan(5_000);
        // The server cancelled the statement: nothing of it is left running on the connection.
        expect((await server.inject({ method: 'GET', url: '/api/v1/daos' })).statusCode).toBe(200);
      } finally {
        await server.close();
        await timed.close();
      }
    });
  }
});
