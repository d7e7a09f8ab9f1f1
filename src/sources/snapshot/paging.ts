import { UnavailableError } from '../../errors.ts';
import { HUB_MAX_SKIP } from './schemas.ts';

/**
 * Time-cursor paging over the hub's `created`-ordered lists. Many rows can share one `created`
 * second (3,328 arbitrumfoundation.eth votes do in the shared data), so the cursor is the second
 * plus the ids already seen in it: the next page asks `created_gte` that second and drops those
 * ids. When more of that second has been seen than half a page, the page skips them instead
 * (`skip` = ids seen; the hub orders ties by id), so every request brings at least half a page of
 * new rows; `skip` stays small because it only ever spans one second.
 */
export interface TimeCursor {
  created: number;
  ids: string[];
}

export const START: TimeCursor = { created: 0, ids: [] };

export function isTimeCursor(value: unknown): value is TimeCursor {
  const c = value as TimeCursor;
  return !!c && Number.isInteger(c.created) && Array.isArray(c.ids) && c.ids.every((id) => typeof id === 'string');
}

export interface Page<T> {
  /** Rows not seen before, in hub order. */
  fresh: T[];
  /** The cursor after this page. */
  cursor: TimeCursor;
  /** Whether the hub has nothing after this page. */
  last: boolean;
}

/** The hub's list cannot be paged further (it changed under us, or one second holds more rows than skip can pass). */
export class PagingError extends UnavailableError {}

/** Yields pages from `cursor` on until a short page; `fetch` asks the hub for `first` rows created >= since, after `skip`. */
export async function* timePages<T extends { id: string; created: number }>(
  cursor: TimeCursor,
  first: number,
  fetch: (since: number, skip: number) => Promise<T[]>,
): AsyncGenerator<Page<T>> {
  let current = cursor;
  for (;;) {
    const seen = new Set(current.ids);
    const skip = seen.size > first / 2 ? seen.size : 0;
    if (skip > HUB_MAX_SKIP) {
      throw new PagingError(
        `more than ${HUB_MAX_SKIP} rows share created=${current.created}; the hub cannot page past them`,
      );
    }
    const rows = await fetch(current.created, skip);
    const fresh = rows.filter((r) => !(r.created === current.created && seen.has(r.id)));
    let next = current;
    if (rows.length > 0) {
      const top = rows[rows.length - 1]!.created;
      const atTop = rows.filter((r) => r.created === top).map((r) => r.id);
      next = { created: top, ids: top === current.created ? [...new Set([...current.ids, ...atTop])] : atTop };
    }
    const last = rows.length < first;
    if (!last && fresh.length === 0) {
      throw new PagingError(`no progress at created=${current.created}: a full page held only rows already seen`);
    }
    yield { fresh, cursor: next, last };
    if (last) return;
    current = next;
  }
}
