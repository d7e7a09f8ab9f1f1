import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes, restoreBackup, verifyBackup, writeBackup } from '../backup/backup.ts';
import { type Manifest, manifestPath, parseManifest, writeAtomically } from '../backup/manifest.ts';
import type { Config } from '../config/index.ts';
import { runMaintenance } from '../db/maintenance.ts';
import { UnavailableError, ValidationError } from '../errors.ts';
import { API_KEY_HINT, commandContext, openConfiguredDatabase, runningServer, serverAuth } from './context.ts';
import { Progress } from './progress.ts';

const MANIFEST_HEADER = 'x-dao-portal-manifest';

const stepper = (command: string) => (message: string) => process.stderr.write(`${command}: ${message}\n`);

/** The embedded database must exist before it is backed up or maintained (opening would create an empty one). */
function requireEmbedded(config: Config): void {
  if (config.databaseUrl) return;
  if (!fs.existsSync(path.join(config.dataDir, 'pgdata', 'PG_VERSION'))) {
    throw new ValidationError(`there is no embedded database in ${config.dataDir} (DATA_DIR) to back up or maintain`);
  }
}

const summary = (manifest: Manifest) => {
  const rows = Object.values(manifest.tables).reduce((a, t) => a + t.rows, 0);
  return `${formatBytes(manifest.file.bytes)}, ${Object.keys(manifest.tables).length} tables, ${rows.toLocaleString('en-US')} rows`;
};

export async function backupCommand(options: { out?: string; verify?: boolean }): Promise<number> {
  const { config } = commandContext();
  const step = stepper('backup');
  const dir = path.resolve(options.out ?? config.backup.dir ?? 'backups');
  const serverUrl = await runningServer(config);
  let written: { file: string; manifest: Manifest };
  if (serverUrl) {
    step(`the server at ${serverUrl} holds the database: backing up through its API`);
    written = await backupRemote(serverUrl, dir, config.auth.cliApiKey);
  } else {
    requireEmbedded(config);
    const database = await openConfiguredDatabase(config);
    try {
      written = await writeBackup(database, { dir, databaseUrl: config.databaseUrl, onProgress: step });
    } finally {
      await database.close();
    }
  }
  process.stdout.write(
    `Backup written to ${written.file} (${summary(written.manifest)}) in ${written.manifest.seconds.toFixed(1)}s\n`,
  );
  if (options.verify !== false) {
    const result = await verifyBackup(written.file, { databaseUrl: config.databaseUrl, onProgress: stepper('verify') });
    process.stdout.write(
      `Verified: restored, ${result.tables} tables match the manifest (${result.seconds.toFixed(1)}s)\n`,
    );
  }
  return 0;
}

/** Downloads a backup the running server makes of the database it holds, checking its SHA-256 as it arrives. */
async function backupRemote(
  serverUrl: string,
  dir: string,
  apiKey: string | undefined,
): Promise<{ file: string; manifest: Manifest }> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/v1/admin/backups', serverUrl), {
      method: 'POST',
      headers: serverAuth(apiKey),
    });
  } catch (error) {
    throw new UnavailableError(
      `the server at ${serverUrl} holds the database but did not answer (${(error as Error).message}); is it still running?`,
    );
  }
  if (!response.ok) {
    const payload = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    const hint =
      response.status === 401 || response.status === 403
        ? ` (${API_KEY_HINT.replace('an editor or admin', 'an admin')})`
        : '';
    const message = `the server refused the backup: ${payload.error?.message ?? response.statusText}${hint}`;
    throw response.status < 500 ? new ValidationError(message) : new UnavailableError(message);
  }
  const header = response.headers.get(MANIFEST_HEADER);
  if (!header) throw new UnavailableError(`the server at ${serverUrl} sent no manifest with the backup`);
  const manifest = parseManifest(Buffer.from(header, 'base64url').toString('utf8'), 'the manifest the server sent');
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, path.basename(manifest.file.name));
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  const progress = new Progress('backup: download', 'bytes');
  let bytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          progress.update(bytes, bytes / Math.max(1, manifest.file.bytes));
          yield chunk;
        }
      },
      fs.createWriteStream(partial),
    );
    progress.done(bytes);
    const sha256 = hash.digest('hex');
    if (bytes !== manifest.file.bytes || sha256 !== manifest.file.sha256) {
      throw new UnavailableError(
        `the backup from ${serverUrl} arrived damaged (${bytes} of ${manifest.file.bytes} bytes, SHA-256 ${sha256 === manifest.file.sha256 ? 'matches' : 'differs'}); nothing was kept`,
      );
    }
    await fsp.rename(partial, file);
  } catch (error) {
    await fsp.rm(partial, { force: true });
    throw error;
  }
  await writeAtomically(manifestPath(file), `${JSON.stringify(manifest, null, 2)}\n`);
  return { file, manifest };
}

export async function verifyCommand(file: string): Promise<number> {
  const { config } = commandContext();
  const result = await verifyBackup(path.resolve(file), {
    databaseUrl: config.databaseUrl,
    onProgress: stepper('verify'),
  });
  process.stdout.write(
    `${file} is good: written ${result.manifest.created_at} by DAO Portal ${result.manifest.version}, ${summary(result.manifest)}; restored and compared table by table in ${result.seconds.toFixed(1)}s\n`,
  );
  return 0;
}

export async function restoreCommand(file: string, options: { force?: boolean }): Promise<number> {
  const { config } = commandContext();
  const result = await restoreBackup(path.resolve(file), {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    force: Boolean(options.force),
    onProgress: stepper('restore'),
  });
  process.stdout.write(
    `Restored ${file} (${summary(result.manifest)}, written ${result.manifest.created_at}) into ${result.target} in ${result.seconds.toFixed(1)}s\n`,
  );
  if (result.kept)
    process.stdout.write(`The data it replaced is kept as ${result.kept}; drop it once you are satisfied.\n`);
  return 0;
}

export async function maintenanceCommand(): Promise<number> {
  const { config } = commandContext();
  const step = stepper('maintenance');
  const serverUrl = await runningServer(config);
  if (serverUrl) {
    step(`the server at ${serverUrl} holds the database: running maintenance through its API`);
    let response: Response;
    try {
      response = await fetch(new URL('/api/v1/admin/maintenance', serverUrl), {
        method: 'POST',
        headers: serverAuth(config.auth.cliApiKey),
      });
    } catch (error) {
      throw new UnavailableError(`the server at ${serverUrl} did not answer (${(error as Error).message})`);
    }
    const payload = (await response.json()) as {
      data?: { steps: { step: string; ms: number; detail?: string }[] };
      error?: { message: string };
    };
    if (!response.ok || !payload.data) {
      const hint =
        response.status === 401 || response.status === 403
          ? ` (${API_KEY_HINT.replace('an editor or admin', 'an admin')})`
          : '';
      throw new ValidationError(
        `the server refused maintenance: ${payload.error?.message ?? response.statusText}${hint}`,
      );
    }
    for (const s of payload.data.steps) step(`${s.step}: ${s.detail ? `${s.detail}, ` : ''}${s.ms} ms`);
  } else {
    requireEmbedded(config);
    const database = await openConfiguredDatabase(config);
    try {
      await runMaintenance(database, (s) => step(`${s.step}: ${s.detail ? `${s.detail}, ` : ''}${s.ms} ms`));
    } finally {
      await database.close();
    }
  }
  process.stdout.write('Maintenance done.\n');
  return 0;
}
