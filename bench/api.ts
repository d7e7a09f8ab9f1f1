/**
 * Load test of the metric endpoints against the data set in DATABASE_URL (see bench/gen.ts):
 *   npm run bench:metrics -- [--connections 50] [--seconds 20] [--url http://host:port]
 *
 * Starts the server as a child process (`dao-portal serve`, unless --url points at a running one)
 * so the load generator does not share its event loop, then for each scenario keeps
 * `--connections` requests in flight with autocannon for `--seconds`, after a warm-up, and prints
 * requests/s and latency percentiles (ms, autocannon's whole-millisecond histogram). Scenarios: one DAO's summary, a 5-DAO comparison
 * and a 3-DAO 90-day activity series, each DAO drawn at random from the 100 with most votes; the
 * all-time monthly participation series of the default DAOs (the 10 with most votes); and the
 * detail of the proposal with most stored votes. `--only summary,detail` runs the scenarios whose
 * names contain one of the words. `--accept-encoding "br, gzip"` sends that header with every
 * request, as browsers and Node's fetch do (default: none, so every answer goes uncompressed and
 * the largest ones cost mostly their bytes on the socket).
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startBenchServer } from './serve.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    url: { type: 'string' },
    only: { type: 'string' },
    'accept-encoding': { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const HEADERS: Record<string, string> = values['accept-encoding']
  ? { 'accept-encoding': values['accept-encoding'] }
  : {};

/**
 * Keeps CONNECTIONS requests in flight for `seconds` with autocannon (a C-like HTTP/1.1 client:
 * keep-alive, no pipelining, far less CPU per request than fetch, which matters when the load
 * generator shares the machine with the server); each request's path comes from `next`.
 */
async function load(base: string, next: () => string, seconds: number) {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    headers: HEADERS,
    requests: [{ setupRequest: (request) => ({ ...request, path: next() }) }],
  });
  return {
    requests: result.requests.total,
    ok: result['2xx'],
    errors: result.errors + result.timeouts + result.non2xx,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

if (!values.url && !process.env.DATABASE_URL)
  throw new Error('set DATABASE_URL (the generated data set) or pass --url');
// The load comes from one address: the anonymous per-IP limit would answer nearly all of it with 429.
const server = await startBenchServer(values.url, { RATE_LIMIT_PER_MINUTE: '1000000', SYNC_WORKER: 'false' });
try {
  const daos = (
    (await (await fetch(`${server.base}/api/v1/daos?sort=total_votes&order=desc&per_page=100`)).json()) as {
      data: Array<{ id: number; total_votes: number }>;
    }
  ).data;
  if (daos.length === 0) throw new Error('no DAOs: run npm run gen first');
  const pick = () => daos[Math.floor(Math.random() * daos.length)]!.id;
  const picks = (n: number) => Array.from({ length: n }, pick).join(',');
  const [largest] = (
    (await (
      await fetch(`${server.base}/api/v1/daos/${daos[0]!.id}/proposals?sort=votes_stored&order=desc&per_page=1`)
    ).json()) as { data: Array<{ id: number; votes_stored: number }> }
  ).data;
  const all: Array<[string, () => string]> = [
    ['summary', () => `/api/v1/daos/${pick()}/metrics/summary`],
    ['comparison (5 DAOs)', () => `/api/v1/metrics/comparison?dao_ids=${picks(5)}`],
    [
      'enhanced activity 90d (3 DAOs)',
      () => `/api/v1/metrics/enhanced?type=activity&period=90d&as_of=2026-01-01T00:00:00Z&dao_ids=${picks(3)}`,
    ],
    [
      'enhanced participation all/month (10 default DAOs)',
      () => '/api/v1/metrics/enhanced?type=participation&period=all&bucket=month',
    ],
    [`proposal detail (largest, ${largest?.votes_stored} votes)`, () => `/api/v1/proposals/${largest?.id}`],
  ];
  const only = values.only?.split(',').filter(Boolean);
  const scenarios = only ? all.filter(([name]) => only.some((word) => name.includes(word))) : all;
  console.log(
    `${CONNECTIONS} connections, ${SECONDS} s per scenario (after ${WARMUP} s warm-up), ${daos.length} DAOs drawn from, largest ${daos[0]!.total_votes} votes, accept-encoding: ${HEADERS['accept-encoding'] ?? 'none'}`,
  );
  console.log('scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors');
  for (const [name, next] of scenarios) {
    await load(server.base, next, WARMUP);
    const r = await load(server.base, next, SECONDS);
    console.log(
      `${name} | ${r.ok} | ${(r.ok / SECONDS).toFixed(0)} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.errors}`,
    );
  }
} finally {
  // Requests the load generator abandoned at the end of a run are still being answered.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await server.stop();
}
