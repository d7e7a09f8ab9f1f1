import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Database, type Db, type DbKind, openDatabase } from '../../src/db/index.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Real DAO exports live beside the repository and are read in place. */
export const sharedData = path.resolve(repoRoot, '../shared/data');

/**
 * The driver client under a Db (node-postgres's pool, or the PGlite instance): every statement,
 * built with drizzle or held (src/db/prepared.ts), goes through its `query`, so a test spies on
 * it to count round trips or to make the next statement fail.
 */
export function driverOf(db: Db): { query: (...args: never[]) => Promise<unknown> } {
  return (db._.session as unknown as { client: { query: (...args: never[]) => Promise<unknown> } }).client;
}

export interface DatabaseTarget {
  kind: DbKind;
  /** A freshly migrated, empty database for one test file. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase extends Database {
  /** Closes and, on a server, drops the database. */
  destroy(): Promise<void>;
  /** A connection URL of this database (PostgreSQL only), for child processes. */
  url?: string;
}

/**
 * Every database test runs on the embedded database, and also on the real PostgreSQL server when
 * TEST_DATABASE_URL is set (CI sets it). Each test file gets its own database.
 */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ kind: 'pglite', open: openPgliteTest }];
  if (process.env.TEST_DATABASE_URL)
    targets.push({ kind: 'postgres', open: () => openPostgresTest(process.env.TEST_DATABASE_URL!) });
  return targets;
}

async function openPgliteTest(): Promise<TestDatabase> {
  const database = await openDatabase({ dataDir: 'memory://' });
  await database.migrate();
  return Object.assign(database, { destroy: () => database.close() });
}

async function openPostgresTest(adminUrl: string): Promise<TestDatabase> {
  const name = `dp_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  await database.migrate();
  return Object.assign(database, {
    url: url.toString(),
    async destroy() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  });
}
