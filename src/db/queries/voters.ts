import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';

/**
 * One address across every DAO: its votes whatever their source, the proposals they were cast
 * on (for the outcome), and the delegations to it, from the latest holder snapshot (imports) and
 * from token accounts and DelegateVotesChanged logs (the on-chain source). Addresses are stored
 * lowercase by every source, so the caller passes a lowercase address.
 */

const utc = (column: ReturnType<typeof sql>) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface VoterDaoRow {
  dao_id: number;
  dao_slug: string;
  dao_name: string;
  votes: number;
  voting_power_total: string;
  first_vote: string;
  last_vote: string;
}

/** Per DAO: how many votes, their total power, first and last; most votes first. */
export async function voterDaos(db: Db, address: string): Promise<VoterDaoRow[]> {
  const rows = await rowsOf<VoterDaoRow>(
    db,
    sql`
    select d.id as dao_id, d.slug as dao_slug, d.name as dao_name, count(*)::int as votes,
           trim_scale(sum(v.voting_power))::text as voting_power_total,
           ${utc(sql`min(v.created)`)} as first_vote, ${utc(sql`max(v.created)`)} as last_vote
      from votes v join daos d on d.id = v.dao_id
     where v.voter = ${address}
     group by d.id, d.slug, d.name
     order by count(*) desc, d.id`,
  );
  return rows.map((r) => ({ ...r, dao_id: Number(r.dao_id), votes: Number(r.votes) }));
}

/** What the outcome of a vote's proposal needs, for every vote of the address. */
export interface VoteOutcomeRow {
  vote_id: number;
  choice: unknown;
  state: string;
  choices: string[];
  scores: string[] | null;
  quorum: string | null;
}

export async function voterOutcomeInputs(db: Db, address: string): Promise<VoteOutcomeRow[]> {
  const rows = await rowsOf<VoteOutcomeRow>(
    db,
    sql`
    select v.id as vote_id, v.choice, p.state, p.choices, p.scores, p.quorum::text as quorum
      from votes v join proposals p on p.id = v.proposal_id
     where v.voter = ${address}`,
  );
  return rows.map((r) => ({ ...r, vote_id: Number(r.vote_id) }));
}

export interface VoterVoteRow {
  id: number;
  proposal_id: number;
  proposal_external_id: string;
  proposal_title: string;
  proposal_source: string;
  proposal_state: string;
  choices: string[];
  dao_id: number;
  dao_slug: string;
  dao_name: string;
  choice: unknown;
  voting_power: string;
  reason: string | null;
  created: string;
}

