/**
 * Snapshot's vote-counting rules for its six voting types, as a pure module.
 *
 * Source followed (read, not copied): repository `snapshot-labs/snapshot.js`
 *   - src/voting/index.ts        — the type → class map; `basic` is `SingleChoiceVoting`
 *                                  (there is no src/voting/basic.ts)
 *   - src/voting/singleChoice.ts — `isValidChoice`, `getScores`
 *   - src/voting/approval.ts     — `isValidChoice`, `getScores`
 *   - src/voting/weighted.ts     — `isValidChoice`, `percentageOfTotal`, `weightedPower`, `getScores`
 *   - src/voting/quadratic.ts    — `isValidChoice`, `calcPercentageOfSum`, `calcSqrt`,
 *                                  `calcReducedQuadraticScores`, `getScores`
 *   - src/voting/rankedChoice.ts — `isValidChoice`, `irv`, `getFinalRound`, `getScores`
 *   - src/voting/{quadratic,rankedChoice}.spec.js and src/schemas/vote.json for context
 * The versions followed are the current ones (static `isValidChoice`, weights may be 0 as long as
 * one is positive, ranked-choice rejects empty ballots), cross-checked against a recent published
 * build of the package that also contains `copeland`.
 *
 * Like Snapshot, every type first drops the votes whose choice fails that type's `isValidChoice`
 * and then counts only the rest. Voting power is used as given (Snapshot does not validate the
 * balance either: it comes from the hub's score computation).
 *
 * Sums are taken in vote order and, for weighted and quadratic, with the same operation order as
 * Snapshot, so that the numbers match what Snapshot shows rather than merely agreeing to rounding.
 */

export type VotingType = 'single-choice' | 'approval' | 'quadratic' | 'ranked-choice' | 'weighted' | 'basic';

/** 1-based choice indexes in Snapshot's encodings: a number, an array of numbers, or `{ "<index>": weight }`. */
export type Choice = number | number[] | Record<string, number>;

export interface ScoredVote {
  choice: Choice;
  votingPower: number;
}

export interface ChoiceScore {
  /** 1-based index into the proposal's choices. */
  choice: number;
  /** The score Snapshot reports for this choice. */
  votingPower: number;
  /** Voters whose vote counts toward this choice (see `scoreProposal` for the per-type meaning). */
  votes: number;
}

const VOTING_TYPES: ReadonlySet<string> = new Set<VotingType>([
  'single-choice',
  'approval',
  'quadratic',
  'ranked-choice',
  'weighted',
  'basic',
]);

/**
 * Snapshot checks an index with `proposal.choices[index - 1] !== undefined`; for a number that is
 * exactly "an integer from 1 to n" (fractions, 0, negatives, NaN and out-of-range all miss).
 */
