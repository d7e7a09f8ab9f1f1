import { vi } from 'vitest';
import type { Me, Role } from '../api/types.ts';

/** A signed-in session as GET /auth/me answers it. */
export function meOf(role: Role, csrf = 'csrf-of-this-session'): Me {
  return {
    user: {
      id: 7,
      email: `${role}@example.org`,
      display_name: '',
      role,
      disabled: false,
      two_factor: false,
      created_at: '2026-01-01T00:00:00.000Z',
      last_login_at: null,
    },
    via: 'session',
    csrf_token: csrf,
    session_expires_at: '2026-01-01T12:00:00.000Z',
    key: null,
  };
}

type Handler = (request: { method: string; url: URL; headers: Record<string, string>; body: unknown }) => {
  status?: number;
  body: unknown;
};

/**
 * Replaces fetch with answers by "METHOD /path" (the /api/v1 prefix left out); an unlisted
 * request fails the test. Returns the requests made, with their headers.
 */
export function stubApi(routes: Record<string, Handler | unknown>) {
  const calls: { method: string; path: string; headers: Record<string, string> }[] = [];
  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://localhost');
    const method = init.method ?? 'GET';
    const headers = (init.headers ?? {}) as Record<string, string>;
    const path = url.pathname.replace(/^\/api\/v1/, '');
    calls.push({ method, path, headers });
    const route = routes[`${method} ${path}`];
    if (route === undefined) throw new Error(`unexpected request ${method} ${path}`);
    const answer =
      typeof route === 'function'
        ? (route as Handler)({ method, url, headers, body: init.body ? JSON.parse(String(init.body)) : undefined })
        : { body: { status: 'success', data: route } };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

export const unauthenticated = () => ({
  status: 401,
  body: { status: 'error', error: { code: 'UNAUTHENTICATED', message: 'Sign in or send an API key' } },
});
