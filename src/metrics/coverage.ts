/**
 * Which series buckets the data covers (docs/METRICS.md, "Coverage of series"). A bucket outside
 * the span of the data is unknown, not zero: the votes file of an export may end years before
 * the proposals file, and a DAO whose data starts in 2025 had no "0 votes" in 2021.
 */
import { type Bucket, bucketStart } from './activity.ts';

/** The first and last time a kind of data (votes, proposal starts, ...) is known for; null: none. */
export interface Span {
  from: Date;
  to: Date;
}

/** A span from a first and last time, either of which may be missing (no data). */
export function spanOf(from: Date | string | null | undefined, to: Date | string | null | undefined): Span | null {
  if (from === null || from === undefined || to === null || to === undefined) return null;
  return { from: new Date(from), to: new Date(to) };
}

/** The bucket starting at t overlaps the span: it lies between the buckets holding the span's first and last time. */
export function covers(span: Span | null, t: Date, bucket: Bucket): boolean {
  if (!span) return false;
  return t >= bucketStart(span.from, bucket) && t <= bucketStart(span.to, bucket);
}

/** A figure inside the span, null outside it. */
export function within<T>(span: Span | null, t: Date, bucket: Bucket, value: T): T | null {
  return covers(span, t, bucket) ? value : null;
}