function isChoiceIndex(choicesCount: number, value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= choicesCount;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Weighted and quadratic share Snapshot's object check. Keys are looked up as
 * `choices[Number(key) - 1]`, so a non-canonical key such as "01" or "1.0" passes validation
 * (the vote is kept) even though counting later reads only the canonical key "1" — see
 * `weightFor`. Weights must all be numbers >= 0 with at least one > 0: an all-zero ballot has
 * no direction to split the power in, so Snapshot rejects it rather than dividing by zero.
 */
function isValidWeightMap(choicesCount: number, choice: unknown): choice is Record<string, number> {
  if (!isPlainRecord(choice)) return false;
  const keys = Object.keys(choice);
  if (keys.length === 0) return false;
  if (!keys.every((key) => isChoiceIndex(choicesCount, Number(key)))) return false;
  const values = Object.values(choice);
  return (
    values.every((value) => typeof value === 'number' && value >= 0) &&
    values.some((value) => typeof value === 'number' && value > 0)
  );
}

/**
 * Whether Snapshot would count this choice for a proposal of the given type and number of
 * choices (its `isValidChoice`):
 *   - single-choice, basic: an integer 1..n (basic is Snapshot's single-choice class; with the
 *     usual three choices 1 = For, 2 = Against, 3 = Abstain).
 *   - approval: an array of distinct integers 1..n. The empty array is valid — approving nothing
 *     is a legitimate ballot in Snapshot (it counts toward participation, not toward any choice).
 *   - ranked-choice: a non-empty array of distinct integers 1..n that ranks every choice —
 *     Snapshot does not support partial rankings yet (its TODO), so a partial one is rejected,
 *     not padded.
 *   - weighted, quadratic: see `isValidWeightMap`.
 *
 * One deliberate narrowing: for approval and ranked-choice Snapshot's `choices[e - 1]` lookup
 * coerces, so it also accepts elements like "2" or `true`. Those are not numeric `Choice`s, so
 * this guard rejects them; official clients only ever send numbers.
 */
export function isValidChoice(type: VotingType, choicesCount: number, choice: unknown): choice is Choice {
  if (!Number.isInteger(choicesCount) || choicesCount < 0) return false;
  switch (type) {
    case 'single-choice':
    case 'basic':
      return isChoiceIndex(choicesCount, choice);
    case 'approval':
      return (
        Array.isArray(choice) &&
        choice.every((c) => isChoiceIndex(choicesCount, c)) &&
        new Set(choice).size === choice.length
      );
    case 'ranked-choice':
      return (
        Array.isArray(choice) &&
        choice.length > 0 &&
        choice.length === choicesCount &&
        choice.every((c) => isChoiceIndex(choicesCount, c)) &&
        new Set(choice).size === choice.length
      );
    case 'weighted':
    case 'quadratic':
      return isValidWeightMap(choicesCount, choice);
    default:
      return false;
  }
}

interface Tally {
  power: number[];
  votes: number[];
}

function emptyTally(choicesCount: number): Tally {
  return { power: new Array<number>(choicesCount).fill(0), votes: new Array<number>(choicesCount).fill(0) };
}

function add(values: number[], index: number, amount: number): void {
  values[index] = (values[index] ?? 0) + amount;
}

/** The whole power goes to the one chosen option: a single-choice ballot expresses nothing else. */
function scoreSingleChoice(choicesCount: number, votes: ReadonlyArray<{ choice: number; votingPower: number }>): Tally {
  const tally = emptyTally(choicesCount);
  for (const vote of votes) {
    add(tally.power, vote.choice - 1, vote.votingPower);
    add(tally.votes, vote.choice - 1, 1);
  }
  return tally;
}

/**
 * Approving is not splitting: every approved option receives the voter's full power, so scores
 * can sum to more than the total power cast.
 */
function scoreApproval(choicesCount: number, votes: ReadonlyArray<{ choice: number[]; votingPower: number }>): Tally {
  const tally = emptyTally(choicesCount);
  for (const vote of votes) {
    for (const c of vote.choice) {
      add(tally.power, c - 1, vote.votingPower);
      add(tally.votes, c - 1, 1);
    }
  }
  return tally;
}

/**
 * Snapshot reads the weight for option i as `choice[i]`, i.e. the canonical key only; a weight
 * stored under a key like "01" still counts in the ballot's denominator (all values) but never
 * toward an option. Missing keys give NaN downstream, which Snapshot's helpers turn into 0.
 */
function weightFor(choice: Record<string, number>, index1: number): number | undefined {
  return choice[String(index1)];
}

function sumOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Snapshot's `percentageOfTotal` / `calcPercentageOfSum`: a share, with 0 instead of NaN. */
function shareOf(part: number | undefined, whole: number, scale: number): number {
  const share = ((part as number) / whole) * scale;
  return Number.isNaN(share) ? 0 : share;
}

function countPositiveWeights(
  choicesCount: number,
  votes: ReadonlyArray<{ choice: Record<string, number> }>,
): number[] {
  const counts = new Array<number>(choicesCount).fill(0);
  for (const vote of votes) {
    for (let i = 0; i < choicesCount; i++) {
      const weight = weightFor(vote.choice, i + 1);
      if (weight !== undefined && weight > 0) add(counts, i, 1);
    }
  }
  return counts;
}

/**
 * Weights are relative, not absolute: a voter's power is split in proportion to their weights
 * (so {1: 1, 2: 3} and {1: 25, 2: 75} are the same ballot). Snapshot then rescales the per-option
 * sums so that they add up to the total power of the valid votes; normally that is a no-op, but it
 * redistributes the share of a ballot that sat under a non-canonical key.
 */
function scoreWeighted(
  choicesCount: number,
  votes: ReadonlyArray<{ choice: Record<string, number>; votingPower: number }>,
): Tally {
  const results: number[] = [];
  for (let i = 0; i < choicesCount; i++) {
    let sum = 0;
    for (const vote of votes) {
      const whole = sumOf(Object.values(vote.choice));
      sum += (shareOf(weightFor(vote.choice, i + 1), whole, 100) / 100) * vote.votingPower;
    }
    results.push(sum);
  }
  const validTotal = votes.reduce((a, vote) => a + vote.votingPower, 0);
  const resultsTotal = sumOf(results);
  return {
    power: results.map((r) => (validTotal / 100) * shareOf(r, resultsTotal, 100)),
    votes: countPositiveWeights(choicesCount, votes),
  };
}

/**
 * Quadratic voting as Snapshot defines it: each voter's power is split by weight as in weighted
 * voting, and each option's strength is (Σ over voters of √(share × power))², so many voters
 * count for more than one voter with the same total power. Those strengths are then only used as
 * proportions: Snapshot rescales them to sum to the total power of the valid votes so that quorum
 * and "percentage of votes" keep meaning the same thing as for the other types.
 */
function scoreQuadratic(
  choicesCount: number,
  votes: ReadonlyArray<{ choice: Record<string, number>; votingPower: number }>,
): Tally {
  const strengths: number[] = [];
  for (let i = 0; i < choicesCount; i++) {
    let sqrtSum = 0;
    for (const vote of votes) {
      const share = shareOf(weightFor(vote.choice, i + 1), sumOf(Object.values(vote.choice)), 1);
      sqrtSum += Math.sqrt(share * vote.votingPower);
    }
    strengths.push(sqrtSum * sqrtSum);
  }
  const validTotal = votes.reduce((a, vote) => a + vote.votingPower, 0);
  const strengthsTotal = sumOf(strengths);
  return {
    power: strengths.map((s) => validTotal * shareOf(s, strengthsTotal, 1)),
    votes: countPositiveWeights(choicesCount, votes),
  };
}

/**
 * Snapshot's instant runoff (`irv` in rankedChoice.ts). Each round, every ballot counts its full
 * power for its highest-ranked remaining option. Counting stops as soon as the leader has strictly
 * more than half of the power, or fewer than three options remain (so the last two are never
 * run off against each other); otherwise the option with the least power is struck from every
 * ballot. Ties for last are broken toward the lowest index (Snapshot walks the options in index
 * order and keeps the first strict minimum), which also makes the result independent of vote
 * order.
 *
 * The reported score of an option is its tally in the final round; options eliminated earlier
 * score 0, and options never eliminated keep whatever they had when counting stopped (an
 * outright first-round majority reports plain first-preference totals).
 */
function runInstantRunoff(
  choicesCount: number,
  ballots: ReadonlyArray<{ ranking: number[]; votingPower: number }>,
): number[] {
  let current = ballots.map((b) => ({ ranking: [...b.ranking], votingPower: b.votingPower }));
  for (;;) {
    const present = new Set<number>();
    for (const ballot of current) for (const c of ballot.ranking) present.add(c);
    // Snapshot keys its tally object by option index, so it iterates in ascending index order.
    const candidates = [...present].sort((a, b) => a - b);
    const tally = new Map<number, number>(candidates.map((c) => [c, 0]));
    for (const ballot of current) {
      const first = ballot.ranking[0];
      if (first !== undefined) tally.set(first, (tally.get(first) ?? 0) + ballot.votingPower);
    }

    let topCount = -Infinity;
    let bottom: number | undefined;
    let bottomCount = Infinity;
    for (const c of candidates) {
      const count = tally.get(c) ?? 0;
      if (count > topCount) topCount = count;
      if (count < bottomCount) {
        bottom = c;
        bottomCount = count;
      }
    }
    const totalPower = current.reduce((a, b) => a + b.votingPower, 0);

    if (topCount > totalPower / 2 || candidates.length < 3) {
      const scores = new Array<number>(choicesCount).fill(0);
      for (const [c, count] of tally) scores[c - 1] = count;
      return scores;
    }
    current = current
      .map((ballot) => ({ ranking: ballot.ranking.filter((c) => c !== bottom), votingPower: ballot.votingPower }))
      .filter((ballot) => ballot.ranking.length > 0);
  }
}

/**
 * Ranked-choice `votes` counts each voter once, under their first preference as cast (before any
 * elimination). It is therefore not the number of ballots behind the final-round score: an
 * eliminated option can have votes > 0 and a score of 0, and the winner's score usually includes
 * transferred ballots.
 */
function scoreRankedChoice(
  choicesCount: number,
  votes: ReadonlyArray<{ choice: number[]; votingPower: number }>,
): Tally {
  const firstPreferences = new Array<number>(choicesCount).fill(0);
  for (const vote of votes) {
    const first = vote.choice[0];
    if (first !== undefined) add(firstPreferences, first - 1, 1);
  }
  return {
    power: runInstantRunoff(
      choicesCount,
      votes.map((v) => ({ ranking: v.choice, votingPower: v.votingPower })),
    ),
    votes: firstPreferences,
  };
}

/** A float score as plain decimal text (no exponent), as every other voting power is written. */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(20).replace(/\.?0+$/, '') : text;
}

