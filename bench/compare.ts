/**
 * The project against a minimal server (bench/baseline.ts) on the hot routes, alternated in one run
 * against the same PostgreSQL database (DATABASE_URL):
 *   npm run bench -- [--connections 10] [--seconds 3] [--rounds 2] [--set 10m]
 *
 * Starts both servers as child processes, checks that they answer each route with the same body
 * (exits 1 when they differ, before timing anything), then for each route runs `--rounds` pairs of
 * project and baseline, `--seconds` each with autocannon, and prints requests/s of each, their
 * ratio, and CPU per request of each server process (utime + stime from /proc/<pid>/stat, which
 * is steadier than requests/s on a shared machine). `--set 10m` names the generated 10M-vote set
 * (`npm run gen -- --daos 1000 --votes 10000000`, docs/PERFORMANCE.md) in the output; the data is
 * whatever DATABASE_URL holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startBenchServer } from './serve.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    set: { type: 'string', default: 'shared' },
  },
});
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (PostgreSQL; the baseline speaks node-postgres)');
const TICKS_PER_SECOND = 100;

const cpuMicros = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
};

async function measure(base: string, pid: number, route: string, seconds: number) {
  const before = cpuMicros(pid);
  const result = await autocannon({
    url: `${base}${route}`,
    connections: Number(values.connections),
    duration: seconds,
  });
  const cpu = cpuMicros(pid) - before;
  if (result.non2xx || result.errors)
    throw new Error(`${base}${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { requests: result.requests.total, cpu };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = await startBenchServer(undefined, { RATE_LIMIT_PER_MINUTE: '1000000', SYNC_WORKER: 'false' });
const baseline = await startBenchServer(undefined, {}, ['--import', 'tsx', path.join(root, 'bench/baseline.ts')]);
try {
  const daos = (
    (await (await fetch(`${project.base}/api/v1/daos?sort=total_votes&order=desc&per_page=1`)).json()) as {
      data: Array<{ id: number }>;
    }
  ).data;
  const proposals = (
    (await (
      await fetch(`${project.base}/api/v1/daos/${daos[0]!.id}/proposals?sort=votes_stored&order=desc&per_page=1`)
    ).json()) as {
      data: Array<{ id: number; votes_stored: number }>;
    }
  ).data;
  const routes: Array<[string, string]> = [
    ['votes page', `/api/v1/proposals/${proposals[0]!.id}/votes?per_page=20`],
    ['DAO list', '/api/v1/daos?per_page=100&sort=total_votes&order=desc'],
    ['proposals list', `/api/v1/daos/${daos[0]!.id}/proposals?per_page=20`],
    ['proposal detail', `/api/v1/proposals/${proposals[0]!.id}`],
  ];
  for (const [name, route] of routes) {
    const [a = '', b = ''] = await Promise.all(
      [project, baseline].map(async (s) => (await fetch(`${s.base}${route}`)).text()),
    );
    if (a !== b) {
      console.error(`${name}: bodies differ\nproject:  ${a.slice(0, 600)}\nbaseline: ${b.slice(0, 600)}`);
      process.exitCode = 1;
      throw new Error(`${name}: the baseline does not answer the same bytes`);
    }
  }
  console.log(
    `set ${values.set}; ${values.connections} connections, ${values.rounds} alternated rounds of ${values.seconds} s per server and route; bodies identical`,
  );
  console.log('route | project req/s | baseline req/s | ratio | project µs CPU/req | baseline µs CPU/req');
  for (const [name, route] of routes) {
    const sums = { project: { requests: 0, cpu: 0 }, baseline: { requests: 0, cpu: 0 } };
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [key, server] of [
        ['project', project],
        ['baseline', baseline],
      ] as const) {
        const r = await measure(server.base, server.pid!, route, Number(values.seconds));
        sums[key].requests += r.requests;
        sums[key].cpu += r.cpu;
      }
    }
    const time = Number(values.rounds) * Number(values.seconds);
    const p = sums.project.requests / time;
    const b = sums.baseline.requests / time;
    console.log(
      `${name} | ${p.toFixed(0)} | ${b.toFixed(0)} | ${(p / b).toFixed(2)} | ${(sums.project.cpu / sums.project.requests).toFixed(0)} | ${(sums.baseline.cpu / sums.baseline.requests).toFixed(0)}`,
    );
  }
} finally {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all([project.stop(), baseline.stop()]);
}
