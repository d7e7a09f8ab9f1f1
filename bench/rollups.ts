/**
 * Incremental rollups against a rebuild, on the data set in DATABASE_URL (see bench/gen.ts):
 *   npx tsx bench/rollups.ts [--daos 6] [--changes 1000] [--seed 1]
 *
 * For the largest DAO and others drawn at random, writes two batches straight in SQL and updates
 * the rollups incrementally (refreshRollups) after each, timing every step:
 * - "recent", what a sync brings: new votes by new and known voters on the DAO's latest proposals,
 *   re-votes of its latest votes, and a new proposal with votes;
 * - "scattered", a worst case: new votes on proposals across the DAO's whole history, re-votes
 *   that move in time and change choice and power, deleted votes, and a new proposal.
 * Then it fingerprints every rollup row of the DAO, rebuilds the rollups from the raw rows (what
 * `dao-portal recompute` runs), times that, and checks the fingerprints are equal. Exits
 * non-zero on any difference.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase, rowsOf, type Tx } from '../src/db/index.ts';
import { ROLLUP_TABLES, rebuildRollups, refreshRollups } from '../src/db/rollups.ts';

const { values } = parseArgs({
  options: {
    daos: { type: 'string', default: '6' },
    changes: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  },
});
const CHANGES = Number(values.changes);

const config = loadConfig();
if (!config.databaseUrl) throw new Error('set DATABASE_URL to the generated data set (npm run gen)');
const database = await openDatabase({ databaseUrl: config.databaseUrl });
await database.migrate();
const { db } = database;

/** One md5 per rollup table over the DAO's rows in a fixed order (dao_metrics ids excluded). */
async function fingerprint(daoId: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of [...ROLLUP_TABLES, 'dao_metrics', 'dao_rollup_state']) {
    const columns =
      table === 'dao_metrics'
        ? 'row(x.metric_type, x.value, x.timestamp)'
        : table === 'dao_rollup_state'
          ? 'x.voter_concentration'
          : 'x';
    const [row] = await rowsOf<{ h: string | null; n: number }>(
      db,
      sql`
      select md5(string_agg(r, E'\\n' order by r)) as h, count(*)::int as n
        from (select (${sql.raw(columns)})::text as r from ${sql.identifier(table)} x where dao_id = ${daoId}
                ${table === 'dao_metrics' ? sql`and metric_type like 'activity.%'` : sql``}) t`,
    );
    out[table] = `${row!.n}:${row!.h}`;
  }
  return out;
}

/** New votes on the latest proposals, re-votes of the latest votes, a new proposal with votes. */
async function writeRecent(daoId: number, n: number) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
      select p.id, p.dao_id, '0xbf' || lpad(to_hex(${daoId}::int8 * 1000000 + g), 38, '0'), to_jsonb(1 + (g % 3)),
             round((random() * 1000)::numeric, 4), p."end" - random() * interval '1 day'
        from generate_series(1, ${Math.ceil(n / 2)}) g
        cross join lateral (select * from proposals where dao_id = ${daoId} order by start desc, id offset g % 3 limit 1) p
      on conflict (proposal_id, voter) do nothing`);
    await tx.execute(sql`
      update votes set choice = to_jsonb(1 + ((choice #>> '{}')::int % 3)), voting_power = voting_power + 1, created = created + interval '1 minute'
       where id in (select id from votes where dao_id = ${daoId} order by created desc limit ${Math.ceil(n / 4)})`);
    await newProposal(
      tx,
      daoId,
      Math.ceil(n / 4),
      sql`(select max(start) + interval '1 day' from proposals where dao_id = ${daoId})`,
    );
  });
}

/** New votes across the DAO's history, re-votes and deletes anywhere, a new proposal. */
async function writeScattered(daoId: number, n: number) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
      select p.id, p.dao_id, '0xbe' || lpad(to_hex(${daoId}::int8 * 1000000 + g), 38, '0'), to_jsonb(1 + (g % 3)),
             round((random() * 1000)::numeric, 4), p.start + random() * (p."end" - p.start)
        from generate_series(1, ${Math.ceil(n / 2)}) g
        cross join lateral (select * from proposals where dao_id = ${daoId} order by id offset (g * 7919) % greatest(1, (select count(*) from proposals where dao_id = ${daoId})) limit 1) p
      on conflict (proposal_id, voter) do nothing`);
    // Re-votes: another choice and power, an hour later (some move across a bucket boundary).
    await tx.execute(sql`
      update votes set choice = to_jsonb(1 + ((choice #>> '{}')::int % 3)), voting_power = voting_power * 1.5 + 1,
                       created = created + interval '1 hour'
       where id in (select id from votes where dao_id = ${daoId} order by md5(id::text || ${values.seed}) limit ${Math.ceil(n / 4)})`);
    await tx.execute(sql`
      delete from votes where id in (select id from votes where dao_id = ${daoId} order by md5(id::text || 'x' || ${values.seed}) limit ${Math.ceil(n / 8)})`);
    await newProposal(tx, daoId, Math.ceil(n / 8), sql`timestamptz '2025-12-20'`);
  });
}

