import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ping } from '../../db/index.ts';
import { VERSION } from '../../version.ts';
import type { ApiContext } from '../context.ts';
import { ErrorResponse, success } from '../schemas/common.ts';
import { Health } from '../schemas/health.ts';

const started = Date.now();

export const healthRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { database }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: {
          200: success(Health),
          503: ErrorResponse,
        },
      },
    },
    async (_request, reply) => {
      if (!(await ping(database))) {
        return reply
          .status(503)
          .send({ status: 'error', error: { code: 'DATABASE_UNAVAILABLE', message: 'The database does not answer' } });
      }
      return {
        status: 'success' as const,
        data: {
          database: 'ok' as const,
          database_kind: database.kind,
          version: VERSION,
          uptime_seconds: Math.round((Date.now() - started) / 1000),
        },
      };
    },
  );
};
