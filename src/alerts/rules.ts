import type { AlertsConfig } from '../config/index.ts';
import type { ProcessMeasurements } from '../monitoring/measurements.ts';

/**
 * The operator alert rules: pure functions from one moment's measurements to one observation per
 * (rule, subject). No I/O; the thresholds come from the configuration (README "Alerts").
 */
export type AlertLevel = 'ok' | 'warning' | 'critical';

export const ALERT_RULES = [
  'error_rate',
  'latency_p95',
  'memory',
  'db_pool',
  'disk_free',
  'database_unreachable',
  'source_sync',
  'backup',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface Observation {
  rule: AlertRule;
  /** What the rule is about: `http`, `process`, `database`, a disk path, `dao/source`, `backup`. */
  subject: string;
  /** null: the figure is not known at this moment, so the alert keeps its state. */
  level: AlertLevel | null;
  /** One line stating the figure and the threshold it crossed (or that it is back within it). */
  summary: string;
  facts: Record<string, string | number | null>;
}

export type Thresholds = Omit<AlertsConfig, 'intervalSeconds' | 'cooldownSeconds'>;

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1).replace(/\.?0+$/, '')}%`;
const secs = (x: number) => `${x.toFixed(2).replace(/\.?0+$/, '')} s`;

function above(value: number, levels: { warning: number; critical: number }): AlertLevel {
  return value > levels.critical ? 'critical' : value > levels.warning ? 'warning' : 'ok';
}

function below(value: number, levels: { warning: number; critical: number }): AlertLevel {
  return value < levels.critical ? 'critical' : value < levels.warning ? 'warning' : 'ok';
}

/** The threshold the level crossed, for the message (the warning one when back to normal). */
const limitOf = (level: AlertLevel | null, levels: { warning: number; critical: number }) =>
  level === 'critical' ? levels.critical : levels.warning;

export function evaluateRules(m: ProcessMeasurements, t: Thresholds): Observation[] {
  const out: Observation[] = [];
  const { requests } = m;

  // Error rate: 5xx answers of the recent window; too few requests say nothing.
  {
    const known = requests.errorRate !== null && requests.count >= t.minRequests;
    const level = known ? above(requests.errorRate!, t.errorRate) : null;
    out.push({
      rule: 'error_rate',
      subject: 'http',
      level,
      summary: known
        ? `error rate ${pct(requests.errorRate!)} of ${requests.count} requests in the last ${requests.windowSeconds} s (${level === 'ok' ? 'within' : 'above'} ${pct(limitOf(level, t.errorRate))})`
        : `error rate not judged: ${requests.count} requests in the last ${requests.windowSeconds} s (fewer than ${t.minRequests})`,
      facts: {
        error_rate: requests.errorRate,
        requests: requests.count,
        window_seconds: requests.windowSeconds,
        warning: t.errorRate.warning,
        critical: t.errorRate.critical,
      },
    });
  }

  // p95 response time over the same window.
  {
    const p95 = requests.p95Seconds;
    const level = p95 === null ? null : above(p95, t.p95Seconds);
    out.push({
      rule: 'latency_p95',
      subject: 'http',
      level,
      summary:
        p95 === null
          ? 'p95 response time not known (no requests in the window)'
          : `p95 response time ${secs(p95)} over ${requests.count} requests (${level === 'ok' ? 'within' : 'above'} ${secs(limitOf(level, t.p95Seconds))})`,
      facts: {
        p95_seconds: p95,
        avg_seconds: requests.avgSeconds,
        requests: requests.count,
        warning: t.p95Seconds.warning,
        critical: t.p95Seconds.critical,
      },
    });
  }

  // Memory used of the limit (cgroup or heap limit, as the collector knows it).
  {
    const ratio = m.memory.usedRatio;
    const level = ratio === null ? null : above(ratio, t.memoryRatio);
    out.push({
      rule: 'memory',
      subject: 'process',
      level,
      summary:
        ratio === null
          ? 'memory limit not known'
          : `memory ${pct(ratio)} of the limit used (${level === 'ok' ? 'within' : 'above'} ${pct(limitOf(level, t.memoryRatio))})`,
      facts: {
        used_ratio: ratio,
        rss_bytes: m.memory.rssBytes,
        limit_bytes: m.memory.limitBytes,
        warning: t.memoryRatio.warning,
        critical: t.memoryRatio.critical,
      },
    });
  }

  // The database: unreachable is critical at once; the pool is judged while it answers.
  out.push({
    rule: 'database_unreachable',
    subject: 'database',
    level: m.database.reachable ? 'ok' : 'critical',
    summary: m.database.reachable
      ? `the database answers (${m.database.latencyMs ?? '—'} ms)`
      : 'the database does not answer',
    facts: { reachable: m.database.reachable ? 1 : 0, latency_ms: m.database.latencyMs },
  });
  {
    const pool = m.database.pool;
    const ratio = pool && pool.size > 0 ? pool.inUse / pool.size : null;
    const level = ratio === null ? null : above(ratio, t.poolRatio);
    out.push({
      rule: 'db_pool',
      subject: 'database',
      level,
      summary:
        ratio === null
          ? 'database connection pool not measured'
          : `${pool!.inUse} of ${pool!.size} database connections in use, ${pool!.waiting} waiting (${level === 'ok' ? 'within' : 'above'} ${pct(limitOf(level, t.poolRatio))})`,
      facts: {
        in_use: pool?.inUse ?? null,
        size: pool?.size ?? null,
        waiting: pool?.waiting ?? null,
        warning: t.poolRatio.warning,
        critical: t.poolRatio.critical,
      },
    });
  }

  for (const disk of m.disks) {
    const free = disk.freeRatio;
    const level = free === null ? null : below(free, t.diskFreeRatio);
    out.push({
      rule: 'disk_free',
      subject: disk.path,
      level,
      summary:
        free === null
          ? `free space of ${disk.path} not known`
          : `${pct(free)} free on ${disk.path} (${level === 'ok' ? 'above' : 'below'} ${pct(limitOf(level, t.diskFreeRatio))})`,
      facts: {
        path: disk.path,
        free_ratio: free,
        warning: t.diskFreeRatio.warning,
        critical: t.diskFreeRatio.critical,
      },
    });
  }

  // A source: failing is a warning; no success (or a lag) beyond N intervals is critical.
  for (const s of m.sources) {
    const limit = t.sourceStaleIntervals * s.intervalSeconds;
    const since = s.lastSuccessAt ? (m.at.getTime() - s.lastSuccessAt.getTime()) / 1000 : null;
    const stale = (since !== null && since > limit) || (s.lagSeconds !== null && s.lagSeconds > limit);
    const level: AlertLevel = stale ? 'critical' : s.failing ? 'warning' : 'ok';
    const parts = [
      since === null ? 'no successful sync yet' : `last success ${Math.round(since)} s ago`,
      s.lagSeconds === null ? null : `lag ${Math.round(s.lagSeconds)} s`,
      `limit ${limit} s (${t.sourceStaleIntervals} × the ${s.intervalSeconds} s interval)`,
      s.failing ? `failing: ${s.lastError ?? 'unknown error'}` : null,
    ].filter(Boolean);
    out.push({
      rule: 'source_sync',
      subject: `${s.dao}/${s.source}`,
      level,
      summary: `${s.source} sync of ${s.dao}${stale ? ' stalled' : s.failing ? ' failing' : ' healthy'}: ${parts.join('; ')}`,
      facts: {
        dao: s.dao,
        source: s.source,
        seconds_since_success: since === null ? null : Math.round(since),
        lag_seconds: s.lagSeconds,
        limit_seconds: limit,
        last_error: s.lastError,
      },
    });
  }

  if (m.backups) {
    const b = m.backups;
    const failed = b.lastFailureAt !== null && (b.lastSuccessAt === null || b.lastFailureAt > b.lastSuccessAt);
    out.push({
      rule: 'backup',
      subject: 'backup',
      level: failed ? 'critical' : 'ok',
      summary: failed
        ? `the last backup failed at ${b.lastFailureAt!.toISOString()}: ${b.lastError ?? 'unknown error'}`
        : `the last backup succeeded${b.lastSuccessAt ? ` at ${b.lastSuccessAt.toISOString()}` : ''}`,
      facts: {
        last_success_at: b.lastSuccessAt?.toISOString() ?? null,
        last_failure_at: b.lastFailureAt?.toISOString() ?? null,
        last_error: b.lastError,
      },
    });
  }
  return out;
}
