import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BackupConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logger/index.ts';
import { verifyBackup, writeBackup } from './backup.ts';
import { MANIFEST_SUFFIX, manifestPath, parseManifest } from './manifest.ts';
import { backupsToKeep, type Retention } from './retention.ts';
import { nextRun } from './schedule.ts';

/** The outcome of the latest scheduled backups, for health and alerts (times are ISO 8601). */
export interface BackupStatus {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
  /** The file the last successful backup wrote. */
  lastFile: string | null;
}

const status: BackupStatus = { lastSuccessAt: null, lastFailureAt: null, lastError: null, lastFile: null };

/** This process's latest scheduled-backup outcome (the newest backup in BACKUP_DIR counts as a success at start). */
export function backupStatus(): BackupStatus {
  return { ...status };
}

/** The same outcome with Date values, in the shape src/monitoring's measurements (and the alert rules) read. */
export function backupMeasurement(): {
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
} {
  const date = (iso: string | null) => (iso ? new Date(iso) : null);
  return {
    lastSuccessAt: date(status.lastSuccessAt),
    lastFailureAt: date(status.lastFailureAt),
    lastError: status.lastError,
  };
}

export interface StoredBackup {
  file: string;
  createdAt: Date;
}

/** The backups in `dir` that have a readable manifest, newest first. */
export async function listBackups(dir: string): Promise<StoredBackup[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const found: StoredBackup[] = [];
  for (const name of names) {
    if (!name.endsWith(MANIFEST_SUFFIX)) continue;
    const file = path.join(dir, name.slice(0, -MANIFEST_SUFFIX.length));
    try {
      const manifest = parseManifest(await fsp.readFile(path.join(dir, name), 'utf8'), name);
      found.push({ file, createdAt: new Date(manifest.created_at) });
    } catch {
      // Not ours or damaged: never deleted by retention, reported by `backup verify`.
    }
  }
  return found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Deletes the backups of `dir` that the retention does not keep; returns the deleted files. */
export async function pruneBackups(dir: string, retention: Retention, now = new Date()): Promise<string[]> {
  const backups = await listBackups(dir);
  const keep = backupsToKeep(backups, now, retention);
  const deleted: string[] = [];
  for (const backup of backups) {
    if (keep.has(backup)) continue;
    // The manifest goes first: a backup without one is never restored or counted.
    await fsp.rm(manifestPath(backup.file), { force: true });
    await fsp.rm(backup.file, { force: true });
    deleted.push(backup.file);
  }
  return deleted;
}

export interface ScheduledRun {
  file: string;
  seconds: number;
  deleted: string[];
}

/** One scheduled backup: write, verify (restored into a scratch database), prune; the outcome is recorded. */
export async function runScheduledBackup(
  database: Database,
  config: BackupConfig,
  options: { databaseUrl?: string | undefined; logger?: Logger; now?: () => Date } = {},
): Promise<ScheduledRun> {
  const dir = config.dir!;
  const started = performance.now();
  const onProgress = (message: string) => options.logger?.debug({ backup: dir }, message);
  try {
    const { file } = await writeBackup(database, { dir, databaseUrl: options.databaseUrl, onProgress });
    await verifyBackup(file, { databaseUrl: options.databaseUrl, onProgress });
    const deleted = await pruneBackups(dir, config.keep, options.now?.() ?? new Date());
    status.lastSuccessAt = new Date().toISOString();
    status.lastFile = file;
    return { file, seconds: (performance.now() - started) / 1000, deleted };
  } catch (error) {
    status.lastFailureAt = new Date().toISOString();
    status.lastError = (error as Error).message;
    throw error;
  }
}

export interface BackupScheduler {
  /** When the next backup runs (undefined when none is scheduled). */
  readonly next: Date | undefined;
  /** Stops scheduling and waits for a running backup to finish. */
  stop(): Promise<void>;
}

/** Starts the scheduled backups of `serve` (BACKUP_SCHEDULE into BACKUP_DIR); a failed backup is logged and recorded, never fatal. */
export async function startBackupScheduler(
  database: Database,
  config: BackupConfig,
  options: { databaseUrl?: string | undefined; logger: Logger },
): Promise<BackupScheduler> {
  const { logger } = options;
  if (config.schedule.kind === 'off' || !config.dir) return { next: undefined, stop: async () => {} };
  const newest = (await listBackups(config.dir))[0];
  if (newest && !status.lastSuccessAt) {
    status.lastSuccessAt = newest.createdAt.toISOString();
    status.lastFile = newest.file;
  }
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let next: Date | undefined;
  const arm = () => {
    if (stopped) return;
    next = nextRun(config.schedule, new Date());
    if (!next) return;
    // setTimeout holds at most ~24.8 days; a schedule is at most daily.
    timer = setTimeout(fire, Math.max(0, next.getTime() - Date.now()));
    timer.unref();
  };
  const fire = () => {
    running = runScheduledBackup(database, config, options)
      .then((run) =>
        logger.info(
          { backup: run.file, seconds: Math.round(run.seconds * 10) / 10, deleted: run.deleted.length },
          'scheduled backup written and verified',
        ),
      )
      .catch((error: Error) => logger.error({ backup: config.dir, err: error.message }, 'scheduled backup failed'))
      .finally(() => {
        running = undefined;
        arm();
      });
  };
  arm();
  logger.info({ backup_dir: config.dir, next: next?.toISOString() }, 'scheduled backups on');
  return {
    get next() {
      return next;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
