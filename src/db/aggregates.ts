import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { derivedStateSql } from './proposal-state.ts';
import { NO_JIT, refreshRollups } from './rollups.ts';

/**
 * Brings the metric rollups of the DAOs up to date (src/db/rollups.ts), then recomputes the
 * DAO-level figures the API lists and sorts by, from those rollups and the stored rows:
 * - votes_count per proposal; total_votes, total_proposals;
 * - total_members: distinct voters;
 * - active_proposals: derived state `active` (src/db/proposal-state.ts): started, not ended, not settled;
 * - participation_rate: mean distinct voters per closed proposal ÷ distinct voters, over closed
 *   proposals that have stored votes (a proposal whose votes are not in the data would otherwise
 *   count as zero turnout);
 * - treasury_value: USD value of each wallet's (per chain) latest balance snapshot;
 * - turnout_vp, turnout_basis, voter_holder_ratio, median_voters: the comparable participation
 *   figures of src/metrics/participation.ts over all time, in SQL (test/participation.test.ts
 *   holds them equal to the summary's), null when their denominator is unknown.
 * Only rows whose values change are written, so a no-op import writes nothing here either.
 */
export async function refreshDaoAggregates(db: Db, daoIds: number[]): Promise<void> {
  if (daoIds.length === 0) return;
  await refreshRollups(db, daoIds);
  await refreshDaoFigures(db, daoIds);
}

/**
 * The DAO-level figures alone (see refreshDaoAggregates), read from current rollups: vote counts
 * from proposal_tallies, distinct voters from dao_voters. Some move with the clock (active
 * proposals), so the periodic aggregates job runs this for every DAO.
 */
const ACTIVE = sql`${derivedStateSql({ state: sql`p.state`, start: sql`p.start`, end: sql`p."end"` })} = 'active'`;

export async function refreshDaoFigures(db: Db, daoIds: number[]): Promise<void> {
  if (daoIds.length === 0) return;
  const ids = sql.param(daoIds);
  await db.transaction(async (tx) => {
    // Short per-DAO statements, like the rollup refresh's (NO_JIT says why).
    await tx.execute(NO_JIT);
    await tx.execute(sql`
      update proposals p set votes_count = t.voters
        from proposal_tallies t
       where t.dao_id = any(${ids}::int[]) and p.id = t.proposal_id and p.votes_count <> t.voters`);
    await tx.execute(sql`
      with ids as (select unnest(${ids}::int[]) as dao_id),
      props as (
        select p.dao_id, count(*)::int as total,
               count(*) filter (where ${ACTIVE})::int as active,
               coalesce(sum(p.votes_count), 0)::int as votes,
               avg(p.votes_count) filter (where p."end" <= now() and p.votes_count > 0) as mean_voters
          from proposals p where p.dao_id in (select dao_id from ids) group by p.dao_id),
      members as (
        select v.dao_id, count(*)::int as n from dao_voters v where v.dao_id in (select dao_id from ids) group by v.dao_id),
      latest as (
        select b.dao_id, b.wallet, b.chain, max(b.timestamp) as ts
          from treasury_balances b where b.dao_id in (select dao_id from ids) group by b.dao_id, b.wallet, b.chain),
      treasury as (
        select b.dao_id, coalesce(sum(b.usd_value), 0) as usd
          from treasury_balances b join latest l
            on b.dao_id = l.dao_id and b.wallet = l.wallet and b.chain = l.chain and b.timestamp = l.ts
         group by b.dao_id),
      acct as (
        select dao_id, sum(voting_power)::float8 as supply from token_accounts
         where dao_id in (select dao_id from ids) group by dao_id having sum(voting_power) > 0),
      -- Materialized: the closed proposals below look a snapshot up per row, and an inlined CTE
      -- would re-aggregate every holder row for each of them.
      snaps as materialized (
        select dao_id, as_of, sum(coalesce(voting_power, balance))::float8 as supply from token_holders
         where dao_id in (select dao_id from ids) group by dao_id, as_of),
      closed as (
        select t.dao_id, t.voters, t.vp_cast::float8 as vp_cast, acct.supply is not null as on_chain,
               coalesce(acct.supply,
                 (select s.supply from snaps s where s.dao_id = t.dao_id
                   order by (s.as_of <= t.start) desc,
                            case when s.as_of <= t.start then -extract(epoch from s.as_of) else extract(epoch from s.as_of) end
                   limit 1)) as supply
          from proposal_tallies t left join acct using (dao_id)
         where t.dao_id in (select dao_id from ids) and t.voters > 0 and t."end" <= now()),
      turnout as (
        select dao_id, percentile_cont(0.5) within group (order by voters) as median_voters,
               avg(least(1, vp_cast / supply)) filter (where supply > 0) as turnout,
               case when bool_or(on_chain) then 'token_supply' else 'holders' end as basis
          from closed group by dao_id),
      holder_list as (
        select a.dao_id, a.address from token_accounts a where a.dao_id in (select dao_id from ids) and a.balance > 0
        union all
        select h.dao_id, h.address from token_holders h
          join (select dao_id, max(as_of) as as_of from snaps group by dao_id) last using (dao_id, as_of)
         where h.balance > 0 and not exists (select 1 from token_accounts a where a.dao_id = h.dao_id)),
      holders as (
        select l.dao_id, count(*)::int as n,
               count(*) filter (where exists (select 1 from dao_voters v where v.dao_id = l.dao_id and v.voter = l.address))::int as voted
          from holder_list l group by l.dao_id),
      figures as (
        select ids.dao_id,
               coalesce(props.total, 0) as total_proposals,
               coalesce(props.active, 0) as active_proposals,
               coalesce(props.votes, 0) as total_votes,
               coalesce(members.n, 0) as total_members,
               round(props.mean_voters / nullif(members.n, 0), 6) as participation_rate,
               coalesce(treasury.usd, 0) as treasury_value,
               round(turnout.turnout::numeric, 6) as turnout_vp,
               case when turnout.turnout is not null then turnout.basis end as turnout_basis,
               round(holders.voted::numeric / nullif(holders.n, 0), 6) as voter_holder_ratio,
               round(turnout.median_voters::numeric, 1) as median_voters
          from ids left join props using (dao_id) left join members using (dao_id) left join treasury using (dao_id)
               left join turnout using (dao_id) left join holders using (dao_id))
      update daos d set total_proposals = f.total_proposals, active_proposals = f.active_proposals,
             total_votes = f.total_votes, total_members = f.total_members,
             participation_rate = f.participation_rate, treasury_value = f.treasury_value,
             turnout_vp = f.turnout_vp, turnout_basis = f.turnout_basis, voter_holder_ratio = f.voter_holder_ratio,
             median_voters = f.median_voters, updated_at = now()
        from figures f
       where d.id = f.dao_id
         and (d.total_proposals, d.active_proposals, d.total_votes, d.total_members, d.participation_rate, d.treasury_value,
              d.turnout_vp, d.turnout_basis, d.voter_holder_ratio, d.median_voters)
             is distinct from (f.total_proposals, f.active_proposals, f.total_votes, f.total_members, f.participation_rate, f.treasury_value,
              f.turnout_vp, f.turnout_basis, f.voter_holder_ratio, f.median_voters)`);
  });
}
