// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { meOf, stubApi, unauthenticated } from '../test/api-stub.ts';
import { renderInApp } from '../test/render.tsx';
import { setSignedInHint, useLogin, useMe } from './account.ts';
import { ApiError, apiDelete, apiGet, apiPost, apiPut, onSignedOut, setCsrfToken } from './client.ts';

beforeEach(() => {
  setCsrfToken(null);
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the CSRF token', () => {
  it('goes with every write once known, and never with a read', async () => {
    const calls = stubApi({ 'GET /daos': [], 'POST /daos': {}, 'PUT /daos/1': {}, 'DELETE /keys/1': {} });
    await apiPost('/daos', { name: 'x' });
    expect(calls[0]!.headers['x-csrf-token']).toBeUndefined();

    setCsrfToken('tok-1');
    await apiGet('/daos');
    await apiPost('/daos', { name: 'x' });
    await apiPut('/daos/1', { name: 'y' });
    await apiDelete('/keys/1');
    expect(calls.slice(1).map((c) => [c.method, c.headers['x-csrf-token']])).toEqual([
      ['GET', undefined],
      ['POST', 'tok-1'],
      ['PUT', 'tok-1'],
      ['DELETE', 'tok-1'],
    ]);
  });

  it('is dropped, with the identity, when a write gets a 401; a wrong password is not such a 401', async () => {
    const calls = stubApi({
      'POST /daos': unauthenticated,
      'POST /keys': {},
      'POST /auth/login': () => ({
        status: 401,
        body: { status: 'error', error: { code: 'UNAUTHENTICATED', message: 'email or password is wrong' } },
      }),
    });
    const signedOut = vi.fn();
    const stop = onSignedOut(signedOut);
    setCsrfToken('tok-1');

    await expect(apiPost('/auth/login', { email: 'a@b.c', password: 'nope' })).rejects.toThrow(
      'email or password is wrong',
    );
    expect(signedOut).not.toHaveBeenCalled();

    const refused = await apiPost('/daos', {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(signedOut).toHaveBeenCalledTimes(1);
    await apiPost('/keys', {});
    expect(calls.at(-1)!.headers['x-csrf-token']).toBeUndefined();
    stop();
  });
});

function Probe() {
  const { me, loading } = useMe();
  const login = useLogin();
  return (
    <div>
      <span data-testid="who">{loading ? 'asking' : me ? me.user.email : 'signed out'}</span>
      <button type="button" onClick={() => login.mutate({ email: 'editor@example.org', password: 'long enough pw' })}>
        sign in
      </button>
      <button type="button" onClick={() => void apiPost('/daos', { name: 'x' }).catch(() => undefined)}>
        write
      </button>
    </div>
  );
}

const renderProbe = () => renderInApp(<Probe />);

describe('useMe', () => {
  it('asks nobody until this browser has signed in, then takes the token from the sign-in', async () => {
    let session = false;
    const calls = stubApi({
      'POST /auth/login': () => {
        session = true;
        return {
          body: { status: 'success', data: { user: meOf('editor').user, csrf_token: 'from-login', expires_at: '' } },
        };
      },
      'GET /auth/me': () =>
        session ? { body: { status: 'success', data: meOf('editor', 'from-login') } } : unauthenticated(),
      'POST /daos': { id: 1 },
    });
    renderProbe();
    expect(screen.getByTestId('who').textContent).toBe('signed out');
    expect(calls).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'sign in' }));
    await screen.findByText('editor@example.org');
    fireEvent.click(screen.getByRole('button', { name: 'write' }));
    await vi.waitFor(() => expect(calls.at(-1)!.path).toBe('/daos'));
    expect(calls.at(-1)!.headers['x-csrf-token']).toBe('from-login');
  });

  it('takes the token from GET /auth/me after a reload, and signs out on a 401 from a write', async () => {
    setSignedInHint(true);
    const calls = stubApi({ 'GET /auth/me': meOf('editor', 'from-me'), 'POST /daos': unauthenticated });
    renderProbe();
    expect(screen.getByTestId('who').textContent).toBe('asking');
    await screen.findByText('editor@example.org');

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'write' })));
    await screen.findByText('signed out');
    expect(calls.map((c) => [c.method, c.path, c.headers['x-csrf-token']])).toEqual([
      ['GET', '/auth/me', undefined],
      ['POST', '/daos', 'from-me'],
    ]);
    // Forgotten across reloads too: the next visit asks nobody.
    expect(localStorage.length).toBe(0);
  });

  it('reads a 401 from GET /auth/me (an expired session) as signed out', async () => {
    setSignedInHint(true);
    stubApi({ 'GET /auth/me': unauthenticated });
    renderProbe();
    await screen.findByText('signed out');
    expect(localStorage.length).toBe(0);
  });
});
