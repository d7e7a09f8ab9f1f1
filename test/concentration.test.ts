import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compensatedSum,
  concentrationSummary,
  gini,
  herfindahlHirschman,
  type LorenzPoint,
  lorenzCurve,
  nakamoto,
  topShares,
} from '../src/metrics/concentration.ts';

const EPS = 1e-12;

function expectPoints(actual: LorenzPoint[], expected: Array<[number, number]>): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach(([population, share], i) => {
    const point = actual[i]!;
    expect(point.population).toBeCloseTo(population, 12);
    expect(point.share).toBeCloseTo(share, 12);
  });
}

describe('hand-computed examples', () => {
  it('equal holders [1,1,1,1]', () => {
    const p = [1, 1, 1, 1];
    expect(gini(p)).toBe(0);
    expect(herfindahlHirschman(p)).toBe(0.25);
    expect(nakamoto(p)).toBe(3); // 2 is exactly half: not enough
    expect(topShares(p)).toEqual({ top1: 0.25, top5: 1, top10: 1 });
    expectPoints(lorenzCurve(p), [
      [0, 0],
      [0.25, 0.25],
      [0.5, 0.5],
      [0.75, 0.75],
      [1, 1],
    ]);
  });

  it('one holder has everything [0,0,0,10]', () => {
    const p = [0, 0, 0, 10];
    expect(gini(p)).toBe(0.75); // (n−1)/n, the maximum for n = 4
    expect(herfindahlHirschman(p)).toBe(1);
    expect(nakamoto(p)).toBe(1);
    expect(topShares(p, [1, 2])).toEqual({ top1: 1, top2: 1 });
    expectPoints(lorenzCurve(p), [
      [0, 0],
      [0.25, 0],
      [0.5, 0],
      [0.75, 0],
      [1, 1],
    ]);
  });

  it('[1,2,3,4]', () => {
    const p = [4, 1, 3, 2]; // order is irrelevant
    // Σ i·x = 1+4+9+16 = 30, S = 10: G = 60/40 − 5/4 = 0.25
    expect(gini(p)).toBeCloseTo(0.25, 14);
    // (1+4+9+16)/100
    expect(herfindahlHirschman(p)).toBeCloseTo(0.3, 14);
    // 4 + 3 = 7 > 5
    expect(nakamoto(p)).toBe(2);
    const t = topShares(p, [1, 2, 3, 4, 5]);
    expect(t.top1).toBeCloseTo(0.4, 14);
    expect(t.top2).toBeCloseTo(0.7, 14);
    expect(t.top3).toBeCloseTo(0.9, 14);
    expect(t.top4).toBe(1);
    expect(t.top5).toBe(1);
    expectPoints(lorenzCurve(p), [
      [0, 0],
      [0.25, 0.1],
      [0.5, 0.3],
      [0.75, 0.6],
      [1, 1],
    ]);
  });

  it('[3,1,2]: exactly half is not a majority', () => {
    const p = [3, 1, 2];
    // Σ i·x = 1+4+9 = 14, S = 6: G = 28/18 − 4/3 = 2/9
    expect(gini(p)).toBeCloseTo(2 / 9, 14);
    expect(herfindahlHirschman(p)).toBeCloseTo(14 / 36, 14);
    expect(nakamoto(p)).toBe(2); // 3 is not > 3
    expect(nakamoto(p, 0.49)).toBe(1);
    expect(nakamoto(p, 0)).toBe(1);
    expect(nakamoto(p, 0.9)).toBe(3);
  });

  it('ties', () => {
    expect(nakamoto([2, 2])).toBe(2);
    expect(nakamoto([1, 1, 1], 2 / 3)).toBe(3);
    expect(gini([7, 7, 7, 0])).toBeCloseTo(0.25, 14);
    expect(topShares([5, 5, 5, 5], [2])).toEqual({ top2: 0.5 });
  });

  it('single holder', () => {
    expect(gini([5])).toBe(0);
    expect(herfindahlHirschman([5])).toBe(1);
    expect(nakamoto([5])).toBe(1);
    expect(topShares([5])).toEqual({ top1: 1, top5: 1, top10: 1 });
    expectPoints(lorenzCurve([5]), [
      [0, 0],
      [1, 1],
    ]);
  });

  it('empty list: everything 0, Lorenz is the diagonal', () => {
    expect(gini([])).toBe(0);
    expect(herfindahlHirschman([])).toBe(0);
    expect(nakamoto([])).toBe(0);
    expect(topShares([])).toEqual({ top1: 0, top5: 0, top10: 0 });
    expectPoints(lorenzCurve([]), [
      [0, 0],
      [1, 1],
    ]);
    expect(concentrationSummary([])).toMatchObject({ count: 0, total: 0 });
  });

  it('all zeros: everything 0, Lorenz is the line of equality', () => {
    const p = [0, 0, 0, 0];
    expect(gini(p)).toBe(0);
    expect(herfindahlHirschman(p)).toBe(0);
    expect(nakamoto(p)).toBe(0);
    expect(topShares(p)).toEqual({ top1: 0, top5: 0, top10: 0 });
    expectPoints(lorenzCurve(p), [
      [0, 0],
      [0.25, 0.25],
      [0.5, 0.5],
      [0.75, 0.75],
      [1, 1],
    ]);
  });

  it('-0 counts as 0', () => {
    expect(gini([-0, 0, 0, 10])).toBe(0.75);
    expect(herfindahlHirschman([-0, 4])).toBe(1);
  });

  it('downsamples the Lorenz curve evenly, keeping endpoints', () => {
    const p = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]; // S = 55
    expectPoints(lorenzCurve(p, 3), [
      [0, 0],
      [0.5, 15 / 55],
      [1, 1],
    ]);
    expectPoints(lorenzCurve(p, 2), [
      [0, 0],
      [1, 1],
    ]);
    expect(lorenzCurve(p, 11)).toHaveLength(11);
    expect(lorenzCurve(p, 1000)).toHaveLength(11);

    const big = Array.from({ length: 1000 }, (_, i) => i + 1);
    const curve = lorenzCurve(big); // default 101 points: every percentile
    expect(curve).toHaveLength(101);
    curve.forEach((pt, j) => {
      expect(pt.population).toBeCloseTo(j / 100, 14);
    });
    // poorest 10% = 1..100 → 5050 of 500500
    expect(curve[10]!.share).toBeCloseTo(5050 / 500500, 14);
    expect(curve[100]).toEqual({ population: 1, share: 1 });
  });

  it('summary combines everything', () => {
    const s = concentrationSummary([4, 1, 3, 2, 0]);
    expect(s.count).toBe(5);
    expect(s.total).toBe(10);
    expect(s.gini).toBeCloseTo(gini([4, 1, 3, 2, 0]), 15);
    expect(s.herfindahlHirschman).toBeCloseTo(0.3, 14);
    expect(s.nakamoto).toBe(2);
    expect(Object.keys(s.topShares)).toEqual(['top1', 'top5', 'top10']);
    expect(s.lorenzCurve).toHaveLength(6);

    const o = concentrationSummary([4, 1, 3, 2], {
      threshold: 0.75,
      topNs: [2],
      lorenzMaxPoints: 3,
    });
    expect(o.nakamoto).toBe(3);
    expect(o.topShares).toEqual({ top2: 0.7 });
    expect(o.lorenzCurve).toHaveLength(3);
  });

  it('rejects invalid input', () => {
    expect(() => gini([1, -1])).toThrow(RangeError);
    expect(() => gini([1, Number.NaN])).toThrow(RangeError);
    expect(() => gini([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => gini([Number.MAX_VALUE, Number.MAX_VALUE])).toThrow(RangeError);
    expect(() => nakamoto([1], 1)).toThrow(RangeError);
    expect(() => nakamoto([1], -0.1)).toThrow(RangeError);
    expect(() => nakamoto([1], Number.NaN)).toThrow(RangeError);
    expect(() => topShares([1], [0])).toThrow(RangeError);
    expect(() => topShares([1], [1.5])).toThrow(RangeError);
    expect(() => lorenzCurve([1], 1)).toThrow(RangeError);
    expect(() => lorenzCurve([1], 2.5)).toThrow(RangeError);
    expect(() => concentrationSummary([1], { threshold: 2 })).toThrow(RangeError);
  });

  it('compensatedSum recovers what naive summation loses', () => {
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
    expect(compensatedSum(new Array<number>(10).fill(0.1))).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// Properties

/** Non-negative doubles including zeros and extreme magnitudes. */
const anyPower = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }));
/** Moderate magnitudes, so positive scaling cannot underflow to 0. */
const moderatePower = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-3, max: 1e9, noNaN: true, noDefaultInfinity: true }),
);
/** A non-empty list with total > 0. */
function withPower(arb: fc.Arbitrary<number>): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.double({ min: 1e-3, max: 1e9, noNaN: true, noDefaultInfinity: true }),
      fc.array(arb, { maxLength: 200 }),
      fc.nat(),
    )
    .map(([x, rest, at]) => {
      const out = rest.slice();
      out.splice(at % (rest.length + 1), 0, x);
      return out;
    });
}
const intPowers = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 200 });

