import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type Database, openDatabase } from '../db/index.ts';
import { appliedMigrations, serverVersion, tableFingerprints, tablesWithRows } from '../db/maintenance.ts';
import { loadMigrations } from '../db/migrations.ts';
import {
  createDatabase,
  databaseExists,
  databaseNameOf,
  dropDatabase,
  swapDatabases,
  swapEmbeddedData,
  withDatabase,
} from '../db/snapshots.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { VERSION } from '../version.ts';
import {
  checkFile,
  compareTables,
  MANIFEST_FORMAT,
  type Manifest,
  manifestPath,
  readManifest,
  sha256File,
  writeAtomically,
} from './manifest.ts';
import { pgDump, pgRestore } from './pg-tools.ts';

/** Progress lines (the CLI prints them on stderr; the scheduler logs them at debug level). */
export type OnProgress = (message: string) => void;
const quiet: OnProgress = () => {};

/** A file-name-safe UTC time with milliseconds: 2026-12-03T01-15-00-123Z. */
export const stampOf = (date: Date) => date.toISOString().replace(/[:.]/g, '-');

export const extensionOf = (kind: Manifest['kind']) => (kind === 'pglite' ? '.tar.gz' : '.pgdump');

export interface WrittenBackup {
  file: string;
  manifest: Manifest;
}

export interface BackupOptions {
  /** Directory the backup and its manifest are written to (made when missing). */
  dir: string;
  /** PostgreSQL only: the URL `pg_dump` connects to (the same database as `database`). */
  databaseUrl?: string | undefined;
  onProgress?: OnProgress;
}

/**
 * Writes a consistent backup of `database` and its manifest into `options.dir`. Counts,
 * checksums and the dump all read one snapshot (`Database.snapshot`), so a backup taken while an
 * import or a sync runs holds a state the database really was in, and its manifest describes
 * exactly that state. The dump is written under a temporary name and renamed when complete;
 * the manifest, written last, is what makes it a backup.
 */
export async function writeBackup(database: Database, options: BackupOptions): Promise<WrittenBackup> {
  const progress = options.onProgress ?? quiet;
  if (database.kind === 'postgres' && !options.databaseUrl) {
    throw new ValidationError('a PostgreSQL backup needs DATABASE_URL for pg_dump');
  }
  await fsp.mkdir(options.dir, { recursive: true });
  const createdAt = new Date();
  const name = `dao-portal-${database.kind}-${stampOf(createdAt)}${extensionOf(database.kind)}`;
  const file = path.join(options.dir, name);
  const partial = `${file}.partial`;
  const started = performance.now();
  try {
    const described = await database.snapshot(async (view) => {
      progress('counting rows and computing checksums of every table');
      const tables = await tableFingerprints(view.query);
      const migrations = await appliedMigrations(view.query);
      const version = await serverVersion(view.query);
      const rows = Object.values(tables).reduce((a, t) => a + t.rows, 0);
      progress(`${Object.keys(tables).length} tables, ${rows.toLocaleString('en-US')} rows; dumping`);
      if (view.dumpDataDir) await writeAtomically(partial, await view.dumpDataDir());
      else await pgDump(options.databaseUrl!, partial, view.snapshotId);
      return { tables, migrations, version };
    });
    const seconds = (performance.now() - started) / 1000;
    const bytes = (await fsp.stat(partial)).size;
    progress(`dump written (${formatBytes(bytes)} in ${seconds.toFixed(1)}s); computing its SHA-256`);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      kind: database.kind,
      created_at: createdAt.toISOString(),
      version: VERSION,
      server_version: described.version,
      migrations: described.migrations,
      tables: described.tables,
      seconds: Math.round(seconds * 1000) / 1000,
      file: { name, bytes, sha256: await sha256File(partial) },
    };
    await fsp.rename(partial, file);
    await writeAtomically(manifestPath(file), `${JSON.stringify(manifest, null, 2)}\n`);
    return { file, manifest };
  } catch (error) {
    await fsp.rm(partial, { force: true });
    throw error;
  }
}

export interface VerifyResult {
  manifest: Manifest;
  tables: number;
  rows: number;
  seconds: number;
}

/**
 * Restores a backup into a scratch database (PGlite: in memory; PostgreSQL: a temporary database
 * on the server of `databaseUrl`, dropped afterwards) and compares every table's row count and
 * checksum with the manifest. Throws a ValidationError naming the first differences.
 */
