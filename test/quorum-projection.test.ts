import { describe, expect, it } from 'vitest';
import { lateVoteCurve, projectFinalPower, shareAt } from '../src/metrics/quorum-projection.ts';

const linear = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
// Half the power in the first tenth, the rest in the last one.
const early = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1];
// Everything in the last tenth.
const late = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

describe('quorum projection from the late-vote curve', () => {
  it('needs at least two profiles', () => {
    expect(lateVoteCurve([linear])).toBeNull();
    expect(lateVoteCurve([linear, late])).not.toBeNull();
  });

  it('is the median at each tenth, 0 at the start, non-decreasing', () => {
    const curve = lateVoteCurve([linear, early, late])!;
    expect(curve.proposals).toBe(3);
    // Medians of (0.1, 0.5, 0), (0.2, 0.5, 0), … (0.9, 0.5, 0), (1, 1, 1).
    expect(curve.points).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 1]);
    // Even count: the mean of the middle two.
    expect(lateVoteCurve([early, late])!.points.slice(0, 3)).toEqual([0, 0.25, 0.25]);
    for (const profiles of [
      [linear, early],
      [late, early, linear, late],
    ]) {
      const points = lateVoteCurve(profiles)!.points;
      for (let i = 1; i < points.length; i++) expect(points[i]).toBeGreaterThanOrEqual(points[i - 1]!);
    }
  });

  it('interpolates between tenths and projects current ÷ share', () => {
    const curve = lateVoteCurve([linear, early, late])!;
    expect(shareAt(curve, 0.25)).toBeCloseTo(0.25, 12);
    expect(shareAt(curve, 0.95)).toBeCloseTo(0.75, 12);
    expect(shareAt(curve, 2)).toBe(1);
    expect(projectFinalPower(300, 0.7, curve)).toEqual({
      projected: 600,
      shareByNow: 0.5,
      method: 'curve',
      proposals: 3,
    });
    expect(projectFinalPower(300, 0.6, null)).toMatchObject({ projected: 500, method: 'linear', proposals: 0 });
    // Nothing cast by now on a late-voting DAO: nothing to scale.
    expect(projectFinalPower(0, 0.5, lateVoteCurve([late, late])!).projected).toBeNull();
  });
});
