import { and, asc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { prepared, runPrepared } from '../prepared.ts';
import { daoMetrics } from '../schema/index.ts';
import { countWrites, iso, param, type WriteCounts } from './upserts.ts';

/**
 * Treasury balances (snapshots per wallet, chain and token, from imports and the treasury source),
 * the last known token prices they are valued with, and the DAO metric series the API lists.
 */
export interface TreasuryBalanceWrite {
  daoId: number;
  timestamp: Date;
  wallet: string;
  chain: string;
  tokenSymbol: string;
  tokenAddress: string;
  amount: string;
  usdValue: string | null;
  /** The USD value comes from a last known price (the price source was unreachable); imports leave it false. */
  usdStale?: boolean;
}

export function upsertTreasuryBalances(db: Db, rows: TreasuryBalanceWrite[]): Promise<WriteCounts> {
  return countWrites(
    db,
    sql`
    insert into treasury_balances as b (dao_id, timestamp, wallet, chain, token_symbol, token_address, amount, usd_value, usd_stale)
    select * from unnest(${param(rows.map((r) => r.daoId))}::int[], ${param(rows.map((r) => iso(r.timestamp)))}::timestamptz[],
      ${param(rows.map((r) => r.wallet))}::text[], ${param(rows.map((r) => r.chain))}::text[],
      ${param(rows.map((r) => r.tokenSymbol))}::text[], ${param(rows.map((r) => r.tokenAddress))}::text[],
      ${param(rows.map((r) => r.amount))}::numeric[], ${param(rows.map((r) => r.usdValue))}::numeric[],
      ${param(rows.map((r) => r.usdStale ?? false))}::bool[])
    on conflict (dao_id, timestamp, wallet, chain, token_symbol, token_address) do update
      set amount = excluded.amount, usd_value = excluded.usd_value, usd_stale = excluded.usd_stale
    where (b.amount, b.usd_value, b.usd_stale) is distinct from (excluded.amount, excluded.usd_value, excluded.usd_stale)
    returning (xmax = 0) as inserted`,
  );
}

/** A USD price as the price source gave it: exact decimal text. */
export interface PriceWrite {
  price: string;
  symbol?: string | undefined;
  time?: Date | undefined;
}

/** Keeps the latest price of each coin ("chain:address"). */
export async function storePrices(db: Db, prices: Map<string, PriceWrite>): Promise<void> {
  if (prices.size === 0) return;
  const list = [...prices.entries()];
  await db.execute(sql`
    insert into token_prices as t (coin, price, symbol, price_time, fetched_at)
    select *, now() from unnest(${param(list.map(([c]) => c))}::text[], ${param(list.map(([, v]) => v.price))}::numeric[],
      ${param(list.map(([, v]) => v.symbol ?? null))}::text[], ${param(list.map(([, v]) => v.time?.toISOString() ?? null))}::timestamptz[])
    on conflict (coin) do update set price = excluded.price, symbol = excluded.symbol, price_time = excluded.price_time,
      fetched_at = excluded.fetched_at`);
}

/** The last stored price of each coin, as decimal text; coins never priced are absent. */
export async function lastPrices(db: Db, coins: string[]): Promise<Map<string, string>> {
  if (coins.length === 0) return new Map();
  const rows = await rowsOf<{ coin: string; price: string }>(
    db,
    sql`
    select coin, price::text as price from token_prices where coin = any(${param(coins)}::text[])`,
  );
  return new Map(rows.map((r) => [r.coin, r.price]));
}

export async function listMetrics(
  db: Db,
  daoId: number,
  q: {
    page: number;
    perPage: number;
    metricType?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    /** Keyset position (exports): the previous page's last row. */
    after?: { metricType: string; timestamp: Date } | undefined;
  },
) {
  const filters: SQL[] = [eq(daoMetrics.daoId, daoId)];
  if (q.metricType) filters.push(eq(daoMetrics.metricType, q.metricType));
  if (q.from) filters.push(gte(daoMetrics.timestamp, q.from));
  if (q.to) filters.push(lt(daoMetrics.timestamp, q.to));
  const page = q.after
    ? [
        ...filters,
        sql`(${daoMetrics.metricType}, ${daoMetrics.timestamp}) > (${q.after.metricType}, ${q.after.timestamp.toISOString()}::timestamptz)`,
      ]
    : filters;
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(daoMetrics)
      .where(and(...page))
      .orderBy(asc(daoMetrics.metricType), asc(daoMetrics.timestamp))
      .limit(q.perPage)
      .offset(q.after ? 0 : (q.page - 1) * q.perPage),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(daoMetrics)
      .where(and(...filters)),
  ]);
  return { rows, total: count?.total ?? 0 };
}

const latestBalancesStatement = prepared<Record<string, unknown>>(
  'treasury_latest',
  `with latest as (
     select wallet, chain, max(timestamp) as ts from treasury_balances where dao_id = $1::int group by wallet, chain)
   select to_char(b.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as timestamp, b.wallet, b.chain,
          b.token_symbol, b.token_address, b.amount::text as amount, b.usd_value::text as usd_value, b.usd_stale
     from treasury_balances b join latest l on b.wallet = l.wallet and b.chain = l.chain and b.timestamp = l.ts
    where b.dao_id = $1::int
    order by b.usd_value desc nulls last, b.token_symbol`,
);
// An open end is an infinite bound rather than a null test, so the range stays an index condition in a cached plan.
const historyStatement = prepared<{ timestamp: Date; usdValue: string }>(
  'treasury_history',
  `select timestamp, coalesce(sum(usd_value), 0)::text as "usdValue" from treasury_balances
    where dao_id = $1::int and timestamp >= coalesce($2::timestamptz, '-infinity') and timestamp < coalesce($3::timestamptz, 'infinity')
    group by timestamp order by timestamp`,
);

/** Latest balance of every (wallet, chain, token) from each wallet's newest snapshot, and USD over time. */
export async function getTreasury(db: Db, daoId: number, range: { from?: Date | undefined; to?: Date | undefined }) {
  const [latest, history] = await Promise.all([
    runPrepared(db, latestBalancesStatement, [daoId]),
    runPrepared(db, historyStatement, [daoId, range.from?.toISOString() ?? null, range.to?.toISOString() ?? null]),
  ]);
  return { latest, history };
}
