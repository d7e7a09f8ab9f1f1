import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/index.ts';
import type { Normalized } from './validate.ts';

/**
 * Batched upserts, one statement per record type. Arrays are sent as one parameter each and
 * expanded with unnest, so a batch costs a handful of parameters whatever its size. Each returns
 * how many rows were inserted and updated; rows that already held the same values are not
 * touched (the IS DISTINCT FROM guard), which keeps re-imports free of writes.
 */
export type Tx = Pick<Db, 'execute'>;
export interface WriteCounts {
  inserted: number;
  updated: number;
  /** Natural keys of the rows written, where the writer reports them (proposals: external id; votes: `proposal_id:voter`). */
  changed?: Array<{ key: string; inserted: boolean }>;
}
type Of<T extends Normalized['type']> = Extract<Normalized, { type: T }>;

const p = (values: unknown[]) => sql.param(values);
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const iso = (d: Date) => d.toISOString();

async function counts(tx: Tx, query: SQL): Promise<WriteCounts> {
  const rows = await rowsOf<{ inserted: boolean; key?: string }>(tx, query);
  const inserted = rows.filter((r) => r.inserted).length;
  const keyed = rows.length > 0 && rows[0]!.key !== undefined;
  return { inserted, updated: rows.length - inserted, ...(keyed ? { changed: rows.map((r) => ({ key: String(r.key), inserted: r.inserted })) } : {}) };
}

export function upsertDaos(tx: Tx, rows: Of<'dao'>[]): Promise<WriteCounts> {
  return counts(
    tx,
    sql`insert into daos as d (slug, name, description, chain, token_symbol, governance_token, snapshot_space,
          governor_address, token_address, treasury_addresses, treasury_tokens)
        select t.slug, t.name, t.description, t.chain, t.token_symbol, t.governance_token, t.snapshot_space,
          t.governor_address, t.token_address, array(select jsonb_array_elements_text(t.treasury_addresses)),
          array(select jsonb_array_elements_text(t.treasury_tokens))
        from unnest(${p(rows.map((r) => r.slug))}::text[], ${p(rows.map((r) => r.name))}::text[],
          ${p(rows.map((r) => r.description))}::text[], ${p(rows.map((r) => r.chain))}::text[],
          ${p(rows.map((r) => r.tokenSymbol))}::text[], ${p(rows.map((r) => r.governanceToken))}::text[],
          ${p(rows.map((r) => r.snapshotSpace))}::text[], ${p(rows.map((r) => r.governorAddress))}::text[],
          ${p(rows.map((r) => r.tokenAddress))}::text[], ${p(rows.map((r) => json(r.treasuryAddresses)))}::jsonb[],
          ${p(rows.map((r) => json(r.treasuryTokens)))}::jsonb[])
          as t(slug, name, description, chain, token_symbol, governance_token, snapshot_space, governor_address, token_address, treasury_addresses, treasury_tokens)
        on conflict (slug) do update set name = excluded.name, description = excluded.description, chain = excluded.chain,
          token_symbol = excluded.token_symbol, governance_token = excluded.governance_token,
          snapshot_space = excluded.snapshot_space, governor_address = excluded.governor_address,
          token_address = excluded.token_address, treasury_addresses = excluded.treasury_addresses,
          treasury_tokens = excluded.treasury_tokens, updated_at = now()
        where (d.name, d.description, d.chain, d.token_symbol, d.governance_token, d.snapshot_space, d.governor_address,
               d.token_address, d.treasury_addresses, d.treasury_tokens)
          is distinct from (excluded.name, excluded.description, excluded.chain, excluded.token_symbol, excluded.governance_token,
               excluded.snapshot_space, excluded.governor_address, excluded.token_address, excluded.treasury_addresses, excluded.treasury_tokens)
        returning (xmax = 0) as inserted`,
  );
}

