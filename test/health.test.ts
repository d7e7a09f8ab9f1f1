import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/index.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

const config = { corsOrigins: [], bodyLimit: 1 << 20 };

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const target of databaseTargets()) {
  describe(`health on '${target.kind}'`, () => {
    let database: TestDatabase;
    let app: FastifyInstance;

    beforeAll(async () => {
      database = await target.open();
      app = await buildServer({ config, database, logger: false, webRoot: false });
    });
    afterAll(async () => {
      await app?.close();
      await database?.destroy();
    });

    it('GET /health answers the documented shape: healthy, with every service', async () => {
      const res = await app.inject({ url: '/health' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        status: 'healthy',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        uptime: expect.any(Number),
        version: expect.any(String),
        services: { database: 'healthy', cache: 'healthy', queue: 'disabled' },
      });
    });

    it('GET /health/database names the kind, the round trip, current migrations and the pool', async () => {
      const res = await app.inject({ url: '/health/database' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        connected: true,
        kind: target.kind === 'pglite' ? 'embedded' : 'server',
        migrations: { status: 'current', pending: [] },
        error: null,
      });
      expect(body.latency_ms).toBeGreaterThan(0);
      expect(body.migrations.applied).toBeGreaterThan(5);
      if (target.kind === 'pglite') expect(body.pool).toBeNull();
      else expect(body.pool).toMatchObject({ size: 5, waiting: 0 });
    });

    it('names the migrations a database lacks as pending', async () => {
      const [last] = await database.query<{ version: string; name: string }>(
        'select version, name from schema_migrations order by version desc limit 1',
      );
      await database.query('delete from schema_migrations where version = $1', [last!.version]);
      try {
        const body = (await app.inject({ url: '/health/database' })).json();
        expect(body.migrations).toMatchObject({ status: 'pending', pending: [`${last!.version}_${last!.name}`] });
      } finally {
        await database.query('insert into schema_migrations (version, name) values ($1, $2)', [
          last!.version,
          last!.name,
        ]);
      }
    });

    it('monitoring routes refuse anonymous callers (401) and non-admins (403), and answer admins', async () => {
      const viewer = await signIn(app, database, 'viewer');
      const editor = await signIn(app, database, 'editor');
      const admin = await signIn(app, database, 'admin');
      for (const url of ['/api/v1/monitoring/health', '/api/v1/monitoring/metrics']) {
        const anonymous = await app.inject({ url });
        expect(anonymous.statusCode, url).toBe(401);
        expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
        for (const who of [viewer, editor]) {
          const refused = await app.inject({ url, headers: who.key });
          expect(refused.statusCode, url).toBe(403);
          expect(refused.json().error.code).toBe('FORBIDDEN');
        }
        expect((await app.inject({ url, headers: admin.key })).statusCode, url).toBe(200);
      }
    });

    it('GET /api/v1/monitoring/health lists each dependency and source with status and response time', async () => {
      const admin = await signIn(app, database, 'admin');
      await database.query(`insert into daos (slug, name, chain) values ('mon', 'Mon', 'ethereum')`);
      await database.query(
        `insert into sync_state (dao_id, source, status, last_success_at, lag, details, updated_at)
         select id, 'snapshot', 'idle', now() - interval '90 seconds', 12, '{"read": 40, "written": 7, "duration_ms": 850}'::jsonb, now()
           from daos where slug = 'mon'`,
      );
      const res = await app.inject({ url: '/api/v1/monitoring/health', headers: admin.key });
      expect(res.statusCode, res.body).toBe(200);
      const data = res.json().data;
      expect(data.status).toBe('healthy');
      expect(data.services.database).toMatchObject({
        status: 'healthy',
        kind: target.kind === 'pglite' ? 'embedded' : 'server',
        error: null,
      });
      expect(data.services.database.response_time).toBeGreaterThan(0);
      expect(data.services.redis).toEqual({ status: 'disabled', response_time: null, error: null });
      expect(data.services.queue).toMatchObject({ status: 'disabled', kind: 'none', jobs: null });
      const source = data.sources.find((s: { dao: string }) => s.dao === 'mon');
      expect(source).toMatchObject({ source: 'snapshot', status: 'healthy', response_time: 850, behind: 12 });
      expect(source.lag_seconds).toBeGreaterThanOrEqual(90);
      expect(source.lag_seconds).toBeLessThan(300);
      expect(data.cache).toHaveProperty('hit_rate');

      const metrics = (await app.inject({ url: '/api/v1/monitoring/metrics', headers: admin.key })).json().data;
      expect(metrics.application).toMatchObject({ window_seconds: 300 });
      expect(metrics.application.requests).toBeGreaterThan(0);
      expect(metrics.application.p95_response_time).toBeGreaterThan(0);
      expect(metrics.application.error_rate).toBe(0);
      expect(metrics.system.memory_rss_bytes).toBeGreaterThan(0);
      expect(metrics.sync.sources.find((s: { dao: string }) => s.dao === 'mon')).toMatchObject({
        items_read: 40,
        items_written: 7,
        failing: false,
      });
    });

    it('a Redis that does not answer makes health degraded, naming the cache; the database still healthy', async () => {
      const port = await closedPort();
      const withRedis = await buildServer({
        config: { ...config, redisUrl: `redis://127.0.0.1:${port}` },
        database,
        logger: false,
        webRoot: false,
      });
      try {
        const res = await withRedis.inject({ url: '/health' });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({
          status: 'degraded',
          services: { database: 'healthy', cache: 'unhealthy' },
          problems: [{ service: 'cache', message: expect.stringContaining('Redis') }],
        });
      } finally {
        await withRedis.close();
      }
    });

    it('a database that stopped answering makes /health 503 unhealthy naming the database', async () => {
      const stopped = await target.open();
      const broken = await buildServer({ config, database: stopped, logger: false, webRoot: false });
      try {
        expect((await broken.inject({ url: '/health' })).statusCode).toBe(200);
        if (target.kind === 'pglite') await stopped.close();
        else {
          // The server ends every connection of the database and refuses new ones, as a stopped server would.
          const name = new URL(stopped.url!).pathname.slice(1);
          const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
          await admin.connect();
          try {
            await admin.query(`alter database ${name} with allow_connections false`);
            await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
          } finally {
            await admin.end();
          }
        }
        const res = await broken.inject({ url: '/health' });
        expect(res.statusCode, res.body).toBe(503);
        const body = res.json();
        expect(body).toMatchObject({
          status: 'unhealthy',
          services: { database: 'unhealthy' },
          problems: [{ service: 'database', message: expect.stringMatching(/^the database does not answer: /) }],
        });
        const db = await broken.inject({ url: '/health/database' });
        expect(db.statusCode).toBe(503);
        expect(db.json()).toMatchObject({
          status: 'error',
          error: { code: 'DATABASE_UNAVAILABLE', details: { connected: false, latency_ms: null } },
        });
      } finally {
        await broken.close();
        if (target.kind === 'postgres') {
          const name = new URL(stopped.url!).pathname.slice(1);
          const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
          await admin.connect();
          await admin.query(`alter database ${name} with allow_connections true`).finally(() => admin.end());
        }
        await stopped.destroy();
      }
    });
  });
}

describe('health is not rate limited and not the dashboard', () => {
  it('answers /health past the API rate limit, and /metrics and /health are never the page shell', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    await database.migrate();
    // A dashboard build of one page: every unknown page path answers it (the SPA fallback).
    const webRoot = mkdtempSync(path.join(os.tmpdir(), 'dp-web-'));
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><html><body>dashboard</body></html>');
    const app = await buildServer({
      config: { ...config, auth: { ...loadConfig({}).auth, rateLimitPerMinute: 2 } },
      database,
      logger: false,
      webRoot,
    });
    try {
      for (let i = 0; i < 2; i++) expect((await app.inject({ url: '/api/v1/daos' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/v1/daos' })).statusCode).toBe(429);
      for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
      const metrics = await app.inject({ url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(metrics.body).not.toMatch(/<html/i);
      expect((await app.inject({ url: '/health/nothing' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/metrics/x' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/daos/some-page' })).body).toContain('dashboard');
    } finally {
      await app.close();
      await database.close();
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});
