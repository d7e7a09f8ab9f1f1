import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { createSyncEngine } from '../src/sync/engine.ts';
import { runJob } from '../src/sync/jobs.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { silentLogger } from './helpers/runners.ts';
import { combined, createTestDao, TestSource, until } from './helpers/sync-source.ts';

interface Stream {
  events: Array<{ event: string; data: Record<string, unknown> }>;
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** A real SSE client over HTTP: parses `event:`/`data:` blocks and comment lines as they arrive. */
async function openStream(url: string): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const stream: Stream = { events: [], comments: [], ended: Promise.resolve(), close: () => abort.abort() };
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          );
          for (const line of block.split('\n').filter((l) => l.startsWith(':'))) stream.comments.push(line.slice(2));
          if (fields.event) stream.events.push({ event: fields.event, data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return stream;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe.each(databaseTargets())('live stream on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('pushes the events a sync publishes to clients of that DAO, with heartbeats, and closes cleanly', async () => {
    const [dao, other] = [await createTestDao(database, 'live'), await createTestDao(database, 'other')];
    const sources = [new TestSource(dao.space), new TestSource(other.space)];
    const engine = createSyncEngine(loadConfig({}), {
      database,
      logger: silentLogger,
      sources: [combined(sources)],
      runner: 'none',
    });
    const app = await buildServer({
      config: loadConfig({}),
      database,
      logger: false,
      sync: engine,
      streamHeartbeatMs: 200,
    });
    try {
      const url = await listen(app);
      const filtered = await openStream(`${url}/api/v1/stream?dao=${dao.slug}`);
      const everything = await openStream(`${url}/api/v1/stream`);
      // Events reach a client only while it is subscribed; wait for both subscriptions.
      await until(
        () => filtered.comments.includes('connected') && everything.comments.includes('connected'),
        'the streams to open',
      );

      await runJob(engine.deps, { kind: 'sync', daoId: dao.id, source: 'snapshot' });
      await runJob(engine.deps, { kind: 'sync', daoId: other.id, source: 'snapshot' });

      await until(() => everything.events.length === 8, 'all eight events');
      expect(filtered.events).toEqual([
        ...['p0', 'p1', 'p2'].map((proposal) => ({
          event: 'proposal.created',
          data: { type: 'proposal.created', dao: dao.slug, proposal, state: 'closed' },
        })),
        { event: 'sync.finished', data: { type: 'sync.finished', dao: dao.slug, source: 'snapshot' } },
      ]);
      expect(everything.events.filter((e) => e.data.dao === other.slug)).toHaveLength(4);
      await until(() => filtered.comments.includes('heartbeat'), 'a heartbeat');

      const missing = await fetch(`${url}/api/v1/stream?dao=no-such-dao`);
      expect(missing.status).toBe(404);

      // Closing the server ends open streams instead of waiting on them.
      await app.close();
      await Promise.all([filtered.ended, everything.ended]);
    } finally {
      await app.close();
      await engine.close();
    }
  });

  it.runIf(process.env.REDIS_URL)(
    'delivers events published by one server process to a client of another, over Redis',
    async () => {
      const dao = await createTestDao(database, 'fanout');
      const config = loadConfig({
        REDIS_URL: process.env.REDIS_URL,
        SYNC_QUEUE_PREFIX: `dp-test-stream-${process.pid}-${Date.now()}`,
      });
      const engines = [0, 1].map(() =>
        createSyncEngine(config, {
          database,
          logger: silentLogger,
          sources: [new TestSource(dao.space)],
          runner: 'none',
        }),
      );
      const apps = await Promise.all(engines.map((sync) => buildServer({ config, database, logger: false, sync })));
      try {
        await Promise.all(engines.map((e) => e.events.ready()));
        const client = await openStream(`${await listen(apps[1]!)}/api/v1/stream?dao=${dao.slug}`);
        await until(() => client.comments.includes('connected'), 'the stream to open');
        await runJob(engines[0]!.deps, { kind: 'sync', daoId: dao.id, source: 'snapshot' });
        await until(() => client.events.length === 4, 'the events from the other process');
        expect(client.events.map((e) => e.event)).toEqual([
          'proposal.created',
          'proposal.created',
          'proposal.created',
          'sync.finished',
        ]);
        client.close();
      } finally {
        await Promise.all(apps.map((app) => app.close()));
        await Promise.all(engines.map((e) => e.close()));
      }
    },
  );
});
