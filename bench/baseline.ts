/**
 * The yardstick of `npm run bench` (bench/compare.ts): a minimal Fastify + node-postgres server
 * answering the hot routes with the same bytes as the project, each with named prepared
 * statements and nothing else (no auth, rate limit, schemas or drizzle). DATABASE_URL, PORT, HOST.
 *   node --import tsx bench/baseline.ts
 */
import Fastify from 'fastify';
import pg from 'pg';

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

await app.listen({ port: Number(process.env.PORT ?? 3998), host: process.env.HOST ?? '127.0.0.1' });
