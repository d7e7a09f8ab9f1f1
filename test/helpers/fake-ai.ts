import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for the remote AI providers, each following its documented HTTP API: OpenAI
 * (`POST /v1/chat/completions`, `GET /v1/models`, Bearer auth, `x-ratelimit-*` headers), Groq (the
 * same under `/openai/v1`), Anthropic (`POST /v1/messages`, `GET /v1/models`, `x-api-key` and
 * `anthropic-version`, `anthropic-ratelimit-*` headers), Ollama (`POST /api/chat`, `GET /api/tags`)
 * and a Hugging Face endpoint (`POST /v1/chat/completions`, `GET /v1/models`, Bearer auth).
 * A test scripts answers (`next`), and reads what arrived (`requests`) and the usage reported.
 */
export type Kind = 'openai' | 'groq' | 'anthropic' | 'ollama' | 'huggingface';

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  at: number;
}

export type Script =
  | { kind: 'ok'; text?: string; usage?: { input: number; output: number } | null; headers?: Record<string, string> }
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  | { kind: 'hang' };

export const GOOD_ANSWER = {
  tldr: 'The proposal asks for an audit budget.',
  key_points: ['An audit is requested.'],
  what_changes: ['A security audit is funded.'],
  who_is_affected: ['Token holders.'],
  money: [{ amount: '100,000 USDC', token: 'USDC', recipient: null }],
  risks: ['The audit could be late.'],
  open_questions: [],
};

export interface FakeProvider {
  kind: Kind;
  /** The base URL its client is configured with (OPENAI_BASE_URL, GROQ_BASE_URL, …). */
  baseUrl: string;
  requests: Recorded[];
  /** Chat requests only (not model listings). */
  chats(): Recorded[];
  /** Answers for the next chat requests, in order; once used up, `fallback` answers. */
  next(...scripts: Script[]): void;
  fallback: Script;
  /** Usage the server reported, summed. */
  reported: { input: number; output: number; calls: number };
  /** Most chat requests in progress at once. */
  peakInFlight: number;
  /** Usage per answered chat request with the time the request arrived. */
  answered: { at: number; input: number; output: number }[];
  usageFor: (index: number) => { input: number; output: number };
  close(): Promise<void>;
}

const chatPath: Record<Kind, string> = {
  openai: '/v1/chat/completions',
  groq: '/openai/v1/chat/completions',
  anthropic: '/v1/messages',
  ollama: '/api/chat',
  huggingface: '/v1/chat/completions',
};

function errorBody(kind: Kind, status: number, message: string): unknown {
  if (kind === 'anthropic')
    return {
      type: 'error',
      error: {
        type: status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'api_error',
        message,
      },
    };
  if (kind === 'ollama') return { error: message };
  if (kind === 'huggingface') return { error: message };
  return { error: { message, type: status === 429 ? 'requests' : 'invalid_request_error', code: null } };
}

function answerBody(kind: Kind, model: string, text: string, usage: { input: number; output: number } | null) {
  if (kind === 'anthropic')
    return {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: usage ? { input_tokens: usage.input, output_tokens: usage.output } : undefined,
    };
  if (kind === 'ollama')
    return {
      model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: text },
      done: true,
      done_reason: 'stop',
      total_duration: 1000,
      load_duration: 10,
      ...(usage ? { prompt_eval_count: usage.input, eval_count: usage.output } : {}),
      prompt_eval_duration: 100,
      eval_duration: 800,
    };
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    ...(usage
      ? {
          usage: {
            prompt_tokens: usage.input,
            completion_tokens: usage.output,
            total_tokens: usage.input + usage.output,
          },
        }
      : {}),
  };
}

