import type { ComparedSummary, Dao } from '../api/types.ts';
import { formatNumber, formatPercent, formatUsd, toNumber } from './format.ts';
import { rank } from './shape.ts';

/** The KPIs compared side by side: where to read each one, how to show it, which way is better. */
export interface Metric {
  path: string;
  label: string;
  format: (v: number | null) => string;
  higherIsBetter: boolean;
  fromDao?: (d: Dao) => number | null;
}

export const METRICS: Metric[] = [
  {
    path: 'activity.voters',
    label: 'Members',
    format: formatNumber,
    higherIsBetter: true,
    fromDao: (d) => d.total_members,
  },
  {
    path: 'activity.proposals',
    label: 'Proposals',
    format: formatNumber,
    higherIsBetter: true,
    fromDao: (d) => d.total_proposals,
  },
  { path: 'activity.votes', label: 'Votes', format: formatNumber, higherIsBetter: true, fromDao: (d) => d.total_votes },
  {
    path: 'participation.participation_rate',
    label: 'Participation',
    format: (v) => formatPercent(v),
    higherIsBetter: true,
    fromDao: (d) => toNumber(d.participation_rate),
  },
  { path: 'outcomes.pass_rate', label: 'Pass rate', format: (v) => formatPercent(v), higherIsBetter: true },
  {
    path: 'treasury.total_usd',
    label: 'Treasury',
    format: formatUsd,
    higherIsBetter: true,
    fromDao: (d) => toNumber(d.treasury_value) || null,
  },
  {
    path: 'concentration.voters.gini',
    label: 'Gini (voters)',
    format: (v) => (v === null ? '—' : v.toFixed(3)),
    higherIsBetter: false,
  },
  { path: 'concentration.voters.nakamoto', label: 'Nakamoto', format: formatNumber, higherIsBetter: true },
];

export function readPath(summary: ComparedSummary | undefined, path: string): number | null {
  let value: unknown = summary;
  for (const key of path.split('.'))
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface CompareRow {
  metric: Metric;
  values: (number | null)[];
  ranks: (number | null)[];
}

/**
 * The side-by-side table: values from the comparison endpoint's summaries when present (with its
 * ranks), otherwise from the DAO records, ranked here.
 */
export function compareRows(
  daos: Dao[],
  summaries: (ComparedSummary | undefined)[],
  serverRanks?: (Record<string, number | null> | undefined)[],
): CompareRow[] {
  return METRICS.map((metric) => {
    const values = daos.map((d, i) => readPath(summaries[i], metric.path) ?? metric.fromDao?.(d) ?? null);
    const computed = rank(values, metric.higherIsBetter);
    const ranks = values.map((_, i) => serverRanks?.[i]?.[metric.path] ?? computed[i] ?? null);
    return { metric, values, ranks };
  }).filter((row) => row.values.some((v) => v !== null));
}
