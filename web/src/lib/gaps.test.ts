import { describe, expect, it } from 'vitest';
import { bandOf, gapRuns, withGaps } from './gaps.ts';

describe('chart gaps', () => {
  it('finds the runs of buckets no series knows', () => {
    expect(
      gapRuns(
        [
          [null, null, 1, null, 2, null],
          [null, 0, null, null, 3, undefined],
        ],
        6,
      ),
    ).toEqual([
      [0, 0],
      [3, 3],
      [5, 5],
    ]);
    expect(gapRuns([[1, 2, 3]], 3)).toEqual([]);
    expect(gapRuns([[]], 2)).toEqual([[0, 1]]);
    // A known 0 is data, not a gap.
    expect(gapRuns([[0, 0]], 2)).toEqual([]);
  });

  it('shades from the last known bucket to the next known one', () => {
    expect(bandOf([3, 3], 6)).toEqual([2, 4]);
    expect(bandOf([0, 1], 6)).toEqual([0, 2]);
    expect(bandOf([4, 5], 6)).toEqual([3, 5]);
  });

  it('draws straight lines that are not joined over nulls, with a "no data" band', () => {
    const option = withGaps({
      xAxis: { type: 'category', data: ['Jan', 'Feb', 'Mar', 'Apr'] },
      series: [
        { type: 'line', name: 'a', smooth: true, connectNulls: true, data: [1, null, null, 4] },
        { type: 'bar', name: 'b', data: [2, null, null, 1] },
      ],
    });
    const [line, bar] = option.series as Array<Record<string, unknown>>;
    expect(line).toMatchObject({ smooth: false, connectNulls: false, data: [1, null, null, 4] });
    expect((line!.markArea as { data: unknown }).data).toEqual([[{ name: 'no data', xAxis: 0 }, { xAxis: 3 }]]);
    expect(bar).toEqual({ type: 'bar', name: 'b', data: [2, null, null, 1] });
  });

  it('leaves charts without gaps or a category axis unshaded', () => {
    const full = withGaps({ xAxis: { type: 'category', data: ['a', 'b'] }, series: [{ type: 'line', data: [1, 2] }] });
    expect((full.series as Array<Record<string, unknown>>)[0]!.markArea).toBeUndefined();
    const pie = { series: [{ type: 'pie', data: [{ name: 'x', value: 1 }] }] };
    expect(withGaps(pie)).toEqual(pie);
  });
});
