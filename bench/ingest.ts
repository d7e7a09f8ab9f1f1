/**
 * Import throughput against a plain COPY, on PostgreSQL, with the shared data (../shared/data):
 *   npx tsx bench/ingest.ts [--admin postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Each case runs in a database of its own, created on the server of --admin (or
 * TEST_DATABASE_URL) and dropped afterwards:
 * - combined: every record of the Decentraland and Tokenomics exports in one import, rollups
 *   and DAO figures included (what `dao-portal import` does);
 * - votes-only: the same DAOs and proposals imported first, then the votes in a second import
 *   (the case that fell off a cliff: the rollups of DAOs that already had them were updated key by
 *   key against a stale vote count);
 * - COPY: the stored votes, written to a file with psql's \copy and loaded with \copy into an
 *   empty table made `like votes including all` (the same columns and indexes; no triggers, no
 *   foreign keys, no rollups).
 * Prints votes/s of each and the ratios. Run by hand; the figures go to docs/PERFORMANCE.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/index.ts';
import { converters } from '../src/import/converters/index.ts';
import { Importer } from '../src/import/importer.ts';
import { readRecords } from '../src/import/reader.ts';

const { values } = parseArgs({
  options: { admin: { type: 'string', default: process.env.TEST_DATABASE_URL } },
});
if (!values.admin) throw new Error('pass --admin postgres://… (a server where databases may be created)');
const admin = values.admin;
const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data');

const records: Array<{ type: string }> = [];
for (const name of ['decentraland', 'tokenomics'] as const)
  for (const record of converters[name](path.join(dataDir, name))) records.push(record as { type: string });
const voteRecords = records.filter((r) => r.type === 'vote');
const otherRecords = records.filter((r) => r.type !== 'vote');

async function withDatabase<T>(fn: (database: Database, url: string) => Promise<T>): Promise<T> {
  const name = `dp_bench_ingest_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  try {
    await database.migrate();
    return await fn(database, url.toString());
  } finally {
    await database.close();
    const cleanup = new pg.Client({ connectionString: admin });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

async function importRecords(database: Database, list: unknown[]) {
  const text = list.map((r) => JSON.stringify(r)).join('\n');
  const started = performance.now();
  const summary = await new Importer(database).run(readRecords(Readable.from([Buffer.from(text)])));
  return { seconds: (performance.now() - started) / 1000, votes: summary.byType.vote?.inserted ?? 0 };
}

const combined = await withDatabase(async (database) => importRecords(database, records));
console.log(`combined import: ${combined.votes} votes in ${combined.seconds.toFixed(2)} s`);

const { votesOnly, copy } = await withDatabase(async (database, url) => {
  await importRecords(database, otherRecords);
  const votesOnly = await importRecords(database, voteRecords);
  console.log(`votes-only import after proposals: ${votesOnly.votes} votes in ${votesOnly.seconds.toFixed(2)} s`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dp-ingest-')), 'votes.copy');
  const columns = 'proposal_id, dao_id, voter, choice, voting_power, reason, created';
  const psql = (command: string) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', command]);
  psql(`\\copy (select ${columns} from votes) to '${file}'`);
  psql('create table votes_copy (like votes including all)');
  const started = performance.now();
  psql(`\\copy votes_copy (${columns}) from '${file}'`);
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { votesOnly, copy: { seconds, votes: votesOnly.votes } };
});
console.log(`COPY into a table with the same indexes: ${copy.votes} votes in ${copy.seconds.toFixed(2)} s`);

const rate = (r: { votes: number; seconds: number }) => r.votes / r.seconds;
console.log(
  [
    '',
    '| case | votes | s | votes/s | × COPY |',
    '| --- | --- | --- | --- | --- |',
    ...(
      [
        ['combined import', combined],
        ['votes-only import after proposals', votesOnly],
        ['COPY', copy],
      ] as const
    ).map(
      ([name, r]) =>
        `| ${name} | ${r.votes} | ${r.seconds.toFixed(2)} | ${Math.round(rate(r))} | ${(rate(r) / rate(copy)).toFixed(2)} |`,
    ),
    '',
    `votes-only ÷ combined time: ${(votesOnly.seconds / combined.seconds).toFixed(2)}`,
  ].join('\n'),
);
