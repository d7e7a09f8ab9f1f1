import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup, verifyBackup, writeBackup } from '../src/backup/backup.ts';
import { manifestPath, readManifest } from '../src/backup/manifest.ts';
import { backupMeasurement, backupStatus, runScheduledBackup } from '../src/backup/scheduler.ts';
import { loadConfig } from '../src/config/index.ts';
import { refreshDaoAggregates } from '../src/db/aggregates.ts';
import { type Database, openDatabase } from '../src/db/index.ts';
import { tableFingerprints } from '../src/db/maintenance.ts';
import { daosWithPendingChanges } from '../src/db/rollups.ts';
import { databaseNameOf, withDatabase } from '../src/db/snapshots.ts';
import { Importer } from '../src/import/importer.ts';
import { readRecords } from '../src/import/reader.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

const fingerprints = (database: Database) => database.snapshot((view) => tableFingerprints(view.query));
const votes = async (database: Database) =>
  Number((await database.query<{ n: number }>('select count(*)::int8 as n from votes'))[0]!.n);

describe.each(databaseTargets())('backups on $kind', { timeout: 300_000 }, (target) => {
  let source: TestDatabase;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-backup-'));
  const dir = path.join(tmp, 'backups');
  /** Where restores go: a fresh database name on the server, or a fresh DATA_DIR. */
  let restoreUrl: string | undefined;
  const restoreDir = path.join(tmp, 'restored');
  let first: { file: string; before: Awaited<ReturnType<typeof fingerprints>> };

  const restoreOptions = (force = false) => ({ databaseUrl: restoreUrl, dataDir: restoreDir, force });
  const openRestored = () =>
    restoreUrl ? openDatabase({ databaseUrl: restoreUrl, poolSize: 1 }) : openDatabase({ dataDir: restoreDir });
  const restoredFingerprints = async () => {
    const restored = await openRestored();
    try {
      return await fingerprints(restored);
    } finally {
      await restored.close();
    }
  };
  /** Databases or directories a failed restore might leave behind. */
  const leftovers = async (): Promise<string[]> => {
    if (!restoreUrl) return fs.readdirSync(tmp).filter((n) => n.includes('.restoring-'));
    const client = new pg.Client({ connectionString: withDatabase(restoreUrl, 'postgres') });
    await client.connect();
    try {
      const rows = await client.query('select datname from pg_database where datname like $1', [
        `${databaseNameOf(restoreUrl)}_restoring%`,
      ]);
      return rows.rows.map((r) => r.datname as string);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    source = await target.open();
    if (source.url) {
      const u = new URL(source.url);
      u.pathname = `${u.pathname}_rs`;
      restoreUrl = u.toString();
    }
    await importText(source, convertedNdjson('tokenomics'), { source: 'tokenomics' });
  }, 180_000);

  afterAll(async () => {
    await source?.destroy();
    if (restoreUrl) {
      const client = new pg.Client({ connectionString: withDatabase(restoreUrl, 'postgres') });
      await client.connect();
      try {
        const rows = await client.query('select datname from pg_database where datname like $1', [
          `${databaseNameOf(restoreUrl)}%`,
        ]);
        for (const r of rows.rows) await client.query(`drop database if exists "${r.datname}" with (force)`);
      } finally {
        await client.end();
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes a backup whose manifest describes the database table by table, and restores it equal', async () => {
    const before = await fingerprints(source);
    const { file, manifest } = await writeBackup(source, { dir, databaseUrl: source.url });
    first = { file, before };
    expect(manifest.kind).toBe(target.kind);
    expect(manifest.tables).toEqual(before);
    expect(manifest.tables.votes!.rows).toBe(await votes(source));
    expect(manifest.migrations).toEqual(
      (await source.query<{ version: string }>('select version from schema_migrations order by version')).map(
        (r) => r.version,
      ),
    );
    expect(fs.existsSync(manifestPath(file))).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);

    const verified = await verifyBackup(file, { databaseUrl: source.url });
    expect(verified.tables).toBe(Object.keys(before).length);

    const restored = await restoreBackup(file, restoreOptions());
    expect(restored.kept).toBeUndefined();
    expect(await restoredFingerprints()).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });

  it('takes a consistent snapshot while an import is running', async () => {
    const start = await votes(source);
    const text = convertedNdjson('decentraland');
    const lines = text.trimEnd().split('\n');
    const voteLines = lines.flatMap((l, i) => (l.includes('"type":"vote"') ? [i] : []));
    // Halfway through the votes, a backup is asked for while the import keeps going.
    const halfway = voteLines[Math.floor(voteLines.length / 2)]!;
    let backup: ReturnType<typeof writeBackup> | undefined;
    let recordsWhenAsked = 0;
    const importer = new Importer(source, {
      source: 'decentraland',
      batchSize: 300,
      onProgress: (records) => {
        if (backup || records < halfway) return;
        recordsWhenAsked = records;
        backup = writeBackup(source, { dir, databaseUrl: source.url });
      },
    });
    // The records arrive in chunks with the event loop turning between them, as an HTTP body does.
    async function* arriving() {
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 64 * 1024) {
        await new Promise((r) => setImmediate(r));
        yield bytes.subarray(i, i + 64 * 1024);
      }
    }
    const summary = await importer.run(readRecords(Readable.from(arriving())));
    expect(summary.rejected).toBe(0);
    expect(recordsWhenAsked).toBeGreaterThan(0);
    expect(recordsWhenAsked).toBeLessThan(lines.length);
    const { file, manifest } = await backup!;
    const end = await votes(source);
    expect(manifest.tables.votes!.rows).toBeGreaterThan(start);
    expect(manifest.tables.votes!.rows).toBeLessThan(end);

    // Restored elsewhere, it is exactly the state the manifest describes.
    await verifyBackup(file, { databaseUrl: source.url });
    // Restored and opened as a server would (which applies the rollup changes the import logged
    // in the same transactions as its votes), its figures agree with its rows.
    const midUrl = restoreUrl && withDatabase(restoreUrl, `${databaseNameOf(restoreUrl)}_mid`);
    const midDir = path.join(tmp, 'mid');
    await restoreBackup(file, { databaseUrl: midUrl, dataDir: midDir });
    const mid = midUrl
      ? await openDatabase({ databaseUrl: midUrl, poolSize: 1 })
      : await openDatabase({ dataDir: midDir });
    try {
      await refreshDaoAggregates(mid.db, await daosWithPendingChanges(mid.db));
      const [row] = await mid.query<{ stored: number; counted: number }>(
        `select (select coalesce(sum(total_votes), 0) from daos)::int8 as stored, (select count(*) from votes)::int8 as counted`,
      );
      expect(Number(row!.counted)).toBe(manifest.tables.votes!.rows);
      expect(Number(row!.stored)).toBe(Number(row!.counted));
    } finally {
      await mid.close();
    }
  });

  it('refuses a flipped byte and a truncated file before changing anything', async () => {
    const current = await restoredFingerprints();
    const bytes = fs.readFileSync(first.file);
    const flipped = path.join(tmp, `flipped${path.extname(first.file)}`);
    const truncated = path.join(tmp, `truncated${path.extname(first.file)}`);
    const flippedBytes = Buffer.from(bytes);
    flippedBytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(flipped, flippedBytes);
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    for (const f of [flipped, truncated]) fs.copyFileSync(manifestPath(first.file), manifestPath(f));

    await expect(verifyBackup(flipped, { databaseUrl: source.url })).rejects.toThrow(/is corrupted: its SHA-256/);
    await expect(restoreBackup(flipped, restoreOptions(true))).rejects.toThrow(/is corrupted: .*nothing was changed/);
    await expect(verifyBackup(truncated, { databaseUrl: source.url })).rejects.toThrow(/is truncated/);
    await expect(restoreBackup(truncated, restoreOptions(true))).rejects.toThrow(/is truncated: .*nothing was changed/);
    await expect(restoreBackup(path.join(tmp, 'missing.tar.gz'), restoreOptions())).rejects.toThrow(
      /cannot read .*no such file/,
    );

    expect(await restoredFingerprints()).toEqual(current);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a non-empty target without --force, and with it swaps only a restore that matches', async () => {
    const current = await restoredFingerprints();
    const files = fs.readdirSync(dir).filter((n) => !n.endsWith('.json'));
    const second = path.join(dir, files.find((n) => path.join(dir, n) !== first.file)!);
    expect(files).toHaveLength(2);

    await expect(restoreBackup(second, restoreOptions())).rejects.toThrow(/is not empty .*add --force/);
    expect(await restoredFingerprints()).toEqual(current);

    // A manifest that the restored data will not match (the file itself is intact): the restore
    // runs into a new database or directory, fails its check, and the target stays.
    const lying = path.join(tmp, `lying${path.extname(second)}`);
    fs.copyFileSync(second, lying);
    const manifest = await readManifest(second);
    manifest.tables.votes!.rows += 1;
    fs.writeFileSync(manifestPath(lying), JSON.stringify(manifest));
    await expect(restoreBackup(lying, restoreOptions(true))).rejects.toThrow(
      /did not restore to what its manifest describes \(votes has .*the target was not changed/,
    );
    expect(await restoredFingerprints()).toEqual(current);
    expect(await leftovers()).toEqual([]);

    const replaced = await restoreBackup(second, restoreOptions(true));
    expect(await restoredFingerprints()).toEqual((await readManifest(second)).tables);
    // The replaced data is kept, whole.
    expect(replaced.kept).toBeDefined();
    if (restoreUrl) {
      const kept = await openDatabase({ databaseUrl: withDatabase(restoreUrl, replaced.kept!), poolSize: 1 });
      try {
        expect(await fingerprints(kept)).toEqual(current);
      } finally {
        await kept.close();
      }
    } else {
      const keptDir = path.join(tmp, 'kept');
      fs.mkdirSync(keptDir);
      fs.renameSync(replaced.kept!, path.join(keptDir, 'pgdata'));
      const kept = await openDatabase({ dataDir: keptDir });
      try {
        expect(await fingerprints(kept)).toEqual(current);
      } finally {
        await kept.close();
      }
    }
  });

  it('runs a scheduled backup (written, verified, pruned) and records its outcome', async () => {
    const config = loadConfig({ BACKUP_DIR: path.join(tmp, 'scheduled'), BACKUP_SCHEDULE: 'daily@03:00' }, tmp).backup;
    const run = await runScheduledBackup(source, config, { databaseUrl: source.url });
    expect(fs.existsSync(run.file)).toBe(true);
    expect(run.deleted).toEqual([]);
    const status = backupStatus();
    expect(status.lastFile).toBe(run.file);
    expect(Date.parse(status.lastSuccessAt!)).toBeGreaterThan(Date.now() - 600_000);

    // A BACKUP_DIR that is a file: the failure is recorded with its reason.
    const notADir = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(notADir, '');
    await expect(
      runScheduledBackup(source, { ...config, dir: notADir }, { databaseUrl: source.url }),
    ).rejects.toThrow();
    const failed = backupStatus();
    expect(failed.lastFailureAt).not.toBeNull();
    expect(failed.lastError).toMatch(/EEXIST|ENOTDIR|not a directory|exists/);
    expect(failed.lastSuccessAt).toBe(status.lastSuccessAt);
    expect(backupMeasurement()).toEqual({
      lastSuccessAt: new Date(status.lastSuccessAt!),
      lastFailureAt: new Date(failed.lastFailureAt!),
      lastError: failed.lastError,
    });
  });
});
