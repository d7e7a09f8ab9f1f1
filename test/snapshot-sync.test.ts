import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaoRow } from '../src/db/queries/daos.ts';
import type { LiveEvent } from '../src/sync/types.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { type HubData, loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, hubRows, rowVersions, storedRows, syncAll } from './helpers/snapshot-sync.ts';

/**
 * Snapshot sync of all the shared real data through the stand-in hub (with its 100-per-window
 * limiter on, window scaled to 1 s): the database must hold exactly the hub's proposals and votes,
 * read in fewer requests than skip pagination needs, without one 429; a second run writes nothing.
 */
let data: HubData;
beforeAll(() => {
  data = loadHubData(sharedData);
});

describe.each(databaseTargets())('Snapshot sync on $kind', (target) => {
  let database: TestDatabase;
  let hub: SnapshotHubStandIn;
  let daos: DaoRow[];
  const events: LiveEvent[] = [];
  beforeAll(async () => {
    database = await target.open();
    hub = await startHub(data, { rateLimit: { max: 100, windowMs: 1000 } });
    daos = await createSpaceDaos(database, [...data.spaces.keys()]);
  });
  afterAll(async () => {
    await hub?.close();
    await database?.destroy();
  });

  it("stores exactly the hub's proposals and votes of every space, in fewer requests than skip paging, never hitting the limiter", async () => {
    const outcomes = await syncAll(database, daos, { url: hub.url, windowMs: 1000, events });
    expect(hub.stats.byStatus[429]).toBeUndefined();
    expect(hub.stats.limited).toBe(0);

    for (const dao of daos) {
      const stored = await storedRows(database, dao.id);
      const hub = hubRows(data, dao.snapshotSpace!);
      expect(stored.proposals.length).toBe(hub.proposals.length);
      expect(stored.votes.length).toBe(hub.votes.length);
      // Row by row, as one comparison per table (one expect per row costs more than the sync on a loaded machine).
      expect(
        stored.proposals.map((row) => ({
          ...row,
          quorum: Number(row.quorum),
          scores: (row.scores as string[]).map(Number),
          scores_total: Number(row.scores_total),
        })),
      ).toEqual(
        hub.proposals.map((p) => ({
          external_id: p.id,
          source: 'snapshot',
          voting_type: p.type,
          title: p.title,
          body: p.body,
          author: p.author.toLowerCase(),
          choices: p.choices,
          start: p.start,
          end: p.end,
          state: data.stateOf(p),
          quorum: p.quorum,
          snapshot_block: 0,
          scores: p.scores,
          scores_total: p.scores_total,
          votes_count: data.votesOf(p.id).length,
        })),
      );
      expect(stored.votes.map((row) => ({ ...row, voting_power: Number(row.voting_power) }))).toEqual(
        hub.votes.map((v) => ({
          proposal: v.proposal,
          voter: v.voter.toLowerCase(),
          choice: v.choice,
          voting_power: v.vp,
          reason: null,
          created: v.created,
        })),
      );
      expect(stored.dao).toMatchObject({ total_proposals: hub.proposals.length, total_votes: hub.votes.length });
    }

    // Skip paging cannot reach past skip 5000 + first 1000, so a space with more votes must be read per proposal.
    let skipRequests = 0;
    for (const dao of daos) {
      const { proposals, votes } = hubRows(data, dao.snapshotSpace!);
      skipRequests += Math.floor(proposals.length / 1000) + 1;
      skipRequests +=
        votes.length <= 6000
          ? Math.floor(votes.length / 1000) + 1
          : proposals.reduce((n, p) => n + Math.floor(data.votesOf(p.id).length / 1000) + 1, 0);
    }
    const pageRequests = (hub.stats.byField.votes ?? 0) + (hub.stats.byField.proposals ?? 0) - daos.length; // the space query also asks votes(first: 1)
    console.log(
      `[${target.kind}] time-cursor requests for proposals+votes: ${pageRequests} (all requests: ${hub.stats.requests}); skip paging would need ${skipRequests}`,
    );
    expect(pageRequests).toBeLessThan(skipRequests);
    const requests = outcomes.reduce((n, o) => n + (o.details!.requests as number), 0);
    expect(requests).toBe(hub.stats.requests);
    expect(outcomes.reduce((n, o) => n + o.written, 0)).toBe(data.proposals.size + data.votes.size);
    expect(events.filter((e) => e.type === 'vote.cast').length).toBe(data.votes.size);
    expect(events.filter((e) => e.type === 'proposal.created').length).toBe(data.proposals.size);
  });

  it('a second run writes nothing', async () => {
    const before = await Promise.all(daos.map((d) => rowVersions(database, d.id)));
    hub.resetStats();
    const outcomes = await syncAll(database, daos, { url: hub.url, windowMs: 1000 });
    expect(outcomes.map((o) => o.written)).toEqual(daos.map(() => 0));
    expect(await Promise.all(daos.map((d) => rowVersions(database, d.id)))).toEqual(before);
    expect(outcomes.every((o) => o.lag === 0)).toBe(true);
    // One space request plus one proposals page and one votes page per DAO.
    expect(hub.stats.requests).toBe(daos.length * 3);
  });
});
