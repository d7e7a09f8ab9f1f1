import type { ComparedSummary, Dao } from '../api/types.ts';
import { formatNumber, formatPercent, formatUsd, toNumber } from './format.ts';
import { rank } from './shape.ts';

/** The KPIs compared side by side: where to read each one, how to show it, which way is better. */
export interface Metric {
  path: string;
  label: string;
  /** What the figure divides by or is computed over, shown beside it. */
  basis?: (summary: ComparedSummary | undefined, dao: Dao) => string | null;
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
    // No votes in the data: unknown, not 0 members (and not ranked).
    fromDao: (d) => (d.total_votes === 0 ? null : d.total_members),
  },
  {
    path: 'activity.proposals',
    label: 'Proposals',
    format: formatNumber,
    higherIsBetter: true,
    fromDao: (d) => d.total_proposals,
  },
  {
    path: 'activity.votes',
    label: 'Votes',
    format: formatNumber,
    higherIsBetter: true,
    fromDao: (d) => (d.total_votes === 0 && d.total_proposals === 0 ? null : d.total_votes),
  },
  // Participation on fixed denominators (docs/METRICS.md); each row says what it divides by.
  {
    path: 'participation.turnout_vp',
    label: 'VP turnout',
    format: (v) => formatPercent(v),
    higherIsBetter: true,
    fromDao: (d) => toNumber(d.turnout_vp),
    basis: (s, d) => {
      const basis = s?.participation?.turnout_basis ?? d.turnout_basis;
      if (!basis) return null;
      const of = basis === 'token_supply' ? 'token supply' : "listed holders' balance";
      return s?.participation ? `of ${of}, ${s.participation.turnout_proposals} proposals` : `of ${of}`;
    },
  },
  {
    path: 'participation.voter_holder_ratio',
    label: 'Holders who voted',
    format: (v) => formatPercent(v),
    higherIsBetter: true,
    fromDao: (d) => toNumber(d.voter_holder_ratio),
    basis: (s) => (s?.participation?.holders ? `of ${formatNumber(s.participation.holders)} listed holders` : null),
  },
  {
    path: 'participation.median_voters_per_proposal',
    label: 'Median voters / proposal',
    format: formatNumber,
    higherIsBetter: true,
    fromDao: (d) => toNumber(d.median_voters),
    basis: (s) => (s?.participation ? `over ${s.participation.closed_proposals} proposals with votes` : null),
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
  { path: 'concentration.voters.nakamoto', label: 'Nakamoto (voters)', format: formatNumber, higherIsBetter: true },
  {
    path: 'concentration.holders.nakamoto',
    label: 'Nakamoto (holders)',
    format: formatNumber,
    higherIsBetter: true,
  },
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
  /** Per DAO, what the value divides by (null: nothing to say). */
  bases: (string | null)[];
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
    // A value the data does not know is never ranked.
    const ranks = values.map((v, i) => (v === null ? null : (serverRanks?.[i]?.[metric.path] ?? computed[i] ?? null)));
    const bases = daos.map((d, i) => metric.basis?.(summaries[i], d) ?? null);
    return { metric, values, ranks, bases };
  }).filter((row) => row.values.some((v) => v !== null));
}
