/**
 * Quorum projection from a DAO's late-vote curve (docs/METRICS.md "Quorum projection"). Pure.
 *
 * A profile is one ended proposal's cumulative share of its final voting power cast by the end of
 * each tenth of its voting window (10 numbers, the last 1). The DAO's curve is the median of its
 * profiles at each tenth, made non-decreasing, with 0 at the window's start; between tenths it is
 * linear. The projected final power of an open proposal is its current power ÷ the curve's share
 * at the elapsed fraction of its window.
 */

export interface LateVoteCurve {
  /** 11 points: the share of final power cast by fraction i/10 of the window (0 at i = 0). */
  points: number[];
  /** Ended proposals it was learned from. */
  proposals: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The curve of these profiles; null with fewer than `minProposals` of them. */
export function lateVoteCurve(profiles: number[][], minProposals = 2): LateVoteCurve | null {
  const usable = profiles.filter((p) => p.length === 10 && p.every((x) => Number.isFinite(x)));
  if (usable.length < minProposals) return null;
  const points = [0];
  for (let i = 0; i < 10; i++) points.push(Math.max(points[i]!, Math.min(1, median(usable.map((p) => p[i]!)))));
  return { points, proposals: usable.length };
}

/** The curve's share at fraction `f` (0–1) of the window, interpolated linearly between tenths. */
export function shareAt(curve: LateVoteCurve, f: number): number {
  const x = Math.min(1, Math.max(0, f)) * 10;
  const i = Math.min(9, Math.floor(x));
  const a = curve.points[i]!;
  const b = curve.points[i + 1]!;
  return a + (b - a) * (x - i);
}

export interface QuorumProjection {
  /** Projected final power; null when the share cast by now is 0 (nothing to scale). */
  projected: number | null;
  /** The share of final power expected to be cast by now. */
  shareByNow: number;
  /** 'curve': the DAO's own curve; 'linear': too few ended proposals, so votes are assumed to arrive evenly. */
  method: 'curve' | 'linear';
  proposals: number;
}

export function projectFinalPower(current: number, elapsed: number, curve: LateVoteCurve | null): QuorumProjection {
  const shareByNow = curve ? shareAt(curve, elapsed) : Math.min(1, Math.max(0, elapsed));
  return {
    projected: shareByNow > 0 ? current / shareByNow : null,
    shareByNow,
    method: curve ? 'curve' : 'linear',
    proposals: curve?.proposals ?? 0,
  };
}
