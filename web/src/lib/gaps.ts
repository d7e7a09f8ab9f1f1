/**
 * Charts draw what the data knows: a bucket the API gives as null (outside the data's coverage,
 * or a month without a treasury snapshot) is a gap, not a zero; lines are straight segments
 * between known points (a smoothed curve invents values between them); and a run of buckets that
 * no series knows is shaded and labelled "no data".
 */

type Value = unknown;
type Series = Record<string, unknown> & { type?: unknown; data?: unknown };
type Option = Record<string, unknown>;

/** Index runs [first, last] (inclusive) of the buckets where every series is null or missing. */
export function gapRuns(columns: ReadonlyArray<ReadonlyArray<Value>>, length: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < length; i++) {
    const unknown = columns.every((c) => c[i] === null || c[i] === undefined);
    if (unknown && start < 0) start = i;
    if (!unknown && start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, length - 1]);
  return runs;
}

/**
 * The shaded span of a run on a category axis: from the last known bucket before it to the next
 * known one after it (an area between two category centres, so a one-bucket gap is visible too).
 */
export function bandOf([first, last]: [number, number], length: number): [number, number] {
  return [Math.max(0, first - 1), Math.min(length - 1, last + 1)];
}

const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : x ? [x] : []);

/**
 * The option with gaps made explicit: every line series straight and not joined over nulls, and,
 * on a category x axis, a "no data" band over each run of buckets that every series lacks.
 * Options without a category axis (pies, Lorenz curves) only get straight, unjoined lines.
 */
export function withGaps<O extends Option>(
  option: O,
  band = { color: 'rgba(128, 128, 128, 0.14)', text: '#8a93a8' },
): O {
  const series = asArray(option.series) as Series[];
  if (!series.length) return option;
  const lines = series.map((s) => (s.type === 'line' ? { ...s, smooth: false, connectNulls: false } : s));
  const axis = asArray(option.xAxis)[0] as { type?: unknown; data?: unknown[] } | undefined;
  const length = axis?.type === 'category' && Array.isArray(axis.data) ? axis.data.length : 0;
  const columns = lines.map((s) => (Array.isArray(s.data) ? (s.data as Value[]) : []));
  const runs = length ? gapRuns(columns, length) : [];
  if (runs.length && lines[0]) {
    lines[0] = {
      ...lines[0],
      markArea: {
        silent: true,
        itemStyle: { color: band.color },
        label: { show: true, position: 'insideTop', color: band.text, fontSize: 11 },
        data: runs.map((run) => {
          const [a, b] = bandOf(run, length);
          return [{ name: 'no data', xAxis: a }, { xAxis: b }];
        }),
      },
    };
  }
  return { ...option, series: Array.isArray(option.series) ? lines : lines[0] };
}