/**
 * The scores Snapshot reports for a proposal, one entry per choice 1..choicesCount, in order.
 *
 * Votes that fail `isValidChoice` are dropped first, exactly as Snapshot's `getValidVotes` does;
 * they contribute neither power nor a voter count anywhere (including the totals that weighted
 * and quadratic rescale to).
 *
 * `votes` per choice: single-choice/basic — voters who picked it; approval — voters who approved
 * it; weighted/quadratic — voters who gave it a weight > 0 (under its canonical key);
 * ranked-choice — voters whose first preference is it (see `scoreRankedChoice`).
 *
 * `choicesCount` 0 means the choice labels are unknown, so nothing can be attributed: returns [].
 * A negative or fractional `choicesCount` is a caller bug and throws a RangeError.
 */
export function scoreProposal(type: VotingType, choicesCount: number, votes: ScoredVote[]): ChoiceScore[] {
  if (!VOTING_TYPES.has(type)) throw new RangeError(`Unknown Snapshot voting type: ${String(type)}`);
  if (!Number.isInteger(choicesCount) || choicesCount < 0) {
    throw new RangeError(`choicesCount must be a non-negative integer, got ${choicesCount}`);
  }
  if (choicesCount === 0) return [];

  const valid = votes.filter((vote) => isValidChoice(type, choicesCount, vote.choice));
  let tally: Tally;
  switch (type) {
    case 'single-choice':
    case 'basic':
      tally = scoreSingleChoice(choicesCount, valid as Array<{ choice: number; votingPower: number }>);
      break;
    case 'approval':
      tally = scoreApproval(choicesCount, valid as Array<{ choice: number[]; votingPower: number }>);
      break;
    case 'weighted':
      tally = scoreWeighted(choicesCount, valid as Array<{ choice: Record<string, number>; votingPower: number }>);
      break;
    case 'quadratic':
      tally = scoreQuadratic(choicesCount, valid as Array<{ choice: Record<string, number>; votingPower: number }>);
      break;
    case 'ranked-choice':
      tally = scoreRankedChoice(choicesCount, valid as Array<{ choice: number[]; votingPower: number }>);
      break;
  }
  return tally.power.map((votingPower, i) => ({ choice: i + 1, votingPower, votes: tally.votes[i] ?? 0 }));
}
