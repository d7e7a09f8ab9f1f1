import fs from 'node:fs';
import { Readable } from 'node:stream';
import { UnavailableError, ValidationError } from '../errors.ts';
import { Importer, type ImportSummary, type Rejection } from '../import/importer.ts';
import { readRecords } from '../import/reader.ts';
import { API_KEY_HINT, commandContext, openConfiguredDatabase, runningServer, serverAuth } from './context.ts';
import { Progress } from './progress.ts';

interface Input {
  name: string;
  size: number | undefined;
  open(): Readable;
}

function inputsOf(files: string[]): Input[] {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) {
    return [{ name: 'stdin', size: undefined, open: () => process.stdin }];
  }
  return files.map((file) => {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new ValidationError(`cannot read ${file}: no such file`);
    }
    return { name: file, size, open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }) };
  });
}

/** Counts the bytes passing through, to show how far into a file the import is. */
function counted(stream: Readable, onBytes: (n: number) => void): Readable {
  let bytes = 0;
  return stream.map((chunk: Buffer) => {
    bytes += chunk.length;
    onBytes(bytes);
    return chunk;
  });
}

const MAX_PRINTED = 100;

export async function importCommand(files: string[], options: { batchSize: string; server?: string }): Promise<number> {
  const { config } = commandContext();
  const inputs = inputsOf(files);
  const batchSize = Number(options.batchSize);
  let printed = 0;
  const printRejection = (r: Rejection) => {
    if (printed++ < MAX_PRINTED) {
      process.stderr.write(`${r.source ?? 'input'}:${r.line}: ${r.type ? `${r.type} ` : ''}${r.field}: ${r.reason}\n`);
    }
  };

  // PGlite admits one process: while the server holds the embedded database, import through it.
  const serverUrl = await runningServer(config, options.server);

  const totals: ImportSummary[] = [];
  if (serverUrl) {
    process.stderr.write(`The server at ${serverUrl} holds the database: importing through its API.\n`);
    for (const input of inputs)
      totals.push(await importRemote(serverUrl, input, printRejection, config.auth.cliApiKey));
  } else {
    const database = await openConfiguredDatabase(config);
    try {
      await database.migrate();
      for (const input of inputs) {
        const progress = new Progress(input.name);
        let bytes = 0;
        const importer = new Importer(database, {
          source: input.name,
          batchSize,
          onRejected: printRejection,
          onProgress: (n) => progress.update(n, input.size ? bytes / input.size : undefined),
        });
        const summary = await importer.run(readRecords(counted(input.open(), (n) => (bytes = n))));
        progress.done(summary.records);
        totals.push(summary);
      }
    } finally {
      await database.close();
    }
  }

  const sum = (k: 'records' | 'inserted' | 'updated' | 'unchanged' | 'rejected') =>
    totals.reduce((a, s) => a + s[k], 0);
  const seconds = totals.reduce((a, s) => a + s.seconds, 0);
  if (printed > MAX_PRINTED) process.stderr.write(`... and ${printed - MAX_PRINTED} more rejected records\n`);
  process.stdout.write(
    `Imported ${sum('records').toLocaleString('en-US')} records in ${seconds.toFixed(1)}s ` +
      `(${Math.round(sum('records') / Math.max(seconds, 1e-3)).toLocaleString('en-US')} records/s): ` +
      `${sum('inserted')} inserted, ${sum('updated')} updated, ${sum('unchanged')} unchanged, ${sum('rejected')} rejected\n`,
  );
  for (const [type, c] of Object.entries(mergeByType(totals))) {
    process.stdout.write(
      `  ${type.padEnd(17)} ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected\n`,
    );
  }
  return sum('rejected') > 0 ? 2 : 0;
}

function mergeByType(summaries: ImportSummary[]) {
  const merged: Record<string, { inserted: number; updated: number; unchanged: number; rejected: number }> = {};
  for (const s of summaries) {
    for (const [type, c] of Object.entries(s.byType)) {
      const m = (merged[type] ??= { inserted: 0, updated: 0, unchanged: 0, rejected: 0 });
      m.inserted += c.inserted;
      m.updated += c.updated;
      m.unchanged += c.unchanged;
      m.rejected += c.rejected;
    }
  }
  return merged;
}

async function importRemote(
  serverUrl: string,
  input: Input,
  onRejected: (r: Rejection) => void,
  apiKey: string | undefined,
): Promise<ImportSummary> {
  const progress = new Progress(`${input.name} (upload)`, 'bytes');
  const body = counted(input.open(), (n) => progress.update(n, input.size ? n / input.size : undefined));
  const url = new URL('/api/v1/import', serverUrl);
  url.searchParams.set('source', input.name);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...serverAuth(apiKey) },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    throw new UnavailableError(
      `the server at ${serverUrl} holds the database but did not answer (${(error as Error).message}); is it still running?`,
    );
  }
  const payload = (await response.json()) as { status: string; data?: any; error?: { message: string } };
  if (!response.ok || payload.status !== 'success') {
    const hint = response.status === 401 || response.status === 403 ? ` (${API_KEY_HINT})` : '';
    const message = `the server refused the import: ${payload.error?.message ?? response.statusText}${hint}`;
    // A 4xx is about what was sent (the same error this process would have raised itself).
    throw response.status >= 400 && response.status < 500
      ? new ValidationError(message)
      : new UnavailableError(message);
  }
  progress.done(input.size ?? 0);
  const d = payload.data;
  for (const r of d.rejections as Rejection[]) onRejected(r);
  return {
    records: d.records,
    inserted: d.inserted,
    updated: d.updated,
    unchanged: d.unchanged,
    rejected: d.rejected,
    seconds: d.seconds,
    byType: d.by_type,
  };
}
