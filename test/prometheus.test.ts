import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/logger/index.ts';
import { alertDeliveries } from '../src/monitoring/index.ts';
import { createSyncEngine } from '../src/sync/engine.ts';
import { runJob } from '../src/sync/jobs.ts';
import type { QueueRunner } from '../src/sync/queue.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';
import { type Family, parseExposition } from './helpers/exposition.ts';

const config = { corsOrigins: [], bodyLimit: 1 << 20 };

async function scrape(app: FastifyInstance, headers: Record<string, string> = {}) {
  const res = await app.inject({ url: '/metrics', headers });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(res.body);
}

/** The value of one sample, 0 when the series does not exist yet. */
function value(families: Map<string, Family>, sample: string, labels: Record<string, string> = {}): number {
  const family = [...families.values()].find((f) => f.samples.some((s) => s.name === sample));
  const found = family?.samples.find(
    (s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}

for (const target of databaseTargets()) {
  describe(`GET /metrics on '${target.kind}'`, () => {
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

    it('is a strict exposition document whose request histogram counts exactly the requests made, by route template', async () => {
      const before = await scrape(app);
      for (let i = 0; i < 7; i++) expect((await app.inject({ url: '/api/v1/daos' })).statusCode).toBe(200);
      for (const slug of ['nope-a', 'nope-b', 'nope-c'])
        expect((await app.inject({ url: `/api/v1/daos/${slug}` })).statusCode).toBe(404);
      const after = await scrape(app);
      const count = (f: Map<string, Family>, labels: Record<string, string>) =>
        value(f, 'http_request_duration_seconds_count', labels);
      const list = { route: '/api/v1/daos', method: 'GET', status: '200' };
      const one = { route: '/api/v1/daos/:id', method: 'GET', status: '404' };
      expect(count(after, list) - count(before, list)).toBe(7);
      expect(count(after, one) - count(before, one)).toBe(3);
      expect(
        value(after, 'http_request_duration_seconds_bucket', { ...list, le: '+Inf' }) -
          value(before, 'http_request_duration_seconds_bucket', { ...list, le: '+Inf' }),
      ).toBe(7);
      expect(value(after, 'http_request_duration_seconds_sum', list)).toBeGreaterThan(
        value(before, 'http_request_duration_seconds_sum', list),
      );
      // The previous scrape is counted too, under its own template; raw URLs never become series.
      expect(count(after, { route: '/metrics', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
      const routes = after.get('http_request_duration_seconds')!.samples.map((s) => s.labels.route);
      expect(routes.filter((r) => r?.includes('nope'))).toEqual([]);
    });

    it('exposes process defaults, the database, sync lag per source and the alert-delivery counter', async () => {
      await database.query(`insert into daos (slug, name, chain) values ('prom', 'Prom', 'ethereum')`);
      await database.query(
        `insert into sync_state (dao_id, source, status, last_success_at, details, updated_at)
         select id, 'governor', 'failed', now() - interval '600 seconds', '{"read": 5, "written": 2}'::jsonb, now()
           from daos where slug = 'prom'`,
      );
      alertDeliveries.inc({ channel: 'email', outcome: 'sent' });
      const families = await scrape(app);
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
      ])
        expect(families.has(name) || families.has(name.replace(/_total$/, '')), name).toBe(true);
      expect(value(families, 'dao_portal_db_up')).toBe(1);
      expect(value(families, 'dao_portal_db_latency_seconds')).toBeGreaterThan(0);
      if (target.kind === 'postgres') {
        expect(value(families, 'dao_portal_db_pool_size', { pool: 'primary' })).toBe(5);
        expect(
          families
            .get('dao_portal_db_pool_connections')!
            .samples.map((s) => s.labels.state)
            .sort(),
        ).toEqual(['idle', 'in_use', 'waiting']);
      } else expect(families.get('dao_portal_db_pool_size')!.samples).toEqual([]);
      const lag = value(families, 'dao_portal_sync_lag_seconds', { dao: 'prom', source: 'governor' });
      expect(lag).toBeGreaterThanOrEqual(600);
      expect(lag).toBeLessThan(900);
      expect(value(families, 'dao_portal_sync_failing', { dao: 'prom', source: 'governor' })).toBe(1);
      expect(value(families, 'dao_portal_sync_last_run_items', { dao: 'prom', kind: 'written' })).toBe(2);
      expect(value(families, 'dao_portal_sync_interval_seconds')).toBe(300);
      expect(value(families, 'alert_deliveries_total', { channel: 'email', outcome: 'sent' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(value(families, 'dao_portal_memory_limit_bytes')).toBeGreaterThan(0);
    });

    it('counts job outcomes and times rollup refreshes', async () => {
      const before = await scrape(app);
      const engine = createSyncEngine(
        { redisUrl: undefined, sync: loadConfig({}).sync },
        { database, logger: createLogger('silent'), sources: [], runner: 'none' },
      );
      try {
        await runJob(engine.deps, { kind: 'aggregates' });
        await runJob(engine.deps, { kind: 'aggregates' });
      } finally {
        await engine.close();
      }
      const after = await scrape(app);
      const outcome = { source: 'aggregates', outcome: 'done' };
      expect(
        value(after, 'dao_portal_sync_jobs_total', outcome) - value(before, 'dao_portal_sync_jobs_total', outcome),
      ).toBe(2);
      const refresh = { trigger: 'aggregates' };
      expect(
        value(after, 'dao_portal_rollup_refresh_duration_seconds_count', refresh) -
          value(before, 'dao_portal_rollup_refresh_duration_seconds_count', refresh),
      ).toBe(2);
    });

    it('needs the bearer token when METRICS_TOKEN is set', async () => {
      const token = 'metrics-token-0123456789';
      const guarded = await buildServer({
        config: { ...config, metricsToken: token },
        database,
        logger: false,
        webRoot: false,
      });
      try {
        for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: token }]) {
          const res = await guarded.inject({ url: '/metrics', headers });
          expect(res.statusCode).toBe(401);
          expect(res.json().error.code).toBe('UNAUTHENTICATED');
        }
        await scrape(guarded, { authorization: `Bearer ${token}` });
      } finally {
        await guarded.close();
      }
    });
  });
}

describe.runIf(process.env.REDIS_URL)('queue depth on BullMQ', () => {
  it('counts the jobs waiting in the Redis queue', async () => {
    const database = await databaseTargets()[0]!.open();
    const sync = createSyncEngine(
      {
        redisUrl: process.env.REDIS_URL,
        sync: { ...loadConfig({}).sync, queuePrefix: `dp-test-metrics-${process.pid}-${Date.now()}`, worker: false },
      },
      { database, logger: createLogger('silent'), sources: [] },
    );
    const queue = (sync.runner as QueueRunner).queue;
    const app = await buildServer({
      config: { ...config, redisUrl: process.env.REDIS_URL },
      database,
      sync,
      logger: false,
      webRoot: false,
    });
    try {
      await queue.add('sync', { kind: 'aggregates' });
      await queue.add('sync', { kind: 'aggregates' }, { delay: 60_000 });
      const families = await scrape(app);
      expect(value(families, 'dao_portal_queue_up')).toBe(1);
      expect(value(families, 'dao_portal_redis_up')).toBe(1);
      expect(value(families, 'dao_portal_queue_jobs', { state: 'waiting' })).toBe(1);
      expect(value(families, 'dao_portal_queue_jobs', { state: 'delayed' })).toBe(1);
      const health = (await app.inject({ url: '/health' })).json();
      expect(health).toMatchObject({ status: 'healthy', services: { cache: 'healthy', queue: 'healthy' } });
    } finally {
      await queue.obliterate({ force: true });
      await app.close();
      await sync.close();
      await database.destroy();
    }
  });
});

describe('deploy/prometheus/alerts.yml and the Grafana dashboard', () => {
  let exposed: Set<string>;

  beforeAll(async () => {
    const database = await databaseTargets()[0]!.open();
    const app = await buildServer({ config, database, logger: false, webRoot: false });
    try {
      await app.inject({ url: '/health' });
      const families = await scrape(app);
      // Every family and its sample names (a histogram's _bucket, _sum, _count).
      exposed = new Set([...families.keys(), ...[...families.values()].flatMap((f) => f.samples.map((s) => s.name))]);
      for (const f of families.values())
        if (f.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exposed.add(f.name + s);
      exposed.add('up'); // Prometheus's own, per scrape target
    } finally {
      await app.close();
      await database.destroy();
    }
  });

  /** Metric names in a PromQL expression: identifiers not followed by '(' and not label names, keywords or durations. */
  function metricNames(expr: string): string[] {
    const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '');
    const keywords = new Set(
      ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset'].concat([
        'sum',
        'avg',
        'min',
        'max',
        'count',
        'group',
        'stddev',
        'stdvar',
        'topk',
        'bottomk',
        'quantile',
        'count_values',
      ]),
    );
    const grouping = [...withoutStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
      m[1]!.split(',').map((s) => s.trim()),
    );
    return [...withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
      .map((m) => m[1]!)
      .filter((n) => !keywords.has(n) && !grouping.includes(n) && !/^\d/.test(n) && !/^(\d+[smhdwy])+$/.test(n))
      .filter((n) => !/^(Inf|NaN)$/.test(n));
  }

  it('every alert rule parses and reads only series /metrics exposes, with the documented thresholds', () => {
    const doc = parseYaml(readFileSync(path.join(repoRoot, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: { alert: string; expr: string; for?: string; labels: { severity: string } }[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(11);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      const names = metricNames(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(exposed, `${rule.alert}: ${name}`).toContain(name);
    }
    const expr = (alert: string) => rules.find((r) => r.alert === alert)?.expr ?? '';
    expect(expr('HighErrorRate')).toMatch(/> 0\.01\b/);
    expect(expr('VeryHighErrorRate')).toMatch(/> 0\.05\b/);
    expect(expr('SlowResponses')).toMatch(/> 2\b/);
    expect(expr('VerySlowResponses')).toMatch(/> 5\b/);
    expect(expr('HighMemory')).toMatch(/> 0\.8\b/);
    expect(expr('VeryHighMemory')).toMatch(/> 0\.9\b/);
    expect(expr('DatabasePoolBusy')).toMatch(/> 0\.8\b/);
    expect(expr('DatabasePoolExhausted')).toMatch(/> 0\.9\b/);
    expect(expr('SyncLagging')).toMatch(/> 2 \* /);
    expect(expr('TargetDown')).toMatch(/\bup\b.*== 0/);
  });

  it('every Grafana panel reads series /metrics exposes', () => {
    const dashboard = JSON.parse(readFileSync(path.join(repoRoot, 'deploy/grafana/dao-portal.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    for (const { title, expr } of exprs)
      for (const name of metricNames(expr)) expect(exposed, `${title}: ${name}`).toContain(name);
  });
});
