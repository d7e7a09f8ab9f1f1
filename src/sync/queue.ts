import { type JobsOptions, Queue, Worker } from 'bullmq';
import { redisWarnings } from '../logger/index.ts';
import { closeWorker } from '../queue/close-worker.ts';
import { type JobSpec, jobKey, markScheduled, runJob, type SyncDeps, syncTargets } from './jobs.ts';
import type { JobRunner, RunnerOptions } from './scheduler.ts';

export interface QueueOptions extends RunnerOptions {
  redisUrl: string;
  /** Redis key prefix; installations (and test files) sharing a Redis use different ones. */
  prefix: string;
  /** Whether this process also works jobs (`serve` unless SYNC_WORKER=false) or only schedules them. */
  work: boolean;
  /** Whether this process keeps the schedulers in line with the DAOs (`serve`; workers only work). */
  schedule: boolean;
  /** A job's lock lapses this long after its worker stops renewing it, and stalled jobs are looked for as often. */
  stalledSeconds?: number;
}

const QUEUE = 'sync';

/**
 * Runs the jobs on BullMQ: one repeatable scheduler per (DAO, source) plus one for the figures of
 * all DAOs, every job retried with exponential backoff, worked by any number of processes
 * (`serve` and `dao-portal worker`). BullMQ hands each job to one worker; the (DAO, source) lock
 * in runJob keeps a scheduled run and a triggered one of the same pair apart.
 */
export class QueueRunner implements JobRunner {
  readonly kind = 'bullmq';
  readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly abort = new AbortController();
  private reconciling: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: QueueOptions,
  ) {
    this.queue = new Queue(QUEUE, { connection: { url: options.redisUrl }, prefix: options.prefix });
    this.queue.on('error', redisWarnings(deps.logger, 'the sync queue').failed);
  }

  private jobOptions(): JobsOptions {
    const delay = this.options.backoffMs ?? this.options.backoffSeconds * 1000;
    return {
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    };
  }

  private async upsertScheduler(job: JobSpec): Promise<void> {
    await this.queue.upsertJobScheduler(
      jobKey(job),
      { every: this.options.intervalSeconds * 1000 },
      { name: job.kind, data: job, opts: this.jobOptions() },
    );
  }

  async start(): Promise<void> {
    if (this.options.schedule) {
      await this.reconcile();
      // DAOs also change behind the API's back (direct imports into PostgreSQL, SQL): catch up each interval.
      this.reconciling = setInterval(() => {
        this.reconcile().catch((error) =>
          this.deps.logger.error({ err: error }, 'could not update the sync schedules'),
        );
      }, this.options.intervalSeconds * 1000);
    }
    if (this.options.work) this.startWorker();
  }

  /** Makes the schedulers match the DAOs: one per applicable (DAO, source), none for removed ones. */
  async reconcile(): Promise<void> {
    const wanted: JobSpec[] = (await syncTargets(this.deps)).map(({ dao, source }) => ({
      kind: 'sync',
      daoId: dao.id,
      source: source.name,
    }));
    wanted.push({ kind: 'aggregates' });
    const keys = new Set(wanted.map(jobKey));
    const every = new Map<string, number | undefined>();
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      if (!keys.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
      else every.set(scheduler.key, scheduler.every ?? undefined);
    }
    // Existing schedulers keep their phase; only new ones (or a changed interval) are written.
    for (const job of wanted) {
      if (every.get(jobKey(job)) !== this.options.intervalSeconds * 1000) await this.upsertScheduler(job);
    }
  }

  async scheduleDao(daoId: number): Promise<void> {
    for (const { dao, source } of await syncTargets(this.deps, { dao: String(daoId) })) {
      const job: JobSpec = { kind: 'sync', daoId: dao.id, source: source.name };
      await markScheduled(this.deps.database, dao.id, source.name);
      // A new scheduler runs its first job at once; an existing one gets a job now, whatever its
      // phase. Its fixed id makes a second request while one waits a no-op, and removal on
      // completion lets the next request queue again.
      if (!(await this.queue.getJobScheduler(jobKey(job)))) await this.upsertScheduler(job);
      else
        await this.queue.add(job.kind, job, {
          ...this.jobOptions(),
          jobId: `now.${jobKey(job)}`,
          removeOnComplete: true,
          removeOnFail: true,
        });
    }
  }

  /** Works jobs in this process; `dao-portal worker` runs only this. */
  startWorker(): Worker {
    this.worker ??= new Worker(
      QUEUE,
      async (job, _token, signal) => {
        const stop = signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal;
        return (await runJob(this.deps, job.data as JobSpec, { signal: stop })) ?? null;
      },
      {
        connection: { url: this.options.redisUrl },
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: (this.options.stalledSeconds ?? 30) * 1000,
        stalledInterval: (this.options.stalledSeconds ?? 30) * 1000,
      },
    );
    this.worker.on('failed', (job, error) =>
      this.deps.logger.warn(
        { err: error, job: job?.name, key: job && jobKey(job.data as JobSpec), attempt: job?.attemptsMade },
        'sync job attempt failed',
      ),
    );
    this.worker.on('error', redisWarnings(this.deps.logger, 'the sync worker').failed);
    return this.worker;
  }

  async counts() {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.reconciling);
    this.abort.abort();
    if (this.worker) await closeWorker(this.worker);
    await this.queue.close();
  }
}
