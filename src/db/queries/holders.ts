import { sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { countWrites, iso, param, type WriteCounts } from './upserts.ts';

/** Token holder snapshots (file imports): one row per (DAO, address, as-of time). */
export interface HolderWrite {
  daoId: number;
  address: string;
  balance: string;
  delegate: string | null;
  votingPower: string | null;
  asOf: Date;
}

export function upsertHolders(db: Db, rows: HolderWrite[]): Promise<WriteCounts> {
  return countWrites(
    db,
    sql`
    insert into token_holders as h (dao_id, address, balance, delegate, voting_power, as_of)
    select * from unnest(${param(rows.map((r) => r.daoId))}::int[], ${param(rows.map((r) => r.address))}::text[],
      ${param(rows.map((r) => r.balance))}::numeric[], ${param(rows.map((r) => r.delegate))}::text[],
      ${param(rows.map((r) => r.votingPower))}::numeric[], ${param(rows.map((r) => iso(r.asOf)))}::timestamptz[])
    on conflict (dao_id, address, as_of) do update
      set balance = excluded.balance, delegate = excluded.delegate, voting_power = excluded.voting_power
    where (h.balance, h.delegate, h.voting_power) is distinct from (excluded.balance, excluded.delegate, excluded.voting_power)
    returning (xmax = 0) as inserted`,
  );
}
