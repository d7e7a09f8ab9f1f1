import { type SQL, sql } from 'drizzle-orm';
import { concentrationFigures } from '../metrics/concentration.ts';
import { proposalOutcome } from '../metrics/outcomes.ts';
import { type Choice, decimalText, scoreProposal, type VotingType } from '../metrics/snapshot-scoring.ts';
import { rowsOf, type Tx } from './client.ts';

/**
 * The statements that fill each rollup table of one DAO from its raw rows. Each runs in one of two
 * scopes: the whole DAO (a rebuild), or only the keys a change touched, listed in temporary tables
 * (an incremental update, see src/db/rollups.ts):
 * - `_rollup_p(id)`: proposals whose tally is recomputed;
 * - `_rollup_v(voter)`: voters whose all-time row is recomputed;
 * - `_rollup_a(bucket, t)`: activity buckets whose votes or proposals changed, recomputed whole;
 * - `_rollup_r(bucket, t)`: the bucket before each of those, whose retention (voters who vote
 *   again in the next bucket) is recounted;
 * - `_rollup_f(bucket, t)`: buckets holding a changed voter's first vote (before or after the
 *   change), whose new and returning voter counts are recounted;
 * - `_rollup_s(bucket, t)`: all of the above, whose dao_metrics rows are rewritten.
 * A scoped statement deletes and recomputes its keys from the raw rows with the same expressions
 * as the rebuild, so both paths store identical values by construction.
 * Per-bucket voter figures (distinct voters, retention) are read from the votes themselves through
 * votes_dao_created_idx, which holds the voter and power (migration 0079): a table of voter-bucket
 * rows cost about three rows per vote.
 */
export type Scope = 'dao' | 'changes';

export const ROLLUP_TABLES = ['proposal_tallies', 'dao_voters', 'dao_activity'] as const;

/** dao_metrics rows written from the rollups (others, e.g. imported series, are left alone). */
export const ROLLUP_METRIC_PREFIX = 'activity.';

// Bucket arithmetic in UTC whatever the session time zone (timestamptz + '1 month' follows it).
const STEP = (bucket: string) =>
  `case ${bucket} when 'day' then interval '1 day' when 'week' then interval '7 days' else interval '1 month' end`;
const nextRaw = (bucket: string, t: string) => `(${t} at time zone 'UTC' + ${STEP(bucket)}) at time zone 'UTC'`;
const nextBucket = (bucket: string, t: string) => sql.raw(nextRaw(bucket, t));
/** The start of the bucket after the next one. */
const bucketAfterNext = (bucket: string, t: string) => sql.raw(nextRaw(bucket, `(${nextRaw(bucket, t)})`));
const previousBucket = (bucket: string, t: string) =>
  sql.raw(`(${t} at time zone 'UTC' - ${STEP(bucket)}) at time zone 'UTC'`);
const BUCKETS = sql.raw(`(values ('day'), ('week'), ('month')) as b(bucket)`);

const when = (scope: Scope, fragment: SQL) => (scope === 'changes' ? fragment : sql``);

export async function writeTallies(tx: Tx, daoId: number, scope: Scope) {
  const onlyVotes = when(scope, sql`and proposal_id in (select id from _rollup_p)`);
  await tx.execute(sql`delete from proposal_tallies where dao_id = ${daoId} ${onlyVotes}`);
  await tx.execute(sql`
    with ${choiceTalliesCte(daoId, scope)}
    insert into proposal_tallies (proposal_id, dao_id, start, "end", voters, vp_cast, first_vote, last_vote, choice_vp,
                                  choice_tallies)
    select p.id, p.dao_id, p.start, p."end", coalesce(t.voters, 0), coalesce(t.vp, 0), t.first_vote, t.last_vote,
           coalesce(c.choice_vp, '{}'::jsonb), coalesce(ct.tallies, '{}'::jsonb)
      from proposals p
      left join (select proposal_id, count(*)::int as voters, sum(voting_power) as vp, min(created) as first_vote,
                        max(created) as last_vote
                   from votes where dao_id = ${daoId} ${onlyVotes} group by proposal_id) t on t.proposal_id = p.id
      left join (select proposal_id, jsonb_object_agg(choice, vp) as choice_vp
                   from (select proposal_id, choice #>> '{}' as choice, trim_scale(sum(voting_power))::text as vp
                           from votes where dao_id = ${daoId} ${onlyVotes} and jsonb_typeof(choice) = 'number' group by 1, 2) x
                  group by proposal_id) c on c.proposal_id = p.id
      left join choice_tallies ct on ct.proposal_id = p.id
     where p.dao_id = ${daoId} ${when(scope, sql`and p.id in (select id from _rollup_p)`)}`);
  await writeScoredTallies(tx, daoId, scope);
  await writeOutcomes(tx, daoId, scope);
}

