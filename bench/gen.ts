/**
 * Generates a realistic governance data set into DATABASE_URL (or the embedded database in
 * DATA_DIR) and builds its rollups:
 *   npm run gen -- --daos 1000 --votes 10000000 [--seed 1] [--giants 3] [--skip-rollups]
 *
 * Shape: DAO sizes follow a Zipf law (a few DAOs hold most votes); each DAO's votes are spread
 * over its proposals by another Zipf law, and the largest DAOs get `--giants` proposals of up to
 * 500k votes (capped at 5% of all votes); voters come from a per-DAO pool and vote on many
 * proposals (returning voters); voting power is Pareto-distributed per voter (heavy tail); vote
 * times crowd toward each proposal's end (created = start + (1 − u³)·duration). Rows are written
 * by INSERT … SELECT on the server (generate_series), one statement per DAO, so the generator
 * ships parameters, not rows. DAO sizes, proposal sizes, times and voter offsets follow --seed;
 * each vote's choice and time within its proposal come from the server's random().
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config/index.ts';
import { refreshDaoAggregates } from '../src/db/aggregates.ts';
import { openDatabase, rowsOf } from '../src/db/index.ts';

const { values } = parseArgs({
  options: {
    daos: { type: 'string', default: '1000' },
    votes: { type: 'string', default: '10000000' },
    seed: { type: 'string', default: '1' },
    giants: { type: 'string', default: '3' },
    'skip-rollups': { type: 'boolean', default: false },
  },
});
const DAOS = Number(values.daos);
const VOTES = Number(values.votes);
const GIANTS = Number(values.giants);
if (!(DAOS >= 1 && VOTES >= DAOS)) throw new Error('--daos must be >= 1 and --votes >= --daos');

/** Small deterministic PRNG (mulberry32). */
let state = Number(values.seed) >>> 0 || 1;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Splits `total` into `parts` integers >= 1 proportional to 1/(i+1)^s. */
function zipf(total: number, parts: number, s: number): number[] {
  const w = Array.from({ length: parts }, (_, i) => 1 / (i + 1) ** s);
  const sum = w.reduce((a, b) => a + b, 0);
  const out = w.map((x) => Math.max(1, Math.floor((x / sum) * total)));
  let rest = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % parts, rest--) out[i]!++;
  return out;
}

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await database.migrate();
const { db } = database;
const started = performance.now();
const END = Date.UTC(2026, 0, 1);
const SPAN = 3 * 365 * 86_400_000;
const WEEK = 7 * 86_400_000;
const giantSize = Math.min(500_000, Math.floor(VOTES * 0.05));

const daoVotes = zipf(VOTES, DAOS, 1.0);
let written = 0;
for (let d = 0; d < DAOS; d++) {
  const slug = `gen-${String(d + 1).padStart(5, '0')}`;
  const [dao] = await rowsOf<{ id: number }>(
    db,
    sql`
    insert into daos (slug, name, chain, token_symbol, governance_token, description)
    values (${slug}, ${`Generated DAO ${d + 1}`}, 'ethereum', ${`G${d + 1}`}, ${`G${d + 1}`}, 'Synthetic data set (bench/gen.ts)')
    on conflict (slug) do update set name = excluded.name returning id`,
  );
  const daoId = dao!.id;
  const votes = daoVotes[d]!;
  const giants = d < GIANTS && votes > giantSize * 2 ? 1 : 0;
  const regular = votes - giants * giantSize;
  const proposals = Math.max(3, Math.min(3000, Math.round(regular / 250)));
  const sizes = [...(giants ? [giantSize] : []), ...zipf(regular, proposals, 0.8)];
  for (let i = sizes.length - 1; i > giants; i--) {
    const j = giants + Math.floor(random() * (i - giants + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }
  const pool = Math.max(Math.ceil(Math.max(...sizes) * 1.25), Math.ceil(votes / 6), 20);
  const starts = sizes.map(() => END - Math.floor(random() * SPAN));
  const offsets = sizes.map(() => Math.floor(random() * pool));
  const forShare = sizes.map(() => 0.3 + random() * 0.5);

  await database.query('delete from proposals where dao_id = $1', [daoId]);
  await rowsOf(
    db,
    sql`
    insert into proposals (dao_id, external_id, source, voting_type, title, body, choices, start, "end", state, scores_total)
    select ${daoId}, 'gen-' || k, 'snapshot', 'basic', 'Proposal ' || k || ' of ' || ${slug},
           'Generated proposal body about treasury grants, delegates and protocol upgrades number ' || k,
           '["For","Against","Abstain"]'::jsonb, to_timestamp(s / 1000.0), to_timestamp((s + ${WEEK}) / 1000.0),
           case when s + ${WEEK} > extract(epoch from now()) * 1000 then 'active' else 'closed' end, null
      from unnest(${sql.param(starts)}::float8[]) with ordinality as t(s, k)`,
  );
  // Votes: proposal k takes voters offset_k + 1 .. offset_k + n_k of the DAO's pool (distinct per
  // proposal, overlapping across proposals); power is Pareto by voter; times crowd to the end.
  await rowsOf(
    db,
    sql`
    insert into votes (proposal_id, dao_id, voter, choice, voting_power, created)
    select p.id, ${daoId}, '0x' || lpad(to_hex(${daoId}::int8 * 100000000 + (t.off + g) % ${pool}), 40, '0'),
           to_jsonb(case when random() < t.fs then 1 when random() < 0.85 then 2 else 3 end),
           round((10 / power(((((t.off + g) % ${pool}) * 2654435761::int8) % 1000003 + 1) / 1000004.0, 1 / 1.16))::numeric, 4),
           p.start + (1 - power(random(), 3)) * (p."end" - p.start)
      from unnest(${sql.param(sizes)}::int[], ${sql.param(offsets)}::int8[], ${sql.param(forShare)}::float8[]) with ordinality as t(n, off, fs, k)
      join proposals p on p.dao_id = ${daoId} and p.external_id = 'gen-' || t.k
      cross join lateral generate_series(1, t.n) g`,
  );
  written += votes;
  if (!values['skip-rollups']) await refreshDaoAggregates(db, [daoId]);
  if (d % 50 === 0 || d === DAOS - 1) {
    const s = (performance.now() - started) / 1000;
    process.stderr.write(
      `${d + 1}/${DAOS} DAOs, ${written.toLocaleString('en')} votes, ${s.toFixed(0)} s (${Math.round(written / s).toLocaleString('en')} votes/s)\n`,
    );
  }
}
await database.query('analyze');
process.stderr.write(
  `done: ${DAOS} DAOs, ${written.toLocaleString('en')} votes in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
await database.close();
