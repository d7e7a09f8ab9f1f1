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
 * - COPY: the stored votes, written to a file with psql's \copy and loaded by COPY FROM STDIN
 *   (pg-copy-streams) into an empty table made `like votes including all` (the same columns and
 *   indexes; no triggers, no foreign keys, no rollups).
 * Prints votes/s of each and the ratios, by wall time and by CPU time: this process's plus its
 * PostgreSQL backend's (utime + stime from /proc/<pid>/stat, when the server runs on this machine).
 * Each case runs on one connection (pool size 1, the importer writes one batch at a time), so one
 * backend does all of its server work. On a machine shared with other work the CPU figures are
 * the steadier ones. Run by hand; the figures go to docs/PERFORMANCE.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
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

const TICKS_PER_SECOND = 100;

/** CPU milliseconds of a process so far (null when it is not on this machine). */
function cpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Run {
  votes: number;
  seconds: number;
  /** CPU seconds of this process and the backend; null when the backend's are unknown. */
  cpu: number | null;
}

/** Times `fn` by the clock and by the CPU of this process and of the backend `backendPid`. */
async function measured(backendPid: () => Promise<number>, fn: () => Promise<number>): Promise<Run> {
  const pid = await backendPid();
  const [server, own, started] = [cpuMs(pid), ownCpuMs(), performance.now()];
  const votes = await fn();
  const seconds = (performance.now() - started) / 1000;
  const serverAfter = (await backendPid()) === pid ? cpuMs(pid) : null;
  const cpu = server === null || serverAfter === null ? null : (serverAfter - server + ownCpuMs() - own) / 1000;
  return { votes, seconds, cpu };
}

async function importRecords(database: Database, list: unknown[]): Promise<Run> {
  const text = list.map((r) => JSON.stringify(r)).join('\n');
  const pid = async () => (await database.query<{ pid: number }>('select pg_backend_pid() as pid'))[0]!.pid;
  return measured(pid, async () => {
    const summary = await new Importer(database).run(readRecords(Readable.from([Buffer.from(text)])));
    return summary.byType.vote?.inserted ?? 0;
  });
}

const figures = (r: Run) => `${r.seconds.toFixed(2)} s (CPU ${r.cpu === null ? 'unknown' : `${r.cpu.toFixed(2)} s`})`;

const combined = await withDatabase(async (database) => importRecords(database, records));
console.log(`combined import: ${combined.votes} votes in ${figures(combined)}`);

const { votesOnly, copy } = await withDatabase(async (database, url) => {
  await importRecords(database, otherRecords);
  const votesOnly = await importRecords(database, voteRecords);
  console.log(`votes-only import after proposals: ${votesOnly.votes} votes in ${figures(votesOnly)}`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dp-ingest-')), 'votes.copy');
  const columns = 'proposal_id, dao_id, voter, choice, voting_power, reason, created';
  const psql = (command: string) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', command]);
  psql(`\\copy (select ${columns} from votes) to '${file}'`);
  psql('create table votes_copy (like votes including all)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pid = async () => (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  const copy = await measured(pid, async () => {
    await pipeline(fs.createReadStream(file), client.query(copyFrom(`copy votes_copy (${columns}) from stdin`)));
    return votesOnly.votes;
  });
  await client.end();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { votesOnly, copy };
});
console.log(`COPY into a table with the same indexes: ${copy.votes} votes in ${figures(copy)}`);

const rate = (r: Run) => r.votes / r.seconds;
const cpuRate = (r: Run) => (r.cpu === null ? null : r.votes / r.cpu);
const times = (a: number | null, b: number | null) => (a === null || b === null ? 'unknown' : (a / b).toFixed(2));
console.log(
  [
    '',
    '| case | votes | s | votes/s | × COPY | CPU s | votes per CPU s | × COPY (CPU) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...(
      [
        ['combined import', combined],
        ['votes-only import after proposals', votesOnly],
        ['COPY', copy],
      ] as const
    ).map(
      ([name, r]) =>
        `| ${name} | ${r.votes} | ${r.seconds.toFixed(2)} | ${Math.round(rate(r))} | ${(rate(r) / rate(copy)).toFixed(2)} | ${r.cpu?.toFixed(2) ?? 'unknown'} | ${cpuRate(r) === null ? 'unknown' : Math.round(cpuRate(r)!)} | ${times(cpuRate(r), cpuRate(copy))} |`,
    ),
    '',
    `votes-only ÷ combined time: ${(votesOnly.seconds / combined.seconds).toFixed(2)} (CPU: ${times(votesOnly.cpu, combined.cpu)})`,
  ].join('\n'),
);
