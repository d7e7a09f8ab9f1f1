import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

const dao = { type: 'dao', slug: 'acme', name: 'Acme DAO', chain: 'ethereum' };
const proposal = {
  type: 'proposal',
  dao: 'acme',
  id: 'p1',
  title: 'Fund the thing',
  choices: ['For', 'Against', 'Abstain'],
  start: '2024-01-01T00:00:00Z',
  end: 1704412800,
  state: 'closed',
};
const vote = (voter: string, extra: Record<string, unknown> = {}) => ({
  type: 'vote',
  dao: 'acme',
  proposal: 'p1',
  voter,
  choice: 1,
  voting_power: '10.5',
  created: '2024-01-02T00:00:00Z',
  ...extra,
});
const lines = (...records: Array<object | string>) =>
  records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe.each(databaseTargets())('rejected records on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => database?.destroy());

  it('reports each bad record with its line, field and reason, and keeps every good one', async () => {
    const text = lines(
      dao, // 1
      proposal, // 2
      vote('0xAAA1'), // 3 good
      '{"type":"vote", "dao": "acme",', // 4 malformed JSON
      vote('0xaaa2', { colour: 'red' }), // 5 unknown field
      vote('0xaaa3', { voting_power: 'ten' }), // 6 wrong type
      vote('0xaaa4', { dao: 'nope' }), // 7 unknown DAO
      vote('0xaaa5', { proposal: 'p404' }), // 8 unknown proposal
      vote('0xaaa6', { choice: 4 }), // 9 out of range for 3 choices
      vote('0xaaa7', { voting_power: -1 }), // 10 negative power
      vote('0xaaa8', { created: 'yesterday' }), // 11 bad time
      { type: 'ballot' }, // 12 unknown type
      vote('0xaaa9'), // 13 good
      '[1,2]', // 14 not an object
      { ...proposal, id: 'p2', end: '2023-01-01T00:00:00Z' }, // 15 ends before it starts
      { ...dao, slug: 'acme-2' }, // 16 name taken by another slug
      { ...dao, slug: 'Bad Slug', name: 'Other' }, // 17 slug format
      { type: 'vote', dao: 'acme', proposal: 'p1', choice: 1, voting_power: 1, created: 0 }, // 18 missing voter
    );
    const { summary, rejections } = await importText(database, text, { batchSize: 4 });
    const byLine = Object.fromEntries(rejections.map((r) => [r.line, `${r.field}: ${r.reason}`]));
    expect(byLine).toEqual({
      4: expect.stringMatching(/^\(record\): malformed JSON/),
      5: 'colour: is not a known field',
      6: expect.stringMatching(/^voting_power: must be a decimal number/),
      7: "dao: unknown DAO 'nope' (import its dao record first)",
      8: "proposal: unknown proposal 'p404' in DAO 'acme' (import its proposal record first)",
      9: 'choice: 4 is not a valid single-choice choice for a proposal with 3 choices',
      10: 'voting_power: must not be negative',
      11: "created: 'yesterday' is not an ISO-8601 time or unix seconds",
      12: 'type: must be one of dao, proposal, vote, treasury_balance, holder',
      14: '(record): must be a JSON object',
      15: 'end: must not be before start',
      16: "name: 'Acme DAO' is already the name of DAO 'acme'",
      17: expect.stringMatching(/^slug: must be a lowercase URL-safe slug/),
      18: 'voter: is required',
    });
    expect(summary).toMatchObject({ records: 18, rejected: 14, inserted: 4 });
    const votes = await database.query<{ voter: string; voting_power: string }>(
      'select voter, voting_power::text from votes order by voter',
    );
    expect(votes).toEqual([
      { voter: '0xaaa1', voting_power: '10.5' },
      { voter: '0xaaa9', voting_power: '10.5' },
    ]);
    const [daoRow] = await database.query<{ total_votes: number; total_members: number }>(
      "select total_votes, total_members from daos where slug = 'acme'",
    );
    expect(daoRow).toEqual({ total_votes: 2, total_members: 2 });
  });

  it('keeps the latest vote of a voter; an equal time keeps the last one read', async () => {
    const text = lines(
      vote('0xbbb1', { choice: 1, created: '2024-01-03T00:00:00Z' }),
      vote('0xbbb1', { choice: 2, created: '2024-01-02T00:00:00Z' }), // older: ignored
      vote('0xbbb2', { choice: 1, created: 1704240000 }),
      vote('0xbbb2', { choice: 3, created: '2024-01-03T00:00:00Z' }), // same second: the last read wins
    );
    const { summary } = await importText(database, text);
    expect(summary.rejected).toBe(0);
    const rows = await database.query<{ voter: string; choice: number }>(
      "select voter, choice from votes where voter like '0xbbb%' order by voter",
    );
    expect(rows).toEqual([
      { voter: '0xbbb1', choice: 1 },
      { voter: '0xbbb2', choice: 3 },
    ]);

    // Across imports: an older vote changes nothing, a newer one replaces.
    const older = await importText(database, lines(vote('0xbbb1', { choice: 3, created: '2024-01-01T00:00:00Z' })));
    expect(older.summary).toMatchObject({ unchanged: 1, updated: 0 });
    const newer = await importText(
      database,
      lines(vote('0xbbb1', { choice: 2, created: '2024-01-04T00:00:00Z', reason: 'changed my mind' })),
    );
    expect(newer.summary).toMatchObject({ updated: 1 });
    const [row] = await database.query<{ choice: number; reason: string }>(
      "select choice, reason from votes where voter = '0xbbb1'",
    );
    expect(row).toEqual({ choice: 2, reason: 'changed my mind' });
  });

  it('reads a JSON array and reports the line each bad element starts on', async () => {
    const text = `[\n  ${JSON.stringify(vote('0xccc1'))},\n  {\n    "type": "vote",\n    "dao": "acme", "proposal": "p1", "voter": "0xccc2",\n    "choice": [1],\n    "voting_power": 1, "created": 0\n  },\n  ${JSON.stringify(vote('0xccc3', { choice: { '1': 2, '3': 1 } }))}\n]\n`;
    const { summary, rejections } = await importText(database, text, { chunkSize: 7 });
    expect(rejections).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'choice',
        reason: '[1] is not a valid single-choice choice for a proposal with 3 choices',
      }),
      expect.objectContaining({ line: 9, field: 'choice' }),
    ]);
    expect(summary).toMatchObject({ records: 3, inserted: 1, rejected: 2 });
  });

  it('stores every Snapshot choice encoding as given and tallies each by its rules', async () => {
    const base = { ...proposal, choices: ['A', 'B', 'C'] };
    const text = lines(
      { ...base, id: 'approval', voting_type: 'approval' },
      { ...base, id: 'weighted', voting_type: 'weighted' },
      { ...base, id: 'ranked', voting_type: 'ranked-choice' },
      { ...base, id: 'quadratic', voting_type: 'quadratic' },
      vote('0xd1', { proposal: 'approval', choice: [1, 3], voting_power: 4 }),
      vote('0xd2', { proposal: 'approval', choice: [2], voting_power: 1 }),
      vote('0xd1', { proposal: 'weighted', choice: { '1': 1, '3': 3 }, voting_power: 8 }),
      vote('0xd2', { proposal: 'weighted', choice: { '2': 1 }, voting_power: 2 }),
      vote('0xd1', { proposal: 'ranked', choice: [3, 1, 2], voting_power: 5 }),
      vote('0xd2', { proposal: 'ranked', choice: [1, 2, 3], voting_power: 4 }),
      vote('0xd3', { proposal: 'ranked', choice: [2, 1, 3], voting_power: 2 }),
      vote('0xd1', { proposal: 'quadratic', choice: { '1': 1 }, voting_power: 9 }),
      vote('0xd2', { proposal: 'quadratic', choice: { '2': 1 }, voting_power: 4 }),
    );
    const { summary } = await importText(database, text);
    expect(summary.rejected).toBe(0);
    const stored = await database.query<{ external_id: string; choice: unknown }>(
      "select p.external_id, v.choice from votes v join proposals p on p.id = v.proposal_id where v.voter = '0xd1' order by 1",
    );
    expect(stored).toEqual([
      { external_id: 'approval', choice: [1, 3] },
      { external_id: 'quadratic', choice: { '1': 1 } },
      { external_id: 'ranked', choice: [3, 1, 2] },
      { external_id: 'weighted', choice: { '1': 1, '3': 3 } },
    ]);
  });
});
