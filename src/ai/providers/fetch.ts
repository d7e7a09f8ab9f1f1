import { failureOfStatus } from '../failure.ts';
import type { ProviderName } from '../types.ts';

/**
 * A fetch for clients whose errors lose the response headers (ollama, @huggingface/inference): it
 * adds the call's abort signal and turns an HTTP failure into a ProviderError while Retry-After
 * and the status are still at hand. `onHeaders` sees every successful answer's headers.
 */
export function observingFetch(
  provider: ProviderName,
  signal: AbortSignal | undefined,
  onHeaders?: (headers: Headers) => void,
): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, { ...init, signal: signal ?? init?.signal ?? null });
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw failureOfStatus(provider, response.status, text || response.statusText, response.headers);
    }
    onHeaders?.(response.headers);
    return response;
  };
}
