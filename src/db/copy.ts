import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { is } from 'drizzle-orm';
import { NodePgSession } from 'drizzle-orm/node-postgres';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, Tx } from './client.ts';

/**
 * Bulk loading by COPY on both drivers, for writes of thousands of rows per statement (votes):
 * a COPY is parsed by the server column by column as it streams, where the same rows sent as
 * array parameters are built into arrays and unnested first.
 *
 * node-postgres: `COPY … FROM STDIN` through pg-copy-streams on the transaction's own connection.
 * PGlite: `COPY … FROM '/dev/blob'` with the rows handed over as the query's `blob` option.
 * Both read PostgreSQL's text format, which copyLine writes.
 */

/** A COPY text field: null, a string, or a number (written as is). */
export type CopyValue = string | number | null;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One line of COPY's text format: tab-separated fields, `\N` for null. Backslash, tab, newline
 * and carriage return are the only characters the format gives a meaning to, so they are the ones
 * escaped; any other byte, a `\.` included once its backslash is doubled, is data.
 */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += '\t';
    if (v === null || v === undefined) line += '\\N';
    else if (typeof v === 'number') line += String(v);
    else line += v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
  }
  return `${line}\n`;
}

interface PgliteCopyClient {
  query(text: string, params: unknown[], options: { blob: Blob }): Promise<unknown>;
}

/**
 * Copies rows into `table (columns)` on `tx`'s connection. The table and column names are the
 * caller's constants, never input. A value the column's type refuses fails the whole COPY, as a
 * statement would, so callers validate rows before.
 */
export async function copyRows(
  tx: Tx,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly CopyValue[]>,
): Promise<void> {
  if (rows.length === 0) return;
  const text = rows.map(copyLine).join('');
  const session = tx._.session;
  const client = (session as unknown as { client: unknown }).client;
  const target = `${table} (${columns.join(', ')})`;
  if (is(session, NodePgSession)) {
    const stream = (client as PoolClient).query(copyFrom(`copy ${target} from stdin`));
    await pipeline(Readable.from([Buffer.from(text)]), stream);
  } else {
    await (client as PgliteCopyClient).query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob([text]) });
  }
}

/**
 * Runs `fn` in a transaction: `db` itself when it is one, else a new one, because a COPY into a
 * temporary table and the statement that reads it must share one connection (a pool may hand
 * each statement another).
 */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return is(db, PgTransaction) ? fn(db as Tx) : db.transaction(fn);
}
