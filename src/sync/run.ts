import { refreshDaoAggregates } from '../db/aggregates.ts';
import type { Database } from '../db/index.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import { failRun, finishRun, startRun } from '../db/queries/sync-state.ts';
import { inSourceTransaction, sourceStore } from '../db/source-store.ts';
import type { Logger } from '../logger/index.ts';
import { timeRollupRefresh } from '../monitoring/prometheus.ts';
import type { LiveEvent, SyncContext, SyncOutcome, SyncSource } from './types.ts';

export interface RunOptions {
  database: Database;
  dao: DaoRow;
  source: SyncSource;
  logger: Logger;
  signal?: AbortSignal;
  progress?: (done: number, total?: number) => void;
  publish?: (event: LiveEvent) => void;
}

export interface RunResult extends SyncOutcome {
  durationMs: number;
}

/**
 * Runs one source for one DAO once, refreshes the DAO's figures and rollups when the run wrote
 * rows (or follows a run that died after committing some), and records the outcome in
 * `sync_state`. Both job runners (the in-process scheduler and the BullMQ worker) and
 * `dao-portal sync` call this; holding the (DAO, source) lock is the caller's job. A failure is recorded and rethrown so the runner can
 * retry with its own backoff; the cursor is untouched by a failed run beyond what its committed
 * transactions saved.
 */
export async function runSync(options: RunOptions): Promise<RunResult> {
  const { database, dao, source, logger } = options;
  const started = Date.now();
  const state = await startRun(database.db, dao.id, source.name);
  // A run killed or failed after committing pages left rows whose figures were never refreshed.
  const unfinished = state?.previous === 'running' || state?.previous === 'failed';

  const context: SyncContext = {
    dao,
    logger: logger.child({ dao: dao.slug, source: source.name }),
    signal: options.signal ?? new AbortController().signal,
    cursor: state?.cursor ?? {},
    store: sourceStore(database.db),
    transaction: (fn) => inSourceTransaction(database.db, dao.id, source.name, fn),
    progress: options.progress ?? (() => {}),
    publish: options.publish ?? (() => {}),
  };

  try {
    const outcome = await source.run(context);
    if (outcome.written > 0 || unfinished) {
      // The rows are committed either way; figures that fail to refresh (a deadlock with a
      // concurrent refresh, say) are left to the next run or the periodic aggregates job.
      await timeRollupRefresh('sync', () => refreshDaoAggregates(database.db, [dao.id])).catch((error) =>
        context.logger.warn({ err: error }, 'could not refresh the DAO figures after a sync'),
      );
    }
    await finishRun(database.db, dao.id, source.name, {
      lag: outcome.lag ?? null,
      details: { ...outcome.details, written: outcome.written, read: outcome.read, duration_ms: Date.now() - started },
    });
    options.publish?.({ type: 'sync.finished', dao: dao.slug, source: source.name });
    return { ...outcome, durationMs: Date.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await failRun(database.db, dao.id, source.name, message).catch((recordError) =>
      logger.error({ err: recordError }, 'could not record the failed sync'),
    );
    options.publish?.({ type: 'sync.failed', dao: dao.slug, source: source.name, message });
    throw error;
  }
}
