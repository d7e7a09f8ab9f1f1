import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { QueueRunner } from '../src/sync/queue.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';
import { syncDeps } from './helpers/runners.ts';
import { proposalIds, syncStateOf, until } from './helpers/sync-source.ts';

const postgres = databaseTargets().find((t) => t.kind === 'postgres');
const helper = path.join(repoRoot, 'test/helpers/sync-worker.ts');

// Several worker processes need a shared database server and Redis.
describe.runIf(postgres && process.env.REDIS_URL)('dao-portal worker processes on BullMQ and PostgreSQL', () => {
  const suffix = `.w${process.pid}.eth`;
  const prefix = `dp-test-worker-${process.pid}-${Date.now()}`;
  let database: TestDatabase;
  const workers: Array<{ child: ChildProcess; log: string }> = [];

  function startWorkers(n: number) {
    const started = Array.from({ length: n }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', helper], {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          SYNC_QUEUE_PREFIX: prefix,
          SYNC_CONCURRENCY: '2',
          SYNC_STALLED_SECONDS: '3',
          LOG_LEVEL: 'info',
          TEST_SYNC_SUFFIX: suffix,
          TEST_SYNC_DELAY_MS: '300',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const worker = { child, log: '' };
      child.stdout!.on('data', (d) => (worker.log += d));
      child.stderr!.on('data', (d) => (worker.log += d));
      workers.push(worker);
      return worker;
    });
    return until(
      () => started.every((w) => w.log.includes('sync worker started')) && started,
      'the workers to start',
      60_000,
    );
  }

  async function addDao(name: string) {
    const [row] = await rowsOf<{ id: number }>(
      database.db,
      sql`
      insert into daos (slug, name, chain, snapshot_space) values (${`${name}-${process.pid}`}, ${name}, 'ethereum', ${`${name}${suffix}`}) returning id`,
    );
    return row!.id;
  }

  /** An API process that schedules (and never works) jobs. */
  function scheduler() {
    const scheduling = {
      name: 'snapshot' as const,
      appliesTo: (dao: { snapshotSpace: string | null }) => Boolean(dao.snapshotSpace?.endsWith(suffix)),
      run: () => Promise.reject(new Error('schedulers do not run jobs')),
    };
    return new QueueRunner(syncDeps(database, [scheduling]), {
      intervalSeconds: 3600,
      concurrency: 1,
      attempts: 3,
      backoffSeconds: 0,
      backoffMs: 100,
      redisUrl: process.env.REDIS_URL!,
      prefix,
      work: false,
      schedule: true,
    });
  }

  beforeAll(async () => {
    database = await postgres!.open();
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    const queue = new Queue('sync', { connection: { url: process.env.REDIS_URL! }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await database?.destroy();
  });

  it('share the jobs two servers queue, never overlap a (DAO, source), and stop cleanly on SIGTERM', async () => {
    const started = await startWorkers(2);
    const daoIds: number[] = [];
    for (let i = 0; i < 4; i++) daoIds.push(await addDao(`w${i}`));
    // Two API processes scheduling the same DAOs at once (neither works jobs).
    const schedulers = [scheduler(), scheduler()];
    try {
      await Promise.all(schedulers.flatMap((s) => daoIds.flatMap((id) => [s.scheduleDao(id), s.scheduleDao(id)])));
      for (const id of daoIds) {
        await until(
          async () => {
            const state = await syncStateOf(database, id);
            return state?.status === 'idle' && Number(state.cursor.n) >= 3;
          },
          `DAO ${id} to sync`,
          60_000,
        );
      }
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
    }
    await until(
      async () => (await Promise.all(daoIds.map((id) => syncStateOf(database, id)))).every((s) => s?.status === 'idle'),
      'every queued run to finish',
      60_000,
    );
    for (const id of daoIds) {
      const state = await syncStateOf(database, id);
      // Each run resumed where the previous one committed: overlapping runs would have left duplicates or gaps.
      expect(await proposalIds(database, id)).toEqual(
        Array.from({ length: Number(state!.cursor.n) }, (_, i) => `p${i}`),
      );
    }

    const exits = started.map((w) => new Promise<number | null>((resolve) => w.child.once('exit', resolve)));
    for (const w of started) w.child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
    for (const w of started) expect(w.log).toContain('worker stopping');
  });

  it('finishes a job whose worker was killed mid-run on another worker (stalled job, lock freed with the connection)', async () => {
    const [first, second] = await startWorkers(2);
    const id = await addDao('slow');
    const schedule = scheduler();
    try {
      await schedule.scheduleDao(id);
    } finally {
      await schedule.stop();
    }
    const victim = await until(
      () => [first!, second!].find((w) => w.log.includes(`run-start slow${suffix}`)),
      'a worker to start the slow run',
    );
    const survivor = victim === first ? second! : first!;
    victim.child.kill('SIGKILL');
    // BullMQ hands a job whose worker stopped renewing its lock to another worker (SYNC_STALLED_SECONDS).
    await until(
      () => survivor.log.includes(`run-start slow${suffix}`),
      'the surviving worker to take the job over',
      120_000,
    );
    await until(
      async () => (await syncStateOf(database, id))?.status === 'idle',
      'the taken-over run to finish',
      60_000,
    );
    expect(await proposalIds(database, id)).toEqual(['p0', 'p1', 'p2']);
    expect((await syncStateOf(database, id))?.cursor).toEqual({ n: 3 });
  }, 240_000);
});
