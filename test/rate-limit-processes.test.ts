import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';

const postgres = databaseTargets().find((t) => t.kind === 'postgres');
const bin = path.join(repoRoot, 'bin/dao-portal.js');
const LIMIT = 6;

interface Server {
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

/** Waits for check() to return a value, failing after timeoutMs with what and the server's log. */
async function until<T>(check: () => T | undefined, what: string, server: Server, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (server.child.exitCode !== null || server.child.signalCode !== null)
      throw new Error(
        `the server exited (${server.child.exitCode ?? server.child.signalCode}) before ${what}:\n${server.log}`,
      );
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${server.log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The address in the server's "DAO Portal listening on …" JSON log line on stderr, once it is written. */
function listeningAddress(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('DAO Portal listening on')) continue;
    try {
      const record = JSON.parse(line) as { msg?: string; address?: string };
      if (record.msg?.startsWith('DAO Portal listening on') && record.address) return record.address;
    } catch {
      // A line still being written: read it again on the next poll.
    }
  }
  return undefined;
}

/** An anonymous request (no cookie, no key), so both servers count it under the client IP. */
async function get(base: string, url: string): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(`${base}${url}`, { credentials: 'omit', signal: AbortSignal.timeout(10_000) });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

// Two server processes sharing one PostgreSQL database and one Redis.
describe.skipIf(!postgres || !process.env.REDIS_URL)('the API rate limit across two server processes', () => {
  const prefix = `dp-test-rl-${process.pid}-${Date.now()}`;
  let database: TestDatabase;
  const servers: Server[] = [];

  function start(): Server {
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: process.env.REDIS_URL,
        SYNC_QUEUE_PREFIX: prefix,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        SYNC_WORKER: 'false',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server: Server = {
      child,
      log: '',
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    child.stdout!.on('data', (d) => (server.log += d));
    child.stderr!.on('data', (d) => (server.log += d));
    child.on('error', (error) => (server.log += `\nspawn error: ${error.message}\n`));
    servers.push(server);
    return server;
  }

  beforeAll(async () => {
    database = await postgres!.open();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      servers.map(async (s) => {
        if (s.child.exitCode !== null || s.child.signalCode !== null) return;
        s.child.kill('SIGTERM');
        const stopped = await Promise.race([s.exited.then(() => true), new Promise((r) => setTimeout(r, 5_000))]);
        if (!stopped) {
          s.child.kill('SIGKILL');
          await s.exited;
        }
      }),
    );
    const queue = new Queue('sync', { connection: { url: process.env.REDIS_URL! }, prefix });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await database?.destroy();
  }, 30_000);

  it('counts one caller once across both servers: 6 answers, then 429 from either; /health still answers', async () => {
    const started = [start(), start()];
    const bases = await Promise.all(
      started.map((s) => until(() => listeningAddress(s.log), 'the "DAO Portal listening on" log line', s, 60_000)),
    );
    for (const base of bases) expect(new URL(base).hostname).toBe('127.0.0.1');

    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await get(bases[i % 2]!, '/api/v1/daos');
      statuses.push(response.status);
      expect(response.status, `request ${i + 1}: ${response.body}\n${started[i % 2]!.log}`).toBe(200);
    }
    expect(statuses).toEqual(Array(LIMIT).fill(200));

    // The 7th goes to the first server and the 8th to the second: each refuses, counting the other's requests.
    for (const [i, base] of [bases[LIMIT % 2]!, bases[(LIMIT + 1) % 2]!].entries()) {
      const refused = await get(base, '/api/v1/daos');
      expect(refused.status, `request ${LIMIT + 1 + i} to ${base}`).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({ status: 'error', error: { code: 'RATE_LIMITED' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    // Health checks are not API calls: they pass on both servers while the caller is limited.
    for (const base of bases) {
      const health = await get(base, '/health');
      expect(health.status, `${base}/health`).toBe(200);
    }
  }, 120_000);
});
