import type { ProviderSettings } from '../../config/index.ts';

/** What every remote provider's factory is given: its settings, its default model and the call limits it needs. */
export interface ProviderOptions {
  settings: ProviderSettings;
  /** AI_MODEL when this provider is AI_PROVIDER, else the provider's own default. */
  model: string | undefined;
  timeoutMs: number;
  maxOutputTokens: number;
}
