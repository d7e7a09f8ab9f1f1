// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setSignedInHint } from '../api/account.ts';
import { setCsrfToken } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { meOf, stubApi } from '../test/api-stub.ts';
import { renderInApp } from '../test/render.tsx';
import Sources from './Sources.tsx';

const page = { status: 'success', data: [], pagination: { page: 1, per_page: 100, total: 0, pages: 0 } };

function renderSources(role?: Role) {
  if (role) setSignedInHint(true);
  const calls = stubApi({
    'GET /sync/status': [],
    'GET /daos': () => ({ body: page }),
    ...(role ? { 'GET /auth/me': meOf(role) } : {}),
  });
  renderInApp(<Sources />, '/sources');
  return calls;
}

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the Sources page by role', () => {
  it('offers a signed-out reader a sign-in back to this page instead of the form', async () => {
    const calls = renderSources();
    const note = await screen.findByTestId('add-dao-needs-role');
    expect(note.textContent).toContain('Editors and admins can add DAOs.');
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin?next=%2Fsources');
    expect(screen.queryByRole('form', { name: 'Add a DAO' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add DAO' })).toBeNull();
    // Nobody signed in here: the session is not even asked about.
    expect(calls.some((c) => c.path === '/auth/me')).toBe(false);
  });

  it('tells a viewer who can add DAOs, without the form', async () => {
    renderSources('viewer');
    const note = await screen.findByTestId('add-dao-needs-role');
    expect(note.textContent).toContain('signed in as viewer@example.org, a viewer');
    expect(screen.queryByRole('form', { name: 'Add a DAO' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Sign in' })).toBeNull();
  });

  it.each(['editor', 'admin'] as const)('shows the form to an %s', async (role) => {
    renderSources(role);
    await screen.findByRole('form', { name: 'Add a DAO' });
    expect(screen.getByRole('button', { name: 'Add DAO' })).toBeTruthy();
    expect(screen.queryByTestId('add-dao-needs-role')).toBeNull();
  });
});
