import os from 'node:os';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PoolStats } from '../../db/index.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses, success } from '../schemas/common.ts';
import { MonitoringHealth, MonitoringMetrics } from '../schemas/health.ts';

const pool = (p: PoolStats | null) => p && { size: p.size, in_use: p.inUse, idle: p.idle, waiting: p.waiting };
const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1e5) / 100);
const percent = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? null : Math.round(ratio * 1e4) / 100;

/** What operators watch: every dependency with its status and round trip, and the process's own figures. Admins only. */
export const monitoringRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { monitoring, sync }) => {
  app.get(
    '/monitoring/health',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['health'],
        summary:
          'Each dependency (database, Redis, job queue, each source) with status and response time, and the cache hit rate',
        response: { 200: success(MonitoringHealth), ...errorResponses },
      },
    },
    async () => {
      const [report, sources, cache] = await Promise.all([
        monitoring.health(),
        monitoring.sources(),
        monitoring.cacheHitRate(),
      ]);
      const stale = 2 * monitoring.intervalSeconds;
      return {
        status: 'success' as const,
        data: {
          status: report.status,
          timestamp: new Date().toISOString(),
          services: {
            database: {
              status: report.services.database,
              response_time: report.database.latencyMs,
              error: report.database.error,
              kind: monitoring.databaseKind,
              pool: pool(monitoring.poolStats()),
            },
            redis: report.redis
              ? {
                  status: report.services.cache,
                  response_time: report.redis.latencyMs,
                  error: report.redis.error,
                }
              : { status: 'disabled' as const, response_time: null, error: null },
            queue: {
              status: report.services.queue,
              response_time: report.queue?.probe.latencyMs ?? null,
              error: report.queue?.probe.error ?? null,
              kind: sync.runner?.kind ?? ('none' as const),
              jobs: report.queue?.counts ?? null,
            },
          },
          sources: sources.map((s) => ({
            dao: s.dao,
            source: s.source,
            status: s.failing
              ? ('unhealthy' as const)
              : s.lagSeconds === null || s.lagSeconds > stale
                ? ('degraded' as const)
                : ('healthy' as const),
            response_time: s.durationMs,
            last_success: s.lastSuccessAt?.toISOString() ?? null,
            lag_seconds: s.lagSeconds,
            behind: s.behind,
            last_error: s.lastError,
          })),
          cache: { hit_rate: cache.hitRate, hits: cache.hits, misses: cache.misses },
        },
      };
    },
  );

  app.get(
    '/monitoring/metrics',
    {
      config: { permission: 'admin' },
      schema: {
        tags: ['health'],
        summary:
          'System (CPU, memory, disks), application (connections, response times, request and error rates, event-loop lag) and per-source sync figures',
        response: { 200: success(MonitoringMetrics), ...errorResponses },
      },
    },
    async () => {
      const [m, sources, connections] = await Promise.all([
        monitoring.measure(),
        monitoring.sources(),
        monitoring.connections(),
      ]);
      const cpu = monitoring.cpu();
      const loop = monitoring.eventLoop();
      return {
        status: 'success' as const,
        data: {
          timestamp: m.at.toISOString(),
          system: {
            cpu_usage: percent(cpu.system),
            process_cpu_usage: percent(cpu.process),
            memory_usage: percent(m.memory.usedRatio),
            memory_rss_bytes: m.memory.rssBytes,
            memory_heap_used_bytes: m.memory.heapUsedBytes,
            memory_limit_bytes: m.memory.limitBytes,
            load_average: os.loadavg(),
            uptime_seconds: Math.round(process.uptime()),
            disks: m.disks.map((d) => ({ path: d.path, free_ratio: d.freeRatio })),
          },
          application: {
            active_connections: connections,
            window_seconds: m.requests.windowSeconds,
            requests: m.requests.count,
            avg_response_time: ms(m.requests.avgSeconds),
            p95_response_time: ms(m.requests.p95Seconds),
            request_rate: Math.round(m.requests.ratePerSecond * 1000) / 1000,
            error_rate: m.requests.errorRate,
            event_loop_lag_ms: loop && Math.round(loop.meanMs * 100) / 100,
            event_loop_lag_p99_ms: loop && Math.round(loop.p99Ms * 100) / 100,
          },
          database: { reachable: m.database.reachable, latency_ms: m.database.latencyMs, pool: pool(m.database.pool) },
          sync: {
            interval_seconds: monitoring.intervalSeconds,
            sources: sources.map((s) => ({
              dao: s.dao,
              source: s.source,
              last_success: s.lastSuccessAt?.toISOString() ?? null,
              lag_seconds: s.lagSeconds,
              behind: s.behind,
              items_read: s.read,
              items_written: s.written,
              failing: s.failing,
            })),
          },
        },
      };
    },
  );
};
