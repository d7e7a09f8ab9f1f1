/**
 * Concentration metrics over a list of non-negative "powers".
 *
 * A power is whatever quantity is being analysed: the voting power a voter
 * used, a holder's token balance, or a delegate's delegated voting power.
 * Zeros are allowed (they count as addresses that hold nothing) and the order
 * of the list is irrelevant.
 *
 * All functions are pure. Each one sorts a copy of its input once
 * (O(n log n)); everything else is a linear pass. Totals and other long sums
 * use Neumaier's compensated summation so that results stay accurate for
 * millions of heavy-tailed values. No recursion is used.
 *
 * Input validation: every power must be a finite number >= 0 (`-0` is
 * accepted as 0); otherwise a `RangeError` is thrown. A `RangeError` is also
 * thrown if the total overflows to Infinity.
 *
 * Conventions for degenerate input (empty list, or every power 0): "no
 * concentration can be measured", so every scalar metric is 0 and the Lorenz
 * curve is the line of equality. See `docs/METRICS.md`.
 */

/** One point of a Lorenz curve. Both coordinates are in [0, 1]. */
export interface LorenzPoint {
  /** Share of addresses (poorest first), k / n. */
  population: number;
  /** Share of the total power held by those addresses. */
  share: number;
}

/** Everything `concentrationSummary` computes, from a single sort. */
export interface ConcentrationSummary {
  /** Number of addresses, including those with power 0. */
  count: number;
  /** Sum of all powers (compensated sum). */
  total: number;
  gini: number;
  herfindahlHirschman: number;
  nakamoto: number;
  topShares: Record<string, number>;
  lorenzCurve: LorenzPoint[];
}

/** Options of `concentrationSummary`; defaults match the single functions. */
export interface ConcentrationSummaryOptions {
  /** Nakamoto threshold, default 0.5. */
  threshold?: number;
  /** The n of the top-n shares, default [1, 5, 10]. */
  topNs?: readonly number[];
  /** Maximum number of Lorenz points, default 101. */
  lorenzMaxPoints?: number;
}

export const DEFAULT_NAKAMOTO_THRESHOLD = 0.5;
export const DEFAULT_TOP_NS: readonly number[] = Object.freeze([1, 5, 10]);
export const DEFAULT_LORENZ_MAX_POINTS = 101;

/** Largest double strictly below 1 (1 - 2^-53). */
const BELOW_ONE = 1 - Number.EPSILON / 2;

/**
 * Neumaier's improved Kahan summation. The running value `sum + c` has an
 * error bound that does not grow with the number of terms (for the usual
 * case), unlike naive left-to-right summation.
 */
class NeumaierSum {
  private s = 0;
  private c = 0;

  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) {
      this.c += this.s - t + x;
    } else {
      this.c += x - t + this.s;
    }
    this.s = t;
  }

  get value(): number {
    return this.s + this.c;
  }
}

/**
 * Compensated (Neumaier) sum of a list of numbers. Exported because other
 * metrics want the same numerical care.
 */
export function compensatedSum(values: ArrayLike<number>): number {
  const acc = new NeumaierSum();
  for (let i = 0; i < values.length; i++) acc.add(values[i]!);
  return acc.value;
}

/** Validated, sorted input shared by all metrics. */
interface Prepared {
  /** Powers sorted ascending. */
  readonly asc: Float64Array;
  /**
   * `top[k]` = compensated sum of the k largest powers (k = 0..n), forced to
   * be non-decreasing. `top[n]` is the total.
   */
  readonly top: Float64Array;
  /** Sum of all powers (= top[n]). */
  readonly total: number;
  /** Number of powers > 0. */
  readonly positive: number;
}

function prepare(powers: readonly number[]): Prepared {
  const n = powers.length;
  const asc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = powers[i]!;
    // `!(x >= 0)` also rejects NaN.
    if (typeof x !== 'number' || !(x >= 0) || x === Infinity) {
      throw new RangeError(`powers[${i}] must be a finite number >= 0, got ${String(x)}`);
    }
    asc[i] = x === 0 ? 0 : x; // normalise -0
  }
  asc.sort(); // typed-array sort is numeric

  const top = new Float64Array(n + 1);
  const acc = new NeumaierSum();
  let positive = 0;
  for (let k = 1; k <= n; k++) {
    const x = asc[n - k]!;
    if (x > 0) positive++;
    acc.add(x);
    // Keep prefix sums monotone even if rounding would wobble by an ulp.
    top[k] = Math.max(top[k - 1]!, acc.value);
  }
  const total = top[n]!;
  if (!Number.isFinite(total)) {
    throw new RangeError('the total of powers overflows');
  }
  return { asc, top, total, positive };
}

