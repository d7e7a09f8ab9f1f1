/**
 * Small CSV helpers shared by the data-export converters.
 *
 * Files are parsed synchronously with csv-parse (they are a few MB at most) and every value is
 * kept as the exact text of the file: no casting, so amounts can be copied verbatim into the
 * canonical records. Column access is checked: asking for a column the file does not have throws,
 * and the value helpers below fail loudly (with file and line) on text they do not understand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ValidationError } from '../../errors.ts';

/** Raised when an export does not look like what a converter expects: the user's input, so a user error. */
export class CsvDataError extends ValidationError {}

/** One data row of a CSV file; `line` is the 1-based line of the file where the row starts. */
export class CsvRow {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly values: Readonly<Record<string, string>>,
  ) {}

  /** The text of column `column` (possibly ""); throws if the file has no such column. */
  get(column: string): string {
    const value = this.values[column];
    if (value === undefined) {
      throw new CsvDataError(`${this.where()}: no column "${column}"`);
    }
    return value;
  }

  /** Like get(), but an empty (or all-blank) value becomes undefined. */
  opt(column: string): string | undefined {
    const value = this.get(column);
    return value.trim() === '' ? undefined : value;
  }

  /** Like get(), but an empty value is an error. */
  req(column: string): string {
    const value = this.opt(column);
    if (value === undefined) {
      throw new CsvDataError(`${this.where()}: column "${column}" is empty`);
    }
    return value;
  }

  where(): string {
    return `${path.basename(this.file)}:${this.line}`;
  }
}

interface ParsedRecord {
  record: Record<string, string>;
  info: { lines: number };
}

/**
 * Reads a whole CSV file (header row + data rows) into CsvRow objects.
 * `requiredColumns` are checked against the header before any row is returned.
 */
export function readCsv(file: string, requiredColumns: readonly string[] = []): CsvRow[] {
  const text = readExport(file, () => readFileSync(file));
  let parsed: ParsedRecord[];
  try {
    parsed = parse(text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    throw new CsvDataError(`${file}: ${(err as Error).message}`);
  }
  const header = readHeader(file, text);
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvDataError(`${file}: missing column(s) ${missing.join(', ')} (has: ${header.join(', ')})`);
  }
  // info.lines is the line on which the record ends; good enough for error messages.
  return parsed.map((p) => new CsvRow(file, p.info.lines, p.record));
}

/** Runs a read of the export (a file, a directory listing): what is missing or unreadable is the user's input, named. */
export function readExport<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (err as Error).message;
    throw new CsvDataError(`${where}: ${reason}`);
  }
}

function readHeader(file: string, text: Buffer): string[] {
  const rows = parse(text, { bom: true, to_line: 1 });
  const header = rows[0];
  if (header === undefined) throw new CsvDataError(`${file}: empty file`);
  return header;
}

// ---------------------------------------------------------------------------------------------
// Value helpers: validate, then return the canonical form.

const DECIMAL_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
// Only explicit-UTC timestamps are accepted so nothing depends on the machine's time zone.
const UTC_TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]00:?00)$/;
const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

/** A decimal number copied verbatim (e.g. "31526742.75392818", "2.11e-16"); throws if not numeric. */
export function decimal(row: CsvRow, column: string): string {
  const value = row.req(column);
  if (!DECIMAL_RE.test(value)) {
    throw new CsvDataError(`${row.where()}: column "${column}" is not a decimal number: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Same as decimal() but undefined when the cell is empty. */
export function optDecimal(row: CsvRow, column: string): string | undefined {
  return row.opt(column) === undefined ? undefined : decimal(row, column);
}

/** ISO-8601 UTC string with milliseconds; a date-only value means midnight UTC. */
export function isoTime(value: string, where: string): string {
  if (DATE_ONLY_RE.test(value)) {
    const iso = `${value}T00:00:00.000Z`;
    if (new Date(iso).toISOString() !== iso) throw new CsvDataError(`${where}: invalid date ${JSON.stringify(value)}`);
    return iso;
  }
  if (!UTC_TIMESTAMP_RE.test(value)) {
    throw new CsvDataError(`${where}: not a UTC timestamp: ${JSON.stringify(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CsvDataError(`${where}: invalid timestamp ${JSON.stringify(value)}`);
  return date.toISOString();
}

export function time(row: CsvRow, column: string): string {
  return isoTime(row.req(column), `${row.where()} column "${column}"`);
}

/** An EVM address, lowercased. */
export function address(row: CsvRow, column: string): string {
  const value = row.req(column).toLowerCase();
  if (!ADDRESS_RE.test(value)) {
    throw new CsvDataError(`${row.where()}: column "${column}" is not an address: ${JSON.stringify(value)}`);
  }
  return value;
}

export function optAddress(row: CsvRow, column: string): string | undefined {
  return row.opt(column) === undefined ? undefined : address(row, column);
}

/** A positive integer written as plain digits (e.g. a 1-based choice index). */
export function positiveInt(value: string, where: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new CsvDataError(`${where}: not a positive integer: ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** A count (0 or more) written as plain digits, or undefined when the cell is empty. */
export function optCount(row: CsvRow, column: string): number | undefined {
  const value = row.opt(column);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CsvDataError(`${row.where()}: column "${column}" is not a count: ${JSON.stringify(value)}`);
  }
  return Number(value);
}
