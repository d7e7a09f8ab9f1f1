import { Type } from '@sinclair/typebox';
import { ValidationError } from '../errors.ts';
import { toTime } from '../import/validate.ts';
import { TextParam } from './schemas/common.ts';

/** Query parameters shared by several routes. */
export const TimeParam = (what: string) =>
  Type.Optional(TextParam({ maxLength: 40, description: `${what}: ISO-8601 time or unix seconds` }));

/**
 * The times a query may name: from the epoch to the year 3000, the span unix seconds already
 * have (toTime). Outside it the window arithmetic breaks: a `to` in 9999 snaps to year 10000,
 * which PostgreSQL cannot read back, year 0 it refuses (both were 500s), and below year 100
 * Date.UTC, which the buckets are built with, reads the year as 19xx.
 */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(3000, 0, 1);

function parseTime(name: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const time = toTime(raw);
  if (!time)
    throw new ValidationError(`${name} must be an ISO-8601 time or unix seconds`, [
      { in: 'query', parameter: name, message: 'is not a time' },
    ]);
  if (time.getTime() < EARLIEST || time.getTime() > LATEST)
    throw new ValidationError(`${name} must be from 1970-01-01 to 3000-01-01`, [
      { in: 'query', parameter: name, message: 'is out of range' },
    ]);
  return time;
}

export function timeRange(query: { from?: string | undefined; to?: string | undefined }) {
  const range = { from: parseTime('from', query.from), to: parseTime('to', query.to) };
  if (range.from && range.to && range.from > range.to) {
    throw new ValidationError('from must not be after to', [
      { in: 'query', parameter: 'from', message: 'is after to' },
    ]);
  }
  return range;
}

/** `as_of` (default now). */
export const asOfTime = (raw: string | undefined) => parseTime('as_of', raw) ?? new Date();

/** Comma-separated DAO ids or slugs. */
export function daoList(raw: string | undefined, max: number): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const items = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (items.length > max) {
    throw new ValidationError(`dao_ids lists at most ${max} DAOs`, [
      { in: 'query', parameter: 'dao_ids', message: `has more than ${max} items` },
    ]);
  }
  return items;
}

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
};

/**
 * Every query parameter must be valid percent-encoded UTF-8. The query parser keeps a broken
 * escape (`%FF`, `%E2%82`, `%ED%A0%80`, the UTF-8 form of a lone surrogate) as literal text, so
 * the value would silently differ from what was sent; a schema only ever sees the result.
 */
export function checkQueryEncoding(url: string) {
  const start = url.indexOf('?');
  // Only a percent escape can be broken: a query without one is valid as it is.
  if (start < 0 || url.indexOf('%', start) < 0) return;
  for (const pair of url.slice(start + 1).split('&')) {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decoded(rawName);
    if (name !== undefined && (eq < 0 || decoded(pair.slice(eq + 1)) !== undefined)) continue;
    const parameter = (name ?? rawName).slice(0, 100);
    throw new ValidationError(`${parameter} is not valid percent-encoded UTF-8`, [
      { in: 'query', parameter, message: 'is not valid percent-encoded UTF-8' },
    ]);
  }
}
