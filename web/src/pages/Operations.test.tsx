// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignedInHint } from '../api/account.ts';
import { setCsrfToken } from '../api/client.ts';
import type { MonitoringHealth, Role } from '../api/types.ts';
import { Layout } from '../components/Layout.tsx';
import { meOf, stubApi } from '../test/api-stub.ts';
import { alert } from '../test/notify-fixtures.ts';
import { renderInApp } from '../test/render.tsx';
import Operations from './Operations.tsx';

const health: MonitoringHealth = {
  status: 'degraded',
  timestamp: '2026-11-01T10:00:00.000Z',
  services: {
    database: { status: 'healthy', response_time: 3, error: null, kind: 'embedded', pool: null },
    redis: { status: 'disabled', response_time: null, error: null },
    queue: { status: 'healthy', response_time: 1, error: null, kind: 'in-process', jobs: null },
  },
  sources: [
    {
      dao: 'ens',
      source: 'snapshot',
      status: 'unhealthy',
      response_time: null,
      last_success: null,
      lag_seconds: null,
      behind: null,
      last_error: 'hub answered 502',
    },
  ],
  cache: { hit_rate: null, hits: 0, misses: 0 },
};

function renderOperations(role: Role) {
  setSignedInHint(true);
  const calls = stubApi({
    'GET /auth/me': meOf(role),
    'GET /alerts': [
      alert(),
      alert({
        rule: 'latency_p95',
        status: 'resolved',
        level: 'ok',
        summary: 'p95 0.4 s (warning > 2 s)',
        resolved_at: '2026-11-01T11:00:00.000Z',
        notified_level: 'ok',
      }),
    ],
    'GET /monitoring/health': health,
  });
  renderInApp(<Operations />, '/operations');
  return calls;
}

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('the Operations page', () => {
  it('shows an admin the alerts with their state, severity and last message, and the health beside them', async () => {
    renderOperations('admin');
    const table = await screen.findByRole('table', { name: 'Operator alerts' });
    const [, firing, resolved] = within(table).getAllByRole('row');
    expect(within(firing!).getByText('firing')).toBeTruthy();
    expect(within(firing!).getByText('critical')).toBeTruthy();
    expect(within(firing!).getByText('error_rate')).toBeTruthy();
    expect(within(firing!).getByText('5xx share 7.5% of 40 requests (critical > 5%)')).toBeTruthy();
    expect(within(resolved!).getByText('resolved')).toBeTruthy();
    expect(within(resolved!).queryByText('ok')).toBeNull();
    const summary = await screen.findByTestId('health-summary');
    expect(within(summary).getByText('degraded')).toBeTruthy();
    expect(within(summary).getByText('Database (embedded)')).toBeTruthy();
    expect(within(summary).getByText('Sources: 0 of 1 healthy')).toBeTruthy();
    expect(within(summary).getByText('hub answered 502')).toBeTruthy();
    // The cache has seen no lookups: its rate is unknown, not 0.
    expect(within(summary).getByText('Summary cache hit rate: —')).toBeTruthy();
  });

  it('tells an editor the page is for admins, without asking for the alerts', async () => {
    const calls = renderOperations('editor');
    await screen.findByText('Only admins can see this');
    expect(calls.some((c) => c.path === '/alerts' || c.path === '/monitoring/health')).toBe(false);
  });
});

describe('the Operations nav entry', () => {
  const nav = async (role: Role) => {
    setSignedInHint(true);
    stubApi({ 'GET /auth/me': meOf(role) });
    // The layout restores the scroll position, which jsdom does not implement.
    vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    renderInApp(<RouterProvider router={createMemoryRouter([{ path: '*', element: <Layout /> }])} />);
    await screen.findByTestId('account-menu');
    return within(screen.getByRole('navigation', { name: 'Main' }));
  };

  it('is shown to admins', async () => {
    expect((await nav('admin')).getByRole('link', { name: 'Operations' }).getAttribute('href')).toBe('/operations');
  });

  it('is not shown to others', async () => {
    expect((await nav('viewer')).queryByRole('link', { name: 'Operations' })).toBeNull();
  });
});
