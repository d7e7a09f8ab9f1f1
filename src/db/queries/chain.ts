import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';
import { param } from './upserts.ts';

/**
 * What the on-chain sources keep: every indexed log once (chain_events, keyed by tx hash and log
 * index), the hashes of recent blocks that are not final yet (chain_blocks, for reorg detection)
 * and the current state of each token account (token_accounts). The Governor source decides what
 * these mean; this file only stores and reads them, so event names arrive as parameters.
 */

/** A decoded log as stored: JSON-safe args (integers as decimal strings, addresses lowercase). */
export interface ChainEvent {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
  blockTime: Date;
  contract: string;
  event: string;
  args: Record<string, JsonArg>;
}
export type JsonArg = string | number | boolean | JsonArg[];

interface EventRow {
  tx_hash: string;
  log_index: number;
  block_number: number;
  block_hash: string;
  block_time: Date | string;
  contract: string;
  event: string;
  args: Record<string, JsonArg> | string;
}

function eventOf(row: EventRow): ChainEvent {
  return {
    txHash: row.tx_hash,
    logIndex: row.log_index,
    blockNumber: Number(row.block_number),
    blockHash: row.block_hash,
    blockTime: new Date(row.block_time),
    contract: row.contract,
    event: row.event,
    args: typeof row.args === 'string' ? JSON.parse(row.args) : row.args,
  };
}

/** Stores events once; returns those that were not stored before (a replay returns none). */
export async function insertEvents(db: Db, daoId: number, events: ChainEvent[]): Promise<ChainEvent[]> {
  if (events.length === 0) return [];
  const inserted = await rowsOf<{ tx_hash: string; log_index: number }>(
    db,
    sql`
    insert into chain_events (dao_id, tx_hash, log_index, block_number, block_hash, block_time, contract, event, args)
    select ${daoId}, * from unnest(${param(events.map((e) => e.txHash))}::text[], ${param(events.map((e) => e.logIndex))}::int[],
      ${param(events.map((e) => e.blockNumber))}::int8[], ${param(events.map((e) => e.blockHash))}::text[],
      ${param(events.map((e) => e.blockTime.toISOString()))}::timestamptz[], ${param(events.map((e) => e.contract))}::text[],
      ${param(events.map((e) => e.event))}::text[], ${param(events.map((e) => JSON.stringify(e.args)))}::jsonb[])
    on conflict do nothing
    returning tx_hash, log_index`,
  );
  const fresh = new Set(inserted.map((r) => `${r.tx_hash}:${r.log_index}`));
  return events.filter((e) => fresh.has(`${e.txHash}:${e.logIndex}`));
}

/** Stored events of the given kinds about the given proposals, oldest first. */
export async function proposalEvents(
  db: Db,
  daoId: number,
  events: readonly string[],
  proposalIds: string[],
): Promise<ChainEvent[]> {
  if (proposalIds.length === 0) return [];
  const rows = await rowsOf<EventRow>(
    db,
    sql`
    select * from chain_events
     where dao_id = ${daoId} and args ? 'proposalId' and args->>'proposalId' = any(${param(proposalIds)}::text[])
       and event = any(${param([...events])}::text[])
     order by block_number, log_index`,
  );
  return rows.map(eventOf);
}

const createdTxStatement = prepared<{ txHash: string }>(
  'proposal_created_tx',
  `select tx_hash as "txHash" from chain_events
    where dao_id = $1::int and args ? 'proposalId' and args->>'proposalId' = $2::text and event = 'ProposalCreated'
    order by block_number, log_index limit 1`,
);

/** The transaction of the ProposalCreated log of an on-chain proposal (by its source id), if indexed. */
export async function proposalCreatedTx(db: Db, daoId: number, proposalId: string): Promise<string | null> {
  const [row] = await runPrepared(db, createdTxStatement, [daoId, proposalId]);
  return row?.txHash ?? null;
}

