import { inArray, or, sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.ts';
import type { DaoRow } from './queries/daos.ts';
import { daos } from './schema/index.ts';
import {
  addFirstVoteBuckets, closeActivityKeys, takeChanges, writeActivity, writeActivitySeries, writeRollupState, writeTallies,
  writeVoterBuckets, writeVoters, type Scope, type Tx,
} from './rollup-statements.ts';

export { ROLLUP_METRIC_PREFIX, ROLLUP_TABLES } from './rollup-statements.ts';

/**
 * Past this many logged changes (and a quarter of the DAO's votes) a rebuild is cheaper than
 * recomputing the changed keys one by one; both store the same values.
 */
const REBUILD_CHANGES = 20_000;

export interface RollupResult {
  daoId: number;
  mode: 'rebuild' | 'update' | 'none';
  changes: number;
  ms: number;
  /** Milliseconds per step (tallies, voters, buckets, activity, series, state). */
  steps: Record<string, number>;
}

/**
 * Brings the metric rollups of the given DAOs up to date with their raw rows: proposal_tallies
 * (with outcomes), dao_voters, dao_voter_buckets, dao_activity, the activity series in dao_metrics
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

/** Rebuilds the DAOs' rollups from their raw rows, ignoring the change log (`dao-portal recompute`). */
export async function rebuildRollups(db: Db, daoIds: number[]): Promise<RollupResult[]> {
  const results: RollupResult[] = [];
  for (const daoId of daoIds) results.push(await refreshOne(db, daoId, 'rebuild'));
  return results;
}

async function refreshOne(db: Db, daoId: number, mode: 'auto' | 'rebuild'): Promise<RollupResult> {
  const started = performance.now();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('dao-portal rollups'), ${daoId})`);
    const [state] = await rowsOf<{ exists: boolean; built: boolean; votes: number; pending: number }>(tx, sql`
      select exists (select 1 from daos where id = ${daoId}) as exists,
             exists (select 1 from dao_rollup_state where dao_id = ${daoId}) as built,
             coalesce((select total_votes from daos where id = ${daoId}), 0) as votes,
             (select count(*)::int from (select 1 from rollup_changes where dao_id = ${daoId} limit ${REBUILD_CHANGES + 1}) c) as pending`);
    const s = state!;
    if (!s.exists) {
      await tx.execute(sql`delete from rollup_changes where dao_id = ${daoId}`);
      return { daoId, mode: 'none' as const, changes: 0, ms: performance.now() - started, steps: {} };
    }
    const rebuild = mode === 'rebuild' || !s.built || (s.pending > REBUILD_CHANGES && s.pending > s.votes / 4);
    if (rebuild) {
      const [taken] = await rowsOf<{ n: number }>(tx, sql`
        with taken as (delete from rollup_changes where dao_id = ${daoId} returning 1) select count(*)::int as n from taken`);
      const steps = await writeAll(tx, daoId, 'dao');
      return { daoId, mode: 'rebuild' as const, changes: taken!.n, ms: performance.now() - started, steps };
    }
    if (s.pending === 0) return { daoId, mode: 'none' as const, changes: 0, ms: performance.now() - started, steps: {} };
    const taking = performance.now();
    const changes = await takeChanges(tx, daoId);
    const steps = { changes: performance.now() - taking, ...(await writeAll(tx, daoId, 'changes')) };
    return { daoId, mode: 'update' as const, changes, ms: performance.now() - started, steps };
  });
}

async function writeAll(tx: Tx, daoId: number, scope: Scope): Promise<Record<string, number>> {
  const steps: Record<string, number> = {};
  const timed = async (name: string, step: () => Promise<unknown>) => {
    const t = performance.now();
    await step();
    steps[name] = Math.round(performance.now() - t);
  };
  await timed('tallies', () => writeTallies(tx, daoId, scope));
  await timed('voters', () => writeVoters(tx, daoId, scope));
  if (scope === 'changes') {
    await timed('keys', async () => {
      await addFirstVoteBuckets(tx, daoId);
      await closeActivityKeys(tx);
    });
  }
  await timed('buckets', () => writeVoterBuckets(tx, daoId, scope));
  await timed('activity', () => writeActivity(tx, daoId, scope));
  await timed('series', () => writeActivitySeries(tx, daoId, scope));
  await timed('state', () => writeRollupState(tx, daoId));
  return steps;
}

/** A DAO row with the version of its rollups: when they were last written (null: never). */
export interface VersionedDao {
  dao: DaoRow;
  version: string | null;
}

/**
 * The DAOs named by `keys` (ids or slugs) with their rollup versions, in one read, by key; keys
 * naming no DAO are absent. Cached metric answers older than a DAO's version are stale.
 */
export async function daosWithRollupVersion(db: Db, keys: string[]): Promise<Map<string, VersionedDao>> {
  const found = new Map<string, VersionedDao>();
  if (keys.length === 0) return found;
  const ids = keys.filter((k) => /^\d+$/.test(k) && Number(k) <= 2 ** 31 - 1).map(Number);
  const slugs = keys.filter((k) => !(/^\d+$/.test(k) && Number(k) <= 2 ** 31 - 1));
  const rows = await db
    .select({ dao: daos, version: sql<string | null>`(select r.refreshed_at::text from dao_rollup_state r where r.dao_id = "daos"."id")` })
    .from(daos)
    .where(or(ids.length ? inArray(daos.id, ids) : undefined, slugs.length ? inArray(daos.slug, slugs) : undefined));
  for (const row of rows) {
    if (ids.includes(row.dao.id)) found.set(String(row.dao.id), row);
    if (slugs.includes(row.dao.slug)) found.set(row.dao.slug, row);
  }
  return found;
}
