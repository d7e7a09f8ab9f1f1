import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Choice,
  type ChoiceScore,
  isValidChoice,
  type ScoredVote,
  scoreProposal,
  type VotingType,
} from '../src/metrics/snapshot-scoring.ts';

const ALL_TYPES: VotingType[] = ['single-choice', 'approval', 'quadratic', 'ranked-choice', 'weighted', 'basic'];

function v(choice: unknown, votingPower: number): ScoredVote {
  return { choice: choice as Choice, votingPower };
}

function powers(scores: ChoiceScore[]): number[] {
  return scores.map((s) => s.votingPower);
}

function counts(scores: ChoiceScore[]): number[] {
  return scores.map((s) => s.votes);
}

function close(a: number, b: number, rel = 1e-9): boolean {
  return a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

function expectClose(actual: number[], expected: number[], rel = 1e-12): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!close(a, e, rel)) expect.fail(`index ${i}: ${a} is not within ${rel} (relative) of ${e}`);
  });
}

describe('scoreProposal: hand-computed examples', () => {
  it('single-choice gives each vote its whole power to its one choice', () => {
    const scores = scoreProposal('single-choice', 3, [v(1, 10), v(2, 5), v(1, 2.5), v(3, 0)]);
    expect(scores).toEqual([
      { choice: 1, votingPower: 12.5, votes: 2 },
      { choice: 2, votingPower: 5, votes: 1 },
      // a zero-power voter is still a voter
      { choice: 3, votingPower: 0, votes: 1 },
    ]);
  });

  it('basic counts like single-choice: 1 = For, 2 = Against, 3 = Abstain', () => {
    const scores = scoreProposal('basic', 3, [v(1, 100), v(2, 40), v(3, 7), v(1, 1), v(4, 1000), v(0, 1000)]);
    expect(powers(scores)).toEqual([101, 40, 7]);
    expect(counts(scores)).toEqual([2, 1, 1]);
  });

  it('approval gives the whole power to every approved choice', () => {
    const scores = scoreProposal('approval', 4, [
      v([1, 2], 10),
      v([2, 3], 5),
      v([], 7), // valid in Snapshot: approves nothing, counts toward no choice
      v([1, 1], 1000), // duplicate → invalid
      v([5], 1000), // out of range → invalid
    ]);
    // 1: 10; 2: 10 + 5; 3: 5; 4: nothing. Sum 30 > 22 cast: approval does not split.
    expect(powers(scores)).toEqual([10, 15, 5, 0]);
    expect(counts(scores)).toEqual([1, 2, 1, 0]);
  });

  it('weighted splits the power in proportion to the weights', () => {
    const scores = scoreProposal('weighted', 3, [
      v({ 1: 1, 2: 3 }, 100), // 25 / 75 / 0
      v({ 3: 2 }, 50), // 0 / 0 / 50
      v({ 1: 1, 2: 1, 3: 2 }, 20), // 5 / 5 / 10
      v({ 1: 0, 2: 2 }, 10), // 0 / 10 / 0 — a zero weight is allowed, but is not a vote for 1
      v({ 4: 1 }, 1000), // key out of range → invalid
      v({ 1: -1, 2: 2 }, 1000), // negative weight → invalid
      v({ 1: 0 }, 1000), // no positive weight → invalid
      v({}, 1000), // empty → invalid
    ]);
    // 1: 25 + 5 = 30; 2: 75 + 5 + 10 = 90; 3: 50 + 10 = 60; sum 180 = valid power.
    expectClose(powers(scores), [30, 90, 60]);
    expect(counts(scores)).toEqual([2, 3, 2]);
  });

  it('weighted: the same rescaling Snapshot does redistributes weight stored under a non-canonical key', () => {
    // {"01": 1, "2": 1} passes Snapshot's isValidChoice (Number("01") = 1) but Snapshot reads the
    // weight of choice 1 as choice["1"], so half of this ballot goes nowhere before rescaling:
    //   raw: 1: 0 + 10 = 10, 2: 5 + 0 = 5, 3: 0; raw sum 15, valid power 20
    //   rescaled: 1: 20 · 10/15 = 13.333…, 2: 20 · 5/15 = 6.666…
    const scores = scoreProposal('weighted', 3, [v({ '01': 1, '2': 1 }, 10), v({ 1: 1 }, 10)]);
    expectClose(powers(scores), [40 / 3, 20 / 3, 0]);
    expect(counts(scores)).toEqual([1, 1, 0]);
  });

  it('quadratic: √(share × power) per voter, squared per choice, rescaled to the valid power', () => {
    const scores = scoreProposal('quadratic', 3, [
      v({ 1: 1 }, 4), //        choice 1: √(1 · 4) = 2
      v({ 1: 1, 2: 1 }, 8), //  choice 1: √(½ · 8) = 2,  choice 2: √(½ · 8) = 2
      v({ 2: 1, 3: 3 }, 16), // choice 2: √(¼ · 16) = 2, choice 3: √(¾ · 16) = √12 = 2√3
      v({ 1: 0, 3: 0 }, 1000), // no positive weight → invalid, not part of the total either
    ]);
    // Σ√ per choice: 1: 2 + 2 = 4, 2: 2 + 2 = 4, 3: 2√3.
    // Squared: 16, 16, 12; sum 44. Valid power: 4 + 8 + 16 = 28.
    // Scores: 28 · 16/44 = 112/11 ≈ 10.1818, 112/11, 28 · 12/44 = 84/11 ≈ 7.6364 (sum 28).
    // (Weighted voting on the same ballots would give 8, 8, 12: QV moves power away from the
    // option backed by a single large voter.)
    expectClose(powers(scores), [112 / 11, 112 / 11, 84 / 11]);
    expect(counts(scores)).toEqual([2, 2, 1]);
  });

  it('ranked-choice: multi-round instant runoff, reporting final-round tallies', () => {
    const ballots = [
      v([1, 2, 3, 4], 40),
      v([2, 3, 1, 4], 25),
      v([3, 2, 1, 4], 20),
      v([4, 3, 2, 1], 15),
      v([1, 2, 3], 1000), // partial ranking → invalid in Snapshot
      v([1, 1, 2, 3], 1000), // duplicate → invalid
    ];
    // Round 1 (total 100): 1: 40, 2: 25, 3: 20, 4: 15. 40 ≤ 50, 4 options left → drop 4.
    //   [4,3,2,1] now counts for 3.
    // Round 2: 1: 40, 2: 25, 3: 20 + 15 = 35. 40 ≤ 50, 3 options left → drop 2.
    //   [2,3,1] now counts for 3.
    // Round 3: 1: 40, 3: 35 + 25 = 60 > 50 → stop. Eliminated options report 0.
    const scores = scoreProposal('ranked-choice', 4, ballots);
    expect(powers(scores)).toEqual([40, 0, 60, 0]);
    // votes = first preferences as cast, one per valid voter
    expect(counts(scores)).toEqual([1, 1, 1, 1]);
  });

  it('ranked-choice: an outright first-round majority reports plain first-preference totals', () => {
    const scores = scoreProposal('ranked-choice', 3, [v([1, 2, 3], 60), v([2, 3, 1], 30), v([3, 2, 1], 10)]);
    // 60 > 100 / 2 on round 1: nobody is eliminated, so the losers keep their tallies.
    expect(powers(scores)).toEqual([60, 30, 10]);
  });

  it('ranked-choice: a tie for last eliminates the lowest-numbered option', () => {
    // Round 1 (total 10): 1: 4, 2: 3, 3: 3 → 2 and 3 tie for last; Snapshot drops 2.
    // Round 2: 1: 4, 3: 3 + 3 = 6.
    const scores = scoreProposal('ranked-choice', 3, [v([1, 2, 3], 4), v([3, 2, 1], 3), v([2, 3, 1], 3)]);
    expect(powers(scores)).toEqual([4, 0, 6]);
  });

  it('ranked-choice: two options are never run off, even without a majority', () => {
    const scores = scoreProposal('ranked-choice', 2, [v([1, 2], 5), v([2, 1], 5)]);
    expect(powers(scores)).toEqual([5, 5]);
  });

  it('returns one zero entry per choice when there are no (valid) votes', () => {
    for (const type of ALL_TYPES) {
      expect(scoreProposal(type, 2, [v('garbage', 5)])).toEqual([
        { choice: 1, votingPower: 0, votes: 0 },
        { choice: 2, votingPower: 0, votes: 0 },
      ]);
    }
  });

  it('derives nothing when the number of choices is unknown (0)', () => {
    for (const type of ALL_TYPES) {
      expect(scoreProposal(type, 0, [v(1, 5), v([1], 5), v({ 1: 1 }, 5)])).toEqual([]);
    }
  });

  it('rejects a negative or fractional choicesCount as a caller bug', () => {
    expect(() => scoreProposal('single-choice', -1, [])).toThrow(RangeError);
    expect(() => scoreProposal('single-choice', 1.5, [])).toThrow(RangeError);
  });
});