/** One page of the address's votes, newest first (ties by id), optionally in one DAO. */
export async function voterVotes(
  db: Db,
  address: string,
  q: { page: number; perPage: number; daoId?: number | undefined },
): Promise<VoterVoteRow[]> {
  const inDao = q.daoId === undefined ? sql`` : sql`and v.dao_id = ${q.daoId}`;
  const rows = await rowsOf<VoterVoteRow>(
    db,
    sql`
    select v.id, v.proposal_id, p.external_id as proposal_external_id, p.title as proposal_title, p.source as proposal_source, p.state as proposal_state,
           p.choices, d.id as dao_id, d.slug as dao_slug, d.name as dao_name, v.choice,
           v.voting_power::text as voting_power, v.reason, ${utc(sql`v.created`)} as created
      from votes v join proposals p on p.id = v.proposal_id join daos d on d.id = v.dao_id
     where v.voter = ${address} ${inDao}
     order by v.created desc, v.id desc
     limit ${q.perPage} offset ${(q.page - 1) * q.perPage}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), proposal_id: Number(r.proposal_id), dao_id: Number(r.dao_id) }));
}

export interface DelegationRow {
  dao_id: number;
  dao_slug: string;
  source: 'holders' | 'chain';
  as_of: string | null;
  delegators: number;
  delegated_balance: string;
  voting_power: string | null;
  delegate: string | null;
}

/**
 * The address as a delegate (and as a delegator) in every DAO that records delegation: its token
 * account, or its row of the DAO's latest holder snapshot; DAOs where it neither delegates nor is
 * delegated to are left out. Self-delegation does not count as a delegator.
 */
export async function voterDelegations(db: Db, address: string): Promise<DelegationRow[]> {
  const rows = await rowsOf<DelegationRow>(
    db,
    sql`
    with latest as (select dao_id, max(as_of) as as_of from token_holders group by dao_id),
    snap as (
      select h.* from token_holders h join latest l on l.dao_id = h.dao_id and l.as_of = h.as_of
       where not exists (select 1 from token_accounts a where a.dao_id = h.dao_id)),
    from_holders as (
      select s.dao_id, 'holders' as source, ${utc(sql`max(s.as_of)`)} as as_of,
             (count(*) filter (where s.delegate = ${address} and s.address <> ${address}))::int as delegators,
             coalesce(trim_scale(sum(s.balance) filter (where s.delegate = ${address} and s.address <> ${address})), 0)::text
               as delegated_balance,
             max(s.voting_power::text) filter (where s.address = ${address}) as voting_power,
             max(s.delegate) filter (where s.address = ${address} and s.delegate <> ${address}) as delegate
        from snap s where s.delegate = ${address} or s.address = ${address}
       group by s.dao_id),
    from_chain as (
      select a.dao_id, 'chain' as source, null::text as as_of,
             (count(*) filter (where a.delegate = ${address} and a.address <> ${address}))::int as delegators,
             coalesce(trim_scale(sum(a.balance) filter (where a.delegate = ${address} and a.address <> ${address})), 0)::text
               as delegated_balance,
             max(a.voting_power::text) filter (where a.address = ${address}) as voting_power,
             max(a.delegate) filter (where a.address = ${address} and a.delegate <> ${address}) as delegate
        from token_accounts a where a.delegate = ${address} or a.address = ${address}
       group by a.dao_id)
    select x.*, d.slug as dao_slug from (select * from from_holders union all select * from from_chain) x
      join daos d on d.id = x.dao_id
     where x.delegators > 0 or x.delegate is not null
     order by x.delegators desc, d.slug`,
  );
  return rows.map((r) => ({ ...r, dao_id: Number(r.dao_id), delegators: Number(r.delegators) }));
}

export interface DelegatorRow {
  dao_slug: string;
  source: 'holders' | 'chain';
  address: string;
  balance: string;
}

/** Who delegates to the address: the `limit` largest per DAO and source, largest first. */
export async function voterDelegators(db: Db, address: string, limit = 100): Promise<DelegatorRow[]> {
  return rowsOf<DelegatorRow>(
    db,
    sql`
    with latest as (select dao_id, max(as_of) as as_of from token_holders group by dao_id),
    all_delegators as (
      select h.dao_id, 'holders' as source, h.address, h.balance
        from token_holders h join latest l on l.dao_id = h.dao_id and l.as_of = h.as_of
       where h.delegate = ${address} and h.address <> ${address}
         and not exists (select 1 from token_accounts a where a.dao_id = h.dao_id)
      union all
      select a.dao_id, 'chain' as source, a.address, a.balance from token_accounts a
       where a.delegate = ${address} and a.address <> ${address}),
    ranked as (
      select *, row_number() over (partition by dao_id, source order by balance desc, address) as n from all_delegators)
    select d.slug as dao_slug, r.source, r.address, trim_scale(r.balance)::text as balance
      from ranked r join daos d on d.id = r.dao_id
     where r.n <= ${limit}
     order by d.slug, r.source, r.balance desc, r.address`,
  );
}

export interface PowerRow {
  dao_slug: string;
  time: string;
  block: number;
  /** newVotes in whole tokens (the log gives the smallest unit; the source recorded the decimals). */
  voting_power: string;
}

/**
 * Every indexed DelegateVotesChanged log of the address, in chain order; logs of a token whose
 * decimals the on-chain source has not recorded are left out rather than shown at a wrong scale.
 */
export async function voterPowerLogs(db: Db, address: string): Promise<PowerRow[]> {
  const rows = await rowsOf<PowerRow>(
    db,
    sql`
    select d.slug as dao_slug, ${utc(sql`e.block_time`)} as time, e.block_number as block,
           trim_scale((e.args->>'newVotes')::numeric / power(10::numeric, (s.cursor->>'decimals')::int))::text as voting_power
      from chain_events e join daos d on d.id = e.dao_id
      join sync_state s on s.dao_id = e.dao_id and s.source = 'governor'
     where e.event = 'DelegateVotesChanged' and e.args->>'delegate' = ${address}
       and jsonb_typeof(s.cursor->'decimals') = 'number'
     order by d.slug, e.block_number, e.log_index`,
  );
  return rows.map((r) => ({ ...r, block: Number(r.block) }));
}
