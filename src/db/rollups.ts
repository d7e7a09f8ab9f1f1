import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.ts';
import { concentrationFigures } from '../metrics/concentration.ts';
import { proposalOutcome } from '../metrics/outcomes.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Rollup tables rebuilt by refreshRollups, in the order they are filled. */
export const ROLLUP_TABLES = ['proposal_tallies', 'dao_voters', 'dao_voter_buckets', 'dao_activity'] as const;

/** dao_metrics rows written from the rollups (others, e.g. imported series, are left alone). */
export const ROLLUP_METRIC_PREFIX = 'activity.';

// Bucket arithmetic in UTC whatever the session time zone (timestamptz + '1 month' follows it).
const NEXT_BUCKET = sql.raw(`(a.t at time zone 'UTC' + case a.bucket when 'day' then interval '1 day'
  when 'week' then interval '7 days' else interval '1 month' end) at time zone 'UTC'`);
const BUCKETS = sql.raw(`(values ('day'), ('week'), ('month')) as b(bucket)`);

/**
 * Rebuilds every metric rollup of the given DAOs from their raw rows (votes, proposals), in one
 * transaction: proposal_tallies (with outcomes), dao_voters, dao_voter_buckets, dao_activity, the
 * activity series in dao_metrics, and dao_rollup_state (version, all-time voter concentration).
 * Called after each import and sync through
 * refreshDaoAggregates, and by `dao-portal recompute`; the same statements run in both, so a
 * recompute reproduces exactly what the incremental path stored. Work is proportional to the
 * touched DAOs' rows, never to the whole database.
 */
export async function refreshRollups(db: Db, daoIds: number[]): Promise<void> {
  if (daoIds.length === 0) return;
  await db.transaction(async (tx) => {
    const ids = sql`${sql.param(daoIds)}::int[]`;
    await tx.execute(sql`delete from dao_metrics where dao_id = any(${ids}) and metric_type like ${ROLLUP_METRIC_PREFIX + '%'}`);
    for (const table of [...ROLLUP_TABLES].reverse()) await tx.execute(sql`delete from ${sql.identifier(table)} where dao_id = any(${ids})`);

    await tx.execute(sql`
      insert into proposal_tallies (proposal_id, dao_id, start, "end", voters, vp_cast, first_vote, last_vote, choice_vp)
      select p.id, p.dao_id, p.start, p."end", coalesce(t.voters, 0), coalesce(t.vp, 0), t.first_vote, t.last_vote,
             coalesce(c.choice_vp, '{}'::jsonb)
        from proposals p
        left join (select proposal_id, count(*)::int as voters, sum(voting_power) as vp, min(created) as first_vote,
                          max(created) as last_vote
                     from votes where dao_id = any(${ids}) group by proposal_id) t on t.proposal_id = p.id
        left join (select proposal_id, jsonb_object_agg(choice, vp) as choice_vp
                     from (select proposal_id, choice #>> '{}' as choice, trim_scale(sum(voting_power))::text as vp
                             from votes where dao_id = any(${ids}) and jsonb_typeof(choice) = 'number' group by 1, 2) x
                    group by proposal_id) c on c.proposal_id = p.id
       where p.dao_id = any(${ids})`);
    await writeOutcomes(tx, ids);

    await tx.execute(sql`
      insert into dao_voters (dao_id, voter, first_vote, last_vote, votes, max_vp, for_votes, against_votes, abstain_votes)
      select v.dao_id, v.voter, min(v.created), max(v.created), count(*)::int, max(v.voting_power),
             count(*) filter (where c.cls = 'for')::int, count(*) filter (where c.cls = 'against')::int,
             count(*) filter (where c.cls = 'abstain')::int
        from votes v join proposals p on p.id = v.proposal_id
        cross join lateral (select case when jsonb_typeof(v.choice) = 'number' and (v.choice #>> '{}')::numeric >= 1
                                        then dp_choice_class(p.choices ->> ((v.choice #>> '{}')::int - 1)) end as cls) c
       where v.dao_id = any(${ids})
       group by v.dao_id, v.voter`);

    await tx.execute(sql`
      insert into dao_voter_buckets (dao_id, bucket, t, voter, votes, max_vp, vp)
      select v.dao_id, b.bucket, date_trunc(b.bucket, v.created, 'UTC'), v.voter, count(*)::int, max(v.voting_power), sum(v.voting_power)
        from votes v cross join ${BUCKETS}
       where v.dao_id = any(${ids})
       group by 1, 2, 3, 4`);

    await tx.execute(sql`
      with vb as (select dao_id, bucket, t, sum(votes)::int as votes, count(*)::int as voters, sum(vp) as vp
                    from dao_voter_buckets where dao_id = any(${ids}) group by 1, 2, 3),
      fresh as (select dao_id, b.bucket, date_trunc(b.bucket, first_vote, 'UTC') as t, count(*)::int as n
                  from dao_voters cross join ${BUCKETS} where dao_id = any(${ids}) group by 1, 2, 3),
      retained as (select a.dao_id, a.bucket, a.t, count(*)::int as n
                     from dao_voter_buckets a join dao_voter_buckets n
                       on n.dao_id = a.dao_id and n.bucket = a.bucket and n.voter = a.voter and n.t = ${NEXT_BUCKET}
                    where a.dao_id = any(${ids}) group by 1, 2, 3),
      props as (select p.dao_id, b.bucket, date_trunc(b.bucket, p.start, 'UTC') as t, count(*)::int as n
                  from proposals p cross join ${BUCKETS} where p.dao_id = any(${ids}) group by 1, 2, 3),
      keys as (select dao_id, bucket, t from vb union select dao_id, bucket, t from props)
      insert into dao_activity (dao_id, bucket, t, proposals, votes, voters, new_voters, returning_voters, retained, vp_cast)
      select k.dao_id, k.bucket, k.t, coalesce(props.n, 0), coalesce(vb.votes, 0), coalesce(vb.voters, 0),
             coalesce(fresh.n, 0), coalesce(vb.voters, 0) - coalesce(fresh.n, 0), coalesce(retained.n, 0), coalesce(vb.vp, 0)
        from keys k
        left join vb using (dao_id, bucket, t) left join fresh using (dao_id, bucket, t)
        left join retained using (dao_id, bucket, t) left join props using (dao_id, bucket, t)`);

    await tx.execute(sql`
      insert into dao_metrics (dao_id, metric_type, value, timestamp, metadata)
      select a.dao_id, ${ROLLUP_METRIC_PREFIX} || f.name || '.' || a.bucket, f.value, a.t, '{}'::jsonb
        from dao_activity a
        cross join lateral (values ('proposals', a.proposals::numeric), ('votes', a.votes::numeric),
          ('voters', a.voters::numeric), ('new_voters', a.new_voters::numeric), ('returning_voters', a.returning_voters::numeric),
          ('vp_cast', a.vp_cast), ('retention', case when a.voters > 0 then round(a.retained::numeric / a.voters, 6) end)) f(name, value)
       where a.dao_id = any(${ids}) and f.value is not null`);

    for (const daoId of daoIds) {
      const powers = await rowsOf<{ p: number }>(tx, sql`select max_vp::float8 as p from dao_voters where dao_id = ${daoId}`);
      const figures = concentrationFigures(powers.map((r) => r.p));
      await tx.execute(sql`
        insert into dao_rollup_state (dao_id, refreshed_at, voter_concentration)
        values (${daoId}, clock_timestamp(), ${figures === null ? null : JSON.stringify(figures)}::jsonb)
        on conflict (dao_id) do update set refreshed_at = excluded.refreshed_at, voter_concentration = excluded.voter_concentration`);
    }
  });
}

