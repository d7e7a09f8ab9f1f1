import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Event-loop delay over the last minute or so: the histogram is read and restarted each
 * `periodMs`, and the figures of the last full period (or of the current one, before the first
 * period ends) are reported.
 */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private last: { meanMs: number; p99Ms: number; maxMs: number } | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(periodMs = 60_000) {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.last = this.read();
      this.histogram.reset();
    }, periodMs);
    this.timer.unref();
  }

  private read() {
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    return { meanMs: ms(this.histogram.mean), p99Ms: ms(this.histogram.percentile(99)), maxMs: ms(this.histogram.max) };
  }

  /** Null until the loop has been sampled at least once. */
  figures(): { meanMs: number; p99Ms: number; maxMs: number } | null {
    if (this.last) return this.last;
    return this.histogram.count > 0 ? this.read() : null;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

/** CPU use since the previous call: the machine's (all cores) and this process's, as shares of the machine. */
export class CpuUsage {
  private lastSystem = systemTimes();
  private lastProcess = { usage: process.cpuUsage(), at: process.hrtime.bigint() };

  figures(): { system: number | null; process: number | null } {
    const system = systemTimes();
    const busy = system.busy - this.lastSystem.busy;
    const total = system.total - this.lastSystem.total;
    this.lastSystem = system;
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(this.lastProcess.usage);
    const elapsedMicros = Number(now - this.lastProcess.at) / 1000;
    this.lastProcess = { usage: process.cpuUsage(), at: now };
    const cores = os.availableParallelism();
    return {
      system: total > 0 ? busy / total : null,
      process: elapsedMicros > 0 ? (usage.user + usage.system) / elapsedMicros / cores : null,
    };
  }
}

function systemTimes() {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** The memory this process may use: a cgroup limit (v2, then v1) when one is set, else the machine's memory. */
export function memoryLimitBytes(): number {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const raw = readFileSync(file, 'utf8').trim();
      const value = Number(raw);
      // "max", or v1's "no limit" (a number near 2^63), means none.
      if (Number.isFinite(value) && value > 0 && value < os.totalmem()) return value;
    } catch {
      // not this cgroup version
    }
  }
  return os.totalmem();
}

/** Free share of the file system holding `path`; null when it cannot be read (missing, no permission). */
export async function freeRatio(path: string): Promise<number | null> {
  try {
    const stats = await fs.statfs(path);
    return stats.blocks > 0 ? stats.bavail / stats.blocks : null;
  } catch {
    return null;
  }
}
