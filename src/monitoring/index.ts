import type { Database, PoolStats } from '../db/index.ts';
import type { Logger } from '../logger/index.ts';
import type { ProcessMeasurements } from './measurements.ts';
import {
  migrationStatus,
  PROBE_TIMEOUT_MS,
  type ProbeResult,
  pingDatabase,
  RedisProbe,
  type SourceState,
  sourceStates,
  withTimeout,
} from './probes.ts';
import {
  cacheRequests,
  dbLatency,
  dbPoolConnections,
  dbPoolSize,
  dbUp,
  diskFree,
  exposition,
  httpActiveConnections,
  memoryLimit,
  queueJobs,
  queueUp,
  redisUp,
  syncFailing,
  syncInterval,
  syncLag,
  syncLastItems,
} from './prometheus.ts';
import { RequestRecorder } from './recorder.ts';
import { CpuUsage, EventLoopLag, freeRatio, memoryLimitBytes } from './system.ts';

export type { ProcessMeasurements } from './measurements.ts';
export type { ProbeResult } from './probes.ts';
export { alertDeliveries, cacheRequests, syncItems, syncJobs, timeRollupRefresh } from './prometheus.ts';
export type { AnsweredRequest } from './recorder.ts';

export type Status = 'healthy' | 'degraded' | 'unhealthy';
/** A dependency this installation does not use (no REDIS_URL). */
export type ServiceStatus = Status | 'disabled';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** What the collector needs of the active job runner (src/sync's JobRunner has this shape). */
export interface RunnerView {
  readonly kind: 'in-process' | 'bullmq';
  counts(): Promise<QueueCounts>;
}

export interface MonitoringOptions {
  database: Database;
  logger: Pick<Logger, 'warn' | 'info'>;
  redisUrl?: string | undefined;
  /** The runner whose queue is measured; undefined when this process runs no jobs. */
  runner?: RunnerView | undefined;
  syncIntervalSeconds: number;
  /** The (DAO slug, source) pairs that apply, so a pair that never ran shows too. */
  targets?: () => Promise<Array<{ dao: string; source: string }>>;
  /** Directories whose free space is reported (DATA_DIR, the backup directory). */
  disks?: string[];
  /** The scheduled backups' last outcomes, when they are configured. */
  backups?: () => ProcessMeasurements['backups'];
  /** Window of the request figures (default 300 s). */
  windowSeconds?: number;
}

export interface HealthReport {
  status: Status;
  services: { database: Status; cache: ServiceStatus; queue: ServiceStatus };
  /** Services that are not healthy, with why. */
  problems: Array<{ service: string; message: string }>;
  database: ProbeResult;
  redis: ProbeResult | null;
  queue: { probe: ProbeResult; counts: QueueCounts | null } | null;
}

export interface Monitoring {
  recorder: RequestRecorder;
  /** Open HTTP connections, set by the server that owns the socket. */
  connections: () => Promise<number | null>;
  setConnections(count: () => Promise<number | null>): void;
  /** A `select 1` with its round trip. */
  ping(): Promise<ProbeResult>;
  /** Dependencies only, fast (a database ping, a Redis ping, a queue count): what /health answers. */
  health(): Promise<HealthReport>;
  /** Everything this process knows about itself now: the input of alert rules and the monitoring routes. */
  measure(): Promise<ProcessMeasurements>;
  /** Per (DAO, source) sync state; [] when the database does not answer. */
  sources(): Promise<Array<SourceState & { lagSeconds: number | null }>>;
  /** Hits ÷ lookups of the summary cache since start; null before the first lookup. */
  cacheHitRate(): Promise<{ hitRate: number | null; hits: number; misses: number }>;
  cpu(): { system: number | null; process: number | null };
  eventLoop(): { meanMs: number; p99Ms: number; maxMs: number } | null;
  poolStats(): PoolStats | null;
  /** The Prometheus exposition, with the gauges of shared state measured now. */
  prometheus(): Promise<{ contentType: string; body: string }>;
  migrations(): Promise<{ applied: number; pending: string[] }>;
  readonly databaseKind: 'embedded' | 'server';
  readonly windowSeconds: number;
  readonly intervalSeconds: number;
  close(): Promise<void>;
}

/**
 * The process's view of its own health (src/monitoring): requests answered, event-loop delay,
 * CPU and memory, and probes of the database, Redis, the job queue and the sources' sync state.
 * It knows no HTTP beyond the figures the server hands its recorder.
 */
export function createMonitoring(options: MonitoringOptions): Monitoring {
  const { database } = options;
  const recorder = new RequestRecorder(options.windowSeconds ?? 300);
  const eventLoop = new EventLoopLag();
  const cpu = new CpuUsage();
  const redis = options.redisUrl ? new RedisProbe(options.redisUrl, options.logger) : undefined;
  let connections: () => Promise<number | null> = async () => null;

  async function queueProbe(): Promise<{ probe: ProbeResult; counts: QueueCounts | null } | null> {
    const runner = options.runner;
    if (!runner) return null;
    const started = performance.now();
    try {
      const counts = await withTimeout(runner.counts(), PROBE_TIMEOUT_MS, 'the job queue');
      return { probe: { ok: true, latencyMs: round(performance.now() - started), error: null }, counts };
    } catch (error) {
      return { probe: { ok: false, latencyMs: null, error: (error as Error).message }, counts: null };
    }
  }

  async function health(): Promise<HealthReport> {
    // BullMQ waits for Redis rather than failing: when Redis does not answer, neither does the queue.
    const redisFirst = async () => {
      const ping = (await redis?.ping()) ?? null;
      const queue =
        ping && !ping.ok && options.runner?.kind === 'bullmq'
          ? { probe: { ok: false, latencyMs: null, error: `Redis does not answer: ${ping.error}` }, counts: null }
          : await queueProbe();
      return [ping, queue] as const;
    };
    const [db, [redisResult, queue]] = await Promise.all([pingDatabase(database), redisFirst()]);
    // Redis, when configured, is the shared cache (rate limits, live events); without it the cache is this process.
    const cache: ServiceStatus = redisResult ? (redisResult.ok ? 'healthy' : 'unhealthy') : 'healthy';
    const queueStatus: ServiceStatus = queue ? (queue.probe.ok ? 'healthy' : 'unhealthy') : 'disabled';
    const problems: HealthReport['problems'] = [];
    if (!db.ok) problems.push({ service: 'database', message: `the database does not answer: ${db.error}` });
    if (redisResult && !redisResult.ok)
      problems.push({ service: 'cache', message: `Redis does not answer: ${redisResult.error}` });
    if (queue && !queue.probe.ok)
      problems.push({ service: 'queue', message: `the job queue does not answer: ${queue.probe.error}` });
    // Without the database nothing works; without Redis reads still do (limits per process, no queue).
    const status: Status = !db.ok ? 'unhealthy' : problems.length ? 'degraded' : 'healthy';
    return {
      status,
      services: { database: db.ok ? 'healthy' : 'unhealthy', cache, queue: queueStatus },
      problems,
      database: db,
      redis: redisResult,
      queue,
    };
  }

  async function sources() {
    let states: SourceState[];
    try {
      states = await sourceStates(database, options.targets);
    } catch {
      return [];
    }
    const now = Date.now();
    return states.map((s) => ({
      ...s,
      lagSeconds: s.lastSuccessAt ? Math.max(0, Math.round((now - s.lastSuccessAt.getTime()) / 1000)) : null,
    }));
  }

  async function cacheHitRate() {
    const values = (await cacheRequests.get()).values;
    const sum = (result: string) =>
      values.filter((v) => v.labels.result === result).reduce((total, v) => total + v.value, 0);
    const hits = sum('hit');
    const misses = sum('miss');
    return { hitRate: hits + misses ? hits / (hits + misses) : null, hits, misses };
  }

  const disks = () => [...new Set(options.disks ?? [])];

  async function measure(): Promise<ProcessMeasurements> {
    const [db, states, diskFigures] = await Promise.all([
      pingDatabase(database),
      sources(),
      Promise.all(disks().map(async (path) => ({ path, freeRatio: await freeRatio(path) }))),
    ]);
    const memory = process.memoryUsage();
    const limitBytes = memoryLimitBytes();
    return {
      at: new Date(),
      requests: recorder.figures(),
      memory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        limitBytes,
        usedRatio: limitBytes ? memory.rss / limitBytes : null,
      },
      database: { reachable: db.ok, latencyMs: db.latencyMs, pool: database.poolStats() },
      disks: diskFigures,
      sources: states.map((s) => ({
        dao: s.dao,
        source: s.source,
        intervalSeconds: options.syncIntervalSeconds,
        lastSuccessAt: s.lastSuccessAt,
        lagSeconds: s.lagSeconds,
        failing: s.failing,
        lastError: s.lastError,
      })),
      backups: options.backups?.() ?? null,
    };
  }

  async function prometheus() {
    const [m, report, states, open] = await Promise.all([measure(), health(), sources(), connections()]);
    httpActiveConnections.reset();
    if (open !== null) httpActiveConnections.set(open);
    dbUp.set(m.database.reachable ? 1 : 0);
    dbLatency.reset();
    if (m.database.latencyMs !== null) dbLatency.set({ pool: 'primary' }, m.database.latencyMs / 1000);
    dbPoolConnections.reset();
    dbPoolSize.reset();
    if (m.database.pool) {
      dbPoolSize.set({ pool: 'primary' }, m.database.pool.size);
      dbPoolConnections.set({ pool: 'primary', state: 'in_use' }, m.database.pool.inUse);
      dbPoolConnections.set({ pool: 'primary', state: 'idle' }, m.database.pool.idle);
      dbPoolConnections.set({ pool: 'primary', state: 'waiting' }, m.database.pool.waiting);
    }
    redisUp.reset();
    if (report.redis) redisUp.set(report.redis.ok ? 1 : 0);
    memoryLimit.set(m.memory.limitBytes ?? 0);
    diskFree.reset();
    for (const disk of m.disks) if (disk.freeRatio !== null) diskFree.set({ path: disk.path }, disk.freeRatio);
    queueJobs.reset();
    queueUp.reset();
    if (report.queue) {
      queueUp.set(report.queue.probe.ok ? 1 : 0);
      for (const [state, count] of Object.entries(report.queue.counts ?? {})) queueJobs.set({ state }, count);
    }
    syncInterval.set(options.syncIntervalSeconds);
    syncLag.reset();
    syncFailing.reset();
    syncLastItems.reset();
    for (const s of states) {
      const labels = { dao: s.dao, source: s.source };
      if (s.lagSeconds !== null) syncLag.set(labels, s.lagSeconds);
      syncFailing.set(labels, s.failing ? 1 : 0);
      if (s.read !== null) syncLastItems.set({ ...labels, kind: 'read' }, s.read);
      if (s.written !== null) syncLastItems.set({ ...labels, kind: 'written' }, s.written);
    }
    return exposition();
  }

  return {
    recorder,
    connections: () => connections(),
    setConnections(count) {
      connections = count;
    },
    ping: () => pingDatabase(database),
    health,
    measure,
    sources,
    cacheHitRate,
    cpu: () => cpu.figures(),
    eventLoop: () => eventLoop.figures(),
    poolStats: () => database.poolStats(),
    prometheus,
    migrations: () => migrationStatus(database),
    databaseKind: database.kind === 'pglite' ? 'embedded' : 'server',
    windowSeconds: recorder.windowSeconds,
    intervalSeconds: options.syncIntervalSeconds,
    async close() {
      eventLoop.stop();
      await redis?.close();
    },
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