/** Voting types whose tallies are sums over the votes, computed in SQL on exact decimals. */
const SUMMED_TYPES = sql.raw(`('approval', 'weighted')`);
/** Voting types Snapshot scores over all ballots at once (not sums): scored by src/metrics/snapshot-scoring.ts. */
const SCORED_TYPES = ['quadratic', 'ranked-choice'] as const;
// Choice indexes and weights as the votes store them; anything else (a fraction, text, an
// index past int) is no choice, where counting it at request time used to fail the request.
const INDEX = `'^-?[0-9]{1,9}$'`;
const WEIGHT = `'^-?[0-9]+(\\.[0-9]+)?$'`;

/**
 * `choice_tallies(proposal_id, tallies)`: the per-choice tallies, {"<choice>": ["<power>", votes]},
 * of the proposals in scope whose rules are linear in the votes, by Snapshot's rules for each type:
 * single-choice (and any other type) sums each numeric choice, approval each approved choice, and
 * weighted splits each voter's power in proportion to its weights (votes: voters who gave the
 * choice a weight > 0). Quadratic and ranked-choice proposals are scored by writeScoredTallies.
 */
function choiceTalliesCte(daoId: number, scope: Scope) {
  const inScope = when(scope, sql`and v.proposal_id in (select id from _rollup_p)`);
  const votesOf = (types: SQL) => sql`votes v join proposals p on p.id = v.proposal_id and p.voting_type ${types}`;
  return sql`
    weights as (
      select v.proposal_id, v.voting_power, e.key::int as choice, e.value::numeric as weight,
             sum(e.value::numeric) over (partition by v.id) as total
        from ${votesOf(sql`= 'weighted'`)} cross join lateral jsonb_each_text(v.choice) e
       where v.dao_id = ${daoId} ${inScope} and jsonb_typeof(v.choice) = 'object'
         and e.key ~ ${sql.raw(INDEX)} and e.value ~ ${sql.raw(WEIGHT)}),
    per_choice as (
      select v.proposal_id, (v.choice #>> '{}')::int as choice, trim_scale(sum(v.voting_power))::text as power,
             count(*)::int as votes
        from ${votesOf(sql`not in ${SUMMED_TYPES} and p.voting_type not in ${sql.raw(`('${SCORED_TYPES.join("', '")}')`)}`)}
       where v.dao_id = ${daoId} ${inScope} and jsonb_typeof(v.choice) = 'number' and (v.choice #>> '{}') ~ ${sql.raw(INDEX)}
       group by 1, 2
      union all
      select v.proposal_id, e.value::int, trim_scale(sum(v.voting_power))::text, count(*)::int
        from ${votesOf(sql`= 'approval'`)} cross join lateral jsonb_array_elements_text(v.choice) e
       where v.dao_id = ${daoId} ${inScope} and jsonb_typeof(v.choice) = 'array' and e.value ~ ${sql.raw(INDEX)}
       group by 1, 2
      union all
      select proposal_id, choice, trim_scale(sum(voting_power * weight / total))::text,
             count(*) filter (where weight > 0)::int
        from weights where total > 0 group by 1, 2),
    choice_tallies as (
      select proposal_id, jsonb_object_agg(choice::text, jsonb_build_array(power, votes)) as tallies
        from per_choice group by proposal_id)`;
}

