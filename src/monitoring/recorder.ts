import { httpRequestDuration } from './prometheus.ts';

/** What the recorder needs from one answered request (Fastify's onResponse hook hands these). */
export interface AnsweredRequest {
  /** The route template (`/api/v1/daos/:id`), never the raw URL: one series per route, not per DAO. */
  route: string;
  method: string;
  status: number;
  seconds: number;
}

export interface WindowFigures {
  windowSeconds: number;
  count: number;
  errorRate: number | null;
  avgSeconds: number | null;
  p95Seconds: number | null;
  ratePerSecond: number;
}

/**
 * Answered requests of the last `windowSeconds`, kept in a ring of typed arrays (a fixed 3 MB,
 * whatever the traffic), and counted into the Prometheus histogram. Past `capacity` requests in
 * one window the oldest are forgotten early: the figures then cover the newest `capacity`
 * requests and say so (`windowSeconds` shrinks to what they span).
 */
export class RequestRecorder {
  private readonly at: Float64Array;
  private readonly seconds: Float64Array;
  private readonly status: Uint16Array;
  private next = 0;
  private size = 0;

  constructor(
    readonly windowSeconds = 300,
    private readonly capacity = 200_000,
    private readonly now: () => number = Date.now,
  ) {
    this.at = new Float64Array(capacity);
    this.seconds = new Float64Array(capacity);
    this.status = new Uint16Array(capacity);
  }

  record(request: AnsweredRequest): void {
    httpRequestDuration.observe(
      { route: request.route, method: request.method, status: String(request.status) },
      request.seconds,
    );
    this.at[this.next] = this.now();
    this.seconds[this.next] = request.seconds;
    this.status[this.next] = request.status;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  figures(): WindowFigures {
    const now = this.now();
    const since = now - this.windowSeconds * 1000;
    const durations: number[] = [];
    let errors = 0;
    let total = 0;
    let oldest = now;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - 1 - i + this.capacity) % this.capacity;
      const at = this.at[slot]!;
      if (at < since) break;
      oldest = at;
      const seconds = this.seconds[slot]!;
      durations.push(seconds);
      total += seconds;
      if (this.status[slot]! >= 500) errors++;
    }
    const count = durations.length;
    // A full ring that has not reached the window's start covers less time than the window.
    const covered = count === this.capacity ? Math.max(1, (now - oldest) / 1000) : this.windowSeconds;
    durations.sort((a, b) => a - b);
    return {
      windowSeconds: Math.round(covered),
      count,
      errorRate: count ? errors / count : null,
      avgSeconds: count ? total / count : null,
      // Nearest rank: the smallest duration at least 95% of the requests did not exceed.
      p95Seconds: count ? durations[Math.ceil(0.95 * count) - 1]! : null,
      ratePerSecond: count / covered,
    };
  }
}
