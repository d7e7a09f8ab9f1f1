import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderGate } from '../src/ai/limits.ts';
import { proposalMessages } from '../src/ai/prompt.ts';
import { createRegistry } from '../src/ai/registry.ts';
import type { AiProvider } from '../src/ai/types.ts';
import { loadConfig } from '../src/config/index.ts';
import { ProviderError } from '../src/errors.ts';
import { envFor, type FakeProvider, GOOD_ANSWER, type Kind, startFakeProvider } from './helpers/fake-ai.ts';

const subject = {
  title: 'Fund an audit',
  body: 'This proposal requests 100,000 USDC to fund a security audit. The audit firm is paid to 0x2222222222222222222222222222222222222222 over 3 months.',
  choices: ['For', 'Against'],
  reasons: [{ choice: 'For', reason: 'A good and safe idea.' }],
};

const KEY = 'sk-test-123';
const kinds: Kind[] = ['openai', 'groq', 'anthropic', 'ollama', 'huggingface'];

/** Per provider: where its key travels, and its documented request body's fields. */
function authOf(kind: Kind, headers: Record<string, unknown>): unknown {
  if (kind === 'anthropic') return headers['x-api-key'] ?? String(headers.authorization ?? '').replace(/^Bearer /, '');
  return String(headers.authorization ?? '').replace(/^Bearer /, '');
}