/**
 * Quadratic and ranked-choice tallies of the proposals in scope: Snapshot's own (floating-point)
 * computation over each proposal's ballots, in vote order, as the detail computed it per request.
 */
async function writeScoredTallies(tx: Tx, daoId: number, scope: Scope) {
  const proposals = await rowsOf<{ id: number; voting_type: VotingType; choices: unknown }>(
    tx,
    sql`
    select t.proposal_id as id, p.voting_type, p.choices
      from proposal_tallies t join proposals p on p.id = t.proposal_id
     where t.dao_id = ${daoId} and t.voters > 0 and p.voting_type in ${sql.raw(`('${SCORED_TYPES.join("', '")}')`)}
       ${when(scope, sql`and t.proposal_id in (select id from _rollup_p)`)}`,
  );
  for (const p of proposals) {
    const ballots = await rowsOf<{ choice: Choice; vp: string }>(
      tx,
      sql`select choice, voting_power::text as vp from votes where proposal_id = ${p.id} order by id`,
    );
    const choices = Array.isArray(p.choices) ? p.choices.length : 0;
    const scores = scoreProposal(
      p.voting_type,
      choices,
      ballots.map((b) => ({ choice: b.choice, votingPower: Number(b.vp) })),
    );
    const tallies = Object.fromEntries(scores.map((s) => [String(s.choice), [decimalText(s.votingPower), s.votes]]));
    await tx.execute(
      sql`update proposal_tallies set choice_tallies = ${JSON.stringify(tallies)}::jsonb where proposal_id = ${p.id}`,
    );
  }
}

/**
 * Outcome and margin per proposal from src/metrics/outcomes.ts, using stored votes' tallies when
 * every vote the source counted is stored, else the source's scores.
 */
async function writeOutcomes(tx: Tx, daoId: number, scope: Scope) {
  const rows = await rowsOf<{
    id: number;
    state: string;
    choices: string[];
    scores: unknown;
    quorum: string | null;
    voters: number;
    source_votes: number | null;
    choice_vp: Record<string, string>;
  }>(
    tx,
    sql`
    select t.proposal_id as id, p.state, p.choices, p.scores, p.quorum::text as quorum, t.voters,
           p.source_votes_count as source_votes, t.choice_vp
      from proposal_tallies t join proposals p on p.id = t.proposal_id
     where t.dao_id = ${daoId} ${when(scope, sql`and t.proposal_id in (select id from _rollup_p)`)}`,
  );
  if (rows.length === 0) return;
  const outcomes = rows.map((r) => {
    // A partial tally (fewer votes stored than the source counted) decides nothing.
    const allVotes = r.source_votes === null || r.voters >= r.source_votes;
    const fromVotes = r.voters > 0 && allVotes && Object.keys(r.choice_vp).length > 0;
    const scores = fromVotes
      ? Array.from({ length: Math.max(r.choices.length, ...Object.keys(r.choice_vp).map(Number)) }, (_, i) =>
          Number(r.choice_vp[String(i + 1)] ?? 0),
        )
      : Array.isArray(r.scores)
        ? r.scores.map(Number)
        : null;
    return proposalOutcome({
      state: r.state,
      choices: r.choices,
      scores,
      quorum: r.quorum === null ? null : Number(r.quorum),
    });
  });
  await tx.execute(sql`
    update proposal_tallies t set outcome = u.outcome, margin = u.margin
      from unnest(${sql.param(rows.map((r) => r.id))}::int8[], ${sql.param(outcomes.map((o) => o.outcome))}::text[],
                  ${sql.param(outcomes.map((o) => o.margin))}::float8[]) as u(id, outcome, margin)
     where t.proposal_id = u.id`);
}

