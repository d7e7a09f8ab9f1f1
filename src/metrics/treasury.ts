/**
 * Treasury metrics from balance snapshots. A snapshot row is one (wallet, chain, token) balance at a
 * time; a wallet's holdings at time T are the rows of its latest snapshot at or before T (per
 * wallet and chain), so wallets refreshed at different times still add up. Formulas in
 * docs/METRICS.md ("Treasury").
 */

import { bucketStart } from './activity.ts';
import { ratio } from './outcomes.ts';

export interface BalanceRow {
  timestamp: Date;
  wallet: string;
  chain: string;
  token_symbol: string;
  token_address: string;
  usd_value: number | null;
}

export interface Holding {
  token: string;
  chain: string;
  token_address: string;
  usd: number;
}

export interface TreasuryPoint {
  t: Date;
  holdings: Holding[];
  total_usd: number;
}

/** Symbols treated as USD-pegged stablecoins (case-insensitive). */
export const STABLECOINS: ReadonlySet<string> = new Set([
  'USDC',
  'USDT',
  'DAI',
  'USDC.E',
  'USDCE',
  'USDBC',
  'BUSD',
  'TUSD',
  'FRAX',
  'LUSD',
  'GUSD',
  'USDP',
  'PYUSD',
  'GHO',
  'CRVUSD',
  'SUSD',
  'USDS',
  'USDE',
  'DOLA',
  'MIM',
  'FEI',
  'RAI',
]);

export const isStablecoin = (symbol: string) => STABLECOINS.has(symbol.trim().toUpperCase());

/** How the DAO's own governance token is recognised among holdings. */
export interface OwnToken {
  symbols: string[];
  address: string | null;
}

export function isOwnToken(h: Pick<Holding, 'token' | 'token_address'>, own: OwnToken): boolean {
  if (own.address && h.token_address && h.token_address.toLowerCase() === own.address.toLowerCase()) return true;
  return own.symbols.some((s) => s.toUpperCase() === h.token.toUpperCase());
}

/** One point per distinct snapshot time: the holdings of every wallet's latest snapshot so far. */
export function treasurySeries(rows: readonly BalanceRow[]): TreasuryPoint[] {
  const times = [...new Set(rows.map((r) => r.timestamp.getTime()))].sort((a, b) => a - b);
  const byTime = new Map<number, BalanceRow[]>();
  for (const r of rows) {
    const list = byTime.get(r.timestamp.getTime());
    if (list) list.push(r);
    else byTime.set(r.timestamp.getTime(), [r]);
  }
  const current = new Map<string, BalanceRow[]>(); // wallet+chain -> its latest snapshot rows
  const points: TreasuryPoint[] = [];
  for (const t of times) {
    const snapshot = new Map<string, BalanceRow[]>();
    for (const r of byTime.get(t)!) {
      const key = `${r.wallet}\u0000${r.chain}`;
      const list = snapshot.get(key);
      if (list) list.push(r);
      else snapshot.set(key, [r]);
    }
    for (const [key, list] of snapshot) current.set(key, list);
    const holdings: Holding[] = [];
    for (const list of current.values()) {
      for (const r of list)
        holdings.push({ token: r.token_symbol, chain: r.chain, token_address: r.token_address, usd: r.usd_value ?? 0 });
    }
    points.push({ t: new Date(t), holdings, total_usd: sum(holdings.map((h) => h.usd)) });
  }
  return points;
}

/** Point holding at time t: the last one at or before t. */
export function pointAt(series: readonly TreasuryPoint[], t: Date | null): TreasuryPoint | null {
  let found: TreasuryPoint | null = null;
  for (const p of series) {
    if (t && p.t > t) break;
    found = p;
  }
  return found;
}

export interface CompositionEntry {
  token: string;
  chain: string;
  usd: number;
  share: number | null;
}

