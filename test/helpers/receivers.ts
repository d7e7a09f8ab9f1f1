import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (or another loopback address) that records every request and
 * answers with `respond` (default 200 `{}`).
 */
export async function startReceiver(
  respond: (hit: Hit, res: http.ServerResponse) => unknown = (_hit, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  },
  options: { host?: string; port?: number } = {},
): Promise<Receiver> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      Promise.resolve(respond(hit, res)).catch(() => res.writeHead(500).end());
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
