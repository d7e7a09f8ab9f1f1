import { formatUnits, parseUnits } from 'viem';
import type { ChainEvent, SourceStore } from '../../db/source-store.ts';
import { TOKEN_EVENT_NAMES } from './events.ts';

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
    event.event === 'Transfer'
      ? [a.from!, a.to!]
      : event.event === 'DelegateChanged'
        ? [a.delegator!, a.toDelegate!]
        : event.event === 'DelegateVotesChanged'
          ? [a.delegate!]
          : [];
  return list.filter((x) => x && x !== ZERO);
}

function fold(accounts: Map<string, Account>, events: ChainEvent[], only: Set<string>): void {
  const touch = (address: string, block: number): Account | undefined => {
    if (address === ZERO || !only.has(address)) return undefined;
    let account = accounts.get(address);
    if (!account)
      accounts.set(address, (account = { balance: 0n, delegate: null, votingPower: 0n, updatedBlock: null }));
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

async function load(
  store: SourceStore,
  daoId: number,
  addresses: string[],
  decimals: number,
): Promise<Map<string, Account>> {
  const rows = await store.chain.tokenAccounts(daoId, addresses);
  return new Map(
    rows.map((r) => [
      r.address,
      {
        balance: parseUnits(r.balance, decimals),
        delegate: r.delegate,
        votingPower: parseUnits(r.votingPower, decimals),
        updatedBlock: r.updatedBlock,
      },
    ]),
  );
}

/** Writes the accounts (only rows whose values change) and recounts the delegators of every delegate involved. */
async function store(
  tx: SourceStore,
  daoId: number,
  accounts: Map<string, Account>,
  before: Map<string, Account>,
  decimals: number,
): Promise<number> {
  const rows = [...accounts.entries()].map(([address, v]) => ({
    address,
    balance: formatUnits(v.balance, decimals),
    delegate: v.delegate,
    votingPower: formatUnits(v.votingPower, decimals),
    updatedBlock: v.updatedBlock,
  }));
  let written = await tx.chain.upsertTokenAccounts(daoId, rows);
  const delegates = new Set<string>();
  for (const account of [...accounts.values(), ...before.values()])
    if (account.delegate) delegates.add(account.delegate);
  written += await tx.chain.recountDelegators(daoId, [...delegates]);
  return written;
}

/** Applies newly stored token logs (in chain order) to token_accounts; returns rows written. */
export async function applyTokenEvents(
  tx: SourceStore,
  daoId: number,
  events: ChainEvent[],
  decimals: number,
): Promise<number> {
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
export async function rederiveAccounts(
  tx: SourceStore,
  daoId: number,
  addresses: string[],
  decimals: number,
): Promise<number> {
  if (addresses.length === 0) return 0;
  const only = new Set(addresses);
  const events = await tx.chain.eventsTouching(daoId, TOKEN_EVENT_NAMES, addresses);
  const before = await load(tx, daoId, addresses, decimals);
  const accounts = new Map<string, Account>();
  fold(accounts, events, only);
  const written = await tx.chain.deleteTokenAccounts(
    daoId,
    addresses.filter((a) => !accounts.has(a)),
  );
  return written + (await store(tx, daoId, accounts, before, decimals));
}
