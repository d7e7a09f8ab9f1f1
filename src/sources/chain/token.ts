import { sql } from 'drizzle-orm';
import { formatUnits, parseUnits } from 'viem';
import { rowsOf } from '../../db/index.ts';
import type { SyncTx } from '../../sync/types.ts';
import { eventOf, TOKEN_EVENT_NAMES, type ChainEvent } from './events.ts';

/**
 * token_accounts from the token's Transfer / DelegateChanged / DelegateVotesChanged logs:
 * balance (sum of transfers), delegate (last DelegateChanged), voting power (last
 * DelegateVotesChanged: the token reports the absolute figure) and delegators (accounts whose
 * delegate it is). Amounts are stored in token units as exact decimals.
 *
 * Going forward the new logs are folded onto the stored rows; after a reorg the accounts the
 * abandoned logs touched are folded again from all remaining logs, so both paths give the rows a
 * single clean pass would.
 */
const ZERO = '0x0000000000000000000000000000000000000000';

interface Account {
  balance: bigint;
  delegate: string | null;
  votingPower: bigint;
  updatedBlock: number | null;
}

/** Addresses whose row an event changes. */
export function touchedAccounts(event: ChainEvent): string[] {
  const a = event.args as Record<string, string>;
  const list =
    event.event === 'Transfer' ? [a.from!, a.to!]
    : event.event === 'DelegateChanged' ? [a.delegator!, a.toDelegate!]
    : event.event === 'DelegateVotesChanged' ? [a.delegate!]
    : [];
  return list.filter((x) => x && x !== ZERO);
}

function fold(accounts: Map<string, Account>, events: ChainEvent[], only: Set<string>): void {
  const touch = (address: string, block: number): Account | undefined => {
    if (address === ZERO || !only.has(address)) return undefined;
    let account = accounts.get(address);
    if (!account) accounts.set(address, (account = { balance: 0n, delegate: null, votingPower: 0n, updatedBlock: null }));
    account.updatedBlock = Math.max(account.updatedBlock ?? 0, block);
    return account;
  };
  for (const event of events) {
    const a = event.args as Record<string, string>;
    if (event.event === 'Transfer') {
      const from = touch(a.from!, event.blockNumber);
      if (from) from.balance -= BigInt(a.value!);
      const to = touch(a.to!, event.blockNumber);
      if (to) to.balance += BigInt(a.value!);
    } else if (event.event === 'DelegateChanged') {
      const delegator = touch(a.delegator!, event.blockNumber);
      if (delegator) delegator.delegate = a.toDelegate === ZERO ? null : a.toDelegate!;
      touch(a.toDelegate!, event.blockNumber);
    } else if (event.event === 'DelegateVotesChanged') {
      const delegate = touch(a.delegate!, event.blockNumber);
      if (delegate) delegate.votingPower = BigInt(a.newVotes!);
    }
  }
}

interface AccountRow {
  address: string;
  balance: string;
  delegate: string | null;
  voting_power: string;
  updated_block: number | null;
}

const p = (values: unknown[]) => sql.param(values);

async function load(tx: SyncTx, daoId: number, addresses: string[], decimals: number): Promise<Map<string, Account>> {
  const rows = await rowsOf<AccountRow>(tx, sql`
    select address, balance::text as balance, delegate, voting_power::text as voting_power, updated_block
      from token_accounts where dao_id = ${daoId} and address = any(${p(addresses)}::text[])`);
  return new Map(rows.map((r) => [r.address, {
    balance: parseUnits(r.balance, decimals),
    delegate: r.delegate,
    votingPower: parseUnits(r.voting_power, decimals),
    updatedBlock: r.updated_block === null ? null : Number(r.updated_block),
  }]));
}

