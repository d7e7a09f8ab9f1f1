import { sql } from 'drizzle-orm';
import { refreshDaoAggregates } from '../db/aggregates.ts';
import { rowsOf, type Database } from '../db/index.ts';
import type { DaoRow } from '../db/queries/daos.ts';
import type { Logger } from '../logger/index.ts';
import type { LiveEvent, SyncContext, SyncOutcome, SyncSource, SyncTx } from './types.ts';

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
  const [state] = await rowsOf<{ cursor: Record<string, unknown>; previous: string | null }>(database.db, sql`
    with prev as (select status from sync_state where dao_id = ${dao.id} and source = ${source.name})
    insert into sync_state (dao_id, source, status, started_at, updated_at)
    values (${dao.id}, ${source.name}, 'running', now(), now())
    on conflict (dao_id, source) do update set status = 'running', started_at = now(), updated_at = now()
    returning cursor, (select status from prev) as previous`);
  // A run killed or failed after committing pages left rows whose figures were never refreshed.
  const unfinished = state?.previous === 'running' || state?.previous === 'failed';

  const context: SyncContext = {
    database,
    dao,
    logger: logger.child({ dao: dao.slug, source: source.name }),
    signal: options.signal ?? new AbortController().signal,
    cursor: state?.cursor ?? {},
    saveCursor: (tx, cursor) => saveCursor(tx, dao.id, source.name, cursor),
    progress: options.progress ?? (() => {}),
    publish: options.publish ?? (() => {}),
  };

  try {
    const outcome = await source.run(context);
    if (outcome.written > 0 || unfinished) {
      // The rows are committed either way; figures that fail to refresh (a deadlock with a
      // concurrent refresh, say) are left to the next run or the periodic aggregates job.
      await refreshDaoAggregates(database.db, [dao.id]).catch((error) =>
        context.logger.warn({ err: error }, 'could not refresh the DAO figures after a sync'));
    }
    await database.db.execute(sql`
      update sync_state set status = 'idle', last_success_at = now(), last_error = null,
             lag = ${outcome.lag ?? null}, details = ${JSON.stringify({ ...outcome.details, written: outcome.written, read: outcome.read })}::jsonb,
             updated_at = now()
       where dao_id = ${dao.id} and source = ${source.name}`);
    options.publish?.({ type: 'sync.finished', dao: dao.slug, source: source.name });
    return { ...outcome, durationMs: Date.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await database.db
      .execute(sql`
        update sync_state set status = 'failed', last_error = ${message}, updated_at = now()
         where dao_id = ${dao.id} and source = ${source.name}`)
      .catch((recordError) => logger.error({ err: recordError }, 'could not record the failed sync'));
    options.publish?.({ type: 'sync.failed', dao: dao.slug, source: source.name, message });
    throw error;
  }
}

async function saveCursor(tx: SyncTx, daoId: number, source: string, cursor: Record<string, unknown>): Promise<void> {
  await tx.execute(sql`
    insert into sync_state (dao_id, source, cursor, status, updated_at)
    values (${daoId}, ${source}, ${JSON.stringify(cursor)}::jsonb, 'running', now())
    on conflict (dao_id, source) do update set cursor = excluded.cursor, updated_at = now()`);
}
