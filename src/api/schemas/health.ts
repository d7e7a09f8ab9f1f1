import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from './common.ts';

export const HealthStatus = StringEnum(['healthy', 'degraded', 'unhealthy'], {
  description: 'unhealthy: the database does not answer (503); degraded: it does, but another dependency does not',
});
const ServiceStatus = StringEnum(['healthy', 'degraded', 'unhealthy', 'disabled'], {
  description: 'disabled: not used by this installation (no REDIS_URL, no job runner in this process)',
});

/** GET /health: the documented shape, not the API envelope, so load balancers and uptime checks read it as it is. */
export const Health = Type.Object({
  status: HealthStatus,
  timestamp: Timestamp,
  uptime: Type.Number({ description: 'Seconds since this process started' }),
  version: Type.String(),
  services: Type.Object({
    database: HealthStatus,
    cache: ServiceStatus,
    queue: ServiceStatus,
  }),
  /** Present when something is not healthy: which service, and why. */
  problems: Type.Optional(Type.Array(Type.Object({ service: Type.String(), message: Type.String() }))),
});

const Pool = Type.Object({
  size: Type.Integer(),
  in_use: Type.Integer(),
  idle: Type.Integer(),
  waiting: Type.Integer(),
});

/** GET /health/database. */
export const DatabaseHealth = Type.Object({
  connected: Type.Boolean(),
  kind: StringEnum(['embedded', 'server']),
  latency_ms: Nullable(Type.Number()),
  migrations: Type.Object({
    status: StringEnum(['current', 'pending', 'unknown'], {
      description: 'unknown: the database did not answer',
    }),
    applied: Nullable(Type.Integer()),
    pending: Type.Array(Type.String(), {
      description: 'Names of the migrations this build has and the database lacks',
    }),
  }),
  pool: Nullable(Pool),
  error: Nullable(Type.String()),
});

const Service = Type.Object({
  status: ServiceStatus,
  response_time: Nullable(Type.Number({ description: 'Milliseconds the probe took' })),
  error: Nullable(Type.String()),
});

const Counts = Type.Object({
  waiting: Type.Integer(),
  active: Type.Integer(),
  delayed: Type.Integer(),
  failed: Type.Integer(),
});

const SourceHealth = Type.Object({
  dao: Type.String(),
  source: Type.String(),
  status: HealthStatus,
  response_time: Nullable(Type.Number({ description: 'Milliseconds the last successful run took' })),
  last_success: Nullable(Timestamp),
  lag_seconds: Nullable(Type.Number({ description: 'Seconds since the last successful run' })),
  behind: Nullable(Type.Number({ description: 'What the source last reported as left to read (seconds or blocks)' })),
  last_error: Nullable(Type.String()),
});

/** GET /api/v1/monitoring/health. */
export const MonitoringHealth = Type.Object({
  status: HealthStatus,
  timestamp: Timestamp,
  services: Type.Object({
    database: Type.Intersect([
      Service,
      Type.Object({ kind: StringEnum(['embedded', 'server']), pool: Nullable(Pool) }),
    ]),
    redis: Service,
    queue: Type.Intersect([
      Service,
      Type.Object({ kind: StringEnum(['bullmq', 'in-process', 'none']), jobs: Nullable(Counts) }),
    ]),
  }),
  sources: Type.Array(SourceHealth, {
    description:
      'Each (DAO, source): degraded when its last sync is older than twice the interval, unhealthy when its last run failed',
  }),
  cache: Type.Object({
    hit_rate: Nullable(Type.Number({ description: 'Summary cache hits ÷ lookups since start' })),
    hits: Type.Integer(),
    misses: Type.Integer(),
  }),
});

/** GET /api/v1/monitoring/metrics. */
export const MonitoringMetrics = Type.Object({
  timestamp: Timestamp,
  system: Type.Object({
    cpu_usage: Nullable(Type.Number({ description: 'Percent of all cores busy since the previous reading (machine)' })),
    process_cpu_usage: Nullable(
      Type.Number({ description: 'Percent of all cores this process used since the previous reading' }),
    ),
    memory_usage: Nullable(Type.Number({ description: 'Resident memory, percent of the memory limit' })),
    memory_rss_bytes: Type.Integer(),
    memory_heap_used_bytes: Type.Integer(),
    memory_limit_bytes: Nullable(Type.Integer()),
    load_average: Type.Array(Type.Number(), { description: '1, 5 and 15 minutes' }),
    uptime_seconds: Type.Number(),
    disks: Type.Array(Type.Object({ path: Type.String(), free_ratio: Nullable(Type.Number()) })),
  }),
  application: Type.Object({
    active_connections: Nullable(Type.Integer()),
    window_seconds: Type.Integer({ description: 'The figures below cover this many seconds' }),
    requests: Type.Integer(),
    avg_response_time: Nullable(Type.Number({ description: 'Milliseconds' })),
    p95_response_time: Nullable(Type.Number({ description: 'Milliseconds' })),
    request_rate: Type.Number({ description: 'Requests per second' }),
    error_rate: Nullable(Type.Number({ description: '5xx answers ÷ requests' })),
    event_loop_lag_ms: Nullable(Type.Number({ description: 'Mean event-loop delay over about the last minute' })),
    event_loop_lag_p99_ms: Nullable(Type.Number()),
  }),
  database: Type.Object({
    reachable: Type.Boolean(),
    latency_ms: Nullable(Type.Number()),
    pool: Nullable(Pool),
  }),
  sync: Type.Object({
    interval_seconds: Type.Integer(),
    sources: Type.Array(
      Type.Object({
        dao: Type.String(),
        source: Type.String(),
        last_success: Nullable(Timestamp),
        lag_seconds: Nullable(Type.Number()),
        behind: Nullable(Type.Number()),
        items_read: Nullable(Type.Number({ description: 'Items the last successful run read' })),
        items_written: Nullable(Type.Number({ description: 'Rows the last successful run wrote' })),
        failing: Type.Boolean(),
      }),
    ),
  }),
});
