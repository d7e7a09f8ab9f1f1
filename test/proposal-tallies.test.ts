import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.ts';
import { countedTallies, getProposal, storedTallies } from '../src/db/queries/governance.ts';
import { rebuildRollups, refreshRollups } from '../src/db/rollups.ts';
import { getData, testServer } from './helpers/api.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const ndjson = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const TYPES = ['single-choice', 'basic', 'approval', 'weighted', 'ranked-choice', 'quadratic'] as const;
const proposal = (type: string) => ({
  type: 'proposal',
  dao: 'tally',
  id: type,
  voting_type: type,
  title: `A ${type} proposal`,
  choices: ['A', 'B', 'C'],
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-08T00:00:00Z',
  state: 'closed',
});
/** A valid ballot of the type for voter i (some voters choose differently on a re-vote). */
function ballot(type: string, i: number): unknown {
  const k = (i % 3) + 1;
  switch (type) {
    case 'approval':
      return i % 4 === 0 ? [k] : [k, (k % 3) + 1];
    case 'weighted':
    case 'quadratic':
      return { [String(k)]: 1 + (i % 2), [String((k % 3) + 1)]: i % 3 };
    case 'ranked-choice':
      return [k, (k % 3) + 1, ((k + 1) % 3) + 1];
    default:
      return k;
  }
}
const vote = (type: string, i: number, choiceSeed: number, day: number) => ({
  type: 'vote',
  dao: 'tally',
  proposal: type,
  voter: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  choice: ballot(type, choiceSeed),
  voting_power: `${(i * 37) % 101}.${i % 7}`,
  created: new Date(Date.UTC(2024, 0, day, 0, i % 60)).toISOString(),
});

/**
 * The proposal detail reads its per-choice tallies and vote totals from proposal_tallies. After a
 * first import, an import of more votes and re-votes (an incremental rollup update) and a rebuild,
 * they equal what counting the stored votes gives at request time.
 */
describe.each(databaseTargets())('proposal tallies from the rollups on $kind', (target) => {
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await target.open();
    app = await testServer(database);
    await importText(
      database,
      ndjson([
        { type: 'dao', slug: 'tally', name: 'Tally DAO', chain: 'ethereum' },
        ...TYPES.map(proposal),
        ...TYPES.flatMap((type) => Array.from({ length: 40 }, (_, i) => vote(type, i, i, 2))),
      ]),
    );
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.destroy();
  });

  /** Every proposal's detail against a count of its votes now. */
  async function expectDetailsEqualCountedVotes(votes: number) {
    for (const type of TYPES) {
      const row = await getProposal(database.db, type);
      const counted = await countedTallies(database.db, row);
      expect(counted.voters, type).toBe(votes);
      expect(await storedTallies(database.db, row), type).toEqual(counted);
      const detail = await getData(app, `/api/v1/proposals/${type}`);
      expect(
        { tallies: detail.tallies, voters: detail.voters, voting_power_total: detail.voting_power_total },
        type,
      ).toEqual({ tallies: counted.tallies, voters: counted.voters, voting_power_total: counted.votingPower });
      expect(
        detail.tallies.some((t: { votes: number }) => t.votes > 0),
        type,
      ).toBe(true);
    }
  }

  it('equals the votes after an import, an incremental import of more votes, and a rebuild', async () => {
    await expectDetailsEqualCountedVotes(40);
    const before = await getData(app, '/api/v1/proposals/weighted');

    // 20 new voters and 10 re-votes (later, with another ballot) per proposal.
    await importText(
      database,
      ndjson(
        TYPES.flatMap((type) => [
          ...Array.from({ length: 20 }, (_, i) => vote(type, 40 + i, i + 1, 3)),
          ...Array.from({ length: 10 }, (_, i) => vote(type, i, i + 1, 4)),
        ]),
      ),
    );
    await expectDetailsEqualCountedVotes(60);
    expect((await getData(app, '/api/v1/proposals/weighted')).tallies).not.toEqual(before.tallies);

    // A write by hand (no importer): the refresh applies it as an update, not a rebuild.
    await database.db.execute(sql`
      update votes set voting_power = voting_power + 5
       where proposal_id in (select id from proposals where external_id in ('quadratic', 'approval')) and voter like '%1'`);
    const [result] = await refreshRollups(database.db, [(await getProposal(database.db, 'quadratic')).daoId]);
    expect(result!.mode).toBe('update');
    await expectDetailsEqualCountedVotes(60);

    const stored = await rowsOf<{ id: number; tallies: unknown }>(
      database.db,
      sql`select proposal_id as id, choice_tallies as tallies from proposal_tallies order by 1`,
    );
    await rebuildRollups(database.db, [(await getProposal(database.db, 'quadratic')).daoId]);
    await expectDetailsEqualCountedVotes(60);
    expect(
      await rowsOf(
        database.db,
        sql`select proposal_id as id, choice_tallies as tallies from proposal_tallies order by 1`,
      ),
    ).toEqual(stored);
  });

  it('counts the votes while the rollups hold no per-choice tallies for a proposal', async () => {
    const row = await getProposal(database.db, 'ranked-choice');
    const counted = await countedTallies(database.db, row);
    await database.db.execute(sql`update proposal_tallies set choice_tallies = null where proposal_id = ${row.id}`);
    try {
      expect(await storedTallies(database.db, row)).toBeNull();
      expect((await getData(app, `/api/v1/proposals/${row.id}`)).tallies).toEqual(counted.tallies);
    } finally {
      await rebuildRollups(database.db, [row.daoId]);
    }
    expect(await storedTallies(database.db, row)).toEqual(counted);
  });
});
