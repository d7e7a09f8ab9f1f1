import { Queue } from 'bullmq';
import pino from 'pino';
import type { Database } from '../../src/db/index.ts';
import type { SyncDeps } from '../../src/sync/jobs.ts';
import { createSyncLocks } from '../../src/sync/locks.ts';
import { QueueRunner } from '../../src/sync/queue.ts';
import { InProcessScheduler, type JobRunner, type RunnerOptions } from '../../src/sync/scheduler.ts';
import type { LiveEvent, SyncSource } from '../../src/sync/types.ts';

export const silentLogger = pino({ level: 'silent' });

export function syncDeps(
  database: Database,
  sources: SyncSource[],
  publish: (event: LiveEvent) => void = () => {},
): SyncDeps {
  return { database, sources, locks: createSyncLocks(database), logger: silentLogger, publish };
}

export type RunnerKind = 'in-process' | 'bullmq';

/** The runners under test: in-process always, BullMQ on the real Redis when REDIS_URL is set. */
export function runnerKinds(): RunnerKind[] {
  return process.env.REDIS_URL ? ['in-process', 'bullmq'] : ['in-process'];
}

/**
 * Builds runners of one kind that share a queue (a unique Redis prefix per call, so parallel test
 * files and tests never see each other's jobs) and cleans up after them.
 */
export function runnerFactory(kind: RunnerKind) {
  const prefix = `dp-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const made: JobRunner[] = [];
  return {
    make(deps: SyncDeps, options: Partial<RunnerOptions> = {}): JobRunner {
      const full: RunnerOptions = {
        intervalSeconds: 3600,
        concurrency: 2,
        attempts: 3,
        backoffSeconds: 0,
        backoffMs: 200,
        ...options,
      };
      const runner =
        kind === 'bullmq'
          ? new QueueRunner(deps, { ...full, redisUrl: process.env.REDIS_URL!, prefix, work: true, schedule: true })
          : new InProcessScheduler(deps, full);
      made.push(runner);
      return runner;
    },
    async cleanup() {
      await Promise.all(made.map((r) => r.stop()));
      if (kind === 'bullmq') {
        const queue = new Queue('sync', { connection: { url: process.env.REDIS_URL! }, prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
  };
}
