import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_YOUR_WRITES_COOKIE, READ_YOUR_WRITES_HEADER } from '../src/api/read-routing.ts';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { type Database, openDatabase, rowsOf } from '../src/db/index.ts';
import { signIn } from './helpers/auth.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { type Replica, testReplica } from './helpers/replica.ts';

/**
 * DATABASE_READ_URL against a real streaming replica of the local PostgreSQL server. A read
 * replica is a PostgreSQL feature: the embedded database has none (its reads are its writes'
 * connection), so only the server target runs here.
 */
const target = databaseTargets().find((t) => t.kind === 'postgres');
const replica: Replica = target
  ? await testReplica()
  : { reason: 'TEST_DATABASE_URL is not set (no PostgreSQL server to replicate)' };
if (!replica.url) console.warn(`read-replica test skipped: ${'reason' in replica ? replica.reason : ''}`);

/** Polls `check` every 50 ms until it is true; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!replica.url)('reads from a streaming replica (DATABASE_READ_URL)', () => {
  let primary: TestDatabase;
  let database: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  /** A superuser connection to the replica's copy of the test database, to pause and resume its replay. */
  let control: pg.Client;
  let replicaUrl: string;

  /** Waits until the replica has replayed everything the primary has written so far. */
  async function caughtUp() {
    const lsn = (await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))[0]!.lsn;
    await until(
      async () =>
        (await control.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn])).rows[0].ok === true,
      20_000,
      'the replica to replay the primary',
    );
  }

  beforeAll(async () => {
    primary = await target!.open();
    const name = new URL(primary.url!).pathname;
    const url = new URL(replica.url!);
    url.pathname = name;
    replicaUrl = url.toString();
    // The new database (and its migrations) reach the replica through the WAL.
    const replicaAdmin = new pg.Client({ connectionString: replica.url! });
    await replicaAdmin.connect();
    try {
      const lsn = (await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))[0]!.lsn;
      await until(
        async () =>
          (await replicaAdmin.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn])).rows[0].ok === true,
        20_000,
        'the replica to receive the test database',
      );
    } finally {
      await replicaAdmin.end();
    }
    control = new pg.Client({ connectionString: replicaUrl });
    await control.connect();
    database = await openDatabase({ databaseUrl: primary.url!, readUrl: replicaUrl, poolSize: 3 });
    app = await buildServer({
      config: { corsOrigins: [], bodyLimit: 1 << 20, database: loadConfig({}).database },
      database,
      logger: false,
      webRoot: false,
    });
    admin = (await signIn(app, database, 'admin')).key;
    await caughtUp();
  }, 60_000);

  afterAll(async () => {
    await control?.query('select pg_wal_replay_resume()').catch(() => {});
    await control?.end();
    await app?.close();
    await database?.close();
    await primary?.destroy();
    if (replica.url) await replica.stop();
  }, 90_000);

  it('opens the reads on the replica (in recovery) and the writes on the primary', async () => {
    expect(database.readerLocation).toBe(replicaUrl);
    expect(await rowsOf(database.reader, sql`select pg_is_in_recovery() as standby`)).toEqual([{ standby: true }]);
    expect(await rowsOf(database.db, sql`select pg_is_in_recovery() as standby`)).toEqual([{ standby: false }]);
  });

  it('serves GETs from the replica, writes to the primary, and a GET after a POST sees the new row', async () => {
    // With the replica's replay paused, what only the primary has shows which one answered.
    await control.query('select pg_wal_replay_pause()');
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/daos',
        headers: admin,
        payload: { slug: 'replicated', name: 'Replicated', chain: 'ethereum' },
      });
      expect(created.statusCode, created.body).toBe(201);
      // The write is on the primary …
      expect(await primary.query(`select slug from daos where slug = 'replicated'`)).toEqual([{ slug: 'replicated' }]);
      // … and not yet on the paused replica.
      expect((await control.query(`select slug from daos where slug = 'replicated'`)).rows).toEqual([]);

      // A plain read, even by the writer, goes to the replica: not there yet.
      const stale = await app.inject({ method: 'GET', url: '/api/v1/daos/replicated', headers: admin });
      expect(stale.statusCode, stale.body).toBe(404);

      // The same caller sending back the cookie its write set reads its own write from the primary.
      const cookie = created.cookies.find((c) => c.name === READ_YOUR_WRITES_COOKIE)!;
      expect(cookie).toBeDefined();
      const own = await app.inject({
        method: 'GET',
        url: '/api/v1/daos/replicated',
        headers: { ...admin, cookie: `${cookie.name}=${cookie.value}` },
      });
      expect(own.statusCode, own.body).toBe(200);
      expect(own.json().data).toMatchObject({ slug: 'replicated', name: 'Replicated' });

      // A client without cookies asks with the header; the list reads the primary too.
      const listed = await app.inject({
        method: 'GET',
        url: '/api/v1/daos?search=Replicated',
        headers: { ...admin, [READ_YOUR_WRITES_HEADER]: '1' },
      });
      expect(listed.json().data.map((d: { slug: string }) => d.slug)).toEqual(['replicated']);

      // Anonymous callers have no writes of their own: the marker does not move them to the primary.
      const anonymous = await app.inject({
        method: 'GET',
        url: '/api/v1/daos/replicated',
        headers: { [READ_YOUR_WRITES_HEADER]: '1', cookie: `${cookie.name}=${cookie.value}` },
      });
      expect(anonymous.statusCode).toBe(404);

      // A cookie whose window has ended counts for nothing.
      const expired = await app.inject({
        method: 'GET',
        url: '/api/v1/daos/replicated',
        headers: { ...admin, cookie: `${cookie.name}=${Date.now() - 1}` },
      });
      expect(expired.statusCode).toBe(404);
    } finally {
      await control.query('select pg_wal_replay_resume()');
    }
    // Once the replica replays the write, every reader sees it.
    await until(
      async () => (await app.inject({ method: 'GET', url: '/api/v1/daos/replicated' })).statusCode === 200,
      20_000,
      'the replica to show the new DAO',
    );
  });

  it('never sends a write to the replica (it would refuse it: read-only)', async () => {
    await expect(
      database.reader.execute(sql`insert into daos (slug, name, chain) values ('x', 'X', 'y')`),
    ).rejects.toMatchObject({ cause: { message: 'cannot execute INSERT in a read-only transaction' } });
    const updated = await app.inject({
      method: 'PUT',
      url: '/api/v1/daos/replicated',
      headers: admin,
      payload: { name: 'Renamed' },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(await primary.query(`select name from daos where slug = 'replicated'`)).toEqual([{ name: 'Renamed' }]);
  });
});
