import type { Config } from '../config/index.ts';
import type { NotificationEvent } from '../db/notification-event.ts';
import { recordNotifications } from '../db/queries/notifications.ts';
import type { Logger } from '../logger/index.ts';
import { withTimeout } from '../monitoring/probes.ts';
import type { Dispatcher } from './dispatcher.ts';
import { loggingSink, type NotificationSink } from './sink.ts';

/**
 * How a serving process turns decided events into deliveries (src/cli/serve.ts wires these; the
 * tests wire the same): the sink logs each event and queues its outbox rows in the deciding
 * transaction, the dispatcher runs as the process's mode says, and after each commit that queued
 * rows the producer wakes it.
 */

/** Logs the decided events and queues their deliveries, in the transaction that decided them. */
export function outboxSink(logger: Logger): NotificationSink {
  const log = loggingSink(logger);
  return async (tx, events) => {
    await log(tx, events);
    await recordNotifications(tx, events);
  };
}

/**
 * Starts sending: with Redis, the BullMQ queue (this process schedules the passes, and works them
 * unless SYNC_WORKER=false, when `dao-portal worker` processes do); without, the in-process loop
 * when this process works jobs. Like the sync runner, an unreachable Redis does not hold start-up.
 */
export async function startDispatcher(
  dispatcher: Dispatcher,
  config: Pick<Config, 'redisUrl'> & { sync: Pick<Config['sync'], 'queuePrefix' | 'worker'> },
  logger: Logger,
): Promise<void> {
  if (config.redisUrl) {
    await withTimeout(
      dispatcher.startQueue({
        redisUrl: config.redisUrl,
        prefix: config.sync.queuePrefix,
        schedule: true,
        work: config.sync.worker,
      }),
      5_000,
      'the notification queue',
    ).catch((error) => logger.warn({ err: error }, 'notification queue not started yet; Redis does not answer'));
  } else if (config.sync.worker) dispatcher.start();
}

/** The producers' after-commit callback: a pass now rather than at the next poll (a no-op where this process does not send). */
export const wakeAfterCommit =
  (dispatcher: Dispatcher) =>
  (_events: NotificationEvent[]): void =>
    dispatcher.wake();