function checkThreshold(threshold: number): void {
  if (!(threshold >= 0 && threshold < 1)) {
    throw new RangeError(`threshold must be in [0, 1), got ${String(threshold)}`);
  }
}

function checkTopNs(ns: readonly number[]): void {
  for (const k of ns) {
    if (!Number.isInteger(k) || k < 1) {
      throw new RangeError(`top-n sizes must be integers >= 1, got ${String(k)}`);
    }
  }
}

function checkMaxPoints(maxPoints: number): void {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`maxPoints must be an integer >= 2, got ${String(maxPoints)}`);
  }
}

function giniOf(p: Prepared): number {
  const n = p.asc.length;
  if (n === 0 || p.total === 0) return 0;
  // G = (2·Σ i·x_(i)) / (n·S) − (n+1)/n  ==  Σ (2i − n − 1)·(x_(i)/S) / n.
  // The second form avoids subtracting two numbers close to each other and
  // keeps every term bounded by n (no overflow).
  const acc = new NeumaierSum();
  for (let i = 1; i <= n; i++) {
    acc.add((2 * i - n - 1) * (p.asc[i - 1]! / p.total));
  }
  const g = acc.value / n;
  return Math.min(Math.max(g, 0), (n - 1) / n);
}

function hhiOf(p: Prepared): number {
  if (p.total === 0) return 0;
  if (p.positive === 1) return 1;
  const acc = new NeumaierSum();
  for (let i = 0; i < p.asc.length; i++) {
    const s = p.asc[i]! / p.total;
    acc.add(s * s);
  }
  // With two or more holders the true value is < 1; if rounding reached 1
  // (one holder owning all but ~1e-16 of the total), report the largest
  // double below 1 so that "1 only for a single holder" stays true.
  return Math.min(acc.value, BELOW_ONE);
}

function nakamotoOf(p: Prepared, threshold: number): number {
  if (p.total === 0) return 0;
  const target = threshold * p.total;
  const n = p.asc.length;
  for (let k = 1; k <= n; k++) {
    if (p.top[k]! > target) return k;
  }
  // Only reachable when threshold·total rounds up to the total itself
  // (threshold within an ulp of 1): then every holder with power is needed.
  return p.positive;
}

function topSharesOf(p: Prepared, ns: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const n = p.asc.length;
  for (const k of ns) {
    out[`top${k}`] = p.total === 0 ? 0 : Math.min(1, p.top[Math.min(k, n)]! / p.total);
  }
  return out;
}

function lorenzOf(p: Prepared, maxPoints: number): LorenzPoint[] {
  const n = p.asc.length;
  if (n === 0) {
    return [
      { population: 0, share: 0 },
      { population: 1, share: 1 },
    ];
  }
  const m = Math.min(maxPoints, n + 1);
  const points: LorenzPoint[] = [];
  const acc = new NeumaierSum();
  let summed = 0; // number of (ascending) powers added to acc
  let prevShare = 0;
  for (let j = 0; j < m; j++) {
    // Evenly spaced ranks; strictly increasing because n / (m − 1) >= 1.
    const k = j === m - 1 ? n : Math.round((j * n) / (m - 1));
    while (summed < k) acc.add(p.asc[summed++]!);
    const population = k / n;
    let share: number;
    if (k === n) {
      share = 1;
    } else if (p.total === 0) {
      share = population; // all zeros: line of equality
    } else {
      share = Math.min(1, Math.max(prevShare, acc.value / p.total));
    }
    points.push({ population, share });
    prevShare = share;
  }
  return points;
}

/**
 * Gini coefficient of the powers, using the population formula over the
 * ascending order statistics x_(1) <= … <= x_(n):
 *
 *   G = (2 · Σ_{i=1..n} i · x_(i)) / (n · Σ x) − (n + 1) / n
 *
 * 0 means perfect equality; the maximum, one holder with everything, is
 * (n − 1)/n, so G is in [0, 1) (and 0 for n = 1).
 *
 * Returns 0 for an empty list or when every power is 0 (by definition).
 */
export function gini(powers: readonly number[]): number {
  return giniOf(prepare(powers));
}

/**
 * Herfindahl–Hirschman index as a fraction: Σ (x_i / Σ x)², the sum of the
 * squared shares. It lies in [1/n, 1] for n addresses with total > 0
 * (1/n when all hold the same). It is 1 only when a single address holds
 * all the power: with two or more holders with power the result is < 1 even
 * when rounding would give 1 (the largest double below 1 is returned then).
 *
 * Returns 0 for an empty list or when every power is 0 (by definition).
 * Multiply by 10 000 for the "antitrust" scale.
 */
