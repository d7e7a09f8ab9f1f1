import type { AiProvider } from '../types.ts';
import { type ProviderOptions, sdkClient } from './options.ts';
import { remoteProvider } from './remote.ts';

export const GROQ_DEFAULT_MODEL = 'llama-3.3-70b-versatile';

/** Groq's OpenAI-compatible chat API through `groq-sdk` (GROQ_BASE_URL for a stand-in); the router retries, not the SDK. */
export function groqProvider(options: ProviderOptions): AiProvider {
  const { settings } = options;
  const sdk = sdkClient(
    options,
    'missing',
    async (clientOptions) => new (await import('groq-sdk')).default(clientOptions),
  );
  return remoteProvider({
    name: 'groq',
    paid: true,
    defaultModel: options.model ?? GROQ_DEFAULT_MODEL,
    async chat(messages, model, signal) {
      const { data, response } = await (await sdk()).chat.completions
        .create(
          {
            model,
            messages,
            temperature: 0,
            response_format: { type: 'json_object' },
            max_completion_tokens: options.maxOutputTokens,
          },
          { signal },
        )
        .withResponse();
      return {
        text: data.choices[0]?.message?.content ?? '',
        inputTokens: data.usage?.prompt_tokens,
        outputTokens: data.usage?.completion_tokens,
        headers: response.headers,
      };
    },
    async models(signal) {
      const list = await (await sdk()).models.list({ signal });
      return list.data.map((m) => m.id);
    },
    problems: () => (settings.apiKey ? [] : [{ variable: 'GROQ_API_KEY', message: 'is not set' }]),
  });
}
