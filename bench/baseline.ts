/**
 * The yardstick of `npm run bench` (bench/compare.ts): a minimal Fastify + node-postgres server
 * answering the hot routes with the same bytes as the project, each with named prepared
 * statements and nothing else (no auth, rate limit, schemas or drizzle). The proposal routes shape
 * their rows with the project's own pure serializer (proposalToApi: the tally source, outcome,
 * winner and quorum), so that only the way of reading differs. DATABASE_URL, PORT, HOST.
 *   node --import tsx bench/baseline.ts
 */
import Fastify from 'fastify';
import pg from 'pg';
import { proposalToApi } from '../src/api/serialize.ts';
import { SETTLED_STATES } from '../src/metrics/proposal-states.ts';
import { explorerTxUrl } from '../src/sources/evm/chains.ts';

pg.types.setTypeParser(20, (v: string) => Number(v));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const run = async <T>(name: string, text: string, values: unknown[]) =>
  (await pool.query({ name, text, values })).rows as T[];
const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const pages = (page: number, perPage: number, total: number) => ({
  page,
  per_page: perPage,
  total,
  pages: Math.ceil(total / perPage),
});

const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));

app.get('/api/v1/daos', async (request) => {
  const q = request.query as Record<string, string>;
  const page = Number(q.page ?? 1);
  const perPage = Number(q.per_page ?? 20);
  const sort = q.sort === 'name' ? 'name' : 'total_votes';
  const order = q.order === 'asc' ? 'asc' : 'desc';
  const [rows, [count]] = await Promise.all([
    run<Record<string, unknown>>(
      `b_daos_${sort}_${order}`,
      `select id, slug, name, description, chain, token_symbol, governance_token, snapshot_space, governor_address,
              token_address, treasury_addresses, treasury_tokens, treasury_value, total_members, active_proposals,
              total_proposals, total_votes, participation_rate, turnout_vp, turnout_basis, voter_holder_ratio,
              median_voters, created_at, updated_at
         from daos order by ${sort} ${order} nulls last, id ${order} limit $1 offset $2`,
      [perPage, (page - 1) * perPage],
    ),
    run<{ n: number }>('b_daos_count', 'select count(*)::int as n from daos', []),
  ]);
  const data = rows.map((r) => ({
    ...r,
    created_at: iso(r.created_at as Date),
    updated_at: iso(r.updated_at as Date),
  }));
  return { status: 'success', data, pagination: pages(page, perPage, count!.n) };
});

app.get('/api/v1/proposals/:id/votes', async (request, reply) => {
  const { id } = request.params as { id: string };
  const q = request.query as Record<string, string>;
  const page = Number(q.page ?? 1);
  const perPage = Number(q.per_page ?? 20);
  const order = q.order === 'asc' ? 'asc' : 'desc';
  const [proposal] = await run<{ id: number; votes_count: number }>(
    'b_proposal',
    'select id, votes_count from proposals where id = $1',
    [id],
  );
  if (!proposal) return reply.status(404).send({ status: 'error' });
  const rows = await run<Record<string, unknown>>(
    `b_votes_${order}`,
    `select id, proposal_id, voter, choice, voting_power, reason, created, created_precision,
            to_char(created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_time
       from votes where proposal_id = $1 order by voting_power ${order}, id ${order} limit $2 offset $3`,
    [proposal.id, perPage, (page - 1) * perPage],
  );
  const last = rows.at(-1);
  return {
    status: 'success',
    data: rows.map((v) => ({
      id: v.id,
      proposal_id: v.proposal_id,
      voter: v.voter,
      choice: v.choice,
      voting_power: v.voting_power,
      reason: v.reason,
      created: iso(v.created as Date),
      created_precision: v.created_precision === 'day' ? 'day' : 'second',
    })),
    pagination: {
      ...pages(page, perPage, proposal.votes_count),
      next_cursor:
        last && rows.length === perPage
          ? Buffer.from(JSON.stringify([last.voting_power, last.id])).toString('base64url')
          : null,
    },
  };
});

const state = `(case lower(p.state) ${Object.entries(SETTLED_STATES)
  .map(([stored, derived]) => `when '${stored}' then '${derived}'`)
  .join(' ')} else case when now() < p.start then 'pending' when now() < p."end" then 'active' else 'closed' end end)`;
