import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../client.ts';

/**
 * What the batched upserts share. Each is one statement per batch: arrays travel as one
 * parameter each and are expanded with unnest, so a batch costs a handful of parameters whatever
 * its size; rows that already hold the same values are not touched (an IS DISTINCT FROM guard),
 * which keeps re-imports and re-syncs free of writes. Votes, the bulk of every import and sync,
 * reach their statement through a COPY into a staging table instead (upsertVotes, src/db/copy.ts).
 */
export interface WriteCounts {
  inserted: number;
  updated: number;
}

/** Counts, plus the rows the statement inserted or changed (for live events). */
export interface Upserted<R> extends WriteCounts {
  changed: Array<{ row: R; inserted: boolean }>;
}

/** One array parameter. */
export const param = (values: unknown[]) => sql.param(values);
export const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
export const iso = (d: Date) => d.toISOString();

/** Runs an upsert that returns `(xmax = 0) as inserted` per written row. */
export async function countWrites(db: Db, query: SQL): Promise<WriteCounts> {
  const rows = await rowsOf<{ inserted: boolean }>(db, query);
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

/**
 * Runs an upsert that also returns `key` per written row, and maps the keys back to the rows
 * given (`keyOf` must build the same key the statement returns).
 */
export async function upsertKeyed<R>(db: Db, rows: R[], keyOf: (row: R) => string, query: SQL): Promise<Upserted<R>> {
  const written = await rowsOf<{ inserted: boolean; key: string }>(db, query);
  const byKey = new Map(rows.map((r) => [keyOf(r), r]));
  const changed = written.flatMap((w) => {
    const row = byKey.get(String(w.key));
    return row ? [{ row, inserted: w.inserted }] : [];
  });
  const inserted = written.filter((r) => r.inserted).length;
  return { inserted, updated: written.length - inserted, changed };
}

/**
 * One row per key, as a statement may touch a row only once: `replaces(next, kept)` decides
 * which of two rows with the same key is written.
 */
export function foldByKey<R>(rows: R[], keyOf: (row: R) => string, replaces: (next: R, kept: R) => boolean): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) {
    const key = keyOf(row);
    const kept = byKey.get(key);
    if (!kept || replaces(row, kept)) byKey.set(key, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
