import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDaoFigures } from '../src/db/aggregates.ts';
import { rowsOf } from '../src/db/index.ts';
import { ROLLUP_TABLES, rebuildRollups, refreshRollups } from '../src/db/rollups.ts';
import { activityOf, BUCKETS, bucketStart, type RawProposal, type RawVote } from '../src/metrics/activity.ts';
import { databaseTargets, repoRoot, type TestDatabase } from './helpers/db.ts';
import { convertedNdjson, importText } from './helpers/fixtures.ts';

/** Every rollup row of a DAO (and its rollup-written dao_metrics rows), as comparable text. */
async function rollupState(database: TestDatabase, daoId: number): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  for (const table of [...ROLLUP_TABLES, 'dao_metrics']) {
    const rows = await rowsOf<{ r: string }>(
      database.db,
      sql`
      select row_to_json(x)::text as r from (select * from ${sql.identifier(table)} where dao_id = ${daoId}) x`,
    );
    // dao_metrics ids differ between rebuilds; everything else must match to the digit.
    state[table] = rows.map((row) => row.r.replace(/^\{"id":\d+,/, '{')).sort();
  }
  return state;
}

async function daoId(database: TestDatabase, slug: string) {
  const [row] = await database.query<{ id: number }>('select id from daos where slug = $1', [slug]);
  return row!.id;
}

/** Empties every rollup of the DAO and rebuilds it from the raw rows, as `dao-portal recompute` does. */
async function recompute(database: TestDatabase, id: number) {
  for (const table of ROLLUP_TABLES) await database.query(`delete from ${table} where dao_id = $1`, [id]);
  await database.query(`delete from dao_metrics where dao_id = $1`, [id]);
  await rebuildRollups(database.db, [id]);
  await refreshDaoFigures(database.db, [id]);
}