describe('isValidChoice follows Snapshot', () => {
  it('single-choice and basic: an integer 1..n', () => {
    for (const type of ['single-choice', 'basic'] as const) {
      expect(isValidChoice(type, 3, 1)).toBe(true);
      expect(isValidChoice(type, 3, 3)).toBe(true);
      for (const bad of [0, 4, -1, 1.5, Number.NaN, '1', [1], { 1: 1 }, null, undefined]) {
        expect(isValidChoice(type, 3, bad)).toBe(false);
      }
    }
  });

  it('approval: distinct integers 1..n, empty allowed', () => {
    expect(isValidChoice('approval', 3, [])).toBe(true);
    expect(isValidChoice('approval', 3, [3, 1])).toBe(true);
    for (const bad of [[1, 1], [0], [4], [1.5], ['1'], 1, { 1: 1 }, null]) {
      expect(isValidChoice('approval', 3, bad)).toBe(false);
    }
  });

  it('ranked-choice: a full ranking of all n choices', () => {
    expect(isValidChoice('ranked-choice', 3, [2, 3, 1])).toBe(true);
    for (const bad of [[], [1, 2], [1, 2, 2], [1, 2, 4], [1, 2, 3, 4], [0, 1, 2], 1, { 1: 1 }]) {
      expect(isValidChoice('ranked-choice', 3, bad)).toBe(false);
    }
  });

  it('weighted and quadratic: in-range keys, weights >= 0, at least one > 0', () => {
    for (const type of ['weighted', 'quadratic'] as const) {
      expect(isValidChoice(type, 3, { 1: 1 })).toBe(true);
      expect(isValidChoice(type, 3, { 1: 0, 3: 0.5 })).toBe(true);
      expect(isValidChoice(type, 3, { '01': 1 })).toBe(true); // Snapshot checks Number(key)
      for (const bad of [{}, { 1: 0 }, { 1: -1, 2: 2 }, { 4: 1 }, { 0: 1 }, { 1: '2' }, { a: 1 }, [1], null, 1]) {
        expect(isValidChoice(type, 3, bad)).toBe(false);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const powerArb = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e9, noNaN: true, noDefaultInfinity: true }));
const intPowerArb = fc.integer({ min: 0, max: 1_000_000 });

function junkArb(n: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer({ min: -1, max: n + 2 }),
    fc.double({ noNaN: false }),
    fc.constant('1'),
    fc.constant(null),
    fc.array(fc.integer({ min: -1, max: n + 1 }), { maxLength: n + 1 }),
    fc.dictionary(fc.integer({ min: -1, max: n + 1 }).map(String), fc.double({ min: -5, max: 5, noNaN: true }), {
      maxKeys: n + 1,
    }),
  );
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** A choice arbitrary per type: mostly valid ones, plus junk that is usually invalid. */
function choiceArb(type: VotingType, n: number): fc.Arbitrary<unknown> {
  let valid: fc.Arbitrary<unknown>;
  switch (type) {
    case 'single-choice':
    case 'basic':
      valid = fc.integer({ min: 1, max: n });
      break;
    case 'approval':
      valid = fc.uniqueArray(fc.integer({ min: 1, max: n }), { maxLength: n });
      break;
    case 'ranked-choice':
      valid = fc.shuffledSubarray(range(n), { minLength: n, maxLength: n });
      break;
    case 'weighted':
    case 'quadratic':
      valid = fc.dictionary(
        fc.integer({ min: 1, max: n }).map(String),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e3, noNaN: true })),
        { minKeys: 1, maxKeys: n },
      );
      break;
  }
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: junkArb(n), weight: 1 });
}

