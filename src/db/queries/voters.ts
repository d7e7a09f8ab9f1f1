import type { Db } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';

/**
 * One address across every DAO: its votes whatever their source, the proposals they were cast
 * on (for the outcome), and the delegations to it, from the latest holder snapshot (imports) and
 * from token accounts and DelegateVotesChanged logs (the on-chain source). Addresses are stored
 * lowercase by every source, so the caller passes a lowercase address.
 */

// Each read is a held statement (src/db/prepared.ts) whose `$1` is the address.
const utc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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
const voterDaosStatement = prepared<VoterDaoRow>(
  'voter_daos',
  `select d.id as dao_id, d.slug as dao_slug, d.name as dao_name, count(*)::int as votes,
          trim_scale(sum(v.voting_power))::text as voting_power_total,
          ${utc('min(v.created)')} as first_vote, ${utc('max(v.created)')} as last_vote
     from votes v join daos d on d.id = v.dao_id
    where v.voter = $1::text
    group by d.id, d.slug, d.name
    order by count(*) desc, d.id`,
);

export async function voterDaos(db: Db, address: string): Promise<VoterDaoRow[]> {
  const rows = await runPrepared(db, voterDaosStatement, [address]);
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

const outcomeInputsStatement = prepared<VoteOutcomeRow>(
  'voter_outcome_inputs',
  `select v.id as vote_id, v.choice, p.state, p.choices, p.scores, p.quorum::text as quorum
     from votes v join proposals p on p.id = v.proposal_id
    where v.voter = $1::text`,
);

export async function voterOutcomeInputs(db: Db, address: string): Promise<VoteOutcomeRow[]> {
  const rows = await runPrepared(db, outcomeInputsStatement, [address]);
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

/** `$2` limit, `$3` offset, and in one DAO `$4` the DAO: one statement each, so both plans stay simple. */
const voterVotesText = (inDao: string) => `
    select v.id, v.proposal_id, p.external_id as proposal_external_id, p.title as proposal_title, p.source as proposal_source, p.state as proposal_state,
           p.choices, d.id as dao_id, d.slug as dao_slug, d.name as dao_name, v.choice,
           v.voting_power::text as voting_power, v.reason, ${utc('v.created')} as created
      from votes v join proposals p on p.id = v.proposal_id join daos d on d.id = v.dao_id
     where v.voter = $1::text ${inDao}
     order by v.created desc, v.id desc
     limit $2 offset $3`;
const voterVotesStatement = prepared<VoterVoteRow>('voter_votes', voterVotesText(''));
const voterVotesInDaoStatement = prepared<VoterVoteRow>('voter_votes_in_dao', voterVotesText('and v.dao_id = $4::int'));

/** One page of the address's votes, newest first (ties by id), optionally in one DAO. */
export async function voterVotes(
  db: Db,
  address: string,
  q: { page: number; perPage: number; daoId?: number | undefined },
): Promise<VoterVoteRow[]> {
  const page = [address, q.perPage, (q.page - 1) * q.perPage];
  const rows = await (q.daoId === undefined
    ? runPrepared(db, voterVotesStatement, page)
    : runPrepared(db, voterVotesInDaoStatement, [...page, q.daoId]));
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

const delegationsStatement = prepared<DelegationRow>(
  'voter_delegations',
  `
    with latest as (select dao_id, max(as_of) as as_of from token_holders group by dao_id),
    snap as (
      select h.dao_id, h.address, h.balance, h.delegate, h.voting_power, h.as_of from token_holders h join latest l on l.dao_id = h.dao_id and l.as_of = h.as_of
       where not exists (select 1 from token_accounts a where a.dao_id = h.dao_id)),
    from_holders as (
      select s.dao_id, 'holders' as source, ${utc('max(s.as_of)')} as as_of,
             (count(*) filter (where s.delegate = $1::text and s.address <> $1::text))::int as delegators,
             coalesce(trim_scale(sum(s.balance) filter (where s.delegate = $1::text and s.address <> $1::text)), 0)::text
               as delegated_balance,
             max(s.voting_power::text) filter (where s.address = $1::text) as voting_power,
             max(s.delegate) filter (where s.address = $1::text and s.delegate <> $1::text) as delegate
        from snap s where s.delegate = $1::text or s.address = $1::text
       group by s.dao_id),
    from_chain as (
      select a.dao_id, 'chain' as source, null::text as as_of,
             (count(*) filter (where a.delegate = $1::text and a.address <> $1::text))::int as delegators,
             coalesce(trim_scale(sum(a.balance) filter (where a.delegate = $1::text and a.address <> $1::text)), 0)::text
               as delegated_balance,
             max(a.voting_power::text) filter (where a.address = $1::text) as voting_power,
             max(a.delegate) filter (where a.address = $1::text and a.delegate <> $1::text) as delegate
        from token_accounts a where a.delegate = $1::text or a.address = $1::text
       group by a.dao_id)
    select x.dao_id, x.source, x.as_of, x.delegators, x.delegated_balance, x.voting_power, x.delegate, d.slug as dao_slug
      from (select dao_id, source, as_of, delegators, delegated_balance, voting_power, delegate from from_holders
            union all select dao_id, source, as_of, delegators, delegated_balance, voting_power, delegate from from_chain) x
      join daos d on d.id = x.dao_id
     where x.delegators > 0 or x.delegate is not null
     order by x.delegators desc, d.slug`,
);

/**
 * The address as a delegate (and as a delegator) in every DAO that records delegation: its token
 * account, or its row of the DAO's latest holder snapshot; DAOs where it neither delegates nor is
 * delegated to are left out. Self-delegation does not count as a delegator.
 */
export async function voterDelegations(db: Db, address: string): Promise<DelegationRow[]> {
  const rows = await runPrepared(db, delegationsStatement, [address]);
  return rows.map((r) => ({ ...r, dao_id: Number(r.dao_id), delegators: Number(r.delegators) }));
}

export interface DelegatorRow {
  dao_slug: string;
  source: 'holders' | 'chain';
  address: string;
  balance: string;
}

const delegatorsStatement = prepared<DelegatorRow>(
  'voter_delegators',
  `
    with latest as (select dao_id, max(as_of) as as_of from token_holders group by dao_id),
    all_delegators as (
      select h.dao_id, 'holders' as source, h.address, h.balance
        from token_holders h join latest l on l.dao_id = h.dao_id and l.as_of = h.as_of
       where h.delegate = $1::text and h.address <> $1::text
         and not exists (select 1 from token_accounts a where a.dao_id = h.dao_id)
      union all
      select a.dao_id, 'chain' as source, a.address, a.balance from token_accounts a
       where a.delegate = $1::text and a.address <> $1::text),
    ranked as (
      select dao_id, source, address, balance,
             row_number() over (partition by dao_id, source order by balance desc, address) as n from all_delegators)
    select d.slug as dao_slug, r.source, r.address, trim_scale(r.balance)::text as balance
      from ranked r join daos d on d.id = r.dao_id
     where r.n <= $2::int
     order by d.slug, r.source, r.balance desc, r.address`,
);

/** Who delegates to the address: the `limit` largest per DAO and source, largest first. */
export async function voterDelegators(db: Db, address: string, limit = 100): Promise<DelegatorRow[]> {
  return runPrepared(db, delegatorsStatement, [address, limit]);
}

export interface PowerRow {
  dao_slug: string;
  time: string;
  block: number;
  /** newVotes in whole tokens (the log gives the smallest unit; the source recorded the decimals). */
  voting_power: string;
}

const powerLogsStatement = prepared<PowerRow>(
  'voter_power_logs',
  `
    select d.slug as dao_slug, ${utc('e.block_time')} as time, e.block_number as block,
           trim_scale((e.args->>'newVotes')::numeric / power(10::numeric, (s.cursor->>'decimals')::int))::text as voting_power
      from chain_events e join daos d on d.id = e.dao_id
      join sync_state s on s.dao_id = e.dao_id and s.source = 'governor'
     where e.event = 'DelegateVotesChanged' and e.args->>'delegate' = $1::text
       and jsonb_typeof(s.cursor->'decimals') = 'number'
     order by d.slug, e.block_number, e.log_index`,
);

/**
 * Every indexed DelegateVotesChanged log of the address, in chain order; logs of a token whose
 * decimals the on-chain source has not recorded are left out rather than shown at a wrong scale.
 */
export async function voterPowerLogs(db: Db, address: string): Promise<PowerRow[]> {
  const rows = await runPrepared(db, powerLogsStatement, [address]);
  return rows.map((r) => ({ ...r, block: Number(r.block) }));
}
