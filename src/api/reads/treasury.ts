import type { Db } from '../../db/index.ts';
import { getDao } from '../../db/queries/daos.ts';
import { getTreasury } from '../../db/queries/treasury.ts';
import { timeRange } from '../params.ts';

/** A DAO's latest treasury balances and USD history, as GET /api/v1/daos/{id}/treasury answers it. */
export async function treasuryOf(db: Db, id: string, range: { from?: string | undefined; to?: string | undefined }) {
  const dao = await getDao(db, id);
  const { latest, history } = await getTreasury(db, dao.id, timeRange(range));
  const asOf =
    latest
      .map((b) => b.timestamp as string)
      .sort()
      .at(-1) ?? null;
  return {
    total_usd: dao.treasuryValue,
    as_of: asOf,
    latest: latest.map((b) => ({
      timestamp: b.timestamp as string,
      wallet: (b.wallet as string) || null,
      chain: b.chain as string,
      token_symbol: b.token_symbol as string,
      token_address: (b.token_address as string) || null,
      amount: b.amount as string,
      usd_value: (b.usd_value as string | null) ?? null,
      usd_stale: Boolean(b.usd_stale),
    })),
    history: history.map((h) => ({ timestamp: h.timestamp.toISOString(), usd_value: h.usdValue })),
  };
}
