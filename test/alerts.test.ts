import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../src/alerts/evaluator.ts';
import { evaluateRules } from '../src/alerts/rules.ts';
import { type AlertState, advance } from '../src/alerts/state.ts';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { type Database, openDatabase } from '../src/db/index.ts';
import type { NotificationEvent } from '../src/db/notification-event.ts';
import { listEvents } from '../src/db/queries/notifications.ts';
import { createLogger } from '../src/logger/index.ts';
import { createMonitoring, type Monitoring } from '../src/monitoring/index.ts';
import type { ProcessMeasurements } from '../src/monitoring/measurements.ts';
import type { NotificationSink } from '../src/notify/sink.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

const config = loadConfig({ ALERT_COOLDOWN_SECONDS: '300', ALERT_MIN_REQUESTS: '10' });
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

/** A healthy process at `s` seconds, with the parts a test changes. */
function healthy(s: number, change: (m: ProcessMeasurements) => void = () => {}): ProcessMeasurements {
  const m: ProcessMeasurements = {
    at: at(s),
    requests: {
      windowSeconds: 300,
      count: 200,
      errorRate: 0,
      avgSeconds: 0.05,
      p95Seconds: 0.2,
      ratePerSecond: 0.66,
    },
    memory: { rssBytes: 100e6, heapUsedBytes: 50e6, limitBytes: 1e9, usedRatio: 0.1 },
    database: { reachable: true, latencyMs: 2, pool: { size: 10, inUse: 1, idle: 9, waiting: 0 } },
    disks: [{ path: '/data', freeRatio: 0.6 }],
    sources: [
      {
        dao: 'ens',
        source: 'snapshot',
        intervalSeconds: 300,
        lastSuccessAt: at(s - 60),
        lagSeconds: null,
        failing: false,
        lastError: null,
      },
    ],
    backups: { lastSuccessAt: at(s - 3600), lastFailureAt: null, lastError: null },
  };
  change(m);
  return m;
}

/** Runs the machines over a sequence and returns, per step, the events told. */
function run(sequence: ProcessMeasurements[]): NotificationEvent[][] {
  let states = new Map<string, AlertState>();
  return sequence.map((m) => {
    const result = advance(
      states,
      evaluateRules(m, config.alerts),
      m.at,
      config.alerts.cooldownSeconds,
      () => null,
      m.database.reachable,
    );
    states = result.states;
    return result.events;
  });
}

const titles = (steps: NotificationEvent[][]) => steps.map((events) => events.map((e) => e.title));

describe('alert and notification configuration', () => {
  it('refuses a bad value naming the variable', () => {
    expect(() => loadConfig({ ALERT_ERROR_RATE_WARNING: '2' })).toThrow(
      /^ALERT_ERROR_RATE_WARNING must be a number from 0 to 1/,
    );
    expect(() => loadConfig({ ALERT_P95_SECONDS_CRITICAL: '1' })).toThrow(
      /^ALERT_P95_SECONDS_CRITICAL must be at least ALERT_P95_SECONDS_WARNING \(2\)/,
    );
    expect(() => loadConfig({ ALERT_DISK_FREE_RATIO_CRITICAL: '0.5' })).toThrow(
      /^ALERT_DISK_FREE_RATIO_CRITICAL must be at most/,
    );
    expect(() => loadConfig({ NOTIFY_ENDING_HOURS: '-1' })).toThrow(/^NOTIFY_ENDING_HOURS must be a number above 0/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/^PUBLIC_URL must use/);
    expect(loadConfig({ PUBLIC_URL: 'https://portal.example.org/' }).publicUrl).toBe('https://portal.example.org');
  });
});

