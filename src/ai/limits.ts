import { setTimeout as sleep } from 'node:timers/promises';
import type { AiLimits } from '../config/index.ts';
import { ProviderError } from '../errors.ts';
import { classify } from './failure.ts';
import type { ProviderName } from './types.ts';

/**
 * What stands between the router and one provider: a requests-per-minute and a tokens-per-minute
 * bucket, a cap on calls at once, retries with backoff that honour Retry-After, a deadline per
 * call, and a circuit breaker. A call that would wait longer than `maxWaitMs` (for the buckets, a
 * slot or a Retry-After) fails as `rate-limited` at once, so the router can fall back instead.
 */

/**
 * A token bucket whose tokens come back exactly one window after the call that spent them ended:
 * however the calls bunch up, no window of `windowMs` ever holds more than `capacity` at the
 * provider (a refilling bucket would allow up to twice that across a window boundary). Counting
 * from the end of the call rather than its start keeps that true when a request is slow to leave
 * this process: it reached the provider before it ended.
 */
export class WindowBucket {
  private spent: { at: number; n: number }[] = [];
  private used = 0;

  constructor(
    readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  private prune(now: number): void {
    if (!this.spent.some((e) => e.at <= now - this.windowMs)) return;
    this.spent = this.spent.filter((e) => e.at > now - this.windowMs);
    this.used = this.spent.reduce((n, e) => n + e.n, 0);
  }

  /** Spends `n` now and returns a handle to correct the amount later, or the ms until `n` fits. */
  take(n: number, now: number): { ok: true; entry: { at: number; n: number } } | { ok: false; waitMs: number } {
    this.prune(now);
    if (this.used + n <= this.capacity) {
      const entry = { at: now, n };
      this.spent.push(entry);
      this.used += n;
      return { ok: true, entry };
    }
    // The earliest time enough spent tokens have come back.
    let freed = this.capacity - this.used;
    for (const e of [...this.spent].sort((a, b) => a.at - b.at)) {
      freed += e.n;
      if (freed >= n) return { ok: false, waitMs: Math.max(1, e.at + this.windowMs - now) };
    }
    return { ok: false, waitMs: Number.POSITIVE_INFINITY };
  }

  /** When the call ended: its amount becomes what it really used, and its window starts now. */
  settle(entry: { at: number; n: number }, actual: number, now = Date.now()): void {
    if (!this.spent.includes(entry)) return;
    this.used += actual - entry.n;
    entry.n = actual;
    entry.at = Math.max(entry.at, now);
  }

  get level(): number {
    this.prune(Date.now());
    return this.used;
  }
}

class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  peak = 0;

  constructor(readonly size: number) {}

  /** Waits for a free slot until `deadline`; false when none came in time. */
  async acquire(deadline: number): Promise<boolean> {
    if (this.busy < this.size) {
      this.busy++;
      this.peak = Math.max(this.peak, this.busy);
      return true;
    }
    const wait = deadline - Date.now();
    if (wait <= 0) return false;
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        this.busy++;
        this.peak = Math.max(this.peak, this.busy);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, wait);
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.busy--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface GateLimits extends AiLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
  concurrency: number;
}

export interface GateCall<T> {
  /** Tokens the call reserves (input counted with the tokenizer plus the output allowance). */
  tokens: number;
  run(signal: AbortSignal): Promise<T>;
  /** Tokens the call really used, from its answer. */
  used(result: T): number;
  /** From the answer's rate-limit headers: the provider's window is used up for this long. */
  exhaustedForMs?(result: T): number | undefined;
}

export class ProviderGate {
  readonly requests: WindowBucket;
  readonly tokens: WindowBucket;
  private readonly slots: Slots;
  private failures = 0;
  private openUntil = 0;
  private trial = false;
  /** Until when the provider itself asked us to wait (Retry-After, exhausted rate-limit headers). */
  private pausedUntil = 0;

  constructor(
    readonly provider: ProviderName,
    private readonly limits: GateLimits,
  ) {
    this.requests = new WindowBucket(limits.requestsPerMinute, limits.windowMs);
    this.tokens = new WindowBucket(limits.tokensPerMinute, limits.windowMs);
    this.slots = new Slots(limits.concurrency);
  }

  get peakConcurrency(): number {
    return this.slots.peak;
  }