function permuted(arb: fc.Arbitrary<number[]>): fc.Arbitrary<[number[], number[]]> {
  return arb.chain((p) =>
    fc.tuple(fc.constant(p), fc.shuffledSubarray(p, { minLength: p.length, maxLength: p.length })),
  );
}

function positiveCount(p: number[]): number {
  return p.filter((x) => x > 0).length;
}

describe('gini properties', () => {
  it('is in [0, (n−1)/n] ⊂ [0, 1)', () => {
    fc.assert(
      fc.property(fc.array(anyPower, { maxLength: 300 }), (p) => {
        const g = gini(p);
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThan(1);
        if (p.length > 0) expect(g).toBeLessThanOrEqual((p.length - 1) / p.length);
      }),
    );
  });

  it('is invariant under permutation', () => {
    fc.assert(
      fc.property(permuted(fc.array(anyPower, { maxLength: 200 })), ([a, b]) => {
        expect(gini(b)).toBe(gini(a));
      }),
    );
  });

  it('is invariant under positive scaling', () => {
    fc.assert(
      fc.property(withPower(moderatePower), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (p, c) => {
        expect(Math.abs(gini(p.map((x) => x * c)) - gini(p))).toBeLessThan(1e-9);
      }),
    );
  });

  it('equals 1 − 2·(area under the full Lorenz curve)', () => {
    fc.assert(
      fc.property(withPower(moderatePower), (p) => {
        const curve = lorenzCurve(p, p.length + 1);
        let area = 0;
        for (let i = 1; i < curve.length; i++) {
          const a = curve[i - 1]!;
          const b = curve[i]!;
          area += ((b.population - a.population) * (a.share + b.share)) / 2;
        }
        expect(Math.abs(gini(p) - (1 - 2 * area))).toBeLessThan(1e-9);
      }),
    );
  });
});