describe('operator alert rules and their state machine', () => {
  it('a healthy process tells nothing', () => {
    expect(run([healthy(0), healthy(30), healthy(60)]).flat()).toEqual([]);
  });

  it('error responses: one message per transition, escalation during the cool-down, none else during it, then resolved', () => {
    const rate = (s: number, r: number) => healthy(s, (m) => void (m.requests.errorRate = r));
    const steps = run([
      rate(0, 0),
      rate(30, 0.02), // warning fires
      rate(60, 0.03), // still warning: nothing
      rate(90, 0.1), // critical: an escalation is told even in the cool-down
      rate(120, 0), // back to ok within the cool-down: nothing yet
      rate(150, 0),
      rate(400, 0), // cool-down over: resolved
      rate(430, 0.02), // firing again within the cool-down of the resolution: nothing
      rate(460, 0), // and back before it ended: nothing, ever
      rate(800, 0),
      rate(830, 0.06), // a new episode, critical at once
    ]);
    expect(titles(steps)).toEqual([
      [],
      ['[WARNING] Error rate: http'],
      [],
      ['[CRITICAL (escalated)] Error rate: http'],
      [],
      [],
      ['[RESOLVED] Error rate: http'],
      [],
      [],
      [],
      ['[CRITICAL] Error rate: http'],
    ]);
    const keys = steps.flat().map((e) => e.key);
    expect(keys).toEqual([
      'alert:error_rate:http:1:1',
      'alert:error_rate:http:1:2',
      'alert:error_rate:http:1:3',
      // The flap at 430 s started a second episode that was never told; this is the third.
      'alert:error_rate:http:3:1',
    ]);
    const [warning, critical, resolved] = steps.flat();
    expect(warning).toMatchObject({ kind: 'operator.alert', daoId: null, severity: 'warning' });
    expect(warning!.body).toContain('error rate 2% of 200 requests');
    expect(warning!.body).toContain('above 1%');
    expect(critical!.body).toContain('above 5%');
    expect(resolved).toMatchObject({ severity: 'resolved' });
    expect(resolved!.body).toMatch(/^Resolved after 370 s/);
  });

  it('too few requests say nothing about the error rate (the alert keeps its state)', () => {
    const steps = run([
      healthy(0, (m) => Object.assign(m.requests, { count: 3, errorRate: 1 })),
      healthy(30, (m) => Object.assign(m.requests, { count: 0, errorRate: null, p95Seconds: null })),
    ]);
    expect(steps.flat()).toEqual([]);
  });

  it('a slow route: p95 above 2 s warns, above 5 s is critical, then resolves', () => {
    const p95 = (s: number, v: number) => healthy(s, (m) => void (m.requests.p95Seconds = v));
    const steps = run([p95(0, 2.5), p95(30, 6), p95(60, 6), p95(400, 0.3)]);
    expect(titles(steps)).toEqual([
      ['[WARNING] Slow responses (p95): http'],
      ['[CRITICAL (escalated)] Slow responses (p95): http'],
      [],
      ['[RESOLVED] Slow responses (p95): http'],
    ]);
  });

  it('memory, database connections, disk and backups use their thresholds', () => {
    const steps = run([
      healthy(0, (m) => {
        m.memory.usedRatio = 0.85;
        m.database.pool = { size: 10, inUse: 10, idle: 0, waiting: 4 };
        m.disks = [{ path: '/data', freeRatio: 0.15 }];
        m.backups = { lastSuccessAt: at(-7200), lastFailureAt: at(-60), lastError: 'pg_dump: disk full' };
      }),
    ]);
    expect(titles(steps)[0]!.sort()).toEqual([
      '[CRITICAL] Backup: backup',
      '[CRITICAL] Database connections: database',
      '[WARNING] Disk space: /data',
      '[WARNING] Memory: process',
    ]);
    expect(steps[0]!.find((e) => e.facts.rule === 'backup')!.body).toContain('pg_dump: disk full');
  });

  it('a stopped database is critical at once, and the source list it cannot read resolves nothing', () => {
    const stale = (s: number) => healthy(s, (m) => void (m.sources[0]!.lastSuccessAt = at(s - 1000)));
    const steps = run([
      stale(0),
      healthy(30, (m) => {
        m.database.reachable = false;
        m.database.pool = null;
        m.sources = [];
      }),
      healthy(400, () => {}),
    ]);
    expect(titles(steps)).toEqual([
      ['[CRITICAL] Source sync: ens/snapshot'],
      ['[CRITICAL] Database unreachable: database'],
      ['[RESOLVED] Database unreachable: database', '[RESOLVED] Source sync: ens/snapshot'],
    ]);
  });

  it('a stalled source (no success for twice its interval) is critical; a failing one warns', () => {
    const source = (s: number, since: number, failing: boolean) =>
      healthy(s, (m) => {
        m.sources[0]!.lastSuccessAt = at(s - since);
        m.sources[0]!.failing = failing;
        m.sources[0]!.lastError = failing ? 'hub answered 502' : null;
      });
    const steps = run([source(0, 60, true), source(30, 599, true), source(60, 601, true), source(400, 10, false)]);
    expect(titles(steps)).toEqual([
      ['[WARNING] Source sync: ens/snapshot'],
      [],
      ['[CRITICAL (escalated)] Source sync: ens/snapshot'],
      ['[RESOLVED] Source sync: ens/snapshot'],
    ]);
    expect(steps[0]![0]!.body).toContain('hub answered 502');
    expect(steps[2]![0]!.body).toContain('last success 601 s ago');
  });

  it('a removed source resolves its alert', () => {
    const steps = run([
      healthy(0, (m) => void (m.sources[0]!.failing = true)),
      healthy(400, (m) => void (m.sources = [])),
    ]);
    expect(titles(steps)).toEqual([['[WARNING] Source sync: ens/snapshot'], ['[RESOLVED] Source sync: ens/snapshot']]);
  });
});

