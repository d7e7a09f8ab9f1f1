// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProposalDetail } from '../api/types.ts';
import { stubApi } from '../test/api-stub.ts';
import { renderInApp } from '../test/render.tsx';
import ProposalPage from './Proposal.tsx';

/** /proposals/1 of the shared data as the API serves it: the export counts 25 votes, none is in the votes file. */
const transitionPlan: ProposalDetail = {
  id: 1,
  dao_id: 1,
  dao_slug: 'decentraland',
  external_id: '0x969677c0497ff85158b9f9b3f27db3a3a1d99bfce7c680837608a1be470ecc08',
  source: 'snapshot',
  voting_type: 'single-choice',
  title: '**Decentraland DAO**: 2030 Transition Plan',
  author: '0x7bbea9c18cd0541acab8c19da2b11d0c03faef1c',
  choices: [],
  start: '2026-04-23T04:03:00.296Z',
  end: '2026-04-30T04:03:00.295Z',
  time_precision: 'second',
  state: 'closed',
  source_state: 'active',
  quorum: '1000000',
  snapshot_block: null,
  scores: null,
  scores_total: '1694263.29911499',
  votes_count: 25,
  votes_stored: 0,
  tally_source: null,
  outcome: null,
  winner: null,
  quorum_reached: true,
  discussion: 'https://forum.decentraland.org/t/25181',
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
  body: 'Decentraland DAO proposal of type `draft`.',
  tallies: [],
  voters: 0,
  voting_power_total: '0',
  source_url:
    'https://snapshot.org/#/snapshot.dcl.eth/proposal/0x969677c0497ff85158b9f9b3f27db3a3a1d99bfce7c680837608a1be470ecc08',
};

function renderProposal(detail: ProposalDetail) {
  stubApi({
    [`GET /proposals/${detail.id}`]: detail,
    [`GET /proposals/${detail.id}/votes`]: () => ({
      body: {
        status: 'success',
        data: [],
        pagination: { page: 1, per_page: 25, total: 0, pages: 0, next_cursor: null },
      },
    }),
    [`GET /proposals/${detail.id}/analysis`]: { analysis: null, job: null },
  });
  renderInApp(
    <Routes>
      <Route path="/proposals/:id" element={<ProposalPage />} />
    </Routes>,
    `/proposals/${detail.id}`,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the proposal page', () => {
  it("shows the source's vote count and total power where the votes are missing, never 'No votes yet' or a zero quorum", async () => {
    renderProposal(transitionPlan);
    const verdict = await screen.findByTestId('verdict');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Decentraland DAO: 2030 Transition Plan');
    expect(verdict.textContent).toContain('25 votes (none stored)');
    expect(verdict.textContent).toContain('QuorumReached');
    expect(verdict.textContent).toContain('OutcomeNot known');
    expect(screen.getByRole('link', { name: 'View on Snapshot' }).getAttribute('href')).toBe(transitionPlan.source_url);
    expect(screen.getByRole('link', { name: 'Discussion' }).getAttribute('href')).toBe(transitionPlan.discussion);
    expect(screen.getByTestId('tallies-missing').textContent).toContain('1.7M VP cast, per the source');
    expect(screen.getByTestId('quorum').textContent).toContain('1.7M / 1M VP');
    expect(screen.getByTestId('quorum').textContent).toContain('Quorum reached');
    expect(screen.queryByText('No votes yet')).toBeNull();
    expect(document.body.textContent).not.toMatch(/\b0 votes\b|Quorum 0/);
  });

  it('heads a decided proposal with its outcome, winner and margin, voting type and snapshot block', async () => {
    renderProposal({
      ...transitionPlan,
      id: 2,
      state: 'executed',
      choices: ['For', 'Against'],
      votes_count: 3,
      votes_stored: 3,
      tally_source: 'all_votes',
      outcome: 'passed',
      winner: { choice: 1, label: 'For', share: 0.75, margin: 0.5 },
      snapshot_block: 19000000,
      tallies: [
        { choice: 1, label: 'For', voting_power: '75', votes: 2 },
        { choice: 2, label: 'Against', voting_power: '25', votes: 1 },
      ],
      voters: 3,
      voting_power_total: '100',
      scores_total: '100',
    });
    const verdict = await screen.findByTestId('verdict');
    expect(verdict.textContent).toContain('OutcomePassed');
    expect(verdict.textContent).toContain('For · 75% (margin 50%)');
    expect(verdict.textContent).toContain('block 19000000');
    expect(verdict.textContent).toContain('3 votes');
    expect(screen.getByTestId('tallies').textContent).toContain('2 votes');
  });
});
