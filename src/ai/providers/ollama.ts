import type { AiProvider } from '../types.ts';
import { observingFetch } from './fetch.ts';
import type { ProviderOptions } from './options.ts';
import { remoteProvider } from './remote.ts';

export const OLLAMA_DEFAULT_MODEL = 'llama3.2';
const DEFAULT_HOST = 'http://127.0.0.1:11434';

/**
 * A local (or remote) Ollama server through the `ollama` package: `POST /api/chat` without
 * streaming, `GET /api/tags` for the models. Nothing leaves the machine when OLLAMA_HOST is local,
 * so it costs nothing and is not held to the daily budget. OLLAMA_API_KEY is sent as a bearer
 * token for servers behind a proxy that wants one.
 */
export function ollamaProvider(options: ProviderOptions): AiProvider {
  const { settings } = options;
  const host = settings.baseUrl ?? DEFAULT_HOST;
  const headers = settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : undefined;
  // One client per call: its fetch carries that call's deadline and reads the failure's headers.
  // The client library is loaded on the first call, not when the server starts.
  const client = async (signal: AbortSignal | undefined) => {
    const { Ollama } = await import('ollama');
    return new Ollama({ host, fetch: observingFetch('ollama', signal), ...(headers ? { headers } : {}) });
  };
  return remoteProvider({
    name: 'ollama',
    paid: false,
    defaultModel: options.model ?? OLLAMA_DEFAULT_MODEL,
    async chat(messages, model, signal, schema) {
      const reply = await (await client(signal)).chat({
        model,
        messages,
        stream: false,
        // Ollama's structured output holds the model to the answer's JSON schema.
        format: JSON.parse(JSON.stringify(schema)) as object,
        options: { temperature: 0, num_predict: options.maxOutputTokens },
      });
      return {
        text: reply.message?.content ?? '',
        inputTokens: reply.prompt_eval_count,
        outputTokens: reply.eval_count,
      };
    },
    async models(signal) {
      const list = await (await client(signal)).list();
      return list.models.map((m) => m.name);
    },
    problems: () => [],
  });
}
