/**
 * Load baseline: 50 concurrent users, p95 < 3 s, error rate < 1% (the documented target), over a
 * mix of the dashboard's own API calls:
 *   npm run bench:load -- [--connections 50] [--seconds 30] [--warmup 5] [--url http://127.0.0.1:port]
 *
 * Starts `dao-portal serve` as a child process on a free loopback port (unless --url names a
 * running server), on whatever database the environment names: DATABASE_URL (PostgreSQL) or
 * DATA_DIR (embedded; default ./data), with the per-caller rate limit lifted (every request comes
 * from one address) and no sync jobs run (SYNC_WORKER=false). Then keeps `--connections` requests in flight with autocannon, each
 * connection sending its next request as soon as the last one is answered (no think time: harsher
 * than 50 people clicking), for a warm-up and then `--seconds`, and prints, per scenario and in
 * all: requests, req/s, p50/p95/p99 latency, and errors (non-2xx, connection errors, timeouts).
 *
 * Each request draws its scenario by weight, roughly what the dashboard's pages ask for (the DAO
 * pages and the proposal page most), and its DAO, proposal, page or search word at random from
 * what the server itself lists first. Exits 1 when the baseline is missed.
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startBenchServer } from './serve.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '10' },
    url: { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
/** Seconds after which autocannon counts a request as timed out (an error). */
const TIMEOUT = Number(values.timeout);
const TARGET_P95_MS = 3000;
const TARGET_ERROR_RATE = 0.01;

async function getJson<T>(base: string, url: string): Promise<T> {
  const response = await fetch(`${base}/api/v1${url}`);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: T }).data;
}

interface Dao {
  id: number;
  slug: string;
  total_votes: number | null;
}
interface Proposal {
  id: number;
  title: string;
  votes_count?: number | null;
}

/** What the requests draw from: DAOs, their proposals (with vote counts), words of their titles. */
async function sample(base: string) {
  const daos = await getJson<Dao[]>(base, '/daos?per_page=100&sort=total_votes&order=desc');
  if (daos.length === 0) throw new Error('no DAOs: import data first (see docs/PERFORMANCE.md)');
  const proposals: Proposal[] = [];
  for (const dao of daos)
    proposals.push(...(await getJson<Proposal[]>(base, `/daos/${dao.slug}/proposals?per_page=100&sort=start`)));
  if (proposals.length === 0) throw new Error('no proposals to draw from');
  const words = [
    ...new Set(
      proposals.flatMap((p) =>
        p.title
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter((w) => w.length >= 5),
      ),
    ),
  ];
  return { daos, proposals, words };
}

const rand = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function scenarios({ daos, proposals, words }: Awaited<ReturnType<typeof sample>>) {
  const dao = () => rand(daos);
  const ids = (n: number) => Array.from({ length: n }, () => dao().id).join(',');
  const votePage = (p: Proposal) => 1 + Math.floor(Math.random() * Math.max(1, Math.ceil((p.votes_count ?? 25) / 25)));
  // [name, weight, next path]: weights sum to 100.
  const list: Array<[string, number, () => string]> = [
    ['DAO list', 10, () => `/api/v1/daos?per_page=100&sort=${rand(['total_votes', 'name'])}&order=desc`],
    ['DAO detail', 14, () => `/api/v1/daos/${dao().slug}`],
    ['summary', 14, () => `/api/v1/daos/${dao().id}/metrics/summary`],
    [
      'proposals list',
      12,
      () => `/api/v1/daos/${dao().slug}/proposals?sort=${rand(['start', 'votes'])}&order=desc&page=1&per_page=25`,
    ],
    ['proposal detail', 12, () => `/api/v1/proposals/${rand(proposals).id}`],
    [
      'votes page',
      12,
      () => {
        const p = rand(proposals);
        return `/api/v1/proposals/${p.id}/votes?sort=voting_power&order=desc&page=${votePage(p)}&per_page=25`;
      },
    ],
    [
      'series (month, all time)',
      14,
      () =>
        `/api/v1/metrics/enhanced?type=${rand(['activity', 'participation', 'outcomes'])}&bucket=month&period=all&dao_ids=${dao().id}`,
    ],
    ['comparison (5 DAOs)', 5, () => `/api/v1/metrics/comparison?dao_ids=${ids(5)}`],
    ['search', 7, () => `/api/v1/search?q=${encodeURIComponent(rand(words))}&limit=8`],
  ];
  const total = list.reduce((sum, [, weight]) => sum + weight, 0);
  const pick = () => {
    let r = Math.random() * total;
    for (const entry of list) {
      r -= entry[1];
      if (r < 0) return entry;
    }
    return list.at(-1)!;
  };
  return { list, pick };
}

