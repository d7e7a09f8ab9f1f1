import type { AiProvider } from '../types.ts';
import { type ProviderOptions, sdkClient } from './options.ts';
import { remoteProvider } from './remote.ts';

export const ANTHROPIC_DEFAULT_MODEL = 'claude-haiku-4-5';

/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`: the instructions go in `system`, the
 * delimited proposal data is the one user message; the router retries, not the SDK.
 */
export function anthropicProvider(options: ProviderOptions): AiProvider {
  const { settings } = options;
  const sdk = sdkClient(
    options,
    'missing',
    async (clientOptions) => new (await import('@anthropic-ai/sdk')).default(clientOptions),
  );
  return remoteProvider({
    name: 'anthropic',
    paid: true,
    defaultModel: options.model ?? ANTHROPIC_DEFAULT_MODEL,
    async chat(messages, model, signal) {
      const system = messages
        .filter((m) => m.role === 'system')
        .map((m) => m.content)
        .join('\n');
      const { data, response } = await (await sdk()).messages
        .create(
          {
            model,
            max_tokens: options.maxOutputTokens,
            system,
            messages: messages
              .filter((m) => m.role === 'user')
              .map((m) => ({ role: 'user' as const, content: m.content })),
          },
          { signal },
        )
        .withResponse();
      const text = data.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return {
        text,
        inputTokens: data.usage?.input_tokens,
        outputTokens: data.usage?.output_tokens,
        headers: response.headers,
      };
    },
    async models(signal) {
      const page = await (await sdk()).models.list({ limit: 100 }, { signal });
      return page.data.map((m) => m.id);
    },
    problems: () => (settings.apiKey ? [] : [{ variable: 'ANTHROPIC_API_KEY', message: 'is not set' }]),
  });
}
