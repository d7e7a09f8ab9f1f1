import type { FastifyInstance } from 'fastify';
import { AlertEvaluator } from '../alerts/evaluator.ts';
import { buildServer } from '../api/server.ts';
import { Accounts } from '../auth/accounts.ts';
import { backupMeasurement, startBackupScheduler } from '../backup/scheduler.ts';
import type { Config } from '../config/index.ts';
import { refreshDaoAggregates } from '../db/aggregates.ts';
import { daosWithPendingChanges } from '../db/rollups.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger/index.ts';
import { createMonitoring } from '../monitoring/index.ts';
import { withTimeout } from '../monitoring/probes.ts';
import { timeRollupRefresh } from '../monitoring/prometheus.ts';
import { outboxSink, startDispatcher, wakeAfterCommit } from '../notify/delivery.ts';
import { Dispatcher } from '../notify/dispatcher.ts';
import { GovernanceNotifier } from '../notify/governance-notifier.ts';
import { Notifications } from '../notify/service.ts';
import { createSources } from '../sources/index.ts';
import { createSyncEngine, type SyncEngine } from '../sync/engine.ts';
import { syncTargets } from '../sync/jobs.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

export async function serve(): Promise<void> {
  const { config, logger } = commandContext();
  const database = await openConfiguredDatabase(config);
  let sync: SyncEngine | undefined;
  let app: FastifyInstance | undefined;
  try {
    await database.migrate();
    sync = createSyncEngine(config, { database, logger, sources: createSources(config, { logger }) });
    const engine = sync;
    const accounts = await Accounts.open(database, config.auth, logger);
    const notifications = await Notifications.open(database, config.notify);
    await notifications.syncEnvChannels();
    const dispatcher = new Dispatcher(database, notifications, logger);
    const monitoring = createMonitoring({
      database,
      logger,
      redisUrl: config.redisUrl,
      runner: sync.runner,
      syncIntervalSeconds: config.sync.intervalSeconds,
      targets: async () =>
        (await syncTargets(engine.deps)).map(({ dao, source }) => ({ dao: dao.slug, source: source.name })),
      disks: [
        ...(database.kind === 'pglite' ? [config.dataDir] : []),
        ...(config.backup.dir ? [config.backup.dir] : []),
      ],
      backups: config.backup.schedule.kind !== 'off' ? backupMeasurement : undefined,
    });
    app = await buildServer({ config, database, logger, sync, accounts, monitoring, notifications, dispatcher });
    const server = app;
    server.addHook('onClose', () => monitoring.close());
    // Decided notifications are logged and queued in the outbox in the transaction that decided
    // them; the dispatcher (started below) delivers them, woken once that transaction commits.
    const sink = outboxSink(logger);
    const onCommitted = wakeAfterCommit(dispatcher);
    // The operator rules read this process's measurements (src/monitoring, the same as /metrics).
    const alerts = new AlertEvaluator({
      database,
      measure: () => monitoring.measure(),
      sink,
      config,
      logger,
      onCommitted,
    });
    const notifier = new GovernanceNotifier({ database, sink, config, logger, onCommitted });
    const address = await app.listen({ port: config.port, host: config.host }).catch((error) => {
      throw listenError(config, error);
    });
    const { port } = app.server.address() as { port: number };
    const localHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    await database.announceServer(`http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`);
    logger.info(
      { address, database: database.kind, location: database.location },
      `DAO Portal listening on ${address} (API docs at ${address}/docs)`,
    );
    if (!(await accounts.hasUsers())) {
      logger.warn(
        'No user yet: reads are public, writes need a role. Create the first admin with ' +
          '`npx dao-portal user create --email you@example.org --role admin --password-stdin` (stop the server first on the embedded database)',
      );
    }
    // Changes a killed import or sync logged but never applied: whichever process opens the
    // database applies them, so the figures are right even on an API-only server (SYNC_WORKER=false).
    const pending = await daosWithPendingChanges(database.db);
    if (pending.length) {
      logger.info({ daos: pending.length }, 'applying rollup changes left by an interrupted import or sync');
      await timeRollupRefresh('startup', () => refreshDaoAggregates(database.db, pending));
    }
    const backups = await startBackupScheduler(database, config.backup, { databaseUrl: config.databaseUrl, logger });

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: draining requests');
      // Finish in-flight requests, then close the database so PGlite flushes and unlocks its directory.
      const timer = setTimeout(() => {
        logger.error('requests did not drain within 30s; closing anyway');
        server.server.closeAllConnections();
      }, 30_000);
      timer.unref();
      // Running syncs stop at their next safe point (their committed work stays), then requests drain.
      await alerts.stop();
      await notifier.stop();
      // A Redis that does not answer must not hold the shutdown: BullMQ would wait for it.
      await withTimeout(engine.close(), 10_000, 'the sync engine').catch((error) =>
        logger.warn({ err: error }, 'sync engine did not stop in time; closing anyway'),
      );
      await withTimeout(dispatcher.stop(), 10_000, 'the notification dispatcher').catch((error) =>
        logger.warn({ err: error }, 'notification dispatcher did not stop in time; closing anyway'),
      );
      // A scheduled backup that is being written finishes first (its files are complete or absent).
      await backups.stop();
      await server.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    // After the signal handlers: a start that waits for Redis can still be stopped cleanly.
    await startRunner(sync, logger);
    logger.info(
      {
        runner: sync.runner?.kind ?? 'none',
        sources: sync.deps.sources.map((s) => s.name),
        interval_seconds: config.sync.intervalSeconds,
      },
      'sync engine started',
    );
    // Deliveries go out from the processes that work jobs: BullMQ with Redis, this process without.
    await startDispatcher(dispatcher, config, logger);
    alerts.start();
    notifier.start(engine.events);
    logger.info(
      { alert_interval_seconds: config.alerts.intervalSeconds, sweep_seconds: config.governanceNotify.sweepSeconds },
      'alerts and governance notifications started',
    );
  } catch (error) {
    // Whatever was started goes, so the process exits with the one-line message instead of
    // lingering on Redis reconnects or a half-open server.
    await app?.close().catch(() => {});
    await sync?.close().catch(() => {});
    await database.close();
    throw error;
  }
}

/**
 * Starts the job runner. With BullMQ its first calls wait for Redis; an unreachable Redis must
 * not hold start-up (or the shutdown) hostage: the server answers with health `degraded` and the
 * queue `unhealthy`, and the runner starts once Redis answers.
 */
async function startRunner(sync: SyncEngine, logger: Logger): Promise<void> {
  const runner = sync.runner;
  if (!runner) return;
  const started = runner.start();
  if (runner.kind !== 'bullmq') return started;
  const waited = await Promise.race([
    started.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
  ]);
  if (!waited) {
    logger.info('sync schedules wait for the queue to answer; they start when it does');
    started.catch((error) => logger.error({ err: error }, 'sync queue: could not start the schedules'));
  }
}

/** A listen failure as one line naming PORT or HOST. */
function listenError(config: Config, error: NodeJS.ErrnoException): unknown {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `PORT ${config.port} is already in use on ${config.host}: stop the process listening there or set PORT to a free port`,
      );
    case 'EACCES':
      return new ConfigError(
        `PORT ${config.port} needs privileges this process does not have: use a port above 1023 (and a proxy for 80/443)`,
      );
    case 'EADDRNOTAVAIL':
      return new ConfigError(
        `HOST '${config.host}' is not an address of this machine: use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ConfigError(
        `HOST '${config.host}' does not resolve to an address: use 127.0.0.1, 0.0.0.0 (every interface) or one of this machine's addresses`,
      );
    default:
      return error;
  }
}