function ballotsArb(
  type: VotingType,
  power: fc.Arbitrary<number> = powerArb,
  choice: (n: number) => fc.Arbitrary<unknown> = (n) => choiceArb(type, n),
): fc.Arbitrary<{ n: number; votes: ScoredVote[] }> {
  return fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      votes: fc.array(
        fc.record({ choice: choice(n), votingPower: power }).map((r) => v(r.choice, r.votingPower)),
        { maxLength: 30 },
      ),
    }),
  );
}

function validPower(type: VotingType, n: number, votes: ScoredVote[]): number {
  return votes.filter((x) => isValidChoice(type, n, x.choice)).reduce((a, x) => a + x.votingPower, 0);
}

describe('properties', () => {
  const sumTypes: Array<[string, VotingType, ((n: number) => fc.Arbitrary<unknown>) | undefined]> = [
    ['single-choice', 'single-choice', undefined],
    ['basic', 'basic', undefined],
    ['weighted', 'weighted', undefined],
    ['quadratic', 'quadratic', undefined],
    [
      'approval with one approved choice per ballot',
      'approval',
      (n) =>
        fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: n }).map((c) => [c]), weight: 4 },
          // invalid junk only: a valid [] or multi-approval ballot would break the premise
          { arbitrary: junkArb(n).filter((c) => !isValidChoice('approval', n, c)), weight: 1 },
        ),
    ],
  ];

  for (const [label, type, choice] of sumTypes) {
    it(`${label}: scores sum to the total power of the valid votes`, () => {
      fc.assert(
        fc.property(ballotsArb(type, powerArb, choice), ({ n, votes }) => {
          const total = validPower(type, n, votes);
          const sum = scoreProposal(type, n, votes).reduce((a, s) => a + s.votingPower, 0);
          expect(close(sum, total)).toBe(true);
        }),
      );
    });
  }

  for (const type of ALL_TYPES) {
    it(`${type}: scores are invariant under a permutation of the votes`, () => {
      // Integer powers for ranked-choice: float sums in another order could flip an exact tie.
      const power = type === 'ranked-choice' ? intPowerArb : powerArb;
      fc.assert(
        fc.property(
          ballotsArb(type, power).chain(({ n, votes }) =>
            fc.record({
              n: fc.constant(n),
              votes: fc.constant(votes),
              shuffled: fc.shuffledSubarray(votes, { minLength: votes.length, maxLength: votes.length }),
            }),
          ),
          ({ n, votes, shuffled }) => {
            const a = scoreProposal(type, n, votes);
            const b = scoreProposal(type, n, shuffled);
            expect(counts(b)).toEqual(counts(a));
            if (type === 'ranked-choice') expect(powers(b)).toEqual(powers(a));
            else expectClose(powers(b), powers(a), 1e-9);
          },
        ),
      );
    });
  }

  for (const type of ['single-choice', 'basic', 'approval', 'weighted', 'quadratic'] as const) {
    it(`${type}: scaling every voting power by k scales every score by k`, () => {
      fc.assert(
        fc.property(ballotsArb(type), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ n, votes }, k) => {
          const base = scoreProposal(type, n, votes);
          const scaled = scoreProposal(
            type,
            n,
            votes.map((x) => v(x.choice, x.votingPower * k)),
          );
          expectClose(
            powers(scaled),
            powers(base).map((p) => p * k),
            1e-9,
          );
          expect(counts(scaled)).toEqual(counts(base));
        }),
      );
    });
  }

  it('ranked-choice: scaling by a power of two (exact in floating point) scales every score', () => {
    fc.assert(
      fc.property(
        ballotsArb('ranked-choice', intPowerArb),
        fc.integer({ min: -8, max: 8 }).map((e) => 2 ** e),
        ({ n, votes }, k) => {
          const base = scoreProposal('ranked-choice', n, votes);
          const scaled = scoreProposal(
            'ranked-choice',
            n,
            votes.map((x) => v(x.choice, x.votingPower * k)),
          );
          expect(powers(scaled)).toEqual(powers(base).map((p) => p * k));
        },
      ),
    );
  });

  it('invalid votes never change the result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_TYPES).chain((type) => fc.record({ type: fc.constant(type), b: ballotsArb(type) })),
        ({ type, b: { n, votes } }) => {
          const onlyValid = votes.filter((x) => isValidChoice(type, n, x.choice));
          expect(scoreProposal(type, n, votes)).toEqual(scoreProposal(type, n, onlyValid));
        },
      ),
    );
  });
});
