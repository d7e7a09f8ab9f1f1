import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

export interface BenchServer {
  base: string;
  /** The server process's id (undefined for a server given by URL), for its CPU time in /proc. */
  pid?: number | undefined;
  /** Sends SIGTERM and waits for the process to exit (nothing for a server given by URL). */
  stop(): Promise<void>;
}

/**
 * The server the benchmarks measure: the one at `url` when given, else `dao-portal serve` started
 * as a child process on a free 127.0.0.1 port with `env` over this process's environment, once
 * its /health answers (up to 2 minutes: a first start may migrate the database).
 */
export async function startBenchServer(
  url: string | undefined,
  env: Record<string, string> = {},
  /** The server's script and arguments (default `bin/dao-portal.js serve`), run by this node. */
  command?: string[],
): Promise<BenchServer> {
  if (url) return { base: url.replace(/\/$/, ''), stop: async () => {} };
  const port = await freePort();
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, command ?? [path.join(root, 'bin/dao-portal.js'), 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240 && child.exitCode === null; i++) {
    const healthy = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { base, pid: child.pid, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error('server did not become healthy');
}
