/**
 * Proposal outcomes: whether a closed proposal passed, and by how much it was decided.
 * Pure; the formulas are in docs/METRICS.md ("Outcomes").
 */

import { type ProposalState, stateOutcome } from './proposal-states.ts';

export type ChoiceClass = 'for' | 'against' | 'abstain';

// Kept identical to the SQL function dp_choice_class (migration 0030): both classify vote labels.
const FOR = /^(for|yes|yea|yae|aye|in favou?r|approve)([^a-z]|$)/;
const AGAINST = /^(against|no|nay|reject)([^a-z]|$)/;
const ABSTAIN = /^abstain/;

/** Which side a choice label stands for ("For", "Yes, fund it", "NAY" ...), or null for any other option. */
export function classifyChoice(label: string | null | undefined): ChoiceClass | null {
  if (label === null || label === undefined) return null;
  const l = label.trim().toLowerCase();
  if (FOR.test(l)) return 'for';
  if (AGAINST.test(l)) return 'against';
  if (ABSTAIN.test(l)) return 'abstain';
  return null;
}

/** Source states that settle the outcome on their own (Snapshot, Governor, Aragon, Decentraland...). */
export const PASSED_STATES: ReadonlySet<string> = new Set([
  'executed',
  'passed',
  'enacted',
  'succeeded',
  'queued',
  'accepted',
  // Decentraland: the vote passed; the grants budget could not fund it.
  'out_of_budget',
]);
export const FAILED_STATES: ReadonlySet<string> = new Set(['defeated', 'rejected', 'failed', 'vetoed', 'expired']);
/** States of a proposal still open, or withdrawn: their outcome is never known. */
export const OPEN_STATES: ReadonlySet<string> = new Set(['active', 'pending', 'canceled', 'cancelled']);

export interface OutcomeInput {
  state: string;
  /** Choice labels in order (1-based choice i is choices[i - 1]). */
  choices: readonly string[];
  /** Power per choice in the same order, or null when unknown. */
  scores: readonly number[] | null;
  /** Least total power for a valid vote (Snapshot's quorum), or null for none. */
  quorum: number | null;
}

export interface Outcome {
  outcome: 'passed' | 'failed' | null;
  /** Winning margin in [0, 1], or null when there are no scores to measure it. */
  margin: number | null;
}

/**
 * Outcome: a source state in PASSED_STATES / FAILED_STATES decides. Otherwise, for a proposal that is
 * not open and whose choices include a For side and an Against side: passed when For power >
 * Against power and the total power reaches the quorum (if any), else failed. Anything else
 * (multi-option polls, no scores) is unknown.
 *
 * Margin: for a For/Against proposal |For − Against| / (For + Against); for other proposals
 * (largest − second largest score) / total score. Null without positive scores.
 */
export function proposalOutcome(input: OutcomeInput): Outcome {
  const state = input.state.trim().toLowerCase();
  const scores = input.scores && input.scores.length > 0 ? input.scores : null;
  let forVp = 0;
  let againstVp = 0;
  let sides = 0;
  if (scores) {
    const seen = new Set<ChoiceClass>();
    input.choices.forEach((label, i) => {
      const cls = classifyChoice(label);
      const s = scores[i] ?? 0;
      if (cls === 'for') forVp += s;
      if (cls === 'against') againstVp += s;
      if (cls === 'for' || cls === 'against') seen.add(cls);
    });
    sides = seen.size;
  }
  const binary = sides === 2;
  let margin: number | null = null;
  if (scores) {
    if (binary) {
      margin = forVp + againstVp > 0 ? Math.abs(forVp - againstVp) / (forVp + againstVp) : null;
    } else {
      const sorted = [...scores].sort((a, b) => b - a);
      const total = sorted.reduce((a, b) => a + b, 0);
      margin = total > 0 ? ((sorted[0] ?? 0) - (sorted[1] ?? 0)) / total : null;
    }
  }
  if (PASSED_STATES.has(state)) return { outcome: 'passed', margin };
  if (FAILED_STATES.has(state)) return { outcome: 'failed', margin };
  if (OPEN_STATES.has(state) || !scores || !binary) return { outcome: null, margin };
  const total = scores.reduce((a, b) => a + b, 0);
  const quorumMet = input.quorum === null || total >= input.quorum;
  return { outcome: forVp > againstVp && quorumMet ? 'passed' : 'failed', margin };
}

