import { type Address, createPublicClient, type Hex, http, numberToHex, type PublicClient } from 'viem';
import { UnavailableError } from '../../errors.ts';
import type { Logger } from '../../logger/index.ts';

/**
 * One JSON-RPC endpoint as the on-chain sources use it: a viem public client (concurrent calls
 * are sent as JSON-RPC batches), retries with exponential backoff and jitter on transient failures
 * (HTTP 429/5xx, network errors, timeouts, internal errors), and eth_getLogs over block ranges
 * that shrink when the provider rejects a range or reports too many results, then grow back.
 */
export interface RpcOptions {
  url: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Attempts per request before giving up (transient errors only). */
  attempts?: number;
  /** First backoff delay; doubles per attempt, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** First getLogs span in blocks, and the most it grows to. */
  initialSpan?: number;
  maxSpan?: number;
}

export interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: Hex;
  removed?: boolean;
}

export interface BlockHeader {
  number: number;
  hash: Hex;
  timestamp: number;
}

export class ChainRpc {
  readonly client: PublicClient;
  /** HTTP requests sent (a JSON-RPC batch counts once), for the status details. */
  requests = 0;
  /** Current getLogs span, adapted to what the provider accepts. */
  span: number;
  private readonly options: Required<Omit<RpcOptions, 'logger' | 'signal'>> & Pick<RpcOptions, 'logger' | 'signal'>;

  constructor(options: RpcOptions) {
    this.options = {
      attempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 5_000,
      initialSpan: 2_000,
      maxSpan: 50_000,
      ...options,
    };
    this.span = this.options.initialSpan;
    this.client = createPublicClient({
      transport: http(options.url, {
        batch: { batchSize: 100, wait: 0 },
        // Retries are ours (they know which failures are worth retrying and count requests).
        retryCount: 0,
        timeout: 30_000,
        onFetchRequest: () => void this.requests++,
      }),
    });
  }

  /** Runs `fn`, retrying transient failures with backoff; other errors are thrown at once. */
  async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted();
      try {
        return await fn();
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt >= this.options.attempts) {
          throw new UnavailableError(`${what} failed ${attempt} times: ${messageOf(error)}`);
        }
        const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        this.options.logger?.debug({ what, attempt, err: messageOf(error) }, 'transient RPC error, retrying');
        await sleep(delay / 2 + Math.random() * (delay / 2), this.options.signal);
      }
    }
  }

  request<T>(method: string, params: unknown[]): Promise<T> {
    return this.retry(
      method,
      () => this.client.request({ method: method as never, params: params as never }) as Promise<T>,
    );
  }

  async blockNumber(): Promise<number> {
    return Number(BigInt(await this.request<Hex>('eth_blockNumber', [])));
  }

  /** The header of a block, or undefined when the chain has no such block (any more). */
  async header(number: number): Promise<BlockHeader | undefined> {
    const block = await this.request<{ number: Hex; hash: Hex; timestamp: Hex } | null>('eth_getBlockByNumber', [
      numberToHex(number),
      false,
    ]);
    if (!block) return undefined;
    return { number: Number(BigInt(block.number)), hash: block.hash, timestamp: Number(BigInt(block.timestamp)) };
  }

  async headers(numbers: Iterable<number>): Promise<Map<number, BlockHeader | undefined>> {
    const list = [...new Set(numbers)];
    const found = await Promise.all(list.map((n) => this.header(n)));
    return new Map(list.map((n, i) => [n, found[i]]));
  }

  /**
   * Logs of `addresses` whose first topic is one of `topic0s`, in [from, to]. A range the provider
   * refuses (too wide, too many results) is split in halves, and the span used for the next
   * ranges shrinks to what worked.
   */
  async logs(addresses: Address[], topic0s: Hex[], from: number, to: number): Promise<RawLog[]> {
    try {
      return await this.request<RawLog[]>('eth_getLogs', [
        { address: addresses, topics: [topic0s], fromBlock: numberToHex(from), toBlock: numberToHex(to) },
      ]);
    } catch (error) {
      if (to <= from || !isRangeRejected(error)) throw error;
      const mid = from + Math.floor((to - from) / 2);
      this.span = Math.max(1, Math.min(this.span, mid - from + 1));
      this.options.logger?.debug({ from, to, span: this.span }, 'provider rejected the log range, splitting');
      const left = await this.logs(addresses, topic0s, from, mid);
      const right = await this.logs(addresses, topic0s, mid + 1, to);
      return left.concat(right);
    }
  }

  /** After a range went through whole, the next one may be wider again. */
  grow(): void {
    this.span = Math.min(this.options.maxSpan, this.span * 2);
  }
}

interface ErrorLike {
  status?: number;
  code?: number;
  message?: string;
  details?: string;
  cause?: unknown;
  name?: string;
}

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && out.length < 10) {
    out.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return out;
}

const text = (e: ErrorLike) => `${e.message ?? ''} ${e.details ?? ''}`;
const RATE_LIMITED = /rate limit|rate exceeded|too many requests|request limit|capacity|throttl/i;
const RANGE_REJECTED =
  /block range|range (is )?too (large|wide|big)|too many (results|logs|blocks)|more than \d+ (results|logs|blocks)|query returned more than|response (size|is too big)|exceed(s|ed)? (the )?(max|maximum|limit)|log response size|limit exceeded/i;

/** Failures worth retrying as is: overload, rate limits, network trouble, node hiccups. */
export function isTransient(error: unknown): boolean {
  return chain(error).some((e) => {
    if (typeof e.status === 'number') return e.status === 408 || e.status === 429 || e.status >= 500;
    if (e.name === 'TimeoutError') return true;
    if (e.code === -32603 || e.code === 429) return true;
    if (RATE_LIMITED.test(text(e)) && !RANGE_REJECTED.test(text(e).replace(RATE_LIMITED, ''))) return true;
    return (
      /fetch failed|ECONNRESET|ECONNREFUSED|socket hang up|network|timed? ?out|other side closed|header not found/i.test(
        text(e),
      ) && !RANGE_REJECTED.test(text(e))
    );
  });
}

/** The provider refused an eth_getLogs range as too wide or too heavy. */
export function isRangeRejected(error: unknown): boolean {
  return chain(error).some((e) => !RATE_LIMITED.test(text(e)) && RANGE_REJECTED.test(text(e)));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