/** USD by (token, chain), largest first, with shares of the total. */
export function composition(point: TreasuryPoint): CompositionEntry[] {
  const by = new Map<string, CompositionEntry>();
  for (const h of point.holdings) {
    const key = `${h.token}\u0000${h.chain}`;
    const e = by.get(key) ?? { token: h.token, chain: h.chain, usd: 0, share: null };
    e.usd += h.usd;
    by.set(key, e);
  }
  return [...by.values()]
    .map((e) => ({ ...e, share: ratio(e.usd, point.total_usd) }))
    .sort((a, b) => b.usd - a.usd || a.token.localeCompare(b.token) || a.chain.localeCompare(b.chain));
}

/** USD by token symbol (all chains together). */
export function byToken(point: TreasuryPoint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of point.holdings) out[h.token] = (out[h.token] ?? 0) + h.usd;
  return out;
}

const nonOwnUsd = (p: TreasuryPoint, own: OwnToken) =>
  sum(p.holdings.filter((h) => !isOwnToken(h, own)).map((h) => h.usd));

/**
 * Average monthly net outflow of the non-own-token holdings over the window: take each calendar
 * month's last point in the window (plus the last point before the window as the starting level),
 * and average the month-to-month decreases (an increase counts negative). Null with fewer than two
 * such points. Without transfer data this includes price moves of non-stable tokens.
 */
export function monthlyNetOutflow(
  series: readonly TreasuryPoint[],
  own: OwnToken,
  from: Date | null,
  to: Date | null,
): number | null {
  const monthEnds = new Map<number, TreasuryPoint>();
  let before: TreasuryPoint | null = null;
  for (const p of series) {
    if (to && p.t >= to) break;
    if (from && p.t < from) {
      before = p;
      continue;
    }
    monthEnds.set(bucketStart(p.t, 'month').getTime(), p);
  }
  const levels = [
    ...(before ? [before] : []),
    ...[...monthEnds.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p),
  ];
  if (levels.length < 2) return null;
  const first = levels[0]!;
  const last = levels.at(-1)!;
  const months = monthsBetween(first.t, last.t);
  if (months <= 0) return null;
  return (nonOwnUsd(first, own) - nonOwnUsd(last, own)) / months;
}

/** Whole calendar months from a's month to b's month. */
function monthsBetween(a: Date, b: Date): number {
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

export interface TreasurySummary {
  total_usd: number | null;
  change_usd: number | null;
  change_pct: number | null;
  own_token_share: number | null;
  stablecoin_share: number | null;
  monthly_net_outflow: number | null;
  runway_months: number | null;
  composition: CompositionEntry[];
  as_of: Date | null;
}

/**
 * Treasury figures for the window [from, to): value at the last point before `to` (or the latest),
 * change since the value at `from` (the last point at or before it, or the first point inside
 * the window), own-token and stablecoin shares, monthly net outflow and runway = non-own-token
 * holdings ÷ monthly net outflow (null when nothing flows out).
 */
export function summarizeTreasury(
  series: readonly TreasuryPoint[],
  own: OwnToken,
  from: Date | null,
  to: Date | null,
): TreasurySummary {
  const inRange = series.filter((p) => !to || p.t < to);
  const end = inRange.at(-1) ?? null;
  if (!end) {
    return {
      total_usd: null,
      change_usd: null,
      change_pct: null,
      own_token_share: null,
      stablecoin_share: null,
      monthly_net_outflow: null,
      runway_months: null,
      composition: [],
      as_of: null,
    };
  }
  const start = (from ? pointAt(inRange, from) : null) ?? inRange.find((p) => !from || p.t >= from) ?? null;
  const change = start ? end.total_usd - start.total_usd : null;
  const ownUsd = sum(end.holdings.filter((h) => isOwnToken(h, own)).map((h) => h.usd));
  const stableUsd = sum(end.holdings.filter((h) => isStablecoin(h.token)).map((h) => h.usd));
  const outflow = monthlyNetOutflow(inRange, own, from, to);
  return {
    total_usd: end.total_usd,
    change_usd: change,
    change_pct: change === null || !start ? null : ratio(change, start.total_usd),
    own_token_share: ratio(ownUsd, end.total_usd),
    stablecoin_share: ratio(stableUsd, end.total_usd),
    monthly_net_outflow: outflow,
    runway_months: outflow !== null && outflow > 0 ? (end.total_usd - ownUsd) / outflow : null,
    composition: composition(end),
    as_of: end.t,
  };
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
