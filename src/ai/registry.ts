import { type AiConfig, DEFAULT_ROUTES, REMOTE_PROVIDERS, type RemoteProviderName } from '../config/index.ts';
import { PriceTable, usdToPico } from './cost.ts';
import { ProviderGate } from './limits.ts';
import { anthropicProvider } from './providers/anthropic.ts';
import { groqProvider } from './providers/groq.ts';
import { huggingfaceProvider } from './providers/huggingface.ts';
import { offlineProvider } from './providers/offline.ts';
import { ollamaProvider } from './providers/ollama.ts';
import { openaiProvider } from './providers/openai.ts';
import type { ProviderOptions } from './providers/options.ts';
import type { AiProvider, ConfigProblem, Priority, ProviderName } from './types.ts';

const FACTORIES: Record<RemoteProviderName, (options: ProviderOptions) => AiProvider> = {
  openai: openaiProvider,
  groq: groqProvider,
  anthropic: anthropicProvider,
  ollama: ollamaProvider,
  huggingface: huggingfaceProvider,
};

/** One step of a resolved route: a registered provider and the model to ask. */
export interface ResolvedStep {
  provider: AiProvider;
  model: string;
}

export interface Registry {
  readonly primary: ProviderName;
  readonly model: string | undefined;
  readonly config: AiConfig;
  readonly prices: PriceTable;
  /** AI_DAILY_BUDGET_USD in picodollars, undefined when there is no budget. */
  readonly dailyBudgetPico: bigint | undefined;
  get(name: ProviderName): AiProvider | undefined;
  all(): AiProvider[];
  /** The limits of a remote provider (offline has none). */
  gate(name: ProviderName): ProviderGate | undefined;
  /** The providers and models to try for a priority, or for one provider asked for by name; offline last. */
  route(priority: Priority, provider?: ProviderName): ResolvedStep[];
  /** Configuration problems of every configured provider (reported at start-up and in /health/ai-services). */
  problems(): (ConfigProblem & { provider: ProviderName })[];
}

/**
 * The providers this configuration names (offline always; a remote one when its key or base URL
 * is set, or AI_PROVIDER or AI_ROUTES names it), each with its limits, and the routes over them.
 */
export function createRegistry(config: AiConfig): Registry {
  const providers = new Map<ProviderName, AiProvider>([['offline', offlineProvider()]]);
  const gates = new Map<ProviderName, ProviderGate>();
  for (const name of REMOTE_PROVIDERS) {
    const settings = config.providers?.[name];
    if (!settings?.enabled) continue;
    providers.set(
      name,
      FACTORIES[name]({
        settings,
        model: name === config.provider ? config.model : undefined,
        timeoutMs: config.limits.timeoutMs,
        maxOutputTokens: config.limits.maxOutputTokens,
      }),
    );
    gates.set(
      name,
      new ProviderGate(name, {
        ...config.limits,
        requestsPerMinute: settings.requestsPerMinute,
        tokensPerMinute: settings.tokensPerMinute,
        concurrency: settings.concurrency,
      }),
    );
  }
  const modelOf = (p: AiProvider, model: string | undefined) => model ?? p.defaultModel;
  return {
    primary: config.provider,
    model: config.model,
    config,
    prices: new PriceTable(config.prices ?? {}),
    dailyBudgetPico: config.dailyBudgetUsd === undefined ? undefined : usdToPico(config.dailyBudgetUsd),
    get: (name) => providers.get(name),
    all: () => [...providers.values()],
    gate: (name) => gates.get(name),
    route(priority, asked) {
      let steps = asked ? [{ provider: asked, model: undefined }] : [...(config.routes?.[priority] ?? [])];
      // With the default table, the provider named by AI_PROVIDER leads the balanced route.
      if (!asked && priority === 'balanced' && config.routes === DEFAULT_ROUTES && config.provider !== 'offline')
        steps = [
          { provider: config.provider, model: undefined },
          ...steps.filter((s) => s.provider !== config.provider),
        ];
      steps.push({ provider: 'offline', model: undefined });
      const out: ResolvedStep[] = [];
      for (const step of steps) {
        const provider = providers.get(step.provider);
        if (!provider) continue;
        const model = modelOf(provider, step.model);
        if (!out.some((s) => s.provider === provider && s.model === model)) out.push({ provider, model });
      }
      return out;
    },
    problems: () => [...providers.values()].flatMap((p) => p.validateConfig().map((c) => ({ ...c, provider: p.name }))),
  };
}
