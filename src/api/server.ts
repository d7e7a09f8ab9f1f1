import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { createRegistry } from '../ai/registry.ts';
import { AiService } from '../ai/service.ts';
import { Accounts } from '../auth/accounts.ts';
import { type Config, loadConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { EnsNames } from '../ens/names.ts';
import { RateLimitedError } from '../errors.ts';
import { createLogger, type Logger, redisWarnings } from '../logger/index.ts';
import { createMonitoring, type Monitoring } from '../monitoring/index.ts';
import { Dispatcher } from '../notify/dispatcher.ts';
import { Notifications } from '../notify/service.ts';
import { createSyncEngine, type SyncEngine } from '../sync/engine.ts';
import { syncTargets } from '../sync/jobs.ts';
import { VERSION } from '../version.ts';
import { registerJsonBodies } from './body.ts';
import { COMPRESSION } from './compression.ts';
import type { ApiContext } from './context.ts';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './errors.ts';
import { registerHostCheck } from './hosts.ts';
import { mcpRoutes } from './mcp/http.ts';
import { checkQueryEncoding } from './params.ts';
import { registerReadRouting } from './read-routing.ts';
import { requestLogger } from './request-log.ts';
import { registerRequestTimeout } from './request-timeout.ts';
import { aiRoutes } from './routes/ai.ts';
import { aiHealthRoutes } from './routes/ai-health.ts';
import { alertRoutes } from './routes/alerts.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { backupRoutes } from './routes/backups.ts';
import { daoRoutes } from './routes/daos.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/import.ts';
import { keyRoutes } from './routes/keys.ts';
import { leaderboardRoutes } from './routes/leaderboards.ts';
import { metricRoutes } from './routes/metrics.ts';
import { monitoringRoutes } from './routes/monitoring.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { proposalRoutes } from './routes/proposals.ts';
import { searchRoutes } from './routes/search.ts';
import { seriesRoutes } from './routes/series.ts';
import { streamRoutes } from './routes/stream.ts';
import { syncRoutes } from './routes/sync.ts';
import { userRoutes } from './routes/users.ts';
import { voterRoutes } from './routes/voters.ts';
import { ErrorBody } from './schemas/common.ts';
import { registerSecurity } from './security.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { type BodyDeadline, registerBodyDeadline } from './slow-bodies.ts';
import { defaultWebRoot, hasDashboard, registerDashboard, spaFallback } from './web.ts';

/** The x-request-id a client may choose: a short token that is safe in a header and a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface ServerOptions {
  /** `auth` and `redisUrl` default to the configuration's defaults (public reads, generated signing key, limits in memory). */
  config: Pick<Config, 'corsOrigins' | 'bodyLimit'> &
    Partial<
      Pick<
        Config,
        | 'auth'
        | 'redisUrl'
        | 'sync'
        | 'allowedHosts'
        | 'trustProxy'
        | 'database'
        | 'metricsToken'
        | 'notify'
        | 'ai'
        | 'ens'
      >
    >;
  database: Database;
  /** The process's accounts; built from `config.auth` when absent. */
  accounts?: Accounts;
  /** The process's notifications and dispatcher; built from `config.notify` when absent (a dispatcher that only sends channel tests). */
  notifications?: Notifications;
  dispatcher?: Dispatcher;
  /** How slowly a request body may arrive (default BODY_DEADLINE; tests shorten it). */
  bodyDeadline?: BodyDeadline;
  logger: Logger | false;
  /** The process's sync engine; without one the server streams its own events and schedules nothing. */
  sync?: SyncEngine;
  /** SSE heartbeat period (15 s; tests shorten it). */
  streamHeartbeatMs?: number;
  /** Open SSE streams allowed, in all and per client address (default STREAM_LIMITS; tests lower them). */
  streamLimits?: { total: number; perClient: number };
  /** The process's AI service; built from `config.ai` (offline when absent) when not given. */
  ai?: AiService;
  /** ENS names of addresses; built from `config.ens` (no lookups without an Ethereum RPC) when not given. */
  ens?: EnsNames;
  /** The process's monitoring (serve hands its own, which alert rules also read); one of the server's own otherwise. */
  monitoring?: Monitoring;
  /** Directory of the built dashboard; default dist/web when built; false serves the API only. */
  webRoot?: string | false;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (options.logger || undefined) as FastifyBaseLogger | undefined,
    logger: options.logger ? undefined : false,
    ...(options.logger ? { childLoggerFactory: requestLogger } : {}),
    bodyLimit: options.config.bodyLimit,
    // request.ip and request.protocol (rate limits, audit log, sessions, HSTS, secure cookies) read
    // X-Forwarded-For/-Proto only from the listed proxies; without any, from the connection itself.
    trustProxy: options.config.trustProxy?.length ? options.config.trustProxy : false,
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
  app.addHook('onRequest', (request, _reply, done) => {
    checkQueryEncoding(request.url);
    done();
  });

  // Every answered request is measured by its route template (unmatched paths share one series).
  let monitoring: Monitoring | undefined;
  app.addHook('onResponse', (request, reply, done) => {
    monitoring?.recorder.record({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    done();
  });

  // Every request's id goes back to the client, which can quote it against the logs.
  app.addHook('onSend', (request, reply, _payload, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  const defaults = loadConfig({});
  const auth = options.config.auth ?? defaults.auth;
  const scale = options.config.database ?? defaults.database;
  registerRequestTimeout(app as unknown as FastifyInstance, scale.requestTimeoutMs);
  const logger = options.logger || createLogger('silent');
  const accounts = options.accounts ?? (await Accounts.open(options.database, auth, logger));

  const webRoot = options.webRoot ?? defaultWebRoot;
  const dashboard = webRoot !== false && hasDashboard(webRoot);
  registerErrorHandling(app as unknown as FastifyInstance, dashboard ? spaFallback : undefined);
  registerJsonBodies(app as unknown as FastifyInstance, options.config.bodyLimit);
  app.addSchema(ErrorBody);

  if (options.config.corsOrigins.length) {
    // Never credentials: a session cookie is for this origin's dashboard only; other sites use API keys.
    await app.register(cors, {
      origin: options.config.corsOrigins.includes('*') ? '*' : options.config.corsOrigins,
      credentials: false,
    });
  }
  registerHostCheck(app as unknown as FastifyInstance, options.config.allowedHosts ?? []);
  registerBodyDeadline(app as unknown as FastifyInstance, options.bodyDeadline);
  registerSecurityHeaders(app as unknown as FastifyInstance);
  await registerCompression(app as unknown as FastifyInstance);
  registerSecurity(app as unknown as FastifyInstance, {
    accounts,
    publicRead: auth.publicRead,
    cookieSecure: auth.cookieSecure,
  });
  registerReadRouting(app as unknown as FastifyInstance, {
    seconds: scale.readYourWritesSeconds,
    cookieSecure: auth.cookieSecure,
  });
  await registerRateLimit(
    app as unknown as FastifyInstance,
    auth.rateLimitPerMinute,
    options.config.redisUrl,
    options.config.sync?.queuePrefix,
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'DAO Portal API',
        version: VERSION,
        description:
          'Governance and treasury data of DAOs. Every response is `{status, data, message?, pagination?}`; errors are `{status: "error", error: {code, message, details?}}`.',
      },
      tags: [
        'daos',
        'proposals',
        'voters',
        'metrics',
        'treasury',
        'import',
        'sync',
        'auth',
        'notifications',
        'health',
        'ai',
      ].map((name) => ({ name })),
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'dp_session',
            description: 'Set by POST /api/v1/auth/login; writes also need x-csrf-token',
          },
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key from POST /api/v1/keys: Authorization: Bearer dp_…',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  // Its page carries inline scripts: it sends its own CSP with their hashes instead of the global one.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (dashboard) await registerDashboard(app as unknown as FastifyInstance, webRoot);

  let sync = options.sync;
  if (!sync) {
    // An engine of this server's own: the configuration's defaults, no Redis, no runner, no sources.
    const local = createSyncEngine(
      { redisUrl: undefined, sync: loadConfig({}).sync },
      {
        database: options.database,
        logger,
        sources: [],
        runner: 'none',
      },
    );
    app.addHook('onClose', () => local.close());
    sync = local;
  }
  let ai = options.ai;
  if (!ai) {
    const local = new AiService(createRegistry(options.config.ai ?? defaults.ai), options.database, logger, {
      redisUrl: options.config.redisUrl,
      prefix: (options.config.sync ?? defaults.sync).queuePrefix,
    });
    app.addHook('onClose', () => local.close());
    ai = local;
  }
  // A provider's bad configuration is told once at start-up, one line naming the variable (and stays in /health/ai-services).
  for (const problem of ai.registry.problems())
    logger.warn(`AI provider ${problem.provider} unavailable: ${problem.variable} ${problem.message}`);
  const runner = sync.runner;
  const engine = sync;
  if (options.monitoring) monitoring = options.monitoring;
  else {
    const own = createMonitoring({
      database: options.database,
      logger,
      redisUrl: options.config.redisUrl,
      runner,
      syncIntervalSeconds: (options.config.sync ?? defaults.sync).intervalSeconds,
      targets: async () =>
        (await syncTargets(engine.deps)).map(({ dao, source }) => ({ dao: dao.slug, source: source.name })),
    });
    app.addHook('onClose', () => own.close());
    monitoring = own;
  }
  monitoring.setConnections(
    () => new Promise((resolve) => app.server.getConnections((error, count) => resolve(error ? null : count))),
  );
  const notifications =
    options.notifications ?? (await Notifications.open(options.database, options.config.notify ?? defaults.notify));
  const dispatcher = options.dispatcher ?? new Dispatcher(options.database, notifications, logger);
  let ens = options.ens;
  if (!ens) {
    const local = EnsNames.fromConfig(options.database, options.config.ens ?? defaults.ens, logger);
    app.addHook('onClose', () => local.close());
    ens = local;
  }
  const context: ApiContext = {
    database: options.database,
    ens,
    monitoring,
    sync,
    ai,
    notifications,
    dispatcher,
    streamHeartbeatMs: options.streamHeartbeatMs ?? 15_000,
    accounts,
    ...(options.streamLimits ? { streamLimits: options.streamLimits } : {}),
  };
  await app.register(healthRoutes, { ...context, metricsToken: options.config.metricsToken });
  await app.register(aiHealthRoutes, context);
  await app.register(mcpRoutes, context);
  await app.register(
    async (v1) => {
      await v1.register(authRoutes, context);
      await v1.register(keyRoutes, context);
      await v1.register(userRoutes, context);
      await v1.register(auditRoutes, context);
      await v1.register(alertRoutes, context);
      await v1.register(daoRoutes, context);
      await v1.register(proposalRoutes, context);
      await v1.register(seriesRoutes, context);
      await v1.register(importRoutes, context);
      await v1.register(metricRoutes, context);
      await v1.register(leaderboardRoutes, context);
      await v1.register(voterRoutes, context);
      await v1.register(searchRoutes, context);
      await v1.register(syncRoutes, context);
      await v1.register(streamRoutes, context);
      await v1.register(aiRoutes, context);
      await v1.register(backupRoutes, context);
      await v1.register(monitoringRoutes, context);
      await v1.register(notificationRoutes, context);
    },
    { prefix: '/api/v1' },
  );

  return app as unknown as FastifyInstance;
}

/**
 * Answers over 1 KiB of a compressible type (JSON, CSV, NDJSON exports, the OpenAPI document) are
 * compressed with brotli (quality 4) or gzip when the request accepts one; smaller ones are sent
 * as they are, as are dashboard files, which the build compressed already (src/api/web.ts).
 * Registered before the dashboard and the routes, as @fastify/compress requires. Request bodies
 * are never decompressed: the import streams its body through its own limit (BODY_LIMIT), which a
 * compressed body would get past. The live stream (/api/v1/stream) writes to the socket itself
 * and is never compressed, so each event reaches the client when it is written. Cached answers
 * arrive already compressed (src/api/cached-json.ts) and pass through.
 */
async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    threshold: COMPRESSION.threshold,
    encodings: [...COMPRESSION.encodings],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: COMPRESSION.brotliQuality } },
  });
}

