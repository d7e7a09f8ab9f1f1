import type { ProviderSettings } from '../../config/index.ts';

/** What every remote provider's factory is given: its settings, its default model and the call limits it needs. */
export interface ProviderOptions {
  settings: ProviderSettings;
  /** AI_MODEL when this provider is AI_PROVIDER, else the provider's own default. */
  model: string | undefined;
  timeoutMs: number;
  maxOutputTokens: number;
}

/** The client options the Stainless-generated SDKs (OpenAI, Anthropic, Groq) share: the router retries, not the SDK. */
export interface SdkClientOptions {
  apiKey: string;
  baseURL: string | null;
  maxRetries: 0;
  timeout: number;
}

/**
 * A provider's SDK client, made by the first call that needs it: a server that never asks this
 * provider does not load the SDK at start. `placeholderKey` stands in for a missing key, which the
 * SDKs insist on (a compatible server, or a configuration problem reported at start).
 */
export function sdkClient<Client>(
  options: ProviderOptions,
  placeholderKey: string,
  make: (clientOptions: SdkClientOptions) => Promise<Client>,
): () => Promise<Client> {
  let made: Promise<Client> | undefined;
  return () =>
    (made ??= make({
      apiKey: options.settings.apiKey ?? placeholderKey,
      baseURL: options.settings.baseUrl ?? null,
      maxRetries: 0,
      timeout: options.timeoutMs,
    }));
}
