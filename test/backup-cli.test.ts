import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLockHolder } from '../src/db/lock.ts';
import { TEST_PASSWORD } from './helpers/auth.ts';
import { repoRoot } from './helpers/db.ts';

const bin = path.join(repoRoot, 'bin/dao-portal.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-backup-cli-'));
const dataDir = path.join(tmp, 'data');
const out = path.join(tmp, 'backups');
const baseEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
  PORT: '0',
  HOST: '127.0.0.1',
  BACKUP_DIR: '',
  BACKUP_SCHEDULE: '',
};

function cli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(input ?? '');
  });
}

const ndjson = (...records: object[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
const records = path.join(tmp, 'records.ndjson');
fs.writeFileSync(
  records,
  ndjson(
    { type: 'dao', slug: 'bk-dao', name: 'Backup DAO', chain: 'ethereum' },
    { type: 'proposal', dao: 'bk-dao', id: 'p1', title: 'T', choices: ['Yes', 'No'], start: 0, end: 100 },
    { type: 'vote', dao: 'bk-dao', proposal: 'p1', voter: '0xA', choice: 1, voting_power: '1.5', created: 50 },
    { type: 'vote', dao: 'bk-dao', proposal: 'p1', voter: '0xB', choice: 2, voting_power: '2', created: 60 },
  ),
);
const backupsIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.tar.gz'))
    .map((n) => path.join(dir, n));

describe('dao-portal backup, restore and maintenance on the embedded database', { timeout: 300_000 }, () => {
  let server: ChildProcess | undefined;
  let serverLog = '';
  afterAll(() => {
    server?.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('says so when there is nothing to back up', async () => {
    const { code, stderr } = await cli(['backup', '--out', out]);
    expect(stderr).toContain(`there is no embedded database in ${dataDir} (DATA_DIR) to back up`);
    expect(code).toBe(2);
  });

  it('backs up a stopped database, verifies it, and restores it into an empty directory', async () => {
    expect((await cli(['import', records])).code).toBe(0);
    const backup = await cli(['backup', '--out', out]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('backup: counting rows and computing checksums');
    expect(backup.stdout).toMatch(/^Backup written to .*dao-portal-pglite-.*\.tar\.gz \(.* tables, .* rows\)/m);
    expect(backup.stdout).toMatch(/^Verified: restored, \d+ tables match the manifest/m);
    const [file] = backupsIn(out);

    const verify = await cli(['backup', 'verify', file!]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('is good');

    const other = path.join(tmp, 'other');
    const restore = await cli(['restore', file!], { DATA_DIR: other });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`into ${other}`);
    // The restored directory serves the same data.
    const again = await cli(['import', records], { DATA_DIR: other });
    expect(again.stdout).toMatch(/0 inserted, 0 updated, 4 unchanged/);

    // Into the directory it came from: refused (it holds data) unless --force.
    const refused = await cli(['restore', file!]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dao-portal: the embedded database in .* is not empty .*add --force/m);
    const forced = await cli(['restore', '--force', file!]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/The data it replaced is kept as .*pgdata\.replaced-/);
  });

  it('refuses a damaged file with one line and exit 2', async () => {
    const [file] = backupsIn(out);
    const damaged = path.join(tmp, 'damaged.tar.gz');
    const bytes = fs.readFileSync(file!);
    bytes[100]! ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    fs.copyFileSync(`${file}.manifest.json`, `${damaged}.manifest.json`);
    const restore = await cli(['restore', '--force', damaged]);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toMatch(
      /^dao-portal: .*damaged\.tar\.gz is corrupted: its SHA-256 is [0-9a-f]{64}, its manifest says/m,
    );
    const noManifest = path.join(tmp, 'lonely.tar.gz');
    fs.copyFileSync(file!, noManifest);
    const verify = await cli(['backup', 'verify', noManifest]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('has no manifest beside it (expected lonely.tar.gz.manifest.json)');
  });

  describe('while the server holds the database', () => {
    let apiKey = '';
    beforeAll(async () => {
      const created = await cli(
        ['user', 'create', '--email', 'bk-admin@test.example', '--role', 'admin', '--password-stdin'],
        {},
        `${TEST_PASSWORD}\n`,
      );
      expect(created.code, created.stderr).toBe(0);
      server = spawn(process.execPath, [bin, 'serve'], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stderr!.on('data', (d) => (serverLog += d));
      server.stdout!.on('data', (d) => (serverLog += d));
      const deadline = Date.now() + 60_000;
      while (!(await readLockHolder(dataDir))?.url) {
        if (Date.now() > deadline) throw new Error(`server did not start:\n${serverLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = (await readLockHolder(dataDir))!.url!;
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bk-admin@test.example', password: TEST_PASSWORD }),
      });
      const session = {
        cookie: login.headers.getSetCookie()[0]!.split(';')[0]!,
        'x-csrf-token': ((await login.json()) as { data: { csrf_token: string } }).data.csrf_token,
      };
      const key = await fetch(`${url}/api/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...session },
        body: JSON.stringify({ name: 'backup', scopes: ['read', 'write'] }),
      });
      apiKey = ((await key.json()) as { data: { secret: string } }).data.secret;
    }, 90_000);

    it('refuses a backup through the server without an admin key, saying how to get one', async () => {
      const { code, stderr } = await cli(['backup', '--out', out]);
      expect(code).toBe(2);
      expect(stderr).toContain('the server refused the backup: Sign in or send an API key');
      expect(stderr).toContain('set DAO_PORTAL_API_KEY to an API key of an admin');
    });

    it('backs up through the server and verifies the download', async () => {
      const before = backupsIn(out).length;
      const { code, stdout, stderr } = await cli(['backup', '--out', out], { DAO_PORTAL_API_KEY: apiKey });
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('holds the database: backing up through its API');
      expect(stdout).toMatch(/^Verified: restored/m);
      expect(backupsIn(out)).toHaveLength(before + 1);
    });

    it('runs maintenance through the server', async () => {
      const { code, stdout, stderr } = await cli(['maintenance'], { DAO_PORTAL_API_KEY: apiKey });
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/maintenance: vacuum \(analyze\): \d+ ms/);
      expect(stdout).toContain('Maintenance done.');
    });

    it('refuses to restore under a running server, changing nothing', async () => {
      const [file] = backupsIn(out);
      const { code, stderr } = await cli(['restore', '--force', file!]);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^dao-portal: The embedded database in .* is in use by the DAO Portal server at .*Stop it first/m,
      );
      const url = (await readLockHolder(dataDir))!.url!;
      expect(
        ((await (await fetch(`${url}/api/v1/daos/bk-dao`)).json()) as { data: { total_votes: number } }).data
          .total_votes,
      ).toBe(2);
    });
  });
});
