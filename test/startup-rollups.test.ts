import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/index.ts';
import { readLockHolder } from '../src/db/lock.ts';
import { repoRoot } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dao-portal-startup-'));
const dataDir = path.join(tmp, 'data');
const lines = (...records: object[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/**
 * Rollup changes a killed import or sync logged but never applied (here: a vote written with plain
 * SQL, as a process killed between its write and its refresh leaves it) are applied by the next
 * server to open the database, even an API-only one that runs no jobs.
 */
describe('start-up applies rollup changes left behind', () => {
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('on an API-only server (SYNC_WORKER=false), the DAO figures count the vote nobody refreshed', async () => {
    const database = await openDatabase({ dataDir });
    await database.migrate();
    await importText(
      database,
      lines(
        { type: 'dao', slug: 'left', name: 'Left Behind', chain: 'ethereum' },
        { type: 'proposal', dao: 'left', id: 'p1', title: 'T', choices: ['Yes', 'No'], start: 0, end: 100 },
        { type: 'vote', dao: 'left', proposal: 'p1', voter: '0xa', choice: 1, voting_power: '1', created: 50 },
      ),
    );
    await database.query(
      `insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
       select p.id, p.dao_id, '0xb', '2'::jsonb, 2, to_timestamp(60) from proposals p where p.external_id = 'p1'`,
    );
    const [stale] = await database.query<{ total_votes: number; pending: number }>(
      `select total_votes, (select count(*)::int from rollup_changes) as pending from daos where slug = 'left'`,
    );
    expect(stale).toEqual({ total_votes: 1, pending: expect.any(Number) });
    expect(stale!.pending).toBeGreaterThan(0);
    await database.close();

    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      REDIS_URL: '',
      SYNC_WORKER: 'false',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const server = spawn(process.execPath, [path.join(repoRoot, 'bin/dao-portal.js'), 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stderr!.on('data', (d) => (log += d));
    try {
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (!(url = (await readLockHolder(dataDir))?.url)) {
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const dao = (await (await fetch(`${url}/api/v1/daos/left`)).json()) as {
        data: { total_votes: number; total_members: number };
      };
      expect(dao.data).toMatchObject({ total_votes: 2, total_members: 2 });
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  }, 120_000);
});
