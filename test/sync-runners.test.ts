import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { runnerFactory, runnerKinds, syncDeps } from './helpers/runners.ts';
import { createTestDao, proposalIds, syncStateOf, TestSource, until } from './helpers/sync-source.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

// The same suite for both job runners, on both databases.
describe.each(databaseTargets())('sync job runners on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  /** Adds the DAO after the runner started, as POST /daos does: its first sync is the one scheduleDao queues. */
  async function addDao(space: { value: string }, label: string) {
    const dao = await createTestDao(database, label);
    space.value = dao.space;
    return dao;
  }

  describe.each(runnerKinds())('%s runner', (kind) => {
    let runners: ReturnType<typeof runnerFactory>;
    beforeAll(() => {
      runners = runnerFactory(kind);
    });
    afterEach(async () => {
      await runners.cleanup();
      runners = runnerFactory(kind);
    });

    it('runs every (DAO, source) on its schedule, resuming from the cursor, and refreshes the DAO figures', async () => {
      const dao = await createTestDao(database, 'scheduled');
      const source = new TestSource(dao.space);
      const runner = runners.make(syncDeps(database, [source]), { intervalSeconds: 1 });
      await runner.start();
      await until(
        async () =>
          (await proposalIds(database, dao.id)).length >= 6 && (await syncStateOf(database, dao.id))?.status === 'idle',
        'two scheduled runs',
      );
      await runner.stop();
      const stored = await proposalIds(database, dao.id);
      expect(stored).toEqual(ids(stored.length));
      expect((await syncStateOf(database, dao.id))?.cursor).toEqual({ n: stored.length });
      const [figures] = await rowsOf<{ total_proposals: number }>(
        database.db,
        sql`select total_proposals from daos where id = ${dao.id}`,
      );
      expect(figures!.total_proposals).toBe(stored.length);
    });

    it('retries a failed attempt after an exponentially growing delay', async () => {
      const space = { value: '' };
      const source = new TestSource(space, { steps: ['fail', 'fail', 'ok'] });
      const runner = runners.make(syncDeps(database, [source]), { attempts: 3, backoffMs: 300 });
      await runner.start();
      const dao = await addDao(space, 'retry');
      await runner.scheduleDao(dao.id);
      const state = await until(async () => {
        const s = await syncStateOf(database, dao.id);
        return source.runs === 3 && s?.status === 'idle' ? s : undefined;
      }, 'the third attempt to succeed');
      expect(state.last_error).toBeNull();
      expect(state.last_success_at).toBeTruthy();
      expect(await proposalIds(database, dao.id)).toEqual(ids(3));
      // Timers never fire early; the margin only absorbs clock granularity.
      expect(source.starts[1]! - source.starts[0]!).toBeGreaterThanOrEqual(290);
      expect(source.starts[2]! - source.starts[1]!).toBeGreaterThanOrEqual(590);
    });

    it('gives up after the last attempt and records the error', async () => {
      const space = { value: '' };
      const source = new TestSource(space, { steps: ['fail', 'fail', 'fail'] });
      const runner = runners.make(syncDeps(database, [source]), { attempts: 2, backoffMs: 100 });
      await runner.start();
      const dao = await addDao(space, 'gives-up');
      await runner.scheduleDao(dao.id);
      const state = await until(async () => {
        const s = await syncStateOf(database, dao.id);
        return source.runs === 2 && s?.status === 'failed' ? s : undefined;
      }, 'two failed attempts');
      expect(state.last_error).toBe('run 2 failed before writing');
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(source.runs).toBe(2);
    });

    it('never runs the same (DAO, source) twice at once, with two workers and concurrent triggers', async () => {
      const dao = await createTestDao(database, 'exclusive');
      const source = new TestSource(dao.space, { delayMs: 300 });
      const first = runners.make(syncDeps(database, [source]));
      const second = runners.make(syncDeps(database, [source]));
      await Promise.all([first.start(), second.start()]);
      await Promise.all([
        first.scheduleDao(dao.id),
        second.scheduleDao(dao.id),
        first.scheduleDao(dao.id),
        second.scheduleDao(dao.id),
      ]);
      await until(
        async () => source.runs >= 1 && source.active === 0 && (await syncStateOf(database, dao.id))?.status === 'idle',
        'the triggered runs',
      );
      // Let any straggling duplicate get its chance to overlap before looking.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await until(() => source.active === 0, 'runs to finish');
      expect(source.maxActive).toBe(1);
      // Every run resumed where the previous one committed: no gaps, no duplicates.
      expect(await proposalIds(database, dao.id)).toEqual(ids(3 * source.runs));
    });

    it('rolls back rows and cursor together when a run fails inside its transaction, then resumes', async () => {
      const space = { value: '' };
      const source = new TestSource(space, { steps: ['ok', 'fail-in-tx', 'ok'] });
      const runner = runners.make(syncDeps(database, [source]), { attempts: 3, backoffMs: 100 });
      await runner.start();
      const dao = await addDao(space, 'rollback');
      await runner.scheduleDao(dao.id);
      await until(
        async () => source.runs === 1 && (await syncStateOf(database, dao.id))?.status === 'idle',
        'the first run',
      );
      await runner.scheduleDao(dao.id);
      await until(
        async () => source.runs === 3 && (await syncStateOf(database, dao.id))?.status === 'idle',
        'the retried run',
      );
      expect(await proposalIds(database, dao.id)).toEqual(ids(6));
      expect((await syncStateOf(database, dao.id))?.cursor).toEqual({ n: 6 });
    });
  });
});
