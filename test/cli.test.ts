import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLockHolder } from '../src/db/lock.ts';
import { TEST_PASSWORD } from './helpers/auth.ts';
import { repoRoot } from './helpers/db.ts';

const bin = path.join(repoRoot, 'bin/dao-portal.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-cli-'));
const dataDir = path.join(tmp, 'data');
const baseEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  DATABASE_URL: '',
  PORT: '0',
  HOST: '127.0.0.1',
};

/** Runs the CLI without blocking the test worker (a blocked worker misses vitest's RPC deadlines under load). */
function cli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(input ?? '');
  });
}

const ndjson = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const goodFile = path.join(tmp, 'good.ndjson');
const badFile = path.join(tmp, 'bad.ndjson');
fs.writeFileSync(
  goodFile,
  ndjson(
    { type: 'dao', slug: 'cli-dao', name: 'CLI DAO', chain: 'ethereum' },
    { type: 'proposal', dao: 'cli-dao', id: 'p1', title: 'T', choices: ['Yes', 'No'], start: 0, end: 100 },
    { type: 'vote', dao: 'cli-dao', proposal: 'p1', voter: '0xA', choice: 1, voting_power: '1.5', created: 50 },
  ),
);
fs.writeFileSync(
  badFile,
  ndjson(
    { type: 'vote', dao: 'cli-dao', proposal: 'p1', voter: '0xB', choice: 2, voting_power: '2', created: 60 },
    { type: 'vote', dao: 'cli-dao', proposal: 'p1', voter: '0xC', choice: 9, voting_power: '2', created: 60 },
  ),
);

