import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';
import { applyMigrations } from './migrations.ts';
import * as schema from './schema/index.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/**
 * A transaction, as `db.transaction(async (tx) => …)` hands it. It is a Db too, so every
 * statement function takes a `Db` and runs the same inside or outside a transaction; functions
 * that must run inside one (their writes only make sense together) ask for a Tx.
 */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbKind = 'pglite' | 'postgres';
export type QueryFn = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface Database {
  /** The primary: writes, syncs, imports, and reads that must see the caller's own writes. */
  db: Db;
  /**
   * For reads that may be a moment behind the primary (the API's GET requests): the replica of
   * DATABASE_READ_URL when there is one, whose connections also carry STATEMENT_TIMEOUT_MS. Why a
   * second handle rather than one routing pool: which reads may lag is the caller's knowledge (an
   * HTTP request, src/api/context.ts), and a sync or a rollup refresh must never land on a
   * read-only replica or be cut short by the API's timeout. Without a replica or a timeout it is
   * `db` itself.
   */
  reader: Db;
  /** Where `reader` reads (never includes a password); equal to `location` when it is the primary. */
  readerLocation: string;
  kind: DbKind;
  /** Where the data lives, for messages (never includes a password). */
  location: string;
  /** Runs a raw statement and returns its rows with one shape on both drivers. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` on one connection held for its whole duration, for session state such as advisory
   * locks (which a pooled `query` could take and release on different connections).
   */
  session<T>(fn: (query: QueryFn) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the versions applied. */
  migrate(): Promise<string[]>;
  /**
   * Runs `fn` on one consistent view of the whole database, for a backup: on PostgreSQL a
   * read-only repeatable-read transaction whose snapshot `pg_dump --snapshot` can share; on PGlite
   * with every other statement and transaction of this process held back, so the data directory
   * `dumpDataDir` copies is the state `fn` reads (an import pauses between two of its batches).
   */
  snapshot<T>(fn: (view: SnapshotView) => Promise<T>): Promise<T>;
  /** Tells other processes where the server holding this database listens (embedded database only). */
  announceServer(url: string): Promise<void>;
  /** The data-directory lock's answer to a challenge (embedded database only; src/db/lock.ts), proving this process holds it. */
  proveLock(nonce: string): string | undefined;
  /** The connection pool's figures now (a PostgreSQL server); null for the embedded database, which is one connection. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

/** What `Database.snapshot` hands its callback. */
export interface SnapshotView {
  /** Statements that see the snapshot (session settings made with `set local` last until it ends). */
  query: QueryFn;
  /** PostgreSQL: the exported snapshot's id, for `pg_dump --snapshot`. */
  snapshotId?: string;
  /** PGlite: the data directory as a gzipped tarball (PGlite's `dumpDataDir`). */
  dumpDataDir?: () => Promise<Uint8Array>;
}

export interface PoolStats {
  /** Most connections the pool opens. */
  size: number;
  /** Connections running a statement or held by a session or transaction. */
  inUse: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/** Serialises migrations when several processes start against one server. */
const MIGRATION_LOCK_KEY = 7_220_415_001;

// int8 comes back as a string from node-postgres and as a number from PGlite; every int8 we
// store (ids, counts, block numbers) fits in a double, so both drivers return numbers.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** Embedded database directory; `memory://` (or undefined with no URL) keeps it in memory. */
  dataDir?: string | undefined;
  /** Connections per pool (DATABASE_POOL_SIZE; default 10). */
  poolSize?: number;
  /** A streaming replica of `databaseUrl` for `reader` (DATABASE_READ_URL; PostgreSQL only). */
  readUrl?: string | undefined;
  /**
   * `statement_timeout` of `reader`'s connections in ms (STATEMENT_TIMEOUT_MS; 0 or absent: none).
   * PostgreSQL only: PGlite runs statements to the end (its timers do not fire and it has no cancel).
   */
  statementTimeoutMs?: number;
  /** Embedded only: start the new (empty) directory from this data-directory tarball (a backup). */
  loadDataDir?: Blob | undefined;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.dataDir, options.loadDataDir);
}

function newPool(url: string, max: number, statementTimeoutMs = 0): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: pgTypes,
    // Sent with the connection's start-up packet: the server cancels a longer statement itself
    // (SQLSTATE 57014), so its work stops too, not only the wait for it.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const max = options.poolSize ?? 10;
  const timeout = options.statementTimeoutMs ?? 0;
  const pool = newPool(url, max);
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const location = redactUrl(url);
  // The reads get a pool of their own only when they differ from the primary's: another server,
  // or a timeout the primary's connections must not have (a rollup refresh may run for minutes).
  const readPool = options.readUrl || timeout > 0 ? newPool(options.readUrl ?? url, max, timeout) : undefined;
  const reader = readPool ? (drizzlePg(readPool, { schema }) as unknown as Db) : db;
  return {
    db,
    reader,
    readerLocation: options.readUrl ? redactUrl(options.readUrl) : location,
    kind: 'postgres',
    location,
    async query<T>(text: string, params: unknown[] = []) {
      return (await pool.query(text, params)).rows as T[];
    },
    async session(fn) {
      const client = await pool.connect();
      let broken = false;
      const onError = () => (broken = true);
      client.once('error', onError);
      try {
        return await fn(
          async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
        );
      } finally {
        // The listener goes with the session: a pooled connection is reused by many sessions.
        client.off('error', onError);
        // A connection that failed below SQL level is discarded rather than reused.
        client.release(broken);
      }
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          return await applyMigrations({
            exec: async (text) => void (await client.query(text)),
            rows: async <T>(text: string) => (await client.query(text)).rows as T[],
          });
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async snapshot(fn) {
      const client = await pool.connect();
      let broken = false;
      const onError = () => (broken = true);
      client.once('error', onError);
      const query = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
      try {
        await client.query('begin isolation level repeatable read read only');
        try {
          const [row] = await query<{ id: string }>('select pg_export_snapshot() as id');
          const result = await fn({ query, snapshotId: row!.id });
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    // A server's address is only needed to share an embedded directory.
    announceServer: async () => {},
    proveLock: () => undefined,
    poolStats: () => ({
      size: max,
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async close() {
      await Promise.all([pool.end(), readPool?.end()]);
    },
  };
}

async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  const inMemory = !dataDir || dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  if (!inMemory) lock = await acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    const options = loadDataDir ? { loadDataDir } : {};
    client = inMemory ? new PGlite(options) : new PGlite(path.join(dataDir, 'pgdata'), options);
    await client.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  const location = inMemory ? 'memory' : dataDir;
  return {
    db,
    // One connection in this process: there is no replica, and no timeout can apply to reads alone.
    reader: db,
    readerLocation: location,
    kind: 'pglite',
    location,
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query<T>(text, params)).rows;
    },
    // PGlite is one connection already.
    session: (fn) => fn(async <T>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows),
    async migrate() {
      try {
        return await applyMigrations({
          exec: async (text) => void (await client.exec(text)),
          rows: async <T>(text: string) => (await client.query<T>(text)).rows,
        });
      } catch (error) {
        await client.exec('rollback').catch(() => {});
        throw error;
      }
    },
    snapshot(fn) {
      // A transaction holds PGlite's transaction mutex, which every other query, exec and
      // transaction of this client waits for; dumpDataDir takes only the query mutex, free
      // between two statements. Nothing else runs until fn is done.
      return client.transaction((tx) =>
        fn({
          query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
          dumpDataDir: async () => new Uint8Array(await (await client.dumpDataDir('gzip')).arrayBuffer()),
        }),
      );
    },
    async announceServer(url: string) {
      await lock?.announce(url);
    },
    proveLock: (nonce) => lock?.prove(nonce),
    poolStats: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      await lock?.release();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

/**
 * True when a statement failed because the server cancelled it: `statement_timeout`
 * (STATEMENT_TIMEOUT_MS) or an operator's pg_cancel_backend (SQLSTATE 57014, query_canceled).
 * drizzle wraps the driver's error, so its cause is looked at too.
 */
export function isStatementTimeout(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e.code === '57014') return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** True when the database answers a trivial query. */
export async function ping(database: Database): Promise<boolean> {
  try {
    await database.db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Rows of a raw statement run through drizzle, typed by the caller (both drivers return `{ rows }`). */
export async function rowsOf<T>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}