describe('herfindahlHirschman properties', () => {
  it('is in [1/n, 1] when total > 0, and 1 exactly iff one holder has power', () => {
    fc.assert(
      fc.property(withPower(anyPower), (p) => {
        const h = herfindahlHirschman(p);
        expect(h).toBeGreaterThan(0);
        expect(h).toBeLessThanOrEqual(1);
        expect(h).toBeGreaterThanOrEqual(1 / p.length - EPS);
        expect(h === 1).toBe(positiveCount(p) === 1);
      }),
    );
  });

  it('stays below 1 when one holder dwarfs another', () => {
    expect(herfindahlHirschman([1e20, 1])).toBeLessThan(1);
    expect(herfindahlHirschman([1e20, 0, 1])).toBeLessThan(1);
  });

  it('is invariant under permutation', () => {
    fc.assert(
      fc.property(permuted(fc.array(anyPower, { maxLength: 200 })), ([a, b]) => {
        expect(herfindahlHirschman(b)).toBe(herfindahlHirschman(a));
      }),
    );
  });
});

describe('nakamoto properties', () => {
  const threshold = fc.double({ min: 0, max: 0.999, noNaN: true });

  it('is between 1 and the number of holders with power', () => {
    fc.assert(
      fc.property(withPower(anyPower), threshold, (p, t) => {
        const k = nakamoto(p, t);
        expect(k).toBeGreaterThanOrEqual(1);
        expect(k).toBeLessThanOrEqual(positiveCount(p));
      }),
    );
  });

  it('is the first k whose top-k share exceeds the threshold', () => {
    fc.assert(
      fc.property(intPowers, threshold, (p, t) => {
        fc.pre(p.some((x) => x > 0));
        const k = nakamoto(p, t);
        const desc = p.slice().sort((a, b) => b - a);
        const total = desc.reduce((a, b) => a + b, 0); // exact: integers
        const sumTop = (m: number): number => desc.slice(0, m).reduce((a, b) => a + b, 0);
        expect(sumTop(k)).toBeGreaterThan(t * total);
        expect(sumTop(k - 1)).toBeLessThanOrEqual(t * total);
      }),
    );
  });

  it('never grows when power moves from a smaller holder to the largest', () => {
    fc.assert(
      fc.property(intPowers, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), threshold, (p, pick, frac, t) => {
        let maxIdx = 0;
        p.forEach((x, i) => {
          if (x > p[maxIdx]!) maxIdx = i;
        });
        const donors = p.map((_, i) => i).filter((i) => i !== maxIdx && p[i]! > 0);
        fc.pre(donors.length > 0);
        const j = donors[pick % donors.length]!;
        const amount = Math.max(1, Math.floor(p[j]! * frac));
        const q = p.slice();
        q[j] = q[j]! - amount;
        q[maxIdx] = q[maxIdx]! + amount;
        expect(nakamoto(q, t)).toBeLessThanOrEqual(nakamoto(p, t));
        expect(nakamoto(q)).toBeLessThanOrEqual(nakamoto(p));
      }),
    );
  });

  it('is non-decreasing in the threshold', () => {
    fc.assert(
      fc.property(withPower(anyPower), threshold, threshold, (p, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(nakamoto(p, lo)).toBeLessThanOrEqual(nakamoto(p, hi));
      }),
    );
  });
});

