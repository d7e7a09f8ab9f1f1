import { createHash } from 'node:crypto';
import { refreshDaoAggregates } from './aggregates.ts';
import type { Database, QueryFn } from './client.ts';
import { daosWithPendingChanges } from './rollups.ts';

/** Row count and content checksum of one table, as a backup's manifest records them. */
export interface TableFingerprint {
  rows: number;
  /** SHA-256 (hex) of the table's order-independent row hash sums (see `tableFingerprints`). */
  checksum: string;
}

/** Tables that only say the schema exists or hold a generated secret: a database with nothing else is empty. */
const BOOKKEEPING_TABLES = new Set(['schema_migrations', 'app_secrets']);

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The application's tables (schema public), in name order. */
export async function listTables(query: QueryFn): Promise<string[]> {
  const rows = await query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' order by tablename collate "C"`,
  );
  return rows.map((r) => r.name);
}

/**
 * Every table's row count and checksum. Each row is hashed as its text form (md5 of `t::text`),
 * and two 60-bit slices of those hashes are summed: the result does not depend on row order or
 * physical layout (a restore writes rows in another order), needs no primary key (rollup_changes
 * has none), and runs in constant memory on tables of millions of rows. The text form depends
 * on session settings, so they are fixed (`set local`: call this inside a transaction, e.g.
 * `Database.snapshot`).
 */
export async function tableFingerprints(query: QueryFn): Promise<Record<string, TableFingerprint>> {
  await query(`set local timezone = 'UTC'`);
  await query(`set local datestyle = 'ISO, MDY'`);
  await query(`set local extra_float_digits = 1`);
  await query(`set local bytea_output = 'hex'`);
  const result: Record<string, TableFingerprint> = {};
  for (const table of await listTables(query)) {
    const [row] = await query<{ rows: number; a: string; b: string }>(
      `select count(*)::int8 as rows,
              coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::int8), 0)::text as a,
              coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::int8), 0)::text as b
         from (select md5(t::text) as h from ${quoteIdent(table)} t) hashed`,
    );
    result[table] = {
      rows: Number(row!.rows),
      checksum: createHash('sha256').update(`${row!.rows}:${row!.a}:${row!.b}`).digest('hex'),
    };
  }
  return result;
}

/** The migration versions recorded in the database, in order. */
export async function appliedMigrations(query: QueryFn): Promise<string[]> {
  const tables = await listTables(query);
  if (!tables.includes('schema_migrations')) return [];
  const rows = await query<{ version: string }>('select version from schema_migrations order by version');
  return rows.map((r) => r.version);
}

/** The server's PostgreSQL version (`server_version`), e.g. "15.20" or PGlite's "17.4". */
export async function serverVersion(query: QueryFn): Promise<string> {
  const [row] = await query<{ v: string }>("select current_setting('server_version') as v");
  return row!.v.split(' ')[0]!;
}

/** Tables (other than bookkeeping ones) that hold rows: a restore without --force refuses a database with any. */
export async function tablesWithRows(query: QueryFn): Promise<string[]> {
  const found: string[] = [];
  for (const table of await listTables(query)) {
    if (BOOKKEEPING_TABLES.has(table)) continue;
    const rows = await query(`select 1 from ${quoteIdent(table)} limit 1`);
    if (rows.length) found.push(table);
  }
  return found;
}

export interface MaintenanceStep {
  step: string;
  ms: number;
  detail?: string;
}

/**
 * Routine upkeep, safe while the portal runs: applies rollup changes an interrupted import or sync
 * logged but never applied, drops change rows of DAOs that no longer exist and expired sessions,
 * then VACUUM (ANALYZE) and REINDEX of the application's schema (CONCURRENTLY on a server, so
 * reads and writes go on; PGlite has one connection and nothing to wait for).
 */
export async function runMaintenance(
  database: Database,
  onStep: (step: MaintenanceStep) => void = () => {},
): Promise<MaintenanceStep[]> {
  const steps: MaintenanceStep[] = [];
  const timed = async (step: string, fn: () => Promise<string | undefined>) => {
    const started = performance.now();
    const detail = await fn();
    const done = { step, ms: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
    steps.push(done);
    onStep(done);
  };
  await timed('apply pending rollup changes', async () => {
    const daos = await daosWithPendingChanges(database.db);
    await refreshDaoAggregates(database.db, daos);
    return `${daos.length} DAOs`;
  });
  await timed('delete rollup changes of deleted DAOs', async () => {
    const rows = await database.query<{ n: number }>(
      `with gone as (delete from rollup_changes c where not exists (select 1 from daos d where d.id = c.dao_id) returning 1)
       select count(*)::int8 as n from gone`,
    );
    return `${Number(rows[0]?.n ?? 0)} rows`;
  });
  await timed('delete expired sessions', async () => {
    const rows = await database.query<{ n: number }>(
      `with gone as (delete from sessions where expires_at < now() - interval '1 day' returning 1)
       select count(*)::int8 as n from gone`,
    );
    return `${Number(rows[0]?.n ?? 0)} rows`;
  });
  await timed('vacuum (analyze)', async () => {
    await database.query('vacuum (analyze)');
    return undefined;
  });
  await timed('reindex', async () => {
    await database.query(database.kind === 'postgres' ? 'reindex schema concurrently public' : 'reindex schema public');
    return undefined;
  });
  return steps;
}
