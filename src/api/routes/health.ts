import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ping } from '../../db/index.ts';
import { NotFoundError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import type { ApiContext } from '../context.ts';
import { ErrorResponse, errorResponses, success } from '../schemas/common.ts';
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
