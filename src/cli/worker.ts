import { ConfigError } from '../errors.ts';
import { createSources } from '../sources/index.ts';
import { createSyncEngine } from '../sync/engine.ts';
import type { SyncSource } from '../sync/types.ts';
import { commandContext, openConfiguredDatabase } from './context.ts';

/**
 * `dao-portal worker`: works sync jobs from the BullMQ queue until SIGTERM/SIGINT. Start as many
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
  } finally {
    await database.close();
  }
}
