import { ConfigError } from '../errors.ts';
import { Dispatcher } from '../notify/dispatcher.ts';
import { Notifications } from '../notify/service.ts';
import { createSources } from '../sources/index.ts';
import { createSyncEngine } from '../sync/engine.ts';
import type { SyncSource } from '../sync/types.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal worker`: works sync jobs and sends notifications from the BullMQ queue until SIGTERM/SIGINT. Start as many
 * as the sources and database can take; `serve` keeps the schedules. `extraSources` lets tests
 * inject sources.
 */
export async function workerCommand(extraSources: SyncSource[] = []): Promise<void> {
  const { config, logger } = commandContext();
  if (!config.redisUrl)
    throw new ConfigError('dao-portal worker needs REDIS_URL (without Redis, serve runs the jobs itself)');
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    const engine = createSyncEngine(config, {
      database,
      logger,
      sources: createSources(config, { logger, extra: extraSources }),
      runner: 'worker',
    });
    await engine.runner!.start();
    const dispatcher = new Dispatcher(database, await Notifications.open(database, config.notify), logger);
    await dispatcher.startQueue({
      redisUrl: config.redisUrl,
      prefix: config.sync.queuePrefix,
      schedule: false,
      work: true,
    });
    logger.info(
      {
        sources: engine.deps.sources.map((s) => s.name),
        concurrency: config.sync.concurrency,
        prefix: config.sync.queuePrefix,
      },
      'sync worker started',
    );
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'worker stopping: running jobs stop at their next safe point');
    await engine.close();
    await dispatcher.stop();
  } finally {
    await database.close();
  }
}
