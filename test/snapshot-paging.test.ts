import { describe, expect, it } from 'vitest';
import { PagingError, START, type TimeCursor, timePages } from '../src/sources/snapshot/paging.ts';

/** A hub list in its order (created asc, ties by id asc) answering created_gte + skip + first like the hub. */
function hubList(rows: Array<{ id: string; created: number }>) {
  const sorted = [...rows].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
  const calls: Array<{ since: number; skip: number }> = [];
  const fetch = async (since: number, skip: number, first: number) => {
    calls.push({ since, skip });
    return sorted.filter((r) => !since || r.created >= since).slice(skip, skip + first);
  };
  return { sorted, calls, fetch };
}

async function readAll(rows: Array<{ id: string; created: number }>, first: number, cursor: TimeCursor = START) {
  const hub = hubList(rows);
  const seen: string[] = [];
  let last = cursor;
  for await (const page of timePages(cursor, first, (since, skip) => hub.fetch(since, skip, first))) {
    seen.push(...page.fresh.map((r) => r.id));
    last = page.cursor;
  }
  return { seen, calls: hub.calls, cursor: last, sorted: hub.sorted };
}

const id = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

describe('timePages', () => {
  it('reads every row once when many share one second (the created_gt trap), skipping only within that second', async () => {
    // 10 rows at t=100, 2,500 at t=200 (more than two pages), 7 at t=300.
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: id(i), created: 100 })),
      ...Array.from({ length: 2500 }, (_, i) => ({ id: id(1000 + i), created: 200 })),
      ...Array.from({ length: 7 }, (_, i) => ({ id: id(9000 + i), created: 300 })),
    ];
    const { seen, calls, cursor, sorted } = await readAll(rows, 1000);
    expect(seen).toEqual(sorted.map((r) => r.id));
    expect(calls.every((c) => c.skip <= 2500)).toBe(true);
    expect(calls.length).toBe(3); // 2,517 rows in pages of 1,000: no request wasted on rows already seen
    expect(cursor).toEqual({ created: 300, ids: rows.slice(-7).map((r) => r.id) });
  });

  it('resumes from a saved cursor without repeating or missing a row', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: id(i), created: 100 + Math.floor(i / 7) }));
    const full = await readAll(rows, 10);
    const hub = hubList(rows);
    const firstHalf: string[] = [];
    let saved: TimeCursor = START;
    for await (const page of timePages(START, 10, (since, skip) => hub.fetch(since, skip, 10))) {
      firstHalf.push(...page.fresh.map((r) => r.id));
      saved = page.cursor;
      if (firstHalf.length >= 20) break;
    }
    const rest = await readAll(rows, 10, saved);
    expect([...firstHalf, ...rest.seen]).toEqual(full.seen);
    expect(full.seen.length).toBe(50);
  });

  it('refuses to page past more than 5,000 rows of one second (the hub caps skip)', async () => {
    const rows = Array.from({ length: 7000 }, (_, i) => ({ id: id(i), created: 100 }));
    await expect(readAll(rows, 1000)).rejects.toThrow(PagingError);
  });
});
