import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseBusyError } from '../errors.ts';

/**
 * PGlite admits one process per data directory; a second one would corrupt it. The lock file
 * records who holds the directory and, for a server, where it listens, so CLI commands can send
 * their work to it instead.
 */
export interface DataDirLock {
  /** Records where the holding server listens, once it knows its port. */
  announce(url: string): Promise<void>;
  release(): Promise<void>;
}

export interface LockHolder {
  pid: number;
  url?: string;
  since: string;
}

export const LOCK_FILE = 'dao-portal.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLockHolder(dataDir: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await fs.readFile(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
    return isAlive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await fs.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(holder), { flag: 'wx' });
      return {
        async announce(url: string) {
          await fs.writeFile(file, JSON.stringify({ ...holder, url }));
        },
        async release() {
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readLockHolder(dataDir);
      if (current) {
        const where = current.url ? `the DAO Portal server at ${current.url}` : 'another dao-portal process';
        throw new DatabaseBusyError(
          `The embedded database in ${dataDir} is in use by ${where} (pid ${current.pid}). ` +
            'Stop it first, or point this command at a PostgreSQL server with DATABASE_URL.',
          current,
        );
      }
      // The holder died without releasing (crash, SIGKILL): the directory is free again.
      await fs.rm(file, { force: true });
    }
  }
  throw new DatabaseBusyError(`Could not lock the embedded database in ${dataDir}; try again.`);
}
