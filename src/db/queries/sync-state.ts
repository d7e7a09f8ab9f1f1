import { asc, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { daos, syncState } from '../schema/index.ts';

/**
 * sync_state: one row per (DAO, source) with the source's cursor, the state of its last run and
 * what that run reported. The sync engine (src/sync) decides when these change; this file owns
 * how. A cursor is only ever written inside the caller's transaction, next to the rows it covers.
 */
export type SyncStateRow = typeof syncState.$inferSelect;

/** Marks the (DAO, source) running; returns its cursor and the status the previous run left. */
export async function startRun(
  db: Db,
  daoId: number,
  source: string,
): Promise<{ cursor: Record<string, unknown>; previous: string | null } | undefined> {
  const [state] = await rowsOf<{ cursor: Record<string, unknown>; previous: string | null }>(
    db,
    sql`
    with prev as (select status from sync_state where dao_id = ${daoId} and source = ${source})
    insert into sync_state (dao_id, source, status, started_at, updated_at)
    values (${daoId}, ${source}, 'running', now(), now())
    on conflict (dao_id, source) do update set status = 'running', started_at = now(), updated_at = now()
    returning cursor, (select status from prev) as previous`,
  );
  return state;
}

export async function finishRun(
  db: Db,
  daoId: number,
  source: string,
  outcome: { lag: number | null; details: Record<string, unknown> },
): Promise<void> {
  await db.execute(sql`
    update sync_state set status = 'idle', last_success_at = now(), last_error = null,
           lag = ${outcome.lag}, details = ${JSON.stringify(outcome.details)}::jsonb, updated_at = now()
     where dao_id = ${daoId} and source = ${source}`);
}

export async function failRun(db: Db, daoId: number, source: string, message: string): Promise<void> {
  await db.execute(sql`
    update sync_state set status = 'failed', last_error = ${message}, updated_at = now()
     where dao_id = ${daoId} and source = ${source}`);
}

/** Replaces the cursor; meant for the transaction that writes the rows it covers. */
export async function saveCursor(
  tx: Db,
  daoId: number,
  source: string,
  cursor: Record<string, unknown>,
): Promise<void> {
  await tx.execute(sql`
    insert into sync_state (dao_id, source, cursor, status, updated_at)
    values (${daoId}, ${source}, ${JSON.stringify(cursor)}::jsonb, 'running', now())
    on conflict (dao_id, source) do update set cursor = excluded.cursor, updated_at = now()`);
}

/** Progress of a long run in details.progress; only a row still 'running' is touched, so a late write never lands on the outcome. */
export async function recordProgress(
  db: Db,
  daoId: number,
  source: string,
  progress: { done: number; total: number | null; at: string },
): Promise<void> {
  await db.execute(sql`
    update sync_state set details = details || jsonb_build_object('progress', ${JSON.stringify(progress)}::jsonb)
     where dao_id = ${daoId} and source = ${source} and status = 'running'`);
}

/**
 * Marks a (DAO, source) as waiting to run, so the status endpoint shows it before its first run
 * starts; a running or previously failed state is left as it is (the run will overwrite it).
 */
export async function markScheduled(db: Db, daoId: number, source: string): Promise<void> {
  await rowsOf(
    db,
    sql`
    insert into sync_state (dao_id, source, status, updated_at) values (${daoId}, ${source}, 'scheduled', now())
    on conflict (dao_id, source) do update set status = 'scheduled', updated_at = now()
     where sync_state.status = 'idle'
    returning id`,
  );
}

/** `dao_id:source` of every pair that has a state (scheduled or run at least once). */
export async function knownSyncKeys(db: Db): Promise<Set<string>> {
  const rows = await rowsOf<{ key: string }>(db, sql`select dao_id || ':' || source as key from sync_state`);
  return new Set(rows.map((r) => r.key));
}

/** Every state with its DAO, by DAO id then source; one DAO's only when `daoId` is given. */
export async function listSyncStates(
  db: Db,
  daoId?: number,
): Promise<Array<{ dao: { id: number; slug: string; name: string }; state: SyncStateRow }>> {
  return db
    .select({ dao: { id: daos.id, slug: daos.slug, name: daos.name }, state: syncState })
    .from(syncState)
    .innerJoin(daos, eq(daos.id, syncState.daoId))
    .where(daoId === undefined ? undefined : eq(daos.id, daoId))
    .orderBy(asc(daos.id), asc(syncState.source));
}
