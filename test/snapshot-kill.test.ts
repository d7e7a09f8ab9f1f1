import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rowsOf } from '../src/db/index.ts';
import { databaseTargets, repoRoot, sharedData, type TestDatabase } from './helpers/db.ts';
import { type HubData, loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, storedRows, syncAll } from './helpers/snapshot-sync.ts';

/**
 * A sync killed with SIGKILL at random points (after a random number of committed pages, plus a
 * random delay, so kills land inside transactions and HTTP requests too) and restarted until it
 * finishes must leave a database identical, row by row, to one clean run. A subset of the shared
 * data keeps the loop short: four Tokenomics spaces (1,047 votes with day-resolution timestamps,
 * so up to hundreds share one `created` second, and weighted choices) in pages of 50.
 */
const SPACES = ['lido-snapshot.eth', 'comp-vote.eth', 'weatherxm.eth', 'dimo.eth'];
const PAGE_SIZE = 50;
const KILLS = 4;
const child = path.join(repoRoot, 'test/helpers/snapshot-sync-child.ts');
const tsx = path.join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs');

let data: HubData;
let hub: SnapshotHubStandIn;
beforeAll(async () => {
  data = loadHubData(sharedData, { spaces: SPACES });
  hub = await startHub(data, { rateLimit: { max: 100, windowMs: 1000 } });
});
afterAll(() => hub?.close());

function runChild(
  env: Record<string, string>,
  killAfterPages: number | null,
): Promise<{ code: number | null; killed: boolean; pages: number; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', tsx, child], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pages = 0;
    let killed = false;
    let stderr = '';
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pages += chunk.split('\n').filter((line) => line.startsWith('page') || line === 'ready').length;
      if (killAfterPages !== null && pages > killAfterPages && !killed) {
        killed = true;
        setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 80));
      }
    });
    proc.on('exit', (code) => resolve({ code, killed: proc.signalCode === 'SIGKILL', pages, stderr }));
  });
}

describe.each(databaseTargets())('Snapshot sync killed with SIGKILL on $kind', (target) => {
  let clean: TestDatabase;
  let killedDb: TestDatabase | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await clean?.destroy();
    await killedDb?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restarted until done, ends identical to a clean single run', async () => {
    // The child needs a database it can open itself: the server database, or an embedded directory.
    let env: Record<string, string>;
    let open: () => Promise<Database>;
    if (target.kind === 'postgres') {
      killedDb = await target.open();
      env = { DATABASE_URL: killedDb.url! };
      open = async () => killedDb!;
    } else {
      dir = mkdtempSync(path.join(os.tmpdir(), 'snapshot-kill-'));
      env = { DATA_DIR: dir };
      open = () => openDatabase({ dataDir: dir });
    }
    let database = await open();
    await database.migrate();
    const daos = await createSpaceDaos(database, SPACES);
    if (target.kind === 'pglite') await database.close(); // one process at a time on an embedded directory
    env = { ...env, HUB_URL: hub.url, DAOS: daos.map((d) => d.slug).join(','), PAGE_SIZE: String(PAGE_SIZE) };

    let kills = 0;
    for (let attempt = 0; ; attempt++) {
      // The first KILLS starts are killed after 0..5 committed pages (0 = before the first commit); then one runs free.
      const killAfter = attempt < KILLS ? Math.floor(Math.random() * 6) : null;
      const result = await runChild(env, killAfter);
      if (result.killed) {
        kills++;
        continue;
      }
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      break;
    }
    expect(kills).toBe(KILLS);

    database = await open();
    clean = await target.open();
    const cleanDaos = await createSpaceDaos(clean, SPACES);
    await syncAll(clean, cleanDaos, { url: hub.url, pageSize: PAGE_SIZE });
    let votes = 0;
    for (const [i, dao] of daos.entries()) {
      const afterKills = await storedRows(database, dao.id);
      const cleanRun = await storedRows(clean, cleanDaos[i]!.id);
      expect(afterKills).toEqual(cleanRun);
      votes += afterKills.votes.length;
      const [state] = await rowsOf<{ status: string; cursor: unknown }>(
        database.db,
        sql`select status, cursor from sync_state where dao_id = ${dao.id}`,
      );
      const [cleanState] = await rowsOf<{ status: string; cursor: unknown }>(
        clean.db,
        sql`select status, cursor from sync_state where dao_id = ${cleanDaos[i]!.id}`,
      );
      expect(state).toEqual(cleanState);
    }
    expect(votes).toBe(data.votes.size);
    console.log(`[${target.kind}] ${kills} kills before a run finished; ${votes} votes identical to a clean run`);
    if (target.kind === 'pglite') await database.close();
  }, 120_000);
});
