import type { Database } from './client.ts';

/**
 * Runs `fn` holding the PostgreSQL session advisory lock (`name`, `id`) when it is free, on a
 * dedicated connection for the whole run: the lock holds across processes and machines, and the
 * server drops it when a crashed holder's connection goes away, so a killed worker never leaves
 * it taken. Answers `{ ran: false }` without waiting when someone else holds it.
 */
export async function tryWithAdvisoryLock<T>(
  database: Database,
  name: string,
  id: number,
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  return database.session(async (query) => {
    const key = [name, id];
    const [row] = await query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1), $2) as locked', key);
    if (!row?.locked) return { ran: false as const };
    try {
      return { ran: true as const, value: await fn() };
    } finally {
      await query('select pg_advisory_unlock(hashtext($1), $2)', key).catch(() => {});
    }
  });
}