/** Per proposal and `support` value, the sum of the `weight` of its stored vote logs (raw amounts as decimal text). */
export async function voteWeights(
  db: Db,
  daoId: number,
  voteEvents: readonly string[],
  proposalIds: string[],
): Promise<Array<{ id: string; support: number; weight: string; logs: number }>> {
  if (proposalIds.length === 0) return [];
  return rowsOf<{ id: string; support: number; weight: string; logs: number }>(
    db,
    sql`
    select args->>'proposalId' as id, (args->>'support')::int as support, sum((args->>'weight')::numeric)::text as weight,
           count(*)::int as logs
      from chain_events
     where dao_id = ${daoId} and args ? 'proposalId' and args->>'proposalId' = any(${param(proposalIds)}::text[])
       and event = any(${param([...voteEvents])}::text[])
     group by 1, 2`,
  );
}

/** Stored events of the given kinds that name any of the addresses in a token-account role, in chain order. */
export async function eventsTouching(
  db: Db,
  daoId: number,
  events: readonly string[],
  addresses: string[],
): Promise<ChainEvent[]> {
  if (addresses.length === 0) return [];
  const list = param(addresses);
  const rows = await rowsOf<EventRow>(
    db,
    sql`
    select * from chain_events
     where dao_id = ${daoId} and event = any(${param([...events])}::text[])
       and (args->>'from' = any(${list}::text[]) or args->>'to' = any(${list}::text[])
         or args->>'delegator' = any(${list}::text[]) or args->>'toDelegate' = any(${list}::text[])
         or args->>'delegate' = any(${list}::text[]))
     order by block_number, log_index`,
  );
  return rows.map(eventOf);
}

/** Kept (not yet final) block hashes, oldest first. */
export async function keptBlocks(db: Db, daoId: number): Promise<Array<{ number: number; hash: string }>> {
  const rows = await rowsOf<{ number: number; hash: string }>(
    db,
    sql`
    select number, hash from chain_blocks where dao_id = ${daoId} order by number`,
  );
  return rows.map((r) => ({ number: Number(r.number), hash: r.hash }));
}

export async function storeBlocks(
  db: Db,
  daoId: number,
  blocks: Array<{ number: number; hash: string }>,
): Promise<void> {
  if (blocks.length === 0) return;
  await db.execute(sql`
    insert into chain_blocks as b (dao_id, number, hash)
    select ${daoId}, * from unnest(${param(blocks.map((h) => h.number))}::int8[], ${param(blocks.map((h) => h.hash.toLowerCase()))}::text[])
    on conflict (dao_id, number) do update set hash = excluded.hash where b.hash <> excluded.hash`);
}

/** Forgets hashes of blocks that became final, but always keeps the cursor's block. */
export async function pruneBlocks(db: Db, daoId: number, finalBelow: number, cursorBlock: number): Promise<void> {
  await db.execute(
    sql`delete from chain_blocks where dao_id = ${daoId} and number < ${finalBelow} and number <> ${cursorBlock}`,
  );
}

/** Deletes the events and kept hashes of every block above `block` (a reorg); returns the deleted events. */
export async function deleteAbove(db: Db, daoId: number, block: number): Promise<ChainEvent[]> {
  const deleted = await rowsOf<EventRow>(
    db,
    sql`delete from chain_events where dao_id = ${daoId} and block_number > ${block} returning *`,
  );
  await db.execute(sql`delete from chain_blocks where dao_id = ${daoId} and number > ${block}`);
  return deleted.map(eventOf);
}

/**
 * Deletes the stored votes of (proposal source id, voter) pairs that no stored vote log backs any
 * more; returns how many.
 */