export async function writeVoters(tx: Tx, daoId: number, scope: Scope) {
  const onlyVoters = (column: string) => when(scope, sql`and ${sql.raw(column)} in (select voter from _rollup_v)`);
  await tx.execute(sql`delete from dao_voters where dao_id = ${daoId} ${onlyVoters('voter')}`);
  // Choice labels are classified once per proposal and choice, not once per vote. Voters group
  // by their bytes (collate "C"): a locale-aware sort of millions of addresses costs seconds.
  await tx.execute(sql`
    with classes as (
      select p.id as proposal_id, c.ord::int as choice, dp_choice_class(c.label) as cls
        from proposals p
        cross join lateral jsonb_array_elements_text(case when jsonb_typeof(p.choices) = 'array' then p.choices else '[]'::jsonb end)
             with ordinality as c(label, ord)
       where p.dao_id = ${daoId})
    insert into dao_voters (dao_id, voter, first_vote, last_vote, votes, max_vp, for_votes, against_votes, abstain_votes)
    select v.dao_id, v.voter collate "C", min(v.created), max(v.created), count(*)::int, max(v.voting_power),
           count(*) filter (where k.cls = 'for')::int, count(*) filter (where k.cls = 'against')::int,
           count(*) filter (where k.cls = 'abstain')::int
      from votes v
      left join classes k on k.proposal_id = v.proposal_id
       and k.choice = case when jsonb_typeof(v.choice) = 'number' and (v.choice #>> '{}')::numeric >= 1 then (v.choice #>> '{}')::int end
     where v.dao_id = ${daoId} ${onlyVoters('v.voter')}
     group by v.dao_id, v.voter collate "C"`);
}

export async function writeActivity(tx: Tx, daoId: number, scope: Scope) {
  const onlyKeys = (bucket: string, t: SQL) =>
    when(scope, sql`and (${sql.raw(bucket)}, ${t}) in (select bucket, t from _rollup_a)`);
  await tx.execute(
    scope === 'dao'
      ? sql`delete from dao_activity where dao_id = ${daoId}`
      : sql`delete from dao_activity d using _rollup_a k where d.dao_id = ${daoId} and d.bucket = k.bucket and d.t = k.t`,
  );
  // A rebuild groups all the DAO's votes by bucket and voter once (vbr); an update reads each
  // changed bucket's votes by their index range (a grouping filtered to the changed keys would
  // still hash every row of the DAO). Same values: per bucket, votes, distinct voters and power of
  // its votes, first votes in [t, next bucket), and voters with votes in the bucket and the next one.
  const perBucket =
    scope === 'dao'
      ? sql`
    vbr as (select v.dao_id, b.bucket, date_trunc(b.bucket, v.created, 'UTC') as t, v.voter collate "C" as voter,
                   count(*)::int as votes, sum(v.voting_power) as vp
              from votes v cross join ${BUCKETS} where v.dao_id = ${daoId} group by 1, 2, 3, 4),
    vb as (select dao_id, bucket, t, sum(votes)::int as votes, count(*)::int as voters, sum(vp) as vp
             from vbr group by 1, 2, 3),
    fresh as (select dao_id, b.bucket, date_trunc(b.bucket, first_vote, 'UTC') as t, count(*)::int as n
                from dao_voters cross join ${BUCKETS} where dao_id = ${daoId} group by 1, 2, 3),
    retained as (select dao_id, bucket, t, count(*)::int as n
                   from (select dao_id, bucket, t, lead(t) over (partition by bucket, voter order by t) as later
                           from vbr) a
                  where later = ${nextBucket('bucket', 't')} group by 1, 2, 3),`
      : sql`
    vb as (select ${daoId}::int as dao_id, k.bucket, k.t, x.votes, x.voters, x.vp
             from _rollup_a k
             cross join lateral (select count(*)::int as votes, count(distinct voter collate "C")::int as voters,
                                        sum(voting_power) as vp
                                   from votes where dao_id = ${daoId} and created >= k.t
                                    and created < ${nextBucket('k.bucket', 'k.t')}) x
            where x.voters > 0),
    fresh as (${firstVoters(daoId, '_rollup_a')}),
    retained as (${retainedVoters(daoId, '_rollup_a')}),`;
  await tx.execute(sql`
    with ${perBucket}
    props as (select p.dao_id, b.bucket, date_trunc(b.bucket, p.start, 'UTC') as t, count(*)::int as n
                from proposals p cross join ${BUCKETS} where p.dao_id = ${daoId}
                 ${onlyKeys('b.bucket', sql`date_trunc(b.bucket, p.start, 'UTC')`)} group by 1, 2, 3),
    keys as (select dao_id, bucket, t from vb union select dao_id, bucket, t from props)
    insert into dao_activity (dao_id, bucket, t, proposals, votes, voters, new_voters, returning_voters, retained, vp_cast)
    select k.dao_id, k.bucket, k.t, coalesce(props.n, 0), coalesce(vb.votes, 0), coalesce(vb.voters, 0),
           coalesce(fresh.n, 0), coalesce(vb.voters, 0) - coalesce(fresh.n, 0), coalesce(retained.n, 0), coalesce(vb.vp, 0)
      from keys k
      left join vb using (dao_id, bucket, t) left join fresh using (dao_id, bucket, t)
      left join retained using (dao_id, bucket, t) left join props using (dao_id, bucket, t)`);
  if (scope === 'dao') return;
  // Buckets whose own voters did not change: only the counts that look at the next bucket or at
  // first votes move. Same expressions as above.
  await tx.execute(sql`
    update dao_activity d set retained = r.n from (${retainedVoters(daoId, '_rollup_r')}) r
     where d.dao_id = ${daoId} and d.bucket = r.bucket and d.t = r.t`);
  await tx.execute(sql`
    update dao_activity d set new_voters = f.n, returning_voters = d.voters - f.n
      from (${firstVoters(daoId, '_rollup_f')}) f
     where d.dao_id = ${daoId} and d.bucket = f.bucket and d.t = f.t`);
}