/** Writes the accounts (only rows whose values change) and recounts the delegators of every delegate involved. */
async function store(tx: SyncTx, daoId: number, accounts: Map<string, Account>, before: Map<string, Account>, decimals: number): Promise<number> {
  const list = [...accounts.entries()];
  let written = 0;
  if (list.length) {
    const rows = await rowsOf<{ address: string }>(tx, sql`
      insert into token_accounts as t (dao_id, address, balance, delegate, voting_power, updated_block)
      select ${daoId}, * from unnest(${p(list.map(([a]) => a))}::text[],
        ${p(list.map(([, v]) => formatUnits(v.balance, decimals)))}::numeric[], ${p(list.map(([, v]) => v.delegate))}::text[],
        ${p(list.map(([, v]) => formatUnits(v.votingPower, decimals)))}::numeric[], ${p(list.map(([, v]) => v.updatedBlock))}::int8[])
      on conflict (dao_id, address) do update set balance = excluded.balance, delegate = excluded.delegate,
        voting_power = excluded.voting_power, updated_block = excluded.updated_block, updated_at = now()
      where (t.balance, t.delegate, t.voting_power, t.updated_block)
        is distinct from (excluded.balance, excluded.delegate, excluded.voting_power, excluded.updated_block)
      returning address`);
    written += rows.length;
  }
  const delegates = new Set<string>();
  for (const account of [...accounts.values(), ...before.values()]) if (account.delegate) delegates.add(account.delegate);
  written += await recountDelegators(tx, daoId, [...delegates]);
  return written;
}

async function recountDelegators(tx: SyncTx, daoId: number, delegates: string[]): Promise<number> {
  if (delegates.length === 0) return 0;
  const rows = await rowsOf<{ address: string }>(tx, sql`
    update token_accounts t set delegators = c.n, updated_at = now()
      from (select d.address, (select count(*) from token_accounts x where x.dao_id = ${daoId} and x.delegate = d.address)::int as n
              from unnest(${p(delegates)}::text[]) as d(address)) c
     where t.dao_id = ${daoId} and t.address = c.address and t.delegators <> c.n
     returning t.address`);
  return rows.length;
}

/** Applies newly stored token logs (in chain order) to token_accounts; returns rows written. */
export async function applyTokenEvents(tx: SyncTx, daoId: number, events: ChainEvent[], decimals: number): Promise<number> {
  const tokenEvents = events.filter((e) => TOKEN_EVENT_NAMES.includes(e.event));
  if (tokenEvents.length === 0) return 0;
  const addresses = [...new Set(tokenEvents.flatMap(touchedAccounts))];
  const before = await load(tx, daoId, addresses, decimals);
  const accounts = new Map([...before].map(([k, v]) => [k, { ...v }]));
  fold(accounts, tokenEvents, new Set(addresses));
  return store(tx, daoId, accounts, before, decimals);
}

/**
 * Re-derives the given accounts from the logs still stored (after a rollback deleted some):
 * accounts no remaining log touches are deleted.
 */
export async function rederiveAccounts(tx: SyncTx, daoId: number, addresses: string[], decimals: number): Promise<number> {
  if (addresses.length === 0) return 0;
  const only = new Set(addresses);
  const rows = await rowsOf<Parameters<typeof eventOf>[0]>(tx, sql`
    select * from chain_events
     where dao_id = ${daoId} and event = any(${p(TOKEN_EVENT_NAMES)}::text[])
       and (args->>'from' = any(${p(addresses)}::text[]) or args->>'to' = any(${p(addresses)}::text[])
         or args->>'delegator' = any(${p(addresses)}::text[]) or args->>'toDelegate' = any(${p(addresses)}::text[])
         or args->>'delegate' = any(${p(addresses)}::text[]))
     order by block_number, log_index`);
  const before = await load(tx, daoId, addresses, decimals);
  const accounts = new Map<string, Account>();
  fold(accounts, rows.map(eventOf), only);
  const gone = addresses.filter((a) => !accounts.has(a));
  let written = 0;
  if (gone.length) {
    const deleted = await rowsOf<{ address: string }>(tx, sql`
      delete from token_accounts where dao_id = ${daoId} and address = any(${p(gone)}::text[]) returning address`);
    written += deleted.length;
  }
  return written + (await store(tx, daoId, accounts, before, decimals));
}
