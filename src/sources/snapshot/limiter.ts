/**
 * A sliding-window request limiter: at most `limit` requests start within any `windowMs`. A
 * sliding window (rather than the hub's fixed one) means no instant of the hub's fixed window,
 * wherever it falls, can see more than `limit` of our requests, so a limit below the hub's 100
 * never trips its 429 for requests sent one after another (as the source sends them): a request
 * released at the edge of our window can land in the hub's previous window only if the one it
 * replaces was counted late, and the margin of one request below the hub's limit absorbs that.
 */
export class SlidingWindowLimiter {
  private readonly starts: number[] = [];
  /** Total time spent waiting for a free slot, for throughput reports. */
  waitedMs = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  }

  /** Resolves once a request may start, and records it as started. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      const wait = this.starts[0]! + this.windowMs - now + 1;
      this.waitedMs += wait;
      await sleep(wait, signal);
    }
  }
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
