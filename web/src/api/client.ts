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

async function request<T>(method: string, path: string, params?: Params, body?: unknown, signal?: AbortSignal) {
  let response: Response;
  try {
    response = await fetch(apiUrl(path, params), {
      method,
      signal,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The server could not be reached');
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

export async function apiPost<T>(path: string, body: unknown): Promise<T> {
  return (await request<T>('POST', path, undefined, body)).data;
}
