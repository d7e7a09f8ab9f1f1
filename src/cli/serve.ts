import { AlertEvaluator } from '../alerts/evaluator.ts';
import { buildServer } from '../api/server.ts';
import { Accounts } from '../auth/accounts.ts';
import { startBackupScheduler } from '../backup/scheduler.ts';
import { refreshDaoAggregates } from '../db/aggregates.ts';
import { daosWithPendingChanges } from '../db/rollups.ts';
import { basicMeasure, RequestRecorder } from '../monitoring/basic-collector.ts';
import { GovernanceNotifier } from '../notify/governance-notifier.ts';
import { loggingSink } from '../notify/sink.ts';
import { createSources } from '../sources/index.ts';
import { createSyncEngine } from '../sync/engine.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

export async function serve(): Promise<void> {
  const { config, logger } = commandContext();
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    const sync = createSyncEngine(config, { database, logger, sources: createSources(config, { logger }) });
    const accounts = await Accounts.open(database, config.auth, logger);
    const recorder = new RequestRecorder();
    const app = await buildServer({
      config,
      database,
      logger,
      sync,
      accounts,
      recordRequest: (seconds, status) => recorder.record(seconds, status),
    });
    // Decided notifications are kept in the ledger and logged until a delivery engine is wired in here.
    const sink = loggingSink(logger);
    const alerts = new AlertEvaluator({
      database,
      measure: basicMeasure({ database, recorder, config }),
      sink,
      config,
      logger,
    });
    const notifier = new GovernanceNotifier({ database, sink, config, logger });
    const address = await app.listen({ port: config.port, host: config.host });
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
      await refreshDaoAggregates(database.db, pending);
    }
    await sync.runner?.start();
    logger.info(
      {
        runner: sync.runner?.kind ?? 'none',
        sources: sync.deps.sources.map((s) => s.name),
        interval_seconds: config.sync.intervalSeconds,
      },
      'sync engine started',
    );
    alerts.start();
    notifier.start(sync.events);
    logger.info(
      { alert_interval_seconds: config.alerts.intervalSeconds, sweep_seconds: config.governanceNotify.sweepSeconds },
      'alerts and governance notifications started',
    );
    const backups = await startBackupScheduler(database, config.backup, { databaseUrl: config.databaseUrl, logger });

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: draining requests');
      // Finish in-flight requests, then close the database so PGlite flushes and unlocks its directory.
      const timer = setTimeout(() => {
        logger.error('requests did not drain within 30s; closing anyway');
        app.server.closeAllConnections();
      }, 30_000);
      timer.unref();
      // Running syncs stop at their next safe point (their committed work stays), then requests drain.
      await alerts.stop();
      await notifier.stop();
      await sync.close();
      // A scheduled backup that is being written finishes first (its files are complete or absent).
      await backups.stop();
      await app.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (error) {
    await database.close();
    throw error;
  }
}
