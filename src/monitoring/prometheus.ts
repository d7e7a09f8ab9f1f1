import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus series, served at GET /metrics. One registry per process (Prometheus
 * scrapes processes): the request recorder, the sync jobs, the summary cache and the alert
 * deliveries count into it as things happen; the gauges that describe shared state (database
 * pool, queue depth, per-source sync lag) are set from a fresh measurement on every scrape
 * (see `updateGauges` in collector.ts). deploy/prometheus/alerts.yml and
 * deploy/grafana/dao-portal.json read these names; test/prometheus.test.ts holds them together.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Seconds: 5 ms to 30 s, so the 2 s and 5 s alert thresholds fall on bucket bounds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by route template, method and status, and how long they took to answer',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const httpActiveConnections = new Gauge({
  name: 'dao_portal_http_active_connections',
  help: 'Open HTTP connections to this server',
  registers: [registry],
});

export const dbPoolConnections = new Gauge({
  name: 'dao_portal_db_pool_connections',
  help: 'Database pool connections by pool (primary) and state (in_use, idle), and callers waiting for one (waiting); PostgreSQL only',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
});

export const dbPoolSize = new Gauge({
  name: 'dao_portal_db_pool_size',
  help: 'Most connections each database pool (primary) opens; PostgreSQL only',
  labelNames: ['pool'] as const,
  registers: [registry],
});

export const dbUp = new Gauge({
  name: 'dao_portal_db_up',
  help: '1 when the database answered the last probe, else 0',
  registers: [registry],
});

export const dbLatency = new Gauge({
  name: 'dao_portal_db_latency_seconds',
  help: 'How long the last database probe (select 1) took; absent when it did not answer',
  labelNames: ['pool'] as const,
  registers: [registry],
});

export const redisUp = new Gauge({
  name: 'dao_portal_redis_up',
  help: '1 when Redis answered the last probe, 0 when it did not; absent without REDIS_URL',
  registers: [registry],
});

export const memoryLimit = new Gauge({
  name: 'dao_portal_memory_limit_bytes',
  help: "Memory this process may use: the cgroup's limit, else the machine's memory",
  registers: [registry],
});

export const diskFree = new Gauge({
  name: 'dao_portal_disk_free_ratio',
  help: 'Free share of the file system holding each data directory',
  labelNames: ['path'] as const,
  registers: [registry],
});

export const queueJobs = new Gauge({
  name: 'dao_portal_queue_jobs',
  help: 'Sync jobs in the queue by state (waiting, active, delayed, failed)',
  labelNames: ['state'] as const,
  registers: [registry],
});

export const queueUp = new Gauge({
  name: 'dao_portal_queue_up',
  help: '1 when the job queue answered the last probe, else 0',
  registers: [registry],
});

export const syncJobs = new Counter({
  name: 'dao_portal_sync_jobs_total',
  help: 'Sync jobs this process ran, by source (or "aggregates") and outcome (done, busy, skipped, failed)',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const syncItems = new Counter({
  name: 'dao_portal_sync_items_total',
  help: 'Items sync runs in this process read from sources and rows they wrote, by source',
  labelNames: ['source', 'kind'] as const,
  registers: [registry],
});

export const syncLag = new Gauge({
  name: 'dao_portal_sync_lag_seconds',
  help: 'Seconds since the last successful sync of each (DAO, source); absent before the first',
  labelNames: ['dao', 'source'] as const,
  registers: [registry],
});

export const syncInterval = new Gauge({
  name: 'dao_portal_sync_interval_seconds',
  help: 'How often every (DAO, source) is meant to sync (SYNC_INTERVAL_SECONDS)',
  registers: [registry],
});

export const syncFailing = new Gauge({
  name: 'dao_portal_sync_failing',
  help: '1 when the last run of a (DAO, source) failed, else 0',
  labelNames: ['dao', 'source'] as const,
  registers: [registry],
});

export const syncLastItems = new Gauge({
  name: 'dao_portal_sync_last_run_items',
  help: 'Items the last successful run of each (DAO, source) read and rows it wrote',
  labelNames: ['dao', 'source', 'kind'] as const,
  registers: [registry],
});

export const rollupRefreshDuration = new Histogram({
  name: 'dao_portal_rollup_refresh_duration_seconds',
  help: 'How long metric rollup refreshes took, by what ran them (sync, aggregates, startup)',
  labelNames: ['trigger'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const cacheRequests = new Counter({
  name: 'dao_portal_cache_requests_total',
  help: 'Lookups in the metric caches (summary, comparison, enhanced, leaderboard) by result (hit, stale, miss)',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

/** Operator alert deliveries by channel and outcome; the notifications code increments it. */
export const alertDeliveries = new Counter({
  name: 'alert_deliveries_total',
  help: 'Notification deliveries (operator alerts and governance notifications) by channel and outcome',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

/** Times a metric rollup refresh into `dao_portal_rollup_refresh_duration_seconds`. */
export async function timeRollupRefresh<T>(
  trigger: 'sync' | 'aggregates' | 'startup',
  fn: () => Promise<T>,
): Promise<T> {
  const end = rollupRefreshDuration.startTimer({ trigger });
  try {
    return await fn();
  } finally {
    end();
  }
}

/** The exposition document (text format 0.0.4). */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