const proposalColumns = `p.id, p.dao_id as "daoId", d.slug as "daoSlug", p.external_id as "externalId", p.source,
  p.voting_type as "votingType", p.title, p.author, p.choices, p.start, p."end", p.time_precision as "timePrecision",
  ${state} as state, p.state as "storedState", p.quorum, p.snapshot_block as "snapshotBlock", p.scores,
  p.scores_total as "scoresTotal", coalesce(p.source_votes_count, p.votes_count)::int as "votesCount",
  p.votes_count as "votesStored", p.source_votes_count as "sourceVotesCount", p.discussion,
  (select jsonb_build_object('outcome', t.outcome, 'margin', t.margin, 'choice_vp', t.choice_vp)
     from proposal_tallies t where t.proposal_id = p.id) as tally,
  p.created_at as "createdAt", p.updated_at as "updatedAt"`;
type ProposalRow = Parameters<typeof proposalToApi>[0];

app.get('/api/v1/daos/:id/proposals', async (request, reply) => {
  const { id } = request.params as { id: string };
  const q = request.query as Record<string, string>;
  const page = Number(q.page ?? 1);
  const perPage = Number(q.per_page ?? 20);
  const [dao] = await run<{ id: number }>('b_dao_id', 'select id from daos where id = $1::int', [id]);
  if (!dao) return reply.status(404).send({ status: 'error' });
  const [rows, [count]] = await Promise.all([
    run<ProposalRow>(
      'b_proposals_start_desc',
      `select ${proposalColumns} from proposals p join daos d on d.id = p.dao_id
        where p.dao_id = $1 order by p.start desc, p.id desc limit $2 offset $3`,
      [dao.id, perPage, (page - 1) * perPage],
    ),
    run<{ n: number }>('b_proposals_count', 'select count(*)::int as n from proposals where dao_id = $1', [dao.id]),
  ]);
  return { status: 'success', data: rows.map((r) => proposalToApi(r)), pagination: pages(page, perPage, count!.n) };
});

app.get('/api/v1/proposals/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const [row] = await run<
    ProposalRow & {
      daoChain: string;
      snapshotSpace: string | null;
      body: string;
      tallies: Record<string, [string, number]> | null;
      voters: number;
      power: string;
    }
  >(
    'b_proposal_detail',
    `select ${proposalColumns}, d.chain as "daoChain", d.snapshot_space as "snapshotSpace", p.body,
            t.choice_tallies as tallies, t.voters, trim_scale(t.vp_cast)::text as power
       from proposals p join daos d on d.id = p.dao_id left join proposal_tallies t on t.proposal_id = p.id
      where p.id = $1::int8`,
    [id],
  );
  // Only proposals the rollups cover (the project counts the votes of the others).
  if (!row?.tallies) return reply.status(404).send({ status: 'error' });
  const byChoice = row.tallies;
  const count = Math.max(row.choices.length, ...Object.keys(byChoice).map(Number));
  const stored = Array.from({ length: count }, (_, i) => ({
    choice: i + 1,
    label: row.choices[i] ?? null,
    voting_power: byChoice[String(i + 1)]?.[0] ?? '0',
    votes: byChoice[String(i + 1)]?.[1] ?? 0,
  }));
  const summary = proposalToApi(row, row.votesStored > 0 ? stored.map((t) => Number(t.voting_power)) : undefined);
  const tallies =
    summary.tally_source === 'source_scores'
      ? (row.scores ?? []).map((power, i) => ({
          choice: i + 1,
          label: row.choices[i] ?? null,
          voting_power: power,
          votes: null,
        }))
      : stored;
  let sourceUrl: string | null = null;
  if (row.source === 'snapshot' && row.snapshotSpace) {
    sourceUrl = `https://snapshot.org/#/${encodeURIComponent(row.snapshotSpace)}/proposal/${encodeURIComponent(row.externalId)}`;
  } else if (row.source === 'onchain') {
    const [created] = await run<{ tx_hash: string }>(
      'b_proposal_created',
      `select tx_hash from chain_events where dao_id = $1 and args->>'proposalId' = $2 and event = 'ProposalCreated'
        order by block_number, log_index limit 1`,
      [row.daoId, row.externalId],
    );
    sourceUrl = created ? explorerTxUrl(row.daoChain, created.tx_hash) : null;
  }
  return {
    status: 'success',
    data: {
      ...summary,
      body: row.body,
      tallies,
      voters: row.voters,
      voting_power_total: row.power,
      source_url: sourceUrl,
    },
  };
});

await app.listen({ port: Number(process.env.PORT ?? 3998), host: process.env.HOST ?? '127.0.0.1' });