describe.each(databaseTargets())('metric rollups on $kind', (target) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await target.open();
    await importText(database, convertedNdjson('tokenomics'), { source: 'tokenomics' });
  }, 180_000);
  afterAll(async () => database?.destroy());

  it('recompute reproduces the rollups written by the import, exactly', async () => {
    const id = await daoId(database, 'arbitrum');
    const before = await rollupState(database, id);
    expect(before.dao_voters!.length).toBeGreaterThan(1000);
    expect(before.dao_activity!.length).toBeGreaterThan(10);
    await recompute(database, id);
    expect(await rollupState(database, id)).toEqual(before);
  });

  it.runIf(target.kind === 'postgres')(
    'the recompute command, rebuilding three DAOs at a time on their own connections, reproduces every DAO',
    async () => {
      const ids = (await database.query<{ id: number }>('select id from daos order by id')).map((r) => r.id);
      expect(ids.length).toBeGreaterThan(3);
      const figures = () =>
        database.query<{ r: string }>(
          `select row_to_json(x)::text as r from (select slug, total_members, active_proposals, total_proposals,
             total_votes, participation_rate, turnout_vp, turnout_basis, voter_holder_ratio, median_voters
             from daos order by id) x`,
        );
      const before = await Promise.all(ids.map((id) => rollupState(database, id)));
      const figuresBefore = await figures();
      const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(repoRoot, 'bin/dao-portal.js'), 'recompute', '--jobs', '3'], {
          env: { PATH: process.env.PATH!, DATABASE_URL: database.url!, LOG_LEVEL: 'warn' },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
      });
      expect(run.out).toMatch(new RegExp(`Recomputed ${ids.length} DAOs in [\\d.]+ s \\(3 at a time\\)\\.`));
      expect(run.code).toBe(0);
      expect(await Promise.all(ids.map((id) => rollupState(database, id)))).toEqual(before);
      expect(await figures()).toEqual(figuresBefore);
    },
  );

  it("applies any writer's changes incrementally (insert, re-vote, delete, relabelled choices, deleted proposal) as a rebuild would", async () => {
    const id = await daoId(database, 'arbitrum');
    const [p1, p2, p3] = await database.query<{ id: number }>(
      'select id from proposals where dao_id = $1 order by votes_count desc, id limit 3',
      [id],
    );
    const run = async (statement: string, params: unknown[] = []) => {
      await database.query(statement, params);
      const [result] = await refreshRollups(database.db, [id]);
      expect(result!.mode).toBe('update');
      const incremental = await rollupState(database, id);
      await recompute(database, id);
      expect(await rollupState(database, id)).toEqual(incremental);
      return result!;
    };
    // A new voter in a new month, far from every other vote.
    const fresh = await run(
      `insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
      values ($1, $2, '0x00000000000000000000000000000000000000aa', '1'::jsonb, 12345.5, '2031-05-17T10:00:00Z')`,
      [p1!.id, id],
    );
    expect(fresh.changes).toBe(1);
    // A voter's earliest vote moves later (its first-vote bucket changes) with another choice and power.
    await run(
      `update votes set created = created + interval '40 days', choice = '2'::jsonb, voting_power = voting_power * 3
      where id = (select id from votes where dao_id = $1 order by created limit 1)`,
      [id],
    );
    await run(
      'delete from votes where id in (select id from votes where proposal_id = $1 order by voting_power desc limit 5)',
      [p2!.id],
    );
    await run(`update proposals set choices = '["Against","For","Abstain"]'::jsonb, state = 'closed' where id = $1`, [
      p2!.id,
    ]);
    await run(`update proposals set start = start - interval '400 days' where id = $1`, [p3!.id]);
    await run('delete from proposals where id = $1', [p3!.id]);
    // Rewriting unchanged columns logs nothing, so the next refresh has nothing to do.
    await database.query('update proposals set votes_count = votes_count, title = title where dao_id = $1', [id]);
    expect((await refreshRollups(database.db, [id]))[0]!.mode).toBe('none');
  });

  it('equal the reference definitions and a recompute after imports in any order and split', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const DAY = 86_400_000;
    const voteArb = fc.record({
      proposal: fc.integer({ min: 0, max: 5 }),
      voter: fc.integer({ min: 0, max: 12 }),
      day: fc.integer({ min: 0, max: 120 }),
      power: fc.integer({ min: 0, max: 1000 }),
      choice: fc.integer({ min: 1, max: 3 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(voteArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        async (votes, splits, seed) => {
          const slug = `prop-${run++}`;
          const proposals = Array.from({ length: 6 }, (_, i) => ({
            type: 'proposal',
            dao: slug,
            id: `p${i}`,
            title: `P${i}`,
            choices: ['For', 'Against', 'Abstain'],
            start: new Date(t0 + i * 20 * DAY).toISOString(),
            end: new Date(t0 + (i * 20 + 10) * DAY).toISOString(),
            state: 'closed',
          }));
          const voteRecords = votes.map((v) => ({
            type: 'vote',
            dao: slug,
            proposal: `p${v.proposal}`,
            voter: `0x${v.voter.toString(16).padStart(40, '0')}`,
            choice: v.choice,
            voting_power: String(v.power),
            created: new Date(t0 + v.day * DAY + v.voter * 1000).toISOString(),
          }));
          // A random permutation cut into chunks, each imported on its own (each refreshes the rollups).
          const shuffled = [...voteRecords];
          let s = seed;
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const head = [{ type: 'dao', slug, name: slug, chain: 'ethereum' }, ...proposals];
          await importText(database, head.map((r) => JSON.stringify(r)).join('\n'));
          let at = 0;
          for (const size of splits) {
            const chunk = shuffled.slice(at, at + size);
            at += size;
            if (chunk.length) await importText(database, chunk.map((r) => JSON.stringify(r)).join('\n'));
          }
          if (at < shuffled.length)
            await importText(
              database,
              shuffled
                .slice(at)
                .map((r) => JSON.stringify(r))
                .join('\n'),
            );

          const id = await daoId(database, slug);
          const incremental = await rollupState(database, id);
          await recompute(database, id);
          expect(await rollupState(database, id)).toEqual(incremental);

          // The stored votes (one per proposal and voter, the latest wins) against the pure definitions.
          const stored = await database.query<{ proposal: string; voter: string; created: Date; vp: string }>(
            `select p.external_id as proposal, v.voter, v.created, v.voting_power::text as vp from votes v join proposals p on p.id = v.proposal_id where v.dao_id = $1`,
            [id],
          );
          const raw: RawVote[] = stored.map((v) => ({
            proposal: v.proposal,
            voter: v.voter,
            created: new Date(v.created),
            votingPower: Number(v.vp),
          }));
          const rawProposals: RawProposal[] = proposals.map((p) => ({
            id: p.id,
            start: new Date(p.start),
            end: new Date(p.end),
          }));
          const activity = await database.query<{
            bucket: string;
            t: Date;
            proposals: number;
            votes: number;
            voters: number;
            new_voters: number;
            returning_voters: number;
          }>(
            `select bucket, t, proposals, votes, voters, new_voters, returning_voters from dao_activity where dao_id = $1`,
            [id],
          );
          for (const bucket of BUCKETS) {
            const starts = new Set([
              ...raw.map((v) => bucketStart(v.created, bucket).getTime()),
              ...rawProposals.map((p) => bucketStart(p.start, bucket).getTime()),
            ]);
            const rows = activity.filter((a) => a.bucket === bucket);
            expect(rows.length).toBe(starts.size);
            for (const row of rows) {
              const from = new Date(row.t);
              const next =
                bucket === 'day'
                  ? new Date(from.getTime() + DAY)
                  : bucket === 'week'
                    ? new Date(from.getTime() + 7 * DAY)
                    : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
              const expected = activityOf(raw, rawProposals, { from, to: next });
              expect({
                proposals: row.proposals,
                votes: row.votes,
                voters: row.voters,
                new_voters: row.new_voters,
                returning_voters: row.returning_voters,
              }).toEqual({
                proposals: expected.proposals,
                votes: expected.votes,
                voters: expected.voters,
                new_voters: expected.new_voters,
                returning_voters: expected.returning_voters,
              });
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 300_000);
});