export function upsertProposals(tx: Tx, rows: Array<Of<'proposal'> & { daoId: number }>): Promise<WriteCounts> {
  return counts(
    tx,
    sql`insert into proposals as p (dao_id, external_id, source, voting_type, title, body, author, choices, start, "end",
          state, quorum, snapshot_block, scores, scores_total)
        select * from unnest(${p(rows.map((r) => r.daoId))}::int[], ${p(rows.map((r) => r.externalId))}::text[],
          ${p(rows.map((r) => r.source))}::text[], ${p(rows.map((r) => r.votingType))}::text[],
          ${p(rows.map((r) => r.title))}::text[], ${p(rows.map((r) => r.body))}::text[], ${p(rows.map((r) => r.author))}::text[],
          ${p(rows.map((r) => json(r.choices)))}::jsonb[], ${p(rows.map((r) => iso(r.start)))}::timestamptz[],
          ${p(rows.map((r) => iso(r.end)))}::timestamptz[], ${p(rows.map((r) => r.state))}::text[],
          ${p(rows.map((r) => r.quorum))}::numeric[], ${p(rows.map((r) => r.snapshotBlock))}::int8[],
          ${p(rows.map((r) => json(r.scores)))}::jsonb[], ${p(rows.map((r) => r.scoresTotal))}::numeric[])
        on conflict (dao_id, external_id) do update set source = excluded.source, voting_type = excluded.voting_type,
          title = excluded.title, body = excluded.body, author = excluded.author, choices = excluded.choices,
          start = excluded.start, "end" = excluded."end", state = excluded.state, quorum = excluded.quorum,
          snapshot_block = excluded.snapshot_block, scores = excluded.scores, scores_total = excluded.scores_total,
          updated_at = now()
        where (p.source, p.voting_type, p.title, p.body, p.author, p.choices, p.start, p."end", p.state, p.quorum,
               p.snapshot_block, p.scores, p.scores_total)
          is distinct from (excluded.source, excluded.voting_type, excluded.title, excluded.body, excluded.author,
               excluded.choices, excluded.start, excluded."end", excluded.state, excluded.quorum, excluded.snapshot_block,
               excluded.scores, excluded.scores_total)
        returning (xmax = 0) as inserted, p.external_id as key`,
  );
}

/** A stored vote is replaced only by one created at the same time or later (voters may change their vote). */
export function upsertVotes(tx: Tx, rows: Array<Of<'vote'> & { daoId: number; proposalId: number }>): Promise<WriteCounts> {
  return counts(
    tx,
    sql`insert into votes as v (proposal_id, dao_id, voter, choice, voting_power, reason, created)
        select * from unnest(${p(rows.map((r) => r.proposalId))}::int8[], ${p(rows.map((r) => r.daoId))}::int[],
          ${p(rows.map((r) => r.voter))}::text[], ${p(rows.map((r) => json(r.choice)))}::jsonb[],
          ${p(rows.map((r) => r.votingPower))}::numeric[], ${p(rows.map((r) => r.reason))}::text[],
          ${p(rows.map((r) => iso(r.created)))}::timestamptz[])
        on conflict (proposal_id, voter) do update set choice = excluded.choice, voting_power = excluded.voting_power,
          reason = excluded.reason, created = excluded.created
        where excluded.created >= v.created
          and (v.choice, v.voting_power, v.reason, v.created) is distinct from
              (excluded.choice, excluded.voting_power, excluded.reason, excluded.created)
        returning (xmax = 0) as inserted, v.proposal_id::text || ':' || v.voter as key`,
  );
}

/** `usdStale` marks a USD value computed from a last known price (the price source was unreachable); imports leave it false. */
export function upsertTreasuryBalances(
  tx: Tx,
  rows: Array<Of<'treasury_balance'> & { daoId: number; usdStale?: boolean }>,
): Promise<WriteCounts> {
  return counts(
    tx,
    sql`insert into treasury_balances as b (dao_id, timestamp, wallet, chain, token_symbol, token_address, amount, usd_value, usd_stale)
        select * from unnest(${p(rows.map((r) => r.daoId))}::int[], ${p(rows.map((r) => iso(r.timestamp)))}::timestamptz[],
          ${p(rows.map((r) => r.wallet))}::text[], ${p(rows.map((r) => r.chain))}::text[],
          ${p(rows.map((r) => r.tokenSymbol))}::text[], ${p(rows.map((r) => r.tokenAddress))}::text[],
          ${p(rows.map((r) => r.amount))}::numeric[], ${p(rows.map((r) => r.usdValue))}::numeric[],
          ${p(rows.map((r) => r.usdStale ?? false))}::bool[])
        on conflict (dao_id, timestamp, wallet, chain, token_symbol, token_address) do update
          set amount = excluded.amount, usd_value = excluded.usd_value, usd_stale = excluded.usd_stale
        where (b.amount, b.usd_value, b.usd_stale) is distinct from (excluded.amount, excluded.usd_value, excluded.usd_stale)
        returning (xmax = 0) as inserted`,
  );
}

export function upsertHolders(tx: Tx, rows: Array<Of<'holder'> & { daoId: number }>): Promise<WriteCounts> {
  return counts(
    tx,
    sql`insert into token_holders as h (dao_id, address, balance, delegate, voting_power, as_of)
        select * from unnest(${p(rows.map((r) => r.daoId))}::int[], ${p(rows.map((r) => r.address))}::text[],
          ${p(rows.map((r) => r.balance))}::numeric[], ${p(rows.map((r) => r.delegate))}::text[],
          ${p(rows.map((r) => r.votingPower))}::numeric[], ${p(rows.map((r) => iso(r.asOf)))}::timestamptz[])
        on conflict (dao_id, address, as_of) do update
          set balance = excluded.balance, delegate = excluded.delegate, voting_power = excluded.voting_power
        where (h.balance, h.delegate, h.voting_power) is distinct from (excluded.balance, excluded.delegate, excluded.voting_power)
        returning (xmax = 0) as inserted`,
  );
}
