import type { ProposalSummary } from '../api/types.ts';
import { formatNumber, formatPercent, plural } from './format.ts';

/**
 * How many votes a proposal has, as the source counts them, and how many of them are stored here:
 * a votes file that covers part of a DAO's history must not make a voted proposal read "0 votes".
 */
export function votesLabel(p: Pick<ProposalSummary, 'votes_count' | 'votes_stored'>): string {
  const total = plural(p.votes_count, 'vote');
  if (p.votes_stored >= p.votes_count) return total;
  return p.votes_stored === 0 ? `${total} (none stored)` : `${total} (${formatNumber(p.votes_stored)} stored)`;
}

/** "Passed", "Failed", or null while open or unknown. */
export function outcomeLabel(p: Pick<ProposalSummary, 'outcome'>): string | null {
  return p.outcome === 'passed' ? 'Passed' : p.outcome === 'failed' ? 'Failed' : null;
}

/** The winning (or, while open, leading) choice with its share and margin, e.g. "For · 82% (margin 64%)". */
export function winnerLabel(p: Pick<ProposalSummary, 'winner' | 'choices'>): string | null {
  const w = p.winner;
  if (!w) return null;
  const label = w.label ?? p.choices[w.choice - 1] ?? `Choice ${w.choice}`;
  return `${label} · ${formatPercent(w.share)} (margin ${formatPercent(w.margin)})`;
}

/** Where the tallies come from, in words; null when they are the complete stored votes. */
export function tallySourceNote(
  p: Pick<ProposalSummary, 'tally_source' | 'votes_count' | 'votes_stored' | 'scores_total'>,
): string | null {
  switch (p.tally_source) {
    case 'source_scores':
      return "Results are the source's own scores: not every vote is stored here.";
    case 'some_votes':
      return `Partial: computed from ${formatNumber(p.votes_stored)} of ${formatNumber(p.votes_count)} votes; not the result.`;
    case 'all_votes':
      return null;
    default:
      return p.votes_count > 0
        ? `The source counts ${plural(p.votes_count, 'vote')}; none is stored here${p.scores_total !== null ? ', so only the total power cast is known' : ''}.`
        : null;
  }
}
