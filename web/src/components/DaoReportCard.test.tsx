// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignedInHint } from '../api/account.ts';
import { setCsrfToken } from '../api/client.ts';
import type { DaoReportResponse, ReportFigures } from '../api/types.ts';
import { meOf, stubApi } from '../test/api-stub.ts';
import { renderInApp } from '../test/render.tsx';
import { DaoReportCard, defaultReportWindow } from './DaoReportCard.tsx';

const figures: ReportFigures = {
  dao: { id: 4, slug: 'uniswap', name: 'Uniswap' },
  window: { from: '2025-12-04T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z', days: 90 },
  summary: { proposals: 7, votes: 1954, voters: 812, new_voters: 90, returning_voters: 722, retention: null },
  outcomes: {
    closed: 6,
    decided: 5,
    passed: 4,
    failed: 1,
    undecided: 1,
    pass_rate: 0.8,
    avg_margin: 0.31,
    contested: 0,
  },
  participation: {
    closed_proposals: 6,
    mean_voters_per_proposal: 120.5,
    median_voters_per_proposal: 101,
    participation_rate: null,
    turnout_vp: null,
    turnout_basis: null,
    voter_holder_ratio: null,
    holders: null,
    voting_holders: null,
  },
  concentration: { voters: null, holders: null, delegates: null },
  treasury: { total_usd: null, change_usd: null, change_pct: null, runway_months: null },
};

const report = (over: Partial<DaoReportResponse> = {}): DaoReportResponse => ({
  id: 9,
  dao_id: 4,
  provider: 'offline',
  model: 'textrank-wink-1',
  prompt_version: 'dao-report/1',
  input_hash: 'cd'.repeat(32),
  priority: null,
  fallback_reason: null,
  input_tokens: 0,
  output_tokens: 0,
  cost_usd: '0',
  created_at: '2026-03-03T09:00:00.000Z',
  headline: '4 of 6 closed proposals passed <script>window.pwned = 1</script>',
  paragraphs: ['See [more](javascript:window.pwned=2) <img src=x onerror="window.pwned=3"> about **1,954** votes.'],
  figures,
  ...over,
});

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
  (window as unknown as { pwned?: number }).pwned = undefined;
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the DAO report panel', () => {
  it('asks for the last 90 days, shows provider, model and date, renders sanitized and shows — for unknown figures', async () => {
    const asked: URLSearchParams[] = [];
    stubApi({
      'GET /daos/uniswap/report': ({ url }: { url: URL }) => {
        asked.push(url.searchParams);
        return { body: { status: 'success', data: report() } };
      },
    });
    renderInApp(<DaoReportCard dao="uniswap" />);
    const meta = await screen.findByTestId('report-meta');
    expect(meta.textContent).toContain('offline · textrank-wink-1 ·');
    expect(meta.textContent).toContain('2026');
    // The default window: 90 whole days through today, sent as [from, to).
    const { from, through } = defaultReportWindow();
    const dayAfter = new Date(Date.parse(`${through}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(Object.fromEntries(asked[0]!)).toEqual({ from, to: dayAfter });
    expect((Date.parse(dayAfter) - Date.parse(from)) / 86_400_000).toBe(90);
    const panel = screen.getByTestId('report');
    expect(panel.querySelector('script')).toBeNull();
    expect(panel.querySelector('img')).toBeNull();
    expect(panel.querySelector('[onerror]')).toBeNull();
    expect(panel.innerHTML).not.toContain('javascript:');
    expect(panel.querySelector('strong')?.textContent).toBe('1,954');
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    const cells = Object.fromEntries(
      [...screen.getByTestId('report-figures').querySelectorAll('div')].map((row) => [
        row.querySelector('dt')!.textContent,
        row.querySelector('dd')!.textContent,
      ]),
    );
    expect(cells).toMatchObject({
      Votes: '1,954',
      'Passed / failed / undecided': '4 / 1 / 1',
      'Pass rate': '80%',
      'VP turnout': '—',
      'Voter Gini': '—',
      'Top 10 holders': '—',
      Treasury: '—',
    });
    // Readers get no button.
    expect(screen.queryByTestId('new-report')).toBeNull();
  });

  it('asks again for the window picked', async () => {
    const asked: Record<string, string>[] = [];
    stubApi({
      'GET /daos/uniswap/report': ({ url }: { url: URL }) => {
        asked.push(Object.fromEntries(url.searchParams));
        return { body: { status: 'success', data: report() } };
      },
    });
    renderInApp(<DaoReportCard dao="uniswap" />);
    await screen.findByTestId('report');
    fireEvent.change(screen.getByTestId('report-from'), { target: { value: '2025-01-01' } });
    fireEvent.change(screen.getByTestId('report-through'), { target: { value: '2025-06-30' } });
    await waitFor(() => expect(asked.at(-1)).toEqual({ from: '2025-01-01', to: '2025-07-01' }));
  });

  it('lets an editor ask for a new report along the AI route and shows it', async () => {
    setSignedInHint(true);
    const asked: Record<string, string>[] = [];
    stubApi({
      'GET /auth/me': meOf('editor'),
      'GET /daos/uniswap/report': ({ url }: { url: URL }) => {
        asked.push(Object.fromEntries(url.searchParams));
        const fresh = url.searchParams.get('priority') === 'balanced';
        return {
          body: {
            status: 'success',
            data: fresh
              ? report({
                  id: 10,
                  provider: 'openai',
                  model: 'gpt-4.1-mini',
                  fallback_reason: null,
                  priority: 'balanced',
                })
              : report(),
          },
        };
      },
    });
    renderInApp(<DaoReportCard dao="uniswap" />);
    fireEvent.click(await screen.findByTestId('new-report'));
    await waitFor(() => expect(screen.getByTestId('report-meta').textContent).toContain('openai · gpt-4.1-mini'));
    expect(asked.at(-1)?.priority).toBe('balanced');
  });
});
