import { DrizzleQueryError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared, runPrepared } from '../src/db/prepared.ts';
import { databaseTargets, type TestDatabase } from './helpers/db.ts';

interface Row {
  id: number;
  slug: string;
  treasuryAddresses: string[];
  treasuryValue: string;
  createdAt: Date;
  missing: number | null;
}

const daoBySlug = prepared<Row>(
  'test_prepared_dao_by_slug',
  `select id, slug, treasury_addresses as "treasuryAddresses", treasury_value as "treasuryValue",
          created_at as "createdAt", null::int as missing
     from daos where slug = $1`,
);

describe.each(databaseTargets())('held statements on $kind', ({ kind, open }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await open();
    await database.query(
      `insert into daos (slug, name, chain, treasury_addresses, treasury_value) values
         ('one', 'One', 'ethereum', '{0xabc,0xdef}', 12.5), ('two', 'Two', 'ethereum', '{}', 0)`,
    );
  });
  afterAll(() => database?.destroy());

  it('runs with parameters and returns rows typed as the text names them', async () => {
    const [row] = await runPrepared(database.db, daoBySlug, ['one']);
    expect(row).toEqual({
      id: expect.any(Number),
      slug: 'one',
      treasuryAddresses: ['0xabc', '0xdef'],
      treasuryValue: '12.5',
      createdAt: expect.any(Date),
      missing: null,
    });
    // Run again (a bound, already parsed statement on PostgreSQL) with another value.
    expect((await runPrepared(database.reader, daoBySlug, ['two'])).map((r) => r.slug)).toEqual(['two']);
    expect(await runPrepared(database.db, daoBySlug, ['none'])).toEqual([]);
  });

  it('runs inside a transaction on its connection, as a named statement on PostgreSQL', async () => {
    const names = await database.db.transaction(async (tx) => {
      await tx.execute('select 1');
      expect((await runPrepared(tx, daoBySlug, ['one']))[0]?.slug).toBe('one');
      const held = prepared<{ name: string }>(
        'test_prepared_statement_names',
        'select name from pg_prepared_statements where name like $1 order by name',
      );
      return (await runPrepared(tx, held, ['test_prepared_%'])).map((r) => r.name);
    });
    // PGlite has no named statements: its query API always uses the unnamed one.
    expect(names).toEqual(kind === 'postgres' ? ['test_prepared_dao_by_slug', 'test_prepared_statement_names'] : []);
  });

  it('reports SQL errors of a held statement like any other', async () => {
    const bad = prepared('test_prepared_bad', 'select $1::int as n');
    // Wrapped as drizzle wraps a failed query: the text, the parameters and the driver's error.
    const failure = await runPrepared(database.db, bad, ['not a number']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DrizzleQueryError);
    expect(failure).toMatchObject({ query: 'select $1::int as n', params: ['not a number'] });
    expect((failure as DrizzleQueryError).cause).toMatchObject({
      message: expect.stringMatching(/invalid input syntax/),
    });
    expect(await runPrepared(database.db, bad, ['7'])).toEqual([{ n: 7 }]);
  });
});

describe('prepared', () => {
  it('refuses a second text under one name, and accepts the same text again', () => {
    expect(prepared('test_prepared_twice', 'select 1').text).toBe('select 1');
    expect(prepared('test_prepared_twice', 'select 1').name).toBe('test_prepared_twice');
    expect(() => prepared('test_prepared_twice', 'select 2')).toThrow(/two texts/);
  });
});
