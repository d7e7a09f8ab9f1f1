import { refreshDaoAggregates } from '../db/aggregates.ts';
import type { Database } from '../db/index.ts';
import { allDaoIds, allDaos, type DaoRow, getDao } from '../db/queries/daos.ts';
import { knownSyncKeys, markScheduled as markScheduledState, recordProgress } from '../db/queries/sync-state.ts';
import { forgetOrphanChanges } from '../db/rollups.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../logger/index.ts';
import { syncItems, syncJobs, timeRollupRefresh } from '../monitoring/prometheus.ts';
import type { SyncLocks } from './locks.ts';
import { runSync } from './run.ts';
import type { LiveEvent, SourceName, SyncSource } from './types.ts';

/** What every job needs; both runners and `dao-portal sync` build one of these. */
export interface SyncDeps {
  database: Database;
  sources: SyncSource[];
  locks: SyncLocks;
  logger: Logger;
  publish: (event: LiveEvent) => void;
}

/** A unit of work for a runner: one (DAO, source) sync, or recomputing DAO figures. */
export type JobSpec = { kind: 'sync'; daoId: number; source: SourceName } | { kind: 'aggregates'; daoIds?: number[] };

export interface JobOutcome {
  dao: string;
  source: SourceName;
  /**
   * done: ran to the end; busy: another worker holds this (DAO, source) now; skipped: the DAO or
   * its source is gone; failed: the run failed (`error`; runNow only, runners retry instead).
   */
  status: 'done' | 'busy' | 'skipped' | 'failed';
  error?: string;
  written: number;
  read: number;
  lag: number | null;
  duration_ms: number;
}

/** Stable name of a job, used as the lock, dedupe and scheduler key. */
export function jobKey(job: JobSpec): string {
  return job.kind === 'sync' ? `sync.${job.daoId}.${job.source}` : `aggregates.${job.daoIds?.join('-') ?? 'all'}`;
}

export interface RunJobOptions {
  signal?: AbortSignal;
  progress?: (done: number, total?: number) => void;
}

/**
 * The one job function both runners call. A sync holds the (DAO, source) lock, runs the source
 * through runSync (which records sync_state and refreshes the DAO's figures when rows changed).
 * Failures are rethrown for the runner's retry.
 */
export async function runJob(
  deps: SyncDeps,
  job: JobSpec,
  options: RunJobOptions = {},
): Promise<JobOutcome | undefined> {
  const source = job.kind === 'sync' ? job.source : 'aggregates';
  try {
    const outcome = await runCountedJob(deps, job, options);
    syncJobs.inc({ source, outcome: outcome?.status ?? 'done' });
    if (outcome) {
      syncItems.inc({ source, kind: 'read' }, outcome.read);
      syncItems.inc({ source, kind: 'written' }, outcome.written);
    }
    return outcome;
  } catch (error) {
    syncJobs.inc({ source, outcome: 'failed' });
    throw error;
  }
}