/** What a connection's context holds about its one request in flight. */
interface InFlight {
  scenario: string;
  start: bigint;
}

interface Tally {
  latencies: number[];
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * One autocannon run of the mix. Each connection has one request in flight (no pipelining), so
 * the scenario and start time stored in its context at setupRequest belong to the answer
 * onResponse sees next; latency is measured there, per scenario (autocannon's own histogram has
 * no p95 and no per-scenario split).
 */
async function run(base: string, mix: ReturnType<typeof scenarios>, seconds: number) {
  const tallies = new Map<string, Tally>(mix.list.map(([name]) => [name, { latencies: [], errors: 0 }]));
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: TIMEOUT,
    requests: [
      {
        setupRequest: (request, context) => {
          const [name, , next] = mix.pick();
          Object.assign(context, { scenario: name, start: process.hrtime.bigint() } satisfies InFlight);
          return { ...request, method: 'GET', path: next() };
        },
        onResponse: (status, _body, context) => {
          const { scenario, start } = context as InFlight;
          const tally = tallies.get(scenario)!;
          tally.latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          if (status < 200 || status > 299) tally.errors++;
        },
      },
    ],
  });
  // autocannon's `errors` counts connection errors and timeouts (`timeouts` is the part of them).
  return { tallies, transportErrors: result.errors, timeouts: result.timeouts, seconds };
}

function row(name: string, latencies: number[], errors: number, seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const requests = latencies.length;
  const fmt = (n: number) => (Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(1) : n.toFixed(0));
  return {
    line: `| ${name} | ${requests.toLocaleString('en')} | ${(requests / seconds).toFixed(0)} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 95))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted.at(-1) ?? Number.NaN)} | ${errors} (${requests ? ((100 * errors) / requests).toFixed(2) : '—'}%) |`,
    p95: percentile(sorted, 95),
  };
}

const server = await startBenchServer(values.url, {
  RATE_LIMIT_PER_MINUTE: '1000000',
  // API only: no sync job reaches out to Snapshot or a chain while the load runs (the shared
  // data's DAOs name Snapshot spaces), so the figures are the API's and nothing leaves loopback.
  SYNC_WORKER: 'false',
});
let passed = false;
try {
  const data = await sample(server.base);
  const mix = scenarios(data);
  // Every scenario answers 200 once before the load, so a broken URL is not measured as speed.
  for (const [name, , next] of mix.list) {
    const url = next();
    const response = await fetch(`${server.base}${url}`);
    if (!response.ok) throw new Error(`${name}: GET ${url} answered ${response.status}: ${await response.text()}`);
  }
  const where = values.url ?? (process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded (DATA_DIR)');
  console.log(
    `${where}: ${data.daos.length} DAOs, ${data.proposals.length} proposals drawn from; ${CONNECTIONS} connections, ${WARMUP} s warm-up, ${SECONDS} s measured`,
  );
  if (WARMUP > 0) await run(server.base, mix, WARMUP);
  const { tallies, transportErrors, timeouts } = await run(server.base, mix, SECONDS);
  console.log('| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, tally] of tallies) console.log(row(name, tally.latencies, tally.errors, SECONDS).line);
  const all = [...tallies.values()];
  const latencies = all.flatMap((t) => t.latencies);
  const answeredErrors = all.reduce((sum, t) => sum + t.errors, 0);
  const total = row('**all**', latencies, answeredErrors + transportErrors, SECONDS);
  console.log(total.line);
  const errorRate = (answeredErrors + transportErrors) / Math.max(1, latencies.length + transportErrors);
  passed = total.p95 < TARGET_P95_MS && errorRate < TARGET_ERROR_RATE;
  console.log(
    `baseline (p95 < ${TARGET_P95_MS} ms, errors < ${100 * TARGET_ERROR_RATE}%): ${passed ? 'met' : 'MISSED'} — p95 ${total.p95.toFixed(0)} ms, errors ${(100 * errorRate).toFixed(2)}% (${transportErrors} connection errors, ${timeouts} of them no answer within ${TIMEOUT} s)`,
  );
} finally {
  // Requests abandoned at the end of the run are still being answered.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await server.stop();
}
process.exitCode = passed ? 0 : 1;