describe.each(databaseTargets())('the alert evaluator on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  // The process's own monitoring, as `serve` hands it to the server and to the evaluator.
  let monitoring: Monitoring;
  const monitor = (watched: Database) =>
    createMonitoring({ database: watched, logger: createLogger('silent'), syncIntervalSeconds: 300 });
  beforeAll(async () => {
    database = await target.open();
    monitoring = monitor(database);
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20 },
      database,
      logger: false,
      webRoot: false,
      monitoring,
    });
    // Two real routes of the running app: one that fails, one that is slow.
    app.get('/test/boom', async () => {
      throw new Error('boom');
    });
    app.get('/test/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      return { ok: true };
    });
  });
  afterAll(async () => {
    await app?.close();
    await monitoring?.close();
    await database?.destroy();
  });

  /** A sink that keeps what it was handed, inside the transaction that recorded it. */
  const handed: NotificationEvent[] = [];
  const sink: NotificationSink = async (_tx, events) => void handed.push(...events);

  it('real error responses and a real slow request fire the rules; the state is kept and listed for admins', async () => {
    const alertsConfig = loadConfig({ ALERT_MIN_REQUESTS: '4', ALERT_COOLDOWN_SECONDS: '300' });
    const evaluator = new AlertEvaluator({
      database,
      measure: () => monitoring.measure(),
      sink,
      config: alertsConfig,
      logger: createLogger('silent'),
    });
    expect(await evaluator.evaluate()).toEqual([]);

    for (const url of ['/health', '/test/boom', '/health', '/test/slow']) await app.inject({ method: 'GET', url });
    const fired = await evaluator.evaluate();
    expect(fired.map((e) => e.title).sort()).toEqual([
      '[CRITICAL] Error rate: http', // 1 of 4 answers was a 500: 25%
      '[WARNING] Slow responses (p95): http', // p95 of 4 is the slowest, 2.2 s
    ]);
    expect(handed).toEqual(fired);
    // Evaluating again with the same figures tells nothing.
    expect(await evaluator.evaluate()).toEqual([]);
    const ledger = await listEvents(database.db, { kind: 'operator.alert' });
    expect(ledger.map((e) => e.key).sort()).toEqual(['alert:error_rate:http:1:1', 'alert:latency_p95:http:1:1']);

    // A new evaluator (a restart) reads the state back and repeats nothing.
    const restarted = new AlertEvaluator({
      database,
      measure: () => monitoring.measure(),
      sink,
      config: alertsConfig,
      logger: createLogger('silent'),
    });
    expect(await restarted.evaluate()).toEqual([]);

    const admin = await signIn(app, database, 'admin');
    const listed = await app.inject({ method: 'GET', url: '/api/v1/alerts?status=firing', headers: admin.key });
    expect(listed.statusCode).toBe(200);
    expect(
      listed.json().data.map((a: { rule: string; level: string; status: string }) => [a.rule, a.level, a.status]),
    ).toEqual([
      ['error_rate', 'critical', 'firing'],
      ['latency_p95', 'warning', 'firing'],
    ]);
    const viewer = await signIn(app, database, 'viewer');
    expect((await app.inject({ method: 'GET', url: '/api/v1/alerts', headers: viewer.key })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/alerts?status=nope', headers: admin.key })).statusCode,
    ).toBe(400);
  }, 30_000);

  it('a stopped database: critical while it does not answer, resolved from the kept state once a database answers', async () => {
    const other: Database = await openDatabase({ dataDir: 'memory://' });
    const cfg = loadConfig({ ALERT_COOLDOWN_SECONDS: '0' });
    const otherMonitoring = monitor(other);
    const evaluator = new AlertEvaluator({
      database,
      measure: () => otherMonitoring.measure(),
      sink,
      config: cfg,
      logger: createLogger('silent'),
    });
    expect((await evaluator.evaluate()).map((e) => e.title)).toEqual([]);
    await other.close();
    expect((await evaluator.evaluate()).map((e) => e.title)).toEqual(['[CRITICAL] Database unreachable: database']);
    expect(await evaluator.evaluate()).toEqual([]);
    // The database answers again (a fresh one measured in its place).
    const watched = await openDatabase({ dataDir: 'memory://' });
    const watchedMonitoring = monitor(watched);
    const evaluator2 = new AlertEvaluator({
      database,
      measure: () => watchedMonitoring.measure(),
      sink,
      config: cfg,
      logger: createLogger('silent'),
    });
    expect((await evaluator2.evaluate()).map((e) => e.title)).toEqual(['[RESOLVED] Database unreachable: database']);
    await Promise.all([otherMonitoring.close(), watchedMonitoring.close()]);
    await watched.close();
  });
});