export async function verifyBackup(
  file: string,
  options: { databaseUrl?: string | undefined; onProgress?: OnProgress } = {},
): Promise<VerifyResult> {
  const progress = options.onProgress ?? quiet;
  const started = performance.now();
  progress(`checking ${path.basename(file)} against its manifest (size, SHA-256)`);
  const manifest = await readManifest(file);
  await checkFile(file, manifest);
  progress('restoring into a scratch database');
  const tables = await restoredFingerprints(file, manifest, options.databaseUrl, progress);
  const problems = compareTables(manifest.tables, tables);
  if (problems.length) {
    throw new ValidationError(
      `${file} does not restore to what its manifest describes: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
    );
  }
  return {
    manifest,
    tables: Object.keys(tables).length,
    rows: Object.values(tables).reduce((a, t) => a + t.rows, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

async function fingerprintsOf(database: Database) {
  return database.snapshot((view) => tableFingerprints(view.query));
}

async function loadTarball(file: string): Promise<Blob> {
  return new Blob([await fsp.readFile(file)]);
}

/** Fingerprints of the backup restored into a throwaway database. */
async function restoredFingerprints(
  file: string,
  manifest: Manifest,
  databaseUrl: string | undefined,
  progress: OnProgress,
): Promise<Manifest['tables']> {
  if (manifest.kind === 'pglite') {
    const scratch = await openDatabase({ dataDir: 'memory://', loadDataDir: await loadTarball(file) });
    try {
      progress('comparing row counts and checksums');
      return await fingerprintsOf(scratch);
    } finally {
      await scratch.close();
    }
  }
  if (!databaseUrl) {
    throw new ValidationError(
      `${file} is a PostgreSQL backup: set DATABASE_URL to a server where a scratch database may be created`,
    );
  }
  const name = scratchName(databaseNameOf(databaseUrl), 'verify');
  await createDatabase(databaseUrl, name);
  try {
    await pgRestore(withDatabase(databaseUrl, name), file);
    progress('comparing row counts and checksums');
    const scratch = await openDatabase({ databaseUrl: withDatabase(databaseUrl, name), poolSize: 1 });
    try {
      return await fingerprintsOf(scratch);
    } finally {
      await scratch.close();
    }
  } finally {
    await dropDatabase(databaseUrl, name);
  }
}

/** A database name of `base` and a purpose that fits PostgreSQL's 63 bytes. */
function scratchName(base: string, purpose: string): string {
  const suffix = `_${purpose}_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  return `${base.slice(0, 63 - suffix.length)}${suffix}`;
}

export interface RestoreOptions {
  /** PostgreSQL target; unset: the embedded database in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Replace a database that holds data (it is kept under another name). */
  force?: boolean;
  onProgress?: OnProgress;
}

export interface RestoreResult {
  manifest: Manifest;
  /** Where the data now is (database name or directory). */
  target: string;
  /** Where the replaced data was kept (only when a non-empty target was replaced with --force). */
  kept?: string;
  seconds: number;
}

/**
 * Restores a backup. Nothing changes before the file matches its manifest; the data is then
 * restored into a new database (PostgreSQL) or directory (PGlite), checked table by table against
 * the manifest, and only then swapped in place of the target. A target that holds data is
 * refused unless `force`, and then it is kept under another name rather than dropped.
 */
export async function restoreBackup(file: string, options: RestoreOptions): Promise<RestoreResult> {
  const progress = options.onProgress ?? quiet;
  const started = performance.now();
  progress(`checking ${path.basename(file)} against its manifest (size, SHA-256)`);
  const manifest = await readManifest(file);
  await checkFile(file, manifest);
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  if (manifest.kind !== kind) {
    throw new ValidationError(
      manifest.kind === 'pglite'
        ? `${file} is a backup of the embedded database: unset DATABASE_URL to restore it into DATA_DIR`
        : `${file} is a PostgreSQL backup: set DATABASE_URL to the database to restore it into`,
    );
  }
  const known = new Set(loadMigrations().map((m) => m.version));
  const unknown = manifest.migrations.filter((v) => !known.has(v));
  if (unknown.length) {
    throw new ValidationError(
      `${file} was written by a newer DAO Portal (${manifest.version}; migrations ${unknown.join(', ')} are unknown here): upgrade first`,
    );
  }
  const stamp = stampOf(new Date()).toLowerCase().replace(/-/g, '');
  const result =
    kind === 'postgres'
      ? await restorePostgres(file, manifest, options.databaseUrl!, Boolean(options.force), stamp, progress)
      : await restoreEmbedded(file, manifest, options.dataDir, Boolean(options.force), stamp, progress);
  return { manifest, ...result, seconds: (performance.now() - started) / 1000 };
}

const refuseNonEmpty = (what: string, tables: string[], keptAs: string) =>
  new ConflictError(
    `${what} is not empty (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''} hold rows): restore into an empty database, or add --force to replace it (the current data is kept as ${keptAs})`,
  );

function checkRestored(file: string, manifest: Manifest, tables: Manifest['tables']) {
  const problems = compareTables(manifest.tables, tables);
  if (problems.length) {
    throw new ValidationError(
      `${file} did not restore to what its manifest describes (${problems.slice(0, 5).join('; ')}); the target was not changed`,
    );
  }
}

async function restorePostgres(
  file: string,
  manifest: Manifest,
  url: string,
  force: boolean,
  stamp: string,
  progress: OnProgress,
): Promise<{ target: string; kept?: string }> {
  const target = databaseNameOf(url);
  const suffix = `_replaced_${stamp}`;
  const keptAs = `${target.slice(0, 63 - suffix.length)}${suffix}`;
  let empty = true;
  if (await databaseExists(url, target)) {
    const current = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      const holding = await tablesWithRows((text, params) => current.query(text, params));
      empty = holding.length === 0;
      if (!empty && !force) throw refuseNonEmpty(`database ${target}`, holding, keptAs);
    } finally {
      await current.close();
    }
  }
  const staging = scratchName(target, 'restoring');
  progress(`restoring into a new database ${staging}`);
  await createDatabase(url, staging);
  try {
    await pgRestore(withDatabase(url, staging), file);
    progress('comparing row counts and checksums with the manifest');
    const restored = await openDatabase({ databaseUrl: withDatabase(url, staging), poolSize: 1 });
    try {
      checkRestored(file, manifest, await fingerprintsOf(restored));
    } finally {
      await restored.close();
    }
    progress(`swapping ${staging} in place of ${target}`);
    await swapDatabases(url, target, staging, keptAs);
  } catch (error) {
    await dropDatabase(url, staging).catch(() => {});
    throw error;
  }
  if (empty) {
    await dropDatabase(url, keptAs);
    return { target };
  }
  return { target, kept: keptAs };
}

async function restoreEmbedded(
  file: string,
  manifest: Manifest,
  dataDir: string,
  force: boolean,
  stamp: string,
  progress: OnProgress,
): Promise<{ target: string; kept?: string }> {
  const keptAs = `pgdata.replaced-${stamp}`;
  let empty = true;
  const exists = await fsp
    .stat(path.join(dataDir, 'pgdata', 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (exists) {
    // Opening it takes the directory's lock: a running server makes this fail before any work.
    const current = await openDatabase({ dataDir });
    try {
      const holding = await tablesWithRows((text, params) => current.query(text, params));
      empty = holding.length === 0;
      if (!empty && !force)
        throw refuseNonEmpty(`the embedded database in ${dataDir}`, holding, path.join(dataDir, keptAs));
    } finally {
      await current.close();
    }
  }
  const staging = `${dataDir.replace(/\/+$/, '')}.restoring-${stamp}`;
  progress(`restoring into a new directory ${staging}`);
  try {
    const restored = await openDatabase({ dataDir: staging, loadDataDir: await loadTarball(file) });
    try {
      progress('comparing row counts and checksums with the manifest');
      checkRestored(file, manifest, await fingerprintsOf(restored));
    } finally {
      await restored.close();
    }
    progress(`swapping it in place of ${path.join(dataDir, 'pgdata')}`);
    await fsp.mkdir(dataDir, { recursive: true });
    const kept = await swapEmbeddedData(dataDir, staging, keptAs);
    if (kept && empty) await fsp.rm(kept, { recursive: true, force: true });
    return empty || !kept ? { target: dataDir } : { target: dataDir, kept };
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}
