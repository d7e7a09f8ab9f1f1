import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE, proofOf, readLockHolder } from '../src/db/lock.ts';
import { DatabaseBusyError } from '../src/errors.ts';
import { repoRoot } from './helpers/db.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-lock-'));
const dir = (name: string) => path.join(tmp, name);
const startTime = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};
const writeLock = (dataDir: string, holder: object) => {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, LOCK_FILE), JSON.stringify(holder));
};

describe('the embedded database lock', () => {
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('is readable by its owner only, carries a secret and proves it', async () => {
    const lock = await acquireDataDirLock(dir('a'));
    try {
      expect(fs.statSync(path.join(dir('a'), LOCK_FILE)).mode & 0o777).toBe(0o600);
      const holder =
        (await readLockHolder(dir('a'))) ?? JSON.parse(fs.readFileSync(path.join(dir('a'), LOCK_FILE), 'utf8'));
      expect(holder.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(lock.prove('nonce-1')).toBe(proofOf(holder.secret, 'nonce-1'));
      // A second open in the same process is refused, not taken over.
      await expect(acquireDataDirLock(dir('a'))).rejects.toThrow('already open in this process');
    } finally {
      await lock.release();
    }
  });

  it("is taken over when its pid is this process's (an earlier incarnation, as after a container's PID 1 restarts)", async () => {
    writeLock(dir('b'), { pid: process.pid, since: '2026-01-01T00:00:00Z', startTime: '1' });
    const lock = await acquireDataDirLock(dir('b'));
    await lock.release();
  });

  it('is taken over when its pid now belongs to another process (start time differs), and held while it does not', async () => {
    if (!fs.existsSync(`/proc/${process.ppid}/stat`)) return;
    writeLock(dir('c'), { pid: process.ppid, since: '2026-01-01T00:00:00Z', startTime: '1' });
    const lock = await acquireDataDirLock(dir('c'));
    await lock.release();
    writeLock(dir('d'), { pid: process.ppid, since: '2026-01-01T00:00:00Z', startTime: startTime(process.ppid) });
    await expect(acquireDataDirLock(dir('d'))).rejects.toBeInstanceOf(DatabaseBusyError);
  });

  it('the CLI sends nothing to a process that cannot prove it holds the lock', async () => {
    const posts: string[] = [];
    const impostor = http.createServer((request, response) => {
      if (request.method !== 'GET') posts.push(request.url ?? '');
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { proof: 'forged' } }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const port = (impostor.address() as { port: number }).port;
      // A live holder (this test process) whose recorded address is the impostor's.
      writeLock(dir('e'), {
        pid: process.pid === process.ppid ? 1 : process.ppid,
        since: new Date().toISOString(),
        url: `http://127.0.0.1:${port}`,
        secret: 'the real secret',
        startTime: startTime(process.ppid),
      });
      const file = path.join(tmp, 'one.ndjson');
      fs.writeFileSync(file, `${JSON.stringify({ type: 'dao', slug: 'x', name: 'X', chain: 'ethereum' })}\n`);
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin/dao-portal.js'), 'import', file], {
        env: { ...process.env, DATA_DIR: dir('e'), DATABASE_URL: '', LOG_LEVEL: 'silent' },
        timeout: 90_000,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr.trim()).toBe(
        `dao-portal: the process at http://127.0.0.1:${port} could not prove it holds the database lock in ${dir('e')}: nothing is sent to it`,
      );
      expect(code).toBe(1);
      expect(posts).toEqual([]);
    } finally {
      impostor.close();
    }
  }, 120_000);
});
