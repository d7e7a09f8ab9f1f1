import { Redis } from 'ioredis';
import type { Database } from '../db/index.ts';
import { pendingMigrations } from '../db/migrations.ts';
import { listSyncStates } from '../db/queries/sync-state.ts';
import { type Logger, redisWarnings } from '../logger/index.ts';

/** How long a probe may take before its dependency counts as not answering. */
export const PROBE_TIMEOUT_MS = 2000;

export interface ProbeResult {
  ok: boolean;
  /** Milliseconds the probe took; null when it did not answer. */
  latencyMs: number | null;
  error: string | null;
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function timed(what: string, fn: () => Promise<unknown>, ms = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await withTimeout(fn(), ms, what);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100, error: null };
  } catch (error) {
    return { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A trivial statement on the database, with its round trip. */
export function pingDatabase(database: Database): Promise<ProbeResult> {
  return timed('the database', () => database.query('select 1'));
}

export function migrationStatus(database: Database) {
  return withTimeout(
    pendingMigrations((text) => database.query(text)),
    PROBE_TIMEOUT_MS,
    'the database',
  );
}

export interface SourceState {
  dao: string;
  source: string;
  lastSuccessAt: Date | null;
  /** What the source itself last reported as left to read (seconds or blocks, per source). */
  behind: number | null;
  failing: boolean;
  lastError: string | null;
  /** Items read and rows written by the last successful run, and how long it took. */
  read: number | null;
  written: number | null;
  durationMs: number | null;
}

const numberOr = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Every (DAO, source) the database keeps a sync state for, and the applicable ones that never ran. */
export async function sourceStates(
  database: Database,
  targets?: () => Promise<Array<{ dao: string; source: string }>>,
): Promise<SourceState[]> {
  const rows = await withTimeout(listSyncStates(database.db), PROBE_TIMEOUT_MS, 'the database');
  const states: SourceState[] = rows.map(({ dao, state }) => {
    const details = (state.details ?? {}) as Record<string, unknown>;
    return {
      dao: dao.slug,
      source: state.source,
      lastSuccessAt: state.lastSuccessAt,
      behind: state.lag,
      failing: state.status === 'failed',
      lastError: state.lastError,
      read: numberOr(details.read),
      written: numberOr(details.written),
      durationMs: numberOr(details.duration_ms),
    };
  });
  const seen = new Set(states.map((s) => `${s.dao}:${s.source}`));
  for (const target of (await targets?.()) ?? []) {
    if (seen.has(`${target.dao}:${target.source}`)) continue;
    states.push({
      ...target,
      lastSuccessAt: null,
      behind: null,
      failing: false,
      lastError: null,
      read: null,
      written: null,
      durationMs: null,
    });
  }
  return states;
}

/**
 * A Redis connection of its own for probing: it never queues commands while disconnected (a ping
 * then fails at once instead of waiting), reconnects in the background with a backoff capped at
 * 5 s, and reports into the process's one Redis outage warning (src/logger's redisWarnings).
 */
export class RedisProbe {
  private readonly client: Redis;

  constructor(url: string, logger: Pick<Logger, 'warn' | 'info'>) {
    this.client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: PROBE_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 500, 5000),
    });
    const warnings = redisWarnings(logger, 'the health probe');
    this.client.on('error', warnings.failed);
    this.client.on('ready', warnings.recovered);
    this.client.connect().catch(warnings.failed);
  }

  ping(): Promise<ProbeResult> {
    return timed('Redis', async () => {
      // Right after start the first connection may still be opening: wait for it (bounded by the
      // probe timeout) rather than report an outage; a connection that was lost fails at once.
      if (['wait', 'connecting', 'connect'].includes(this.client.status))
        await new Promise<void>((resolve, reject) => {
          this.client.once('ready', resolve);
          this.client.once('end', () => reject(new Error('the connection closed')));
        });
      return this.client.ping();
    });
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
