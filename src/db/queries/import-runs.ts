import { asc, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { daos, importRuns } from '../schema/index.ts';
import { param } from './upserts.ts';

/** What one import did, as its summary counts it. */
export interface ImportRunWrite {
  source: string | null;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  seconds: number;
}

/** Records the run as the last import of each DAO it named (the run's totals, not a per-DAO split). */
export async function recordImportRun(db: Db, daoIds: number[], run: ImportRunWrite): Promise<void> {
  if (daoIds.length === 0) return;
  await rowsOf(
    db,
    sql`
    insert into import_runs (dao_id, source, finished_at, records, inserted, updated, unchanged, rejected, seconds)
    select id, ${run.source}, now(), ${run.records}, ${run.inserted}, ${run.updated}, ${run.unchanged}, ${run.rejected}, ${run.seconds}
      from unnest(${param(daoIds)}::int[]) as id
    on conflict (dao_id) do update set source = excluded.source, finished_at = excluded.finished_at,
      records = excluded.records, inserted = excluded.inserted, updated = excluded.updated,
      unchanged = excluded.unchanged, rejected = excluded.rejected, seconds = excluded.seconds`,
  );
}

/** The last import of every DAO (or of one), with its DAO, by DAO id. */
export async function listImportRuns(db: Db, daoId?: number) {
  return db
    .select({ dao: { id: daos.id, slug: daos.slug, name: daos.name }, run: importRuns })
    .from(importRuns)
    .innerJoin(daos, eq(daos.id, importRuns.daoId))
    .where(daoId === undefined ? undefined : eq(daos.id, daoId))
    .orderBy(asc(daos.id));
}
