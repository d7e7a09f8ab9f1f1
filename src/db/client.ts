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
  db: Db;
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
  /** Tells other processes where the server holding this database listens (embedded database only). */
  announceServer(url: string): Promise<void>;
  /** The data-directory lock's answer to a challenge (embedded database only; src/db/lock.ts), proving this process holds it. */
  proveLock(nonce: string): string | undefined;
  close(): Promise<void>;
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
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const location = redactUrl(url);
  return {
    db,
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
    // A server's address is only needed to share an embedded directory.
    announceServer: async () => {},
    proveLock: () => undefined,
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const inMemory = !dataDir || dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  if (!inMemory) lock = await acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    client = inMemory ? new PGlite() : new PGlite(path.join(dataDir, 'pgdata'));
    await client.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    location: inMemory ? 'memory' : dataDir,
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
    async announceServer(url: string) {
      await lock?.announce(url);
    },
    proveLock: (nonce) => lock?.prove(nonce),
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
