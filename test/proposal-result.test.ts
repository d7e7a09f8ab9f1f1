import { describe, expect, it } from 'vitest';
import { proposalResult, quorumReached, tallySource, winningChoice } from '../src/metrics/outcomes.ts';
import { PROPOSAL_STATES, stateOutcome } from '../src/metrics/proposal-states.ts';
import { explorerTxUrl } from '../src/sources/evm/chains.ts';

describe('where tallies come from, and what a proposal decided', () => {
  it('tells all votes from some votes from the source scores', () => {
    expect(tallySource({ stored: 25, sourceCount: 25, hasScores: false })).toBe('all_votes');
    expect(tallySource({ stored: 3, sourceCount: null, hasScores: false })).toBe('all_votes');
    expect(tallySource({ stored: 3, sourceCount: 25, hasScores: true })).toBe('source_scores');
    expect(tallySource({ stored: 3, sourceCount: 25, hasScores: false })).toBe('some_votes');
    expect(tallySource({ stored: 0, sourceCount: 25, hasScores: false })).toBeNull();
    expect(tallySource({ stored: 0, sourceCount: 0, hasScores: false })).toBeNull();
  });

  it('names the winner with share and margin, and no winner on a tie or without power', () => {
    expect(winningChoice(['For', 'Against', 'Abstain'], [60, 30, 10])).toEqual({
      choice: 1,
      label: 'For',
      share: 0.6,
      margin: 0.3,
    });
    expect(winningChoice(['a', 'b'], [5, 5])).toBeNull();
    expect(winningChoice(['a', 'b'], [0, 0])).toBeNull();
    expect(winningChoice(['a'], null)).toBeNull();
    expect(winningChoice([], [2, 7])).toMatchObject({ choice: 2, label: null });
  });

  it('reaches the quorum only with a quorum and a total', () => {
    expect(quorumReached(1_000_000, 1_694_263.3)).toBe(true);
    expect(quorumReached(1_000_000, 999_999)).toBe(false);
    expect(quorumReached(0, 5)).toBeNull();
    expect(quorumReached(null, 5)).toBeNull();
    expect(quorumReached(10, null)).toBeNull();
  });

  it('takes a settled outcome from the state, decides a closed For/Against vote from complete scores, and nothing open', () => {
    const base = { choices: ['For', 'Against'], quorum: 10, total: 20 };
    expect(proposalResult({ ...base, state: 'executed', scores: null }).outcome).toBe('passed');
    expect(proposalResult({ ...base, state: 'defeated', scores: [15, 5] }).outcome).toBe('failed');
    expect(proposalResult({ ...base, state: 'closed', scores: [15, 5] })).toEqual({
      outcome: 'passed',
      winner: { choice: 1, label: 'For', share: 0.75, margin: 0.5 },
      quorum_reached: true,
    });
    expect(proposalResult({ ...base, state: 'closed', scores: null }).outcome).toBeNull();
    expect(proposalResult({ ...base, state: 'active', scores: [15, 5] }).outcome).toBeNull();
    expect(proposalResult({ ...base, state: 'canceled', scores: [15, 5] }).outcome).toBeNull();
    // Every ended state is exactly one of passed, failed, undecided or canceled.
    expect(PROPOSAL_STATES.map((s) => [s, stateOutcome(s)])).toEqual([
      ['pending', 'open'],
      ['active', 'open'],
      ['closed', 'undecided'],
      ['passed', 'passed'],
      ['rejected', 'failed'],
      ['executed', 'passed'],
      ['queued', 'passed'],
      ['canceled', 'canceled'],
      ['defeated', 'failed'],
    ]);
  });
});

describe('links to the proposal at its source', () => {
  it("names the Governor transaction on the chain's block explorer, and nothing for a chain without one", () => {
    expect(explorerTxUrl('arbitrum', '0xabc')).toBe('https://arbiscan.io/tx/0xabc');
    expect(explorerTxUrl('1', '0xabc')).toBe('https://etherscan.io/tx/0xabc');
    expect(explorerTxUrl('optimism', '0xabc')).toBe('https://optimistic.etherscan.io/tx/0xabc');
    expect(explorerTxUrl('hardhat', '0xabc')).toBeNull();
    expect(explorerTxUrl('not a chain', '0xabc')).toBeNull();
  });
});
