import { tryWithAdvisoryLock } from '../db/advisory-lock.ts';
import type { Database } from '../db/index.ts';

/**
 * One lock per (DAO, job name): a sync of a DAO's source never runs twice at once, whichever
 * process or worker picked it up. `tryRun` runs `fn` only when the lock is free and reports
 * `{ ran: false }` otherwise: the holder is bringing the same data up to date right now.
 */
export interface SyncLocks {
  tryRun<T>(daoId: number, name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

// PGlite admits one process per data directory, so a lock within the process is a lock for
// everyone; it is kept per database object (tests open several in one process).
const heldByDatabase = new WeakMap<Database, Set<string>>();

export function createSyncLocks(database: Database): SyncLocks {
  return database.kind === 'postgres' ? advisoryLocks(database) : processLocks(database);
}

function processLocks(database: Database): SyncLocks {
  let held = heldByDatabase.get(database);
  if (!held) heldByDatabase.set(database, (held = new Set()));
  const locks = held;
  return {
    async tryRun(daoId, name, fn) {
      const key = `${daoId}:${name}`;
      if (locks.has(key)) return { ran: false };
      locks.add(key);
      try {
        return { ran: true, value: await fn() };
      } finally {
        locks.delete(key);
      }
    },
  };
}

/** Across processes: PostgreSQL session advisory locks (src/db/advisory-lock.ts). */
function advisoryLocks(database: Database): SyncLocks {
  return { tryRun: (daoId, name, fn) => tryWithAdvisoryLock(database, `dao-portal.sync.${name}`, daoId, fn) };
}