async function newProposal(tx: Tx, daoId: number, votes: number, start: ReturnType<typeof sql>) {
  const [p] = await rowsOf<{ id: number; start: Date }>(
    tx,
    sql`
    insert into proposals (dao_id, external_id, source, title, choices, start, "end", state)
    select ${daoId}, ${`bench-${Date.now()}-${Math.random().toString(36).slice(2)}`}, 'import', 'Bench proposal',
           '["For","Against","Abstain"]'::jsonb, s, s + interval '7 days', 'closed' from (select ${start} as s) x returning id, start`,
  );
  await tx.execute(sql`
    insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
    select ${p!.id}, ${daoId}, voter, '1'::jsonb, max_vp, ${p!.start}::timestamptz + (row_number() over ()) * interval '1 minute'
      from (select voter, max_vp from dao_voters where dao_id = ${daoId} order by md5(voter) limit ${votes}) v`);
}

const steps = (r: { steps: Record<string, number> }) =>
  Object.entries(r.steps)
    .map(([k, v]) => `${k} ${Math.round(v)}`)
    .join(', ');

const targets = await rowsOf<{ id: number; slug: string; votes: number }>(
  db,
  sql`
  (select id, slug, total_votes as votes from daos order by total_votes desc limit 1)
  union
  (select id, slug, total_votes from daos where total_votes > 100 order by md5(id::text || ${values.seed}) limit ${Number(values.daos) - 1})
  order by votes desc`,
);
if (targets.length === 0) throw new Error('no DAOs: run npm run gen first');

console.log(`${CHANGES} writes per batch; ${targets.length} DAOs`);
console.log(
  'dao | votes | recent: changes, s | scattered: changes, s | rebuild s | equal | steps (ms): recent; scattered',
);
// Earlier rebuilds leave dead rows behind; measure on tables autovacuum has caught up with.
await database.query(`vacuum analyze ${[...ROLLUP_TABLES, 'dao_metrics', 'votes', 'proposals'].join(', ')}`);
let failures = 0;
for (const dao of targets) {
  await refreshRollups(db, [dao.id]);
  await writeRecent(dao.id, CHANGES);
  const [recent] = await refreshRollups(db, [dao.id]);
  await writeScattered(dao.id, CHANGES);
  const [scattered] = await refreshRollups(db, [dao.id]);
  const incremental = await fingerprint(dao.id);
  const [rebuild] = await rebuildRollups(db, [dao.id]);
  const rebuilt = await fingerprint(dao.id);
  const equal = JSON.stringify(incremental) === JSON.stringify(rebuilt);
  if (!equal) {
    failures++;
    for (const table of Object.keys(rebuilt))
      if (incremental[table] !== rebuilt[table])
        console.error(`  ${dao.slug} ${table}: ${incremental[table]} vs ${rebuilt[table]}`);
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `${dao.slug} | ${dao.votes} | ${recent!.changes} (${recent!.mode}), ${s(recent!.ms)} | ${scattered!.changes} (${scattered!.mode}), ${s(scattered!.ms)} | ${s(rebuild!.ms)} | ${equal ? 'yes' : 'NO'} | ${steps(recent!)}; ${steps(scattered!)}`,
  );
}
await database.close();
process.exit(failures ? 1 : 0);
