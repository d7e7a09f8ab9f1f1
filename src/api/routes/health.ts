import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sameText } from '../../auth/secrets.ts';
import { NotFoundError, UnauthenticatedError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import type { ApiContext } from '../context.ts';
import { ErrorResponse, errorResponses, success } from '../schemas/common.ts';
import { DatabaseHealth, Health } from '../schemas/health.ts';

const started = Date.now();

/**
 * Health for load balancers, container health checks and uptime monitors: public, never rate
 * limited (the limit covers /api only), and cheap (a `select 1`, a Redis ping, a queue count,
 * each bounded by the probe timeout). /metrics is Prometheus's, guarded by METRICS_TOKEN when set.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<ApiContext & { metricsToken?: string | undefined }> = async (
  app,
  { database, monitoring, metricsToken },
) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and dependencies: 200 healthy or degraded, 503 unhealthy (the database does not answer)',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const report = await monitoring.health();
      return reply.status(report.status === 'unhealthy' ? 503 : 200).send({
        status: report.status,
        timestamp: new Date().toISOString(),
        uptime: Math.round((Date.now() - started) / 1000),
        version: VERSION,
        services: report.services,
        ...(report.problems.length ? { problems: report.problems } : {}),
      });
    },
  );

  app.get(
    '/health/database',
    {
      schema: {
        tags: ['health'],
        summary:
          'The database: connected, kind, round trip, migrations current or pending, pool use (503 DATABASE_UNAVAILABLE when it does not answer)',
        response: { 200: DatabaseHealth, 503: ErrorResponse },
      },
    },
    async (_request, reply) => {
      const ping = await monitoring.ping();
      const pool = database.poolStats();
      const figures = {
        connected: ping.ok,
        kind: monitoring.databaseKind,
        latency_ms: ping.latencyMs,
        pool: pool && { size: pool.size, in_use: pool.inUse, idle: pool.idle, waiting: pool.waiting },
        error: ping.error,
      };
      if (!ping.ok) {
        return reply.status(503).send({
          status: 'error',
          error: {
            code: 'DATABASE_UNAVAILABLE',
            message: `The database does not answer: ${ping.error}`,
            details: { ...figures, migrations: { status: 'unknown', applied: null, pending: [] } },
          },
        });
      }
      const migrations = await monitoring.migrations().catch(() => undefined);
      return {
        ...figures,
        migrations: migrations
          ? { status: migrations.pending.length ? ('pending' as const) : ('current' as const), ...migrations }
          : { status: 'unknown' as const, applied: null, pending: [] },
      };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary:
          'Prometheus metrics (text exposition format 0.0.4); public unless METRICS_TOKEN is set, then `Authorization: Bearer <METRICS_TOKEN>`',
        produces: ['text/plain'],
        response: { 200: Type.String(), 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      if (metricsToken) {
        const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        if (!match || !sameText(match[1]!, metricsToken))
          throw new UnauthenticatedError('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
      }
      const { contentType, body } = await monitoring.prometheus();
      return reply.type(contentType).send(body);
    },
  );

  app.get(
    '/health/lock',
    {
      schema: {
        tags: ['health'],
        summary:
          "Proof that this process holds the embedded database's lock: HMAC of the nonce under the lock file's secret",
        querystring: Type.Object(
          { nonce: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) },
          { additionalProperties: false },
        ),
        response: { 200: success(Type.Object({ proof: Type.String() })), ...errorResponses },
      },
    },
    async (request) => {
      // The CLI reads the secret from the lock file (mode 0600) and sends its work here only when
      // the answer matches: another process listening at the recorded address cannot forge it.
      const proof = database.proveLock(request.query.nonce);
      if (proof === undefined) throw new NotFoundError('Embedded database lock', 'this server');
      return { status: 'success' as const, data: { proof } };
    },
  );
};
