import { classifyChoice, proposalOutcome } from './outcomes.ts';

/**
 * How often a voter sided with the outcome (docs/METRICS.md, "Voter alignment"). A vote counts
 * when its proposal's outcome is known (proposalOutcome: passed or failed) and the vote is one
 * choice whose label is a For or an Against side: For on a passed or Against on a failed proposal
 * is "with the outcome". Abstentions, multi-option polls and split votes have no side and are
 * not counted; nothing counted gives a null rate, not 0.
 */

export interface AlignmentInput {
  choice: unknown;
  state: string;
  choices: readonly string[];
  scores: readonly string[] | null;
  quorum: string | null;
}

export interface VoteAlignment {
  outcome: 'passed' | 'failed' | null;
  withOutcome: boolean | null;
}

/** The label of a single-choice vote (1-based index); null for other encodings or an unknown index. */
export function choiceLabel(choice: unknown, choices: readonly string[]): string | null {
  return typeof choice === 'number' && Number.isInteger(choice) ? (choices[choice - 1] ?? null) : null;
}

export function voteAlignment(v: AlignmentInput): VoteAlignment {
  const { outcome } = proposalOutcome({
    state: v.state,
    choices: v.choices,
    scores: v.scores ? v.scores.map(Number) : null,
    quorum: v.quorum === null ? null : Number(v.quorum),
  });
  if (outcome === null) return { outcome, withOutcome: null };
  const side = classifyChoice(choiceLabel(v.choice, v.choices));
  if (side !== 'for' && side !== 'against') return { outcome, withOutcome: null };
  return { outcome, withOutcome: (side === 'for') === (outcome === 'passed') };
}

export interface AlignmentSummary {
  counted: number;
  with_outcome: number;
  rate: number | null;
}

export function summarizeAlignment(votes: readonly AlignmentInput[]): AlignmentSummary {
  let counted = 0;
  let withOutcome = 0;
  for (const v of votes) {
    const a = voteAlignment(v).withOutcome;
    if (a === null) continue;
    counted += 1;
    if (a) withOutcome += 1;
  }
  return { counted, with_outcome: withOutcome, rate: counted > 0 ? withOutcome / counted : null };
}