export async function deleteUnbackedVotes(
  db: Db,
  daoId: number,
  voteEvents: readonly string[],
  pairs: Array<{ proposal: string; voter: string }>,
): Promise<number> {
  if (pairs.length === 0) return 0;
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`
    delete from votes v using proposals pr, unnest(${param(pairs.map((p) => p.proposal))}::text[],
                                               ${param(pairs.map((p) => p.voter))}::text[]) as d(proposal, voter)
     where pr.dao_id = ${daoId} and pr.external_id = d.proposal and v.proposal_id = pr.id and v.voter = d.voter
       and not exists (select 1 from chain_events e where e.dao_id = ${daoId} and e.args ? 'proposalId'
                         and e.args->>'proposalId' = d.proposal and e.event = any(${param([...voteEvents])}::text[])
                         and e.args->>'voter' = d.voter)
     returning v.id`,
  );
  return rows.length;
}

/** A token account as stored: amounts as decimal text in token units. */
export interface TokenAccountRow {
  address: string;
  balance: string;
  delegate: string | null;
  votingPower: string;
  updatedBlock: number | null;
}

export async function tokenAccounts(db: Db, daoId: number, addresses: string[]): Promise<TokenAccountRow[]> {
  if (addresses.length === 0) return [];
  const rows = await rowsOf<{
    address: string;
    balance: string;
    delegate: string | null;
    voting_power: string;
    updated_block: number | null;
  }>(
    db,
    sql`
    select address, balance::text as balance, delegate, voting_power::text as voting_power, updated_block
      from token_accounts where dao_id = ${daoId} and address = any(${param(addresses)}::text[])`,
  );
  return rows.map((r) => ({
    address: r.address,
    balance: r.balance,
    delegate: r.delegate,
    votingPower: r.voting_power,
    updatedBlock: r.updated_block === null ? null : Number(r.updated_block),
  }));
}

/** Writes the accounts whose values change; returns how many. */
export async function upsertTokenAccounts(db: Db, daoId: number, accounts: TokenAccountRow[]): Promise<number> {
  if (accounts.length === 0) return 0;
  const rows = await rowsOf<{ address: string }>(
    db,
    sql`
    insert into token_accounts as t (dao_id, address, balance, delegate, voting_power, updated_block)
    select ${daoId}, * from unnest(${param(accounts.map((a) => a.address))}::text[],
      ${param(accounts.map((a) => a.balance))}::numeric[], ${param(accounts.map((a) => a.delegate))}::text[],
      ${param(accounts.map((a) => a.votingPower))}::numeric[], ${param(accounts.map((a) => a.updatedBlock))}::int8[])
    on conflict (dao_id, address) do update set balance = excluded.balance, delegate = excluded.delegate,
      voting_power = excluded.voting_power, updated_block = excluded.updated_block, updated_at = now()
    where (t.balance, t.delegate, t.voting_power, t.updated_block)
      is distinct from (excluded.balance, excluded.delegate, excluded.voting_power, excluded.updated_block)
    returning address`,
  );
  return rows.length;
}

/** Sets each delegate's delegators to the accounts delegating to it; returns the rows that changed. */
export async function recountDelegators(db: Db, daoId: number, delegates: string[]): Promise<number> {
  if (delegates.length === 0) return 0;
  const rows = await rowsOf<{ address: string }>(
    db,
    sql`
    update token_accounts t set delegators = c.n, updated_at = now()
      from (select d.address, (select count(*) from token_accounts x where x.dao_id = ${daoId} and x.delegate = d.address)::int as n
              from unnest(${param(delegates)}::text[]) as d(address)) c
     where t.dao_id = ${daoId} and t.address = c.address and t.delegators <> c.n
     returning t.address`,
  );
  return rows.length;
}

export async function deleteTokenAccounts(db: Db, daoId: number, addresses: string[]): Promise<number> {
  if (addresses.length === 0) return 0;
  const rows = await rowsOf<{ address: string }>(
    db,
    sql`
    delete from token_accounts where dao_id = ${daoId} and address = any(${param(addresses)}::text[]) returning address`,
  );
  return rows.length;
}
