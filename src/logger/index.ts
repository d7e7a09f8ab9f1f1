import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/index.ts';

export type { Logger };

/** The one logger: structured JSON lines on stderr, so stdout stays free for command output. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'dao-portal' } }, pino.destination(2));
}

/** One outage of Redis as every client of this process sees it: they all report into this. */
const redisOutage: { since: number | undefined; warned: number; clients: Set<string> } = {
  since: undefined,
  warned: 0,
  clients: new Set(),
};

/**
 * Warnings about Redis while it does not answer (its clients reconnect in the background): one
 * line for the whole process when it goes down, naming what waits for it, a reminder at most
 * every `repeatMs` while it stays down, one line when it is back; never one line per client or
 * per reconnect attempt.
 */
export function redisWarnings(
  logger: Pick<Logger, 'warn' | 'info'>,
  client: string,
  repeatMs = 5 * 60_000,
): { failed(error: Error): void; recovered(): void } {
  return {
    failed(error) {
      const now = Date.now();
      redisOutage.clients.add(client);
      if (redisOutage.since !== undefined && now - redisOutage.warned < repeatMs) return;
      redisOutage.since ??= now;
      redisOutage.warned = now;
      const down = Math.round((now - redisOutage.since) / 1000);
      logger.warn(
        `Redis (REDIS_URL) does not answer: ${error.message}${down ? ` (for ${down} s)` : ''}; health is degraded, ` +
          `the queue unhealthy, rate limits count per process; ${client} and the other Redis clients retry in the background`,
      );
    },
    // Any client reconnecting means Redis answers again (BullMQ's report errors only).
    recovered() {
      if (redisOutage.since === undefined) return;
      redisOutage.clients.clear();
      logger.info(`Redis answers again after ${Math.round((Date.now() - redisOutage.since) / 1000)} s`);
      redisOutage.since = undefined;
    },
  };
}
