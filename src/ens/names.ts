import type { EnsConfig } from '../config/index.ts';
import type { Database, Db } from '../db/index.ts';
import { cachedEnsNames, type EnsNameRow, saveEnsName } from '../db/queries/ens-names.ts';
import type { Logger } from '../logger/index.ts';
import { Outbound } from '../net/outbound.ts';
import type { EnsLookup, EnsRecord } from './resolver.ts';

/** What the API says of an address's ENS name: null when it has none or it is not known (yet). */
export type Ens = EnsRecord | null;

export interface EnsNamesOptions {
  /** How long a lookup is served before the address is looked up again. */
  ttlSeconds: number;
  /** Longest a voter profile waits for a lookup. */
  timeoutMs: number;
  logger?: Pick<Logger, 'debug' | 'warn'> | undefined;
  /** Lookups running at once in the background. */
  concurrency?: number;
  /** Addresses waiting for a background lookup; more are dropped (a later page view queues them again). */
  maxQueue?: number;
  /** After the RPC failed, no lookup is tried for this long (the cache is served meanwhile). */
  pauseAfterFailureMs?: number;
  now?: () => number;
}

/** 20-byte account addresses have ENS names; 32-byte ones (Starknet voters) do not. */
const EVM_ADDRESS = /^0x[0-9a-f]{40}$/;

/**
 * ENS names of addresses for the API, from the `ens_names` cache. A list (voters, delegates,
 * holders) is answered from the cache alone, and the addresses it does not know, or knows past
 * their TTL, are looked up in the background; a voter profile waits for a lookup at most
 * `timeoutMs`, and past that it is answered with what the cache had while the lookup finishes.
 * A failed lookup is not cached (a stale name is better than none) and pauses lookups for a while,
 * so an unreachable RPC costs one failed request per pause, not one per page.
 * Without an Ethereum RPC (`lookup` undefined) every name is null and nothing is read.
 */
export class EnsNames {
  private readonly running = new Map<string, Promise<Ens | undefined>>();
  private readonly queue = new Set<string>();
  private active = 0;
  private pausedUntil = 0;
  private closed = false;
  private readonly options: Required<Omit<EnsNamesOptions, 'logger'>> & Pick<EnsNamesOptions, 'logger'>;

  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly resolver: EnsLookup | undefined,
    options: EnsNamesOptions,
    private readonly onClose: () => void = () => {},
  ) {
    this.options = { concurrency: 2, maxQueue: 1000, pauseAfterFailureMs: 60_000, now: Date.now, ...options };
  }

  /** The process's names from the configuration: lookups on its Ethereum RPC, or none without one. */
  static fromConfig(
    database: Pick<Database, 'db'>,
    config: EnsConfig,
    logger: EnsNamesOptions['logger'],
    outbound: Outbound = new Outbound(),
  ): EnsNames {
    const options = { ttlSeconds: config.ttlSeconds, timeoutMs: config.timeoutMs, logger };
    if (!config.rpcUrl) return new EnsNames(database, undefined, options);
    const abort = new AbortController();
    const { rpcUrl, universalResolver } = config;
    // The resolver brings viem (a thousand modules): it loads in the background, so only a server
    // that resolves names pays for it, and it does not hold up the start.
    const loaded = import('./resolver.ts').then(
      ({ EnsResolver }) => new EnsResolver({ rpcUrl, universalResolver, outbound, signal: abort.signal }),
    );
    const resolver: EnsLookup = { lookup: async (address) => (await loaded).lookup(address) };
    return new EnsNames(database, resolver, options, () => abort.abort());
  }

  get enabled(): boolean {
    return this.resolver !== undefined;
  }

  /** The name of one address for its profile: cached and fresh, else looked up within `timeoutMs`. */
  async forProfile(db: Db, address: string): Promise<Ens> {
    const key = address.toLowerCase();
    if (!this.resolver || !EVM_ADDRESS.test(key)) return null;
    const [cached] = await cachedEnsNames(db, [key]);
    if (cached && cached.expires_at > this.options.now()) return recordOf(cached);
    const lookup = this.resolve(key);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.timeoutMs);
    });
    const found = await Promise.race([lookup, late]).finally(() => clearTimeout(timer));
    if (found !== undefined) return found;
    return cached ? recordOf(cached) : null;
  }

  /** Names of listed addresses from the cache; unknown and expired ones are queued for a lookup. */
  async forList(db: Db, addresses: string[], options: { lookUp?: boolean } = {}): Promise<Map<string, Ens>> {
    const out = new Map<string, Ens>();
    if (!this.resolver) return out;
    const keys = [...new Set(addresses.map((a) => a.toLowerCase()).filter((a) => EVM_ADDRESS.test(a)))];
    const now = this.options.now();
    const known = new Set<string>();
    for (const row of await cachedEnsNames(db, keys)) {
      out.set(row.address, recordOf(row));
      if (row.expires_at > now) known.add(row.address);
    }
    if (options.lookUp !== false) for (const key of keys) if (!known.has(key)) this.enqueue(key);
    return out;
  }

  /** Stops background lookups and waits for the running ones to end (their requests are aborted). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    this.onClose();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Background lookups waiting or running (for tests and the status of the process). */
  get pending(): number {
    return this.queue.size + this.running.size;
  }

  /** Resolves when every queued and running lookup has ended. */
  async settled(): Promise<void> {
    while (this.pending > 0) await Promise.allSettled([...this.running.values()]);
  }

  private enqueue(address: string): void {
    if (this.closed || this.running.has(address) || this.queue.size >= this.options.maxQueue) return;
    this.queue.add(address);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active < this.options.concurrency && this.queue.size > 0) {
      const [next] = this.queue;
      this.queue.delete(next!);
      this.active++;
      void this.resolve(next!).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  /**
   * One lookup of an address, shared by everyone asking while it runs; saved to the cache.
   * Undefined when it could not be done (closing, paused after a failure, or the RPC failed).
   */
  private resolve(address: string): Promise<Ens | undefined> {
    const running = this.running.get(address);
    if (running) return running;
    if (this.closed || !this.resolver || this.options.now() < this.pausedUntil) return Promise.resolve(undefined);
    const resolver = this.resolver;
    const job = (async () => {
      try {
        const record = await resolver.lookup(address);
        if (this.closed) return record;
        const now = this.options.now();
        await saveEnsName(this.database.db, {
          address,
          name: record?.name ?? null,
          avatar: record?.avatar ?? null,
          resolvedAt: new Date(now),
          expiresAt: new Date(now + this.options.ttlSeconds * 1000),
        });
        return record;
      } catch (error) {
        if (this.closed) return undefined;
        this.pausedUntil = this.options.now() + this.options.pauseAfterFailureMs;
        this.options.logger?.warn(
          { address, err: error instanceof Error ? error.message.split('\n')[0] : String(error) },
          'ENS lookup failed; names are served from the cache until lookups resume',
        );
        return undefined;
      } finally {
        this.running.delete(address);
      }
    })();
    this.running.set(address, job);
    return job;
  }
}

function recordOf(row: EnsNameRow): Ens {
  return row.name === null ? null : { name: row.name, avatar: row.avatar };
}