  get circuit(): CircuitState {
    if (this.openUntil === 0) return 'closed';
    return Date.now() < this.openUntil ? 'open' : 'half-open';
  }

  private fail(message: string, waitMs?: number): never {
    throw new ProviderError(this.provider, 'rate-limited', message, waitMs);
  }

  /** Spends one request and `tokens` from the buckets, waiting until `deadline` at most. */
  private async admit(tokens: number, deadline: number, signal?: AbortSignal) {
    if (tokens > this.limits.tokensPerMinute)
      this.fail(`the call needs ${tokens} tokens, more than the ${this.limits.tokensPerMinute} allowed per minute`);
    for (;;) {
      const now = Date.now();
      let wait = this.pausedUntil - now;
      if (wait <= 0) {
        const r = this.requests.take(1, now);
        if (r.ok) {
          const t = this.tokens.take(tokens, now);
          if (t.ok) return { request: r.entry, tokens: t.entry };
          this.requests.settle(r.entry, 0, now);
          wait = t.waitMs;
        } else wait = r.waitMs;
      }
      if (now + wait > deadline)
        this.fail(
          `its per-minute limit has no room for ${Math.ceil(wait / 1000)} s, longer than the ${Math.round(this.limits.maxWaitMs / 1000)} s a call may wait`,
          wait,
        );
      await sleep(wait, undefined, { signal });
    }
  }

  private checkCircuit(): void {
    const state = this.circuit;
    if (state === 'open')
      throw new ProviderError(
        this.provider,
        'circuit-open',
        `circuit open after ${this.failures} consecutive failures, for ${Math.ceil((this.openUntil - Date.now()) / 1000)} s more`,
      );
    if (state === 'half-open') {
      if (this.trial)
        throw new ProviderError(this.provider, 'circuit-open', 'circuit half-open: a trial call is running');
      this.trial = true;
    }
  }

  private record(ok: boolean, error?: ProviderError): void {
    if (ok) {
      this.failures = 0;
      this.openUntil = 0;
      return;
    }
    // A provider that answers "slow down" or "bad request" is up; its circuit is about outages and bad keys.
    if (error && !['server', 'timeout', 'network', 'unauthorized'].includes(error.kind)) return;
    this.failures++;
    if (this.openUntil !== 0 || this.failures >= this.limits.circuitFailures)
      this.openUntil = Date.now() + this.limits.circuitCooldownMs;
  }

  /** Runs one call through the limits, retrying what may pass on a later try. */
  async run<T>(call: GateCall<T>, outer?: AbortSignal): Promise<T> {
    this.checkCircuit();
    const deadline = Date.now() + this.limits.maxWaitMs;
    const wasTrial = this.trial;
    try {
      if (!(await this.slots.acquire(deadline)))
        this.fail(`all ${this.limits.concurrency} of its call slots stayed busy`);
      try {
        return await this.attempts(call, outer);
      } finally {
        this.slots.release();
      }
    } finally {
      if (wasTrial) this.trial = false;
    }
  }

  private async attempts<T>(call: GateCall<T>, outer?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const spent = await this.admit(call.tokens, Date.now() + this.limits.maxWaitMs, outer);
      const timeout = AbortSignal.timeout(this.limits.timeoutMs);
      const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
      try {
        const result = await call.run(signal);
        this.requests.settle(spent.request, 1);
        this.tokens.settle(spent.tokens, call.used(result));
        const exhausted = call.exhaustedForMs?.(result);
        if (exhausted !== undefined) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + exhausted);
        this.record(true);
        return result;
      } catch (raw) {
        this.requests.settle(spent.request, 1);
        this.tokens.settle(spent.tokens, spent.tokens.n);
        const error = classify(this.provider, raw, timeout.aborted && !outer?.aborted);
        this.record(false, error);
        if (error.kind === 'rate-limited' && error.retryAfterMs !== undefined)
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + error.retryAfterMs);
        if (!error.retryable || attempt >= this.limits.attempts || this.circuit === 'open') throw error;
        const delay = error.retryAfterMs ?? this.limits.backoffMs * 2 ** (attempt - 1);
        if (delay > this.limits.maxWaitMs) throw error;
        await sleep(delay, undefined, { signal: outer });
      }
    }
  }
}