// Each test starts several Node processes (tsx compiles on start): seconds each on a loaded 2-core machine.
describe('dao-portal CLI', { timeout: 240_000 }, () => {
  let server: ChildProcess | undefined;
  let serverLog = '';

  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints help for every command', async () => {
    expect((await cli(['--help'])).stdout).toContain('Usage: dao-portal');
    for (const command of ['serve', 'migrate', 'import', 'convert']) {
      const { code, stdout } = await cli([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout).toContain(`Usage: dao-portal ${command}`);
    }
  });

  it('stops with one clear line naming a bad configuration variable', async () => {
    const { code, stderr } = await cli(['migrate'], { PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("dao-portal: PORT must be an integer from 0 to 65535, got 'eighty'");
    expect((await cli(['migrate'], { DATABASE_URL: 'mysql://x' })).stderr).toContain(
      'DATABASE_URL must use postgres: or postgresql:',
    );
    expect((await cli(['migrate'], { LOG_LEVEL: 'loud' })).stderr).toContain(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('names bad input in one line and exits 2: unknown converter, missing export, unwritable output, unknown DAO', async () => {
    const cases: Array<[string[], string]> = [
      [['convert', 'bogus', 'x'], "dao-portal: unknown format 'bogus'; expected one of aave, decentraland, tokenomics"],
      [
        ['convert', 'decentraland', path.join(tmp, 'missing')],
        `dao-portal: ${path.join(tmp, 'missing', 'proposals.csv')}: no such file or directory`,
      ],
      [
        ['convert', 'decentraland', path.join(tmp, 'missing'), '-o', path.join(tmp, 'no', 'dir.ndjson')],
        `dao-portal: cannot write ${path.join(tmp, 'no', 'dir.ndjson')}: no such directory`,
      ],
      [['recompute', '--dao', 'no-such-dao'], "dao-portal: DAO 'no-such-dao' not found"],
      [['recompute', '--jobs', 'many'], "dao-portal: --jobs must be a whole number from 1 to 64, not 'many'"],
    ];
    for (const [args, line] of cases) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim(), args.join(' ')).toBe(line);
      expect(stdout).toBe('');
    }
  });

  it('imports files into the embedded database, idempotently, with a summary and exit status', async () => {
    const first = await cli(['import', goodFile]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Imported 3 records .*: 3 inserted, 0 updated, 0 unchanged, 0 rejected/);
    const again = await cli(['import', goodFile]);
    expect(again.stdout).toMatch(/0 inserted, 0 updated, 3 unchanged, 0 rejected/);
    const fromStdin = await cli(['import', '-'], {}, fs.readFileSync(badFile, 'utf8'));
    expect(fromStdin.code).toBe(2);
    expect(fromStdin.stderr).toContain(
      'stdin:2: vote choice: 9 is not a valid single-choice choice for a proposal with 2 choices',
    );
    expect(fromStdin.stdout).toMatch(/1 inserted, 0 updated, 0 unchanged, 1 rejected/);
    expect((await cli(['import', path.join(tmp, 'missing.ndjson')])).stderr).toContain('cannot read');
  });

  describe('while the server holds the embedded database', () => {
    let apiKey = '';
    beforeAll(async () => {
      // Writes through the server need a role: an admin made with the CLI, and an API key of theirs.
      const created = await cli(
        ['user', 'create', '--email', 'cli-admin@test.example', '--role', 'admin', '--password-stdin'],
        {},
        `${TEST_PASSWORD}\n`,
      );
      expect(created.code, created.stderr).toBe(0);
      server = spawn(process.execPath, [bin, 'serve'], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stderr!.on('data', (d) => (serverLog += d));
      server.stdout!.on('data', (d) => (serverLog += d));
      const deadline = Date.now() + 30_000;
      while (!(await readLockHolder(dataDir))?.url) {
        if (Date.now() > deadline) throw new Error(`server did not start:\n${serverLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = (await readLockHolder(dataDir))!.url!;
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'cli-admin@test.example', password: TEST_PASSWORD }),
      });
      const session = {
        cookie: login.headers.getSetCookie()[0]!.split(';')[0]!,
        'x-csrf-token': ((await login.json()) as { data: { csrf_token: string } }).data.csrf_token,
      };
      const key = await fetch(`${url}/api/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...session },
        body: JSON.stringify({ name: 'cli', scopes: ['read', 'write'] }),
      });
      apiKey = ((await key.json()) as { data: { secret: string } }).data.secret;
    }, 60_000);

    it('serves the API with structured logs carrying a request id', async () => {
      const url = (await readLockHolder(dataDir))!.url!;
      const res = await fetch(`${url}/api/v1/daos/cli-dao`);
      expect(res.status).toBe(200);
      expect((await res.json()).data.total_votes).toBe(2);
      await new Promise((r) => setTimeout(r, 200));
      const requestLine = serverLog.split('\n').find((l) => l.includes('/api/v1/daos/cli-dao'));
      expect(JSON.parse(requestLine!)).toMatchObject({ reqId: res.headers.get('x-request-id'), level: 30 });
    });

    it('refuses an import through the server without an API key, saying how to get one', async () => {
      const { code, stderr } = await cli(['import', goodFile]);
      expect(stderr).toContain('the server refused the import: Sign in or send an API key');
      expect(stderr).toContain('set DAO_PORTAL_API_KEY');
      expect(code).toBe(2);
    });

    it('sends imports through the server instead of opening the database', async () => {
      const { code, stdout, stderr } = await cli(['import', goodFile, badFile], { DAO_PORTAL_API_KEY: apiKey });
      expect(stderr).toContain('holds the database: importing through its API');
      expect(stderr).toContain(`${badFile}:2: vote choice: 9 is not a valid`);
      expect(stdout).toMatch(/Imported 5 records .*: 0 inserted, 0 updated, 4 unchanged, 1 rejected/);
      expect(code).toBe(2);
    });

    it('explains that migrations already ran', async () => {
      const { code, stdout } = await cli(['migrate']);
      expect(code).toBe(0);
      expect(stdout).toContain('holds the database and applied every migration when it started');
    });

    it('drains and closes the database cleanly on SIGTERM', async () => {
      const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
      server!.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'dao-portal.lock'))).toBe(false);
      // The directory opens again with everything in it.
      expect((await cli(['import', goodFile])).stdout).toMatch(/3 unchanged/);
    });
  });
});
