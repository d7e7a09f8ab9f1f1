/**
 * Snapshot sync throughput: all the shared real data (7 spaces, 1,092 proposals, 39,059 votes)
 * synced from the local stand-in hub into a fresh database, on PGlite and, with TEST_DATABASE_URL,
 * on PostgreSQL. The client's own limiter is lifted so the figure is the portal's processing rate
 * (HTTP + mapping + upserts + cursor commits); against the public hub, 90 requests a minute of
 * 1,000 votes cap a sync at 1,500 votes/s.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/snapshot-sync.ts
 */
import { SnapshotClient } from '../src/sources/snapshot/client.ts';
import { SnapshotSource } from '../src/sources/snapshot/source.ts';
import { runSync } from '../src/sync/run.ts';
import { databaseTargets, sharedData } from '../test/helpers/db.ts';
import { loadHubData, startHub } from '../test/helpers/snapshot-hub/index.ts';
import { createSpaceDaos, quiet } from '../test/helpers/snapshot-sync.ts';

const data = loadHubData(sharedData);
const hub = await startHub(data, { rateLimit: false });
try {
  for (const target of databaseTargets()) {
    const database = await target.open();
    try {
      const daos = await createSpaceDaos(database, [...data.spaces.keys()]);
      const client = new SnapshotClient({ hubUrl: hub.url, apiKey: undefined, rateLimit: 100_000 });
      const source = new SnapshotSource(client);
      const started = performance.now();
      let votes = 0;
      for (const dao of daos)
        votes += (await runSync({ database, dao, source, logger: quiet })).details!.votes_read as number;
      const seconds = (performance.now() - started) / 1000;
      const requests = client.requests;
      const again = performance.now();
      for (const dao of daos) await runSync({ database, dao, source, logger: quiet });
      const noop = (performance.now() - again) / 1000;
      console.log(
        `${target.kind}: ${votes} votes in ${seconds.toFixed(1)} s = ${Math.round(votes / seconds)} votes/s (${requests} requests); no-op re-sync ${noop.toFixed(2)} s`,
      );
    } finally {
      await database.destroy();
    }
  }
} finally {
  await hub.close();
}
