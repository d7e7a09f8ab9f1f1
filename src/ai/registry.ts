import { offlineProvider } from './providers/offline.ts';
import type { AiConfig, AiProvider, ConfigProblem, ProviderName } from './types.ts';

export interface Registry {
  readonly primary: ProviderName;
  readonly model: string | undefined;
  get(name: ProviderName): AiProvider | undefined;
  all(): AiProvider[];
  /** Configuration problems of every configured provider (reported at start-up and in /health/ai-services). */
  problems(): (ConfigProblem & { provider: ProviderName })[];
}

export function createRegistry(config: AiConfig): Registry {
  const providers = new Map<ProviderName, AiProvider>([['offline', offlineProvider()]]);
  return {
    primary: config.provider,
    model: config.model,
    get: (name) => providers.get(name),
    all: () => [...providers.values()],
    problems: () => [...providers.values()].flatMap((p) => p.validateConfig().map((c) => ({ ...c, provider: p.name }))),
  };
}
