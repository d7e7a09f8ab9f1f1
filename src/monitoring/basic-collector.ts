import fs from 'node:fs';
import os from 'node:os';
import type { Config } from '../config/index.ts';
import { type Database, ping } from '../db/index.ts';
import { listSyncStates } from '../db/queries/sync-state.ts';
import type { ProcessMeasurements } from './measurements.ts';

/**
 * A minimal collector of this process's measurements, enough for the operator alert rules: a
 * sliding window of answered requests, memory, a database ping, free disk space and the sync
 * state. The monitoring endpoints' full collector (pool figures, backups) replaces it.
 */
export class RequestRecorder {
  private samples: Array<{ at: number; seconds: number; error: boolean }> = [];

  constructor(
    readonly windowSeconds = 300,
    private readonly now: () => number = Date.now,
  ) {}

  /** One answered request: its duration and status code. */
  record(seconds: number, statusCode: number): void {
    this.samples.push({ at: this.now(), seconds, error: statusCode >= 500 });
    if (this.samples.length > 100_000) this.samples.splice(0, this.samples.length - 100_000);
  }

  snapshot(): ProcessMeasurements['requests'] {
    const since = this.now() - this.windowSeconds * 1000;
    let first = 0;
    while (first < this.samples.length && this.samples[first]!.at < since) first++;
    if (first) this.samples.splice(0, first);
    const count = this.samples.length;
    if (!count)
      return {
        windowSeconds: this.windowSeconds,
        count,
        errorRate: null,
        avgSeconds: null,
        p95Seconds: null,
        ratePerSecond: 0,
      };
    const durations = this.samples.map((s) => s.seconds).sort((a, b) => a - b);
    // Nearest rank: the smallest duration at or above 95% of the answers.
    const p95 = durations[Math.min(count - 1, Math.ceil(0.95 * count) - 1)]!;
    return {
      windowSeconds: this.windowSeconds,
      count,
      errorRate: this.samples.filter((s) => s.error).length / count,
      avgSeconds: durations.reduce((a, b) => a + b, 0) / count,
      p95Seconds: p95,
      ratePerSecond: count / this.windowSeconds,
    };
  }
}

/** The cgroup (v2, then v1) memory limit, else the machine's memory. */
function memoryLimit(): number {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isFinite(value) && value > 0 && value < os.totalmem()) return value;
    } catch {}
  }
  return os.totalmem();
}

function freeRatio(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.blocks > 0 ? s.bavail / s.blocks : null;
  } catch {
    return null;
  }
}

export function basicMeasure(options: {
  database: Database;
  recorder: RequestRecorder;
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'sync'>;
}): () => Promise<ProcessMeasurements> {
  const { database, recorder, config } = options;
  return async () => {
    const at = new Date();
    const memory = process.memoryUsage();
    const limit = memoryLimit();
    const started = performance.now();
    const reachable = await ping(database);
    const latencyMs = reachable ? Math.round(performance.now() - started) : null;
    const states = reachable ? await listSyncStates(database.db).catch(() => []) : [];
    return {
      at,
      requests: recorder.snapshot(),
      memory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        limitBytes: limit,
        usedRatio: memory.rss / limit,
      },
      database: { reachable, latencyMs, pool: null },
      disks:
        config.databaseUrl || !fs.existsSync(config.dataDir)
          ? []
          : [{ path: config.dataDir, freeRatio: freeRatio(config.dataDir) }],
      sources: states.map(({ dao, state }) => ({
        dao: dao.slug,
        source: state.source,
        intervalSeconds: config.sync.intervalSeconds,
        lastSuccessAt: state.lastSuccessAt,
        // The stored lag is in seconds or blocks depending on the source: staleness comes from the last success.
        lagSeconds: null,
        failing: state.status === 'failed',
        lastError: state.lastError,
      })),
      backups: null,
    };
  };
}