/**
 * Voters of each bucket listed in `keys` who vote again in the next bucket: voters with votes in
 * both of the two buckets. Read as one index range of the two buckets' votes and grouped by
 * voter, never as a self-join, whose plan depends on statistics: on stale ones (a DAO whose votes
 * arrived after its proposals, the embedded database, which never analyzes) the planner probed
 * every row of the bucket kind for each row of the bucket, 168 million heap fetches for 39k
 * votes. The rebuild counts the same with lead() over each voter's buckets.
 */
const retainedVoters = (daoId: number, keys: string) => sql`
  select ${daoId}::int as dao_id, k.bucket, k.t,
         (select count(*)::int from (select 1 from votes a
             where a.dao_id = ${daoId} and a.created >= k.t and a.created < ${bucketAfterNext('k.bucket', 'k.t')}
             group by a.voter collate "C"
             having min(a.created) < ${nextBucket('k.bucket', 'k.t')} and max(a.created) >= ${nextBucket('k.bucket', 'k.t')}) x) as n
    from ${sql.raw(keys)} k`;

/** First-time voters of each bucket listed in `keys`: voters whose first vote is in [t, next bucket). */
const firstVoters = (daoId: number, keys: string) => sql`
  select ${daoId}::int as dao_id, k.bucket, k.t,
         (select count(*)::int from dao_voters f where f.dao_id = ${daoId} and f.first_vote >= k.t
             and f.first_vote < ${nextBucket('k.bucket', 'k.t')}) as n
    from ${sql.raw(keys)} k`;

export async function writeActivitySeries(tx: Tx, daoId: number, scope: Scope) {
  await tx.execute(
    scope === 'dao'
      ? sql`delete from dao_metrics where dao_id = ${daoId} and metric_type like ${ROLLUP_METRIC_PREFIX + '%'}`
      : sql`delete from dao_metrics m using _rollup_s k
           where m.dao_id = ${daoId} and m.timestamp = k.t and m.metric_type like ${ROLLUP_METRIC_PREFIX + '%.'} || k.bucket`,
  );
  await tx.execute(sql`
    insert into dao_metrics (dao_id, metric_type, value, timestamp, metadata)
    select a.dao_id, ${ROLLUP_METRIC_PREFIX} || f.name || '.' || a.bucket, f.value, a.t, '{}'::jsonb
      from dao_activity a
      cross join lateral (values ('proposals', a.proposals::numeric), ('votes', a.votes::numeric),
        ('voters', a.voters::numeric), ('new_voters', a.new_voters::numeric), ('returning_voters', a.returning_voters::numeric),
        ('vp_cast', a.vp_cast), ('retention', case when a.voters > 0 then round(a.retained::numeric / a.voters, 6) end)) f(name, value)
     where a.dao_id = ${daoId} and f.value is not null
       ${when(scope, sql`and (a.bucket, a.t) in (select bucket, t from _rollup_s)`)}`);
}

