import path from 'node:path';
import { Readable } from 'node:stream';
import type { Database } from '../../src/db/index.ts';
import { converters } from '../../src/import/converters/index.ts';
import { Importer, type ImportSummary } from '../../src/import/importer.ts';
import { readRecords } from '../../src/import/reader.ts';
import { sharedData } from './db.ts';

/** Canonical NDJSON text of a shared export, as `dao-portal convert` prints it. */
export function convertedNdjson(name: keyof typeof converters): string {
  const dir = path.join(sharedData, name);
  let text = '';
  for (const record of converters[name](dir)) text += JSON.stringify(record) + '\n';
  return text;
}

/** Imports NDJSON (or a JSON array) text the way the CLI does, in chunks of `chunkSize` bytes. */
export async function importText(
  database: Database,
  text: string,
  options: { batchSize?: number; source?: string; chunkSize?: number } = {},
) {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const importer = new Importer(database, { source: options.source ?? 'test', batchSize: options.batchSize ?? 2000 });
  const summary: ImportSummary = await importer.run(readRecords(Readable.from(chunks)));
  return { summary, rejections: importer.rejections };
}

/** Both shared exports (Decentraland and Tokenomics), converted and imported. */
export async function importSharedData(database: Database) {
  const results = [];
  for (const name of ['decentraland', 'tokenomics'] as const)
    results.push(await importText(database, convertedNdjson(name), { source: name }));
  return results;
}