/** When the DAO's rollups were last rebuilt (null: never); cached metric answers older than this are stale. */
export async function rollupVersion(db: Pick<Db, 'execute'>, daoId: number): Promise<string | null> {
  const [row] = await rowsOf<{ v: string }>(db, sql`select refreshed_at::text as v from dao_rollup_state where dao_id = ${daoId}`);
  return row?.v ?? null;
}

/** Outcome and margin per proposal from src/metrics/outcomes.ts, using stored votes' tallies when the proposal has votes. */
async function writeOutcomes(tx: Tx, ids: ReturnType<typeof sql>) {
  const rows = await rowsOf<{ id: number; state: string; choices: string[]; scores: unknown; quorum: string | null; voters: number; choice_vp: Record<string, string> }>(tx, sql`
    select t.proposal_id as id, p.state, p.choices, p.scores, p.quorum::text as quorum, t.voters, t.choice_vp
      from proposal_tallies t join proposals p on p.id = t.proposal_id where t.dao_id = any(${ids})`);
  const outcomes = rows.map((r) => {
    const fromVotes = r.voters > 0 && Object.keys(r.choice_vp).length > 0;
    const scores = fromVotes
      ? Array.from({ length: Math.max(r.choices.length, ...Object.keys(r.choice_vp).map(Number)) }, (_, i) => Number(r.choice_vp[String(i + 1)] ?? 0))
      : Array.isArray(r.scores) ? r.scores.map(Number) : null;
    return proposalOutcome({ state: r.state, choices: r.choices, scores, quorum: r.quorum === null ? null : Number(r.quorum) });
  });
  if (rows.length === 0) return;
  await tx.execute(sql`
    update proposal_tallies t set outcome = u.outcome, margin = u.margin
      from unnest(${sql.param(rows.map((r) => r.id))}::int8[], ${sql.param(outcomes.map((o) => o.outcome))}::text[],
                  ${sql.param(outcomes.map((o) => o.margin))}::float8[]) as u(id, outcome, margin)
     where t.proposal_id = u.id`);
}