describe('topShares properties', () => {
  it('is monotone in n, in [0, 1], and 1 once n covers everyone', () => {
    fc.assert(
      fc.property(withPower(anyPower), (p) => {
        const ns = Array.from({ length: p.length + 2 }, (_, i) => i + 1);
        const t = topShares(p, ns);
        let prev = 0;
        for (const n of ns) {
          const v = t[`top${n}`]!;
          expect(v).toBeGreaterThanOrEqual(prev);
          expect(v).toBeLessThanOrEqual(1);
          expect(v).toBeGreaterThanOrEqual(Math.min(1, n / p.length) - EPS); // top-n ≥ n/len
          prev = v;
        }
        expect(t[`top${p.length}`]).toBe(1);
      }),
    );
  });
});

describe('lorenzCurve properties', () => {
  it('runs from (0,0) to (1,1), non-decreasing, convex, below the diagonal', () => {
    fc.assert(
      fc.property(fc.array(anyPower, { maxLength: 300 }), fc.integer({ min: 2, max: 400 }), (p, maxPoints) => {
        const curve = lorenzCurve(p, maxPoints);
        expect(curve.length).toBe(Math.max(2, Math.min(maxPoints, p.length + 1)));
        expect(curve[0]).toEqual({ population: 0, share: 0 });
        expect(curve[curve.length - 1]).toEqual({ population: 1, share: 1 });
        for (let i = 1; i < curve.length; i++) {
          const a = curve[i - 1]!;
          const b = curve[i]!;
          expect(b.population).toBeGreaterThan(a.population);
          expect(b.share).toBeGreaterThanOrEqual(a.share);
          expect(b.share).toBeLessThanOrEqual(b.population + EPS);
        }
        for (let i = 1; i + 1 < curve.length; i++) {
          const a = curve[i - 1]!;
          const b = curve[i]!;
          const c = curve[i + 1]!;
          // slope(a→b) ≤ slope(b→c), cross-multiplied (populations increase)
          const left = (b.share - a.share) * (c.population - b.population);
          const right = (c.share - b.share) * (b.population - a.population);
          expect(left).toBeLessThanOrEqual(right + 1e-12);
        }
      }),
    );
  });

  it('downsampled points are points of the full curve', () => {
    fc.assert(
      fc.property(withPower(moderatePower), fc.integer({ min: 2, max: 50 }), (p, m) => {
        const full = lorenzCurve(p, p.length + 1);
        for (const pt of lorenzCurve(p, m)) {
          const k = Math.round(pt.population * p.length);
          expect(pt.share).toBe(full[k]!.share);
        }
      }),
    );
  });
});