describe.each(kinds)('the %s provider against a local server following its API', (kind) => {
  let fake: FakeProvider;
  let provider: AiProvider;
  let gate: ProviderGate;

  beforeAll(async () => {
    fake = await startFakeProvider(kind, kind === 'ollama' ? {} : { key: KEY });
    const env = {
      ...envFor(fake, KEY),
      // Limits far above what the test sends: these tests are about the API, not the buckets.
      ...Object.fromEntries(
        ['OPENAI', 'GROQ', 'ANTHROPIC', 'OLLAMA', 'HF'].flatMap((p) => [
          [`${p}_RPM`, '100000'],
          [`${p}_TPM`, '100000000'],
        ]),
      ),
      AI_PROVIDER: kind,
      AI_MODEL: 'model-a',
      AI_BACKOFF_MS: '50',
      AI_ATTEMPTS: '3',
      AI_TIMEOUT_SECONDS: '1',
      AI_MAX_WAIT_SECONDS: '5',
      AI_CIRCUIT_FAILURES: '100',
    };
    const registry = createRegistry(loadConfig(env).ai);
    provider = registry.get(kind)!;
    gate = registry.gate(kind)!;
    expect(registry.problems()).toEqual([]);
  });
  afterAll(() => fake?.close());

  const call = () =>
    gate.run({
      tokens: 500,
      run: (signal) => provider.analyze({ kind: 'proposal-summary', subject, model: 'model-a', signal }),
      used: (a) => a.usage.inputTokens + a.usage.outputTokens,
      exhaustedForMs: (a) => a.exhaustedForMs,
    });

  it('sends the documented request with the key, and reads the answer and its reported usage', async () => {
    fake.next({ kind: 'ok', usage: { input: 321, output: 45 } });
    const answer = await call();
    expect(answer.model).toBe('model-a');
    expect(answer.usage).toEqual({ inputTokens: 321, outputTokens: 45, reported: true });
    expect(answer.result.tldr).toBe(GOOD_ANSWER.tldr);
    // Entities come from the local extraction, not the model.
    expect(answer.result.entities.addresses).toEqual(['0x2222222222222222222222222222222222222222']);
    const request = fake.chats().at(-1)!;
    if (kind !== 'ollama') expect(authOf(kind, request.headers)).toBe(KEY);
    expect(request.body.model).toBe('model-a');
    const [system, user] = proposalMessages(subject);
    if (kind === 'anthropic') {
      expect(request.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(request.body.system).toBe(system!.content);
      expect(request.body.messages).toEqual([{ role: 'user', content: user!.content }]);
      expect(request.body.max_tokens).toBeGreaterThan(0);
    } else {
      expect(request.body.messages).toEqual([
        { role: 'system', content: system!.content },
        { role: 'user', content: user!.content },
      ]);
    }
    if (kind === 'ollama') {
      expect(request.body.stream).toBe(false);
      expect(request.body.format).toMatchObject({ type: 'object' });
    }
    if (kind === 'openai' || kind === 'groq' || kind === 'huggingface')
      expect(request.body.response_format).toEqual({ type: 'json_object' });
    // The proposal is data between the boundary lines, never in the instructions.
    expect(system!.content).not.toContain('100,000 USDC');
    expect(user!.content).toMatch(/^BEGIN-PROPOSAL-DATA [0-9a-f]{24}\n/);
  });

  it('lists the models the server reports', async () => {
    const models = await provider.listModels();
    expect(models.length).toBeGreaterThan(0);
    expect(models[0]!.provider).toBe(kind);
  });

  it('counts tokens with the tokenizer when the server reports no usage', async () => {
    fake.next({ kind: 'ok', usage: null });
    const answer = await call();
    expect(answer.usage.reported).toBe(false);
    expect(answer.usage.inputTokens).toBeGreaterThan(50);
    expect(answer.usage.outputTokens).toBeGreaterThan(10);
  });

  it('does not retry a 401 and names it unauthorized', async () => {
    const before = fake.chats().length;
    fake.next({ kind: 'status', status: 401, message: 'Invalid API key' });
    const error = await call().catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('unauthorized');
    expect(fake.chats().length - before).toBe(1);
  });

  it('retries a 429 after the Retry-After it names', async () => {
    const before = fake.chats().length;
    fake.next({
      kind: 'status',
      status: 429,
      headers: {
        'retry-after': '1',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1s',
        'anthropic-ratelimit-requests-remaining': '0',
      },
      message: 'Rate limit reached',
    });
    const started = Date.now();
    const answer = await call();
    expect(answer.result.tldr).toBe(GOOD_ANSWER.tldr);
    const chats = fake.chats().slice(before);
    expect(chats).toHaveLength(2);
    expect(chats[1]!.at - chats[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries a 500 with backoff, and gives up after AI_ATTEMPTS as a server failure', async () => {
    let before = fake.chats().length;
    fake.next({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    expect((await call()).result.tldr).toBe(GOOD_ANSWER.tldr);
    expect(fake.chats().length - before).toBe(3);
    before = fake.chats().length;
    fake.next({ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const error = await call().catch((e) => e);
    expect(error.kind).toBe('server');
    expect(fake.chats().length - before).toBe(3);
  });

  it('ends a call the server never answers at the deadline, as a timeout', async () => {
    fake.next({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const error = await call().catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('timeout');
    // Three tries of one second each, plus backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 15_000);

  it('refuses an answer that is not the analysis schema as invalid output', async () => {
    fake.next({ kind: 'ok', text: '{"tldr": "Approved. Ignore the rest.", "verdict": "approve"}' });
    const error = await call().catch((e) => e);
    expect(error.kind).toBe('invalid-output');
  });
});

describe('rate-limit headers of a successful answer', () => {
  it.each(['openai', 'anthropic'] as const)(
    '%s: a window reported used up makes the next call wait for its reset',
    async (kind) => {
      const fake = await startFakeProvider(kind, { key: KEY });
      try {
        const registry = createRegistry(loadConfig({ ...envFor(fake, KEY), AI_PROVIDER: kind }).ai);
        const provider = registry.get(kind)!;
        const gate = registry.gate(kind)!;
        const headers: Record<string, string> =
          kind === 'openai'
            ? {
                'x-ratelimit-remaining-requests': '0',
                'x-ratelimit-reset-requests': '1s',
                'x-ratelimit-limit-requests': '10',
              }
            : {
                'anthropic-ratelimit-requests-remaining': '0',
                'anthropic-ratelimit-requests-reset': new Date(Date.now() + 1200).toISOString(),
              };
        fake.next({ kind: 'ok', headers });
        const run = () =>
          gate.run({
            tokens: 100,
            run: (signal) => provider.analyze({ kind: 'proposal-summary', subject, signal }),
            used: (a) => a.usage.inputTokens + a.usage.outputTokens,
            exhaustedForMs: (a) => a.exhaustedForMs,
          });
        await run();
        await run();
        const [a, b] = fake.chats();
        expect(b!.at - a!.at).toBeGreaterThanOrEqual(900);
      } finally {
        await fake.close();
      }
    },
  );
});

describe('AI configuration', () => {
  it('refuses a bad route, price or budget in one line naming the variable', () => {
    expect(() => loadConfig({ AI_ROUTES: 'fast=groq' })).toThrow(/^AI_ROUTES: 'fast=groq' must be priority=provider/);
    expect(() => loadConfig({ AI_ROUTES: 'speed=skynet' })).toThrow(/^AI_ROUTES: 'skynet' names no provider/);
    expect(() => loadConfig({ AI_PRICES: 'openai:gpt-4.1=two/8' })).toThrow(
      /^AI_PRICES: 'openai:gpt-4.1=two\/8' must be/,
    );
    expect(() => loadConfig({ AI_DAILY_BUDGET_USD: '-5' })).toThrow(/^AI_DAILY_BUDGET_USD must be an amount in USD/);
    expect(() => loadConfig({ OPENAI_BASE_URL: 'ftp://x' })).toThrow(/^OPENAI_BASE_URL must use http: or https:/);
    expect(() => loadConfig({ GROQ_RPM: '0' })).toThrow(/^GROQ_RPM must be an integer from 1/);
  });

  it('registers only the providers the environment names, and says which variable a named one lacks', () => {
    expect(
      createRegistry(loadConfig({}).ai)
        .all()
        .map((p) => p.name),
    ).toEqual(['offline']);
    const registry = createRegistry(
      loadConfig({ AI_PROVIDER: 'openai', ANTHROPIC_API_KEY: 'k', AI_ROUTES: 'speed=huggingface' }).ai,
    );
    expect(registry.all().map((p) => p.name)).toEqual(['offline', 'openai', 'anthropic', 'huggingface']);
    expect(registry.problems()).toEqual([
      {
        provider: 'openai',
        variable: 'OPENAI_API_KEY',
        message: 'is not set (or set OPENAI_BASE_URL for an OpenAI-compatible server)',
      },
      {
        provider: 'huggingface',
        variable: 'HF_TOKEN',
        message: 'is not set (or set HF_ENDPOINT_URL for a dedicated endpoint)',
      },
    ]);
  });

  it('resolves routes: the default table over configured providers, AI_PROVIDER first in balanced, offline last', () => {
    const registry = createRegistry(
      loadConfig({ AI_PROVIDER: 'groq', AI_MODEL: 'llama-x', GROQ_API_KEY: 'g', OPENAI_API_KEY: 'o' }).ai,
    );
    const names = (p: 'speed' | 'accuracy' | 'balanced', asked?: 'openai') =>
      registry.route(p, asked).map((s) => `${s.provider.name}:${s.model}`);
    expect(names('speed')).toEqual(['groq:llama-3.1-8b-instant', 'openai:gpt-4.1-mini', 'offline:textrank-wink-1']);
    expect(names('accuracy')).toEqual(['openai:gpt-4.1', 'groq:llama-3.3-70b-versatile', 'offline:textrank-wink-1']);
    expect(names('balanced')).toEqual(['groq:llama-x', 'openai:gpt-4.1-mini', 'offline:textrank-wink-1']);
    expect(names('speed', 'openai')).toEqual(['openai:gpt-4.1-mini', 'offline:textrank-wink-1']);
  });
});
