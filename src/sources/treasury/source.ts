import { sql } from 'drizzle-orm';
import { getAddress, type Address } from 'viem';
import { rowsOf } from '../../db/index.ts';
import type { DaoRow } from '../../db/queries/daos.ts';
import { upsertTreasuryBalances } from '../../import/writers.ts';
import type { SyncContext, SyncOutcome, SyncSource, SyncTx } from '../../sync/types.ts';
import { chainInfo, rpcUrlFor } from '../chain/chains.ts';
import { ChainRpc, messageOf, type RpcOptions } from '../chain/rpc.ts';
import { readBalances } from './balances.ts';
import { createLlamaPrices, multiplyDecimals, NATIVE, type Price, type PriceSource } from './prices.ts';

/**
 * The treasury source: on each (scheduled) run, the balances of the DAO's treasury_addresses in
 * the native coin and in the DAO's treasury_tokens, read at the newest final block (head minus
 * CONFIRMATIONS, so no reorg can change them), become one snapshot in treasury_balances at that
 * block's time. USD values come from the price source; when it cannot be reached (or does not
 * know a coin) the last known price is used and the row is marked usd_stale, and a coin never
 * priced gets no USD value at all.
 */
export interface TreasurySourceConfig {
  rpcUrls: Record<number, string>;
  priceApiUrl: string;
  confirmations: number;
  /** Replaces the DefiLlama-shaped client built from priceApiUrl. */
  prices?: PriceSource;
  rpc?: Partial<Omit<RpcOptions, 'url' | 'logger' | 'signal'>>;
}

export function createTreasurySource(config: TreasurySourceConfig): SyncSource {
  const prices = config.prices ?? createLlamaPrices(config.priceApiUrl);
  return {
    name: 'treasury',
    appliesTo: (dao: DaoRow) => dao.treasuryAddresses.length > 0,
    run: (ctx) => syncTreasury(ctx, config, prices),
  };
}

const p = (values: unknown[]) => sql.param(values);

async function syncTreasury(ctx: SyncContext, config: TreasurySourceConfig, prices: PriceSource): Promise<SyncOutcome> {
  const { dao, database } = ctx;
  const chain = chainInfo(dao.chain);
  const rpc = new ChainRpc({ ...config.rpc, url: rpcUrlFor(config.rpcUrls, dao.chain), logger: ctx.logger, signal: ctx.signal });
  const wallets = [...new Set(dao.treasuryAddresses.map((a) => getAddress(a).toLowerCase() as Address))];
  const tokens = [...new Set(dao.treasuryTokens.map((a) => getAddress(a).toLowerCase() as Address))].sort();

  const head = await rpc.blockNumber();
  const block = Math.max(0, head - config.confirmations);
  const header = await rpc.header(block);
  if (!header) throw new Error(`block ${block} not found`);
  const balances = await readBalances(rpc, wallets, tokens, BigInt(block), chain.native);
  ctx.progress(balances.length, balances.length);

  const coinOf = (token: string) => `${chain.llama}:${token || NATIVE}`.toLowerCase();
  const coins = [...new Set(balances.map((b) => coinOf(b.token)))];
  let fresh = new Map<string, Price>();
  let priceError: string | undefined;
  try {
    fresh = await prices.prices(coins);
  } catch (error) {
    priceError = messageOf(error);
    ctx.logger.warn({ err: priceError }, 'price source unavailable; using last known prices');
  }

  const timestamp = new Date(header.timestamp * 1000);
  let written = 0;
  let stale = 0;
  await database.db.transaction(async (tx) => {
    await storePrices(tx, fresh);
    const known = await lastPrices(tx, coins.filter((c) => !fresh.has(c)));
    const rows = balances.map((b) => {
      const coin = coinOf(b.token);
      const price = fresh.get(coin)?.price ?? known.get(coin);
      const usdStale = !fresh.has(coin) && price !== undefined;
      if (usdStale) stale++;
      return {
        type: 'treasury_balance' as const, dao: dao.slug, daoId: dao.id, timestamp, wallet: b.wallet, chain: dao.chain,
        tokenSymbol: b.symbol, tokenAddress: b.token, amount: b.amount,
        usdValue: price === undefined ? null : multiplyDecimals(b.amount, price), usdStale,
      };
    });
    const counts = await upsertTreasuryBalances(tx, rows);
    written = counts.inserted + counts.updated;
    await ctx.saveCursor(tx, { block, timestamp: timestamp.toISOString() });
  });
  return {
    written,
    read: balances.length,
    lag: head - block,
    details: { lastBlock: block, requests: rpc.requests, stalePrices: stale, ...(priceError ? { priceError } : {}) },
  };
}

async function storePrices(tx: SyncTx, prices: Map<string, Price>): Promise<void> {
  if (prices.size === 0) return;
  const list = [...prices.entries()];
  await tx.execute(sql`
    insert into token_prices as t (coin, price, symbol, price_time, fetched_at)
    select *, now() from unnest(${p(list.map(([c]) => c))}::text[], ${p(list.map(([, v]) => v.price))}::numeric[],
      ${p(list.map(([, v]) => v.symbol ?? null))}::text[], ${p(list.map(([, v]) => v.time?.toISOString() ?? null))}::timestamptz[])
    on conflict (coin) do update set price = excluded.price, symbol = excluded.symbol, price_time = excluded.price_time,
      fetched_at = excluded.fetched_at`);
}

async function lastPrices(tx: SyncTx, coins: string[]): Promise<Map<string, string>> {
  if (coins.length === 0) return new Map();
  const rows = await rowsOf<{ coin: string; price: string }>(tx, sql`
    select coin, price::text as price from token_prices where coin = any(${p(coins)}::text[])`);
  return new Map(rows.map((r) => [r.coin, r.price]));
}
