import type { SyncConfig } from '../config/index.ts';
import { type JobSpec, jobKey, markScheduled, runJob, type SyncDeps, syncTargets } from './jobs.ts';

/** What `serve` and the API need from whichever runner is active (in-process or BullMQ). */
export interface JobRunner {
  readonly kind: 'in-process' | 'bullmq';
  /** Starts the repeating schedules (and, where this process works, running jobs). */
  start(): Promise<void>;
  /** A DAO was added or changed: queue a sync of every source that applies to it now, and keep it on schedule. */
  scheduleDao(daoId: number): Promise<void>;
  /** Jobs waiting, running, delayed (backing off) and failed, for monitoring. */
  counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }>;
  /** Stops scheduling, asks running jobs to stop at their next safe point, and waits for them. */
  stop(): Promise<void>;
}

export type RunnerOptions = Pick<SyncConfig, 'intervalSeconds' | 'concurrency' | 'attempts' | 'backoffSeconds'> & {
  /** Overrides backoffSeconds with milliseconds (tests). */
  backoffMs?: number;
};

interface Entry {
  job: JobSpec;
  attempt: number;
}

/**
 * Runs the jobs inside this process when there is no Redis: every (DAO, source) that applies
 * every interval, at most `concurrency` at once, each retried with exponential backoff. A job is
 * never queued twice (a key already waiting, running or backing off is not added again), and
 * across processes the (DAO, source) lock in runJob keeps two runs apart.
 */
export class InProcessScheduler implements JobRunner {
  readonly kind = 'in-process';
  private readonly pending: Entry[] = [];
  /** Keys waiting, running or backing off. */
  private readonly held = new Set<string>();
  /** Keys asked for again while running: they run once more when the current run ends. */
  private readonly again = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private interval: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: RunnerOptions,
  ) {}

  async start(): Promise<void> {
    await this.tick();
    this.interval = setInterval(() => void this.tick(), this.options.intervalSeconds * 1000);
  }

  /** Queues every applicable (DAO, source), then the figures of all DAOs (active proposals change with time). */
  private async tick(): Promise<void> {
    try {
      for (const { dao, source } of await syncTargets(this.deps))
        this.enqueue({ kind: 'sync', daoId: dao.id, source: source.name });
      this.enqueue({ kind: 'aggregates' });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not list the sync jobs');
    }
  }

  async scheduleDao(daoId: number): Promise<void> {
    for (const { dao, source } of await syncTargets(this.deps, { dao: String(daoId) })) {
      await markScheduled(this.deps.database, dao.id, source.name);
      this.enqueue({ kind: 'sync', daoId: dao.id, source: source.name });
    }
  }

  private enqueue(job: JobSpec, attempt = 1, retry = false): void {
    const key = jobKey(job);
    if (this.stopped) return;
    if (!retry && this.held.has(key)) {
      // A request during a run may be about rows that run has already passed: run again after it.
      this.again.add(key);
      return;
    }
    this.held.add(key);
    this.pending.push({ job, attempt });
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.concurrency && this.pending.length) {
      const entry = this.pending.shift()!;
      // The run starting now covers every request made while it waited.
      this.again.delete(jobKey(entry.job));
      const run = this.execute(entry).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async execute({ job, attempt }: Entry): Promise<void> {
    const key = jobKey(job);
    try {
      const outcome = await runJob(this.deps, job, { signal: this.abort.signal });
      this.deps.logger.debug({ job: key, outcome }, 'sync job finished');
      this.release(job);
    } catch (error) {
      if (this.stopped || attempt >= this.options.attempts) {
        this.deps.logger.error({ err: error, job: key, attempt }, 'sync job failed; next try at the next interval');
        this.release(job);
        return;
      }
      const delay = (this.options.backoffMs ?? this.options.backoffSeconds * 1000) * 2 ** (attempt - 1);
      this.deps.logger.warn({ err: error, job: key, attempt, retry_in_ms: delay }, 'sync job failed; retrying');
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopped) this.held.delete(key);
        else this.enqueue(job, attempt + 1, true);
      }, delay);
      this.timers.add(timer);
    }
  }

  async counts() {
    // Failed jobs are not kept: a job that used its attempts waits for the next interval.
    return { waiting: this.pending.length, active: this.running.size, delayed: this.timers.size, failed: 0 };
  }

  private release(job: JobSpec): void {
    const key = jobKey(job);
    this.held.delete(key);
    if (this.again.delete(key)) this.enqueue(job);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.length = 0;
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }
}
