/** Pure data shaping for charts and tables: tested in isolation, no React or ECharts here. */
import { toNumber } from './format.ts';

export type XY = [number, number];

/**
 * A Lorenz curve ready to plot: sorted by x, starting at (0,0) and ending at (1,1), values clamped
 * to [0,1]. Returns [] when there is nothing to plot.
 */
export function lorenzCurve(points: XY[] | null | undefined): XY[] {
  if (!points?.length) return [];
  const clean = points
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    .map(([x, y]) => [Math.min(1, Math.max(0, x)), Math.min(1, Math.max(0, y))] as XY)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (!clean.length) return [];
  if (clean[0]![0] !== 0 || clean[0]![1] !== 0) clean.unshift([0, 0]);
  const last = clean.at(-1)!;
  if (last[0] !== 1 || last[1] !== 1) clean.push([1, 1]);
  return clean;
}

export interface Slice {
  name: string;
  value: number;
  share: number;
}

/**
 * Groups values by name, sorts them largest first and folds everything past `top` into "Other",
 * with each slice's share of the total. Negative and missing values count as zero.
 */
export function topSlices(items: { name: string; value: number | string | null }[], top = 6): Slice[] {
  const byName = new Map<string, number>();
  for (const item of items)
    byName.set(item.name, (byName.get(item.name) ?? 0) + Math.max(0, toNumber(item.value) ?? 0));
  const sorted = [...byName]
    .map(([name, value]) => ({ name, value }))
    .filter((s) => s.value > 0)
    .sort((a, b) => b.value - a.value);
  const total = sorted.reduce((sum, s) => sum + s.value, 0);
  const head = sorted.slice(0, top);
  const rest = sorted.slice(top).reduce((sum, s) => sum + s.value, 0);
  if (rest > 0) head.push({ name: 'Other', value: rest });
  return head.map((s) => ({ ...s, share: total ? s.value / total : 0 }));
}

/** The share of the treasury held in the DAO's own governance token (null when unknown). */
export function ownTokenShare(
  latest: { token_symbol: string; usd_value: string | null }[],
  symbol: string | null,
): number | null {
  if (!symbol) return null;
  let own = 0;
  let total = 0;
  for (const b of latest) {
    const usd = Math.max(0, toNumber(b.usd_value) ?? 0);
    total += usd;
    if (b.token_symbol.toUpperCase() === symbol.toUpperCase()) own += usd;
  }
  return total > 0 ? own / total : null;
}

export interface StackedSeries {
  times: string[];
  series: { name: string; data: (number | null)[] }[];
}

/**
 * Treasury value over time stacked by token: the `top` tokens by latest value get their own
 * series, the rest is summed into "Other". A token missing from a snapshot is 0 so the stack
 * stays aligned; a point without a snapshot (`known: false`) is null in every series (a gap).
 */
export function stackByToken(
  points: { t: string; by_token: Record<string, number>; known?: boolean }[],
  top = 6,
): StackedSeries {
  const sorted = [...points].sort((a, b) => a.t.localeCompare(b.t));
  const last = sorted.filter((p) => p.known !== false).at(-1)?.by_token ?? {};
  const peak = new Map<string, number>();
  for (const p of sorted)
    for (const [token, usd] of Object.entries(p.by_token)) peak.set(token, Math.max(peak.get(token) ?? 0, usd));
  const ranked = [...peak.keys()].sort(
    (a, b) => (last[b] ?? 0) - (last[a] ?? 0) || (peak.get(b) ?? 0) - (peak.get(a) ?? 0),
  );
  const named = ranked.slice(0, top);
  const others = ranked.slice(top);
  const gap = (p: { known?: boolean }) => p.known === false;
  const series = named.map((name) => ({ name, data: sorted.map((p) => (gap(p) ? null : (p.by_token[name] ?? 0))) }));
  if (others.length)
    series.push({
      name: 'Other',
      data: sorted.map((p) => (gap(p) ? null : others.reduce((s, k) => s + (p.by_token[k] ?? 0), 0))),
    });
  return { times: sorted.map((p) => p.t), series };
}

/**
 * Ranks values (1 = best). Ties share the best rank; nulls get no rank. `higherIsBetter` false
 * ranks the smallest first (e.g. Gini, where concentration is worse).
 */
export function rank(values: (number | null)[], higherIsBetter = true): (number | null)[] {
  return values.map((v) => {
    if (v === null) return null;
    return 1 + values.filter((o) => o !== null && (higherIsBetter ? o > v : o < v)).length;
  });
}

/**
 * Scales each metric to [0,1] by the largest value among the DAOs, for a side-by-side chart of
 * metrics with different units. A metric that is zero or missing everywhere maps to 0.
 */
export function normalize(rows: (number | null)[][]): number[][] {
  const columns = rows[0]?.length ?? 0;
  const max = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => r[c] ?? 0)));
  return rows.map((r) => r.map((v, c) => (max[c] && v !== null ? Math.max(0, v) / max[c]! : 0)));
}

/** Groups timestamps into calendar months (UTC) counting items and summing a value. */
export function monthly<T>(
  items: T[],
  time: (item: T) => string,
  value: (item: T) => number,
): { t: string; count: number; sum: number }[] {
  const buckets = new Map<string, { count: number; sum: number }>();
  for (const item of items) {
    const d = new Date(time(item));
    if (Number.isNaN(d.getTime())) continue;
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01T00:00:00.000Z`;
    const b = buckets.get(key) ?? { count: 0, sum: 0 };
    b.count += 1;
    b.sum += value(item);
    buckets.set(key, b);
  }
  return [...buckets].sort(([a], [b]) => a.localeCompare(b)).map(([t, b]) => ({ t, ...b }));
}

/** Quorum progress: cast voting power over the quorum, capped at 1 (null without a quorum). */
export function quorumProgress(cast: number | string | null, quorum: number | string | null): number | null {
  const q = toNumber(quorum);
  const c = toNumber(cast) ?? 0;
  if (q === null || q <= 0) return null;
  return Math.min(1, c / q);
}
