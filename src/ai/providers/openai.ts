import type { AiProvider } from '../types.ts';
import { type ProviderOptions, sdkClient } from './options.ts';
import { remoteProvider } from './remote.ts';

export const OPENAI_DEFAULT_MODEL = 'gpt-4.1-mini';

/**
 * OpenAI's Chat Completions API through the official SDK, and any OpenAI-compatible server (vLLM,
 * LM Studio, llama.cpp) through OPENAI_BASE_URL. The SDK's own retries are off: the router retries,
 * honouring Retry-After, within the provider's limits.
 */
export function openaiProvider(options: ProviderOptions): AiProvider {
  const { settings } = options;
  // A compatible server often needs no key; the SDK insists on one, so it gets a placeholder.
  const sdk = sdkClient(
    options,
    'no-key',
    async (clientOptions) => new (await import('openai')).default(clientOptions),
  );
  // Compatible servers know max_tokens; OpenAI's newer models accept only max_completion_tokens.
  const limit = settings.baseUrl
    ? { max_tokens: options.maxOutputTokens }
    : { max_completion_tokens: options.maxOutputTokens };
  return remoteProvider({
    name: 'openai',
    paid: settings.baseUrl === undefined,
    defaultModel: options.model ?? OPENAI_DEFAULT_MODEL,
    async chat(messages, model, signal) {
      const { data, response } = await (await sdk()).chat.completions
        .create({ model, messages, temperature: 0, response_format: { type: 'json_object' }, ...limit }, { signal })
        .withResponse();
      return {
        text: data.choices[0]?.message?.content ?? '',
        inputTokens: data.usage?.prompt_tokens,
        outputTokens: data.usage?.completion_tokens,
        headers: response.headers,
      };
    },
    async models(signal) {
      const page = await (await sdk()).models.list({ signal });
      return page.data.map((m) => m.id);
    },
    problems: () =>
      settings.apiKey || settings.baseUrl
        ? []
        : [
            {
              variable: 'OPENAI_API_KEY',
              message: 'is not set (or set OPENAI_BASE_URL for an OpenAI-compatible server)',
            },
          ],
  });
}
