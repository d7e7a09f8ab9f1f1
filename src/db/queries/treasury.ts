import { and, asc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.ts';
import { daoMetrics, treasuryBalances } from '../schema/index.ts';

export async function listMetrics(
  db: Db,
  daoId: number,
  q: {
    page: number; perPage: number; metricType?: string | undefined; from?: Date | undefined; to?: Date | undefined;
    /** Keyset position (exports): the previous page's last row. */
    after?: { metricType: string; timestamp: Date } | undefined;
  },
) {
  const filters: SQL[] = [eq(daoMetrics.daoId, daoId)];
  if (q.metricType) filters.push(eq(daoMetrics.metricType, q.metricType));
  if (q.from) filters.push(gte(daoMetrics.timestamp, q.from));
  if (q.to) filters.push(lt(daoMetrics.timestamp, q.to));
  const page = q.after
    ? [...filters, sql`(${daoMetrics.metricType}, ${daoMetrics.timestamp}) > (${q.after.metricType}, ${q.after.timestamp.toISOString()}::timestamptz)`]
    : filters;
  const [rows, [count]] = await Promise.all([
    db.select().from(daoMetrics).where(and(...page))
      .orderBy(asc(daoMetrics.metricType), asc(daoMetrics.timestamp))
      .limit(q.perPage).offset(q.after ? 0 : (q.page - 1) * q.perPage),
    db.select({ total: sql<number>`count(*)::int` }).from(daoMetrics).where(and(...filters)),
  ]);
  return { rows, total: count?.total ?? 0 };
}

/** Latest balance of every (wallet, chain, token) from each wallet's newest snapshot, and USD over time. */
export async function getTreasury(db: Db, daoId: number, range: { from?: Date | undefined; to?: Date | undefined }) {
  const latest = await rowsOf<Record<string, unknown>>(db, sql`
    with latest as (
      select wallet, chain, max(timestamp) as ts from treasury_balances where dao_id = ${daoId} group by wallet, chain)
    select to_char(b.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as timestamp, b.wallet, b.chain,
           b.token_symbol, b.token_address, b.amount::text as amount, b.usd_value::text as usd_value, b.usd_stale
      from treasury_balances b join latest l on b.wallet = l.wallet and b.chain = l.chain and b.timestamp = l.ts
     where b.dao_id = ${daoId}
     order by b.usd_value desc nulls last, b.token_symbol`);
  const filters: SQL[] = [eq(treasuryBalances.daoId, daoId)];
  if (range.from) filters.push(gte(treasuryBalances.timestamp, range.from));
  if (range.to) filters.push(lt(treasuryBalances.timestamp, range.to));
  const history = await db
    .select({ timestamp: treasuryBalances.timestamp, usdValue: sql<string>`coalesce(sum(${treasuryBalances.usdValue}), 0)::text` })
    .from(treasuryBalances).where(and(...filters))
    .groupBy(treasuryBalances.timestamp).orderBy(asc(treasuryBalances.timestamp));
  return { latest, history };
}
