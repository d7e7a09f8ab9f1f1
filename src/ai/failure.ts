import { ProviderError } from '../errors.ts';

/**
 * Reading providers' failures and rate-limit headers into one shape (ProviderError): the status
 * decides the kind, `Retry-After` (seconds or an HTTP date) or `retry-after-ms` the wait, and the
 * documented rate-limit headers (OpenAI and Groq `x-ratelimit-*`, Anthropic `anthropic-ratelimit-*`)
 * tell when a provider's own window has no room left, so the next call waits instead of being refused.
 */
type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined | null;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Milliseconds the server asked us to wait, undefined when it did not say. */
export function retryAfterMs(headers: HeaderSource, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** OpenAI/Groq reset durations: `1s`, `20ms`, `6m0s`, `1h2m3.5s`. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(raw.trim());
  if (!m || raw.trim() === '') return undefined;
  return Math.ceil(
    Number(m[1] ?? 0) * 3_600_000 + Number(m[2] ?? 0) * 60_000 + Number(m[3] ?? 0) * 1000 + Number(m[4] ?? 0),
  );
}

/**
 * When the provider's own limit has no request or token left, how long until it resets (ms);
 * undefined while there is room or the headers say nothing.
 */
export function exhaustedForMs(headers: HeaderSource, now = Date.now()): number | undefined {
  let wait: number | undefined;
  for (const kind of ['requests', 'tokens']) {
    const openaiLeft = header(headers, `x-ratelimit-remaining-${kind}`);
    if (openaiLeft !== undefined && Number(openaiLeft) <= 0) {
      const reset = parseDuration(header(headers, `x-ratelimit-reset-${kind}`) ?? '');
      if (reset !== undefined) wait = Math.max(wait ?? 0, reset);
    }
    const anthropicLeft = header(headers, `anthropic-ratelimit-${kind}-remaining`);
    if (anthropicLeft !== undefined && Number(anthropicLeft) <= 0) {
      const at = Date.parse(header(headers, `anthropic-ratelimit-${kind}-reset`) ?? '');
      if (!Number.isNaN(at)) wait = Math.max(wait ?? 0, at - now);
    }
  }
  return wait;
}

export function failureOfStatus(
  provider: string,
  status: number,
  message: string,
  headers?: HeaderSource,
): ProviderError {
  const text = message.slice(0, 300);
  if (status === 401 || status === 403)
    return new ProviderError(provider, 'unauthorized', `HTTP ${status}: ${text}`, undefined, status);
  if (status === 429)
    return new ProviderError(
      provider,
      'rate-limited',
      `HTTP 429: ${text}`,
      retryAfterMs(headers) ?? exhaustedForMs(headers),
      status,
    );
  if (status === 408) return new ProviderError(provider, 'timeout', `HTTP 408: ${text}`, undefined, status);
  if (status >= 500)
    return new ProviderError(provider, 'server', `HTTP ${status}: ${text}`, retryAfterMs(headers), status);
  return new ProviderError(provider, 'bad-request', `HTTP ${status}: ${text}`, undefined, status);
}

/**
 * Any error of a provider's client as a ProviderError: the SDKs' API errors carry `status` and
 * `headers`; aborts by our deadline are timeouts; anything else that never got an answer is a
 * network failure.
 */
export function classify(provider: string, error: unknown, timedOut: boolean): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = error as { status?: unknown; headers?: HeaderSource; message?: string; name?: string; cause?: unknown };
  if (timedOut) return new ProviderError(provider, 'timeout', 'no answer before the deadline');
  if (typeof e?.status === 'number') return failureOfStatus(provider, e.status, e.message ?? '', e.headers);
  const name = e?.name ?? '';
  if (/timeout/i.test(name) || /timed? ?out/i.test(e?.message ?? ''))
    return new ProviderError(provider, 'timeout', e?.message ?? 'timed out');
  return new ProviderError(provider, 'network', (e?.message ?? String(error)).slice(0, 300));
}
