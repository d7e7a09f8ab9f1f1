/**
 * The first calls after a write, against the data set in DATABASE_URL (see bench/gen.ts):
 *   npx tsx bench/after-write.ts [--rounds 3]
 *
 * Starts `dao-portal serve` as a child process and, for the enhanced participation series of the
 * DAO with most votes (all time, by month) and the comparison of the 5 DAOs with most votes:
 * - cold: the first request to the fresh server (the answer computed while the request waits);
 * - warm: the median of 20 requests once cached;
 * - then, per round, one new vote is imported into that DAO's latest proposal by this process,
 *   through the importer a sync uses (upsert, incremental rollup refresh, DAO figures), and for
 *   each route it times the first request after the write (the cache answers with the previous
 *   value while one recompute runs) and the time from the end of the write until the route answers
 *   with the new figures (polled every 10 ms: that is the recompute).
 * Prints one table; the figures go to docs/PERFORMANCE.md.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/index.ts';
import { Importer } from '../src/import/importer.ts';
import { readRecords } from '../src/import/reader.ts';
import { startBenchServer } from './serve.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (the generated data set)');

const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
const server = await startBenchServer(undefined, { RATE_LIMIT_PER_MINUTE: '1000000', SYNC_WORKER: 'false' });

async function timed(path: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(`${server.base}${path}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
  return { ms: performance.now() - started, body };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => ms.toFixed(1);

try {
  const top = await database.query<{ id: number; slug: string }>(
    'select id, slug from daos order by total_votes desc nulls last, id limit 5',
  );
  const largest = top[0]!;
  const [proposal] = await database.query<{ external_id: string; end: string }>(
    'select external_id, "end" from proposals where dao_id = $1 order by start desc limit 1',
    [largest.id],
  );
  const routes: Array<[string, string]> = [
    [
      `enhanced participation (${largest.slug}, all time by month)`,
      `/api/v1/metrics/enhanced?type=participation&period=all&bucket=month&dao_ids=${largest.id}`,
    ],
    [`comparison (5 largest DAOs)`, `/api/v1/metrics/comparison?dao_ids=${top.map((d) => d.id).join(',')}`],
  ];
  const rows: string[] = [];
  for (const [name, path] of routes) {
    const cold = await timed(path);
    const warm: number[] = [];
    for (let i = 0; i < 20; i++) warm.push((await timed(path)).ms);
    rows.push(`${name} | cold ${fmt(cold.ms)} | warm median ${fmt(median(warm))}`);
  }

  const firsts = new Map<string, number[]>();
  const freshes = new Map<string, number[]>();
  const writes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = new Map<string, string>();
    for (const [, path] of routes) before.set(path, (await timed(path)).body);
    const vote = {
      type: 'vote',
      dao: largest.slug,
      proposal: proposal!.external_id,
      voter: `0x${randomBytes(20).toString('hex')}`,
      choice: 1,
      voting_power: '1000',
      created: new Date(new Date(proposal!.end).getTime() - 60_000).toISOString(),
    };
    const writeStarted = performance.now();
    await new Importer(database).run(readRecords(Readable.from([Buffer.from(JSON.stringify(vote))])));
    const written = performance.now();
    writes.push(written - writeStarted);
    for (const [, path] of routes) {
      const first = await timed(path);
      (firsts.get(path) ?? firsts.set(path, []).get(path)!).push(first.ms);
      let body = first.body;
      while (body === before.get(path)) {
        if (performance.now() - written > 60_000) throw new Error(`${path}: no new answer 60 s after the write`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        body = (await timed(path)).body;
      }
      (freshes.get(path) ?? freshes.set(path, []).get(path)!).push(performance.now() - written);
    }
  }
  console.log(`${ROUNDS} writes of one vote into ${largest.slug}: import ${writes.map(fmt).join(', ')} ms`);
  console.log('route | cold ms | warm median ms | first call after the write, ms | write → new answer, ms');
  routes.forEach(([name, path], i) => {
    const [, cold, warm] = rows[i]!.split(' | ');
    console.log(
      `${name} | ${cold!.replace('cold ', '')} | ${warm!.replace('warm median ', '')} | ${firsts.get(path)!.map(fmt).join(', ')} | ${freshes.get(path)!.map(fmt).join(', ')}`,
    );
  });
} finally {
  await server.stop();
  await database.close();
}
