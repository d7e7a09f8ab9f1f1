import { sql } from 'drizzle-orm';
import { type Db, rowsOf, type Tx } from './client.ts';
import {
  addFirstVoteBuckets,
  closeActivityKeys,
  type Scope,
  takeChanges,
  writeActivity,
  writeActivitySeries,
  writeRollupState,
  writeTallies,
  writeVoters,
} from './rollup-statements.ts';

export { ROLLUP_METRIC_PREFIX, ROLLUP_TABLES } from './rollup-statements.ts';

/**
 * A refresh rebuilds the DAO's rollups instead of updating them key by key when its logged
 * changes pass both REBUILD_MIN_CHANGES and a quarter of its votes (REBUILD_SHARE), counted in
 * the refresh's own transaction. It compared with daos.total_votes, which is written after the
 * rollups and so still held the count from before the write: 0 for votes imported after their
 * proposals, so a large first import of votes ran key by key. An update costs up to about ten
 * times a rebuild per row (bench/rollups.ts), so at a quarter it costs at most a few rebuilds;
 * both store the same values.
 */
const REBUILD_MIN_CHANGES = 1_000;
const REBUILD_SHARE = 4;

export interface RollupResult {
  daoId: number;
  mode: 'rebuild' | 'update' | 'none';
  changes: number;
  ms: number;
  /** Milliseconds per step (changes, tallies, voters, keys, activity, series, state). */
  steps: Record<string, number>;
}

/**
 * Brings the metric rollups of the given DAOs up to date with their raw rows: proposal_tallies
 * (with outcomes), dao_voters, dao_activity, the activity series in dao_metrics
 * and dao_rollup_state. Incremental: the triggers of migration 0033 log each write to votes and
 * proposals in rollup_changes, and only the proposals, voters and buckets those changes touched
 * are recomputed. A DAO that never had rollups, or whose change log is large relative to its
 * votes (a first import), is rebuilt whole. One transaction per DAO, serialised per DAO by an
 * advisory lock, so concurrent syncs of one DAO never interleave their rollup writes.
 */
export async function refreshRollups(db: Db, daoIds: number[]): Promise<RollupResult[]> {
  const results: RollupResult[] = [];
  for (const daoId of daoIds) results.push(await refreshOne(db, daoId, 'auto'));
  return results;
}

/**
 * Every refresh statement reads one DAO's rows through its indexes, but estimates made from stale
 * statistics (a rollup table grown from empty since its last ANALYZE) put many of them past
 * PostgreSQL's jit_above_cost, and compiling them then cost more than running them: 60 ms of
 * emission for a 70 ms statement, on each of the refresh's statements, for every small DAO of a
 * recompute. No statement here runs long enough for JIT to pay. PGlite accepts the setting (it
 * has no JIT).
 */
export const NO_JIT = sql`set local jit = off`;

/**
 * Refreshes the planner's statistics of the rollup tables. A recompute fills them from empty, and
 * until autovacuum gets to them the planner takes them for nearly empty (or for the size they had
 * before), so the statements of the DAOs after the first large ones get plans for the wrong size.
 */
export async function analyzeRollupTables(db: Db): Promise<void> {
  await db.execute(sql`analyze proposal_tallies, dao_voters, dao_activity, dao_metrics`);
}

/** Rebuilds the DAOs' rollups from their raw rows, ignoring the change log (`dao-portal recompute`). */
export async function rebuildRollups(db: Db, daoIds: number[]): Promise<RollupResult[]> {
  const results: RollupResult[] = [];
  for (const daoId of daoIds) results.push(await refreshOne(db, daoId, 'rebuild'));
  return results;
}

async function refreshOne(db: Db, daoId: number, mode: 'auto' | 'rebuild'): Promise<RollupResult> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const result = (mode: RollupResult['mode'], changes: number): RollupResult => ({
    daoId,
    mode,
    changes,
    ms: performance.now() - started,
    steps,
  });
  return db.transaction(async (tx) => {
    await tx.execute(NO_JIT);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('dao-portal rollups'), ${daoId})`);
    const [state] = await rowsOf<{ built: boolean; pending: number }>(
      tx,
      sql`
      select exists (select 1 from dao_rollup_state where dao_id = d.id) as built,
             (select count(*)::int from rollup_changes where dao_id = d.id) as pending
        from daos d where d.id = ${daoId}`,
    );
    if (!state) {
      await tx.execute(sql`delete from rollup_changes where dao_id = ${daoId}`);
      return result('none', 0);
    }
    if (mode === 'rebuild' || !state.built || (await rebuildIsCheaper(tx, daoId, state.pending))) {
      const [taken] = await rowsOf<{ n: number }>(
        tx,
        sql`
        with taken as (delete from rollup_changes where dao_id = ${daoId} returning 1) select count(*)::int as n from taken`,
      );
      await writeAll(tx, daoId, 'dao', steps);
      return result('rebuild', taken!.n);
    }
    if (state.pending === 0) return result('none', 0);
    const changes = await timed(steps, 'changes', () => takeChanges(tx, daoId));
    await writeAll(tx, daoId, 'changes', steps);
    return result('update', changes);
  });
}

/** Whether the pending changes pass REBUILD_MIN_CHANGES and a REBUILD_SHARE of the DAO's votes as they are now. */
async function rebuildIsCheaper(tx: Tx, daoId: number, pending: number): Promise<boolean> {
  if (pending <= REBUILD_MIN_CHANGES) return false;
  // Counting stops at the bound, so a large DAO with a small batch reads only that many index entries.
  const bound = pending * REBUILD_SHARE;
  const [row] = await rowsOf<{ n: number }>(
    tx,
    sql`select count(*)::int as n from (select 1 from votes where dao_id = ${daoId} limit ${bound}) v`,
  );
  return row!.n < bound;
}

async function timed<T>(steps: Record<string, number>, name: string, step: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const value = await step();
  steps[name] = Math.round(performance.now() - t);
  return value;
}

async function writeAll(tx: Tx, daoId: number, scope: Scope, steps: Record<string, number>) {
  await timed(steps, 'tallies', () => writeTallies(tx, daoId, scope));
  await timed(steps, 'voters', () => writeVoters(tx, daoId, scope));
  if (scope === 'changes') {
    await timed(steps, 'keys', async () => {
      await addFirstVoteBuckets(tx, daoId);
      await closeActivityKeys(tx);
    });
  }
  await timed(steps, 'activity', () => writeActivity(tx, daoId, scope));
  await timed(steps, 'series', () => writeActivitySeries(tx, daoId, scope));
  await timed(steps, 'state', () => writeRollupState(tx, daoId));
}

/** Drops logged changes of DAOs that no longer exist (deleted while a refresh was pending). */
export async function forgetOrphanChanges(db: Db): Promise<void> {
  await db.execute(sql`delete from rollup_changes c where not exists (select 1 from daos d where d.id = c.dao_id)`);
}

/** DAOs whose logged changes no refresh has applied yet (a process killed mid-import or mid-sync). */
export async function daosWithPendingChanges(db: Db): Promise<number[]> {
  const rows = await rowsOf<{ dao_id: number }>(
    db,
    sql`select distinct c.dao_id from rollup_changes c join daos d on d.id = c.dao_id order by 1`,
  );
  return rows.map((r) => r.dao_id);
}
