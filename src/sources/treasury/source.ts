import { type Address, getAddress } from 'viem';
import type { SyncContext, SyncOutcome, SyncSource } from '../../sync/types.ts';
import { chainInfo, rpcUrlFor } from '../evm/chains.ts';
import { ChainRpc, messageOf, type RpcOptions } from '../evm/rpc.ts';
import { treasuryAppliesTo } from './applies.ts';
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
    appliesTo: treasuryAppliesTo,
    run: (ctx) => syncTreasury(ctx, config, prices),
  };
}

async function syncTreasury(ctx: SyncContext, config: TreasurySourceConfig, prices: PriceSource): Promise<SyncOutcome> {
  const { dao } = ctx;
  const chain = chainInfo(dao.chain);
  const rpc = new ChainRpc({
    ...config.rpc,
    url: rpcUrlFor(config.rpcUrls, dao.chain),
    logger: ctx.logger,
    signal: ctx.signal,
  });
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
  await ctx.transaction(async (tx) => {
    await tx.treasury.storePrices(fresh);
    const known = await tx.treasury.lastPrices(coins.filter((c) => !fresh.has(c)));
    const rows = balances.map((b) => {
      const coin = coinOf(b.token);
      const price = fresh.get(coin)?.price ?? known.get(coin);
      const usdStale = !fresh.has(coin) && price !== undefined;
      if (usdStale) stale++;
      return {
        daoId: dao.id,
        timestamp,
        wallet: b.wallet,
        chain: dao.chain,
        tokenSymbol: b.symbol,
        tokenAddress: b.token,
        amount: b.amount,
        usdValue: price === undefined ? null : multiplyDecimals(b.amount, price),
        usdStale,
      };
    });
    const counts = await tx.treasury.upsertBalances(rows);
    written = counts.inserted + counts.updated;
    await tx.saveCursor({ block, timestamp: timestamp.toISOString() });
  });
  return {
    written,
    read: balances.length,
    lag: head - block,
    details: { lastBlock: block, requests: rpc.requests, stalePrices: stale, ...(priceError ? { priceError } : {}) },
  };
}