describe('summary', () => {
  it('agrees with the individual functions', () => {
    fc.assert(
      fc.property(fc.array(anyPower, { maxLength: 200 }), (p) => {
        const s = concentrationSummary(p);
        expect(s.count).toBe(p.length);
        expect(s.gini).toBe(gini(p));
        expect(s.herfindahlHirschman).toBe(herfindahlHirschman(p));
        expect(s.nakamoto).toBe(nakamoto(p));
        expect(s.topShares).toEqual(topShares(p));
        expect(s.lorenzCurve).toEqual(lorenzCurve(p));
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// Numerical stability at scale

/** Deterministic PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** a / b as a double, for BigInts, to ~1e-18 relative accuracy. */
function ratio(a: bigint, b: bigint): number {
  const scale = 10n ** 18n;
  return Number((a * scale) / b) / 1e18;
}

describe('10^6 heavy-tailed values', () => {
  it('matches exact BigInt arithmetic', () => {
    const rand = mulberry32(42);
    const n = 1_000_000;
    const p: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const u = 1 - rand(); // (0, 1]
      // Pareto(alpha = 1.1), integral values from 2^33 up to ~2^62, with ~5% zeros.
      p[i] = rand() < 0.05 ? 0 : Math.floor(2 ** 33 * u ** (-1 / 1.1));
    }

    const s = concentrationSummary(p, { topNs: [1, 10, 1000] });

    const sorted = Float64Array.from(p).sort();
    let total = 0n;
    let weighted = 0n; // Σ (2i − n − 1)·x_(i)
    let squares = 0n;
    for (let i = 0; i < n; i++) {
      const x = BigInt(sorted[i]!);
      total += x;
      weighted += BigInt(2 * (i + 1) - n - 1) * x;
      squares += x * x;
    }
    let top1000 = 0n;
    for (let i = n - 1000; i < n; i++) top1000 += BigInt(sorted[i]!);

    // The naive sum is visibly off at this scale; the compensated one is not.
    let naive = 0;
    for (const x of p) naive += x;
    expect(Math.abs(naive - Number(total)) / Number(total)).toBeGreaterThan(Number.EPSILON);
    expect(Math.abs(s.total - Number(total)) / Number(total)).toBeLessThanOrEqual(Number.EPSILON);
    expect(Math.abs(s.gini - ratio(weighted, BigInt(n) * total))).toBeLessThan(1e-12);
    expect(Math.abs(s.herfindahlHirschman - ratio(squares, total * total))).toBeLessThan(1e-12);
    expect(Math.abs(s.topShares.top1000! - ratio(top1000, total))).toBeLessThan(1e-12);
    expect(s.lorenzCurve).toHaveLength(101);
    expect(s.gini).toBeGreaterThan(0.3);

    // Order does not matter.
    const reversed = p.slice().reverse();
    expect(gini(reversed)).toBe(s.gini);
  }, 60_000);
});
