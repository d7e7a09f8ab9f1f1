import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type Config, loadConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { createLogger, type Logger } from '../logger/index.ts';
import { createSyncEngine, type SyncEngine } from '../sync/engine.ts';
import { VERSION } from '../version.ts';
import { registerJsonBodies } from './body.ts';
import type { ApiContext } from './context.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './errors.ts';
import { checkQueryEncoding } from './params.ts';
import { daoRoutes } from './routes/daos.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/import.ts';
import { leaderboardRoutes } from './routes/leaderboards.ts';
import { metricRoutes } from './routes/metrics.ts';
import { proposalRoutes } from './routes/proposals.ts';
import { searchRoutes } from './routes/search.ts';
import { seriesRoutes } from './routes/series.ts';
import { streamRoutes } from './routes/stream.ts';
import { syncRoutes } from './routes/sync.ts';
import { ErrorBody } from './schemas/common.ts';
import { defaultWebRoot, hasDashboard, registerDashboard, spaFallback } from './web.ts';

/** The x-request-id a client may choose: a short token that is safe in a header and a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface ServerOptions {
  config: Pick<Config, 'corsOrigins' | 'bodyLimit'>;
  database: Database;
  logger: Logger | false;
  /** The process's sync engine; without one the server streams its own events and schedules nothing. */
  sync?: SyncEngine;
  /** SSE heartbeat period (15 s; tests shorten it). */
  streamHeartbeatMs?: number;
  /** Open SSE streams allowed, in all and per client address (default STREAM_LIMITS; tests lower them). */
  streamLimits?: { total: number; perClient: number };
  /** Directory of the built dashboard; default dist/web when built; false serves the API only. */
  webRoot?: string | false;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (options.logger || undefined) as FastifyBaseLogger | undefined,
    logger: options.logger ? undefined : false,
    bodyLimit: options.config.bodyLimit,
    // A client's x-request-id is taken only when it is a short token; anything else could forge
    // or break log lines (and it is echoed in a header), so the request gets its own id.
    requestIdHeader: false,
    genReqId: (request) => {
      const sent = request.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
    },
    ajv: {
      customOptions: {
        // Unknown fields are an error (never silently dropped); `errorMessage` carries our wording
        // (`verbose` hands the error formatter the schema and the value).
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        keywords: ['errorMessage'],
        verbose: true,
        // Under strictNumbers a query value coerced to Infinity (`per_page=1e309`) skipped every
        // numeric bound and reached SQL; without it the bounds (every integer has a maximum) apply.
        strictNumbers: false,
      },
    },
    frameworkErrors,
    clientErrorHandler,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Broken percent-encoding in the query string is refused before any route sees the value.
  app.addHook('onRequest', async (request) => checkQueryEncoding(request.url));

  // Every request's id goes back to the client, which can quote it against the logs.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const webRoot = options.webRoot ?? defaultWebRoot;
  const dashboard = webRoot !== false && hasDashboard(webRoot);
  registerErrorHandling(app as unknown as FastifyInstance, dashboard ? spaFallback : undefined);
  registerJsonBodies(app as unknown as FastifyInstance, options.config.bodyLimit);
  app.addSchema(ErrorBody);

  if (options.config.corsOrigins.length) {
    await app.register(cors, { origin: options.config.corsOrigins.includes('*') ? '*' : options.config.corsOrigins });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'DAO Portal API',
        version: VERSION,
        description:
          'Governance and treasury data of DAOs. Every response is `{status, data, message?, pagination?}`; errors are `{status: "error", error: {code, message, details?}}`.',
      },
      tags: ['daos', 'proposals', 'metrics', 'treasury', 'import', 'sync', 'health'].map((name) => ({ name })),
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (dashboard) await registerDashboard(app as unknown as FastifyInstance, webRoot);

  let sync = options.sync;
  if (!sync) {
    // An engine of this server's own: the configuration's defaults, no Redis, no runner, no sources.
    const local = createSyncEngine(
      { redisUrl: undefined, sync: loadConfig({}).sync },
      {
        database: options.database,
        logger: options.logger || createLogger('silent'),
        sources: [],
        runner: 'none',
      },
    );
    app.addHook('onClose', () => local.close());
    sync = local;
  }
  const context: ApiContext = {
    database: options.database,
    sync,
    streamHeartbeatMs: options.streamHeartbeatMs ?? 15_000,
    ...(options.streamLimits ? { streamLimits: options.streamLimits } : {}),
  };
  await app.register(healthRoutes, context);
  await app.register(
    async (v1) => {
      await v1.register(daoRoutes, context);
      await v1.register(proposalRoutes, context);
      await v1.register(seriesRoutes, context);
      await v1.register(importRoutes, context);
      await v1.register(metricRoutes, context);
      await v1.register(leaderboardRoutes, context);
      await v1.register(searchRoutes, context);
      await v1.register(syncRoutes, context);
      await v1.register(streamRoutes, context);
    },
    { prefix: '/api/v1' },
  );

  return app as unknown as FastifyInstance;
}