/** Margin below which a decided proposal counts as contested. */
export const CONTESTED_MARGIN = 0.1;

export interface OutcomeSummary {
  closed: number;
  decided: number;
  passed: number;
  pass_rate: number | null;
  avg_margin: number | null;
  contested: number;
}

/** Outcomes over closed proposals: pass rate over decided ones, mean margin and contested count over decided ones with a margin. */
export function summarizeOutcomes(closed: readonly Outcome[]): OutcomeSummary {
  const decided = closed.filter((o) => o.outcome !== null);
  const passed = decided.filter((o) => o.outcome === 'passed').length;
  const margins = decided.map((o) => o.margin).filter((m): m is number => m !== null);
  return {
    closed: closed.length,
    decided: decided.length,
    passed,
    pass_rate: ratio(passed, decided.length),
    avg_margin: margins.length ? margins.reduce((a, b) => a + b, 0) / margins.length : null,
    contested: margins.filter((m) => m < CONTESTED_MARGIN).length,
  };
}

/** a ÷ b, or null when b is 0 (a ratio over nothing is undefined, not 0). */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/**
 * Where a proposal's per-choice tallies come from: every vote the source counted is stored
 * (`all_votes`); the source's own per-choice `scores` stand in when the stored votes are fewer
 * (`source_scores`); only part of the votes is stored and the source has no scores (`some_votes`,
 * a partial tally, not the result). Null when there is nothing to tally.
 */
export type TallySource = 'all_votes' | 'some_votes' | 'source_scores';

export function tallySource(input: {
  /** Votes stored for the proposal. */
  stored: number;
  /** The source's own vote count, or null when it does not say. */
  sourceCount: number | null;
  /** Whether the source gave per-choice scores. */
  hasScores: boolean;
}): TallySource | null {
  const complete = input.sourceCount === null || input.stored >= input.sourceCount;
  if (input.stored > 0 && complete) return 'all_votes';
  if (input.hasScores) return 'source_scores';
  if (input.stored > 0) return 'some_votes';
  return null;
}

/** Whether the total power reaches the quorum; null when there is no quorum (none or 0) or no total. */
export function quorumReached(quorum: number | null, total: number | null): boolean | null {
  if (quorum === null || !(quorum > 0) || total === null) return null;
  return total >= quorum;
}

export interface Winner {
  /** 1-based choice index. */
  choice: number;
  label: string | null;
  /** The winning choice's share of the total power, in [0, 1]. */
  share: number;
  /** (winner − runner-up) ÷ total power, in [0, 1]. */
  margin: number;
}

/** The choice with the most power (ties: none wins), or null without positive scores. */
export function winningChoice(choices: readonly string[], scores: readonly number[] | null): Winner | null {
  if (!scores || scores.length === 0) return null;
  const total = scores.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const order = scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s);
  const [first, second] = order;
  if (!first || (second && second.s === first.s)) return null;
  return {
    choice: first.i + 1,
    label: choices[first.i] ?? null,
    share: first.s / total,
    margin: (first.s - (second?.s ?? 0)) / total,
  };
}

export interface ProposalResult {
  outcome: 'passed' | 'failed' | null;
  winner: Winner | null;
  quorum_reached: boolean | null;
}

/**
 * What an analyst reads first: the outcome (the source's when it settled one; for an ended
 * proposal without one, proposalOutcome over complete scores), the winning choice and whether the
 * quorum was reached. `scores` must be complete (all votes, or the source's scores), never a
 * partial tally; `total` is the power cast (the source's scores_total when the votes are missing).
 */
export function proposalResult(input: {
  state: ProposalState;
  choices: readonly string[];
  scores: readonly number[] | null;
  quorum: number | null;
  total: number | null;
}): ProposalResult {
  const settled = stateOutcome(input.state);
  const outcome =
    settled === 'passed' || settled === 'failed'
      ? settled
      : settled === 'undecided'
        ? proposalOutcome({ state: 'closed', choices: input.choices, scores: input.scores, quorum: input.quorum })
            .outcome
        : null;
  return {
    outcome,
    winner: winningChoice(input.choices, input.scores),
    quorum_reached: quorumReached(input.quorum, input.total),
  };
}