/**
 * RATE_LIMIT_PER_MINUTE per caller on the API: per IP when anonymous, per user for a session, per
 * key for an API key (an admin may raise one key's limit); /mcp counts as the API. Shared through Redis when there is one,
 * so every server process counts together. Health, docs and dashboard files are not limited.
 */
async function registerRateLimit(
  app: FastifyInstance,
  perMinute: number,
  redisUrl: string | undefined,
  prefix = 'dao-portal',
): Promise<void> {
  const callerKey = (request: FastifyRequest) => {
    const identity = request.identity;
    if (!identity || identity.kind === 'anonymous') return `ip:${request.ip}`;
    return identity.kind === 'key' ? `key:${identity.key.id}` : `user:${identity.user.id}`;
  };
  const redis = redisUrl
    ? new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
    : undefined;
  const warnings = redisWarnings(app.log, 'rate limits');
  redis?.on('error', warnings.failed);
  redis?.on('ready', warnings.recovered);
  // Connected before the first request, so limits are shared from the start; an unreachable Redis
  // is logged and requests pass uncounted until it is back (skipOnError below).
  await redis?.connect().catch(warnings.failed);
  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => {})));
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (request) => {
      const identity = request.identity;
      return identity?.kind === 'key' && identity.key.rateLimitPerMinute ? identity.key.rateLimitPerMinute : perMinute;
    },
    keyGenerator: callerKey,
    allowList: (request) => !request.url.startsWith('/api/') && !request.url.startsWith('/mcp'),
    // A Redis outage must not take the API down with it: requests pass uncounted meanwhile.
    skipOnError: true,
    ...(redis ? { redis, nameSpace: `${prefix}:rate-limit:` } : {}),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(
        `too many requests: ${context.max} a minute are allowed; try again in ${Math.ceil(context.ttl / 1000)} s`,
        Math.ceil(context.ttl / 1000),
      ),
  });
}
