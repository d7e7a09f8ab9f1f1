import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { SnapshotConfig } from '../../config/index.ts';
import { UnavailableError } from '../../errors.ts';
import type { Logger } from '../../logger/index.ts';
import { SlidingWindowLimiter, sleep } from './limiter.ts';

/**
 * A failed hub request. `retryable` is false for answers that will not change on retry: GraphQL
 * errors (limits, validation, bad variables, which the hub sends with 200, 400 or 500), a refused
 * API key, or a response of an unexpected shape.
 */
export class SnapshotHubError extends UnavailableError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface SnapshotClientOptions extends Pick<SnapshotConfig, 'hubUrl' | 'apiKey' | 'rateLimit'> {
  /** Window of `rateLimit`; one minute unless a test scales it down. */
  windowMs?: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** Backoff base and cap: attempt n waits a random time in [0, min(cap, base * 2^n)) ("full jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured; the hub always says 60 s, a misbehaving proxy could say a day. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  logger?: Logger;
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: unknown; path?: unknown }>;
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();
function checkerOf(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) checks.set(schema, (check = TypeCompiler.Compile(schema)));
  return check;
}

/**
 * GraphQL client for the Snapshot hub: every request waits for the sliding-window limiter, is
 * retried with exponential backoff and full jitter on 429, 5xx without a GraphQL answer, timeouts
 * and dropped connections (honouring Retry-After), and its `data` is validated (numbers coerced:
 * the hub prints a Float with no fraction as an integer, a proxy may send numeric strings).
 */
export class SnapshotClient {
  private readonly limiter: SlidingWindowLimiter;
  /** HTTP requests sent, retries included (the hub's limiter counts every one). */
  requests = 0;
  retries = 0;

  constructor(private readonly options: SnapshotClientOptions) {
    this.limiter = new SlidingWindowLimiter(options.rateLimit, options.windowMs ?? 60_000);
  }

  get waitedMs(): number {
    return this.limiter.waitedMs;
  }

  /** Sends the GraphQL `query` (named `name` in errors and logs) and returns its validated `data`. */
  async graphql<S extends TSchema>(
    name: string,
    query: string,
    variables: Record<string, unknown>,
    schema: S,
    signal?: AbortSignal,
  ): Promise<Static<S>> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      let failure: SnapshotHubError;
      let retryAfterMs = 0;
      try {
        return await this.attempt(name, query, variables, schema, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (!(error instanceof SnapshotHubError)) {
          // fetch rejects with a TypeError on refused/dropped connections and a TimeoutError on our timeout.
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          failure = new SnapshotHubError(
            `Snapshot hub query ${name}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
            true,
          );
        } else {
          failure = error;
          retryAfterMs = (error as SnapshotHubError & { retryAfterMs?: number }).retryAfterMs ?? 0;
        }
      }
      if (!failure.retryable || attempt >= maxAttempts) {
        if (failure.retryable) failure.message += ` (gave up after ${attempt} attempts)`;
        throw failure;
      }
      const cap = Math.min(this.options.maxDelayMs ?? 30_000, (this.options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
      const delay = Math.max(Math.random() * cap, Math.min(retryAfterMs, this.options.maxRetryAfterMs ?? 120_000));
      this.retries++;
      this.options.logger?.warn(
        { query: name, attempt, delayMs: Math.round(delay), status: failure.status, err: failure.message },
        'Snapshot hub request failed, retrying',
      );
      await sleep(delay, signal);
    }
  }

  private async attempt<S extends TSchema>(
    name: string,
    query: string,
    variables: Record<string, unknown>,
    schema: S,
    signal?: AbortSignal,
  ): Promise<Static<S>> {
    await this.limiter.acquire(signal);
    this.requests++;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    const response = await fetch(this.options.hubUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.text();
    let body: GraphQLBody | undefined;
    try {
      body = JSON.parse(text) as GraphQLBody;
    } catch {
      body = undefined;
    }
    const errors = Array.isArray(body?.errors) ? body!.errors : undefined;

    if (response.status === 429 || (response.status >= 500 && !errors)) {
      const error = new SnapshotHubError(
        `Snapshot hub query ${name}: HTTP ${response.status}${snippet(text)}`,
        true,
        response.status,
      );
      return Promise.reject(Object.assign(error, { retryAfterMs: retryAfter(response.headers.get('retry-after')) }));
    }
    if (errors && errors.length > 0) {
      // The hub answers resolver errors (limits, bad addresses) with 200 and the field null,
      // validation errors with 400, and bad variables or too many root fields with 500: none
      // changes on retry, and partial data is not data we can page on.
      const messages = errors.map((e) => (typeof e.message === 'string' ? e.message : JSON.stringify(e))).join('; ');
      throw new SnapshotHubError(`Snapshot hub query ${name} failed: ${messages}`, false, response.status);
    }
    if (!response.ok) {
      const reason = (body as { error_description?: unknown } | undefined)?.error_description;
      throw new SnapshotHubError(
        `Snapshot hub query ${name}: HTTP ${response.status}${typeof reason === 'string' ? ` (${reason})` : snippet(text)}`,
        false,
        response.status,
      );
    }
    if (!body || typeof body.data !== 'object' || body.data === null) {
      throw new SnapshotHubError(
        `Snapshot hub query ${name}: the answer has no data${snippet(text)}`,
        false,
        response.status,
      );
    }
    const data = Value.Convert(schema, body.data);
    const check = checkerOf(schema);
    if (!check.Check(data)) {
      const first = check.Errors(data).First();
      throw new SnapshotHubError(
        `Snapshot hub query ${name}: unexpected answer at ${first?.path || '/'}: ${first?.message ?? 'invalid'}`,
        false,
        response.status,
      );
    }
    return data as Static<S>;
  }
}

export function snapshotClientFromConfig(config: SnapshotConfig, logger?: Logger): SnapshotClient {
  return new SnapshotClient({ ...config, logger });
}

/** Retry-After as delay-seconds or an HTTP date, in ms (0 when absent or unreadable). */
function retryAfter(value: string | null): number {
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now());
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat ? `: ${flat.slice(0, 200)}` : '';
}
