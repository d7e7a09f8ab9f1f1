import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { acquireDataDirLock } from './lock.ts';

/**
 * The database-level steps of a restore that are not statements on the portal's own tables:
 * making, renaming and dropping whole PostgreSQL databases (through the server's maintenance
 * database), and swapping an embedded data directory. A restore always writes into a new
 * database or directory and swaps it in only once it has been checked, so a failed restore
 * leaves the target as it was.
 */

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The database a PostgreSQL URL names. */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name || new URL(url).username || 'postgres';
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

async function onMaintenanceDb<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const target = databaseNameOf(url);
  const client = new pg.Client({
    connectionString: withDatabase(url, target === 'postgres' ? 'template1' : 'postgres'),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function databaseExists(url: string, name: string): Promise<boolean> {
  return onMaintenanceDb(
    url,
    async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount! > 0,
  );
}

export async function createDatabase(url: string, name: string): Promise<void> {
  await onMaintenanceDb(url, (c) => c.query(`create database ${quoteIdent(name)} template template0`));
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  await onMaintenanceDb(url, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
}

/**
 * Puts database `replacement` in the place of `target`: the target (when it exists) is renamed to
 * `keptAs`, after its other connections are closed (a database cannot be renamed while in use;
 * a running server's pool reconnects to the new one by name). Both renames in one transaction.
 */
export async function swapDatabases(url: string, target: string, replacement: string, keptAs: string): Promise<void> {
  await onMaintenanceDb(url, async (c) => {
    const exists = (await c.query('select 1 from pg_database where datname = $1', [target])).rowCount! > 0;
    if (exists) {
      await c.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [target],
      );
    }
    await c.query('begin');
    try {
      if (exists) await c.query(`alter database ${quoteIdent(target)} rename to ${quoteIdent(keptAs)}`);
      await c.query(`alter database ${quoteIdent(replacement)} rename to ${quoteIdent(target)}`);
      await c.query('commit');
    } catch (error) {
      await c.query('rollback').catch(() => {});
      throw error;
    }
  });
}

/**
 * Moves the data directory `staging/pgdata` into `dataDir/pgdata`, keeping the one it replaces
 * as `dataDir/<keptAs>`; under the data directory's lock, so it fails (changing nothing) while a
 * server holds it. Returns the kept directory's path, if there was one.
 */
export async function swapEmbeddedData(dataDir: string, staging: string, keptAs: string): Promise<string | undefined> {
  const lock = await acquireDataDirLock(dataDir);
  try {
    const current = path.join(dataDir, 'pgdata');
    const kept = path.join(dataDir, keptAs);
    const exists = await fs
      .stat(current)
      .then(() => true)
      .catch(() => false);
    if (exists) await fs.rename(current, kept);
    try {
      await fs.rename(path.join(staging, 'pgdata'), current);
    } catch (error) {
      if (exists) await fs.rename(kept, current);
      throw error;
    }
    await fs.rm(staging, { recursive: true, force: true });
    return exists ? kept : undefined;
  } finally {
    await lock.release();
  }
}
