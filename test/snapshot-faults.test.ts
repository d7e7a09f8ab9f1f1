import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { type HubData, loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, storedRows, syncAll } from './helpers/snapshot-sync.ts';

/**
 * A sync through a faulty hub (5% 502/503 answers, bursts of 429 with Retry-After, 3% dropped
 * connections; the hub's own 100-per-window limiter on too) must end with the same database as a
 * clean run through a healthy hub, row by row. Five Tokenomics spaces (3,001 votes) in pages of 50.
 */
const SPACES = ['uniswapgovernance.eth', 'lido-snapshot.eth', 'comp-vote.eth', 'weatherxm.eth', 'dimo.eth'];
const PAGE_SIZE = 50;

let data: HubData;
beforeAll(() => {
  data = loadHubData(sharedData, { spaces: SPACES });
});

describe.each(databaseTargets())('Snapshot sync under injected faults on $kind', (target) => {
  let faultyDb: TestDatabase;
  let cleanDb: TestDatabase;
  let faulty: SnapshotHubStandIn;
  let healthy: SnapshotHubStandIn;
  beforeAll(async () => {
    [faultyDb, cleanDb] = await Promise.all([target.open(), target.open()]);
    faulty = await startHub(data, {
      rateLimit: { max: 100, windowMs: 1000 },
      faults: { serverErrorRate: 0.05, burst429Rate: 0.03, burst429Length: 3, dropRate: 0.03, seed: 11 },
    });
    healthy = await startHub(data, { rateLimit: { max: 100, windowMs: 1000 } });
  });
  afterAll(async () => {
    await faulty?.close();
    await healthy?.close();
    await faultyDb?.destroy();
    await cleanDb?.destroy();
  });

  it('5% 5xx, 429 bursts and dropped connections: the same rows as a clean run', async () => {
    const faultyDaos = await createSpaceDaos(faultyDb, SPACES);
    const cleanDaos = await createSpaceDaos(cleanDb, SPACES);
    const outcomes = await syncAll(faultyDb, faultyDaos, { url: faulty.url, pageSize: PAGE_SIZE });
    await syncAll(cleanDb, cleanDaos, { url: healthy.url, pageSize: PAGE_SIZE });

    const { injected5xx, injected429, dropped, limited } = faulty.stats;
    console.log(
      `[${target.kind}] ${faulty.stats.requests} requests: ${injected5xx} 5xx, ${injected429} 429, ${dropped} dropped, all retried`,
    );
    expect(injected5xx).toBeGreaterThan(0);
    expect(injected429).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(limited).toBe(0);
    expect(outcomes.reduce((n, o) => n + (o.details!.retries as number), 0)).toBe(injected5xx + injected429 + dropped);

    let votes = 0;
    for (const [i, dao] of faultyDaos.entries()) {
      const rows = await storedRows(faultyDb, dao.id);
      expect(rows).toEqual(await storedRows(cleanDb, cleanDaos[i]!.id));
      votes += rows.votes.length;
      const cursor = async (db: TestDatabase, id: number) =>
        (await rowsOf<{ cursor: unknown }>(db.db, sql`select cursor from sync_state where dao_id = ${id}`))[0];
      expect(await cursor(faultyDb, dao.id)).toEqual(await cursor(cleanDb, cleanDaos[i]!.id));
    }
    expect(votes).toBe(data.votes.size);
  }, 120_000);
});
