import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyLine } from '../src/db/copy.ts';
import { upsertVotes, type VoteWrite } from '../src/db/queries/governance.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';
import { importText } from './helpers/fixtures.ts';

/** Values that mean something to COPY's text format, or to CSV, SQL and JSON. */
const HOSTILE = [
  'tab\there',
  'line\nbreak',
  'carriage\rreturn\r\n',
  'back\\slash',
  '\\N',
  '\\.',
  'ends with a backslash\\',
  '\\t not a tab',
  'a\n\\.\nb',
  '"quoted", \'single\'',
  'comma,separated;semi',
  '{"json": [1, "two"]}',
  'ünïcødé 🗳️ ‮',
  '\u0001\u0008\u000b\u000c\u001f',
  '',
  ' ',
];

describe('the COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes null as \\N', () => {
    expect(copyLine(['a\tb', 'c\nd\re', 'f\\g', null, 12, ''])).toBe('a\\tb\tc\\nd\\re\tf\\\\g\t\\N\t12\t\n');
    expect(copyLine(['\\N', '\\.'])).toBe('\\\\N\t\\\\.\n');
  });
});

describe.each(databaseTargets())('votes written by COPY on $kind', (target) => {
  let database: TestDatabase;
  let daoId: number;
  let proposalId: number;
  const created = new Date('2024-01-02T03:04:05.678Z');
  const vote = (voter: string, extra: Partial<VoteWrite> = {}): VoteWrite => ({
    daoId,
    proposalId,
    voter,
    choice: 1,
    votingPower: '10.5',
    created,
    reason: null,
    ...extra,
  });
  const stored = () =>
    database.query<{ voter: string; reason: string | null; choice: unknown; vp: string; created: Date }>(
      `select voter, reason, choice, voting_power::text as vp, created from votes where proposal_id = $1 order by voter collate "C"`,
      [proposalId],
    );
  const pendingChanges = async () =>
    (
      await database.query<{ n: number }>('select count(*)::int as n from rollup_changes where dao_id = $1', [daoId])
    )[0]!.n;

  beforeAll(async () => {
    database = await target.open();
    const { summary } = await importText(
      database,
      [
        { type: 'dao', slug: 'acme', name: 'Acme DAO', chain: 'ethereum' },
        {
          type: 'proposal',
          dao: 'acme',
          id: 'p1',
          title: 'T',
          choices: ['For', 'Against'],
          start: '2024-01-01T00:00:00Z',
          end: '2024-01-05T00:00:00Z',
          state: 'closed',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    expect(summary.rejected).toBe(0);
    [{ id: proposalId, dao_id: daoId } = { id: 0, dao_id: 0 }] = await database.query<{ id: number; dao_id: number }>(
      `select id, dao_id from proposals where external_id = 'p1'`,
    );
  });
  afterAll(async () => database?.destroy());

  it('stores hostile voters, reasons and choices byte for byte', async () => {
    const rows = HOSTILE.flatMap((text, i) => [
      vote(`voter ${i}: ${text}`, { reason: text }),
      vote(`${text}#${i}`, { reason: `${i}`, choice: { [`${i + 1}`]: 2 } }),
    ]);
    const written = await upsertVotes(database.db, rows);
    expect(written).toMatchObject({ inserted: rows.length, updated: 0 });
    expect(written.changed.map((c) => c.row).sort(byVoter)).toEqual([...rows].sort(byVoter));
    expect(await stored()).toEqual(
      [...rows]
        .sort(byVoter)
        .map((r) => ({ voter: r.voter, reason: r.reason, choice: r.choice, vp: '10.5', created: r.created })),
    );
    // The staging goes with the batch: a second call in one transaction stages again.
    await database.db.transaction(async (tx) => {
      await upsertVotes(tx, [vote('first in tx')]);
      await upsertVotes(tx, [vote('second in tx')]);
    });
    expect((await stored()).filter((r) => r.voter.endsWith('in tx')).map((r) => r.voter)).toEqual([
      'first in tx',
      'second in tx',
    ]);
  });

  it('writes nothing and logs no rollup change when the same votes come again', async () => {
    await database.query('delete from rollup_changes');
    const rows = HOSTILE.map((text, i) => vote(`again ${i}: ${text}`, { reason: text }));
    expect((await upsertVotes(database.db, rows)).inserted).toBe(rows.length);
    expect(await pendingChanges()).toBe(rows.length);
    await database.query('delete from rollup_changes');

    const again = await upsertVotes(database.db, rows);
    expect(again).toEqual({ inserted: 0, updated: 0, changed: [] });
    expect(await pendingChanges()).toBe(0);

    // A later vote of one voter replaces its row, an earlier one does not, and only the change is logged.
    const later = { ...rows[3]!, choice: 2, created: new Date(created.getTime() + 1000) };
    const earlier = { ...rows[4]!, choice: 2, created: new Date(created.getTime() - 1000) };
    const changed = await upsertVotes(database.db, [...rows.slice(0, 3), later, earlier]);
    expect(changed).toEqual({ inserted: 0, updated: 1, changed: [{ row: later, inserted: false }] });
    // The update logs the row as it was and as it is now.
    expect(await pendingChanges()).toBe(2);
    const [row] = await database.query<{ choice: unknown }>(
      'select choice from votes where proposal_id = $1 and voter = $2',
      [proposalId, later.voter],
    );
    expect(row!.choice).toBe(2);
  });

  it('fails the batch on a value the column refuses, so the importer can isolate the record', async () => {
    const before = (await stored()).length;
    await expect(
      upsertVotes(database.db, [vote('good one'), vote('bad power', { votingPower: 'ten' })]),
    ).rejects.toThrow();
    expect((await stored()).length).toBe(before);

    // Through the importer: the refused record is reported with its line, its neighbours are stored.
    const votes = ['0xc1', '0xc2', '0xc3'].map((voter, i) => ({
      type: 'vote',
      dao: 'acme',
      proposal: 'p1',
      voter,
      choice: 1,
      voting_power: i === 1 ? `1${'0'.repeat(140_000)}` : '1',
      created: '2024-01-02T00:00:00Z',
      reason: 'tab\tand\nnewline\\',
    }));
    const { summary, rejections } = await importText(database, votes.map((v) => JSON.stringify(v)).join('\n'));
    expect(summary.byType.vote).toMatchObject({ inserted: 2, rejected: 1 });
    expect(rejections).toEqual([expect.objectContaining({ line: 2, field: '(record)' })]);
    expect(rejections[0]!.reason).toMatch(/^refused by the database: /);
    const kept = (await stored()).filter((r) => r.voter.startsWith('0xc'));
    expect(kept.map((r) => [r.voter, r.reason])).toEqual([
      ['0xc1', 'tab\tand\nnewline\\'],
      ['0xc3', 'tab\tand\nnewline\\'],
    ]);
  });
});

const byVoter = (a: { voter: string }, b: { voter: string }) =>
  Buffer.compare(Buffer.from(a.voter), Buffer.from(b.voter));
