import type { ErrorBody, ErrorCode, Pagination } from './types.ts';

export const API = '/api/v1';

/** The API's error codes, NETWORK when the server could not be reached, HTTP_<status> for an answer that is not the API's. */
export type ApiErrorCode = ErrorCode | 'NETWORK' | `HTTP_${number}`;

/** An error answer of the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Params = Record<string, string | number | boolean | undefined | null>;

export function apiUrl(path: string, params: Params = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return `${API}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * The session's CSRF token, in memory only (from the sign-in answer or GET /auth/me): the server
 * refuses writes made with the session cookie without it, and another site cannot read it.
 */
let csrfToken: string | null = null;
export const CSRF_HEADER = 'x-csrf-token';

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
export const currentCsrfToken = () => csrfToken;

const signedOutListeners = new Set<() => void>();
/** Called whenever the server answers 401: this browser has no (valid) session, whatever we thought. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** A wrong password says nothing about the session this browser holds, so it does not sign it out. */
const SIGN_IN_PATH = '/auth/login';

async function request<T>(method: string, path: string, params?: Params, body?: unknown, signal?: AbortSignal) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, params), {
      method,
      signal,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The server could not be reached');
  }
  if (response.status === 401 && path !== SIGN_IN_PATH) {
    // The session expired, was revoked (signed out everywhere, password changed) or never was:
    // the token and the cached identity go, so the page stops offering what needs one.
    csrfToken = null;
    for (const listener of signedOutListeners) listener();
  }
  const json = (await response.json().catch(() => null)) as
    | { status: 'success'; data: T; pagination?: Pagination; message?: string }
    | ErrorBody
    | null;
  if (!response.ok || !json || json.status !== 'success') {
    const error: { code: ApiErrorCode; message: string; details?: unknown } =
      json && json.status === 'error'
        ? json.error
        : { code: `HTTP_${response.status}`, message: response.statusText || 'Request failed' };
    throw Object.assign(new ApiError(response.status, error.code, error.message), { details: error.details });
  }
  return json;
}

export async function apiGet<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  return (await request<T>('GET', path, params, undefined, signal)).data;
}

export async function apiPage<T>(
  path: string,
  params?: Params,
  signal?: AbortSignal,
): Promise<{ data: T[]; pagination: Pagination }> {
  const json = await request<T[]>('GET', path, params, undefined, signal);
  return {
    data: json.data,
    pagination: json.pagination ?? { page: 1, per_page: json.data.length, total: json.data.length, pages: 1 },
  };
}

/** One object whose list inside is paged (a voter profile and its votes): the object and that list's pagination. */
export async function apiGetPaged<T>(
  path: string,
  params?: Params,
  signal?: AbortSignal,
): Promise<{ data: T; pagination: Pagination | null }> {
  const json = await request<T>('GET', path, params, undefined, signal);
  return { data: json.data, pagination: json.pagination ?? null };
}

/** Writes: the body is JSON; none at all (not an empty object) when `body` is left out. */
export async function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return (await request<T>('POST', path, undefined, body)).data;
}

export async function apiPut<T>(path: string, body: unknown): Promise<T> {
  return (await request<T>('PUT', path, undefined, body)).data;
}

export async function apiDelete<T>(path: string): Promise<T> {
  return (await request<T>('DELETE', path)).data;
}