function modelsBody(kind: Kind): unknown {
  if (kind === 'ollama')
    return {
      models: [
        {
          name: 'llama3.2:latest',
          model: 'llama3.2:latest',
          modified_at: '2025-01-01T00:00:00Z',
          size: 1,
          digest: 'x',
          details: {},
        },
      ],
    };
  if (kind === 'anthropic')
    return {
      data: [
        { type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'claude-haiku-4-5',
      last_id: 'claude-haiku-4-5',
    };
  return { object: 'list', data: [{ id: 'model-a', object: 'model', created: 1, owned_by: 'test' }] };
}

export async function startFakeProvider(
  kind: Kind,
  options: { key?: string; latencyMs?: number } = {},
): Promise<FakeProvider> {
  const queue: Script[] = [];
  let inFlight = 0;
  let index = 0;
  const fake: FakeProvider = {
    kind,
    baseUrl: '',
    requests: [],
    chats: () => fake.requests.filter((r) => r.path === chatPath[kind]),
    next: (...scripts) => queue.push(...scripts),
    fallback: { kind: 'ok' },
    reported: { input: 0, output: 0, calls: 0 },
    peakInFlight: 0,
    answered: [],
    usageFor: (i) => ({ input: 100 + (i % 7) * 13, output: 20 + (i % 5) }),
    close: async () => {},
  };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', async () => {
      const path = (req.url ?? '').split('?')[0]!;
      const body = raw ? JSON.parse(raw) : undefined;
      fake.requests.push({ method: req.method ?? '', path, headers: req.headers, body, at: Date.now() });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      // Anthropic's API takes the key as x-api-key or, as its SDK sends it since 1.x, a bearer token.
      const bearer = req.headers.authorization?.replace(/^Bearer /, '');
      const auth = kind === 'anthropic' ? (req.headers['x-api-key'] ?? bearer) : bearer;
      if (options.key && auth !== options.key) return send(401, errorBody(kind, 401, 'Invalid API key'));
      if (kind === 'anthropic' && !req.headers['anthropic-version'])
        return send(400, errorBody(kind, 400, 'anthropic-version header is required'));
      if (req.method === 'GET' && (path.endsWith('/models') || path === '/api/tags'))
        return send(200, modelsBody(kind));
      if (req.method !== 'POST' || path !== chatPath[kind]) return send(404, errorBody(kind, 404, `no route ${path}`));
      const arrived = Date.now();
      const script = queue.shift() ?? fake.fallback;
      inFlight++;
      fake.peakInFlight = Math.max(fake.peakInFlight, inFlight);
      try {
        if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
        if (script.kind === 'hang') return; // never answers: the client's deadline must end it
        if (script.kind === 'status')
          return send(
            script.status,
            errorBody(kind, script.status, script.message ?? `HTTP ${script.status}`),
            script.headers,
          );
        const usage = script.usage === null ? null : (script.usage ?? fake.usageFor(index++));
        if (usage) {
          fake.reported.input += usage.input;
          fake.reported.output += usage.output;
          fake.answered.push({ at: arrived, ...usage });
        }
        fake.reported.calls++;
        send(200, answerBody(kind, body.model, script.text ?? JSON.stringify(GOOD_ANSWER), usage), script.headers);
      } finally {
        inFlight--;
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const root = `http://127.0.0.1:${port}`;
  fake.baseUrl = kind === 'openai' ? `${root}/v1` : root;
  fake.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}

/** The environment that points a provider's client at a fake. */
export function envFor(fake: FakeProvider, key = 'test-key'): Record<string, string> {
  switch (fake.kind) {
    case 'openai':
      return { OPENAI_API_KEY: key, OPENAI_BASE_URL: fake.baseUrl };
    case 'groq':
      return { GROQ_API_KEY: key, GROQ_BASE_URL: fake.baseUrl };
    case 'anthropic':
      return { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: fake.baseUrl };
    case 'ollama':
      return { OLLAMA_HOST: fake.baseUrl };
    case 'huggingface':
      return { HF_TOKEN: key, HF_ENDPOINT_URL: fake.baseUrl };
  }
}
