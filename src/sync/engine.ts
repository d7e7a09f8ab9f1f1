import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logger/index.ts';
import { createEventBus, type EventBus } from './events.ts';
import { daosAwaitingFirstSync, type SyncDeps } from './jobs.ts';
import { createSyncLocks } from './locks.ts';
import { QueueRunner } from './queue.ts';
import { InProcessScheduler, type JobRunner } from './scheduler.ts';
import type { SyncSource } from './types.ts';

/** Everything a process needs to sync and stream: the job dependencies, the live-event bus and the active runner. */
export interface SyncEngine {
  deps: SyncDeps;
  events: EventBus;
  /** Undefined when this process neither schedules nor works jobs. */
  runner: JobRunner | undefined;
  /**
   * A DAO was added or got a new place to sync from: its syncs are queued now rather than at the
   * next interval. The DAO is stored either way, so a runner that cannot queue them now is logged
   * and leaves them to the next schedule; without a runner this does nothing.
   */
  scheduleDao(daoId: number, log?: Pick<Logger, 'error'>): Promise<void>;
  /** Schedules every DAO with a source that applies but has never been scheduled or run (after an import). */
  scheduleNewDaos(log?: Pick<Logger, 'error'>): Promise<void>;
  /** Stops the runner (waiting for running jobs), then the event bus. */
  close(): Promise<void>;
}

export interface EngineOptions {
  database: Database;
  logger: Logger;
  sources: SyncSource[];
  /**
   * 'auto' picks BullMQ with REDIS_URL and the in-process scheduler without it; 'none' only
   * publishes and streams (CLI commands, API processes that never schedule); 'worker' works
   * BullMQ jobs without scheduling them (`dao-portal worker`).
   */
  runner?: 'auto' | 'none' | 'worker';
  /** Test hook: retry delay in milliseconds. */
  backoffMs?: number;
}

export function createSyncEngine(config: Pick<Config, 'redisUrl' | 'sync'>, options: EngineOptions): SyncEngine {
  const events = createEventBus({
    redisUrl: config.redisUrl,
    channel: `${config.sync.queuePrefix}:live`,
    logger: options.logger,
  });
  const deps: SyncDeps = {
    database: options.database,
    sources: options.sources,
    locks: createSyncLocks(options.database),
    logger: options.logger,
    publish: (event) => events.publish(event),
  };
  const mode = options.runner ?? 'auto';
  const runnerOptions = {
    ...config.sync,
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
  };
  let runner: JobRunner | undefined;
  if (mode === 'worker' || (mode === 'auto' && config.redisUrl)) {
    if (!config.redisUrl) throw new Error('a BullMQ worker needs REDIS_URL');
    runner = new QueueRunner(deps, {
      ...runnerOptions,
      redisUrl: config.redisUrl,
      prefix: config.sync.queuePrefix,
      stalledSeconds: config.sync.stalledSeconds,
      work: mode === 'worker' || config.sync.worker,
      schedule: mode === 'auto',
    });
  } else if (mode === 'auto' && config.sync.worker) {
    runner = new InProcessScheduler(deps, runnerOptions);
  }
  const scheduleDao = async (daoId: number, log: Pick<Logger, 'error'> = options.logger) => {
    await runner
      ?.scheduleDao(daoId)
      .catch((error) => log.error({ err: error, dao_id: daoId }, 'could not schedule the first sync'));
  };
  return {
    deps,
    events,
    runner,
    scheduleDao,
    async scheduleNewDaos(log = options.logger) {
      if (!runner) return;
      for (const id of await daosAwaitingFirstSync(deps)) await scheduleDao(id, log);
    },
    async close() {
      await runner?.stop();
      await events.close();
    },
  };
}
