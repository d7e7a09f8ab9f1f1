import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Format } from './schemas/common.ts';

/**
 * `?format=csv|ndjson` on list and series endpoints: the whole result, streamed in keyset batches
 * (no row cap, constant memory). Rows are pulled only as fast as the client reads (the stream's
 * backpressure stops the batch queries), and each batch is one short query, so no transaction or
 * cursor stays open across a slow download.
 */
export const isExport = (format: Format | undefined): format is 'csv' | 'ndjson' =>
  format === 'csv' || format === 'ndjson';

/** Rows of successive keyset pages: `fetch(last row of the previous page)` until a short page. */
export async function* keysetRows<T>(batch: number, fetch: (after: T | undefined) => Promise<T[]>): AsyncGenerator<T> {
  let after: T | undefined;
  for (;;) {
    const rows = await fetch(after);
    yield* rows;
    if (rows.length < batch) return;
    after = rows.at(-1);
  }
}

export async function* mapRows<T, U>(rows: AsyncIterable<T>, map: (row: T) => U): AsyncGenerator<U> {
  for await (const row of rows) yield map(row);
}

/**
 * CSV injection (OWASP): a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return as a formula, and proposal titles, reasons and voter names are anyone's
 * text. Such a cell gets a leading `'`, which spreadsheets show as text. The one exception is a
 * cell that is entirely a negative decimal number (`-1.5`, `-2e-7`): that is data, and no
 * spreadsheet reads it as anything but the number; `-1+2` or `-A1` is not a number and is prefixed.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEGATIVE_NUMBER = /^-\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !NEGATIVE_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Sends the rows as CSV (header line, RFC 4180 quoting, objects as JSON, formulas neutralised) or NDJSON. */
export function sendExport(
  reply: FastifyReply,
  format: 'csv' | 'ndjson',
  name: string,
  columns: readonly string[],
  rows: AsyncIterable<Record<string, unknown>>,
) {
  async function* lines() {
    let chunk = format === 'csv' ? columns.join(',') + '\r\n' : '';
    for await (const row of rows) {
      chunk +=
        format === 'csv'
          ? columns.map((c) => csvCell(row[c])).join(',') + '\r\n'
          : JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null]))) + '\n';
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  reply
    .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'ndjson'}"`);
  return reply.send(Readable.from(lines(), { objectMode: false, highWaterMark: 1 }));
}
