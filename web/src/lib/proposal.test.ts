import { describe, expect, it } from 'vitest';
import { outcomeLabel, tallySourceNote, votesLabel, winnerLabel } from './proposal.ts';

describe('proposal labels', () => {
  it("says the source's vote count and how many are stored, never 0 for a voted proposal", () => {
    expect(votesLabel({ votes_count: 25, votes_stored: 0 })).toBe('25 votes (none stored)');
    expect(votesLabel({ votes_count: 3649, votes_stored: 1196 })).toBe('3,649 votes (1,196 stored)');
    expect(votesLabel({ votes_count: 12, votes_stored: 12 })).toBe('12 votes');
  });

  it('names the outcome, the winner with its margin, and where the tallies come from', () => {
    expect(outcomeLabel({ outcome: 'passed' })).toBe('Passed');
    expect(outcomeLabel({ outcome: null })).toBeNull();
    expect(
      winnerLabel({ winner: { choice: 1, label: null, share: 0.82, margin: 0.64 }, choices: ['For', 'Against'] }),
    ).toBe('For · 82% (margin 64%)');
    expect(winnerLabel({ winner: null, choices: [] })).toBeNull();
    const base = { votes_count: 25, votes_stored: 0, scores_total: '1694263.29911499' };
    expect(tallySourceNote({ ...base, tally_source: null })).toBe(
      'The source counts 25 votes; none is stored here, so only the total power cast is known.',
    );
    expect(tallySourceNote({ ...base, votes_stored: 5, tally_source: 'some_votes' })).toContain('5 of 25 votes');
    expect(tallySourceNote({ ...base, votes_stored: 25, tally_source: 'all_votes' })).toBeNull();
  });
});
