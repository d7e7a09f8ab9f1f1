import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/db.ts';

const bin = path.join(repoRoot, 'bin/dao-portal.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-startup-'));
/** One embedded database, made once (initdb takes seconds here) and opened by each server in turn. */
const dataDir = path.join(tmp, 'data');
const baseEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  DATABASE_URL: '',
  REDIS_URL: '',
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
};

const children = new Set<ChildProcess>();

/** Runs the CLI to its end (bounded: killed after 120 s). */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, timeout: 120_000 });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one line a failed start printed: names the variable and the cause, no stack, exit 1. */
function expectOneLine(result: { code: number | null; stderr: string }, ...parts: (string | RegExp)[]) {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^dao-portal: /);
  expect(lines[0]).not.toMatch(/unexpected error|\n\s+at /);
  for (const part of parts) expect(lines[0]).toMatch(part);
  expect(result.code).toBe(1);
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('start-up failures are one line naming the variable', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    const made = await cli(['migrate']);
    expect(made.code, made.stderr).toBe(0);
  }, 240_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('DATA_DIR the file system refuses (/proc/x, which used to hang)', async () => {
    expectOneLine(await cli(['serve'], { DATA_DIR: '/proc/x' }), /^dao-portal: DATA_DIR: /, '/proc/x');
  });

  it('DATA_DIR under a file', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    expectOneLine(await cli(['serve'], { DATA_DIR: path.join(file, 'data') }), /^dao-portal: DATA_DIR: /, 'ENOTDIR');
  });

  it('a PostgreSQL server that does not listen', async () => {
    const port = await closedPort();
    expectOneLine(
      await cli(['serve'], { DATABASE_URL: `postgres://someone:secret@127.0.0.1:${port}/db` }),
      /^dao-portal: DATABASE_URL: cannot connect to postgres:\/\/someone:\*\*\*@127\.0\.0\.1/,
      'nothing listens there',
    );
  });

  it.runIf(process.env.TEST_DATABASE_URL)('a PostgreSQL database that does not exist', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/dp_missing_${process.pid}`;
    expectOneLine(
      await cli(['serve'], { DATABASE_URL: url.toString() }),
      /^dao-portal: DATABASE_URL: /,
      'no such database',
    );
  });

  it('a PORT another process listens on', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      expectOneLine(await cli(['serve'], { PORT: String(port) }), `PORT ${port} is already in use on 127.0.0.1`);
    } finally {
      taken.close();
    }
  });

  it('a HOST that is not an address of this machine, and one that does not resolve', async () => {
    expectOneLine(await cli(['serve'], { HOST: '192.0.2.1' }), "HOST '192.0.2.1' is not an address of this machine");
    expectOneLine(
      await cli(['serve'], { HOST: 'no-such-host.invalid' }),
      "HOST 'no-such-host.invalid' does not resolve",
    );
  });

  it('an unreachable Redis: the server starts, warns once, health is degraded, and SIGTERM still stops it', async () => {
    const port = await closedPort();
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...baseEnv, REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
    });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 150_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      url = /DAO Portal listening on (http:\/\/[0-9.:]+)/.exec(stderr)?.[1];
    }
    expect(url, stderr).toBeDefined();
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      services: { database: 'healthy', cache: 'unhealthy', queue: 'unhealthy' },
    });
    // Reconnect attempts go on in the background (several a second); the log says it once.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const warnings = stderr.split('\n').filter((line) => line.includes('Redis'));
    expect(warnings, stderr).toHaveLength(1);
    expect(warnings[0]).toContain('Redis (REDIS_URL) does not answer');
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    children.delete(child);
  }, 240_000);
});
