/**
 * Participation figures that compare across DAOs (docs/METRICS.md, "Participation"). The older
 * participation rate (mean voters per proposal ÷ all distinct voters) depends on how long a DAO's
 * history is and how many one-off voters it had, so it is not comparable: 0.7% for a DAO with
 * a year of votes and 65% for one with a few months. These use fixed denominators instead.
 */
import { median } from './comparison.ts';
import { ratio } from './outcomes.ts';

/** Where the votable supply of a proposal comes from. */
export type SupplyBasis = 'token_supply' | 'holders';

/** One closed proposal with stored votes, and the votable supply at its snapshot when known. */
export interface ProposalParticipation {
  voters: number;
  vp_cast: number;
  /** Votable supply (> 0), or null when the DAO has neither token accounts nor holder snapshots. */
  supply: number | null;
}

export interface ParticipationFigures {
  /** Proposals the per-proposal figures are computed over (closed, with stored votes). */
  proposals_counted: number;
  median_voters_per_proposal: number | null;
  /** Mean over proposals with a known supply of min(1, VP cast ÷ supply). */
  turnout_vp: number | null;
  /** How many proposals turnout_vp is computed over. */
  turnout_proposals: number;
  /** Holders that voted ÷ holders; null without a holder list. */
  voter_holder_ratio: number | null;
}

/** min(1, VP cast ÷ votable supply); null when the supply is unknown or not positive. */
export function proposalTurnout(vpCast: number, supply: number | null): number | null {
  if (supply === null || !(supply > 0)) return null;
  return Math.min(1, Math.max(0, vpCast) / supply);
}

/**
 * The comparable participation figures of a set of proposals (each closed, with stored votes)
 * and of the holder list: `holders` addresses in it, `votingHolders` of them voted.
 */
export function participationFigures(
  proposals: readonly ProposalParticipation[],
  holders: { holders: number; votingHolders: number } | null,
): ParticipationFigures {
  const turnouts = proposals.map((p) => proposalTurnout(p.vp_cast, p.supply)).filter((t): t is number => t !== null);
  return {
    proposals_counted: proposals.length,
    median_voters_per_proposal: median(proposals.map((p) => p.voters)),
    turnout_vp: turnouts.length ? turnouts.reduce((a, b) => a + b, 0) / turnouts.length : null,
    turnout_proposals: turnouts.length,
    voter_holder_ratio: holders ? ratio(holders.votingHolders, holders.holders) : null,
  };
}
