import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';
import { param } from './upserts.ts';

/** One cached ENS lookup of an address (lowercase): its name and avatar, null when it has none. */
export interface EnsNameRow {
  address: string;
  name: string | null;
  avatar: string | null;
  /** Epoch milliseconds after which the row is looked up again (it is still served meanwhile). */
  expires_at: number;
}

/** The cached lookups of these addresses, fresh or expired; addresses never looked up are absent. */
export async function cachedEnsNames(db: Db, addresses: string[]): Promise<EnsNameRow[]> {
  if (addresses.length === 0) return [];
  const rows = await rowsOf<{ address: string; name: string | null; avatar: string | null; expires_ms: string }>(
    db,
    sql`
    select address, name, avatar, (extract(epoch from expires_at) * 1000)::bigint::text as expires_ms
      from ens_names
     where address = any(${param(addresses)}::text[])`,
  );
  return rows.map((r) => ({ address: r.address, name: r.name, avatar: r.avatar, expires_at: Number(r.expires_ms) }));
}

/** Records a lookup, replacing the address's previous one. */
export async function saveEnsName(
  db: Db,
  row: { address: string; name: string | null; avatar: string | null; resolvedAt: Date; expiresAt: Date },
): Promise<void> {
  await rowsOf(
    db,
    sql`
    insert into ens_names (address, name, avatar, resolved_at, expires_at)
    values (${row.address}, ${row.name}, ${row.avatar}, ${row.resolvedAt.toISOString()}, ${row.expiresAt.toISOString()})
    on conflict (address) do update set name = excluded.name, avatar = excluded.avatar,
      resolved_at = excluded.resolved_at, expires_at = excluded.expires_at`,
  );
}