/** The version stamp and the all-time voter concentration (every voter's power, so not scoped). */
export async function writeRollupState(tx: Tx, daoId: number) {
  const powers = await rowsOf<{ p: number }>(
    tx,
    sql`select max_vp::float8 as p from dao_voters where dao_id = ${daoId}`,
  );
  const figures = concentrationFigures(powers.map((r) => r.p));
  await tx.execute(sql`
    insert into dao_rollup_state (dao_id, refreshed_at, voter_concentration)
    values (${daoId}, clock_timestamp(), ${figures === null ? null : JSON.stringify(figures)}::jsonb)
    on conflict (dao_id) do update set refreshed_at = excluded.refreshed_at, voter_concentration = excluded.voter_concentration`);
}

/**
 * Fills the scope tables from the DAO's logged changes, which it consumes, and records the
 * changed voters' first-vote buckets as they are before the update (addFirstVoteBuckets runs
 * again after it).
 */
export async function takeChanges(tx: Tx, daoId: number): Promise<number> {
  await tx.execute(sql`
    create temp table _rollup_c on commit drop as
    with taken as (delete from rollup_changes where dao_id = ${daoId} returning kind, proposal_id, voter, t)
    select distinct kind, proposal_id, voter, t from taken`);
  await tx.execute(sql`create temp table _rollup_p on commit drop as select distinct proposal_id as id from _rollup_c`);
  await tx.execute(sql`
    create temp table _rollup_v on commit drop as
    select voter from _rollup_c where kind = 'vote'
    union
    select v.voter from votes v where v.dao_id = ${daoId} and v.proposal_id in (select proposal_id from _rollup_c where kind = 'choices')`);
  await tx.execute(sql`
    create temp table _rollup_a on commit drop as
    select distinct b.bucket, date_trunc(b.bucket, c.t, 'UTC') as t from _rollup_c c cross join ${BUCKETS}`);
  await tx.execute(sql`create temp table _rollup_f (bucket text, t timestamptz) on commit drop`);
  await addFirstVoteBuckets(tx, daoId);
  for (const table of ['_rollup_p', '_rollup_v']) await tx.execute(sql.raw(`analyze ${table}`));
  const [row] = await rowsOf<{ n: number }>(tx, sql`select count(*)::int as n from _rollup_c`);
  return row!.n;
}

/** Adds the buckets holding the first vote of each changed voter, as dao_voters has it now. */
export async function addFirstVoteBuckets(tx: Tx, daoId: number) {
  await tx.execute(sql`
    insert into _rollup_f (bucket, t)
    select b.bucket, date_trunc(b.bucket, f.first_vote, 'UTC') from dao_voters f cross join ${BUCKETS}
     where f.dao_id = ${daoId} and f.voter in (select voter from _rollup_v)`);
}

/** Derives the retention and first-vote bucket lists and the series list; call once voters are rewritten. */
export async function closeActivityKeys(tx: Tx) {
  await tx.execute(sql`
    create temp table _rollup_r on commit drop as
    select bucket, ${previousBucket('bucket', 't')} as t from _rollup_a except select bucket, t from _rollup_a`);
  await tx.execute(sql`
    create temp table _rollup_f2 on commit drop as select bucket, t from _rollup_f except select bucket, t from _rollup_a`);
  await tx.execute(sql`drop table _rollup_f`);
  await tx.execute(sql`alter table _rollup_f2 rename to _rollup_f`);
  await tx.execute(sql`
    create temp table _rollup_s on commit drop as
    select bucket, t from _rollup_a union select bucket, t from _rollup_r union select bucket, t from _rollup_f`);
  for (const table of ['_rollup_a', '_rollup_r', '_rollup_f', '_rollup_s'])
    await tx.execute(sql.raw(`analyze ${table}`));
}
