import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/index.ts';
import { runSync } from '../src/sync/run.ts';
import type { LiveEvent } from '../src/sync/types.ts';
import { databaseTargets, sharedData, type TestDatabase } from './helpers/db.ts';
import { type HubData, loadHubData, type SnapshotHubStandIn, startHub } from './helpers/snapshot-hub/index.ts';
import { createSpaceDaos, quiet, rowVersions, snapshotSource, storedRows, syncAll } from './helpers/snapshot-sync.ts';

/**
 * Open proposals through the stand-in hub (one space, comp-vote.eth, whose clock and rows the
 * tests move): re-read every run until closed, every voting type's choice stored as sent, and a
 * space the hub does not know.
 */
describe.each(databaseTargets())('Snapshot active proposals on $kind', (target) => {
  let database: TestDatabase;
  let hub: SnapshotHubStandIn;
  let small: HubData;
  beforeAll(async () => {
    database = await target.open();
    small = loadHubData(sharedData, { spaces: ['comp-vote.eth'] });
    hub = await startHub(small, { rateLimit: { max: 100, windowMs: 1000 } });
  });
  afterAll(async () => {
    await hub?.close();
    await database?.destroy();
  });

  it('re-reads an open proposal every run until it closes: state, scores, replaced votes and changed vp', async () => {
    // The weighted comp-vote.eth proposal of recording 04a, reopened: the hub's clock is a day after
    // every proposal of the space ended, and this one now ends an hour after it.
    const id = '0x0a898c9a26b02ebd80f9de77c29a5ff5cdaca77b39a3d1ce22c0555be40028ed';
    const proposal = small.proposals.get(id)!;
    const now = Math.max(...[...small.proposals.values()].map((p) => p.end)) + 3600 * 24;
    small.now = () => now;
    proposal.end = now + 3600;
    const [dao] = await createSpaceDaos(database, ['comp-vote.eth']);
    const first = await syncAll(database, [dao!], { url: hub.url });
    expect(first[0]!.details!.rechecked_proposals).toBe(0);
    let stored = await storedRows(database, dao!.id);
    expect(stored.proposals.find((p) => p.external_id === id)!.state).toBe('active');

    // While open: one voter changes their vote (later, another choice), one voter's vp is recomputed
    // (same vote, same time), a new voter votes; then the proposal closes.
    const votes = small.votesOf(id).sort((a, b) => (a.voter < b.voter ? -1 : 1));
    const [changer, recomputed] = [votes[0]!, votes[1]!];
    small.castVote({ proposal: id, voter: changer.voter, created: now + 60, choice: { 1: 2, 3: 1 }, vp: changer.vp });
    small.castVote({
      proposal: id,
      voter: recomputed.voter,
      created: recomputed.created,
      choice: recomputed.choice,
      vp: recomputed.vp * 2,
    });
    small.castVote({
      proposal: id,
      voter: '0x1111111111111111111111111111111111111111',
      created: now + 120,
      choice: { 2: 1 },
      vp: 12.5,
    });
    proposal.end = now + 600;
    small.now = () => now + 3600;

    const events: LiveEvent[] = [];
    const second = await syncAll(database, [dao!], { url: hub.url, events });
    expect(second[0]!.details!.rechecked_proposals).toBe(1);
    stored = await storedRows(database, dao!.id);
    const row = stored.proposals.find((p) => p.external_id === id)!;
    expect(row.state).toBe('closed');
    expect((row.scores as string[]).map(Number)).toEqual(proposal.scores);
    expect(Number(row.scores_total)).toBe(proposal.scores_total);
    const byVoter = new Map(stored.votes.filter((v) => v.proposal === id).map((v) => [v.voter, v]));
    expect(byVoter.size).toBe(small.votesOf(id).length);
    expect(byVoter.get(changer.voter.toLowerCase())).toMatchObject({ choice: { 1: 2, 3: 1 } });
    expect(byVoter.get(changer.voter.toLowerCase())!.created).toBe(now + 60);
    expect(Number(byVoter.get(recomputed.voter.toLowerCase())!.voting_power)).toBe(recomputed.vp * 2);
    expect(byVoter.get('0x1111111111111111111111111111111111111111')).toMatchObject({
      choice: { 2: 1 },
      voting_power: '12.5',
    });
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'proposal.updated', dao: dao!.slug, proposal: id, state: 'closed' },
        expect.objectContaining({ type: 'vote.cast', proposal: id, voter: changer.voter.toLowerCase() }),
        expect.objectContaining({ type: 'vote.cast', proposal: id, voter: recomputed.voter.toLowerCase() }),
        expect.objectContaining({
          type: 'vote.cast',
          proposal: id,
          voter: '0x1111111111111111111111111111111111111111',
        }),
      ]),
    );

    // Closed now: no longer re-read, and nothing to write.
    const versions = await rowVersions(database, dao!.id);
    const third = await syncAll(database, [dao!], { url: hub.url });
    expect(third[0]!.details!.rechecked_proposals).toBe(0);
    expect(third[0]!.written).toBe(0);
    expect(await rowVersions(database, dao!.id)).toEqual(versions);
  });

  it('stores the choice encoding of every voting type as the hub sends it; an encrypted (shutter) choice waits for the reveal', async () => {
    const [dao] = await createSpaceDaos(database, ['comp-vote.eth']);
    const base = small.now() + 7200;
    const cases = [
      ['single-choice', 2],
      ['basic', 3],
      ['approval', [1, 3]],
      ['ranked-choice', [3, 1, 2]],
      ['quadratic', { 1: 4, 2: 1 }],
      ['weighted', { 2: 0.25, 3: 0.75 }],
    ] as const;
    cases.forEach(([type], i) => {
      const id = `0xtype${i}`;
      small.proposals.set(id, {
        id,
        space: 'comp-vote.eth',
        title: `${type} proposal`,
        body: 'b',
        discussion: '',
        author: '0x2222222222222222222222222222222222222222',
        type,
        choices: ['a', 'b', 'c'],
        start: base + i,
        end: base + 100_000,
        created: base + i,
        quorum: 0,
        scores: [0, 0, 0],
        scores_total: 0,
        votes: 0,
      });
    });
    small.now = () => base + 50;
    cases.forEach(([, choice], i) => {
      small.castVote({
        proposal: `0xtype${i}`,
        voter: '0x3333333333333333333333333333333333333333',
        created: base + 60 + i,
        choice,
        vp: 1.5,
      });
    });
    // A private proposal's vote is an encrypted string until the proposal closes.
    small.castVote({
      proposal: '0xtype0',
      voter: '0x4444444444444444444444444444444444444444',
      created: base + 70,
      choice: '0xdeadbeef' as never,
      vp: 2,
    });

    const [outcome] = await syncAll(database, [dao!], { url: hub.url });
    expect(outcome!.details!.skipped_votes).toBe(1);
    let stored = await storedRows(database, dao!.id);
    for (const [i, [type, choice]] of cases.entries()) {
      expect(stored.proposals.find((p) => p.external_id === `0xtype${i}`)).toMatchObject({
        voting_type: type,
        state: 'active',
      });
      expect(stored.votes.find((v) => v.proposal === `0xtype${i}`)!.choice).toEqual(choice);
    }
    expect(stored.votes.some((v) => v.voter === '0x4444444444444444444444444444444444444444')).toBe(false);

    // Closed and revealed: the open proposal's re-read stores the vote.
    small.castVote({
      proposal: '0xtype0',
      voter: '0x4444444444444444444444444444444444444444',
      created: base + 70,
      choice: 1,
      vp: 2,
    });
    small.now = () => base + 200_000;
    await syncAll(database, [dao!], { url: hub.url });
    stored = await storedRows(database, dao!.id);
    expect(stored.votes.find((v) => v.voter === '0x4444444444444444444444444444444444444444')).toMatchObject({
      proposal: '0xtype0',
      choice: 1,
      voting_power: '2',
    });
    expect(stored.proposals.filter((p) => String(p.external_id).startsWith('0xtype')).map((p) => p.state)).toEqual(
      cases.map(() => 'closed'),
    );
  });

  it('an aborted run stops at the next page and the next run completes it', async () => {
    const [dao] = await createSpaceDaos(database, ['dimo.eth']);
    const dimo = loadHubData(sharedData, { spaces: ['dimo.eth'] });
    const dimoHub = await startHub(dimo, { rateLimit: false });
    try {
      const { source } = snapshotSource({ url: dimoHub.url, pageSize: 5 });
      const abort = new AbortController();
      await expect(
        runSync({
          database,
          dao: dao!,
          source,
          logger: quiet,
          signal: abort.signal,
          progress: (done) => done >= 10 && abort.abort(new Error('shutting down')),
        }),
      ).rejects.toThrow('shutting down');
      const partial = await storedRows(database, dao!.id);
      expect(partial.votes.length).toBeGreaterThanOrEqual(10);
      expect(partial.votes.length).toBeLessThan(dimo.votes.size);
      await runSync({ database, dao: dao!, source, logger: quiet });
      const done = await storedRows(database, dao!.id);
      expect(done.votes.map((v) => [v.proposal, v.voter])).toEqual(
        [...dimo.votes.values()]
          .map((v) => [v.proposal, v.voter.toLowerCase()])
          .sort((a, b) => (a.join() < b.join() ? -1 : 1)),
      );
    } finally {
      await dimoHub.close();
    }
  });

  it('a space the hub does not know fails the run, recorded in sync_state', async () => {
    const [dao] = await createSpaceDaos(database, ['no-such-space.eth']);
    await expect(syncAll(database, [dao!], { url: hub.url })).rejects.toThrow(
      "Snapshot space 'no-such-space.eth' not found",
    );
    const [state] = await rowsOf<{ status: string; last_error: string }>(
      database.db,
      sql`select status, last_error from sync_state where dao_id = ${dao!.id}`,
    );
    expect(state).toEqual({ status: 'failed', last_error: "Snapshot space 'no-such-space.eth' not found" });
  });
});
