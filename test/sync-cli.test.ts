import { spawn as spawnChild } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/index.ts';
import { createSyncEngine } from '../src/sync/engine.ts';
import { signIn } from './helpers/auth.ts';
import { repoRoot } from './helpers/db.ts';
import { silentLogger } from './helpers/runners.ts';
import { proposalIds, TestSource } from './helpers/sync-source.ts';

const bin = path.join(repoRoot, 'bin/dao-portal.js');
const helper = path.join(repoRoot, 'test/helpers/sync-cli.ts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-sync-cli-'));
const dataDir = path.join(tmp, 'data');
const space = 'cli-sync.eth';
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  DATABASE_URL: '',
  REDIS_URL: '',
  LOG_LEVEL: 'warn',
  TEST_SYNC_SPACE: space,
  TEST_SYNC_DELAY_MS: '200',
};

/** Runs a child without blocking this process (the in-test server must keep answering). */
function spawn(
  args: string[],
  input?: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(process.execPath, args, { env: { ...env, ...extraEnv }, timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
const cli = (args: string[], input?: string, extraEnv?: Record<string, string>) =>
  spawn([bin, ...args], input, extraEnv);
/** The real sync command with the test source (no connector is configured in this repository's tests). */
const sync = (args: string[]) => spawn(['--import', 'tsx', helper, ...args]);

// Each command is a fresh process that loads TypeScript and opens the embedded database: slow on a busy machine.
const SLOW = 180_000;

describe('dao-portal sync and worker commands', () => {
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it(
    'refuses to start a worker without Redis',
    async () => {
      const worker = await cli(['worker']);
      expect(worker.code).toBe(1);
      expect(worker.stderr.trim()).toBe(
        'dao-portal: dao-portal worker needs REDIS_URL (without Redis, serve runs the jobs itself)',
      );
    },
    SLOW,
  );

  it(
    'syncs now with a progress bar and a summary, resuming from the cursor on the next run',
    async () => {
      const dao = { type: 'dao', slug: 'cli-sync', name: 'CLI Sync', chain: 'ethereum', snapshot_space: space };
      expect((await cli(['import', '-'], JSON.stringify(dao) + '\n')).code).toBe(0);

      const first = await sync(['--dao', 'cli-sync', '--source', 'snapshot']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/cli-sync snapshot {2}\[#{24}\] 100% {2}3 items {2}[\d,]+ items\/s/);
      expect(first.stdout).toMatch(/^cli-sync snapshot: 3 read, 3 written in \d+\.\ds \(\d+ items\/s\), lag 42\n$/);
      expect((await sync([])).stdout).toMatch(/^cli-sync snapshot: 3 read, 3 written/);
    },
    SLOW,
  );

  it(
    'refuses unknown sources and DAOs with one clear line (exit 2: the input was wrong)',
    async () => {
      expect(await cli(['sync', '--source', 'bogus'])).toMatchObject({
        code: 2,
        stderr: "dao-portal: --source must be one of snapshot, governor, treasury, got 'bogus'\n",
      });
      expect(await sync(['--dao', 'no-such-dao'])).toMatchObject({
        code: 2,
        stderr: "dao-portal: DAO 'no-such-dao' not found\n",
      });
      // cli-sync has a Snapshot space but no Governor (and no RPC_URL is set).
      expect(await cli(['sync', '--dao', 'cli-sync', '--source', 'governor'])).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('Nothing to sync: no configured source applies'),
      });
    },
    SLOW,
  );

  describe('while a server holds the embedded database', () => {
    let app: FastifyInstance | undefined;
    let close = async () => {};

    afterAll(async () => {
      await app?.close();
      await close();
    }, SLOW);

    it(
      'runs the sync in the server',
      async () => {
        const database = await openDatabase({ dataDir });
        await database.migrate();
        const engine = createSyncEngine(loadConfig({}), {
          database,
          logger: silentLogger,
          sources: [new TestSource(space)],
          runner: 'none',
        });
        close = async () => {
          await engine.close();
          await database.close();
        };
        app = await buildServer({ config: loadConfig({}), database, logger: false, sync: engine });
        await app.listen({ port: 0, host: '127.0.0.1' });
        await database.announceServer(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`);

        // Syncing through the server is a write: it needs an editor's or admin's key.
        const { key } = await signIn(app, database, 'editor');
        // The child does not open the held database: the server's own source runs the sync.
        const child = await cli(['sync', '--dao', 'cli-sync'], undefined, {
          DAO_PORTAL_API_KEY: key.authorization.slice('Bearer '.length),
        });
        expect(child.stderr).toContain('holds the database: syncing in the server');
        expect(child.stdout).toMatch(/^cli-sync snapshot: 3 read, 3 written/);
        expect(child.code).toBe(0);
        const [row] = await database.query<{ id: number }>('select id from daos where slug = $1', ['cli-sync']);
        expect(await proposalIds(database, row!.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
      },
      SLOW,
    );
  });
});
