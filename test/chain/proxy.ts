import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A JSON-RPC proxy in front of the test chain that behaves like a hosted provider: it can refuse
 * eth_getLogs ranges wider than `maxRange` blocks (as Alchemy/Infura do) and fail a share of the
 * requests with HTTP 503, 429 or a JSON-RPC internal error (seeded, so a run is reproducible).
 */
export interface ProxyOptions {
  maxRange?: number;
  faultRate?: number;
  seed?: number;
}

export interface RpcProxy {
  url: string;
  stats: { requests: number; faults: number; rejectedRanges: number };
  close(): Promise<void>;
}

interface RpcCall {
  id: unknown;
  method: string;
  params?: Array<{ fromBlock?: string; toBlock?: string }>;
}

export async function startProxy(upstream: string, options: ProxyOptions): Promise<RpcProxy> {
  let state = options.seed ?? 1;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const stats = { requests: 0, faults: 0, rejectedRanges: 0 };

  const tooWide = (call: RpcCall) => {
    if (call.method !== 'eth_getLogs' || options.maxRange === undefined) return false;
    const { fromBlock, toBlock } = call.params?.[0] ?? {};
    if (!fromBlock?.startsWith('0x') || !toBlock?.startsWith('0x')) return false;
    return Number(BigInt(toBlock) - BigInt(fromBlock)) + 1 > options.maxRange;
  };
  const rangeError = (call: RpcCall) => ({
    jsonrpc: '2.0',
    id: call.id,
    error: { code: -32600, message: `eth_getLogs is limited to a ${options.maxRange} block range` },
  });

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    stats.requests++;
    const fault = options.faultRate ? random() < options.faultRate : false;
    if (fault) {
      stats.faults++;
      const kind = Math.floor(random() * 3);
      if (kind === 0) return void res.writeHead(503).end('upstream unavailable');
      if (kind === 1) return void res.writeHead(429, { 'retry-after': '0' }).end('rate limited');
    }
    const parsed = JSON.parse(body) as RpcCall | RpcCall[];
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    const answers = new Map<number, unknown>();
    calls.forEach((call, i) => {
      if (fault) answers.set(i, { jsonrpc: '2.0', id: call.id, error: { code: -32603, message: 'internal error' } });
      else if (tooWide(call)) {
        stats.rejectedRanges++;
        answers.set(i, rangeError(call));
      }
    });
    const forward = calls.filter((_, i) => !answers.has(i));
    if (forward.length) {
      const upstreamResponse = await fetch(upstream, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forward),
      });
      const results = (await upstreamResponse.json()) as unknown[];
      let k = 0;
      calls.forEach((_, i) => {
        if (!answers.has(i)) answers.set(i, results[k++]);
      });
    }
    const out = calls.map((_, i) => answers.get(i));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(Array.isArray(parsed) ? out : out[0]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
