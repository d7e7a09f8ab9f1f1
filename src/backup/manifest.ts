import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { TableFingerprint } from '../db/maintenance.ts';
import { ValidationError } from '../errors.ts';

/**
 * A backup is two files side by side: the database's own dump (`*.tar.gz`, PGlite's data
 * directory; `*.pgdump`, `pg_dump -Fc`) and `<file>.manifest.json`, which says what the dump
 * holds (when, which version, which migrations, every table's row count and checksum) and the
 * dump's size and SHA-256. A dump is never used before its bytes match the manifest.
 */
export const MANIFEST_FORMAT = 'dao-portal-backup/1';
export const MANIFEST_SUFFIX = '.manifest.json';

export const Manifest = Type.Object({
  format: Type.Literal(MANIFEST_FORMAT),
  kind: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
  created_at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T' }),
  /** The portal's version that wrote it. */
  version: Type.String(),
  /** PostgreSQL's `server_version` of the database it came from. */
  server_version: Type.String(),
  /** Migration versions applied in the database it came from. */
  migrations: Type.Array(Type.String()),
  tables: Type.Record(Type.String(), Type.Object({ rows: Type.Integer({ minimum: 0 }), checksum: Type.String() })),
  /** Seconds the dump took. */
  seconds: Type.Number(),
  file: Type.Object({ name: Type.String(), bytes: Type.Integer({ minimum: 0 }), sha256: Type.String() }),
});
export type Manifest = {
  format: typeof MANIFEST_FORMAT;
  kind: 'pglite' | 'postgres';
  created_at: string;
  version: string;
  server_version: string;
  migrations: string[];
  tables: Record<string, TableFingerprint>;
  seconds: number;
  file: { name: string; bytes: number; sha256: string };
};

export const manifestPath = (file: string) => `${file}${MANIFEST_SUFFIX}`;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Parses and checks a manifest's shape (a manifest from anywhere else is refused naming the field). */
export function parseManifest(text: string, where: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${where} is not valid JSON (${(error as Error).message}): the manifest is damaged`);
  }
  const first = Value.Errors(Manifest, value).First();
  if (first)
    throw new ValidationError(`${where} is not a DAO Portal backup manifest: ${first.path || '/'} ${first.message}`);
  return value as Manifest;
}

export async function readManifest(file: string): Promise<Manifest> {
  const where = manifestPath(file);
  let text: string;
  try {
    text = await fsp.readFile(where, 'utf8');
  } catch {
    try {
      await fsp.access(file);
    } catch {
      throw new ValidationError(`cannot read ${file}: no such file`);
    }
    throw new ValidationError(`${file} has no manifest beside it (expected ${path.basename(where)})`);
  }
  return parseManifest(text, where);
}

/**
 * Checks a dump's size and SHA-256 against its manifest: a truncated, extended or altered file
 * fails here, before anything reads it.
 */
export async function checkFile(file: string, manifest: Manifest): Promise<void> {
  let bytes: number;
  try {
    bytes = (await fsp.stat(file)).size;
  } catch {
    throw new ValidationError(`cannot read ${file}: no such file`);
  }
  if (bytes !== manifest.file.bytes) {
    throw new ValidationError(
      `${file} is ${bytes < manifest.file.bytes ? 'truncated' : 'longer than written'}: ${bytes} bytes, its manifest says ${manifest.file.bytes}; nothing was changed`,
    );
  }
  const sha = await sha256File(file);
  if (sha !== manifest.file.sha256) {
    throw new ValidationError(
      `${file} is corrupted: its SHA-256 is ${sha}, its manifest says ${manifest.file.sha256}; nothing was changed`,
    );
  }
}

/** Writes a file whole or not at all: a temporary name, fsync, then rename. */
export async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const partial = `${file}.partial`;
  const handle = await fsp.open(partial, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(partial, file);
}

/** Table-by-table differences between two sets of fingerprints, as readable lines (empty: equal). */
export function compareTables(expected: Manifest['tables'], actual: Manifest['tables']): string[] {
  const problems: string[] = [];
  for (const name of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[name];
    const a = actual[name];
    if (!a) problems.push(`table ${name} is missing`);
    else if (!e) problems.push(`table ${name} is not in the manifest`);
    else if (a.rows !== e.rows) problems.push(`${name} has ${a.rows} rows, the manifest says ${e.rows}`);
    else if (a.checksum !== e.checksum) problems.push(`${name}'s checksum differs from the manifest's`);
  }
  return problems;
}