export function herfindahlHirschman(powers: readonly number[]): number {
  return hhiOf(prepare(powers));
}

/**
 * Nakamoto coefficient: the fewest addresses whose combined power strictly
 * exceeds `threshold · total` (taking the largest holders first). With the
 * default threshold 0.5, holding exactly half is not enough.
 *
 * Result is in [1, number of addresses with power] when the total is > 0,
 * and 0 for an empty list or when every power is 0.
 *
 * @param threshold fraction of the total in [0, 1); default 0.5.
 * @throws RangeError if threshold is outside [0, 1).
 */
export function nakamoto(powers: readonly number[], threshold: number = DEFAULT_NAKAMOTO_THRESHOLD): number {
  checkThreshold(threshold);
  return nakamotoOf(prepare(powers), threshold);
}

/**
 * Share of the total held by the n largest holders, for each requested n,
 * keyed `top${n}`: `topShares(p)` → `{ top1, top5, top10 }`.
 *
 * Values are in [0, 1], non-decreasing in n, and exactly 1 when n is at
 * least the number of addresses (and the total is > 0). All values are 0 for
 * an empty list or when every power is 0.
 *
 * @param ns sizes (integers >= 1); default [1, 5, 10].
 * @throws RangeError if a size is not an integer >= 1.
 */
export function topShares(powers: readonly number[], ns: readonly number[] = DEFAULT_TOP_NS): Record<string, number> {
  checkTopNs(ns);
  return topSharesOf(prepare(powers), ns);
}

/**
 * Lorenz curve: point k is (k/n, share of the total held by the k poorest
 * addresses), for k = 0..n, running from (0, 0) to (1, 1). The curve is
 * non-decreasing and convex, and lies on or below the diagonal.
 *
 * When n + 1 > maxPoints the curve is downsampled to exactly maxPoints
 * points at ranks k_j = round(j · n / (maxPoints − 1)), j = 0..maxPoints−1,
 * i.e. evenly over the population; both endpoints are always kept. The
 * sampled points are exact points of the full curve.
 *
 * Degenerate input: an empty list gives [(0,0), (1,1)]; all zeros give the
 * line of equality (share = population), consistent with a Gini of 0.
 *
 * @param maxPoints integer >= 2; default 101 (every percentile).
 * @throws RangeError if maxPoints is not an integer >= 2.
 */
export function lorenzCurve(powers: readonly number[], maxPoints: number = DEFAULT_LORENZ_MAX_POINTS): LorenzPoint[] {
  checkMaxPoints(maxPoints);
  return lorenzOf(prepare(powers), maxPoints);
}

/**
 * All concentration metrics at once, sorting the input only once. Options
 * default to the defaults of the individual functions.
 */
export function concentrationSummary(
  powers: readonly number[],
  options: ConcentrationSummaryOptions = {},
): ConcentrationSummary {
  const threshold = options.threshold ?? DEFAULT_NAKAMOTO_THRESHOLD;
  const ns = options.topNs ?? DEFAULT_TOP_NS;
  const maxPoints = options.lorenzMaxPoints ?? DEFAULT_LORENZ_MAX_POINTS;
  checkThreshold(threshold);
  checkTopNs(ns);
  checkMaxPoints(maxPoints);
  const p = prepare(powers);
  return {
    count: p.asc.length,
    total: p.total,
    gini: giniOf(p),
    herfindahlHirschman: hhiOf(p),
    nakamoto: nakamotoOf(p, threshold),
    topShares: topSharesOf(p, ns),
    lorenzCurve: lorenzOf(p, maxPoints),
  };
}

/** The concentration block of the metric endpoints (snake_case, Lorenz as [x, y] pairs). */
export interface ConcentrationFigures {
  count: number;
  total: number;
  gini: number;
  hhi: number;
  nakamoto: number;
  top1_share: number;
  top5_share: number;
  top10_share: number;
  lorenz: Array<[number, number]>;
}

/** Concentration of a population, or null when it has no address with power (nothing to measure). */
export function concentrationFigures(powers: readonly number[]): ConcentrationFigures | null {
  const positive = powers.filter((p) => p > 0);
  if (positive.length === 0) return null;
  const s = concentrationSummary(positive);
  return {
    count: s.count,
    total: s.total,
    gini: s.gini,
    hhi: s.herfindahlHirschman,
    nakamoto: s.nakamoto,
    top1_share: s.topShares.top1!,
    top5_share: s.topShares.top5!,
    top10_share: s.topShares.top10!,
    lorenz: s.lorenzCurve.map((p) => [p.population, p.share]),
  };
}
