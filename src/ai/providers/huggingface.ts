import type { AiProvider } from '../types.ts';
import { observingFetch } from './fetch.ts';
import type { ProviderOptions } from './options.ts';
import { remoteProvider } from './remote.ts';

export const HUGGINGFACE_DEFAULT_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const ROUTER = 'https://router.huggingface.co';

/**
 * Hugging Face through `@huggingface/inference`: Inference Providers (HF_TOKEN, HF_PROVIDER,
 * default auto) or a dedicated Inference Endpoint / TGI server (HF_ENDPOINT_URL), both with the
 * OpenAI-shaped chat completion. The models list is the router's (or the endpoint's) `/v1/models`.
 */
export function huggingfaceProvider(options: ProviderOptions): AiProvider {
  const { settings } = options;
  const endpoint = settings.baseUrl;
  return remoteProvider({
    name: 'huggingface',
    paid: true,
    defaultModel: options.model ?? HUGGINGFACE_DEFAULT_MODEL,
    async chat(messages, model, signal) {
      let headers: Headers | undefined;
      // The client library is loaded on the first call, not when the server starts.
      const { chatCompletion } = await import('@huggingface/inference');
      const reply = await chatCompletion(
        {
          ...(settings.apiKey ? { accessToken: settings.apiKey } : {}),
          model,
          // A dedicated endpoint is called as it is; without one the router picks an Inference Provider.
          ...(endpoint ? { endpointUrl: endpoint } : { provider: (settings.hfProvider ?? 'auto') as 'auto' }),
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          temperature: 0,
          max_tokens: options.maxOutputTokens,
          response_format: { type: 'json_object' },
        },
        {
          signal,
          fetch: observingFetch('huggingface', signal, (h) => {
            headers = h;
          }),
        },
      );
      const content = reply.choices[0]?.message?.content;
      return {
        text: typeof content === 'string' ? content : '',
        inputTokens: reply.usage?.prompt_tokens,
        outputTokens: reply.usage?.completion_tokens,
        headers,
      };
    },
    async models(signal) {
      const response = await observingFetch('huggingface', signal)(`${endpoint ?? ROUTER}/v1/models`, {
        headers: settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : {},
      });
      const body = (await response.json()) as { data?: { id?: unknown }[] };
      return (body.data ?? []).map((m) => String(m.id));
    },
    problems: () =>
      settings.apiKey || endpoint
        ? []
        : [{ variable: 'HF_TOKEN', message: 'is not set (or set HF_ENDPOINT_URL for a dedicated endpoint)' }],
  });
}
