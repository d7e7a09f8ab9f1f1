/**
 * Ranking DAOs against each other (docs/METRICS.md, "Comparison"): per metric path, 1 = best,
 * with the direction given per metric; DAOs without a value get no rank; ties share the best rank.
 */

/** Metric paths compared, with whether a larger value is better. */
export const COMPARED_METRICS: ReadonlyArray<readonly [string, 'higher' | 'lower']> = [
  ['activity.proposals', 'higher'],
  ['activity.votes', 'higher'],
  ['activity.voters', 'higher'],
  ['activity.new_voters', 'higher'],
  ['activity.retention', 'higher'],
  // Participation on fixed denominators only (docs/METRICS.md): the participation rate divides by
  // all voters ever seen, which grows with the length of the history, so it is not ranked.
  ['participation.turnout_vp', 'higher'],
  ['participation.voter_holder_ratio', 'higher'],
  ['participation.median_voters_per_proposal', 'higher'],
  ['outcomes.pass_rate', 'higher'],
  ['outcomes.avg_margin', 'higher'],
  ['concentration.voters.gini', 'lower'],
  ['concentration.voters.hhi', 'lower'],
  ['concentration.voters.nakamoto', 'higher'],
  ['concentration.voters.top10_share', 'lower'],
  ['concentration.holders.gini', 'lower'],
  ['concentration.holders.nakamoto', 'higher'],
  ['concentration.delegates.gini', 'lower'],
  ['concentration.delegates.nakamoto', 'higher'],
  ['delegates.count', 'higher'],
  ['treasury.total_usd', 'higher'],
  ['treasury.stablecoin_share', 'higher'],
  ['treasury.runway_months', 'higher'],
];

/** Value at a dotted path, or null when missing or not a finite number. */
export function valueAt(obj: unknown, path: string): number | null {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
}

/** Competition ranks ("1224"): rank = 1 + number of values strictly better. */
export function ranks(values: ReadonlyArray<number | null>, better: 'higher' | 'lower'): Array<number | null> {
  return values.map((v) => {
    if (v === null) return null;
    let r = 1;
    for (const o of values) if (o !== null && (better === 'higher' ? o > v : o < v)) r++;
    return r;
  });
}

/** Median of the known values, or null when none. */
export function median(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = known.length >> 1;
  return known.length % 2 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2;
}