async function runCountedJob(deps: SyncDeps, job: JobSpec, options: RunJobOptions): Promise<JobOutcome | undefined> {
  if (job.kind === 'aggregates') {
    const ids = job.daoIds ?? (await allDaoIds(deps.database.db));
    // Applies changes a failed or interrupted refresh left in the log, builds rollups a DAO never
    // had (a database migrated from before them), and the figures that move with the clock.
    await timeRollupRefresh('aggregates', () => refreshDaoAggregates(deps.database.db, ids));
    if (!job.daoIds) await forgetOrphanChanges(deps.database.db);
    return undefined;
  }
  const started = Date.now();
  const outcome = (status: JobOutcome['status'], dao: string, rest: Partial<JobOutcome> = {}): JobOutcome => ({
    dao,
    source: job.source,
    status,
    written: 0,
    read: 0,
    lag: null,
    duration_ms: Date.now() - started,
    ...rest,
  });
  const dao = await getDao(deps.database.db, String(job.daoId)).catch((error) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const source = deps.sources.find((s) => s.name === job.source);
  if (!dao || !source || !source.appliesTo(dao)) return outcome('skipped', dao?.slug ?? String(job.daoId));

  const locked = await deps.locks.tryRun(dao.id, source.name, async () => {
    return runSync({
      database: deps.database,
      dao,
      source,
      logger: deps.logger,
      publish: deps.publish,
      progress: progressRecorder(deps, dao.id, source.name, options.progress),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  });
  if (!locked.ran) return outcome('busy', dao.slug);
  const { written, read, lag } = locked.value;
  return outcome('done', dao.slug, { written, read, lag: lag ?? null });
}

const PROGRESS_WRITE_MS = 2000;

/**
 * Passes progress on to the caller and, every couple of seconds, into sync_state.details.progress
 * so the status endpoint shows how far a long run is. Only a row still 'running' is touched: a
 * late write never lands on the outcome runSync records when the run ends.
 */
function progressRecorder(
  deps: SyncDeps,
  daoId: number,
  source: SourceName,
  onProgress?: (done: number, total?: number) => void,
) {
  let last = 0;
  let writing = false;
  return (done: number, total?: number) => {
    onProgress?.(done, total);
    const now = Date.now();
    if (writing || now - last < PROGRESS_WRITE_MS) return;
    last = now;
    writing = true;
    recordProgress(deps.database.db, daoId, source, { done, total: total ?? null, at: new Date(now).toISOString() })
      .catch((error) => deps.logger.warn({ err: error }, 'could not record sync progress'))
      .finally(() => (writing = false));
  };
}

/** Every (DAO, source) pair that applies, optionally narrowed to one DAO (id or slug) and/or one source. */
export async function syncTargets(
  deps: Pick<SyncDeps, 'database' | 'sources'>,
  filter: { dao?: string; source?: string } = {},
): Promise<Array<{ dao: DaoRow; source: SyncSource }>> {
  if (filter.source && !deps.sources.some((s) => s.name === filter.source)) {
    const known = deps.sources.map((s) => s.name).join(', ') || 'none';
    throw new ValidationError(`source '${filter.source}' is not configured here (configured: ${known})`);
  }
  const rows = filter.dao ? [await getDao(deps.database.db, filter.dao)] : await allDaos(deps.database.db);
  return rows.flatMap((dao) =>
    deps.sources
      .filter((s) => (!filter.source || s.name === filter.source) && s.appliesTo(dao))
      .map((source) => ({ dao, source })),
  );
}

/**
 * Marks a (DAO, source) as waiting to run, so the status endpoint shows it before its first run
 * starts; a running or previously failed state is left as it is (the run will overwrite it).
 */
export async function markScheduled(database: Database, daoId: number, source: SourceName): Promise<void> {
  await markScheduledState(database.db, daoId, source);
}

/**
 * Runs the matching (DAO, source) syncs now, one after another, in this process (`dao-portal sync`
 * and POST /sync/run). A failure is reported in its outcome and the others still run.
 */
export async function runNow(
  deps: SyncDeps,
  filter: { dao?: string; source?: string },
  options: { signal?: AbortSignal; onStart?: (dao: DaoRow, source: SyncSource) => RunJobOptions['progress'] } = {},
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const { dao, source } of await syncTargets(deps, filter)) {
    if (options.signal?.aborted) break;
    const started = Date.now();
    const progress = options.onStart?.(dao, source);
    try {
      const outcome = await runJob(
        deps,
        { kind: 'sync', daoId: dao.id, source: source.name },
        {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(progress ? { progress } : {}),
        },
      );
      outcomes.push(outcome!);
    } catch (error) {
      outcomes.push({
        dao: dao.slug,
        source: source.name,
        status: 'failed',
        written: 0,
        read: 0,
        lag: null,
        duration_ms: Date.now() - started,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return outcomes;
}

/** DAOs with a source that applies but has never been scheduled or run: their first sync is due. */
export async function daosAwaitingFirstSync(deps: Pick<SyncDeps, 'database' | 'sources'>): Promise<number[]> {
  const known = await knownSyncKeys(deps.database.db);
  const ids = new Set<number>();
  for (const { dao, source } of await syncTargets(deps)) if (!known.has(`${dao.id}:${source.name}`)) ids.add(dao.id);
  return [...ids];
}
