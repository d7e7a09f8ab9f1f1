import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { createSyncEngine, type SyncEngine } from '../src/sync/engine.ts';
import { markScheduled, runJob } from '../src/sync/jobs.ts';
import { createSyncLocks } from '../src/sync/locks.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { silentLogger, syncDeps } from './helpers/runners.ts';
import { combined, createTestDao, proposalIds, syncStateOf, TestSource, until } from './helpers/sync-source.ts';

// One attempt: the failing DAO must stay failed for the status test.
const config = loadConfig({ SYNC_INTERVAL_SECONDS: '3600', SYNC_ATTEMPTS: '1' });

describe.each(databaseTargets())('sync engine on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('holds one lock per (DAO, source) across lock holders (processes on PostgreSQL)', async () => {
    const [a, b] = [createSyncLocks(database), createSyncLocks(database)];
    let release!: () => void;
    const held = a.tryRun(1, 'snapshot', () => new Promise<string>((resolve) => (release = () => resolve('first'))));
    await until(() => release !== undefined, 'the first holder');
    expect(await b.tryRun(1, 'snapshot', async () => 'second')).toEqual({ ran: false });
    // Another source or another DAO is a different lock.
    expect(await b.tryRun(1, 'governor', async () => 'other source')).toEqual({ ran: true, value: 'other source' });
    expect(await b.tryRun(2, 'snapshot', async () => 'other dao')).toEqual({ ran: true, value: 'other dao' });
    release();
    expect(await held).toEqual({ ran: true, value: 'first' });
    expect(await b.tryRun(1, 'snapshot', async () => 'after release')).toEqual({ ran: true, value: 'after release' });
    // A failing holder releases too.
    await expect(
      a.tryRun(1, 'snapshot', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await b.tryRun(1, 'snapshot', async () => 'free')).toEqual({ ran: true, value: 'free' });
  });

  it('commits the cursor only with the rows it covers: a failed transaction leaves both as they were', async () => {
    const dao = await createTestDao(database, 'tx');
    const source = new TestSource(dao.space, { steps: ['ok', 'fail-in-tx'] });
    const deps = syncDeps(database, [source]);
    expect(await runJob(deps, { kind: 'sync', daoId: dao.id, source: 'snapshot' })).toMatchObject({
      status: 'done',
      written: 3,
      read: 3,
      lag: 42,
    });
    await expect(runJob(deps, { kind: 'sync', daoId: dao.id, source: 'snapshot' })).rejects.toThrow(
      'run 2 failed after writing',
    );
    expect(await proposalIds(database, dao.id)).toEqual(['p0', 'p1', 'p2']);
    expect(await syncStateOf(database, dao.id)).toMatchObject({
      status: 'failed',
      cursor: { n: 3 },
      last_error: 'run 2 failed after writing',
    });
  });

  it('skips a DAO that is gone or that the source no longer applies to', async () => {
    const dao = await createTestDao(database, 'gone');
    const deps = syncDeps(database, [new TestSource('someone-else.eth')]);
    expect(await runJob(deps, { kind: 'sync', daoId: dao.id, source: 'snapshot' })).toMatchObject({
      status: 'skipped',
      dao: dao.slug,
    });
    expect(await runJob(deps, { kind: 'sync', daoId: 2_000_000_000, source: 'snapshot' })).toMatchObject({
      status: 'skipped',
    });
  });

  describe('API', () => {
    let app: FastifyInstance;
    let admin: { authorization: string };
    let engine: SyncEngine;
    const sources: TestSource[] = [];
    const done = { id: 0, slug: '', space: '' };
    const failed = { ...done };
    const fresh = { ...done };

    beforeAll(async () => {
      Object.assign(done, await createTestDao(database, 'ok'));
      Object.assign(failed, await createTestDao(database, 'bad'));
      Object.assign(fresh, await createTestDao(database, 'new'));
      sources.push(
        new TestSource(done.space),
        new TestSource(failed.space, { steps: ['fail'] }),
        new TestSource(fresh.space),
      );
      engine = createSyncEngine(config, { database, logger: silentLogger, sources: [combined(sources)] });
      await engine.runner!.start();
      app = await buildServer({ config, database, logger: false, sync: engine });
      // Writes need a role: they are sent as an admin's API key.
      admin = (await signIn(app, database, 'admin')).key;
      await until(
        async () =>
          (await syncStateOf(database, done.id))?.status === 'idle' &&
          (await syncStateOf(database, failed.id))?.status === 'failed' &&
          (await syncStateOf(database, fresh.id))?.status === 'idle',
        'the first runs',
      );
    });
    afterAll(async () => {
      await app?.close();
      await engine?.close();
    });

    it('GET /sync/status shows state, last success, cursor, lag, last error and details per (DAO, source)', async () => {
      const res = await app.inject({ url: `/api/v1/sync/status?dao=${done.slug}` });
      expect(res.statusCode).toBe(200);
      const [row, ...rest] = res.json().data;
      expect(rest).toEqual([]);
      expect(row).toEqual({
        dao: { id: done.id, slug: done.slug, name: done.slug },
        source: 'snapshot',
        state: 'idle',
        last_success: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        cursor: { n: 3 },
        lag: 42,
        last_error: null,
        details: { last: 'p2', written: 3, read: 3, duration_ms: expect.any(Number) },
      });
      const bad = (await app.inject({ url: `/api/v1/sync/status?dao=${failed.id}` })).json().data;
      expect(bad).toEqual([
        expect.objectContaining({
          state: 'failed',
          last_success: null,
          last_error: 'run 1 failed before writing',
          cursor: {},
        }),
      ]);
      const all = (await app.inject({ url: '/api/v1/sync/status' })).json().data as Array<{ dao: { slug: string } }>;
      expect(all.map((r) => r.dao.slug)).toEqual(expect.arrayContaining([done.slug, failed.slug, fresh.slug]));
      expect((await app.inject({ url: '/api/v1/sync/status?dao=no-such-dao' })).json().error.code).toBe('NOT_FOUND');
    });

    it('GET /sync/status tells queued, running and interrupted runs apart', async () => {
      const dao = await createTestDao(database, 'states');
      sources.push(new TestSource(dao.space));
      const state = async () => (await app.inject({ url: `/api/v1/sync/status?dao=${dao.slug}` })).json().data[0];
      // Applies but never ran, with a runner active: it is due.
      expect(await state()).toMatchObject({ state: 'scheduled', last_success: null, cursor: {} });
      await markScheduled(database, dao.id, 'snapshot');
      expect(await state()).toMatchObject({ state: 'scheduled' });
      await database.db.execute(
        sql`update sync_state set status = 'running', started_at = now() where dao_id = ${dao.id}`,
      );
      // Running while its lock is held; 'running' with a free lock means the process running it died.
      expect(await engine.deps.locks.tryRun(dao.id, 'snapshot', state)).toEqual({
        ran: true,
        value: expect.objectContaining({ state: 'running', last_error: null }),
      });
      expect(await state()).toMatchObject({
        state: 'failed',
        last_error: 'interrupted: the process running it stopped',
      });
    });

    it('GET /sync/status shows how far a running sync is', async () => {
      const dao = await createTestDao(database, 'progress');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = {
        name: 'snapshot' as const,
        appliesTo: () => true,
        async run(ctx: { progress(done: number, total?: number): void }) {
          ctx.progress(1, 3);
          await gate;
          return { written: 0, read: 3 };
        },
      };
      const running = runJob(syncDeps(database, [slow]), { kind: 'sync', daoId: dao.id, source: 'snapshot' });
      const row = await until(async () => {
        const [r] = (await app.inject({ url: `/api/v1/sync/status?dao=${dao.slug}` })).json().data;
        return r?.details.progress ? r : undefined;
      }, 'the progress of the running sync');
      expect(row).toMatchObject({ state: 'running', details: { progress: { done: 1, total: 3 } } });
      release();
      await running;
      const [after] = (await app.inject({ url: `/api/v1/sync/status?dao=${dao.slug}` })).json().data;
      expect(after).toMatchObject({ state: 'idle', details: { read: 3, written: 0 } });
      expect(after.details.progress).toBeUndefined();
    });

    it('POST /sync/run syncs now and reports each outcome; a (DAO, source) already running is reported busy', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/sync/run',
        headers: admin,
        payload: { dao: done.slug, source: 'snapshot' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toEqual([
        {
          dao: done.slug,
          source: 'snapshot',
          status: 'done',
          written: 3,
          read: 3,
          lag: 42,
          duration_ms: expect.any(Number),
        },
      ]);
      expect(await proposalIds(database, done.id)).toHaveLength(6);

      const busy = await engine.deps.locks.tryRun(
        done.id,
        'snapshot',
        async () =>
          (
            await app.inject({ method: 'POST', url: '/api/v1/sync/run', headers: admin, payload: { dao: done.slug } })
          ).json().data,
      );
      expect(busy).toEqual({ ran: true, value: [expect.objectContaining({ status: 'busy', written: 0 })] });

      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/sync/run',
        headers: admin,
        payload: { source: 'governor' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain("source 'governor' is not configured here");
    });

    it('schedules the first sync of a DAO added or given a Snapshot space, through POST /daos, PUT /daos and POST /import', async () => {
      const space = `added-${process.pid}.eth`;
      sources.push(new TestSource(space), new TestSource(`imported-${process.pid}.eth`));
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/daos',
        headers: admin,
        payload: {
          slug: `added-${process.pid}`,
          name: `Added ${process.pid}`,
          chain: 'ethereum',
          snapshot_space: space,
        },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().data.id as number;
      await until(async () => (await proposalIds(database, id)).length === 3, 'the first sync of the added DAO');

      // A DAO that gains a Snapshot space starts syncing too.
      const later = await createTestDao(database, 'later');
      const laterSpace = `${later.slug}-renamed.eth`;
      sources.push(new TestSource(laterSpace));
      const updated = await app.inject({
        method: 'PUT',
        url: `/api/v1/daos/${later.slug}`,
        headers: admin,
        payload: { snapshot_space: laterSpace },
      });
      expect(updated.statusCode).toBe(200);
      await until(
        async () => (await proposalIds(database, later.id)).length === 3,
        'the first sync of the updated DAO',
      );

      const record = {
        type: 'dao',
        slug: `imported-${process.pid}`,
        name: `Imported ${process.pid}`,
        chain: 'ethereum',
        snapshot_space: `imported-${process.pid}.eth`,
      };
      const imported = await app.inject({
        method: 'POST',
        url: '/api/v1/import',
        headers: { 'content-type': 'application/x-ndjson', ...admin },
        payload: JSON.stringify(record) + '\n',
      });
      expect(imported.json().data.inserted).toBe(1);
      const slug = record.slug;
      await until(async () => {
        const rows = (await app.inject({ url: `/api/v1/sync/status?dao=${slug}` })).json().data;
        return rows[0]?.state === 'idle' && rows[0]?.cursor.n === 3;
      }, 'the first sync of the imported DAO');
    });
  });
});
